/**
 * Uninstall: select what an installation owns by its owner labels, warn about what still depends
 * on it, delete it (webhook configurations first, so nothing keeps calling a departed istiod).
 * A revision keeps the shared Base objects; --purge removes every component of every revision and
 * the Istio CRDs. Namespaces are never deleted.
 */
import { type KubeClient, NotServedError } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { COMPONENT_LABEL, componentOf } from './components.js';
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
  let pods: KubeObject[] = [];
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

export interface UninstallDeps {
  kube: KubeClient;
  onDeleted?: (what: string, existed: boolean) => void;
  signal?: AbortSignal;
}

/** Deletes in the plan's order; objects already gone are fine. */
export async function executeUninstall(plan: UninstallPlan, deps: UninstallDeps, opts: { dryRun?: boolean } = {}): Promise<string[]> {
  const removed: string[] = [];
  for (const o of plan.objects) {
    if (deps.signal?.aborted) throw kubeFailure(new Error('interrupted; run the same command again to finish'), 'uninstall');
    let existed: boolean;
    try {
      existed = await deps.kube.delete(
        { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name ?? '', ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) },
        { propagationPolicy: 'Foreground', ...(opts.dryRun ? { dryRun: true } : {}) },
      );
    } catch (err) {
      if (err instanceof NotServedError) continue;
      throw kubeFailure(err, o);
    }
    if (existed) removed.push(slashName(o));
    deps.onDeleted?.(slashName(o), existed);
  }
  return removed;
}


