/**
 * Workloads and label selectors, shared by the analyzers that check what a `selector` /
 * `workloadSelector` picks. A workload is a Pod, the pod template of a Deployment, StatefulSet or
 * DaemonSet (so files without Pods are analysed too), or a WorkloadEntry. An index by label pair
 * keeps selection close to linear: a selector is matched only against the workloads that carry its
 * rarest key=value pair.
 */
import { labelSelectorString } from '../../model/label-selector.js';
import { DATAPLANE_MODE_LABEL, INJECTION_LABEL, PROXY_CONTAINER, REVISION_LABEL, SIDECAR_INJECT } from '../../model/injection.js';
import type { KindId } from '../kinds.js';
import type { AnalysisContext, FieldPath, Resource } from '../types.js';
import { selects } from './data.js';
import { asArray, asRecord, isRecord, recordsIn, stringOrUndefined, stringRecord } from '../../util/narrow.js';

export type WorkloadKind = 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'WorkloadEntry';

export interface Workload {
  resource: Resource;
  kind: WorkloadKind;
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** Names of the (init) containers, with their images. */
  containers: readonly { name: string; image: string }[];
}

export const TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const satisfies readonly KindId[];

/** Annotation the ambient CNI sets on pods it has captured. */
export const AMBIENT_REDIRECTION_ANNOTATION = 'ambient.istio.io/redirection';

function containersOf(podSpec: unknown): { name: string; image: string }[] {
  const spec = asRecord(podSpec);
  return [...recordsIn(spec['containers']), ...recordsIn(spec['initContainers'])].map((c) => ({
    name: stringOrUndefined(c['name']) ?? '',
    image: stringOrUndefined(c['image']) ?? '',
  }));
}

/** Each resource's workload, read once however many indexes (sets of kinds) it is in. */
const WORKLOADS = new WeakMap<Resource, Workload>();

function workloadOf(r: Resource, kind: WorkloadKind): Workload {
  let w = WORKLOADS.get(r);
  if (w === undefined || w.kind !== kind) {
    w = readWorkload(r, kind);
    WORKLOADS.set(r, w);
  }
  return w;
}

function readWorkload(r: Resource, kind: WorkloadKind): Workload {
  const base = { resource: r, kind, namespace: r.namespace, name: r.name };
  const meta = r.object.metadata;
  if (kind === 'Pod') {
    return { ...base, labels: stringRecord(meta.labels), annotations: stringRecord(meta.annotations), containers: containersOf(r.object['spec']) };
  }
  if (kind === 'WorkloadEntry') {
    const labels = { ...stringRecord(meta.labels), ...stringRecord(asRecord(r.object['spec'])['labels']) };
    return { ...base, labels, annotations: stringRecord(meta.annotations), containers: [] };
  }
  const template = asRecord(asRecord(r.object['spec'])['template']);
  const tmeta = asRecord(template['metadata']);
  return { ...base, labels: stringRecord(tmeta['labels']), annotations: stringRecord(tmeta['annotations']), containers: containersOf(template['spec']) };
}

/** The first key of a selector in sorted order (the field istioctl points at), or undefined when empty. */
export function firstSelectorKey(selector: Readonly<Record<string, string>>): string | undefined {
  return Object.keys(selector).sort()[0];
}

/**
 * Every workload of the requested kinds, by namespace and by label pair. `WorkloadIndex.of` builds it
 * once per run and set of kinds: the analyzers that ask for the same kinds share it.
 */
export class WorkloadIndex {
  private readonly byNs = new Map<string, Workload[]>();
  private readonly byPair = new Map<string, Workload[]>();
  /** By label pair across namespaces: built on the first select without a namespace (most analyzers select in one). */
  private byPairAll: Map<string, Workload[]> | undefined;
  /** Every workload, in the order added. */
  private readonly all: Workload[] = [];
  private readonly perKind = new Map<WorkloadKind, number>();

  private constructor(lists: readonly (readonly [WorkloadKind, readonly Resource[]])[]) {
    for (const [kind, list] of lists) for (const r of list) this.add(workloadOf(r, kind));
  }

  /**
   * The index of `kinds` over what the context lists. The lists a context returns are the store's own
   * (the same arrays while the store is unchanged), so the index is kept with the first non-empty one.
   */
  static of(ctx: AnalysisContext, kinds: readonly WorkloadKind[]): WorkloadIndex {
    const lists = kinds.map((k) => [k, ctx.list(k)] as const);
    const anchor = lists.find(([, l]) => l.length > 0)?.[1];
    if (anchor === undefined) return new WorkloadIndex(lists);
    const cached = INDEXES.get(anchor)?.find((c) => c.lists.length === lists.length && c.lists.every(([k, l], i) => k === lists[i]![0] && l === lists[i]![1]));
    if (cached) return cached.index;
    const index = new WorkloadIndex(lists);
    const entries = INDEXES.get(anchor) ?? [];
    entries.push({ lists, index });
    INDEXES.set(anchor, entries);
    return index;
  }

  private add(w: Workload): void {
    this.all.push(w);
    this.perKind.set(w.kind, (this.perKind.get(w.kind) ?? 0) + 1);
    push(this.byNs, w.namespace, w);
    for (const k in w.labels) push(this.byPair, `${w.namespace}\u0000${k}=${w.labels[k]}`, w);
  }

  private pairsAll(): Map<string, Workload[]> {
    if (this.byPairAll === undefined) {
      this.byPairAll = new Map();
      for (const w of this.all) for (const k in w.labels) push(this.byPairAll, `${k}=${w.labels[k]}`, w);
    }
    return this.byPairAll;
  }

  /** Workloads in a namespace. */
  inNamespace(namespace: string): readonly Workload[] {
    return this.byNs.get(namespace) ?? [];
  }

  /** True when at least one workload is in view (in `namespace`, or anywhere when omitted). */
  hasAny(namespace?: string): boolean {
    return namespace === undefined ? this.all.length > 0 : (this.byNs.get(namespace)?.length ?? 0) > 0;
  }

  /** True when some workload of this kind is in view (e.g. Pods: only then does "no pod matches" mean something). */
  hasKind(kind: WorkloadKind): boolean {
    return (this.perKind.get(kind) ?? 0) > 0;
  }

  /** Workloads whose labels satisfy `selector` (an empty selector selects all), in `namespace` or anywhere. */
  select(selector: Readonly<Record<string, string>>, namespace?: string): Workload[] {
    const keys = Object.keys(selector);
    if (keys.length === 0) {
      if (namespace !== undefined) return [...this.inNamespace(namespace)];
      return [...this.byNs.values()].flat();
    }
    let candidates: readonly Workload[] | undefined;
    for (const k of keys) {
      const pair = `${k}=${selector[k] ?? ''}`;
      const list = (namespace === undefined ? this.pairsAll().get(pair) : this.byPair.get(`${namespace}\u0000${pair}`)) ?? [];
      if (candidates === undefined || list.length < candidates.length) candidates = list;
      if (list.length === 0) return [];
    }
    return (candidates ?? []).filter((w) => selects(selector, w.labels));
  }
}

const INDEXES = new WeakMap<readonly Resource[], { lists: readonly (readonly [WorkloadKind, readonly Resource[]])[]; index: WorkloadIndex }[]>();

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** A Pod that ambient mode has captured (the CNI annotates it). */
export function podInAmbient(w: Workload): boolean {
  return w.kind === 'Pod' && w.annotations[AMBIENT_REDIRECTION_ANNOTATION] === 'enabled';
}

/** A namespace enrolled in ambient mode and not in sidecar injection. */
export function namespaceInAmbient(ns: Resource | undefined): boolean {
  if (!ns) return false;
  const labels = stringRecord(ns.object.metadata.labels);
  if (labels[INJECTION_LABEL] === 'enabled') return false;
  if ((labels[REVISION_LABEL] ?? '') !== '') return false;
  return labels[DATAPLANE_MODE_LABEL] === 'ambient';
}

/**
 * Whether a workload is (or will be) in the mesh: it runs the proxy, ambient captures it, it asks for
 * injection, or its namespace enables injection or ambient. When its namespace is not in view, it is
 * assumed to be in the mesh unless it opts out (no false alarm from missing data).
 */
export function inMesh(w: Workload, namespace: Resource | undefined): boolean {
  if (w.kind === 'WorkloadEntry') return true;
  if (w.containers.some((c) => c.name === PROXY_CONTAINER && c.image !== '')) return true;
  if (podInAmbient(w)) return true;
  const inject = w.labels[SIDECAR_INJECT] ?? w.annotations[SIDECAR_INJECT];
  if (inject !== undefined) return inject === 'true';
  if ((w.labels[REVISION_LABEL] ?? '') !== '') return true;
  if (!namespace) return true;
  const labels = stringRecord(namespace.object.metadata.labels);
  if (labels[INJECTION_LABEL] !== undefined) return labels[INJECTION_LABEL] === 'enabled';
  return (labels[REVISION_LABEL] ?? '') !== '' || labels[DATAPLANE_MODE_LABEL] === 'ambient';
}

/** A `matchLabels`-style map, or undefined when the field is absent. */
export function optionalLabels(v: unknown): Record<string, string> | undefined {
  return isRecord(v) ? stringRecord(v) : undefined;
}

/** True when the spec lists anything in targetRef/targetRefs. */
export function hasTargetRef(spec: Readonly<Record<string, unknown>>): boolean {
  return isRecord(spec['targetRef']) || asArray(spec['targetRefs']).length > 0;
}

/**
 * The Pods a policy's non-empty `labels` selector picks in its namespace, for the selector analyzers
 * (Sidecar, Telemetry). When it picks no workload at all, reports IST0101 "Referenced selector not
 * found" at `path` + the first key — but only when a cluster was read or the namespace has workloads in
 * view, so a files-only run without workloads raises no false alarm.
 */
export function selectedPodsOrReport(
  ctx: AnalysisContext,
  workloads: WorkloadIndex,
  policy: Resource,
  labels: Readonly<Record<string, string>>,
  path: FieldPath,
): Workload[] {
  const key = firstSelectorKey(labels);
  if (key === undefined) return [];
  const selected = workloads.select(labels, policy.namespace);
  if (selected.length === 0 && (ctx.settings.cluster === true || workloads.hasAny(policy.namespace))) {
    ctx.report(
      'IST0101',
      policy,
      { reftype: 'selector', refval: labelSelectorString({ matchLabels: labels }, { sortLabels: true }) },
      { path: [...path, key] },
    );
  }
  return selected.filter((w) => w.kind === 'Pod');
}
