/**
 * Comparing two manifests object by object (keyed by kind, namespace and name), each pair field by
 * field with src/util/diff.ts (lists of maps that all carry a `name` matched by name,
 * `containers[name:discovery]`, other lists by position). Pure: callers parse the files.
 */
import type { KubeObject } from '../model/k8s.js';
import { type FieldChange, diffTrees } from '../util/diff.js';
import { isObject } from './merge.js';

export { type FieldChange, diffTrees };

export interface ObjectDiff {
  /** `Deployment istio-system/istiod`, or `ClusterRole name` for cluster-scoped objects. */
  key: string;
  status: 'added' | 'removed' | 'changed';
  changes: FieldChange[];
}

export interface ManifestDiff {
  same: boolean;
  /** Objects only in b (added), only in a (removed), or in both but different (changed); sorted by key. */
  objects: ObjectDiff[];
  unchanged: number;
}

export function objectKey(o: KubeObject): string {
  const ns = o.metadata.namespace;
  return `${o.kind} ${ns ? `${ns}/` : ''}${o.metadata.name ?? ''}`;
}

export function diffManifests(a: readonly KubeObject[], b: readonly KubeObject[], opts: { ignore?: readonly string[] } = {}): ManifestDiff {
  const byKey = (list: readonly KubeObject[]): Map<string, KubeObject> => new Map(list.map((o) => [objectKey(o), o]));
  const am = byKey(a);
  const bm = byKey(b);
  const keys = [...new Set([...am.keys(), ...bm.keys()])].sort();
  const objects: ObjectDiff[] = [];
  let unchanged = 0;
  const ignore = opts.ignore ?? [];
  for (const key of keys) {
    const x = am.get(key);
    const y = bm.get(key);
    if (x === undefined) objects.push({ key, status: 'added', changes: [] });
    else if (y === undefined) objects.push({ key, status: 'removed', changes: [] });
    else {
      const [mx, my] = x.kind === 'Secret' && y.kind === 'Secret' ? maskSecretPair(x, y) : [x, y];
      const changes = diffTrees(mx, my).filter((c) => !ignore.some((i) => c.path === i || c.path.startsWith(`${i}.`) || c.path.startsWith(`${i}[`)));
      if (changes.length === 0) unchanged++;
      else objects.push({ key, status: 'changed', changes });
    }
  }
  return { same: objects.length === 0, objects, unchanged };
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Secret values never reach the output, as in `kubectl diff`: each value of `data` and `stringData`
 * becomes `***`, or `*** (before)` / `*** (after)` when it differs, so a diff shows which keys
 * changed and never what they hold. The last-applied annotation (a copy of the data) is masked too.
 */
export function maskSecretPair(a: KubeObject, b: KubeObject): [KubeObject, KubeObject] {
  const ma: Record<string, unknown> = { ...a };
  const mb: Record<string, unknown> = { ...b };
  for (const field of ['data', 'stringData']) {
    const [x, y] = maskValues(a[field], b[field]);
    if (x !== undefined) ma[field] = x;
    if (y !== undefined) mb[field] = y;
  }
  const annotations = (o: KubeObject): Record<string, string> | undefined => o.metadata.annotations;
  const la = annotations(a)?.[LAST_APPLIED];
  const lb = annotations(b)?.[LAST_APPLIED];
  if (la !== undefined || lb !== undefined) {
    const [x, y] = maskValues({ v: la }, { v: lb });
    const put = (m: Record<string, unknown>, o: KubeObject, v: unknown): void => {
      if (annotations(o)?.[LAST_APPLIED] === undefined) return;
      m['metadata'] = { ...o.metadata, annotations: { ...annotations(o), [LAST_APPLIED]: (v as Record<string, unknown>)['v'] } };
    };
    put(ma, a, x);
    put(mb, b, y);
  }
  return [ma as KubeObject, mb as KubeObject];
}

function maskValues(a: unknown, b: unknown): [unknown, unknown] {
  if (a === undefined && b === undefined) return [undefined, undefined];
  if (!isObject(a) || !isObject(b)) {
    // Not both maps (one missing, or a malformed value): mask every value that is there.
    const all = (v: unknown): unknown => (v === undefined ? undefined : isObject(v) ? Object.fromEntries(Object.keys(v).map((k) => [k, '***'])) : '***');
    const x = all(a);
    const y = all(b);
    // Two malformed values that differ must still show as a change.
    if (x === '***' && y === '***' && JSON.stringify(a) !== JSON.stringify(b)) return ['*** (before)', '*** (after)'];
    return [x, y];
  }
  const x: Record<string, unknown> = {};
  const y: Record<string, unknown> = {};
  for (const k of Object.keys(a)) x[k] = '***';
  for (const k of Object.keys(b)) y[k] = '***';
  for (const k of Object.keys(a)) {
    if (Object.hasOwn(b, k) && JSON.stringify(a[k]) !== JSON.stringify(b[k])) {
      x[k] = '*** (before)';
      y[k] = '*** (after)';
    }
  }
  return [x, y];
}

/** One line per value, shortened: multi-line strings show their first differing line. */
export function showValue(v: unknown, max = 100): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function formatDiff(d: ManifestDiff, names: { a: string; b: string }): string {
  const lines: string[] = [];
  for (const o of d.objects) {
    if (o.status === 'added') lines.push(`+ ${o.key}: only in ${names.b}`);
    else if (o.status === 'removed') lines.push(`- ${o.key}: only in ${names.a}`);
    else {
      lines.push(`~ ${o.key}: ${o.changes.length} field${o.changes.length === 1 ? '' : 's'} differ`);
      for (const c of o.changes) lines.push(`    ${formatChange(c)}`);
    }
  }
  const counts = (s: ObjectDiff['status']): number => d.objects.filter((o) => o.status === s).length;
  lines.push(
    d.same
      ? `No differences (${d.unchanged} objects).`
      : `${counts('changed')} changed, ${counts('added')} only in ${names.b}, ${counts('removed')} only in ${names.a}, ${d.unchanged} unchanged.`,
  );
  return lines.join('\n') + '\n';
}

export function formatChange(c: FieldChange): string {
  if (c.change === 'added') return `${c.path}: added ${showValue(c.to)}`;
  if (c.change === 'removed') return `${c.path}: removed (was ${showValue(c.from)})`;
  if (typeof c.from === 'string' && typeof c.to === 'string') {
    // JSON in a string (the injector's values, mesh networks…): the fields that differ inside it.
    const ja = jsonContainer(c.from);
    const jb = jsonContainer(c.to);
    if (ja !== undefined && jb !== undefined) {
      const inner = diffTrees(ja, jb, {}, '');
      if (inner.length > 0) {
        const shown = inner.slice(0, 5).map((x) => formatChange({ ...x, path: x.path.replace(/^\./, '') || '(root)' }));
        return `${c.path} (JSON): ${shown.join('; ')}${inner.length > 5 ? `; and ${inner.length - 5} more` : ''}`;
      }
    }
    if (c.from.includes('\n') || c.to.includes('\n')) {
      const fa = c.from.split('\n');
      const fb = c.to.split('\n');
      let i = 0;
      while (i < fa.length && i < fb.length && fa[i] === fb[i]) i++;
      const [x, y] = differingParts(fa[i] ?? '', fb[i] ?? '');
      return `${c.path}: text differs from line ${i + 1}: ${x} → ${y}`;
    }
    const [x, y] = differingParts(c.from, c.to);
    return `${c.path}: ${x} → ${y}`;
  }
  return `${c.path}: ${showValue(c.from)} → ${showValue(c.to)}`;
}

function jsonContainer(s: string): unknown {
  const t = s.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return v !== null && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Two strings shown so that the difference is visible: when they are too long for a line, both are
 * cut to a window that starts a little before the first character where they differ (… marks a cut).
 */
export function differingParts(a: string, b: string, max = 100): [string, string] {
  const whole = (s: string): string => JSON.stringify(s);
  if (whole(a).length <= max && whole(b).length <= max) return [whole(a), whole(b)];
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  const start = Math.max(0, p - 20);
  const cut = (s: string): string => {
    const body = s.slice(start, start + max - 10);
    return `${start > 0 ? '…' : ''}${JSON.stringify(body).slice(1, -1)}${start + max - 10 < s.length ? '…' : ''}`;
  };
  return [`"${cut(a)}"`, `"${cut(b)}"`];
}
