import type { Json, JsonObject } from '../model/install.js';
import { isRecord } from '../util/narrow.js';

/** src/util/narrow.ts's isRecord, narrowing to the renderer's JSON type. */
export const isObject = (v: unknown): v is JsonObject => isRecord(v);

/** The map, or {} for anything else (src/util/narrow.ts's asRecord, in the renderer's JSON type). */
export const asObject = (v: unknown): JsonObject => (isObject(v) ? v : {});

/** o[k] = v as an own property, also for k = "__proto__" (which a plain assignment would turn into a prototype). */
export function setOwn(o: JsonObject, k: string, v: Json): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** o[k] if o has it itself, never a property of Object.prototype (`constructor`, `toString`). */
export function getOwn(o: JsonObject, k: string): Json | undefined {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/**
 * Overlays `over` on `base` the way profiles and -f files combine: maps merge key by key, lists and
 * scalars replace (lists are never concatenated), and an explicit null removes the key.
 * Neither input is modified.
 */
export function overlay(base: Json | undefined, over: Json | undefined): Json | undefined {
  if (over === undefined) return clone(base);
  if (!isObject(base) || !isObject(over)) return clone(over);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(base)) setOwn(out, k, clone(v));
  for (const [k, v] of Object.entries(over)) {
    if (v === null) {
      delete out[k];
      continue;
    }
    setOwn(out, k, overlay(getOwn(out, k), v)!);
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
