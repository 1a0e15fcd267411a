/**
 * Rendered objects as a multi-document YAML stream.
 *
 * Rendered objects are plain JSON-shaped data, so this is a small emitter for exactly that (maps,
 * lists, strings, numbers, booleans, null) rather than the general `yaml` Document machinery,
 * which spends most of `manifest generate`'s time on the half-megabyte of CRD schemas. It is
 * deliberately conservative: a string is written plain only when it cannot be read back as
 * anything but that string under YAML 1.1 or 1.2; otherwise it is double-quoted (JSON string
 * syntax, which YAML's double-quoted style accepts). Multi-line strings use literal blocks.
 * A unit test round-trips every golden case through the `yaml` parser in both YAML versions.
 */
import { isRecord } from '../util/narrow.js';

export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => emitDocument(o)).join('---\n');
}

export function emitDocument(value: unknown): string {
  const out: string[] = [];
  if (isRecord(value) && Object.keys(value).length > 0) emitMap(value, 0, out);
  else if (Array.isArray(value) && value.length > 0) emitSeq(value, 0, out);
  else out.push(scalarOrEmpty(value) + '\n');
  return out.join('');
}

const pads: string[] = [];
const padOf = (n: number): string => (pads[n] ??= ' '.repeat(n));

function emitMap(m: Record<string, unknown>, indent: number, out: string[], firstPrefix?: string): void {
  const pad = padOf(indent);
  let first = true;
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined) continue;
    const lead = first && firstPrefix !== undefined ? firstPrefix : pad;
    first = false;
    const key = scalarString(k, true);
    emitValue(`${lead}${key}:`, v, indent, out);
  }
  if (first) out.push(`${firstPrefix ?? pad}{}\n`);
}

function emitSeq(list: unknown[], indent: number, out: string[]): void {
  const pad = padOf(indent);
  for (const item of list) {
    if (isRecord(item) && Object.keys(item).length > 0) {
      emitMap(item, indent + 2, out, `${pad}- `);
    } else if (Array.isArray(item) && item.length > 0) {
      out.push(`${pad}-\n`);
      emitSeq(item, indent + 2, out);
    } else if (typeof item === 'string' && isBlockCandidate(item)) {
      out.push(`${pad}- ${blockHeader(item)}\n`);
      pushBlock(item, indent + 2, out);
    } else {
      out.push(`${pad}- ${scalarOrEmpty(item)}\n`);
    }
  }
}

/** `prefix` is `  key:`; the value goes after it on the same line or below it. */
function emitValue(prefix: string, v: unknown, indent: number, out: string[]): void {
  if (isRecord(v) && Object.keys(v).length > 0) {
    out.push(prefix + '\n');
    emitMap(v, indent + 2, out);
  } else if (Array.isArray(v) && v.length > 0) {
    out.push(prefix + '\n');
    emitSeq(v, indent + 2, out);
  } else if (typeof v === 'string' && isBlockCandidate(v)) {
    out.push(`${prefix} ${blockHeader(v)}\n`);
    pushBlock(v, indent + 2, out);
  } else {
    out.push(`${prefix} ${scalarOrEmpty(v)}\n`);
  }
}

function scalarOrEmpty(v: unknown): string {
  if (isRecord(v)) return '{}';
  if (Array.isArray(v)) return '[]';
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  return scalarString(String(v), false);
}

// Words YAML 1.1 or 1.2 reads as booleans or null.
const SPECIAL = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i;
// Characters that are safe anywhere in a plain scalar (no indicators, no spaces).
const PLAIN = /^[A-Za-z0-9_$][A-Za-z0-9_./:@%+=,()$-]*$/;
const NUMBER_LIKE_START = /^[0-9]/;
// 100m, 128Mi, 2Gi: digits then letters that are not an exponent/base prefix — not a number or a date.
const QUANTITY_LIKE = /^[0-9]+(?:\.[0-9]+)?[AC-DF-NP-WYZac-df-np-wyz][A-Za-z]*$/;

// Rendered manifests repeat the same few thousand strings (schema keywords, label keys) many times.
const scalarCache = new Map<string, string>();
function scalarString(s: string, _isKey: boolean): string {
  let out = scalarCache.get(s);
  if (out === undefined) {
    out = isPlainSafe(s) ? s : quote(s);
    if (s.length < 200) scalarCache.set(s, out);
  }
  return out;
}

function isPlainSafe(s: string): boolean {
  if (s === '' || !PLAIN.test(s) || SPECIAL.test(s) || s.endsWith(':')) return false;
  if (s.startsWith('-') || s.startsWith('$')) return /^--?[A-Za-z][A-Za-z0-9_./:@%+=,()$-]*$/.test(s) && !s.endsWith(':');
  if (NUMBER_LIKE_START.test(s)) return QUANTITY_LIKE.test(s);
  return true;
}

function quote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Literal blocks for multi-line text, when the text is plain enough to survive one unchanged.
function isBlockCandidate(s: string): boolean {
  if (!s.includes('\n')) return false;
  // eslint-disable-next-line no-control-regex -- a string with control characters cannot be a block scalar
  if (/[\r\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(s)) return false;
  if (s.startsWith(' ') || s.startsWith('\n')) return false; // would need an indentation indicator
  if (s.endsWith('\n\n')) return false; // would need keep chomping
  if (/ \n|[ \t]$/.test(s)) return false; // trailing spaces: keep them visible in a quoted string
  return true;
}

function blockHeader(s: string): string {
  return s.endsWith('\n') ? '|' : '|-';
}

function pushBlock(s: string, indent: number, out: string[]): void {
  const pad = padOf(indent);
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  for (const line of body.split('\n')) out.push(line === '' ? '\n' : `${pad}${line}\n`);
}
