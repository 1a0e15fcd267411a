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
import { CRD_API_VERSION, OWNER_NAMESPACE_LABEL, REVISION_LABEL, objectKey, revisionLabelValue, slashName } from './labels.js';
import { listOwned } from './plan.js';
import { deleteOrder } from './order.js';
import { podProxyImage } from './versions.js';


export interface UninstallSelection {
  /** `default`, a revision name, or undefined with purge. */
  revision?: string;
  purge: boolean;
  /** Only the installation whose control plane is in this namespace (from -f). */
  namespace?: string;
}

export interface UninstallPlan {
  objects: KubeObject[];
  /** Proxies (pods with an istio-proxy container) that still use the revision: `ns/name`. */
  proxies: string[];
  /** Gateway Deployments that will be removed. */
  gateways: string[];
}

const NON_BASE = 'Pilot,IngressGateways,EgressGateways,Cni,Ztunnel';

export async function planUninstall(kube: KubeClient, sel: UninstallSelection): Promise<UninstallPlan> {
  const revision = revisionLabelValue(sel.revision);
  const scope = sel.namespace !== undefined && !sel.purge ? `,${OWNER_NAMESPACE_LABEL}=${sel.namespace}` : '';
  const selector = sel.purge ? COMPONENT_LABEL : `${REVISION_LABEL}=${revision},${COMPONENT_LABEL} in (${NON_BASE})${scope}`;
  const owned = await listOwned(kube, selector);
  const objects = [...owned];
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
  try {
    pods = await kube.list('v1', 'Pod', sel.purge ? {} : { labelSelector: `${REVISION_LABEL}=${revision}` });
  } catch (err) {
    throw kubeFailure(err, 'list Pods');
  }
  const proxies = pods
    .filter((p) => podProxyImage(p) !== undefined && !isGatewayPod(p))
    .map((p) => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`)
    .sort();
  const gateways = objects
    .filter((o) => o.kind === 'Deployment' && (componentOf(o) === 'IngressGateways' || componentOf(o) === 'EgressGateways'))
    .map(slashName)
    .sort();
  return { objects: deleteOrder(objects), proxies, gateways };
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
