/** Compute: why a rollout is stuck, from its pods. Pure. */
import type { KubeObject } from '../model/k8s.js';
import { arr, isPodReady, nameOf, obj, status, str } from './k8s.js';

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
  const containers = [...arr(st['initContainerStatuses']), ...arr(st['containerStatuses'])].map(obj);
  for (const c of containers) {
    const waiting = obj(obj(c['state'])['waiting']);
    const reason = str(waiting['reason']);
    if (reason !== undefined && WAITING_PROBLEMS.has(reason)) {
      const msg = str(waiting['message']);
      return `container ${str(c['name']) ?? '?'} ${reason}${msg ? ` (${oneLine(msg)})` : ''}`;
    }
  }
  const conditions = arr(st['conditions']).map(obj);
  const scheduled = conditions.find((c) => c['type'] === 'PodScheduled');
  if (scheduled && scheduled['status'] === 'False') {
    const msg = str(scheduled['message']);
    return `${str(scheduled['reason']) ?? 'Unschedulable'}${msg ? ` (${oneLine(msg)})` : ''}`;
  }
  for (const c of containers) {
    const terminated = obj(obj(c['lastState'])['terminated']);
    if (str(terminated['reason']) !== undefined && (typeof c['restartCount'] === 'number' ? c['restartCount'] : 0) > 0) {
      return `container ${str(c['name']) ?? '?'} restarted ${String(c['restartCount'])} times, last ${str(terminated['reason'])!}`;
    }
  }
  const notReady = containers.filter((c) => c['ready'] === false && obj(c['state'])['running'] !== undefined).map((c) => str(c['name']) ?? '?');
  if (notReady.length > 0) return `container ${notReady.join(', ')} running but not ready (readiness probe failing)`;
  for (const c of containers) {
    const reason = str(obj(obj(c['state'])['waiting'])['reason']);
    if (reason !== undefined) return `container ${str(c['name']) ?? '?'} waiting: ${reason}`;
  }
  const phase = str(st['phase']) ?? 'Unknown';
  return phase === 'Pending' ? 'Pending' : `${phase}, not ready`;
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? flat.slice(0, 157) + '...' : flat;
}
