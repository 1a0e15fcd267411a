/**
 * Carrying out an install plan: create namespaces, server-side apply each component in dependency
 * order (independent components in parallel, webhook configurations last within a component),
 * wait for each component to be ready, then prune. Every step is idempotent, so an interrupted or
 * failed run converges when it is run again.
 */
import { ClusterError, MeshError } from '../errors.js';
import { type KubeClient, KubeApiError } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import type { Progress, Step } from '../output/progress.js';
import { type ComponentName, COMPONENTS, displayName, icon, runInDependencyOrder } from './components.js';
import { kubeFailure } from './errors.js';
import { FIELD_MANAGER, slashName } from './labels.js';
import { deleteAndWait } from './delete.js';
import { applyBatches, deleteOrder, isWebhookConfiguration } from './order.js';
import { CONCURRENCY, type InstallPlan, type PlannedObject } from './plan.js';
import { needsWait, readinessOf, selectorString, workloadProblem } from './readiness.js';
import { mapLimit } from '../util/pool.js';
import { formatDuration } from '../util/duration.js';

export interface ExecuteDeps {
  kube: KubeClient;
  progress: Progress;
  /** Milliseconds since some epoch; injected so tests control time. */
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

export interface ExecuteOptions {
  readinessTimeoutMs: number;
  /** Poll interval while waiting for readiness (istioctl: 2s). */
  pollIntervalMs?: number;
  /** Skip readiness waits (dry runs never get here). */
  wait?: boolean;
}

export interface ExecuteResult {
  components: { component: ComponentName; applied: number; unchanged: number }[];
  pruned: string[];
}

/** An object that did not become ready in time, and why. */
export interface Unready {
  object: string;
  reason: string;
}

export class ReadinessTimeoutError extends ClusterError {
  constructor(
    readonly component: ComponentName,
    readonly unready: Unready[],
    timeoutMs: number,
  ) {
    super(`resources not ready after ${formatDuration(timeoutMs, { largest: 'm', zeros: 'inner' })}`, {
      details: unready.map((u) => `${u.object} (${u.reason})`),
    });
  }
}

export async function executeInstall(plan: InstallPlan, deps: ExecuteDeps, opts: ExecuteOptions): Promise<ExecuteResult> {
  const { kube } = deps;
  for (const ns of plan.namespaces) {
    checkAborted(deps.signal);
    try {
      const labels = plan.namespaceLabels?.[ns];
      await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, ...(labels ? { labels } : {}) } });
    } catch (err) {
      // Created meanwhile by someone else: fine.
      if (!(err instanceof KubeApiError && err.status === 409)) throw kubeFailure(err, `Namespace ${ns}`);
    }
    deps.progress.info(`Created namespace ${ns}`);
  }

  const byComponent = new Map<ComponentName, PlannedObject[]>();
  for (const p of plan.objects) byComponent.set(p.component, [...(byComponent.get(p.component) ?? []), p]);
  const live = new LiveLine(deps.progress);

  const outcomes = await runInDependencyOrder([...byComponent.keys()], async (c) => {
    const items = byComponent.get(c)!;
    // The readiness timeout applies to each component, counted from when it starts.
    const deadline = deps.now() + opts.readinessTimeoutMs;
    live.begin(c);
    try {
      const toApply = items.filter((p) => p.action !== 'unchanged').map((p) => p.object);
      const applyBatch = async (batch: readonly KubeObject[]): Promise<void> => {
        checkAborted(deps.signal);
        await mapLimit(batch, CONCURRENCY, async (o) => {
          try {
            await kube.apply(o, { fieldManager: FIELD_MANAGER, force: true });
          } catch (err) {
            throw kubeFailure(err, o);
          }
        });
      };
      for (const batch of applyBatches(toApply.filter((o) => !isWebhookConfiguration(o)))) {
        await applyBatch(batch);
        // Custom resources of a CRD in this component may only be applied once it is Established.
        const crds = batch.filter((o) => o.kind === 'CustomResourceDefinition');
        if (crds.length > 0 && opts.wait !== false) await waitReady(c, crds, deps, live, deadline, opts);
      }
      if (opts.wait !== false) await waitReady(c, items.map((p) => p.object).filter(needsWait), deps, live, deadline, opts);
      // Webhooks last, once what serves them is ready: an interrupted install never leaves an
      // injector or validator registered in front of an istiod that is not there.
      await applyBatch(toApply.filter(isWebhookConfiguration));
      const applied = toApply.length;
      live.end(c, true, `${displayName(c)} ${applied === 0 ? 'unchanged' : 'installed'} ${icon(c)}`);
      return { component: c, applied, unchanged: items.length - applied };
    } catch (err) {
      live.end(c, false, `${displayName(c)} encountered an error: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  });

  const failures: MeshError[] = [];
  const details: string[] = [];
  for (const [c, o] of outcomes) {
    if (o.status === 'failed') {
      const e = o.error instanceof MeshError ? o.error : kubeFailure(o.error, displayName(c));
      failures.push(e);
      details.push(...e.details);
    } else if (o.status === 'skipped') {
      details.push(`${displayName(c)} was not installed because ${displayName(o.because)} failed`);
    }
  }
  if (failures.length > 0) {
    const first = failures[0]!;
    const which = [...outcomes].filter(([, o]) => o.status === 'failed').map(([c]) => displayName(c));
    throw new ClusterError(`${which.join(', ')}: ${first.message}`, { details, cause: first });
  }

  const pruned: string[] = [];
  if (plan.prune.length > 0) {
    const step = deps.progress.start('Pruning removed resources');
    try {
      pruned.push(
        ...(await deleteAndWait(deleteOrder(plan.prune), {
          kube,
          now: deps.now,
          sleep: deps.sleep,
          ...(deps.signal ? { signal: deps.signal } : {}),
          onWaiting: (left) => step.update(`Waiting for ${left.length === 1 ? left[0] : `${left.length} resources`} to be gone`),
        })),
      );
    } catch (err) {
      step.fail('Pruning removed resources failed');
      throw err;
    }
    step.succeed(`Pruned ${pruned.length} removed resource${pruned.length === 1 ? '' : 's'}`);
    for (const p of pruned) deps.progress.info(`  Removed ${p}.`);
  }
  const components = COMPONENTS.flatMap((c) => {
    const o = outcomes.get(c);
    return o?.status === 'ok' ? [o.value] : [];
  });
  return { components, pruned };
}

/** Polls until every object is ready, updating the live line; on the deadline names each unready object and why. */
export async function waitReady(
  component: ComponentName,
  objects: readonly KubeObject[],
  deps: ExecuteDeps,
  live: { waiting(c: ComponentName, what: string): void },
  deadline: number,
  opts: ExecuteOptions,
): Promise<void> {
  const interval = opts.pollIntervalMs ?? 2000;
  let pending = [...objects];
  for (;;) {
    checkAborted(deps.signal);
    const states = await mapLimit(pending, CONCURRENCY, async (o) => {
      const current = await deps.kube.get(refOf(o)).catch((err: unknown) => {
        throw kubeFailure(err, o);
      });
      return { o, current, ready: current !== undefined && readinessOf(current).ready };
    });
    pending = states.filter((s) => !s.ready).map((s) => s.o);
    if (pending.length === 0) return;
    live.waiting(component, waitingText(pending));
    if (deps.now() >= deadline) {
      const unready = await Promise.all(
        states.filter((s) => !s.ready).map(async (s): Promise<Unready> => ({ object: slashName(s.o), reason: await whyNotReady(deps.kube, s.current) })),
      );
      throw new ReadinessTimeoutError(component, unready, opts.readinessTimeoutMs);
    }
    await deps.sleep(Math.min(interval, Math.max(0, deadline - deps.now())), deps.signal);
  }
}

async function whyNotReady(kube: KubeClient, obj: KubeObject | undefined): Promise<string> {
  if (obj === undefined) return 'not found';
  const spec = obj['spec'] as { selector?: unknown } | undefined;
  const selector = obj.kind === 'CustomResourceDefinition' ? undefined : selectorString(spec?.selector);
  let pods: KubeObject[] = [];
  if (selector !== undefined && obj.metadata.namespace) {
    pods = await kube.list('v1', 'Pod', { namespace: obj.metadata.namespace, labelSelector: selector }).catch(() => []);
  }
  return selector === undefined ? (readinessOf(obj).message ?? 'not ready') : workloadProblem(obj, pods);
}

function refOf(o: KubeObject): { apiVersion: string; kind: string; name: string; namespace?: string } {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name ?? '', ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
}

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MeshError('interrupted; nothing is left half-applied that a re-run will not converge: run the same command again');
}

/** What a component still waits for, short enough for one line: the first object and how many more. */
export function waitingText(pending: readonly KubeObject[]): string {
  const first = pending[0] === undefined ? '' : slashName(pending[0]);
  return pending.length <= 1 ? first : `${first} and ${pending.length - 1} more`;
}

/**
 * One live line for all components in progress (istioctl style): "Processing resources for Istiod,
 * CNI. Waiting for Deployment/istio-system/istiod". Each finished component persists a ✔/✘ line.
 */
export class LiveLine {
  private step: Step | undefined;
  private readonly active = new Map<ComponentName, string>();
  constructor(private readonly progress: Progress) {}

  begin(c: ComponentName): void {
    this.active.set(c, '');
    this.refresh();
  }

  waiting(c: ComponentName, what: string): void {
    if (this.active.get(c) === what) return;
    this.active.set(c, what);
    this.refresh();
  }

  end(c: ComponentName, ok: boolean, text: string): void {
    this.active.delete(c);
    const step = this.step ?? this.progress.start(text);
    this.step = undefined;
    if (ok) step.succeed(text);
    else step.fail(text);
    this.refresh();
  }

  private text(): string {
    const order = COMPONENTS.filter((c) => this.active.has(c));
    const names = order.map(displayName).join(', ');
    const waits = order.map((c) => this.active.get(c)).filter((w) => w !== undefined && w !== '');
    return `Processing resources for ${names}.${waits.length > 0 ? ` Waiting for ${waits.join(', ')}` : ''}`;
  }

  private refresh(): void {
    if (this.active.size === 0) return;
    if (this.step) this.step.update(this.text());
    else this.step = this.progress.start(this.text());
  }
}
