import type { Json, JsonObject } from '../model/install.js';

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Overlays `over` on `base` the way profiles and -f files combine: maps merge key by key, lists and
 * scalars replace (lists are never concatenated), and an explicit null removes the key.
 * Neither input is modified.
 */
export function overlay(base: Json | undefined, over: Json | undefined): Json | undefined {
  if (over === undefined) return clone(base);
  if (!isObject(base) || !isObject(over)) return clone(over);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(base)) out[k] = clone(v)!;
  for (const [k, v] of Object.entries(over)) {
    if (v === null) {
      delete out[k];
      continue;
    }
    out[k] = overlay(out[k], v)!;
  }
  return out;
}

export function overlayObject(base: JsonObject, over: JsonObject | undefined): JsonObject {
  return overlay(base, over) as JsonObject;
}

export function clone<T extends Json | undefined>(v: T): T {
  if (v === undefined || v === null || typeof v !== 'object') return v;
  return structuredClone(v);
}
