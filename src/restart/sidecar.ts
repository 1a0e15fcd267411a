/**
 * Sidecar facts per pod: does it carry an istio-proxy, should it get one, and does its sidecar match
 * the control plane its namespace points to. Pure: the namespace, the injector ConfigMaps and the
 * revision tags are passed in.
 */
import type { KubeObject } from '../model/k8s.js';
import { arr, obj, str, strings } from './k8s.js';

export const PROXY_CONTAINER = 'istio-proxy';
export const INJECTOR_CONFIGMAP = 'istio-sidecar-injector';

/** The istio-proxy container of a pod spec: a regular container, or a native sidecar in initContainers. */
export function proxyContainer(podSpec: unknown): { image: string } | undefined {
  const s = obj(podSpec);
  for (const c of [...arr(s['containers']), ...arr(s['initContainers'])]) {
    const x = obj(c);
    if (x['name'] === PROXY_CONTAINER) return { image: str(x['image']) ?? '' };
  }
  return undefined;
}

/** The revision that injected a pod: the sidecar.istio.io/status annotation, else the istio.io/rev label. */
export function injectedRevision(pod: KubeObject): string | undefined {
  const statusJson = pod.metadata.annotations?.['sidecar.istio.io/status'];
  if (statusJson !== undefined) {
    try {
      const rev = str(obj(JSON.parse(statusJson))['revision']);
      if (rev !== undefined && rev !== '') return rev;
    } catch {
      // not JSON: fall through to the label
    }
  }
  return pod.metadata.labels?.['istio.io/rev'];
}

/** Resolves a revision tag (istio.io/rev=prod-stable) to its revision; a revision resolves to itself. */
export function resolveRevision(revOrTag: string, tags: Readonly<Record<string, string>>): string {
  return tags[revOrTag] ?? revOrTag;
}

/**
 * The revision whose injector a pod with these labels in this namespace goes to, or undefined when the
 * pod is not injected. Follows the selectors of Istio's injection webhook: `sidecar.istio.io/inject=false`
 * on the pod opts out; the namespace's `istio-injection=enabled` wins over its `istio.io/rev`; a namespace
 * without either lets the pod choose with `istio.io/rev` or `sidecar.istio.io/inject=true` (default).
 */
export function targetRevision(
  nsLabels: Readonly<Record<string, string>>,
  podLabels: Readonly<Record<string, string>>,
  tags: Readonly<Record<string, string>>,
): string | undefined {
  if (podLabels['sidecar.istio.io/inject'] === 'false') return undefined;
  const nsInjection = nsLabels['istio-injection'];
  if (nsInjection === 'disabled') return undefined;
  if (nsInjection === 'enabled') return resolveRevision('default', tags);
  const nsRev = nsLabels['istio.io/rev'];
  if (nsRev !== undefined && nsRev !== '') return resolveRevision(nsRev, tags);
  const podRev = podLabels['istio.io/rev'];
  if (podRev !== undefined && podRev !== '') return resolveRevision(podRev, tags);
  if (podLabels['sidecar.istio.io/inject'] === 'true') return resolveRevision('default', tags);
  return undefined;
}

/** The injector ConfigMap name for a revision: istio-sidecar-injector or istio-sidecar-injector-REV. */
export function injectorConfigMapName(revision: string): string {
  return revision === '' || revision === 'default' ? INJECTOR_CONFIGMAP : `${INJECTOR_CONFIGMAP}-${revision}`;
}

export interface InjectorImage {
  /** hub/image:tag (or global.proxy.image when it is a full reference). */
  image: string;
  /** global.variant, e.g. distroless ('' when none). */
  variant: string;
}

/** The proxy image an injector ConfigMap injects, from its `values` JSON (global.hub, global.proxy.image, global.tag). */
export function injectorImage(cm: KubeObject): InjectorImage | undefined {
  const raw = strings(cm['data'])['values'];
  if (raw === undefined) return undefined;
  let values: Record<string, unknown>;
  try {
    values = obj(JSON.parse(raw));
  } catch {
    return undefined;
  }
  const global = obj(values['global']);
  const image = str(obj(global['proxy'])['image']) ?? 'proxyv2';
  const variant = str(global['variant']) ?? '';
  if (image.includes('/')) return { image, variant };
  const hub = str(global['hub']) ?? '';
  const tag = str(global['tag']) ?? '';
  return { image: `${hub}/${image}:${String(tag)}`, variant };
}

/** Does a running proxy image match the injector's? Accepts a `-<variant>` suffix on the tag (e.g. -distroless). */
export function imageMatches(actual: string, expected: InjectorImage): boolean {
  if (actual === expected.image) return true;
  if (!actual.startsWith(expected.image + '-')) return false;
  const suffix = actual.slice(expected.image.length + 1);
  return /^[a-z0-9]+$/.test(suffix) && (expected.variant === '' || suffix === expected.variant);
}

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
  const optedOut = pod.metadata.annotations?.['sidecar.istio.io/inject'] === 'false' || obj(pod['spec'])['hostNetwork'] === true;
  const target = optedOut ? undefined : targetRevision(ctx.nsLabels, labels, ctx.tags);
  const verdict: SidecarVerdict = { hasSidecar: proxy !== undefined, target, outdated: undefined, warning: undefined };
  if (target === undefined) return verdict;
  if (!proxy) {
    verdict.outdated = `no sidecar, but its namespace injects revision ${target}`;
    return verdict;
  }
  const injected = injectedRevision(pod);
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
