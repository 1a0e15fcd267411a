/**
 * Which objects one control plane sees (pure): the scoping `mesh analyze` applies before the analyzers
 * run, so that with several control planes in a cluster a run analyses the config of one of them.
 *
 * - Revision (`-r R`): istiod of revision R processes only the Istio configuration (and Gateway API)
 *   objects whose `istio.io/rev` label is R or absent (istio's config.LabelsInRevision). Kubernetes
 *   objects (Services, Pods, Namespaces …) are not filtered by revision: istiod discovers them all.
 * - discoverySelectors (mesh config): istiod ignores every namespaced object in a namespace that no
 *   selector selects (the selectors are ORed; no selectors, every namespace). Cluster-scoped objects are
 *   always seen. mesh keeps the control-plane namespace (`-i`) in view whatever the selectors say: the
 *   analyzers check the control plane's own objects there (its webhooks' Services, the gateways).
 *   A namespace whose Namespace object is not known (files only, or a namespace that only the files
 *   name) has unknown labels: its objects are kept.
 * - Namespace selector (`-l`): only the namespaces whose labels match are analysed and reported; the
 *   control-plane namespace stays in view (references into it resolve) but is reported only if it
 *   matches too. A namespace whose Namespace object is not known does not match.
 */
import { labelSelectorMatches, labelsMatchSelectorString } from '../model/label-selector.js';
import { isRecord } from '../util/narrow.js';
import { KINDS, type KindId, type KindInfo } from './kinds.js';
import type { Resource } from './types.js';

export const REVISION_LABEL = 'istio.io/rev';

/** istio's LabelsInRevision: unlabelled objects belong to every revision; '' means no revision asked for. */
export function labelsInRevision(labels: Readonly<Record<string, string>> | undefined, revision: string): boolean {
  const rev = labels?.[REVISION_LABEL];
  if (rev === undefined || revision === '') return true;
  return rev === revision;
}

/** Kinds istiod reads through its revision-filtered config store: Istio configuration and the Gateway API. */
export function revisionScoped(id: KindId): boolean {
  const k: KindInfo = KINDS[id];
  return k.istio === true || k.group === 'gateway.networking.k8s.io';
}

/** The namespace an object is in for scoping: a Namespace is in itself, cluster-scoped objects in none (''). */
export function scopeNamespaceOf(r: Resource): string {
  return r.id === 'Namespace' ? r.name : r.namespace;
}

export interface ScopeOptions {
  /** `-r`; '' or undefined: no revision filter. */
  revision?: string;
  /** The control-plane namespace (`-i`), always in view. */
  istioNamespace: string;
  /** meshConfig.discoverySelectors as read (a list of LabelSelectors); undefined or [] for every namespace. */
  discoverySelectors?: unknown;
  /** `-l`: a label selector (kubectl syntax) the analysed namespaces must match. */
  namespaceSelector?: string;
}

export interface Scoped {
  /** The objects the analysis runs over. */
  kept: Resource[];
  /** Dropped: labelled for another revision. */
  otherRevision: Resource[];
  /** Dropped: in a namespace the discoverySelectors do not select. */
  undiscovered: Resource[];
  /** Dropped: in a namespace `-l` does not select. */
  unselected: Resource[];
  /** With `-l`: the namespaces whose findings are reported (sorted); otherwise undefined. */
  reportNamespaces?: string[];
  /** With discoverySelectors: the known namespaces they do not select (sorted). */
  undiscoveredNamespaces: string[];
}

/** True when `discoverySelectors` names at least one selector (then only selected namespaces are discovered). */
export function hasDiscoverySelectors(discoverySelectors: unknown): boolean {
  return Array.isArray(discoverySelectors) && discoverySelectors.length > 0;
}

/** As istiod: a namespace is discovered when any selector selects its labels; a null or non-map selector selects nothing. */
export function discoveredBy(discoverySelectors: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!hasDiscoverySelectors(discoverySelectors)) return true;
  return (discoverySelectors as unknown[]).some((s) => isRecord(s) && labelSelectorMatches(s, labels));
}

/** Applies revision, discoverySelectors and `-l` to the layered objects (cluster, then files over them). */
export function scopeResources(resources: readonly Resource[], options: ScopeOptions): Scoped {
  const revision = options.revision ?? '';
  const nsLabels = new Map<string, Readonly<Record<string, string>>>();
  for (const r of resources) if (r.id === 'Namespace') nsLabels.set(r.name, r.object.metadata.labels ?? {});

  const undiscoveredNs = new Set<string>();
  if (hasDiscoverySelectors(options.discoverySelectors)) {
    for (const [ns, labels] of nsLabels) if (ns !== options.istioNamespace && !discoveredBy(options.discoverySelectors, labels)) undiscoveredNs.add(ns);
  }
  let selectedNs: Set<string> | undefined;
  if (options.namespaceSelector !== undefined) {
    selectedNs = new Set();
    for (const [ns, labels] of nsLabels) if (!undiscoveredNs.has(ns) && labelsMatchSelectorString(labels, options.namespaceSelector)) selectedNs.add(ns);
  }

  const out: Scoped = { kept: [], otherRevision: [], undiscovered: [], unselected: [], undiscoveredNamespaces: [...undiscoveredNs].sort() };
  for (const r of resources) {
    const ns = scopeNamespaceOf(r);
    if (ns !== '' && undiscoveredNs.has(ns)) out.undiscovered.push(r);
    else if (selectedNs !== undefined && ns !== '' && ns !== options.istioNamespace && !selectedNs.has(ns)) out.unselected.push(r);
    else if (revision !== '' && revisionScoped(r.id) && !labelsInRevision(r.object.metadata.labels, revision)) out.otherRevision.push(r);
    else out.kept.push(r);
  }
  if (selectedNs !== undefined) out.reportNamespaces = [...selectedNs].sort();
  return out;
}

/** True when any scoping applies (otherwise the objects go to the analyzers as read). */
export function scopes(options: ScopeOptions): boolean {
  return (options.revision ?? '') !== '' || hasDiscoverySelectors(options.discoverySelectors) || options.namespaceSelector !== undefined;
}
