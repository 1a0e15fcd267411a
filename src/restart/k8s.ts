/** Narrow accessors for the few fields of workloads and pods that rollout-restart reads. Pure. */
import type { KubeObject } from '../model/k8s.js';
import { asArray, asRecord, stringRecord } from '../util/narrow.js';

export type Dict = Record<string, unknown>;

export function spec(o: KubeObject): Dict {
  return asRecord(o['spec']);
}

export function status(o: KubeObject): Dict {
  return asRecord(o['status']);
}

/** spec.template.metadata of a workload. */
export function templateMeta(o: KubeObject): { labels: Record<string, string>; annotations: Record<string, string> } {
  const m = asRecord(asRecord(spec(o)['template'])['metadata']);
  return { labels: stringRecord(m['labels']), annotations: stringRecord(m['annotations']) };
}

export function nameOf(o: KubeObject): string {
  return o.metadata.name ?? '';
}

export function namespaceOf(o: KubeObject): string {
  return o.metadata.namespace ?? '';
}

/** The controller owner reference of an object, if any. */
export function controllerOf(o: KubeObject): { kind: string; name: string; uid: string } | undefined {
  const refs = o.metadata.ownerReferences ?? [];
  const ref = refs.find((r) => r.controller === true) ?? (refs.length === 1 ? refs[0] : undefined);
  return ref ? { kind: ref.kind, name: ref.name, uid: ref.uid } : undefined;
}

/**
 * An IntOrString such as 1 or "25%" scaled against a total, the way Kubernetes does
 * (intstr.GetScaledValueFromIntOrPercent). A missing value gives the fallback.
 */
export function scaled(value: unknown, total: number, roundUp: boolean, fallback: number | string): number {
  const v = value === undefined || value === null ? fallback : value;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = v.match(/^(\d+)%$/);
    if (m) {
      const x = (Number(m[1]) * total) / 100;
      return roundUp ? Math.ceil(x) : Math.floor(x);
    }
    if (/^\d+$/.test(v)) return Number(v);
  }
  return 0;
}

export function isPodReady(pod: KubeObject): boolean {
  return asArray(status(pod)['conditions']).some((c) => asRecord(c)['type'] === 'Ready' && asRecord(c)['status'] === 'True');
}
