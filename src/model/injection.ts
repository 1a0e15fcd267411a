/**
 * Sidecar injection facts shared by rollout-restart, version reporting and analysis: where the
 * istio-proxy container sits in a pod, which revision a namespace or pod points to, what the injector
 * ConfigMap of a revision says (its `values` JSON), and whether a running proxy image is the one the
 * injector would inject. Pure: objects in, plain data out.
 */
import { asArray, asRecord, isRecord, stringOrUndefined } from '../util/narrow.js';
import type { KubeObject } from './k8s.js';

export const PROXY_CONTAINER = 'istio-proxy';
/** Namespace label that turns injection on (`enabled`) or off (`disabled`) for the default revision. */
export const INJECTION_LABEL = 'istio-injection';
/** Namespace or pod label naming the control-plane revision (or tag) that injects it. */
export const REVISION_LABEL = 'istio.io/rev';
/** Pod label (or, deprecated, annotation) asking for or refusing a sidecar. */
export const SIDECAR_INJECT = 'sidecar.istio.io/inject';
/** MutatingWebhookConfiguration label naming the revision tag it serves (its istio.io/rev is the revision). */
export const TAG_LABEL = 'istio.io/tag';
/** Namespace or pod label enrolling it in ambient mode. */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
export const INJECTOR_CONFIGMAP = 'istio-sidecar-injector';

type Dict = Readonly<Record<string, unknown>>;

export interface ProxyContainer {
  image: string;
  /** Where it is: a regular container, or a native sidecar (initContainers with restartPolicy Always). */
  field: 'containers' | 'initContainers';
  index: number;
}

/** The istio-proxy container of a pod spec: a regular container, or a native sidecar in initContainers. */
export function proxyContainer(podSpec: unknown): ProxyContainer | undefined {
  const s = asRecord(podSpec);
  for (const field of ['containers', 'initContainers'] as const) {
    const cs = asArray(s[field]);
    for (let index = 0; index < cs.length; index++) {
      const c = asRecord(cs[index]);
      if (c['name'] === PROXY_CONTAINER) return { image: stringOrUndefined(c['image']) ?? '', field, index };
    }
  }
  return undefined;
}

/** Resolves a revision tag (istio.io/rev=prod-stable) to its revision; a revision resolves to itself. */
export function resolveRevision(revOrTag: string, tags: Readonly<Record<string, string>>): string {
  return tags[revOrTag] ?? revOrTag;
}

/** Revision tags from MutatingWebhookConfigurations labelled istio.io/tag (tag) and istio.io/rev (its revision). */
export function revisionTags(webhookConfigs: readonly KubeObject[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const w of webhookConfigs) {
    const tag = w.metadata.labels?.[TAG_LABEL];
    const rev = w.metadata.labels?.['istio.io/rev'];
    if (tag !== undefined && rev !== undefined) tags[tag] = rev;
  }
  return tags;
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

/** The revision named by a pod's sidecar.istio.io/status annotation (istiod writes it at injection), or undefined. */
export function statusRevision(pod: KubeObject): string | undefined {
  const statusJson = pod.metadata.annotations?.['sidecar.istio.io/status'];
  if (statusJson === undefined) return undefined;
  try {
    const rev = stringOrUndefined(asRecord(JSON.parse(statusJson))['revision']);
    return rev !== undefined && rev !== '' ? rev : undefined;
  } catch {
    return undefined; // not JSON
  }
}

/** The revision that injected a pod: the sidecar.istio.io/status annotation's, else its istio.io/rev label (maybe a tag). */
export function injectedRevision(pod: KubeObject): string | undefined {
  const rev = statusRevision(pod);
  if (rev !== undefined) return rev;
  const label = pod.metadata.labels?.[REVISION_LABEL];
  return label !== undefined && label !== '' ? label : undefined;
}

/**
 * The one answer to "which control-plane revision does this pod's proxy use?", shared by uninstall
 * (which refuses while proxies use the revision) and rollout-restart: the revision that injected it
 * (sidecar.istio.io/status, else the pod's istio.io/rev label), else the revision its namespace
 * points to (istio-injection=enabled → default, istio.io/rev), else default. Tags are resolved,
 * but not in the status annotation, which names the revision itself.
 * Undefined for a pod without an istio-proxy container.
 */
export function proxyRevision(pod: KubeObject, nsLabels: Readonly<Record<string, string>>, tags: Readonly<Record<string, string>>): string | undefined {
  if (proxyContainer(pod['spec']) === undefined) return undefined;
  // istiod writes its own revision into sidecar.istio.io/status: a revision, never a tag, so it is
  // not resolved (the tag `default` would otherwise turn a proxy of the default revision into one
  // of the revision the tag points to, after a canary upgrade from default).
  const written = statusRevision(pod);
  if (written !== undefined) return written;
  const label = pod.metadata.labels?.[REVISION_LABEL];
  if (label !== undefined && label !== '') return resolveRevision(label, tags);
  return targetRevision(nsLabels, { ...(pod.metadata.labels ?? {}), [SIDECAR_INJECT]: 'true' }, tags) ?? 'default';
}

/** The injector ConfigMap name for a revision: istio-sidecar-injector or istio-sidecar-injector-REV. */
export function injectorConfigMapName(revision: string): string {
  return revision === '' || revision === 'default' ? INJECTOR_CONFIGMAP : `${INJECTOR_CONFIGMAP}-${revision}`;
}

/** The parsed `values` JSON of an injector ConfigMap (the Helm values it was rendered with), or undefined. */
export function injectorValues(cm: KubeObject): Dict | undefined {
  const raw = asRecord(cm['data'])['values'];
  if (typeof raw !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface InjectorImage {
  /** hub/image:tag (or global.proxy.image when it is a full reference). */
  image: string;
  /** global.variant, e.g. distroless ('' when none). */
  variant: string;
}

/**
 * The proxy image an injector ConfigMap injects, from its `values` JSON (global.hub, global.proxy.image,
 * global.tag, as the injection template combines them). Undefined when the values do not say.
 */
export function injectorImage(cm: KubeObject): InjectorImage | undefined {
  const values = injectorValues(cm);
  if (!values) return undefined;
  const global = asRecord(values['global']);
  const image = stringOrUndefined(asRecord(global['proxy'])['image']) ?? 'proxyv2';
  const variant = stringOrUndefined(global['variant']) ?? '';
  if (image.includes('/')) return { image, variant };
  const hub = stringOrUndefined(global['hub']) ?? '';
  const rawTag = global['tag'];
  const tag = typeof rawTag === 'string' ? rawTag : typeof rawTag === 'number' ? String(rawTag) : '';
  if (hub === '' || tag === '') return undefined;
  return { image: `${hub}/${image}:${tag}`, variant };
}

export interface ImageRef {
  /** Registry host ('' when the reference names none, i.e. Docker Hub). */
  host: string;
  /** Repository path without the host, e.g. istio/proxyv2 (library/ added for single names). */
  path: string;
  tag: string;
  /** sha256:… ('' when none). */
  digest: string;
}

/** Splits an image reference into host, repository path, tag and digest. */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref.trim();
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let host = '';
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      host = first;
      rest = rest.slice(slash + 1);
    }
  }
  const path = host === '' && !rest.includes('/') ? `library/${rest}` : rest;
  return { host, path, tag, digest };
}

/** Image flavours Istio publishes (ProxyConfig image.imageType can pick one per mesh, namespace or pod). */
const KNOWN_VARIANTS = ['distroless', 'debug'];

/**
 * Does a running proxy image match the injector's? Beyond the exact reference it accepts:
 *  - a `-<variant>` suffix on the tag: the injector's global.variant, or distroless/debug (chosen by
 *    ProxyConfig image.imageType for a mesh, namespace or pod);
 *  - the same repository path and tag from another registry host (a mirror, e.g. regional registries);
 *  - the same digest, whatever the host, path or tag (and a digest-only reference against a tag-only
 *    one counts as a match: the two cannot be compared).
 */
export function imageMatches(actual: string, expected: InjectorImage): boolean {
  if (actual === expected.image) return true;
  const a = parseImageRef(actual);
  const e = parseImageRef(expected.image);
  if (a.digest !== '' && e.digest !== '') return a.digest === e.digest;
  // One side pinned by digest alone, the other by tag alone: nothing to compare, so no mismatch.
  if ((a.digest !== '' && a.tag === '') || (e.digest !== '' && e.tag === '')) return true;
  if (a.path !== e.path) return false;
  if (a.tag === e.tag) return true;
  if (!a.tag.startsWith(`${e.tag}-`)) return false;
  const suffix = a.tag.slice(e.tag.length + 1);
  return suffix === expected.variant || KNOWN_VARIANTS.includes(suffix);
}
