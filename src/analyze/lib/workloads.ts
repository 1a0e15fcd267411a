/**
 * Workloads and the label selectors that pick them, for analyzers that follow a selector to pods (an
 * Istio Gateway's `selector`, a Service's `selector`). A workload is a Pod, or the pod template of a
 * Deployment, so objects from files that carry no Pods are analysed too. Lookups by selector are
 * memoised and start from the workloads carrying the selector's first label, so a run stays linear.
 */
import type { AnalysisContext, Resource } from '../types.js';
import { labelsOf, obj, selects } from './data.js';

export interface Workload {
  resource: Resource;
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

/** A selector as Kubernetes prints it: `key=value` pairs sorted by key, joined by commas. */
export function selectorText(selector: Readonly<Record<string, string>>): string {
  return Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k] ?? ''}`)
    .join(',');
}

export class WorkloadIndex {
  private byPair?: Map<string, Workload[]>;
  private podCount = 0;
  private readonly memo = new Map<string, readonly Workload[]>();

  constructor(private readonly ctx: AnalysisContext) {}

  private build(): Map<string, Workload[]> {
    if (this.byPair) return this.byPair;
    const byPair = new Map<string, Workload[]>();
    const add = (resource: Resource, labels: Record<string, string>): void => {
      const w: Workload = { resource, namespace: resource.namespace, labels };
      for (const [k, v] of Object.entries(labels)) {
        const key = `${k}=${v}`;
        const list = byPair.get(key);
        if (list) list.push(w);
        else byPair.set(key, [w]);
      }
    };
    for (const p of this.ctx.list('Pod')) {
      this.podCount++;
      add(p, labelsOf(p.object.metadata.labels));
    }
    for (const d of this.ctx.list('Deployment')) add(d, labelsOf(obj(obj(obj(d.object['spec'])['template'])['metadata'])['labels']));
    this.byPair = byPair;
    return byPair;
  }

  /** True when any Pod is in view: only then does "no workload matches" mean something. */
  get hasPods(): boolean {
    this.build();
    return this.podCount > 0;
  }

  /** The workloads whose labels hold every pair of a non-empty `selector` (empty selectors select nothing here). */
  select(selector: Readonly<Record<string, string>>): readonly Workload[] {
    const keys = Object.keys(selector);
    const first = keys[0];
    if (first === undefined) return [];
    const text = selectorText(selector);
    const cached = this.memo.get(text);
    if (cached) return cached;
    const candidates = this.build().get(`${first}=${selector[first] ?? ''}`) ?? [];
    const found = candidates.filter((w) => selects(selector, w.labels));
    this.memo.set(text, found);
    return found;
  }
}
