/**
 * Narrowing parsed data (YAML, JSON, API objects) without `any`, named for what each returns. The one
 * set of these in src/: analysis, apply, restart, status and proxy-config all read untyped data with it.
 */

export type UnknownRecord = Record<string, unknown>;

/** True for a map (an object that is not an array, not null). */
export function isRecord(v: unknown): v is UnknownRecord {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The map, or {} for anything else. */
export function asRecord(v: unknown): UnknownRecord {
  return isRecord(v) ? v : {};
}

/** The array, or [] for anything else. */
export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The maps of a list (other elements left out); [] for anything but a list. */
export function recordsIn(v: unknown): UnknownRecord[] {
  return asArray(v).filter(isRecord);
}

/** The strings of a list (other elements left out); [] for anything but a list. */
export function stringsIn(v: unknown): string[] {
  return asArray(v).filter((x): x is string => typeof x === 'string');
}

/** The string-valued entries of a map (labels, annotations); {} for anything but a map. */
export function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  // for-in over own keys: Object.entries' pair arrays cost more than the copy on label maps, which
  // analyzers read by the thousand.
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    const x = v[k];
    if (typeof x === 'string') out[k] = x;
  }
  return out;
}

/** The string, or undefined for anything else. */
export function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A finite number, or undefined for anything else. */
export function numberOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A finite number, or `fallback` for anything else. */
export function numberOr<F>(v: unknown, fallback: F): number | F {
  return numberOrUndefined(v) ?? fallback;
}

/** A string, a number as text (proto int64s arrive as either), or '' for anything else. */
export function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
