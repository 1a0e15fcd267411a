import { type Command, Option } from 'commander';
import { UsageError, excerpt } from '../../errors.js';
import { labelSelectorSyntaxError } from '../../model/label-selector.js';
import { isDns1123Label } from '../../model/names.js';
import type { UpgradeOptions } from '../../upgrade/run.js';
import { checkNamespaceFlag, collect, outputOption, parsePositiveDuration, parsePositiveInt } from '../flags.js';

export interface UpgradeFlags {
  revision?: string;
  from?: string;
  istioNamespace: string;
  namespaces?: string[];
  selector?: string;
  pauseBetween?: boolean;
  keepOld?: boolean;
  rollback?: boolean;
  dryRun?: boolean;
  skipConfirmation?: boolean;
  yes?: boolean;
  readinessTimeout: string;
  concurrency: string;
  timeout?: string;
  includeOndelete?: boolean;
  allowDowntime?: boolean;
  maxUnavailablePerNamespace?: string;
  output: string;
}

export function addUpgradeOptions(cmd: Command): Command {
  return cmd
    .option('-r, --revision <revision>', 'the revision to upgrade to (required), e.g. 1-31-1')
    .option('--from <revision>', 'the revision to leave (default: the one other installed revision)')
    .option('-i, --istio-namespace <ns>', 'the Istio control-plane namespace', 'istio-system')
    .option('--namespaces <ns>', 'only these namespaces in this run (comma-separated or repeated); the old revision stays until all are moved', collect)
    .option('-l, --selector <selector>', 'only the namespaces with these labels in this run (e.g. env=dev)')
    .option('--pause-between', 'stop after each namespace; run the same command again to go on')
    .option('--keep-old', 'move everything but keep the old revision installed (for a later rollback)')
    .option('--rollback', 'move tags, labels and proxies of the recorded upgrade back to the old revision')
    .option('--dry-run', 'print the plan, change nothing')
    .option('-y, --skip-confirmation', 'do not ask before starting (required when stdin is not a terminal); --yes works too')
    .addOption(new Option('--yes', 'same as -y/--skip-confirmation').hideHelp())
    .addOption(new Option('--readiness-timeout <duration>', 'how long to wait for the new control plane to become ready').default('5m'))
    .addOption(new Option('--concurrency <n>', 'how many workloads of a namespace roll at once').default('1'))
    .option('--timeout <duration>', "per workload limit on its rollout (default: the workload's progress deadline)")
    .option('--include-ondelete', 'also restart StatefulSets/DaemonSets with updateStrategy OnDelete, one pod at a time')
    .option('--allow-downtime', 'also restart single-replica workloads and those a PodDisruptionBudget would block')
    .option(
      '--max-unavailable-per-namespace <n>',
      "as rollout-restart: leave workloads whose rollout may take more than N pods down at once (from their strategy's maxUnavailable); the namespace then fails on them",
    )
    .addOption(outputOption());
}

function revisionFlag(flag: string, value: string): string {
  if (!isDns1123Label(value)) {
    throw new UsageError(`${flag}: "${excerpt(value)}" is not a valid revision name (lowercase letters, digits and '-', at most 63, e.g. 1-31-1, canary)`);
  }
  return value;
}

/** The namespaces named by --namespaces (comma-separated, repeatable), each a DNS label. */
export function namespaceList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const names = [...new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim()))].filter((v) => v !== '');
  if (names.length === 0) throw new UsageError('--namespaces: name at least one namespace (e.g. --namespaces dev,staging)');
  for (const n of names) checkNamespaceFlag('--namespaces', n);
  return names.sort();
}

/** Flag checks that need no cluster (pure). The namespace selector stays for the action to resolve. */
export function validateUpgradeFlags(flags: UpgradeFlags): { options: UpgradeOptions; selector: string | undefined; skipConfirmation: boolean } {
  if (flags.revision === undefined || flags.revision === '')
    throw new UsageError('-r/--revision: required (the revision to upgrade to, e.g. mesh upgrade -r 1-31-1)');
  const to = revisionFlag('-r/--revision', flags.revision);
  const from = flags.from === undefined ? undefined : revisionFlag('--from', flags.from);
  if (from !== undefined && from === to) throw new UsageError(`--from: the revision to leave must differ from -r/--revision (both "${to}")`);
  checkNamespaceFlag('-i/--istio-namespace', flags.istioNamespace);
  const namespaces = namespaceList(flags.namespaces);
  const selector = flags.selector?.trim() === '' ? undefined : flags.selector?.trim();
  if (selector !== undefined) {
    const why = labelSelectorSyntaxError(selector);
    if (why !== undefined) throw new UsageError(`-l/--selector "${excerpt(selector)}": not a label selector: ${why}`);
  }
  if (namespaces !== undefined && selector !== undefined) throw new UsageError('--namespaces and -l/--selector: give one or the other');
  if (flags.rollback === true && (namespaces !== undefined || selector !== undefined || flags.pauseBetween === true || flags.keepOld === true)) {
    throw new UsageError('--rollback: takes back everything the recorded upgrade moved; it does not go with --namespaces, -l, --pause-between or --keep-old');
  }
  if (flags.rollback === true && from !== undefined) throw new UsageError('--rollback: the revision to go back to is the recorded one; leave out --from');
  const readinessTimeoutMs = parsePositiveDuration('--readiness-timeout', flags.readinessTimeout);
  const concurrency = parsePositiveInt('--concurrency', flags.concurrency);
  const maxUnavailablePerNamespace =
    flags.maxUnavailablePerNamespace !== undefined ? parsePositiveInt('--max-unavailable-per-namespace', flags.maxUnavailablePerNamespace) : undefined;
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    timeoutMs = parsePositiveDuration('--timeout', flags.timeout);
  }
  const options: UpgradeOptions = {
    to,
    istioNamespace: flags.istioNamespace,
    pauseBetween: flags.pauseBetween === true,
    keepOld: flags.keepOld === true,
    rollback: flags.rollback === true,
    dryRun: flags.dryRun === true,
    readinessTimeoutMs,
    restart: {
      concurrency,
      includeOnDelete: flags.includeOndelete === true,
      allowDowntime: flags.allowDowntime === true,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(maxUnavailablePerNamespace !== undefined ? { maxUnavailablePerNamespace } : {}),
    },
    ...(from !== undefined ? { from } : {}),
    ...(namespaces !== undefined ? { namespaces } : {}),
  };
  return { options, selector, skipConfirmation: flags.skipConfirmation === true || flags.yes === true };
}
