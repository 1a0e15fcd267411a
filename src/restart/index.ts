/**
 * `mesh rollout-restart`: select → compute (plan) → act. The CLI action builds the options and deps,
 * installs the SIGINT handler and prints; everything here takes its I/O through deps.
 */
import type { KubeClient } from '../kube/client.js';
import { collectSnapshot } from './collect.js';
import { actionable, planRestart } from './plan.js';
import { type RolloutReport, planOutcomes, toReport } from './report.js';
import { type ExecuteEvents, type Timers, executePlan } from './run.js';
import { selectWorkloads } from './select.js';
import type { PlanItem, SelectionMode, WorkloadKind } from './types.js';

export interface RolloutRestartOptions {
  namespaces: readonly string[] | 'all';
  labelSelector?: string;
  kinds: readonly WorkloadKind[];
  mode: SelectionMode;
  istioNamespace: string;
  allowDowntime: boolean;
  includeOnDelete: boolean;
  concurrency: number;
  pauseMs: number;
  timeoutMs?: number;
  continueOnError: boolean;
  dryRun: 'none' | 'client' | 'server';
  /** --since: resume a run that started then (epoch ms); what it restarted is skipped. */
  sinceMs?: number;
  /**
   * --max-unavailable-per-namespace: at most this many pods of a namespace down at once through this
   * run's rollouts (their unavailable budgets); undefined: no such limit.
   */
  maxUnavailablePerNamespace?: number;
}

export interface RolloutRestartDeps {
  kube: KubeClient;
  now: () => Date;
  timers?: Timers;
  /** Shown the plan before anything changes; false aborts with nothing done. Not called for dry runs or empty plans. */
  confirm?: (plan: readonly PlanItem[], warnings: readonly string[]) => Promise<boolean>;
  /** Called with the plan once it is computed (the CLI prints it). */
  planned?: (plan: readonly PlanItem[], warnings: readonly string[]) => void;
  events?: ExecuteEvents;
}

export interface RolloutRestartResult {
  plan: PlanItem[];
  report: RolloutReport;
  /** The user declined the prompt. */
  declined: boolean;
  interrupted: boolean;
}

export async function computePlan(kube: KubeClient, options: RolloutRestartOptions): Promise<{ plan: PlanItem[]; warnings: string[] }> {
  const { snapshot, warnings } = await collectSnapshot(kube, {
    namespaces: options.namespaces,
    ...(options.labelSelector !== undefined ? { labelSelector: options.labelSelector } : {}),
    kinds: options.kinds,
    mode: options.mode,
    istioNamespace: options.istioNamespace,
  });
  const selection = selectWorkloads(snapshot, { mode: options.mode, kinds: options.kinds, istioNamespace: options.istioNamespace });
  const plan = planRestart(selection, snapshot, {
    allowDowntime: options.allowDowntime,
    includeOnDelete: options.includeOnDelete,
    ...(options.sinceMs !== undefined ? { sinceMs: options.sinceMs } : {}),
    ...(options.maxUnavailablePerNamespace !== undefined ? { maxUnavailablePerNamespace: options.maxUnavailablePerNamespace } : {}),
  });
  return { plan, warnings: [...warnings, ...selection.warnings] };
}

export async function run(options: RolloutRestartOptions, deps: RolloutRestartDeps, signal?: AbortSignal): Promise<RolloutRestartResult> {
  const { plan, warnings } = await computePlan(deps.kube, options);
  deps.planned?.(plan, warnings);
  if (options.dryRun === 'client' || actionable(plan).length === 0) {
    return { plan, report: toReport(planOutcomes(plan), options.dryRun, warnings), declined: false, interrupted: false };
  }
  if (options.dryRun === 'none' && deps.confirm && !(await deps.confirm(plan, warnings))) {
    return { plan, report: toReport(planOutcomes(plan), options.dryRun, warnings), declined: true, interrupted: false };
  }
  const outcomes = await executePlan(
    plan,
    {
      concurrency: options.concurrency,
      pauseMs: options.pauseMs,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      continueOnError: options.continueOnError,
      dryRun: options.dryRun === 'server' ? 'server' : 'none',
      ...(options.maxUnavailablePerNamespace !== undefined ? { maxUnavailablePerNamespace: options.maxUnavailablePerNamespace } : {}),
    },
    { kube: deps.kube, now: deps.now, ...(deps.timers ? { timers: deps.timers } : {}) },
    deps.events ?? {},
    signal,
  );
  const report = toReport(outcomes, options.dryRun, warnings);
  const interrupted = signal?.aborted === true;
  if (options.mode === 'outdated' && options.dryRun === 'none' && !interrupted) {
    // What is still outdated now: the selection again, on a fresh read (skipped, manual, failed, or
    // pods that came back with an old sidecar).
    try {
      const after = await computePlan(deps.kube, options);
      report.stillOutdated = after.plan.map((i) => ({ namespace: i.namespace, kind: i.kind, name: i.name, reason: i.reason }));
    } catch (err) {
      report.warnings.push(`could not check what is still outdated: ${(err as Error).message}`);
    }
  }
  return { plan, report, declined: false, interrupted };
}

export type { PlanItem, Outcome, WorkloadKind, SelectionMode } from './types.js';
export type { RolloutReport, ReportRow, OutdatedRow } from './report.js';
