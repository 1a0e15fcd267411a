import { type Command, Option } from 'commander';
import { UsageError, didYouMean, excerpt } from '../../errors.js';
import { labelSelectorSyntaxError } from '../../model/label-selector.js';
import type { RolloutRestartOptions } from '../../restart/index.js';
import type { WorkloadKind } from '../../restart/types.js';
import { isDns1123Label } from '../../model/names.js';
import { collect, outputOption, parseDuration, parsePositiveDuration, parsePositiveInt } from '../flags.js';

export interface RolloutRestartFlags {
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
  kind: string;
  all?: boolean;
  outdated?: boolean;
  concurrency: string;
  maxUnavailablePerNamespace?: string;
  pause: string;
  timeout?: string;
  dryRun?: boolean | string;
  yes?: boolean;
  /** --skip-confirmation, as install and uninstall spell -y. */
  skipConfirmation?: boolean;
  output: string;
  allowDowntime?: boolean;
  includeOndelete?: boolean;
  continueOnError?: boolean;
  istioNamespace: string;
  since?: string;
}

export function addRolloutRestartOptions(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <namespace>', 'namespace to restart in (repeatable; default: the context namespace)', collect)
    .option('-A, --all-namespaces', 'restart in every namespace')
    .option('-l, --selector <selector>', 'only workloads with these labels (e.g. app=reviews,tier!=db)')
    .addOption(new Option('--kind <kinds>', 'comma-separated kinds to restart').default('deployment,statefulset,daemonset'))
    .option('--all', 'every workload, not only those with (or due) an Istio sidecar')
    .option('--outdated', "only workloads with a pod whose sidecar does not match its namespace's control plane")
    .addOption(new Option('--concurrency <n>', 'how many workloads roll at once').default('1'))
    .option(
      '--max-unavailable-per-namespace <n>',
      "at most this many pods of a namespace down at once through this run's rollouts (each counts its maxUnavailable); default: no limit",
    )
    .addOption(new Option('--pause <duration>', 'wait this long after a workload finishes before starting the next (e.g. 30s)').default('0s'))
    .option('--timeout <duration>', "per workload limit on the whole rollout (default: the workload's progress deadline, counted while it makes no progress)")
    .option('--dry-run [mode]', 'show the plan and change nothing (client, the default), or also send the patches as server dry-runs (server)')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal); --skip-confirmation works too')
    .addOption(new Option('--skip-confirmation', 'same as -y/--yes').hideHelp())
    .addOption(outputOption())
    .option(
      '--allow-downtime',
      'also restart workloads whose strategy takes every pod down at once (1 replica with maxSurge 0, single-replica StatefulSets, Recreate)',
    )
    .option('--include-ondelete', 'for StatefulSets/DaemonSets with updateStrategy OnDelete, delete their pods one at a time, waiting for each to be ready')
    .option('--continue-on-error', 'go on with the other workloads when a rollout fails or times out')
    .option('--since <time>', 'resume a run that started at this time (RFC 3339, as the interrupted run prints it): skip workloads restarted since')
    .addOption(new Option('-i, --istio-namespace <namespace>', 'namespace of the control plane (injector ConfigMaps)').default('istio-system'));
}

const KIND_NAMES = new Map<string, WorkloadKind>([
  ['deployment', 'Deployment'],
  ['deployments', 'Deployment'],
  ['deploy', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['statefulsets', 'StatefulSet'],
  ['sts', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['daemonsets', 'DaemonSet'],
  ['ds', 'DaemonSet'],
]);

/** Flags → options (pure). `contextNamespace` is the kube context's namespace, used when neither -n nor -A is given. */
export function validateRolloutRestart(flags: RolloutRestartFlags, contextNamespace: () => string): RolloutRestartOptions {
  if (flags.allNamespaces && flags.namespace !== undefined) throw new UsageError('-A/--all-namespaces and -n/--namespace cannot be used together');
  for (const [flag, ns] of [...(flags.namespace ?? []).map((n) => ['-n/--namespace', n] as const), ['-i/--istio-namespace', flags.istioNamespace] as const]) {
    if (!isDns1123Label(ns)) throw new UsageError(`${flag}: "${ns}" is not a valid namespace name`);
  }
  if (flags.all && flags.outdated)
    throw new UsageError('--all and --outdated cannot be used together: --all takes every workload, --outdated only those with an old sidecar');
  const kinds: WorkloadKind[] = [];
  for (const raw of flags.kind
    .split(',')
    .map((k) => k.trim().toLowerCase())
    .filter((k) => k !== '')) {
    const kind = KIND_NAMES.get(raw);
    if (kind === undefined) {
      throw new UsageError(
        `--kind: "${raw}" is not a kind that can be restarted${didYouMean(raw, ['deployment', 'statefulset', 'daemonset'])}; use deployment, statefulset, daemonset`,
      );
    }
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  if (kinds.length === 0) throw new UsageError('--kind: name at least one of deployment, statefulset, daemonset');
  const concurrency = parsePositiveInt('--concurrency', flags.concurrency);
  const maxUnavailablePerNamespace =
    flags.maxUnavailablePerNamespace !== undefined ? parsePositiveInt('--max-unavailable-per-namespace', flags.maxUnavailablePerNamespace) : undefined;
  const pauseMs = parseDuration('--pause', flags.pause);
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    timeoutMs = parsePositiveDuration('--timeout', flags.timeout);
  }
  let dryRun: RolloutRestartOptions['dryRun'] = 'none';
  if (flags.dryRun === true || flags.dryRun === 'client') dryRun = 'client';
  else if (flags.dryRun === 'server') dryRun = 'server';
  else if (typeof flags.dryRun === 'string') throw new UsageError(`--dry-run: "${flags.dryRun}" is not a dry-run mode; use client or server`);
  const options: RolloutRestartOptions = {
    namespaces: flags.allNamespaces ? 'all' : (flags.namespace ?? [contextNamespace()]),
    kinds,
    mode: flags.all ? 'all' : flags.outdated ? 'outdated' : 'injected',
    istioNamespace: flags.istioNamespace,
    allowDowntime: flags.allowDowntime === true,
    includeOnDelete: flags.includeOndelete === true,
    concurrency,
    pauseMs,
    continueOnError: flags.continueOnError === true,
    dryRun,
  };
  if (flags.since !== undefined) options.sinceMs = parseSince(flags.since);
  if (maxUnavailablePerNamespace !== undefined) options.maxUnavailablePerNamespace = maxUnavailablePerNamespace;
  if (flags.selector !== undefined && flags.selector.trim() !== '') {
    const why = labelSelectorSyntaxError(flags.selector.trim());
    if (why !== undefined) throw new UsageError(`-l/--selector "${excerpt(flags.selector)}": not a label selector: ${why}`);
    options.labelSelector = flags.selector.trim();
  }
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
  return options;
}

/** -y, --yes and --skip-confirmation (as install and uninstall spell it) all skip the prompt. */
export function skipsConfirmation(flags: Pick<RolloutRestartFlags, 'yes' | 'skipConfirmation'>): boolean {
  return flags.yes === true || flags.skipConfirmation === true;
}

/** --since: an RFC 3339 time (2026-12-02T06:50:00Z, or with an offset). */
export function parseSince(raw: string): number {
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(t))
    throw new UsageError(`--since: "${excerpt(raw)}" is not an RFC 3339 time; use the time the interrupted run printed, e.g. 2026-12-02T06:50:00Z`);
  return t;
}
