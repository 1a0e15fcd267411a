/**
 * `mesh upgrade`: what moves from the old revision to the new one (pure, over a snapshot).
 *  - Revision tags that point to the old revision are moved to the new one (every namespace that uses
 *    such a tag moves with it). Leaving the default revision, the tag `default` is set to the new
 *    revision: it takes over `istio-injection=enabled`, `sidecar.istio.io/inject=true` and the default
 *    validator, which must not be left on an istiod about to be removed (istio/istio#43227).
 *  - Namespaces labelled `istio.io/rev=OLD` are relabelled `istio.io/rev=NEW`, one at a time.
 *  - The namespaces to restart: those with a pod whose proxy the old revision injected, or whose labels
 *    point to the old revision, in name order; `--namespaces`/`-l` narrow them to a group.
 */
import { INJECTION_LABEL, REVISION_LABEL, injectedRevision, proxyContainer, resolveRevision, revisionTags } from '../model/injection.js';
import type { KubeObject } from '../model/k8s.js';

export const DEFAULT_TAG = 'default';

export interface ScopeSnapshot {
  istioNamespace: string;
  namespaces: KubeObject[];
  /** Every MutatingWebhookConfiguration (tags are read from them). */
  mutatingWebhooks: KubeObject[];
  /** Pods, cluster-wide. */
  pods: KubeObject[];
}

export interface ScopeFilter {
  /** --namespaces, or the namespaces -l selects: only these. */
  namespaces?: readonly string[];
}

export interface NamespaceScope {
  name: string;
  /** The label change that moves it (istio.io/rev OLD → NEW); undefined when a tag (or nothing) moves it. */
  relabel?: { key: string; from: string; to: string };
  /** Pods whose proxy the old revision injected (not being deleted). */
  podsOnOld: string[];
}

export interface UpgradeScope {
  /** Tags to point to the new revision: name → the revision it points to now (undefined: to create). */
  tags: { tag: string; from: string | undefined }[];
  /** In scope (after the filter), in name order. */
  namespaces: NamespaceScope[];
  /** On the old revision but outside the filter: they keep it alive (no uninstall yet). */
  leftOut: string[];
}

function live(pod: KubeObject): boolean {
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  return pod.metadata.deletionTimestamp === undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

/**
 * The revision that injected the pod's proxy: istiod's sidecar.istio.io/status names the revision
 * itself; a pod that only has an istio.io/rev label (maybe a tag) is resolved through the tags.
 * Undefined without a proxy.
 */
export function podRevision(pod: KubeObject, tags: Readonly<Record<string, string>>): string | undefined {
  if (proxyContainer(pod['spec']) === undefined) return undefined;
  const rev = injectedRevision(pod) ?? 'default';
  return pod.metadata.annotations?.['sidecar.istio.io/status'] !== undefined ? rev : resolveRevision(rev, tags);
}

/** Pods on the old revision, `ns/name`, sorted (gateways of the control-plane namespace aside: the install moves them). */
export function podsOnRevision(snap: ScopeSnapshot, revision: string): string[] {
  const tags = revisionTags(snap.mutatingWebhooks);
  return snap.pods
    .filter((p) => live(p) && p.metadata.namespace !== snap.istioNamespace && podRevision(p, tags) === revision)
    .map((p) => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`)
    .sort();
}

export function upgradeScope(snap: ScopeSnapshot, from: string, to: string, filter: ScopeFilter = {}): UpgradeScope {
  const tags = revisionTags(snap.mutatingWebhooks);
  const moving = Object.entries(tags)
    .filter(([tag, rev]) => rev === from && tag !== to)
    .map(([tag, rev]): { tag: string; from: string | undefined } => ({ tag, from: rev }))
    .sort((a, b) => a.tag.localeCompare(b.tag));
  if (from === DEFAULT_TAG && tags[DEFAULT_TAG] === undefined) moving.unshift({ tag: DEFAULT_TAG, from: undefined });
  // After the move every moved tag resolves to `to`.
  const onOld = new Map<string, string[]>();
  for (const p of snap.pods) {
    const ns = p.metadata.namespace ?? '';
    if (!live(p) || ns === snap.istioNamespace || podRevision(p, tags) !== from) continue;
    onOld.set(ns, [...(onOld.get(ns) ?? []), p.metadata.name ?? '']);
  }
  const all: NamespaceScope[] = [];
  for (const n of snap.namespaces) {
    const name = n.metadata.name ?? '';
    if (name === snap.istioNamespace) continue;
    const labels = n.metadata.labels ?? {};
    const rev = labels[REVISION_LABEL];
    const relabel = labels[INJECTION_LABEL] !== 'enabled' && rev === from && from !== DEFAULT_TAG ? { key: REVISION_LABEL, from, to } : undefined;
    const pods = (onOld.get(name) ?? []).sort();
    if (relabel === undefined && pods.length === 0) continue;
    all.push({ name, ...(relabel ? { relabel } : {}), podsOnOld: pods });
  }
  all.sort((a, b) => a.name.localeCompare(b.name));
  const wanted = (n: NamespaceScope): boolean => filter.namespaces === undefined || filter.namespaces.includes(n.name);
  return { tags: moving, namespaces: all.filter(wanted), leftOut: all.filter((n) => !wanted(n)).map((n) => n.name) };
}
