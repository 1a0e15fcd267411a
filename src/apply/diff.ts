/**
 * Comparing an object as the server would store it after mesh's apply (a server-side dry-run) with
 * the live object. Bookkeeping that changes on every write (resourceVersion, generation,
 * managedFields) and status are ignored: only content counts. Who owns a field whose value would
 * not change is not a change: a re-run with the same input must be a no-op even after istiod or a
 * person touched a field (and set it back).
 */
import type { KubeObject } from '../model/k8s.js';

function content(obj: KubeObject): unknown {
  const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...metadata } = obj.metadata;
  const { status: _status, ...rest } = obj;
  return { ...rest, metadata };
}

/** The paths (e.g. `spec.replicas`, `metadata.labels.app`) at which two objects differ. */
export function changedPaths(live: KubeObject, desired: KubeObject, max = 20): string[] {
  const out: string[] = [];
  walk(content(live), content(desired), '', out, max);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: string[], max: number): void {
  if (out.length >= max) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.push(path || '.');
      return;
    }
    a.forEach((x, i) => walk(x, b[i], `${path}[${i}]`, out, max));
    return;
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) walk(a[k], b[k], path === '' ? k : `${path}.${k}`, out, max);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path || '.');
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
