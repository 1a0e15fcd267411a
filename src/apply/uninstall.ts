/**
 * Uninstall: select what an installation owns by its owner labels, warn about what still depends
 * on it, delete it (webhook configurations first, so nothing keeps calling a departed istiod).
 * A revision keeps the shared Base objects; --purge removes every component of every revision and
 * the Istio CRDs. Namespaces are never deleted.
 */
import { type KubeClient, NotServedError } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { COMPONENT_LABEL, componentOf } from './components.js';
import { type DeleteDeps, type DeleteOptions, deleteAndWait } from './delete.js';
import { kubeFailure } from './errors.js';
import { FindingsError } from '../errors.js';
import { CRD_API_VERSION, OWNER_NAMESPACE_LABEL, REVISION_LABEL, UPGRADE_STATE_LABEL, objectKey, revisionLabelValue, slashName } from './labels.js';
import { listOwned } from './plan.js';
import { deleteOrder } from './order.js';
import { TAG_LABEL, proxyRevision, revisionTags, targetRevision } from '../model/injection.js';

export interface UninstallSelection {
  /** `default`, a revision name, or undefined with purge. */
  revision?: string;
  purge: boolean;
  /** Only the installation whose control plane is in this namespace (from -f). */
  namespace?: string;
  /** Also remove the revision tags that point to it (else uninstall refuses while there are any, see tagRefusal). */
  force?: boolean;
  /**
   * Objects other installed revisions render too (objectKey → revision), from their install records:
   * uninstalling this revision leaves them (e.g. the ingress gateway a canary left to this revision).
   */
  wantedByOthers?: ReadonlyMap<string, string>;
}

export interface UninstallPlan {
  objects: KubeObject[];
  /** Proxies (pods with an istio-proxy container, gateways aside) that still use the revision: `ns/name`. */
  proxies: string[];
  /** Namespaces whose injection labels still point to the revision: new pods there lose their sidecar. */
  namespaces: string[];
  /** Gateway Deployments that will be removed. */
  gateways: string[];
  /** Objects of the revision left in place because another revision still renders them. */
  kept: { object: string; revision: string }[];
  /**
   * Revision tags (istio.io/tag) that point to the revision being removed: their webhook
   * configurations would call an istiod that is gone. With force or purge they are in `objects`.
   * Tags that point to another revision are never touched.
   */
  tags: { tag: string; objects: string[] }[];
}

const NON_BASE = 'Pilot,IngressGateways,EgressGateways,Cni,Ztunnel';

export async function planUninstall(kube: KubeClient, sel: UninstallSelection): Promise<UninstallPlan> {
  const revision = revisionLabelValue(sel.revision);
  const scope = sel.namespace !== undefined && !sel.purge ? `,${OWNER_NAMESPACE_LABEL}=${sel.namespace}` : '';
  const selector = sel.purge ? COMPONENT_LABEL : `${REVISION_LABEL}=${revision},${COMPONENT_LABEL} in (${NON_BASE})${scope}`;
  // A tag's webhook configuration is the tag's, not an installation's (istio/istio#47423): it never goes
  // with another revision, whatever its installer labels say.
  const owned = (await listOwned(kube, selector)).filter((o) => sel.purge || o.metadata.labels?.[TAG_LABEL] === undefined);
  const kept: { object: string; revision: string }[] = [];
  const objects = owned.filter((o) => {
    const other = sel.purge ? undefined : sel.wantedByOthers?.get(objectKey(o));
    if (other !== undefined && other !== revision) kept.push({ object: slashName(o), revision: other });
    return other === undefined || other === revision;
  });
  if (sel.purge) {
    let crds: KubeObject[] = [];
    try {
      crds = await kube.list(CRD_API_VERSION, 'CustomResourceDefinition', { metadataOnly: true });
    } catch (err) {
      if (!(err instanceof NotServedError)) throw kubeFailure(err, 'list CustomResourceDefinitions');
    }
    // What `mesh upgrade` recorded of an upgrade between control planes that are now all gone.
    try {
      for (const cm of await kube.list('v1', 'ConfigMap', { labelSelector: UPGRADE_STATE_LABEL, metadataOnly: true })) {
        objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: cm.metadata });
      }
    } catch (err) {
      throw kubeFailure(err, `list ConfigMaps labelled ${UPGRADE_STATE_LABEL}`);
    }
    const seen = new Set(objects.map(objectKey));
    for (const c of crds) {
      const name = c.metadata.name ?? '';
      const istio = c.metadata.labels?.[COMPONENT_LABEL] !== undefined || /\.istio\.io$/.test(name);
      if (istio && !seen.has(objectKey(c))) objects.push({ apiVersion: CRD_API_VERSION, kind: 'CustomResourceDefinition', metadata: c.metadata });
    }
  }
  let pods: KubeObject[];
  let namespaces: KubeObject[];
  try {
    [pods, namespaces] = await Promise.all([kube.list('v1', 'Pod'), kube.list('v1', 'Namespace')]);
  } catch (err) {
    throw kubeFailure(err, 'list Pods and Namespaces');
  }
  let webhooks: KubeObject[] = [];
  let tagValidators: KubeObject[] = [];
  try {
    [webhooks, tagValidators] = await Promise.all([
      kube.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', { labelSelector: TAG_LABEL, metadataOnly: true }),
      kube.list('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', { labelSelector: TAG_LABEL, metadataOnly: true }),
    ]);
  } catch {
    // Revision tags cannot be read: tags are then taken for revision names.
  }
  const tags = revisionTags(webhooks);
  const tagObjects = [...webhooks, ...tagValidators].filter((w) => sel.purge || w.metadata.labels?.[REVISION_LABEL] === revision);
  const byTag = new Map<string, string[]>();
  for (const w of tagObjects) {
    const t = w.metadata.labels?.[TAG_LABEL] ?? '';
    byTag.set(t, [...(byTag.get(t) ?? []), slashName(w)]);
  }
  const pointingTags = [...byTag].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([tag, names]) => ({ tag, objects: names.sort() }));
  if (sel.purge || sel.force === true) {
    const seen = new Set(objects.map(objectKey));
    for (const w of tagObjects) if (!seen.has(objectKey(w))) objects.push(w);
  }
  const nsLabels = new Map(namespaces.map((n) => [n.metadata.name ?? '', n.metadata.labels ?? {}]));
  const uses = (rev: string | undefined): boolean => rev !== undefined && (sel.purge || rev === revision);
  const proxies = pods
    .filter(
      (p) => p.metadata.deletionTimestamp === undefined && !isGatewayPod(p) && uses(proxyRevision(p, nsLabels.get(p.metadata.namespace ?? '') ?? {}, tags)),
    )
    .map((p) => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`)
    .sort();
  const pointing = namespaces
    .filter((n) => uses(targetRevision(n.metadata.labels ?? {}, {}, tags)))
    .map((n) => n.metadata.name ?? '')
    .sort();
  const gateways = objects
    .filter((o) => o.kind === 'Deployment' && (componentOf(o) === 'IngressGateways' || componentOf(o) === 'EgressGateways'))
    .map(slashName)
    .sort();
  return { objects: deleteOrder(objects), proxies, namespaces: pointing, gateways, kept, tags: pointingTags };
}

/** "3 proxies in 2 namespaces (app: 2, web: 1)": how many and where, for the refusal and the warning. */
export function proxiesWhere(proxies: readonly string[]): string {
  const byNs = new Map<string, number>();
  for (const p of proxies) {
    const ns = p.split('/')[0] ?? '';
    byNs.set(ns, (byNs.get(ns) ?? 0) + 1);
  }
  const where = [...byNs].map(([ns, n]) => `${ns}: ${n}`).join(', ');
  return `${proxies.length} ${proxies.length === 1 ? 'proxy' : 'proxies'} in ${byNs.size} namespace${byNs.size === 1 ? '' : 's'} (${where})`;
}

/**
 * Uninstalling a revision while proxies still use it is refused (exit 79) unless forced; --purge
 * (everything, explicitly) and a dry run only warn.
 */
export function inUseRefusal(plan: UninstallPlan, opts: { revision: string; force: boolean; purge: boolean; dryRun: boolean }): FindingsError | undefined {
  if (plan.proxies.length === 0 || opts.force || opts.purge || opts.dryRun) return undefined;
  return new FindingsError(
    `refusing to uninstall revision ${opts.revision} while ${proxiesWhere(plan.proxies)} still use it; move them first (mesh rollout-restart), or pass --force to remove it anyway`,
  );
}

/**
 * Uninstalling a revision that tags still point to is refused (exit 79) unless forced: their webhooks
 * would call an istiod that is gone (pods of their namespaces could not be created, and a default
 * validator left on it fails every Istio config write: istio/istio#43227). --purge removes them.
 */
export function tagRefusal(plan: UninstallPlan, opts: { revision: string; force: boolean; purge: boolean; dryRun: boolean }): FindingsError | undefined {
  if (plan.tags.length === 0 || opts.force || opts.purge || opts.dryRun) return undefined;
  const list = plan.tags.map((t) => t.tag).join(', ');
  const first = plan.tags[0]?.tag ?? 'TAG';
  return new FindingsError(
    `refusing to uninstall revision ${opts.revision} while revision tag${plan.tags.length === 1 ? '' : 's'} ${list} point${plan.tags.length === 1 ? 's' : ''} to it: point ${plan.tags.length === 1 ? 'it' : 'them'} to another revision first (mesh tag set ${first} -r OTHER --overwrite), remove ${plan.tags.length === 1 ? 'it' : 'them'} (mesh tag remove ${first}), or pass --force to remove ${plan.tags.length === 1 ? 'it' : 'them'} with the revision`,
  );
}

function isGatewayPod(p: KubeObject): boolean {
  const istio = p.metadata.labels?.['istio'];
  return istio === 'ingressgateway' || istio === 'egressgateway' || (istio !== undefined && /gateway/.test(istio));
}

export type UninstallDeps = DeleteDeps;

/** Deletes the plan's objects in its order and waits until they are gone (see deleteAndWait). */
export async function executeUninstall(plan: UninstallPlan, deps: UninstallDeps, opts: DeleteOptions = {}): Promise<string[]> {
  return deleteAndWait(plan.objects, deps, opts);
}
