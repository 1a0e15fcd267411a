/** Compute: why a rollout is stuck, from its pods. Pure. */
import type { KubeObject } from '../model/k8s.js';
import { isPodReady, nameOf, status } from './k8s.js';
import { asArray, asRecord, stringOrUndefined } from '../util/narrow.js';

const WAITING_PROBLEMS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/**
 * One line per pod that is not ready, newest first, naming the most telling reason:
 * a container waiting in ImagePullBackOff/CrashLoopBackOff/…, a pod that cannot be scheduled,
 * or a container that runs but is not ready (readiness probe).
 */
export function explainPods(pods: readonly KubeObject[], limit = 5): string[] {
  const notReady = pods
    .filter((p) => p.metadata.deletionTimestamp === undefined && !isPodReady(p))
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || nameOf(a).localeCompare(nameOf(b)));
  const lines = notReady.map((p) => `pod ${nameOf(p)}: ${podProblem(p)}`);
  if (lines.length > limit) return [...lines.slice(0, limit), `… and ${lines.length - limit} more pods not ready`];
  return lines;
}

export function podProblem(pod: KubeObject): string {
  const st = status(pod);
  const containers = [...asArray(st['initContainerStatuses']), ...asArray(st['containerStatuses'])].map(asRecord);
  for (const c of containers) {
    const waiting = asRecord(asRecord(c['state'])['waiting']);
    const reason = stringOrUndefined(waiting['reason']);
    if (reason !== undefined && WAITING_PROBLEMS.has(reason)) {
      const msg = stringOrUndefined(waiting['message']);
      return `container ${stringOrUndefined(c['name']) ?? '?'} ${reason}${msg ? ` (${oneLine(msg)})` : ''}`;
    }
  }
  const conditions = asArray(st['conditions']).map(asRecord);
  const scheduled = conditions.find((c) => c['type'] === 'PodScheduled');
  if (scheduled && scheduled['status'] === 'False') {
    const msg = stringOrUndefined(scheduled['message']);
    return `${stringOrUndefined(scheduled['reason']) ?? 'Unschedulable'}${msg ? ` (${oneLine(msg)})` : ''}`;
  }
  for (const c of containers) {
    const terminated = asRecord(asRecord(c['lastState'])['terminated']);
    if (stringOrUndefined(terminated['reason']) !== undefined && (typeof c['restartCount'] === 'number' ? c['restartCount'] : 0) > 0) {
      return `container ${stringOrUndefined(c['name']) ?? '?'} restarted ${String(c['restartCount'])} times, last ${stringOrUndefined(terminated['reason'])!}`;
    }
  }
  const notReady = containers
    .filter((c) => c['ready'] === false && asRecord(c['state'])['running'] !== undefined)
    .map((c) => stringOrUndefined(c['name']) ?? '?');
  if (notReady.length > 0) return `container ${notReady.join(', ')} running but not ready (readiness probe failing)`;
  for (const c of containers) {
    const reason = stringOrUndefined(asRecord(asRecord(c['state'])['waiting'])['reason']);
    if (reason !== undefined) return `container ${stringOrUndefined(c['name']) ?? '?'} waiting: ${reason}`;
  }
  const phase = stringOrUndefined(st['phase']) ?? 'Unknown';
  return phase === 'Pending' ? 'Pending' : `${phase}, not ready`;
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? flat.slice(0, 157) + '...' : flat;
}
