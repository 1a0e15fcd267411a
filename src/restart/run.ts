/**
 * Act: the throttled restart loop. At most `concurrency` workloads roll at once (and, with
 * maxUnavailablePerNamespace, only as many of a namespace as their unavailable budgets allow); each is one patch
 * request and one watch (fieldSelector metadata.name=NAME) evaluated with kubectl's rollout-status rules.
 * A failure or timeout stops new restarts (unless continueOnError); an aborted signal (Ctrl-C) stops new
 * restarts at once and reports the workloads in flight. A patch is one request, so nothing is half-patched.
 */
import type { KubeClient } from '../kube/client.js';
import { describeRef } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { explainPods } from './explain.js';
import { controllerOf, isPodReady } from './k8s.js';
import { FIELD_MANAGER, type RolloutStatus, restartPatch, rolloutStatus } from './status.js';
import type { Outcome, PlanItem } from './types.js';
import { forEachLimit, type PoolOptions } from '../util/pool.js';
import { namespaceGate, overLimitNote } from './budget.js';
import { type DurationFormat, formatDuration } from '../util/duration.js';
import { asRecord, numberOrUndefined } from '../util/narrow.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ExecuteDeps {
  kube: KubeClient;
  /** The clock, injected: restartedAt stamps and durations. */
  now: () => Date;
  timers?: Timers;
}

export interface ExecuteOptions {
  concurrency: number;
  /** Wait this long after a workload finishes before a slot starts the next one. */
  pauseMs: number;
  /** Per-workload limit on the whole rollout; when undefined each workload's progress deadline applies to time without progress. */
  timeoutMs?: number;
  continueOnError: boolean;
  /** 'server': send each patch with dryRun=All and do not wait. */
  dryRun: 'none' | 'server';
  /**
   * --max-unavailable-per-namespace: a workload starts only while its unavailable budget and those
   * of the rollouts in flight in its namespace add up to at most this; undefined: no such limit.
   */
  maxUnavailablePerNamespace?: number;
}

export interface ExecuteEvents {
  started?(item: PlanItem, index: number, total: number): void;
  /** Where a rollout is, e.g. "2/3 updated". */
  progress?(item: PlanItem, text: string): void;
  finished?(outcome: Outcome, index: number, total: number): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export async function executePlan(
  items: readonly PlanItem[],
  opts: ExecuteOptions,
  deps: ExecuteDeps,
  events: ExecuteEvents = {},
  signal?: AbortSignal,
): Promise<Outcome[]> {
  const timers = deps.timers ?? realTimers;
  const queue = items.filter((i) => i.action === 'restart' || i.action === 'delete-pods');
  const results = new Map<PlanItem, Outcome>();
  const total = queue.length;
  let stopped = false;
  const halted = (): boolean => stopped || signal?.aborted === true;

  const pool: PoolOptions = { limit: opts.concurrency, stop: halted };
  if (opts.pauseMs > 0) pool.between = () => sleep(opts.pauseMs, timers, signal);
  const budgets = opts.maxUnavailablePerNamespace !== undefined ? new NamespaceBudgets(opts.maxUnavailablePerNamespace) : undefined;
  await forEachLimit(queue, pool, async (item, index) => {
    const budget = item.unavailableBudget ?? 1;
    if (budgets) {
      const admitted = await budgets.acquire(item.namespace, budget, signal);
      if (admitted === 'over-limit') {
        // Planned with the limit, such a workload is already a skip; this covers a plan made without it.
        results.set(item, { item, result: 'skipped', durationMs: 0, message: overLimitNote(budget, budgets.limit), problems: [] });
        return;
      }
      if (admitted === 'interrupted') return;
      if (halted()) {
        // An earlier rollout failed while this one waited: it is not started.
        budgets.release(item.namespace, budget);
        return;
      }
    }
    try {
      events.started?.(item, index + 1, total);
      const outcome = await runOne(item, opts, deps, timers, events, signal);
      results.set(item, outcome);
      events.finished?.(outcome, index + 1, total);
      if ((outcome.result === 'failed' || outcome.result === 'timeout') && !opts.continueOnError) stopped = true;
    } finally {
      // After `stopped` is set: a workload waiting for this budget then sees the run halted.
      budgets?.release(item.namespace, budget);
    }
  });

  return items.map((item): Outcome => {
    const done = results.get(item);
    if (done) return done;
    const base = { item, durationMs: 0, problems: [] as string[] };
    if (item.action === 'skip') return { ...base, result: 'skipped', message: item.notes[0] ?? 'skipped' };
    if (item.action === 'manual') return { ...base, result: 'manual', message: item.notes[0] ?? 'needs manual action' };
    return {
      ...base,
      result: 'not-started',
      message: signal?.aborted ? 'not started: interrupted' : 'not started: an earlier rollout failed',
    };
  });
}

/**
 * The unavailable budgets in flight per namespace (--max-unavailable-per-namespace). A workload
 * waits, first come first served within its namespace, until its budget fits beside those of the
 * rollouts in flight there. The wait is bounded by theirs (each ends by its own timeout or progress
 * deadline, or is interrupted) and ends at once on the signal (Ctrl-C). Nothing waits in a namespace
 * with nothing in flight, so waiting slots cannot hold each other up.
 */
class NamespaceBudgets {
  private readonly inFlight = new Map<string, number>();
  private readonly waiting: { namespace: string; budget: number; admit: () => void }[] = [];

  constructor(readonly limit: number) {}

  acquire(namespace: string, budget: number, signal: AbortSignal | undefined): Promise<'started' | 'over-limit' | 'interrupted'> {
    const gate = namespaceGate(this.inFlight.get(namespace) ?? 0, budget, this.limit);
    if (gate === 'over-limit') return Promise.resolve('over-limit');
    if (signal?.aborted) return Promise.resolve('interrupted');
    if (gate === 'start' && !this.waiting.some((w) => w.namespace === namespace)) {
      this.take(namespace, budget);
      return Promise.resolve('started');
    }
    return new Promise((resolve) => {
      const waiter = {
        namespace,
        budget,
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve('started');
        },
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve('interrupted');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  release(namespace: string, budget: number): void {
    this.inFlight.set(namespace, (this.inFlight.get(namespace) ?? 0) - budget);
    // Admit the waiters of this namespace in order while they fit; the first that does not holds the rest.
    for (const w of this.waiting.filter((x) => x.namespace === namespace)) {
      if (namespaceGate(this.inFlight.get(namespace) ?? 0, w.budget, this.limit) !== 'start') break;
      this.waiting.splice(this.waiting.indexOf(w), 1);
      this.take(namespace, w.budget);
      w.admit();
    }
  }

  private take(namespace: string, budget: number): void {
    this.inFlight.set(namespace, (this.inFlight.get(namespace) ?? 0) + budget);
  }
}

async function runOne(
  item: PlanItem,
  opts: ExecuteOptions,
  deps: ExecuteDeps,
  timers: Timers,
  events: ExecuteEvents,
  signal: AbortSignal | undefined,
): Promise<Outcome> {
  const started = deps.now().getTime();
  const finish = (result: Outcome['result'], message: string, problems: string[] = []): Outcome => ({
    item,
    result,
    durationMs: deps.now().getTime() - started,
    message,
    problems,
  });
  const ref = { apiVersion: item.apiVersion, kind: item.kind, name: item.name, namespace: item.namespace };
  try {
    if (item.hpa !== undefined && opts.dryRun !== 'server') {
      const gate = await autoscalerSteady(item, item.hpa, opts, deps, timers, signal);
      if (gate.outcome === 'interrupted') return finish('interrupted', `interrupted while HorizontalPodAutoscaler ${item.hpa} was scaling; not started`);
      if (gate.outcome === 'timeout')
        return finish('timeout', `HorizontalPodAutoscaler ${item.hpa} kept scaling (${gate.detail}): the rollout was not started`);
    }
    if (item.action === 'delete-pods') {
      if (opts.dryRun === 'server') {
        for (const p of item.pods) await deps.kube.delete({ apiVersion: 'v1', kind: 'Pod', name: p, namespace: item.namespace }, { dryRun: true });
        return finish('planned', `server dry-run: ${item.pods.length} pod deletion(s) accepted`);
      }
      return await deletePods(item, opts, deps, timers, events, signal, finish);
    }
    const patch = restartPatch(item.lastRestartedAt, deps.now());
    const patched = await deps.kube.patch(ref, patch, 'strategic', {
      fieldManager: FIELD_MANAGER,
      ...(opts.dryRun === 'server' ? { dryRun: true } : {}),
    });
    if (opts.dryRun === 'server') return finish('planned', 'server dry-run: restart patch accepted');
    return await waitRollout(item, patched, opts, deps, timers, events, signal, finish);
  } catch (err) {
    return finish('failed', `${describeRef(ref)}: ${(err as Error).message}`);
  }
}

type Finish = (result: Outcome['result'], message: string, problems?: string[]) => Outcome;

/** A deadline that can be pushed back whenever the rollout makes progress. */
function deadline(ms: number, timers: Timers, onExpire: () => void): { reset(): void; clear(): void } {
  let handle = timers.setTimeout(onExpire, ms);
  return {
    reset() {
      timers.clearTimeout(handle);
      handle = timers.setTimeout(onExpire, ms);
    },
    clear() {
      timers.clearTimeout(handle);
    },
  };
}

/** A fixed limit on one wait: its signal aborts on the caller's signal or when the limit passes. */
function bounded(ms: number, timers: Timers, signal: AbortSignal | undefined): { signal: AbortSignal; timedOut(): boolean; done(): void } {
  const { controller, unlink } = linked(signal);
  let expired = false;
  const timer = deadline(ms, timers, () => {
    expired = true;
    controller.abort();
  });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    done() {
      timer.clear();
      unlink();
    },
  };
}

function linked(signal: AbortSignal | undefined): { controller: AbortController; unlink: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) controller.abort();
  return { controller, unlink: () => signal?.removeEventListener('abort', onAbort) };
}

async function waitRollout(
  item: PlanItem,
  patched: KubeObject,
  opts: ExecuteOptions,
  deps: ExecuteDeps,
  timers: Timers,
  events: ExecuteEvents,
  signal: AbortSignal | undefined,
  finish: Finish,
): Promise<Outcome> {
  const { controller, unlink } = linked(signal);
  const limit = opts.timeoutMs ?? item.progressDeadlineMs;
  let timedOut = false;
  const timer = deadline(limit, timers, () => {
    timedOut = true;
    controller.abort();
  });
  let verdict: { ok: boolean; message: string } | undefined;
  let last: RolloutStatus | undefined;
  let lastProgress = '';
  const evaluate = (o: KubeObject): boolean => {
    const st = rolloutStatus(o);
    last = st;
    const s = asRecord(o['status']);
    const progressKey = JSON.stringify([
      o.metadata.generation,
      s['observedGeneration'],
      s['updatedReplicas'],
      s['readyReplicas'],
      s['availableReplicas'],
      s['replicas'],
      s['updatedNumberScheduled'],
      s['numberAvailable'],
    ]);
    if (progressKey !== lastProgress) {
      lastProgress = progressKey;
      if (opts.timeoutMs === undefined) timer.reset();
      events.progress?.(item, `${st.updated}/${st.desired} updated`);
    }
    if (st.failed !== undefined) verdict = { ok: false, message: st.failed };
    else if (st.done) verdict = { ok: true, message: `${st.updated}/${st.desired} updated` };
    return verdict !== undefined;
  };
  try {
    if (!evaluate(patched)) {
      await deps.kube.watch(
        item.apiVersion,
        item.kind,
        {
          namespace: item.namespace,
          fieldSelector: `metadata.name=${item.name}`,
          ...(patched.metadata.resourceVersion !== undefined ? { resourceVersion: patched.metadata.resourceVersion } : {}),
        },
        (type, o) => {
          if (type === 'DELETED') {
            verdict = { ok: false, message: 'the workload was deleted during its rollout' };
            return true;
          }
          return evaluate(o);
        },
        controller.signal,
      );
    }
  } finally {
    timer.clear();
    unlink();
  }
  if (verdict?.ok) return finish('restarted', verdict.message);
  if (verdict) return finish('failed', verdict.message, await problems(item, deps));
  const where = last ? `: ${last.message}` : '';
  if (timedOut) {
    const what =
      opts.timeoutMs !== undefined
        ? `timed out after ${formatDuration(limit, ELAPSED)}`
        : `no progress for ${formatDuration(limit, ELAPSED)} (its progress deadline)`;
    return finish('timeout', `${what}${where}`, await problems(item, deps));
  }
  return finish('interrupted', `interrupted; its rollout goes on in the cluster${where}`);
}

function listPods(item: PlanItem, deps: ExecuteDeps): Promise<KubeObject[]> {
  return deps.kube.list('v1', 'Pod', {
    namespace: item.namespace,
    ...(item.selector !== undefined && item.selector !== '' ? { labelSelector: item.selector } : {}),
  });
}

async function problems(item: PlanItem, deps: ExecuteDeps): Promise<string[]> {
  try {
    return explainPods(await listPods(item, deps));
  } catch (err) {
    return [`could not read its pods: ${(err as Error).message}`];
  }
}

/** OnDelete workloads (--include-ondelete): delete one pod, wait for its replacement to be Ready, go on. */
async function deletePods(
  item: PlanItem,
  opts: ExecuteOptions,
  deps: ExecuteDeps,
  timers: Timers,
  events: ExecuteEvents,
  signal: AbortSignal | undefined,
  finish: Finish,
): Promise<Outcome> {
  let replaced = 0;
  const total = item.pods.length;
  for (const name of item.pods) {
    if (signal?.aborted) return finish('interrupted', `interrupted after ${replaced}/${total} pods replaced`);
    const ref = { apiVersion: 'v1', kind: 'Pod', name, namespace: item.namespace };
    const old = await deps.kube.get(ref);
    if (!old) {
      replaced++;
      continue;
    }
    const oldUid = old.metadata.uid;
    const oldNode = asRecord(old['spec'])['nodeName'];
    const owner = controllerOf(old);
    const statefulSet = item.kind === 'StatefulSet';
    // Never a second pod down: every other pod of the workload is Ready before this one goes, whether
    // an earlier replacement fell back, another actor took one down, or one was down before the run.
    // (This pod itself may be down: replacing it takes nothing more down.)
    const gate = await othersReady(item, oldUid, owner?.uid, opts, deps, timers, signal);
    if (gate.outcome === 'interrupted') return finish('interrupted', `interrupted before deleting pod ${name} (${replaced}/${total} pods replaced)`);
    if (gate.outcome === 'timeout') {
      return finish(
        'timeout',
        `every other pod must be ready before pod ${name} is deleted, and ${gate.notReady.join(', ')} did not become ready in time (${replaced}/${total} pods replaced)`,
        await problems(item, deps),
      );
    }
    // A DaemonSet's replacement has a new name: no pod that existed before the delete is it (a Ready
    // sibling on the same node is not).
    const before = statefulSet ? new Set<string | undefined>() : new Set((await listPods(item, deps)).map((p) => p.metadata.uid));
    // Only this pod (its uid): a retried delete must never hit its replacement, which has the same name.
    await deps.kube.delete(ref, oldUid !== undefined ? { preconditions: { uid: oldUid } } : {});
    const limit = bounded(opts.timeoutMs ?? item.progressDeadlineMs, timers, signal);
    let ready = false;
    try {
      await deps.kube.watch(
        'v1',
        'Pod',
        statefulSet
          ? // A StatefulSet recreates the pod under the same name: wait for that name with a new uid.
            { namespace: item.namespace, fieldSelector: `metadata.name=${name}` }
          : { namespace: item.namespace, ...(item.selector ? { labelSelector: item.selector } : {}) },
        (type, p) => {
          if (type === 'DELETED' || p.metadata.uid === oldUid || p.metadata.deletionTimestamp !== undefined) return false;
          const replacement = statefulSet
            ? p.metadata.name === name
            : !before.has(p.metadata.uid) &&
              oldNode !== undefined &&
              asRecord(p['spec'])['nodeName'] === oldNode &&
              (owner === undefined || controllerOf(p)?.uid === owner.uid);
          ready = replacement && isPodReady(p);
          return ready;
        },
        limit.signal,
      );
    } finally {
      limit.done();
    }
    if (!ready) {
      if (limit.timedOut())
        return finish(
          'timeout',
          `the replacement of pod ${name} did not become ready in time (${replaced}/${total} pods replaced)`,
          await problems(item, deps),
        );
      return finish('interrupted', `interrupted after deleting pod ${name} (${replaced}/${total} pods replaced)`);
    }
    replaced++;
    events.progress?.(item, `${replaced}/${total} pods replaced`);
  }
  return finish('restarted', `${replaced}/${total} pods replaced`);
}

/**
 * Waits until every pod of the workload (its selector; owned by its controller when known) but the
 * one about to be deleted is Ready and not terminating, and a StatefulSet has at least its desired
 * replicas. Bounded by the workload's limit.
 */
async function othersReady(
  item: PlanItem,
  targetUid: string | undefined,
  ownerUid: string | undefined,
  opts: ExecuteOptions,
  deps: ExecuteDeps,
  timers: Timers,
  signal: AbortSignal | undefined,
): Promise<{ outcome: 'ready' | 'timeout' | 'interrupted'; notReady: string[] }> {
  const pods = new Map<string, KubeObject>();
  let notReady: string[] = [];
  const judge = (): boolean => {
    const mine = [...pods.values()].filter((p) => ownerUid === undefined || controllerOf(p)?.uid === ownerUid);
    const down = mine
      .filter((p) => p.metadata.uid !== targetUid && (p.metadata.deletionTimestamp !== undefined || !isPodReady(p)))
      .map((p) => p.metadata.name ?? '?');
    // A StatefulSet's missing pod is a pod down; a DaemonSet's count follows its nodes (one may have none).
    const missing = item.kind === 'StatefulSet' && item.replicas !== undefined && mine.length < item.replicas ? [`${item.replicas - mine.length} missing`] : [];
    notReady = [...down.sort(), ...missing];
    return notReady.length === 0;
  };
  const key = (p: KubeObject): string => p.metadata.uid ?? p.metadata.name ?? '';
  for (const p of await listPods(item, deps)) pods.set(key(p), p);
  if (judge()) return { outcome: 'ready', notReady: [] };
  const limit = bounded(opts.timeoutMs ?? item.progressDeadlineMs, timers, signal);
  let ready = false;
  pods.clear();
  try {
    await deps.kube.watch(
      'v1',
      'Pod',
      { namespace: item.namespace, ...(item.selector ? { labelSelector: item.selector } : {}) },
      (type, p) => {
        if (type === 'DELETED') pods.delete(key(p));
        else pods.set(key(p), p);
        ready = judge();
        return ready;
      },
      limit.signal,
    );
  } finally {
    limit.done();
  }
  if (ready) return { outcome: 'ready', notReady: [] };
  return { outcome: limit.timedOut() ? 'timeout' : 'interrupted', notReady };
}

/**
 * Waits until the workload's HorizontalPodAutoscaler is not scaling: it is scaling while its
 * ScalingActive condition is True and its desired replicas (set) differ from its current ones. One
 * that cannot scale (ScalingActive False: no metrics; its desiredReplicas then stays stale), has no
 * status yet, or is gone does not hold the rollout. A rollout started mid-scale would race the
 * autoscaler's replica changes.
 */
async function autoscalerSteady(
  item: PlanItem,
  name: string,
  opts: ExecuteOptions,
  deps: ExecuteDeps,
  timers: Timers,
  signal: AbortSignal | undefined,
): Promise<{ outcome: 'ready' | 'timeout' | 'interrupted'; detail: string }> {
  let detail = '';
  const steady = (h: KubeObject | undefined): boolean => {
    if (h === undefined) return true;
    const st = asRecord(h['status']);
    const current = numberOrUndefined(st['currentReplicas']);
    const desired = numberOrUndefined(st['desiredReplicas']);
    detail = `${current ?? '?'} current, ${desired ?? '?'} desired replicas`;
    const conditions = Array.isArray(st['conditions']) ? (st['conditions'] as unknown[]) : [];
    const active = conditions.some((c) => asRecord(c)['type'] === 'ScalingActive' && asRecord(c)['status'] === 'True');
    return !active || current === undefined || desired === undefined || desired === 0 || current === desired;
  };
  const ref = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name, namespace: item.namespace };
  if (steady(await deps.kube.get(ref))) return { outcome: 'ready', detail };
  const limit = bounded(opts.timeoutMs ?? item.progressDeadlineMs, timers, signal);
  let ready = false;
  try {
    await deps.kube.watch(
      'autoscaling/v2',
      'HorizontalPodAutoscaler',
      { namespace: item.namespace, fieldSelector: `metadata.name=${name}` },
      (type, h) => {
        ready = type === 'DELETED' || steady(h);
        return ready;
      },
      limit.signal,
    );
  } finally {
    limit.done();
  }
  if (ready) return { outcome: 'ready', detail };
  return { outcome: limit.timedOut() ? 'timeout' : 'interrupted', detail };
}

function sleep(ms: number, timers: Timers, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      timers.clearTimeout(handle);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const handle = timers.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** How rollout-restart shows a time: `750ms`, `45s`, `2m`, `2m5s`. */
export const ELAPSED: DurationFormat = { largest: 'm', subSecond: true };
