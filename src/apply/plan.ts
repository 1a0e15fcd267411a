/**
 * Planning an install: what the cluster holds now versus what was rendered. Existing objects are
 * compared through a server-side apply dry-run (so defaulting, SSA merging and field ownership are
 * the server's), new ones are creates, and objects that carry this installation's owner labels but
 * were not rendered any more are to be pruned (never CRDs).
 */
import { InputError, type MeshError } from '../errors.js';
import { type KubeClient, KubeApiError, NotServedError } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { type ComponentName, componentOf } from './components.js';
import { changedPaths } from './diff.js';
import { kubeFailure } from './errors.js';
import {
  FIELD_MANAGER,
  NOT_PRUNED_LABEL,
  carryOverIstiodFields,
  claimObject,
  OWNED_KINDS,
  REVISION_LABEL,
  installationSelector,
  objectKey,
  revisionLabelValue,
  stampOwnerLabels,
} from './labels.js';
import { mapLimit } from '../util/pool.js';

export type Action = 'create' | 'update' | 'unchanged';

export interface PlannedObject {
  component: ComponentName;
  /** The object to apply, owner labels stamped. */
  object: KubeObject;
  action: Action;
  /** For updates: the paths that would change. */
  changes: string[];
  /**
   * For creates: what the API server said of the new object in a dry run, or why it could not be
   * asked (its CRD comes with this install).
   */
  serverCheck?: ServerCheck;
}

export type ServerCheck = { result: 'accepted'; note?: string } | { result: 'rejected'; error: MeshError } | { result: 'not-checked'; why: string };

export interface InstallPlan {
  /** Revision label value: `default` or the revision name. */
  revision: string;
  targetVersion: string;
  /** Namespaces to create first. */
  namespaces: string[];
  /** Labels for the namespaces to create, from rendered Namespace objects (e.g. topology.istio.io/network). */
  namespaceLabels?: Record<string, Record<string, string>>;
  objects: PlannedObject[];
  /** Live objects to delete after everything else is ready. */
  prune: KubeObject[];
  /** Version of the control plane of the same revision already in the cluster, if any. */
  existingVersion?: string;
  /**
   * Rendered objects that another revision installed and that this install leaves to it (gateways,
   * CNI…; see claimObject): neither applied nor pruned. Empty with `takeOver`.
   */
  otherRevision: OtherRevisionObject[];
}

export interface OtherRevisionObject {
  component: ComponentName;
  /** The rendered object (owner labels of this install stamped). */
  object: KubeObject;
  /** The revision that owns the live object. */
  owner: string;
}

export interface PlanOptions {
  revision: string | undefined;
  /** The Istio version being installed (stamped as operator.istio.io/version). */
  version: string;
  /** The control-plane namespace; created if missing even when nothing renders into it. */
  namespace: string;
  /** Move objects another revision installed (gateways, CNI…) to this one instead of leaving them. */
  takeOver?: boolean;
}

export const CONCURRENCY = 8;

export async function planInstall(kube: KubeClient, rendered: readonly KubeObject[], opts: PlanOptions): Promise<InstallPlan> {
  const desired = rendered
    .filter((o) => o.kind !== 'Namespace')
    .map((o) => stampOwnerLabels(o, { revision: opts.revision, version: opts.version, namespace: opts.namespace }));
  const wantedNamespaces = new Set<string>([opts.namespace]);
  for (const o of rendered) if (o.kind === 'Namespace' && o.metadata.name) wantedNamespaces.add(o.metadata.name);
  for (const o of desired) if (o.metadata.namespace) wantedNamespaces.add(o.metadata.namespace);
  const missing = new Set<string>();
  await mapLimit([...wantedNamespaces], CONCURRENCY, async (ns) => {
    const live = await guard(() => kube.get({ apiVersion: 'v1', kind: 'Namespace', name: ns }), `Namespace ${ns}`);
    if (live === undefined) missing.add(ns);
  });

  const planned = await mapLimit(desired, CONCURRENCY, async (rendered): Promise<PlannedObject | OtherRevisionObject> => {
    const component = componentOf(rendered);
    const ns = rendered.metadata.namespace;
    // New objects go through the API server's validation first (a dry-run create), so that an
    // invalid overlay fails the plan before anything changes. One whose namespace comes with this
    // install is checked in `default` instead: the schema is the same.
    if (ns !== undefined && missing.has(ns))
      return { component, object: rendered, action: 'create', changes: [], serverCheck: await dryRunCreate(kube, rendered, ns) };
    const live = await getIfServed(kube, rendered);
    if (live === NOT_SERVED) return { component, object: rendered, action: 'create', changes: [], serverCheck: notServed(rendered) };
    if (live === undefined) return { component, object: rendered, action: 'create', changes: [], serverCheck: await dryRunCreate(kube, rendered) };
    const claim = claimObject(rendered, live, { revision: opts.revision, ...(opts.takeOver !== undefined ? { takeOver: opts.takeOver } : {}) });
    if (claim.claim === 'other') return { component, object: rendered, owner: claim.owner };
    const object = carryOverIstiodFields(claim.object, live);
    const after = await guard(() => kube.apply(object, { fieldManager: FIELD_MANAGER, force: true, dryRun: true }), object);
    const changes = changedPaths(live, after);
    return { component, object, action: changes.length > 0 ? 'update' : 'unchanged', changes };
  });

  // A component another revision owns part of (its gateway Deployment) is left whole: the canary
  // must not add an autoscaler or a budget to a gateway it does not own.
  const leftComponents = new Map<ComponentName, string>();
  for (const p of planned) if (!('action' in p)) leftComponents.set(p.component, p.owner);
  const settled = planned.map((p): PlannedObject | OtherRevisionObject => {
    const owner = 'action' in p ? leftComponents.get(p.component) : undefined;
    return owner !== undefined ? { component: p.component, object: p.object, owner } : p;
  });
  const objects = settled.filter((p): p is PlannedObject => 'action' in p);
  const otherRevision = settled.filter((p): p is OtherRevisionObject => !('action' in p));
  const keep = new Set(desired.map(objectKey));
  const owned = await listOwned(kube, installationSelector(opts.revision, opts.namespace));
  const prune = owned.filter((o) => !keep.has(objectKey(o)) && o.metadata.labels?.[NOT_PRUNED_LABEL] !== 'true');

  const namespaceLabels: Record<string, Record<string, string>> = {};
  for (const o of rendered)
    if (o.kind === 'Namespace' && o.metadata.name && missing.has(o.metadata.name) && o.metadata.labels) namespaceLabels[o.metadata.name] = o.metadata.labels;
  const plan: InstallPlan = {
    revision: revisionLabelValue(opts.revision),
    targetVersion: opts.version,
    namespaces: [...missing].sort(),
    objects,
    prune,
    otherRevision,
    ...(Object.keys(namespaceLabels).length > 0 ? { namespaceLabels } : {}),
  };
  const existing = await controlPlaneVersion(kube, revisionLabelValue(opts.revision));
  if (existing !== undefined) plan.existingVersion = existing;
  return plan;
}

export function hasChanges(plan: InstallPlan): boolean {
  return plan.namespaces.length > 0 || plan.prune.length > 0 || plan.objects.some((o) => o.action !== 'unchanged');
}

export function countActions(plan: InstallPlan): Record<Action | 'prune', number> {
  const c = { create: 0, update: 0, unchanged: 0, prune: plan.prune.length };
  for (const o of plan.objects) c[o.action]++;
  return c;
}

/** Every object of the owned kinds that matches the selector, across namespaces. Kinds not served are skipped. */
export async function listOwned(kube: KubeClient, labelSelector: string): Promise<KubeObject[]> {
  const lists = await mapLimit(OWNED_KINDS, CONCURRENCY, async (k) => {
    try {
      return await kube.list(k.apiVersion, k.kind, { labelSelector });
    } catch (err) {
      if (err instanceof NotServedError) return [];
      throw kubeFailure(err, `list ${k.kind}`);
    }
  });
  return lists.flat();
}

const NOT_SERVED = Symbol('not served');

async function getIfServed(kube: KubeClient, o: KubeObject): Promise<KubeObject | undefined | typeof NOT_SERVED> {
  try {
    return await kube.get({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name ?? '',
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    });
  } catch (err) {
    // A kind whose CRD is part of this install is not served yet: it is a create.
    if (err instanceof NotServedError) return NOT_SERVED;
    throw kubeFailure(err, o);
  }
}

function notServed(o: KubeObject): ServerCheck {
  return { result: 'not-checked', why: `${o.kind} is not served yet (its CRD comes with this install)` };
}

/**
 * A new object through the API server's validation and admission (webhooks included), storing
 * nothing. `missingNamespace`: its namespace does not exist yet, so it is sent to `default`.
 */
async function dryRunCreate(kube: KubeClient, o: KubeObject, missingNamespace?: string): Promise<ServerCheck> {
  const probe = missingNamespace === undefined ? o : { ...o, metadata: { ...o.metadata, namespace: 'default' } };
  try {
    await kube.apply(probe, { fieldManager: FIELD_MANAGER, force: true, dryRun: true });
    return missingNamespace === undefined
      ? { result: 'accepted' }
      : { result: 'accepted', note: `checked in namespace default: ${missingNamespace} comes with this install` };
  } catch (err) {
    if (err instanceof NotServedError) return notServed(o);
    // No namespace default to check it in (a 404 for the namespace): the create will tell.
    if (missingNamespace !== undefined && err instanceof KubeApiError && err.status === 404)
      return { result: 'not-checked', why: `namespace ${missingNamespace} comes with this install` };
    const failure = kubeFailure(err, o);
    if (missingNamespace !== undefined && err instanceof KubeApiError && err.status === 403)
      return { result: 'not-checked', why: `namespace ${missingNamespace} comes with this install` };
    // Refusals of the object are the answer; a cluster that cannot be reached fails the plan.
    if (failure instanceof InputError || (err instanceof KubeApiError && (err.status === 400 || err.status === 422 || err.status === 409)))
      return { result: 'rejected', error: failure };
    throw failure;
  }
}

async function guard<T>(fn: () => Promise<T>, what: KubeObject | string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw kubeFailure(err, what);
  }
}

/**
 * The version of the istiod of this revision found in the cluster: the `operator.istio.io/version`
 * label, else the tag of its first container's image.
 */
export async function controlPlaneVersion(kube: KubeClient, revision: string): Promise<string | undefined> {
  let deployments: KubeObject[];
  try {
    deployments = await kube.list('apps/v1', 'Deployment', { labelSelector: `app=istiod,${REVISION_LABEL}=${revision}` });
  } catch (err) {
    throw kubeFailure(err, 'list istiod Deployments');
  }
  for (const d of deployments) {
    const v = d.metadata.labels?.['operator.istio.io/version'];
    if (v) return v;
    const tag = imageTag(firstContainerImage(d));
    if (tag) return tag;
  }
  return undefined;
}

export function firstContainerImage(workload: KubeObject): string | undefined {
  const spec = (workload['spec'] as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec;
  return spec?.containers?.[0]?.image;
}

/** `hub/pilot:1.31.1-distroless` → `1.31.1-distroless`; digests and missing tags → undefined. */
export function imageTag(image: string | undefined): string | undefined {
  if (image === undefined) return undefined;
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : undefined;
}

/** Upgrade/downgrade between two versions of the same revision, by numeric comparison of x.y.z. */
export function versionChange(from: string, to: string): 'upgrade' | 'downgrade' | 'same' {
  const parse = (v: string): number[] => (v.match(/^v?(\d+)\.(\d+)(?:\.(\d+))?/)?.slice(1) ?? []).map((x) => Number(x ?? 0));
  const a = parse(from);
  const b = parse(to);
  if (a.length === 0 || b.length === 0) return from === to ? 'same' : 'upgrade';
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) < (b[i] ?? 0)) return 'upgrade';
    if ((a[i] ?? 0) > (b[i] ?? 0)) return 'downgrade';
  }
  return 'same';
}
