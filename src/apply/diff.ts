/**
 * Comparing an object as the server would store it after mesh's apply (a server-side dry-run) with
 * the live object. Bookkeeping that changes on every write is ignored; so is the time stamp of each
 * managedFields entry, but not who owns which field: a field another manager took over must be
 * taken back, so it counts as a change.
 */
import type { KubeObject } from '../model/k8s.js';

/** Only mesh's own managedFields entries matter: other managers' bookkeeping is theirs. */
function normalize(obj: KubeObject, fieldManager: string): { content: unknown; ownership: unknown } {
  const { resourceVersion: _rv, generation: _g, managedFields, ...metadata } = obj.metadata;
  const mine = (managedFields ?? [])
    .filter((e) => (e as { manager?: string }).manager === fieldManager)
    .map((e) => {
      const { time: _t, ...rest } = e as Record<string, unknown>;
      return rest;
    });
  const { status: _status, ...rest } = obj;
  return { content: { ...rest, metadata }, ownership: mine };
}

/** The paths (e.g. `spec.replicas`, `metadata.labels.app`) at which two objects differ. */
export function changedPaths(live: KubeObject, desired: KubeObject, fieldManager: string, max = 20): string[] {
  const out: string[] = [];
  const a = normalize(live, fieldManager);
  const b = normalize(desired, fieldManager);
  walk(a.content, b.content, '', out, max);
  if (out.length === 0 && JSON.stringify(a.ownership) !== JSON.stringify(b.ownership)) out.push('metadata.managedFields (field ownership)');
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
