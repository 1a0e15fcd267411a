/**
 * When an applied object counts as ready (pure). Workloads follow `kubectl rollout status`
 * (kubectl pkg/polymorphichelpers/rollout_status.go); CRDs must be Established; Namespaces Active.
 * When something is not ready, podProblem() says why, from its pods.
 */
import type { KubeObject } from '../model/k8s.js';
import { labelSelectorString } from '../model/label-selector.js';
import { asArray, asRecord, numberOr, type UnknownRecord } from '../util/narrow.js';

export interface Readiness {
  ready: boolean;
  /** Why not (or a note when ready but unusual). */
  message?: string;
}

/** A list's elements as maps ({} for one that is not), in place. */
const asRecords = (v: unknown): UnknownRecord[] => asArray(v).map(asRecord);

/** Kinds whose readiness mesh waits for; everything else is ready once applied. */
export const WAITED_KINDS = new Set(['CustomResourceDefinition', 'Namespace', 'Deployment', 'DaemonSet', 'StatefulSet']);

export function needsWait(obj: { kind: string }): boolean {
  return WAITED_KINDS.has(obj.kind);
}

export function readinessOf(obj: KubeObject): Readiness {
  const spec = asRecord(obj['spec']);
  const status = asRecord(obj['status']);
  const generation = numberOr(obj.metadata.generation, 0);
  const observed = numberOr(status['observedGeneration'], 0);
  switch (obj.kind) {
    case 'CustomResourceDefinition': {
      const established = asRecords(status['conditions']).find((c) => c['type'] === 'Established');
      return established?.['status'] === 'True' ? { ready: true } : { ready: false, message: 'not established yet' };
    }
    case 'Namespace':
      return status['phase'] === undefined || status['phase'] === 'Active'
        ? { ready: true }
        : { ready: false, message: `namespace is ${String(status['phase'])}` };
    case 'Deployment': {
      if (generation > observed) return { ready: false, message: 'waiting for the deployment spec update to be observed' };
      const progressing = asRecords(status['conditions']).find((c) => c['type'] === 'Progressing');
      if (progressing?.['reason'] === 'ProgressDeadlineExceeded') {
        return { ready: false, message: 'exceeded its progress deadline' };
      }
      const replicas = typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
      const updated = numberOr(status['updatedReplicas'], 0);
      const total = numberOr(status['replicas'], 0);
      const available = numberOr(status['availableReplicas'], 0);
      if (updated < replicas) return { ready: false, message: `${updated} out of ${replicas} new replicas have been updated` };
      if (total > updated) return { ready: false, message: `${total - updated} old replicas are pending termination` };
      if (available < updated) return { ready: false, message: `${available} of ${updated} updated replicas are available` };
      return { ready: true };
    }
    case 'DaemonSet': {
      const strategy = asRecord(spec['updateStrategy'])['type'];
      if (strategy !== undefined && strategy !== 'RollingUpdate') return { ready: true, message: `update strategy ${String(strategy)} is not waited for` };
      if (generation > observed) return { ready: false, message: 'waiting for the daemon set spec update to be observed' };
      const desired = numberOr(status['desiredNumberScheduled'], 0);
      const updated = numberOr(status['updatedNumberScheduled'], 0);
      const available = numberOr(status['numberAvailable'], 0);
      if (updated < desired) return { ready: false, message: `${updated} out of ${desired} new pods have been updated` };
      if (available < desired) return { ready: false, message: `${available} of ${desired} updated pods are available` };
      return { ready: true };
    }
    case 'StatefulSet': {
      const strategy = asRecord(spec['updateStrategy']);
      if (strategy['type'] !== undefined && strategy['type'] !== 'RollingUpdate') return { ready: true };
      if (observed === 0 || generation > observed) return { ready: false, message: 'waiting for the statefulset spec update to be observed' };
      const replicas = typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
      const ready = numberOr(status['readyReplicas'], 0);
      if (ready < replicas) return { ready: false, message: `waiting for ${replicas - ready} pods to be ready` };
      const rolling = strategy['rollingUpdate'];
      if (rolling !== undefined) {
        const partition = numberOr(asRecord(rolling)['partition'], 0);
        const updated = numberOr(status['updatedReplicas'], 0);
        if (updated < replicas - partition)
          return { ready: false, message: `waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated` };
        return { ready: true };
      }
      if (status['updateRevision'] !== status['currentRevision']) return { ready: false, message: 'waiting for the rolling update to complete' };
      return { ready: true };
    }
    default:
      return { ready: true };
  }
}

/** Why a pod is not serving, in one line; undefined when it is running and ready. */
export function podProblem(pod: KubeObject): string | undefined {
  const status = asRecord(pod['status']);
  const conditions = asRecords(status['conditions']);
  const scheduled = conditions.find((c) => c['type'] === 'PodScheduled');
  if (scheduled?.['status'] === 'False') {
    return `pod ${pod.metadata.name ?? ''} cannot be scheduled: ${String(scheduled['message'] ?? scheduled['reason'] ?? 'Unschedulable')}`;
  }
  for (const cs of [...asRecords(status['initContainerStatuses']), ...asRecords(status['containerStatuses'])]) {
    const state = asRecord(cs['state']);
    const waiting = asRecord(state['waiting']);
    const reason = waiting['reason'];
    if (typeof reason === 'string' && reason !== '' && reason !== 'ContainerCreating' && reason !== 'PodInitializing') {
      const msg = typeof waiting['message'] === 'string' && waiting['message'] !== '' ? `: ${waiting['message']}` : '';
      if (reason === 'CrashLoopBackOff') return `container ${String(cs['name'])} is crash looping (CrashLoopBackOff${msg})`;
      return `container ${String(cs['name'])} failed to start: ${reason}${msg}`;
    }
    const terminated = asRecord(state['terminated']);
    if (typeof terminated['exitCode'] === 'number' && terminated['exitCode'] !== 0 && cs['ready'] !== true) {
      return `container ${String(cs['name'])} exited with code ${terminated['exitCode']}${terminated['reason'] ? ` (${String(terminated['reason'])})` : ''}`;
    }
  }
  const ready = conditions.find((c) => c['type'] === 'Ready');
  if (status['phase'] === 'Running' && ready?.['status'] === 'False') {
    const restarts = asRecords(status['containerStatuses'])
      .filter((c) => c['ready'] !== true)
      .map((c) => String(c['name']));
    return `readiness probe failing: ${String(ready['message'] ?? `containers with unready status: [${restarts.join(' ')}]`)}`;
  }
  if (status['phase'] === 'Pending' || status['phase'] === undefined) return `pod ${pod.metadata.name ?? ''} is pending`;
  if (status['phase'] === 'Failed') return `pod ${pod.metadata.name ?? ''} failed${status['reason'] ? `: ${String(status['reason'])}` : ''}`;
  if (ready?.['status'] !== 'True' && status['phase'] === 'Running') return `pod ${pod.metadata.name ?? ''} is not ready`;
  return undefined;
}

/**
 * Why a workload is not ready: the problem of its newest unhealthy pod, else the rollout message.
 */
export function workloadProblem(workload: KubeObject, pods: readonly KubeObject[]): string {
  const r = readinessOf(workload);
  const newestFirst = [...pods]
    .filter((p) => p.metadata.deletionTimestamp === undefined)
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
  for (const p of newestFirst) {
    const problem = podProblem(p);
    if (problem !== undefined) return problem;
  }
  if (pods.length === 0 && r.message !== undefined && workload.kind !== 'CustomResourceDefinition') return `${r.message}; no pods found`;
  return r.message ?? 'not ready';
}

/** A LabelSelector as the API's `labelSelector=` string (src/model's renderer), or undefined when it selects everything. */
export function selectorString(selector: unknown): string | undefined {
  return labelSelectorString(selector) || undefined;
}
