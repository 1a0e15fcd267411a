/**
 * Checks a parsed document against the schema data in src/model/install-schema.ts. Every problem
 * names its full path (`spec.values.global.proxy.resources.requests.cpu`) and, for unknown fields,
 * the closest valid one. Returns a normalized copy (numbers given for always-string fields such as
 * `tag` become strings).
 */
import { closest, excerpt } from '../errors.js';
import type { Json } from '../model/install.js';
import { type Schema, describe } from '../model/install-schema-dsl.js';
import { isObject, setOwn } from './merge.js';
import { type Segment, formatPath } from './path.js';

export interface Issue {
  path: string;
  message: string;
}

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;

export function check(value: Json, schema: Schema, path: string, issues: Issue[]): Json {
  if (value === null) return value; // null means "unset" in overlays
  switch (schema.t) {
    case 'any':
      return value;
    case 'obj': {
      if (!isObject(value)) return bad(value, schema, path, issues);
      const out: { [k: string]: Json } = {};
      for (const [k, v] of Object.entries(value)) {
        // Own fields only: `constructor`, `toString` or `__proto__` are unknown fields, not Object's.
        const child = Object.hasOwn(schema.f, k) ? schema.f[k] : undefined;
        const p = join(path, k);
        if (child === undefined) {
          const near = closest(k, Object.keys(schema.f));
          issues.push({ path: p, message: `unknown field "${excerpt(p, 120)}"${near === undefined ? '' : ` (did you mean "${join(path, near)}"?)`}` });
          continue;
        }
        setOwn(out, k, check(v, child, p, issues));
      }
      return out;
    }
    case 'map': {
      if (!isObject(value)) return bad(value, schema, path, issues);
      const out: { [k: string]: Json } = {};
      for (const [k, v] of Object.entries(value)) setOwn(out, k, check(v, schema.v, join(path, k), issues));
      return out;
    }
    case 'list':
      if (!Array.isArray(value)) return bad(value, schema, path, issues);
      // null unsets a field in an overlay, but a null list element is just a wrong element.
      return value.map((v, i) =>
        v === null && schema.i.t !== 'any' ? bad(v, schema.i, `${path}[${i}]`, issues) : check(v, schema.i, `${path}[${i}]`, issues),
      );
    case 'str':
      if (typeof value === 'number' && schema.coerce) return String(value);
      if (typeof value !== 'string') return bad(value, schema, path, issues);
      if (schema.pattern && !schema.pattern.test(value)) {
        issues.push({ path, message: `${path}: "${excerpt(value)}" is not ${describe(schema)}` });
      }
      if (schema.enum && !schema.enum.includes(value)) {
        const near = closest(value, schema.enum);
        issues.push({ path, message: `${path}: "${excerpt(value)}" is not ${describe(schema)}${near === undefined ? '' : ` (did you mean "${near}"?)`}` });
      }
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad(value, schema, path, issues);
      if (!Number.isSafeInteger(value)) {
        issues.push({ path, message: `${path}: ${value} is too large for a whole number (at most ${Number.MAX_SAFE_INTEGER})` });
        return value;
      }
      if ((schema.min !== undefined && value < schema.min) || (schema.max !== undefined && value > schema.max)) {
        issues.push({ path, message: `${path}: ${value} is out of range (expected ${describe(schema)})` });
      }
      return value;
    case 'num':
      return typeof value === 'number' ? value : bad(value, schema, path, issues);
    case 'bool':
      return typeof value === 'boolean' ? value : bad(value, schema, path, issues);
    case 'intstr':
      return typeof value === 'number' || typeof value === 'string' ? value : bad(value, schema, path, issues);
    case 'quantity':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && QUANTITY.test(value)) return value;
      return bad(value, schema, path, issues);
  }
}

function bad(value: Json, schema: Schema, path: string, issues: Issue[]): Json {
  issues.push({ path, message: `${path}: expected ${describe(schema)}, got ${show(value)}` });
  return value;
}

function show(v: Json): string {
  if (Array.isArray(v)) return 'a list';
  if (isObject(v)) return 'a map';
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  return typeof v === 'string' ? `"${excerpt(v)}"` : JSON.stringify(v);
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key.replaceAll('.', '\\.')}`);

export type SchemaLookup = { ok: true; schema: Schema } | { ok: false; message: string };

/** The schema at a `--set` path, or a message naming the first unknown segment and its nearest sibling. */
export function schemaAt(root: Schema, segments: readonly Segment[]): SchemaLookup {
  let s: Schema = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const here = excerpt(formatPath(segments.slice(0, i + 1)), 120);
    if (s.t === 'any') return { ok: true, schema: s };
    if (seg.kind === 'key') {
      if (s.t === 'map') {
        s = s.v;
        continue;
      }
      if (s.t !== 'obj') return { ok: false, message: `"${here}": "${formatPath(segments.slice(0, i))}" is ${describe(s)}, it has no fields` };
      const child: Schema | undefined = Object.hasOwn(s.f, seg.key) ? s.f[seg.key] : undefined;
      if (child === undefined) {
        const near = closest(seg.key, Object.keys(s.f));
        const prefix = formatPath(segments.slice(0, i));
        return { ok: false, message: `unknown field "${here}"${near === undefined ? '' : ` (did you mean "${prefix === '' ? near : `${prefix}.${near}`}"?)`}` };
      }
      s = child;
    } else {
      if (s.t !== 'list') return { ok: false, message: `"${here}": "${formatPath(segments.slice(0, i))}" is ${describe(s)}, not a list` };
      s = s.i;
    }
  }
  return { ok: true, schema: s };
}
