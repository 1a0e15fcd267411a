import { type Command, Option } from 'commander';
import { UsageError, excerpt } from '../../errors.js';
import { isDns1123Label } from '../../model/names.js';
import { collect } from '../flags.js';

export interface UninstallFlags {
  revision?: string;
  purge?: boolean;
  filename?: string[];
  set?: string[];
  skipConfirmation?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
  /** With --dry-run: the list as text, json or yaml. */
  output?: string;
}

export interface UninstallOptions {
  purge: boolean;
  /** Set unless purging; from -r or from the -f file. */
  revisionFrom?: 'flag' | 'file';
  skipConfirmation: boolean;
  dryRun: boolean;
  /** Remove the revision even while proxies still use it. */
  force: boolean;
  warnings: string[];
}

export function addUninstallOptions(cmd: Command): Command {
  return cmd
    .option('-r, --revision <name>', 'the control-plane revision to remove (default for the unrevisioned one)')
    .option('--purge', 'remove every Istio control plane and the Istio CRDs (and with them all Istio configuration)')
    .option('-f, --filename <file>', 'IstioOperator file the control plane was installed with (repeatable)', collect)
    .option('-s, --set <path=value>', 'with -f: override one value, as at install', collect)
    .option('-y, --skip-confirmation', 'do not ask for confirmation (required when stdin is not a terminal); --yes works too')
    .addOption(new Option('--yes', 'same as -y/--skip-confirmation').hideHelp())
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--force', 'remove the revision even while proxies still use it (they stop receiving configuration)')
    .addOption(new Option('-o, --output <format>', 'with --dry-run: what would be removed as json or yaml').choices(['text', 'json', 'yaml']).default('text'));
}

/** Exactly one of -r, -f, --purge (--purge wins over the others with a warning, as istioctl does). */
export function validateUninstallFlags(flags: UninstallFlags): UninstallOptions {
  const purge = flags.purge === true;
  const hasRev = flags.revision !== undefined;
  const hasFile = (flags.filename?.length ?? 0) > 0;
  const base = {
    purge,
    skipConfirmation: flags.skipConfirmation === true || flags.yes === true,
    dryRun: flags.dryRun === true,
    force: flags.force === true,
    warnings: [] as string[],
  };
  if (purge) {
    if (hasRev || hasFile) base.warnings.push(`--purge removes every revision; ${hasRev ? '--revision' : '--filename'} is ignored`);
    return base;
  }
  if (!hasRev && !hasFile)
    throw new UsageError('say what to remove: -r/--revision REV (default for the unrevisioned control plane), -f/--filename FILE, or --purge');
  if (hasRev && !isDns1123Label(flags.revision ?? '')) {
    throw new UsageError(
      `--revision "${excerpt(flags.revision ?? '')}": not a revision name (a DNS-1123 label: lower-case letters, digits and "-", e.g. default, canary, 1-31-1)`,
    );
  }
  if (hasRev && hasFile) throw new UsageError('use either -r/--revision or -f/--filename, not both');
  if ((flags.set?.length ?? 0) > 0 && !hasFile) throw new UsageError('--set only applies together with -f/--filename');
  return { ...base, revisionFrom: hasRev ? 'flag' : 'file' };
}
