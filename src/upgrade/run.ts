/**
 * `mesh upgrade -r NEW`: a canary upgrade as resumable steps. Each step is idempotent and its outcome
 * is written to the state ConfigMap (state.ts) before the next starts, so a run that was interrupted
 * or failed resumes at the step that did not finish:
 *
 *   precheck → install NEW beside OLD (gateways move to NEW) → verify NEW → tags → for each namespace:
 *   relabel, rollout-restart --outdated, check no proxy is left on OLD → uninstall OLD
 *
 * `--rollback` takes the recorded tags and labels back to OLD and restarts what moved. The renderer
 * belongs to the CLI, so the install objects come in through deps.
 */
import { type InstallPlan, countActions, planInstall } from '../apply/plan.js';
import { executeInstall } from '../apply/execute.js';
import { executeUninstall, inUseRefusal, planUninstall, tagRefusal } from '../apply/uninstall.js';
import { ClusterError, FindingsError, InputError, InterruptedError, MeshError, UsageError } from '../errors.js';
import { type KubeClient, KubeApiError } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { REVISION_LABEL } from '../model/injection.js';
import type { Progress } from '../output/progress.js';
import { collectPrecheck } from '../precheck/collect.js';
import { runChecks } from '../precheck/checks.js';
import { type RolloutRestartOptions, run as runRestart } from '../restart/index.js';
import type { ExecuteEvents } from '../restart/run.js';
import { tagOf } from '../tag/build.js';
import { applyRemovePlan, applySetPlan, missingService, readTagSnapshot } from '../tag/collect.js';
import { planRemove, planSet } from '../tag/plan.js';
import { type NamespaceScope, type UpgradeScope, podsOnRevision, upgradeScope } from './scope.js';
import { MAX_UNAVAILABLE_FLAG } from '../restart/budget.js';
import { STATE_CONFIGMAP, type StepStatus, type UpgradeState, isDone, newState, parseState, stateObject, stepOf, withStep } from './state.js';

export interface RestartSettings {
  concurrency: number;
  timeoutMs?: number;
  includeOnDelete: boolean;
  allowDowntime: boolean;
  /** rollout-restart's --max-unavailable-per-namespace: workloads whose rollout may take more pods down at once are left (and the namespace step fails on them). */
  maxUnavailablePerNamespace?: number;
}

export interface UpgradeOptions {
  to: string;
  /** --from: the revision to leave; found from the installed control planes when not given. */
  from?: string;
  istioNamespace: string;
  /** --namespaces / -l (resolved to names by the caller's list): only these namespaces this run. */
  namespaces?: readonly string[];
  pauseBetween: boolean;
  keepOld: boolean;
  rollback: boolean;
  dryRun: boolean;
  readinessTimeoutMs: number;
  restart: RestartSettings;
}

export interface RenderedRevision {
  /** The objects to apply, the install record among them. */
  objects: KubeObject[];
  namespace: string;
}

export interface UpgradeDeps {
  kube: KubeClient;
  now: () => Date;
  progress: Progress;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Renders `revision` from the install record of `base` (the revision mesh installed it from). */
  render: (base: string, revision: string) => Promise<RenderedRevision>;
  /** objectKey → revision for what the other installed revisions render (uninstall keeps them). */
  renderedByOthers: (revision: string) => Promise<Map<string, string>>;
  /** Shown the plan before anything changes; throws to decline. Not called for dry runs. */
  confirm?: (plan: PlannedStep[], summary: string) => Promise<void>;
  restartEvents?: ExecuteEvents;
}

export interface PlannedStep {
  id: string;
  status: StepStatus | 'planned';
  detail: string;
}

export type UpgradeOutcome = 'planned' | 'complete' | 'paused' | 'waiting' | 'rolled-back' | 'nothing';

export interface UpgradeResult {
  from: string;
  to: string;
  outcome: UpgradeOutcome;
  /** One line for the end of the run. */
  message: string;
  steps: PlannedStep[];
}

/** The state ConfigMap as read, with its resourceVersion for the next write. */
interface Stored {
  state: UpgradeState;
  resourceVersion: string | undefined;
}

async function readStored(kube: KubeClient, ns: string): Promise<Stored | undefined> {
  const cm = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', name: STATE_CONFIGMAP, namespace: ns });
  if (cm === undefined) return undefined;
  return { state: parseState(cm), resourceVersion: cm.metadata.resourceVersion };
}

/** Writes the state; the resourceVersion precondition makes a second run at the same time fail instead of overwriting. */
async function save(kube: KubeClient, ns: string, stored: Stored): Promise<void> {
  const obj = stateObject(stored.state, ns);
  try {
    const written =
      stored.resourceVersion === undefined
        ? await kube.create(obj)
        : await kube.patch(
            { apiVersion: 'v1', kind: 'ConfigMap', name: STATE_CONFIGMAP, namespace: ns },
            { metadata: { resourceVersion: stored.resourceVersion, labels: obj.metadata.labels }, data: obj['data'] },
            'merge',
          );
    stored.resourceVersion = written.metadata.resourceVersion;
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 409 || err.reason === 'AlreadyExists' || err.reason === 'Conflict')) {
      throw new ClusterError(
        `ConfigMap ${ns}/${STATE_CONFIGMAP} changed while this upgrade ran: is another mesh upgrade running? Run this one again once it has stopped`,
      );
    }
    throw err;
  }
}

/** The installed revisions: the istiod Deployments of the control-plane namespace. */
async function installedRevisions(kube: KubeClient, ns: string): Promise<string[]> {
  const istiods = await kube.list('apps/v1', 'Deployment', { namespace: ns, labelSelector: 'app=istiod' });
  return [...new Set(istiods.map((d) => d.metadata.labels?.[REVISION_LABEL] ?? 'default'))].sort();
}

async function readScope(kube: KubeClient, opts: UpgradeOptions, from: string): Promise<UpgradeScope> {
  const [namespaces, mutatingWebhooks, pods] = await Promise.all([
    kube.list('v1', 'Namespace'),
    kube.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'),
    kube.list('v1', 'Pod'),
  ]);
  return upgradeScope({ istioNamespace: opts.istioNamespace, namespaces, mutatingWebhooks, pods }, from, opts.to, {
    ...(opts.namespaces !== undefined ? { namespaces: opts.namespaces } : {}),
  });
}

const nsStep = (ns: string): string => `namespace/${ns}`;

function installSummary(plan: InstallPlan): string {
  const c = countActions(plan);
  return `${c.create} to create, ${c.update} to update, ${c.unchanged} unchanged`;
}

function namespaceDetail(n: NamespaceScope, to: string): string {
  const relabel = n.relabel ? `label ${n.relabel.key}=${n.relabel.from} → ${to}; ` : '';
  return `${relabel}restart ${n.podsOnOld.length} pod${n.podsOnOld.length === 1 ? '' : 's'} on the old revision`;
}

/** Decides from → to, and whether a stored state is resumed or replaced. */
async function resolveRevisions(
  kube: KubeClient,
  opts: UpgradeOptions,
  stored: Stored | undefined,
): Promise<{ from: string; resume: boolean; installed: string[] }> {
  const installed = await installedRevisions(kube, opts.istioNamespace);
  const active = stored !== undefined && (stored.state.status === 'in-progress' || stored.state.status === 'rolling-back');
  if (active && stored !== undefined) {
    const s = stored.state;
    if (s.to !== opts.to) {
      throw new UsageError(
        `-r/--revision: an upgrade from ${s.from} to ${s.to} is in progress (ConfigMap ${opts.istioNamespace}/${STATE_CONFIGMAP}); finish it (mesh upgrade -r ${s.to}) or roll it back (mesh upgrade -r ${s.to} --rollback) first`,
      );
    }
    if (opts.from !== undefined && opts.from !== s.from) throw new UsageError(`--from: the upgrade in progress leaves revision ${s.from}, not ${opts.from}`);
    return { from: s.from, resume: true, installed };
  }
  if (opts.from !== undefined) {
    if (!installed.includes(opts.from))
      throw new UsageError(`--from: revision "${opts.from}" is not installed in ${opts.istioNamespace}; installed: ${installed.join(', ') || 'none'}`);
    return { from: opts.from, resume: false, installed };
  }
  if (stored !== undefined && stored.state.status === 'complete' && stored.state.to === opts.to) return { from: stored.state.from, resume: true, installed };
  const others = installed.filter((r) => r !== opts.to);
  if (others.length === 0) {
    throw new UsageError(
      `no control plane to upgrade from in namespace ${opts.istioNamespace}${installed.length > 0 ? ` (only revision ${opts.to} is installed)` : ''}; install one first (mesh install), or pass -i with its namespace`,
    );
  }
  if (others.length > 1) throw new UsageError(`several revisions are installed (${others.join(', ')}): name the one to leave with --from`);
  return { from: others[0]!, resume: false, installed };
}

/** Throws InterruptedError when the signal aborted. */
function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError('interrupted');
}

export async function runUpgrade(opts: UpgradeOptions, deps: UpgradeDeps, signal?: AbortSignal): Promise<UpgradeResult> {
  const { kube } = deps;
  const ns = opts.istioNamespace;
  const existing = await readStored(kube, ns);
  if (opts.rollback) return rollback(opts, deps, existing, signal);
  const { from, resume } = await resolveRevisions(kube, opts, existing);
  if (from === opts.to) throw new UsageError(`-r/--revision: revision ${opts.to} is the one installed; name a new revision to upgrade to`);
  const stored: Stored =
    resume && existing !== undefined ? existing : { state: newState(from, opts.to, deps.now()), resourceVersion: existing?.resourceVersion };
  if (stored.state.status === 'complete') {
    return { from, to: opts.to, outcome: 'nothing', message: `The upgrade from ${from} to ${opts.to} is already complete.`, steps: stored.state.steps };
  }
  const scope = await readScope(kube, opts, from);
  // The namespaces of this run: what is still on the old revision, plus what an earlier run started.
  const planned = plannedSteps(stored.state, scope, opts, from);

  if (opts.dryRun) {
    const render = await deps.render(from, opts.to);
    const plan = await planInstall(kube, render.objects, { revision: opts.to, version: versionOf(render), namespace: render.namespace, takeOver: true });
    const steps = planned.map((s) => (s.id === 'install' && s.status === 'planned' ? { ...s, detail: `${s.detail}: ${installSummary(plan)}` } : s));
    return { from, to: opts.to, outcome: 'planned', message: `Dry run: upgrade from ${from} to ${opts.to}; nothing was changed.`, steps };
  }
  if (deps.confirm && !resume) await deps.confirm(planned, `upgrade from revision ${from} to ${opts.to}`);

  const order = planned.map((s) => s.id);
  let index = 0;
  const step = async (id: string, fn: (update: (t: string) => void) => Promise<string>): Promise<void> => {
    index = order.indexOf(id) + 1;
    if (isDone(stored.state, id)) return;
    const label = `[${index}/${order.length}] ${id}`;
    const line = deps.progress.start(label);
    stored.state = withStep(stored.state, id, 'running', '', deps.now());
    await save(kube, ns, stored);
    try {
      checkSignal(signal);
      const detail = await fn((t) => line.update(`${label}: ${t}`));
      checkSignal(signal);
      stored.state = withStep(stored.state, id, 'done', detail, deps.now());
      await save(kube, ns, stored);
      line.succeed(`${label}: ${detail}`);
    } catch (err) {
      const interrupted = signal?.aborted === true || err instanceof InterruptedError;
      const why = interrupted ? 'interrupted; run the same command again to resume here' : firstLine(err);
      stored.state = withStep(stored.state, id, 'failed', why, deps.now());
      try {
        await save(kube, ns, stored);
      } catch {
        // The step's own error is the one to report.
      }
      line.fail(`${label}: ${why}`);
      if (interrupted)
        throw new InterruptedError(`interrupted at step ${id} of the upgrade from ${from} to ${opts.to}; run the same command again to resume from there`, {
          cause: err,
        });
      throw err;
    }
  };

  await step('precheck', async () => {
    const checks = runChecks(await collectPrecheck(kube, { istioNamespace: ns, now: deps.now() }));
    const failed = checks.filter((c) => c.status === 'fail');
    const warned = checks.filter((c) => c.status === 'warn');
    for (const w of warned) deps.progress.warn(`precheck: ${w.message}`);
    if (failed.length > 0) {
      throw new FindingsError(`precheck failed: ${failed[0]!.message}${failed.length > 1 ? ` (and ${failed.length - 1} more)` : ''}`, {
        details: failed.map((f) => `${f.category}/${f.check}: ${f.message}${f.hint ? ` (${f.hint})` : ''}`),
      });
    }
    return `${checks.length} checks, ${warned.length} warning${warned.length === 1 ? '' : 's'}`;
  });

  await step('install', async (update) => {
    const render = await deps.render(from, opts.to);
    const plan = await planInstall(kube, render.objects, { revision: opts.to, version: versionOf(render), namespace: render.namespace, takeOver: true });
    const rejected = plan.objects.flatMap((p) => (p.serverCheck?.result === 'rejected' ? [p.serverCheck.error] : []));
    if (rejected[0] !== undefined) throw new InputError(`the API server rejected the install of revision ${opts.to}: ${rejected[0].message}`);
    update(installSummary(plan));
    await executeInstall(
      plan,
      { kube, progress: quiet(deps.progress), now: () => deps.now().getTime(), sleep: deps.sleep, ...(signal ? { signal } : {}) },
      { readinessTimeoutMs: opts.readinessTimeoutMs },
    );
    const moved = plan.objects.filter((p) => p.action === 'update' && /Gateway/.test(p.component) && p.object.kind === 'Deployment');
    return `revision ${opts.to} installed (${installSummary(plan)})${moved.length > 0 ? `; gateways moved to it: ${moved.map((m) => m.object.metadata.name).join(', ')}` : ''}`;
  });

  await step('verify', async (update) => verifyRevision(kube, opts, deps, update, signal));

  await step('tags', async () => {
    if (scope.tags.length === 0) return 'no revision tag points to the old revision';
    const moved: string[] = [];
    for (const t of scope.tags) {
      const snap = await readTagSnapshot(kube);
      const plan = planSet(snap, { tag: t.tag, revision: opts.to, istioNamespace: ns, overwrite: true });
      const missing = await missingService(kube, plan.objects[0]!.desired);
      if (missing !== undefined) throw new ClusterError(`cannot point tag "${t.tag}" to revision ${opts.to}: ${missing}`);
      if (!stored.state.tags.some((x) => x.tag === t.tag)) stored.state = { ...stored.state, tags: [...stored.state.tags, t] };
      await save(kube, ns, stored);
      await applySetPlan(plan, { kube });
      moved.push(`${t.tag} (was ${t.from ?? 'not set'})`);
    }
    return `moved to ${opts.to}: ${moved.join(', ')}`;
  });

  const nsSteps = order.filter((id) => id.startsWith('namespace/'));
  for (const [k, id] of nsSteps.entries()) {
    const name = id.slice('namespace/'.length);
    await step(id, async (update) =>
      moveNamespace(
        name,
        scope.namespaces.find((n) => n.name === name),
        from,
        opts,
        deps,
        stored,
        update,
        signal,
      ),
    );
    if (opts.pauseBetween && k < nsSteps.length - 1 && !isDone(stored.state, nsSteps[k + 1]!)) {
      const next = nsSteps[k + 1]!.slice('namespace/'.length);
      return {
        from,
        to: opts.to,
        outcome: 'paused',
        message: `Paused after namespace ${name} (--pause-between): check it, then run the same command again to go on with ${next}.`,
        steps: plannedSteps(stored.state, scope, opts, from),
      };
    }
  }

  if (opts.keepOld) {
    return {
      from,
      to: opts.to,
      outcome: 'waiting',
      message: `Every selected namespace is on ${opts.to}; revision ${from} is kept (--keep-old): mesh upgrade -r ${opts.to} without --keep-old, or mesh uninstall -r ${from}, removes it.`,
      steps: plannedSteps(stored.state, scope, opts, from),
    };
  }
  if (scope.leftOut.length > 0) {
    return {
      from,
      to: opts.to,
      outcome: 'waiting',
      message: `Revision ${from} stays: namespaces outside this run still use it (${scope.leftOut.join(', ')}); run mesh upgrade -r ${opts.to} again for them.`,
      steps: plannedSteps(stored.state, scope, opts, from),
    };
  }

  await step('uninstall', async (update) => {
    const wantedByOthers = await deps.renderedByOthers(from);
    const plan = await planUninstall(kube, { ...(from !== 'default' ? { revision: from } : {}), purge: false, force: false, wantedByOthers });
    const refusal =
      tagRefusal(plan, { revision: from, force: false, purge: false, dryRun: false }) ??
      inUseRefusal(plan, { revision: from, force: false, purge: false, dryRun: false });
    if (refusal !== undefined) throw refusal;
    update(`removing ${plan.objects.length} objects`);
    await executeUninstall(plan, { kube, ...(signal ? { signal } : {}) });
    return `revision ${from} removed (${plan.objects.length} objects)`;
  });
  stored.state = { ...stored.state, status: 'complete' };
  await save(kube, ns, stored);
  return {
    from,
    to: opts.to,
    outcome: 'complete',
    message: `✔ Upgrade complete: every proxy is on revision ${opts.to}; revision ${from} is gone.`,
    steps: stored.state.steps,
  };
}

/** The version stamped on the install: the record's (every render is of this mesh's Istio version). */
function versionOf(render: RenderedRevision): string {
  const record = render.objects.find((o) => o.kind === 'ConfigMap' && (o['data'] as Record<string, unknown> | undefined)?.['version'] !== undefined);
  return String((record?.['data'] as Record<string, unknown> | undefined)?.['version'] ?? '');
}

/** The install's own per-component lines would interleave with the step line: keep warnings only. */
function quiet(p: Progress): Progress {
  return { start: () => ({ update: () => undefined, succeed: () => undefined, fail: () => undefined }), info: () => undefined, warn: (t) => p.warn(t) };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** The steps of this run in order, with what the state says of each (planned: not started yet). */
export function plannedSteps(state: UpgradeState, scope: UpgradeScope, opts: UpgradeOptions, from: string): PlannedStep[] {
  const fixed: PlannedStep[] = [
    { id: 'precheck', status: 'planned', detail: 'check the cluster (mesh precheck)' },
    { id: 'install', status: 'planned', detail: `install revision ${opts.to} beside ${from} (gateways move to it)` },
    { id: 'verify', status: 'planned', detail: `wait until istiod ${opts.to} is available and its webhooks have a CA bundle` },
    {
      id: 'tags',
      status: 'planned',
      detail: scope.tags.length > 0 ? `point ${scope.tags.map((t) => t.tag).join(', ')} to ${opts.to}` : 'no revision tag points to the old revision',
    },
  ];
  const names = new Set(scope.namespaces.map((n) => n.name));
  // A namespace an earlier run started but did not finish stays in the plan even if it looks done now.
  for (const s of state.steps) if (s.id.startsWith('namespace/') && s.status !== 'done') names.add(s.id.slice('namespace/'.length));
  for (const s of state.steps) if (s.id.startsWith('namespace/') && s.status === 'done') names.add(s.id.slice('namespace/'.length));
  const nsSteps = [...names].sort().map((n): PlannedStep => {
    const sc = scope.namespaces.find((x) => x.name === n);
    return { id: nsStep(n), status: 'planned', detail: sc ? namespaceDetail(sc, opts.to) : 'restart what is left on the old revision' };
  });
  const last: PlannedStep = opts.keepOld
    ? { id: 'uninstall', status: 'skipped', detail: `kept (--keep-old)` }
    : scope.leftOut.length > 0
      ? { id: 'uninstall', status: 'pending', detail: `waits: ${scope.leftOut.join(', ')} still use ${from}` }
      : { id: 'uninstall', status: 'planned', detail: `remove revision ${from}` };
  return [...fixed, ...nsSteps, last].map((s) => {
    const rec = stepOf(state, s.id);
    return rec ? { id: s.id, status: rec.status, detail: rec.detail || s.detail } : s;
  });
}

async function verifyRevision(kube: KubeClient, opts: UpgradeOptions, deps: UpgradeDeps, update: (t: string) => void, signal?: AbortSignal): Promise<string> {
  const deadline = deps.now().getTime() + opts.readinessTimeoutMs;
  const name = `istio-sidecar-injector-${opts.to}`;
  for (;;) {
    checkSignal(signal);
    const [istiods, injector] = await Promise.all([
      kube.list('apps/v1', 'Deployment', { namespace: opts.istioNamespace, labelSelector: `app=istiod,${REVISION_LABEL}=${opts.to}` }),
      kube.get({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', name }),
    ]);
    const problems: string[] = [];
    if (istiods.length === 0) problems.push(`no istiod Deployment of revision ${opts.to}`);
    for (const d of istiods) {
      const status = (d['status'] ?? {}) as { availableReplicas?: number; updatedReplicas?: number };
      const want = Number((d['spec'] as { replicas?: number } | undefined)?.replicas ?? 1);
      if ((status.availableReplicas ?? 0) < want) problems.push(`Deployment ${d.metadata.name ?? ''}: ${status.availableReplicas ?? 0}/${want} available`);
    }
    if (injector === undefined) problems.push(`no MutatingWebhookConfiguration ${name}`);
    else {
      const hooks = (injector['webhooks'] ?? []) as { clientConfig?: { caBundle?: string } }[];
      if (hooks.length === 0 || hooks.some((h) => (h.clientConfig?.caBundle ?? '') === '')) problems.push(`${name}: istiod has not set its CA bundle yet`);
    }
    if (problems.length === 0) return `istiod ${opts.to} is available and its injector has a CA bundle`;
    if (deps.now().getTime() > deadline) throw new ClusterError(`revision ${opts.to} is not ready: ${problems.join('; ')}`);
    update(problems[0]!);
    await deps.sleep(2000, signal);
  }
}

/** One namespace: relabel (recorded first, for a rollback), restart what is outdated, then check nothing is left on `from`. */
async function moveNamespace(
  name: string,
  sc: NamespaceScope | undefined,
  from: string,
  opts: UpgradeOptions,
  deps: UpgradeDeps,
  stored: Stored,
  update: (t: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const { kube } = deps;
  const parts: string[] = [];
  if (!stored.state.namespaces.includes(name)) stored.state = { ...stored.state, namespaces: [...stored.state.namespaces, name] };
  if (sc?.relabel !== undefined) {
    const change = { namespace: name, key: sc.relabel.key, from: sc.relabel.from, to: opts.to };
    if (!stored.state.labels.some((l) => l.namespace === name && l.key === change.key))
      stored.state = { ...stored.state, labels: [...stored.state.labels, change] };
    await save(kube, opts.istioNamespace, stored);
    await kube.patch({ apiVersion: 'v1', kind: 'Namespace', name }, { metadata: { labels: { [change.key]: opts.to } } }, 'merge');
    parts.push(`labelled ${change.key}=${opts.to}`);
  } else await save(kube, opts.istioNamespace, stored);
  const restarted = await restartNamespace(name, opts, deps, update, signal);
  parts.push(restarted.summary);
  const left = await podsOn(kube, opts.istioNamespace, name, from);
  if (left.length > 0) {
    throw new FindingsError(
      `namespace ${name}: ${left.length} pod${left.length === 1 ? '' : 's'} still on revision ${from} after the restart (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}); they keep revision ${from} from being removed`,
      {
        details: [
          ...restarted.skipped,
          'a bare pod or Job must be recreated by hand; a StatefulSet or DaemonSet with updateStrategy OnDelete needs --include-ondelete',
        ],
      },
    );
  }
  return parts.join('; ');
}

async function podsOn(kube: KubeClient, istioNamespace: string, namespace: string, revision: string): Promise<string[]> {
  const [pods, mutatingWebhooks] = await Promise.all([
    kube.list('v1', 'Pod', { namespace }),
    kube.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'),
  ]);
  return podsOnRevision({ istioNamespace, namespaces: [], mutatingWebhooks, pods }, revision).map((p) => p.slice(namespace.length + 1));
}

async function restartNamespace(
  name: string,
  opts: UpgradeOptions,
  deps: UpgradeDeps,
  update: (t: string) => void,
  signal?: AbortSignal,
): Promise<{ summary: string; skipped: string[] }> {
  const options: RolloutRestartOptions = {
    namespaces: [name],
    kinds: ['Deployment', 'StatefulSet', 'DaemonSet'],
    mode: 'outdated',
    istioNamespace: opts.istioNamespace,
    allowDowntime: opts.restart.allowDowntime,
    includeOnDelete: opts.restart.includeOnDelete,
    concurrency: opts.restart.concurrency,
    pauseMs: 0,
    continueOnError: false,
    dryRun: 'none',
    ...(opts.restart.timeoutMs !== undefined ? { timeoutMs: opts.restart.timeoutMs } : {}),
    ...(opts.restart.maxUnavailablePerNamespace !== undefined ? { maxUnavailablePerNamespace: opts.restart.maxUnavailablePerNamespace } : {}),
  };
  const result = await runRestart(
    options,
    {
      kube: deps.kube,
      now: deps.now,
      events: {
        ...deps.restartEvents,
        started: (item, i, total) => update(`[${i}/${total}] ${item.kind.toLowerCase()}/${item.name} restarting`),
        progress: (item, text) => update(`${item.kind.toLowerCase()}/${item.name} ${text}`),
      },
    },
    signal,
  );
  if (result.interrupted) throw new InterruptedError('interrupted during the restart');
  const failed = result.report.workloads.find((w) => w.result === 'failed' || w.result === 'timeout');
  if (failed !== undefined) {
    throw new ClusterError(
      `namespace ${name}: rollout of ${failed.kind.toLowerCase()}/${failed.name} ${failed.result === 'timeout' ? 'did not finish' : 'failed'}: ${failed.message}`,
      {
        details: ['the upgrade stopped here; fix it, then run the same command again to resume'],
      },
    );
  }
  const n = result.report.summary.restarted;
  const skipped = result.report.workloads
    .filter((w) => w.result === 'skipped' && w.message.includes(MAX_UNAVAILABLE_FLAG))
    .map((w) => `${w.kind.toLowerCase()}/${w.name}: ${w.message}`);
  return {
    summary: `${n === 0 ? 'no workload to restart' : `${n} workload${n === 1 ? '' : 's'} restarted`}${skipped.length > 0 ? `, ${skipped.length} over ${MAX_UNAVAILABLE_FLAG} left` : ''}`,
    skipped,
  };
}

async function rollback(opts: UpgradeOptions, deps: UpgradeDeps, existing: Stored | undefined, signal?: AbortSignal): Promise<UpgradeResult> {
  const { kube } = deps;
  const ns = opts.istioNamespace;
  if (existing === undefined || existing.state.to !== opts.to) {
    throw new UsageError(`--rollback: no upgrade to revision ${opts.to} is recorded in ConfigMap ${ns}/${STATE_CONFIGMAP}`);
  }
  const stored = existing;
  const { from, to } = stored.state;
  if (stored.state.status === 'rolled-back') {
    return { from, to, outcome: 'nothing', message: `The upgrade from ${from} to ${to} is already rolled back.`, steps: stored.state.steps };
  }
  if (isDone(stored.state, 'uninstall') || !(await installedRevisions(kube, ns)).includes(from)) {
    throw new ClusterError(
      `--rollback: revision ${from} is no longer installed; install it again (mesh install -r ${from}), then move back to it with mesh upgrade -r ${from} --from ${to}`,
    );
  }
  const back = stored.state.namespaces.slice().sort();
  const ids = ['rollback/install', 'rollback/tags', ...back.map((n) => `rollback/namespace/${n}`)];
  if (opts.dryRun) {
    return {
      from,
      to,
      outcome: 'planned',
      message: `Dry run: roll back from ${to} to ${from}; nothing was changed.`,
      steps: ids.map((id) => ({ id, status: stepOf(stored.state, id)?.status ?? 'planned', detail: stepOf(stored.state, id)?.detail ?? '' })),
    };
  }
  stored.state = { ...stored.state, status: 'rolling-back' };
  await save(kube, ns, stored);
  let index = 0;
  const step = async (id: string, fn: (update: (t: string) => void) => Promise<string>): Promise<void> => {
    index += 1;
    if (isDone(stored.state, id)) return;
    const label = `[${index}/${ids.length}] ${id}`;
    const line = deps.progress.start(label);
    try {
      checkSignal(signal);
      const detail = await fn((t) => line.update(`${label}: ${t}`));
      stored.state = withStep(stored.state, id, 'done', detail, deps.now());
      await save(kube, ns, stored);
      line.succeed(`${label}: ${detail}`);
    } catch (err) {
      const interrupted = signal?.aborted === true || err instanceof InterruptedError;
      stored.state = withStep(stored.state, id, 'failed', interrupted ? 'interrupted' : firstLine(err), deps.now());
      await save(kube, ns, stored).catch(() => undefined);
      line.fail(`${label}: ${interrupted ? 'interrupted' : firstLine(err)}`);
      if (interrupted) throw new InterruptedError(`interrupted at step ${id} of the rollback; run the same command again to resume from there`, { cause: err });
      throw err;
    }
  };
  await step('rollback/install', async () => {
    // The old revision takes its gateways back (they moved with the install of the new one).
    const render = await deps.render(from, from);
    const plan = await planInstall(kube, render.objects, { revision: from, version: versionOf(render), namespace: render.namespace, takeOver: true });
    await executeInstall(
      plan,
      { kube, progress: quiet(deps.progress), now: () => deps.now().getTime(), sleep: deps.sleep, ...(signal ? { signal } : {}) },
      { readinessTimeoutMs: opts.readinessTimeoutMs },
    );
    return `revision ${from} re-applied (${installSummary(plan)})`;
  });
  await step('rollback/tags', async () => {
    if (stored.state.tags.length === 0) return 'no tag was moved';
    const said: string[] = [];
    for (const t of stored.state.tags) {
      const snap = await readTagSnapshot(kube);
      if (t.from === undefined) {
        // A tag the upgrade created (`default`, leaving the default revision): removed again. The
        // old default's own webhooks, which it had switched off, are active again since
        // rollback/install re-applied them.
        if (snap.mutating.some((w) => tagOf(w) === t.tag)) await applyRemovePlan(planRemove(snap, [], { tag: t.tag, force: true }), { kube });
        said.push(`${t.tag} removed (the upgrade had created it)`);
        continue;
      }
      const plan = planSet(snap, { tag: t.tag, revision: from, istioNamespace: ns, overwrite: true });
      await applySetPlan(plan, { kube });
      said.push(`${t.tag} moved back to ${from}`);
    }
    return said.join(', ');
  });
  for (const name of back) {
    await step(`rollback/namespace/${name}`, async (update) => {
      const parts: string[] = [];
      for (const l of stored.state.labels.filter((x) => x.namespace === name)) {
        await kube.patch({ apiVersion: 'v1', kind: 'Namespace', name }, { metadata: { labels: { [l.key]: l.from ?? null } } }, 'merge');
        parts.push(l.from === undefined ? `label ${l.key} removed` : `labelled ${l.key}=${l.from}`);
      }
      parts.push((await restartNamespace(name, opts, deps, update, signal)).summary);
      const left = await podsOn(kube, opts.istioNamespace, name, to);
      if (left.length > 0)
        throw new FindingsError(`namespace ${name}: ${left.length} pod(s) still on revision ${to} after the restart (${left.slice(0, 5).join(', ')})`);
      return parts.join('; ');
    });
  }
  stored.state = { ...stored.state, status: 'rolled-back' };
  await save(kube, ns, stored);
  return {
    from,
    to,
    outcome: 'rolled-back',
    message: `✔ Rolled back: every moved proxy is on revision ${from} again; revision ${to} is still installed (mesh uninstall -r ${to} removes it).`,
    steps: stored.state.steps,
  };
}

export { MeshError };
