import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { collect } from '../flags.js';

export interface UninstallFlags {
  revision?: string;
  purge?: boolean;
  filename?: string[];
  set?: string[];
  skipConfirmation?: boolean;
  dryRun?: boolean;
}

export interface UninstallOptions {
  purge: boolean;
  /** Set unless purging; from -r or from the -f file. */
  revisionFrom?: 'flag' | 'file';
  skipConfirmation: boolean;
  dryRun: boolean;
  warnings: string[];
}

export function addUninstallOptions(cmd: Command): Command {
  return cmd
    .option('-r, --revision <name>', 'the control-plane revision to remove (default for the unrevisioned one)')
    .option('--purge', 'remove every Istio control plane and the Istio CRDs (and with them all Istio configuration)')
    .option('-f, --filename <file>', 'IstioOperator file the control plane was installed with (repeatable)', collect)
    .option('-s, --set <path=value>', 'with -f: override one value, as at install', collect)
    .option('-y, --skip-confirmation', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--dry-run', 'list what would be removed, remove nothing');
}

/** Exactly one of -r, -f, --purge (--purge wins over the others with a warning, as istioctl does). */
export function validateUninstallFlags(flags: UninstallFlags): UninstallOptions {
  const purge = flags.purge === true;
  const hasRev = flags.revision !== undefined;
  const hasFile = (flags.filename?.length ?? 0) > 0;
  const base = { purge, skipConfirmation: flags.skipConfirmation === true, dryRun: flags.dryRun === true, warnings: [] as string[] };
  if (purge) {
    if (hasRev || hasFile) base.warnings.push(`--purge removes every revision; ${hasRev ? '--revision' : '--filename'} is ignored`);
    return base;
  }
  if (!hasRev && !hasFile) throw new UsageError('say what to remove: -r/--revision REV (default for the unrevisioned control plane), -f/--filename FILE, or --purge');
  if (hasRev && hasFile) throw new UsageError('use either -r/--revision or -f/--filename, not both');
  if ((flags.set?.length ?? 0) > 0 && !hasFile) throw new UsageError('--set only applies together with -f/--filename');
  return { ...base, revisionFrom: hasRev ? 'flag' : 'file' };
}
