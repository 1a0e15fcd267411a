/** Typed reads of the merged Helm-style values (already validated against the schema). */
import type { Json, JsonObject } from '../model/install.js';
import { isObject } from './merge.js';

export class Values {
  constructor(readonly root: JsonObject) {}

  get(path: string): Json | undefined {
    let node: Json | undefined = this.root;
    for (const key of path.split('.')) {
      if (!isObject(node)) return undefined;
      node = node[key];
    }
    return node;
  }

  str(path: string, def = ''): string {
    const v = this.get(path);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : def;
  }

  num(path: string, def: number): number {
    const v = this.get(path);
    return typeof v === 'number' ? v : def;
  }

  bool(path: string, def = false): boolean {
    const v = this.get(path);
    return typeof v === 'boolean' ? v : def;
  }

  obj(path: string): JsonObject {
    const v = this.get(path);
    return isObject(v) ? structuredClone(v) : {};
  }

  list(path: string): Json[] {
    const v = this.get(path);
    return Array.isArray(v) ? structuredClone(v) : [];
  }

  /** A map of strings (labels, annotations, nodeSelector). */
  strMap(path: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.obj(path))) if (v !== null) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
    return out;
  }
}

/** Keeps only entries whose value is neither undefined nor an empty map/list (so output stays tidy). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isObject(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out as T;
}
