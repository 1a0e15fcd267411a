/**
 * Sidecar facts per pod: does it carry an istio-proxy, should it get one, and does its sidecar match
 * the control plane its namespace points to. Pure: the namespace, the injector ConfigMaps and the
 * revision tags are passed in. The injection facts themselves live in src/model/injection.ts (shared
 * with analysis) and are re-exported here.
 */
import type { KubeObject } from '../model/k8s.js';
import { imageMatches, injectorConfigMapName, injectorImage, proxyContainer, proxyRevision, targetRevision } from '../model/injection.js';
import { asRecord } from '../util/narrow.js';

export {
  INJECTOR_CONFIGMAP,
  type InjectorImage,
  PROXY_CONTAINER,
  imageMatches,
  injectorConfigMapName,
  injectedRevision,
  injectorImage,
  proxyContainer,
  proxyRevision,
  resolveRevision,
  targetRevision,
} from '../model/injection.js';

export interface SidecarVerdict {
  /** The pod carries an istio-proxy container. */
  hasSidecar: boolean;
  /** The revision its namespace (or its own labels) point to; undefined when it should not be injected. */
  target: string | undefined;
  /** Why the sidecar does not match its control plane; undefined when it matches (or cannot be judged). */
  outdated: string | undefined;
  /** Something that kept the check from being complete (e.g. no injector ConfigMap). */
  warning: string | undefined;
}

export interface SidecarContext {
  nsLabels: Readonly<Record<string, string>>;
  /** Injector ConfigMaps by name. */
  injectors: ReadonlyMap<string, KubeObject>;
  tags: Readonly<Record<string, string>>;
  istioNamespace: string;
}

export function judgeSidecar(pod: KubeObject, ctx: SidecarContext): SidecarVerdict {
  const labels = pod.metadata.labels ?? {};
  const proxy = proxyContainer(pod['spec']);
  const optedOut = pod.metadata.annotations?.['sidecar.istio.io/inject'] === 'false' || asRecord(pod['spec'])['hostNetwork'] === true;
  const target = optedOut ? undefined : targetRevision(ctx.nsLabels, labels, ctx.tags);
  const verdict: SidecarVerdict = { hasSidecar: proxy !== undefined, target, outdated: undefined, warning: undefined };
  if (target === undefined) return verdict;
  if (!proxy) {
    verdict.outdated = `no sidecar, but its namespace injects revision ${target}`;
    return verdict;
  }
  const injected = proxyRevision(pod, ctx.nsLabels, ctx.tags);
  if (injected !== undefined && injected !== target) {
    verdict.outdated = `injected by revision ${injected}, namespace now points to ${target}`;
    return verdict;
  }
  if (pod.metadata.annotations?.['sidecar.istio.io/proxyImage'] !== undefined) return verdict;
  const cmName = injectorConfigMapName(target);
  const cm = ctx.injectors.get(cmName);
  const expected = cm ? injectorImage(cm) : undefined;
  if (!expected) {
    verdict.warning = `no usable ConfigMap ${ctx.istioNamespace}/${cmName}: cannot compare proxy images for revision ${target}`;
    return verdict;
  }
  if (!imageMatches(proxy.image, expected)) verdict.outdated = `proxy image ${proxy.image}, injector has ${expected.image}`;
  return verdict;
}
