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
import { CRD_API_VERSION, OWNER_NAMESPACE_LABEL, REVISION_LABEL, objectKey, revisionLabelValue, slashName } from './labels.js';
import { listOwned } from './plan.js';
import { deleteOrder } from './order.js';
import { proxyRevision, revisionTags, targetRevision } from '../model/injection.js';

export interface UninstallSelection {
  /** `default`, a revision name, or undefined with purge. */
  revision?: string;
  purge: boolean;
  /** Only the installation whose control plane is in this namespace (from -f). */
  namespace?: string;
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
}

const NON_BASE = 'Pilot,IngressGateways,EgressGateways,Cni,Ztunnel';

export async function planUninstall(kube: KubeClient, sel: UninstallSelection): Promise<UninstallPlan> {
  const revision = revisionLabelValue(sel.revision);
  const scope = sel.namespace !== undefined && !sel.purge ? `,${OWNER_NAMESPACE_LABEL}=${sel.namespace}` : '';
  const selector = sel.purge ? COMPONENT_LABEL : `${REVISION_LABEL}=${revision},${COMPONENT_LABEL} in (${NON_BASE})${scope}`;
  const owned = await listOwned(kube, selector);
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
  try {
    webhooks = await kube.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', { labelSelector: 'istio.io/tag', metadataOnly: true });
  } catch {
    // Revision tags cannot be read: tags are then taken for revision names.
  }
  const tags = revisionTags(webhooks);
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
  return { objects: deleteOrder(objects), proxies, namespaces: pointing, gateways, kept };
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

function isGatewayPod(p: KubeObject): boolean {
  const istio = p.metadata.labels?.['istio'];
  return istio === 'ingressgateway' || istio === 'egressgateway' || (istio !== undefined && /gateway/.test(istio));
}

export type UninstallDeps = DeleteDeps;

/** Deletes the plan's objects in its order and waits until they are gone (see deleteAndWait). */
export async function executeUninstall(plan: UninstallPlan, deps: UninstallDeps, opts: DeleteOptions = {}): Promise<string[]> {
  return deleteAndWait(plan.objects, deps, opts);
}
