import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { parsePositiveDuration } from '../flags.js';
import { type RenderFlags, addRenderOptions } from './render.js';

export interface InstallFlags extends RenderFlags {
  skipConfirmation?: boolean;
  /** --yes, as rollout-restart spells -y. */
  yes?: boolean;
  /** true when given without a value (commander preset), else the mode. */
  dryRun?: string | boolean;
  readinessTimeout: string;
  takeOver?: boolean;
  /** With --dry-run: table (or YAML manifests for client), json or yaml. */
  output?: string;
}

export type DryRun = 'none' | 'client' | 'server';

export interface InstallOptions {
  dryRun: DryRun;
  readinessTimeoutMs: number;
  skipConfirmation: boolean;
}

export function addInstallOptions(cmd: Command): Command {
  return addRenderOptions(cmd)
    .option('-y, --skip-confirmation', 'do not ask for confirmation (required when stdin is not a terminal); --yes works too')
    .addOption(new Option('--yes', 'same as -y/--skip-confirmation').hideHelp())
    .addOption(
      new Option('--dry-run [mode]', 'client: print the rendered manifests; server: show what would change, checked by the API server')
        .choices(['client', 'server'])
        .preset('client'),
    )
    .addOption(new Option('--readiness-timeout <duration>', 'how long to wait for each component to become ready').default('5m'))
    .addOption(
      new Option('-o, --output <format>', 'with --dry-run: the plan (server) or the manifests (client) as json or yaml')
        .choices(['table', 'json', 'yaml'])
        .default('table'),
    )
    .option('--take-over', 'move objects another revision installed (its gateways, CNI, ztunnel) to this revision; by default they stay with it');
}

/** Flag checks that need no cluster (pure). */
export function validateInstallFlags(flags: InstallFlags): InstallOptions {
  const dryRun: DryRun = flags.dryRun === undefined || flags.dryRun === false ? 'none' : flags.dryRun === true ? 'client' : (flags.dryRun as DryRun);
  if (!['none', 'client', 'server'].includes(dryRun)) throw new UsageError(`--dry-run: expected client or server, got "${String(flags.dryRun)}"`);
  const readinessTimeoutMs = parsePositiveDuration('--readiness-timeout', flags.readinessTimeout);
  return { dryRun, readinessTimeoutMs, skipConfirmation: flags.skipConfirmation === true || flags.yes === true };
}
