/**
 * Compute: the restart patch per kind and kubectl's rollout-status rules per kind
 * (kubectl pkg/polymorphichelpers/rollout_status.go), as pure functions over a workload object.
 */
import type { KubeObject } from '../model/k8s.js';
import { spec, status } from './k8s.js';
import { asArray, asRecord, numberOrUndefined } from '../util/narrow.js';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
export const FIELD_MANAGER = 'mesh';

/** RFC 3339 at second precision in UTC, like kubectl's restartedAt (e.g. 2026-11-22T05:40:00Z). */
export function restartTimestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The pod-template annotation patch that restarts a workload (a merge patch; no lists involved, so it is
 * the same as kubectl's strategic merge patch). When the workload already carries the same timestamp
 * (a second restart within one second) it uses millisecond precision so the template really changes.
 */
export function restartPatch(current: string | undefined, now: Date): { spec: { template: { metadata: { annotations: Record<string, string> } } } } {
  let stamp = restartTimestamp(now);
  if (current === stamp) stamp = now.toISOString();
  return { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: stamp } } } } };
}

export interface RolloutStatus {
  /** The rollout finished successfully. */
  done: boolean;
  /** The rollout failed and will not finish by itself (e.g. ProgressDeadlineExceeded). */
  failed?: string;
  /** kubectl's wording of where the rollout is. */
  message: string;
  /** Pods on the new template, and how many are wanted (for "2/3 updated"). */
  updated: number;
  desired: number;
}

/** kubectl rollout status for any of the three kinds. */
export function rolloutStatus(w: KubeObject): RolloutStatus {
  switch (w.kind) {
    case 'Deployment':
      return deploymentStatus(w);
    case 'StatefulSet':
      return statefulSetStatus(w);
    case 'DaemonSet':
      return daemonSetStatus(w);
    default:
      return { done: false, failed: `rollout status is not supported for ${w.kind}`, message: 'unsupported', updated: 0, desired: 0 };
  }
}

function observed(w: KubeObject): boolean {
  const gen = w.metadata.generation ?? 0;
  const og = numberOrUndefined(status(w)['observedGeneration']) ?? 0;
  return gen <= og;
}

export function deploymentStatus(w: KubeObject): RolloutStatus {
  const s = spec(w);
  const st = status(w);
  const desired = numberOrUndefined(s['replicas']) ?? 1;
  const updated = numberOrUndefined(st['updatedReplicas']) ?? 0;
  const base = { updated, desired };
  if (!observed(w)) return { ...base, done: false, message: 'waiting for deployment spec update to be observed' };
  const progressing = asArray(st['conditions'])
    .map(asRecord)
    .find((c) => c['type'] === 'Progressing');
  if (progressing?.['reason'] === 'ProgressDeadlineExceeded') {
    return { ...base, done: false, failed: 'exceeded its progress deadline', message: 'exceeded its progress deadline' };
  }
  if (s['replicas'] !== undefined && updated < desired) {
    return { ...base, done: false, message: `${updated} out of ${desired} new replicas have been updated` };
  }
  const replicas = numberOrUndefined(st['replicas']) ?? 0;
  if (replicas > updated) return { ...base, done: false, message: `${replicas - updated} old replicas are pending termination` };
  const available = numberOrUndefined(st['availableReplicas']) ?? 0;
  if (available < updated) return { ...base, done: false, message: `${available} of ${updated} updated replicas are available` };
  return { ...base, done: true, message: 'successfully rolled out' };
}

export function statefulSetStatus(w: KubeObject): RolloutStatus {
  const s = spec(w);
  const st = status(w);
  const us = asRecord(s['updateStrategy']);
  const desired = numberOrUndefined(s['replicas']) ?? 1;
  const updated = numberOrUndefined(st['updatedReplicas']) ?? 0;
  const base = { updated, desired };
  if (us['type'] !== undefined && us['type'] !== 'RollingUpdate') {
    return { ...base, done: false, failed: 'rollout status is only available for the RollingUpdate strategy', message: 'not a rolling update' };
  }
  const og = numberOrUndefined(st['observedGeneration']) ?? 0;
  if (og === 0 || (w.metadata.generation ?? 0) > og) return { ...base, done: false, message: 'waiting for statefulset spec update to be observed' };
  const ready = numberOrUndefined(st['readyReplicas']) ?? 0;
  if (s['replicas'] !== undefined && ready < desired) {
    return { ...base, done: false, message: `waiting for ${desired - ready} pods to be ready` };
  }
  const ru = us['rollingUpdate'];
  if (ru !== undefined && ru !== null) {
    const partition = numberOrUndefined(asRecord(ru)['partition']);
    if (s['replicas'] !== undefined && partition !== undefined && updated < desired - partition) {
      return {
        ...base,
        done: false,
        message: `waiting for partitioned roll out to finish: ${updated} out of ${desired - partition} new pods have been updated`,
      };
    }
    return { ...base, done: true, message: `partitioned roll out complete: ${updated} new pods have been updated` };
  }
  const updateRevision = st['updateRevision'];
  if (updateRevision !== st['currentRevision']) {
    return { ...base, done: false, message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${String(updateRevision)}` };
  }
  return { ...base, done: true, message: 'rolling update complete' };
}

export function daemonSetStatus(w: KubeObject): RolloutStatus {
  const st = status(w);
  const us = asRecord(spec(w)['updateStrategy']);
  const desired = numberOrUndefined(st['desiredNumberScheduled']) ?? 0;
  const updated = numberOrUndefined(st['updatedNumberScheduled']) ?? 0;
  const base = { updated, desired };
  if (us['type'] !== undefined && us['type'] !== 'RollingUpdate') {
    return { ...base, done: false, failed: 'rollout status is only available for the RollingUpdate strategy', message: 'not a rolling update' };
  }
  if (!observed(w)) return { ...base, done: false, message: 'waiting for daemon set spec update to be observed' };
  if (updated < desired) return { ...base, done: false, message: `${updated} out of ${desired} new pods have been updated` };
  const available = numberOrUndefined(st['numberAvailable']) ?? 0;
  if (available < desired) return { ...base, done: false, message: `${available} of ${updated} updated pods are available` };
  return { ...base, done: true, message: 'successfully rolled out' };
}
