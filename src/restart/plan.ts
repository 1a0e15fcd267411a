/**
 * Compute: the restart plan. Pure. Each selected workload becomes a plan item with an action
 * (restart, delete-pods, skip, manual) and the safety flags a person should see before anything happens.
 */
import type { KubeObject } from '../model/k8s.js';
import { labelSelectorMatches, labelSelectorString } from '../model/label-selector.js';
import { nameOf, namespaceOf, scaled, spec, status, templateMeta } from './k8s.js';
import type { Selection } from './select.js';
import { type Candidate, type ClusterSnapshot, type PlanFlag, type PlanItem, RESTART_ANNOTATION } from './types.js';
import { asRecord, numberOrUndefined } from '../util/narrow.js';
import { overLimitNote, unavailableBudget } from './budget.js';

export interface PlanOptions {
  /** Restart workloads whose strategy takes every pod down at once. */
  allowDowntime: boolean;
  /** Delete the pods of OnDelete StatefulSets/DaemonSets one at a time. */
  includeOnDelete: boolean;
  /**
   * Resume a run that started at this time (epoch ms, --since): workloads restarted at or after it
   * (their restartedAt annotation) are skipped, and so are OnDelete pods created since.
   */
  sinceMs?: number;
  /**
   * --max-unavailable-per-namespace: a workload whose own rollout may take more pods down at once
   * is skipped.
   */
  maxUnavailablePerNamespace?: number;
}

/** When a workload was last restarted (its restartedAt annotation), in epoch ms; undefined when never or unreadable. */
export function restartedAtMs(stamp: string | undefined): number | undefined {
  if (stamp === undefined) return undefined;
  const t = Date.parse(stamp);
  return Number.isFinite(t) ? t : undefined;
}

/** Kubernetes' default progressDeadlineSeconds, also used as the no-progress deadline of other kinds. */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

export function planRestart(
  selection: Selection,
  snap: Pick<ClusterSnapshot, 'podDisruptionBudgets'> & Partial<Pick<ClusterSnapshot, 'horizontalPodAutoscalers'>>,
  opts: PlanOptions,
): PlanItem[] {
  const items = selection.candidates.map((c) => planCandidate(c, snap.podDisruptionBudgets, snap.horizontalPodAutoscalers ?? [], opts));
  for (const m of selection.manual) {
    items.push({
      kind: m.kind,
      namespace: m.namespace,
      name: m.name,
      apiVersion: m.kind === 'Job' ? 'batch/v1' : m.kind === 'Pod' ? 'v1' : '',
      replicas: undefined,
      action: 'manual',
      flags: ['not-rollable'],
      reason: m.reason,
      notes: [m.reason],
      progressDeadlineMs: DEFAULT_PROGRESS_DEADLINE_SECONDS * 1000,
      pods: [],
    });
  }
  return items;
}

interface Safety {
  downtime?: string;
  ondelete?: boolean;
  paused?: boolean;
}

/** The HorizontalPodAutoscaler whose scaleTargetRef is this workload (same namespace, kind and name). */
export function autoscalerOf(w: KubeObject, kind: string, hpas: readonly KubeObject[]): KubeObject | undefined {
  return hpas.find((h) => {
    if (namespaceOf(h) !== namespaceOf(w)) return false;
    const ref = asRecord(asRecord(h['spec'])['scaleTargetRef']);
    const group = typeof ref['apiVersion'] === 'string' ? ref['apiVersion'].split('/')[0] : 'apps';
    return ref['kind'] === kind && ref['name'] === nameOf(w) && group === 'apps';
  });
}

function planCandidate(c: Candidate, pdbs: readonly KubeObject[], hpas: readonly KubeObject[], opts: PlanOptions): PlanItem {
  const w = c.obj;
  const s = spec(w);
  const replicas = c.kind === 'DaemonSet' ? (numberOrUndefined(status(w)['desiredNumberScheduled']) ?? c.pods.length) : (numberOrUndefined(s['replicas']) ?? 1);
  const safety =
    c.kind === 'Deployment' ? deploymentSafety(w, replicas) : c.kind === 'StatefulSet' ? statefulSetSafety(w, replicas) : daemonSetSafety(w, replicas);
  const flags: PlanFlag[] = [];
  const notes: string[] = [];
  let action: PlanItem['action'] = 'restart';
  let pods: string[] = [];

  const optOut = w.metadata.annotations?.[RESTART_ANNOTATION];
  if (optOut === 'skip') {
    flags.push('opted-out');
    notes.push(`annotated ${RESTART_ANNOTATION}=skip: skipped (remove the annotation to include it)`);
    action = 'skip';
  }
  if (safety.paused) {
    flags.push('paused');
    notes.push(`paused: skipped (run kubectl rollout resume deployment/${nameOf(w)} -n ${namespaceOf(w)} first)`);
    action = 'skip';
  }
  const lastRestartedAt = templateMeta(w).annotations['kubectl.kubernetes.io/restartedAt'];
  const restartedMs = restartedAtMs(lastRestartedAt);
  if (opts.sinceMs !== undefined && !safety.ondelete && restartedMs !== undefined && restartedMs >= opts.sinceMs && action === 'restart') {
    notes.push(`already restarted at ${lastRestartedAt ?? ''} (since the resumed run started): skipped`);
    action = 'skip';
  }
  if (safety.ondelete && optOut !== 'skip') {
    flags.push('ondelete');
    if (opts.includeOnDelete) {
      action = 'delete-pods';
      const since = opts.sinceMs;
      const fresh = (name: string): boolean => {
        if (since === undefined) return false;
        const created = Date.parse(c.pods.find((p) => nameOf(p) === name)?.metadata.creationTimestamp ?? '');
        return Number.isFinite(created) && created >= since;
      };
      const chosen = (c.outdatedPods.length > 0 ? c.outdatedPods : c.pods.map(nameOf)).filter((n) => !fresh(n));
      pods = orderPods(c.kind, chosen);
      if (pods.length === 0) {
        notes.push('updateStrategy OnDelete: every pod was replaced since the resumed run started: skipped');
        action = 'skip';
      } else notes.push(`updateStrategy OnDelete: its ${pods.length} pod(s) will be deleted one at a time, waiting for each replacement to be ready`);
    } else {
      action = 'manual';
      notes.push('updateStrategy OnDelete: a restart does not replace its pods; delete them yourself or pass --include-ondelete');
    }
  }
  if (safety.downtime !== undefined && action !== 'skip' && action !== 'manual') {
    flags.push('downtime');
    if (opts.allowDowntime) notes.push(`downtime: ${safety.downtime} (allowed by --allow-downtime)`);
    else {
      notes.push(`downtime: ${safety.downtime}; skipped (pass --allow-downtime to restart it anyway)`);
      action = 'skip';
    }
  }
  const budget = unavailableBudget(c.kind, w, replicas, action);
  const limit = opts.maxUnavailablePerNamespace;
  if (limit !== undefined && budget > limit && (action === 'restart' || action === 'delete-pods')) {
    // First, so the plan's WHY and the report's message give this reason.
    notes.unshift(overLimitNote(budget, limit));
    action = 'skip';
  }
  const hpa = c.kind === 'DaemonSet' ? undefined : autoscalerOf(w, c.kind, hpas);
  if (hpa !== undefined && (action === 'restart' || action === 'delete-pods')) {
    flags.push('hpa');
    notes.push(`HorizontalPodAutoscaler ${nameOf(hpa)} scales it: its rollout starts only while the autoscaler is not scaling`);
  }
  const tplLabels = templateMeta(w).labels;
  for (const pdb of pdbs) {
    if (namespaceOf(pdb) !== namespaceOf(w)) continue;
    const ps = asRecord(pdb['spec']);
    if (ps['selector'] === undefined || !labelSelectorMatches(ps['selector'], tplLabels)) continue;
    if (numberOrUndefined(status(pdb)['disruptionsAllowed']) === 0) {
      flags.push('pdb-blocks');
      notes.push(`PodDisruptionBudget ${nameOf(pdb)} allows no disruption now (a rollout is not gated by it, but there is no headroom)`);
    }
  }
  return {
    kind: c.kind,
    namespace: namespaceOf(w),
    name: nameOf(w),
    apiVersion: w.apiVersion,
    replicas,
    action,
    flags,
    reason: c.reason,
    notes,
    progressDeadlineMs:
      (c.kind === 'Deployment' ? (numberOrUndefined(s['progressDeadlineSeconds']) ?? DEFAULT_PROGRESS_DEADLINE_SECONDS) : DEFAULT_PROGRESS_DEADLINE_SECONDS) *
      1000,
    pods,
    selector: labelSelectorString(s['selector']),
    ...(hpa !== undefined && (action === 'restart' || action === 'delete-pods') ? { hpa: nameOf(hpa) } : {}),
    ...(lastRestartedAt !== undefined ? { lastRestartedAt } : {}),
    unavailableBudget: budget,
  };
}

function deploymentSafety(w: KubeObject, replicas: number): Safety {
  const s = spec(w);
  const out: Safety = {};
  if (s['paused'] === true) out.paused = true;
  if (replicas === 0) return out;
  const strategy = asRecord(s['strategy']);
  if (strategy['type'] === 'Recreate') {
    out.downtime = `strategy Recreate stops all ${replicas} pod(s) before starting new ones`;
    return out;
  }
  const ru = asRecord(strategy['rollingUpdate']);
  const surge = scaled(ru['maxSurge'], replicas, true, '25%');
  let unavailable = scaled(ru['maxUnavailable'], replicas, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  if (unavailable >= replicas) {
    out.downtime =
      replicas === 1
        ? '1 replica with maxSurge 0: its only pod is stopped before the new one is ready'
        : `maxUnavailable ${unavailable} of ${replicas} replicas: every pod may be down at once`;
  }
  return out;
}

function statefulSetSafety(w: KubeObject, replicas: number): Safety {
  const us = asRecord(spec(w)['updateStrategy']);
  const out: Safety = {};
  if (us['type'] === 'OnDelete') out.ondelete = true;
  if (replicas === 0) return out;
  const maxUnavailable = Math.max(1, scaled(asRecord(us['rollingUpdate'])['maxUnavailable'], replicas, true, 1));
  if (replicas === 1) out.downtime = 'single-replica StatefulSet: its only pod is stopped before the new one starts';
  else if (maxUnavailable >= replicas) out.downtime = `maxUnavailable ${maxUnavailable} of ${replicas} replicas: every pod may be down at once`;
  return out;
}

function daemonSetSafety(w: KubeObject, desired: number): Safety {
  const us = asRecord(spec(w)['updateStrategy']);
  const out: Safety = {};
  if (us['type'] === 'OnDelete') out.ondelete = true;
  if (desired === 0) return out;
  const ru = asRecord(us['rollingUpdate']);
  const surge = scaled(ru['maxSurge'], desired, true, 0);
  const unavailable = scaled(ru['maxUnavailable'], desired, true, 1);
  if (surge === 0 && unavailable >= desired) {
    out.downtime =
      desired === 1
        ? 'DaemonSet on 1 node with maxSurge 0: its only pod is stopped before the new one starts'
        : `maxUnavailable ${unavailable} of ${desired} nodes with maxSurge 0: every pod may be down at once`;
  }
  return out;
}

/** StatefulSet pods from the highest ordinal down (as its controller does); others by name. */
function orderPods(kind: string, names: string[]): string[] {
  if (kind !== 'StatefulSet') return [...names].sort();
  const ordinal = (n: string): number => Number(n.match(/-(\d+)$/)?.[1] ?? -1);
  return [...names].sort((a, b) => ordinal(b) - ordinal(a));
}

/** Plan items that will be acted on. */
export function actionable(items: readonly PlanItem[]): PlanItem[] {
  return items.filter((i) => i.action === 'restart' || i.action === 'delete-pods');
}
