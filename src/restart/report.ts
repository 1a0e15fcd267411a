/** The plan and the final report as stable plain data, and their table columns. Pure. */
import type { Column } from '../output/format.js';
import { formatDuration } from '../util/duration.js';
import { ELAPSED } from './run.js';
import type { Outcome, PlanItem, Result } from './types.js';

export interface ReportRow {
  namespace: string;
  kind: string;
  name: string;
  replicas: number | null;
  action: PlanItem['action'];
  result: Result;
  durationSeconds: number;
  message: string;
  reason: string;
  flags: string[];
  notes: string[];
  problems: string[];
}

/** A workload (or bare pod, Job) whose sidecar is still outdated after an --outdated run. */
export interface OutdatedRow {
  namespace: string;
  kind: string;
  name: string;
  reason: string;
}

export interface RolloutReport {
  dryRun: 'none' | 'client' | 'server';
  summary: Record<Result, number>;
  workloads: ReportRow[];
  /** With --outdated, after a run that made changes: what still needs a new sidecar (selection run again). */
  stillOutdated?: OutdatedRow[];
  warnings: string[];
}

const RESULTS: Result[] = ['restarted', 'failed', 'timeout', 'interrupted', 'not-started', 'skipped', 'manual', 'planned'];

export function toReport(outcomes: readonly Outcome[], dryRun: RolloutReport['dryRun'], warnings: readonly string[]): RolloutReport {
  const summary = Object.fromEntries(RESULTS.map((r) => [r, 0])) as Record<Result, number>;
  for (const o of outcomes) summary[o.result]++;
  return {
    dryRun,
    summary,
    workloads: outcomes.map((o) => ({
      namespace: o.item.namespace,
      kind: o.item.kind,
      name: o.item.name,
      replicas: o.item.replicas ?? null,
      action: o.item.action,
      result: o.result,
      durationSeconds: Math.round(o.durationMs / 100) / 10,
      message: o.message,
      reason: o.item.reason,
      flags: o.item.flags,
      notes: o.item.notes,
      problems: o.problems,
    })),
    warnings: [...warnings],
  };
}

/** Outcomes for a plan that is only shown (client dry-run): every actionable item is "planned". */
export function planOutcomes(items: readonly PlanItem[]): Outcome[] {
  return items.map((item) => ({
    item,
    result: item.action === 'skip' ? 'skipped' : item.action === 'manual' ? 'manual' : 'planned',
    durationMs: 0,
    message:
      item.action === 'restart'
        ? `would restart (${item.reason})`
        : item.action === 'delete-pods'
          ? `would delete ${item.pods.length} pod(s) one at a time`
          : (item.notes[0] ?? ''),
    problems: [],
  }));
}

export const PLAN_COLUMNS: Column<PlanItem>[] = [
  { header: 'NAMESPACE', value: (i) => i.namespace },
  { header: 'WORKLOAD', value: (i) => `${i.kind.toLowerCase()}/${i.name}` },
  { header: 'REPLICAS', value: (i) => (i.replicas === undefined ? '-' : String(i.replicas)) },
  { header: 'ACTION', value: (i) => i.action },
  { header: 'FLAGS', value: (i) => i.flags.join(',') || '-' },
  { header: 'WHY', value: (i) => (i.action === 'restart' ? i.reason : (i.notes[0] ?? i.reason)) },
];

export const REPORT_COLUMNS: Column<ReportRow>[] = [
  { header: 'NAMESPACE', value: (r) => r.namespace },
  { header: 'WORKLOAD', value: (r) => `${r.kind.toLowerCase()}/${r.name}` },
  { header: 'KIND', value: (r) => r.kind },
  { header: 'REPLICAS', value: (r) => (r.replicas === null ? '-' : String(r.replicas)) },
  { header: 'TIME', value: (r) => (r.durationSeconds === 0 && r.result !== 'restarted' ? '-' : formatDuration(r.durationSeconds * 1000, ELAPSED)) },
  { header: 'RESULT', value: (r) => r.result },
  { header: 'MESSAGE', value: (r) => r.message },
];
