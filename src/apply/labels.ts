/**
 * Owner labels: what marks an object as belonging to an installation, so that a later install can
 * prune it and uninstall can find it. Names are Istio's (operator/pkg/manifest/name.go).
 */
import type { KubeObject } from '../model/k8s.js';
import { REVISION_LABEL } from '../model/injection.js';
import { COMPONENT_LABEL, type ComponentName, componentOf } from './components.js';

export const MANAGED_LABEL = 'operator.istio.io/managed';
export const VERSION_LABEL = 'operator.istio.io/version';
export { REVISION_LABEL } from '../model/injection.js';
export const NOT_PRUNED_LABEL = 'install.operator.istio.io/owning-resource-not-pruned';
/** The control-plane namespace of the installation an object belongs to (istioctl: the IstioOperator's namespace). */
export const OWNER_NAMESPACE_LABEL = 'install.operator.istio.io/owning-resource-namespace';
export const MANAGED_VALUE = 'Reconcile';

/** The field manager for every server-side apply mesh sends. */
export const FIELD_MANAGER = 'mesh';
/** The label of `mesh upgrade`'s state ConfigMap (mesh-upgrade): uninstall --purge removes it with the control planes. */
export const UPGRADE_STATE_LABEL = 'mesh/upgrade-state';

/** `default` for the unrevisioned control plane, as istioctl labels it. */
export function revisionLabelValue(revision: string | undefined): string {
  return revision === undefined || revision === '' ? 'default' : revision;
}

export interface OwnerOptions {
  revision: string | undefined;
  version: string;
  /** The control-plane namespace; two installations in different namespaces never prune each other. */
  namespace?: string;
}

export function ownerLabels(opts: OwnerOptions & { component: ComponentName }): Record<string, string> {
  return {
    ...(opts.namespace !== undefined ? { [OWNER_NAMESPACE_LABEL]: opts.namespace } : {}),
    [MANAGED_LABEL]: MANAGED_VALUE,
    [VERSION_LABEL]: opts.version,
    [REVISION_LABEL]: revisionLabelValue(opts.revision),
    [COMPONENT_LABEL]: opts.component,
  };
}

/** A copy of the object with the owner labels stamped on (the object's own labels keep precedence for the component). */
export function stampOwnerLabels(obj: KubeObject, opts: OwnerOptions): KubeObject {
  const copy = structuredClone(obj);
  const component = componentOf(obj);
  copy.metadata.labels = { ...(copy.metadata.labels ?? {}), ...ownerLabels({ ...opts, component }) };
  delete copy.metadata.managedFields;
  delete copy.metadata.resourceVersion;
  delete copy.metadata.uid;
  delete copy.metadata.creationTimestamp;
  delete copy['status'];
  dropEmptyCaBundles(copy);
  return copy;
}

/**
 * istiod patches its CA into the webhook configurations that point at it. An empty caBundle in the
 * rendered object is a placeholder, not a wish: it is left out of the apply, and carryOverIstiodFields()
 * keeps the live value (clientConfig is replaced as a whole by an apply), so re-installing does not
 * break the webhooks and a no-op stays a no-op.
 */
function dropEmptyCaBundles(obj: KubeObject): void {
  if (obj.kind !== 'MutatingWebhookConfiguration' && obj.kind !== 'ValidatingWebhookConfiguration') return;
  const webhooks = obj['webhooks'];
  if (!Array.isArray(webhooks)) return;
  for (const w of webhooks as { clientConfig?: { caBundle?: unknown } }[]) {
    if (w.clientConfig && (w.clientConfig.caBundle === '' || w.clientConfig.caBundle === null)) delete w.clientConfig.caBundle;
  }
}

/** Selects what an installation of this revision owns (all components). */
export function installationSelector(revision: string | undefined, namespace?: string): string {
  const ns = namespace !== undefined ? `,${OWNER_NAMESPACE_LABEL}=${namespace}` : '';
  return `${MANAGED_LABEL}=${MANAGED_VALUE},${REVISION_LABEL}=${revisionLabelValue(revision)},${COMPONENT_LABEL}${ns}`;
}

/**
 * Kinds that carry owner labels and that prune/uninstall look through (istioctl's list, plus
 * StatefulSet). CRDs are listed separately: prune never touches them; only uninstall --purge does.
 */
export const OWNED_KINDS: readonly { apiVersion: string; kind: string; namespaced: boolean }[] = [
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', namespaced: false },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', namespaced: false },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', namespaced: true },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespaced: true },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true },
  { apiVersion: 'v1', kind: 'Secret', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true },
  { apiVersion: 'v1', kind: 'ResourceQuota', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', namespaced: false },
  { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', namespaced: true },
];

export const CRD_API_VERSION = 'apiextensions.k8s.io/v1';

/** A stable key for an object: group/Kind/namespace/name (the version does not matter). */
export function objectKey(o: { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string } }): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${group}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/** `Deployment/istio-system/istiod` — istioctl's way of naming objects in progress lines. */
export function slashName(o: { kind: string; metadata: { name?: string; namespace?: string } }): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name ?? ''}` : `${o.kind}/${o.metadata.name ?? ''}`;
}

/**
 * A copy of a rendered webhook configuration that keeps what istiod owns in the live one: the
 * caBundle it patched in, and — for validation — the `Fail` failurePolicy it switches to once it
 * has proven it rejects invalid config (the rendered `Ignore` is only the starting point, so that
 * config can be written while no istiod runs). Re-applying never reopens validation.
 */
export function carryOverIstiodFields(desired: KubeObject, live: KubeObject | undefined): KubeObject {
  if (live === undefined || (desired.kind !== 'MutatingWebhookConfiguration' && desired.kind !== 'ValidatingWebhookConfiguration')) return desired;
  type Hook = { name?: string; failurePolicy?: unknown; clientConfig?: { caBundle?: unknown } };
  const liveHooks = new Map(((live['webhooks'] ?? []) as Hook[]).map((w) => [w.name, w]));
  const copy = structuredClone(desired);
  for (const w of (copy['webhooks'] ?? []) as Hook[]) {
    const l = liveHooks.get(w.name);
    const ca = l?.clientConfig?.caBundle;
    if (w.clientConfig && w.clientConfig.caBundle === undefined && typeof ca === 'string' && ca !== '') w.clientConfig.caBundle = ca;
    if (desired.kind === 'ValidatingWebhookConfiguration' && w.failurePolicy === 'Ignore' && l?.failurePolicy === 'Fail') w.failurePolicy = 'Fail';
  }
  return copy;
}

/**
 * The revision of the installation that owns a live object: its istio.io/rev label when an installer
 * (mesh or istioctl) manages it, else undefined (an object nobody installed, or a hand-made one).
 */
export function ownerRevision(live: KubeObject): string | undefined {
  const labels = live.metadata.labels ?? {};
  return labels[MANAGED_LABEL] === MANAGED_VALUE ? labels[REVISION_LABEL] : undefined;
}

/**
 * What an install of one revision may do with an object that already exists:
 *  - `own`: it is this revision's (or nobody's): apply it as rendered;
 *  - `shared`: a Base object (CRDs, the reader account) that another revision installed: its content
 *    is applied, but its owner labels stay those of the revision that owns it (one owner per object,
 *    so uninstalling either revision leaves it, and only --purge removes it);
 *  - `other`: an object of another component that another revision installed (an ingress gateway,
 *    the CNI node agent…): left alone, unless `takeOver` asks to move it to this revision.
 */
export type Claim = { claim: 'own'; object: KubeObject } | { claim: 'shared'; object: KubeObject; owner: string } | { claim: 'other'; owner: string };

export function claimObject(desired: KubeObject, live: KubeObject | undefined, opts: { revision: string | undefined; takeOver?: boolean }): Claim {
  if (live === undefined) return { claim: 'own', object: desired };
  const owner = ownerRevision(live);
  if (owner === undefined || owner === revisionLabelValue(opts.revision)) return { claim: 'own', object: desired };
  if (componentOf(desired) === 'Base') {
    const object = structuredClone(desired);
    const labels: Record<string, string> = { ...(object.metadata.labels ?? {}), [REVISION_LABEL]: owner };
    const ownerNs = live.metadata.labels?.[OWNER_NAMESPACE_LABEL];
    if (ownerNs !== undefined) labels[OWNER_NAMESPACE_LABEL] = ownerNs;
    else delete labels[OWNER_NAMESPACE_LABEL];
    object.metadata.labels = labels;
    return { claim: 'shared', object, owner };
  }
  if (opts.takeOver === true) return { claim: 'own', object: desired };
  return { claim: 'other', owner };
}
