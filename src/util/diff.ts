/**
 * The one tree-diff engine: two plain-data trees (parsed YAML or JSON) compared field by field.
 * `manifest diff` and `profile diff` use the defaults (lists of maps that all carry a `name` matched by
 * name, `containers[name:discovery]`; dots in keys escaped; keys in the order met); apply's
 * "what would change" lists paths with `{ sortKeys, escapeDots: false, namedLists: false, lists: 'whole' }`.
 */
import { isRecord } from './narrow.js';

export interface FieldChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

export interface TreeDiffOptions {
  /** Visit map keys in sorted order (default: a's keys, then b's new ones). */
  sortKeys?: boolean;
  /** Write a `.` inside a key as `\.` (default true). */
  escapeDots?: boolean;
  /** Match lists whose elements are all maps with a string `name` by name (default true). */
  namedLists?: boolean;
  /**
   * Lists of different length: 'elements' (default) reports each element added or removed past the
   * shorter one; 'whole' reports the list itself as changed.
   */
  lists?: 'elements' | 'whole';
}

/** A key set to undefined is absent, as in JSON (objects built in code may carry one). */
const has = (o: Record<string, unknown>, k: string): boolean => Object.hasOwn(o, k) && o[k] !== undefined;

export function diffTrees(a: unknown, b: unknown, options: TreeDiffOptions = {}, path = ''): FieldChange[] {
  if (isRecord(a) && isRecord(b)) {
    const out: FieldChange[] = [];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    if (options.sortKeys === true) keys.sort();
    for (const k of keys) {
      const key = options.escapeDots === false ? k : k.replaceAll('.', '\\.');
      const p = path === '' ? key : `${path}.${key}`;
      const inA = has(a, k);
      const inB = has(b, k);
      if (!inA && !inB) continue;
      if (!inB) out.push({ path: p, change: 'removed', from: a[k] });
      else if (!inA) out.push({ path: p, change: 'added', to: b[k] });
      else out.push(...diffTrees(a[k], b[k], options, p));
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const named = (l: unknown[]): boolean => l.length > 0 && l.every((e) => isRecord(e) && typeof e['name'] === 'string');
    if (options.namedLists !== false && named(a) && named(b)) {
      const name = (e: unknown): string => (e as Record<string, string>)['name'] ?? '';
      const out: FieldChange[] = [];
      const bn = new Map(b.map((e) => [name(e), e]));
      const an = new Map(a.map((e) => [name(e), e]));
      for (const e of a) {
        const p = `${path}[name:${name(e)}]`;
        if (!bn.has(name(e))) out.push({ path: p, change: 'removed', from: e });
        else out.push(...diffTrees(e, bn.get(name(e)), options, p));
      }
      for (const e of b) if (!an.has(name(e))) out.push({ path: `${path}[name:${name(e)}]`, change: 'added', to: e });
      // Same elements in a different order is a change too.
      if (out.length === 0 && a.map(name).join('\n') !== b.map(name).join('\n')) out.push({ path, change: 'changed', from: a.map(name), to: b.map(name) });
      return out;
    }
    if (options.lists === 'whole' && a.length !== b.length) return [{ path, change: 'changed', from: a, to: b }];
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= b.length) out.push({ path: p, change: 'removed', from: a[i] });
      else if (i >= a.length) out.push({ path: p, change: 'added', to: b[i] });
      else out.push(...diffTrees(a[i], b[i], options, p));
    }
    return out;
  }
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return [];
  return [{ path, change: 'changed', from: a, to: b }];
}
