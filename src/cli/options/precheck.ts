import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { isDns1123Label } from '../../model/names.js';
import { checkNamespaceFlag, outputOption } from '../flags.js';

export interface PrecheckFlags {
  istioNamespace: string;
  removing?: string;
  fromVersion?: string;
  output: string;
}

export function addPrecheckOptions(cmd: Command): Command {
  return cmd
    .option('-i, --istio-namespace <ns>', 'control-plane namespace', 'istio-system')
    .option('--removing <revision>', 'also check that no proxy still uses this revision (before uninstalling it)')
    .option('-f, --from-version <version>', 'the Istio version the cluster runs now (1.N): also check what changes from it to 1.31')
    .addOption(outputOption());
}

/** Flag checks that need no cluster (pure); the --from-version minor when given. */
export function validatePrecheck(flags: PrecheckFlags): { fromVersion?: { text: string; minor: number } } {
  checkNamespaceFlag('-i/--istio-namespace', flags.istioNamespace);
  if (flags.removing !== undefined && !isDns1123Label(flags.removing)) {
    throw new UsageError(`--removing: "${flags.removing}" is not a valid revision name (lowercase letters, digits and '-', e.g. 1-30-2, canary)`);
  }
  if (flags.fromVersion === undefined) return {};
  const v = parseFromVersion(flags.fromVersion);
  if ('error' in v) throw new UsageError(`-f/--from-version: ${v.error}`);
  return { fromVersion: { text: flags.fromVersion.trim().replace(/^v/, ''), minor: v.minor } };
}

/** `--from-version`: 1.N or 1.N.P; the minor, or a reason why not (pure). */
export function parseFromVersion(text: string): { minor: number } | { error: string } {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) return { error: `"${text}" is not a version (want 1.N or 1.N.P, e.g. 1.29)` };
  if (m[1] !== '1') return { error: `"${text}": Istio versions are 1.N (major 1)` };
  return { minor: Number(m[2]) };
}
