import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { isDns1123Label } from '../../model/names.js';
import { checkNamespaceFlag, outputOption } from '../flags.js';

export interface PrecheckFlags {
  istioNamespace: string;
  removing?: string;
  output: string;
}

export function addPrecheckOptions(cmd: Command): Command {
  return cmd
    .option('-i, --istio-namespace <ns>', 'control-plane namespace', 'istio-system')
    .option('--removing <revision>', 'also check that no proxy still uses this revision (before uninstalling it)')
    .addOption(outputOption());
}

export function validatePrecheck(flags: PrecheckFlags): void {
  checkNamespaceFlag('-i/--istio-namespace', flags.istioNamespace);
  if (flags.removing !== undefined && !isDns1123Label(flags.removing)) {
    throw new UsageError(`--removing: "${flags.removing}" is not a valid revision name (lowercase letters, digits and '-', e.g. 1-30-2, canary)`);
  }
}
