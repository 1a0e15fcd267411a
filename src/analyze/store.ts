/**
 * The indexed set of objects an analysis runs over: by kind, then by namespace and name. Cluster
 * objects go in first and file objects replace those with the same kind/namespace/name, so analysing
 * files over a cluster answers "what if I apply these files".
 */
import type { KindId } from './kinds.js';
import type { Resource } from './types.js';

interface KindIndex {
  byKey: Map<string, Resource>;
  sorted?: Resource[];
  byNamespace?: Map<string, Resource[]>;
}

const EMPTY: readonly Resource[] = Object.freeze([]);

export class ResourceStore {
  private readonly kinds = new Map<KindId, KindIndex>();

  /** Builds a store; later layers replace objects of earlier ones (pass cluster first, files last). */
  static of(...layers: readonly (readonly Resource[])[]): ResourceStore {
    const s = new ResourceStore();
    for (const layer of layers) for (const r of layer) s.put(r);
    return s;
  }

  put(r: Resource): void {
    let idx = this.kinds.get(r.id);
    if (!idx) {
      idx = { byKey: new Map() };
      this.kinds.set(r.id, idx);
    }
    idx.byKey.set(`${r.namespace}/${r.name}`, r);
    delete idx.sorted;
    delete idx.byNamespace;
  }

  find(kind: KindId, namespace: string, name: string): Resource | undefined {
    return this.kinds.get(kind)?.byKey.get(`${namespace}/${name}`);
  }

  list(kind: KindId, namespace?: string): readonly Resource[] {
    const idx = this.kinds.get(kind);
    if (!idx) return EMPTY;
    if (!idx.sorted) {
      idx.sorted = [...idx.byKey.values()].sort(compareResources);
      const byNs = new Map<string, Resource[]>();
      for (const r of idx.sorted) {
        const list = byNs.get(r.namespace);
        if (list) list.push(r);
        else byNs.set(r.namespace, [r]);
      }
      idx.byNamespace = byNs;
    }
    if (namespace === undefined) return idx.sorted;
    return idx.byNamespace?.get(namespace) ?? EMPTY;
  }

  /** Kinds with at least one object. */
  presentKinds(): KindId[] {
    return [...this.kinds.keys()].filter((k) => (this.kinds.get(k)?.byKey.size ?? 0) > 0);
  }

  /** Every object, in kind then namespace/name order. */
  all(): Resource[] {
    return [...this.kinds.keys()].sort().flatMap((k) => [...this.list(k)]);
  }

  get size(): number {
    let n = 0;
    for (const idx of this.kinds.values()) n += idx.byKey.size;
    return n;
  }
}

function compareResources(a: Resource, b: Resource): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
