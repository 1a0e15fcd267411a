/**
 * Deleting what an installation owns (uninstall, and install's prune) the way `kubectl delete` does:
 * delete each object in the given order, then wait until every deleted object is really gone, so
 * "complete" means nothing is left terminating. Deletion propagates in the background: the garbage
 * collector removes ReplicaSets and pods after their owner, so stuck pods cannot stall the run.
 */
import { type KubeClient, NotServedError, refOf } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { kubeFailure } from './errors.js';
import { slashName } from './labels.js';
import { formatDuration } from '../util/duration.js';

export interface DeleteDeps {
  kube: KubeClient;
  onDeleted?: (what: string, existed: boolean) => void;
  /** Called while waiting for deleted objects to disappear, with those still there. */
  onWaiting?: (remaining: string[]) => void;
  signal?: AbortSignal;
  /** Injected by tests; default setTimeout and Date.now. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export interface DeleteOptions {
  dryRun?: boolean;
  /** How long to wait for deleted objects (finalizers; CRDs whose instances go first) to be gone. Default 2 minutes. */
  waitTimeoutMs?: number;
}

/** Returns the `Kind/ns/name` of each object that existed and was deleted. Objects already gone are fine. */
export async function deleteAndWait(objects: readonly KubeObject[], deps: DeleteDeps, opts: DeleteOptions = {}): Promise<string[]> {
  const removed: string[] = [];
  const deleted: KubeObject[] = [];
  for (const o of objects) {
    if (deps.signal?.aborted) throw interrupted();
    let existed: boolean;
    try {
      existed = await deps.kube.delete(refOf(o), {
        propagationPolicy: 'Background',
        ...(opts.dryRun ? { dryRun: true } : {}),
        // The object that was listed, not one recreated under its name since.
        ...(o.metadata.uid !== undefined ? { preconditions: { uid: o.metadata.uid } } : {}),
      });
    } catch (err) {
      if (err instanceof NotServedError) continue;
      throw kubeFailure(err, o);
    }
    if (existed) {
      removed.push(slashName(o));
      deleted.push(o);
    }
    deps.onDeleted?.(slashName(o), existed);
  }
  if (!opts.dryRun) await waitGone(deleted, deps, opts.waitTimeoutMs ?? 120_000);
  return removed;
}

function interrupted(): Error {
  return kubeFailure(new Error('interrupted; run the same command again to finish'), 'delete');
}

/** Polls (with a growing interval) until none of `objects` exists any more, or fails naming those left. */
async function waitGone(objects: KubeObject[], deps: DeleteDeps, timeoutMs: number): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = deps.now ?? Date.now;
  const deadline = now() + timeoutMs;
  let remaining = objects;
  for (let interval = 100; ; interval = Math.min(interval * 2, 2000)) {
    const still: KubeObject[] = [];
    for (const o of remaining) {
      try {
        if ((await deps.kube.get(refOf(o))) !== undefined) still.push(o);
      } catch (err) {
        if (!(err instanceof NotServedError)) throw kubeFailure(err, o);
      }
    }
    remaining = still;
    if (remaining.length === 0) return;
    if (deps.signal?.aborted) throw interrupted();
    if (now() >= deadline) {
      const names = remaining.map(slashName);
      throw kubeFailure(
        new Error(
          `still terminating after ${formatDuration(timeoutMs, { largest: 's' })}: ${names.join(', ')} (see their finalizers; run the same command again to check)`,
        ),
        'delete',
      );
    }
    deps.onWaiting?.(remaining.map(slashName));
    await sleep(interval, deps.signal);
  }
}
