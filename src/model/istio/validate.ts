/**
 * Validates Istio objects against the same schemas the CRDs carry (IST0106 / IST0133 in analyze).
 *
 * The validator's view differs from the CRD in three deliberate ways:
 * - unknown fields are errors: every object node with `properties` (outside free-form subtrees) gets
 *   `additionalProperties: false`, because the API server would silently prune such fields;
 * - durations are checked for Go/protobuf duration syntax (the CRDs carry no CEL for this);
 * - `status` is not checked: controllers own it.
 * Deprecated fields are reported as warnings.
 */
import type { ErrorObject } from 'ajv';
import { closest, excerpt } from '../../errors.js';
import { istioKindSchema, ISTIO_KINDS } from './crds.js';
import type { IstioKindSchema, JSONSchemaProps } from './schema-types.js';
import { compiledValidator } from './validators.js';

export interface SchemaIssue {
  /**
   * Field path in the object, e.g. `spec.http[0].route[0].destination.host`; `` for the object itself.
   * Map keys that are not plain names are quoted: `spec.selector.matchLabels["app.kubernetes.io/name"]`.
   */
  path: string;
  /** The same path as segments (list indexes are numbers), for consumers that locate fields. */
  segments: (string | number)[];
  message: string;
  /** `error` fails validation (IST0106); `warning` is advice such as a deprecated field (IST0133). */
  level: 'error' | 'warning';
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (IDENT.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/** `/spec/http/0/route` → ['spec', 'http', 0, 'route'], knowing from the data which segments index lists. */
function pointerToSegments(pointer: string, data: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  if (pointer === '') return out;
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function formatPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((path, seg) => joinPath(path, seg), '');
}

function issue(segments: (string | number)[], message: string, level: SchemaIssue['level'] = 'error'): SchemaIssue {
  return { path: formatPath(segments), segments, message, level };
}

function valueAt(pointer: string, data: unknown): unknown {
  let cur: unknown = data;
  if (pointer === '') return cur;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(seg)] : (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

const FORMAT_TEXT: Record<string, string> = {
  duration: 'a duration such as "5s", "100ms" or "1m30s"',
  int32: 'a 32-bit integer',
  int64: 'a 64-bit integer',
  double: 'a number',
  byte: 'base64-encoded bytes',
  'date-time': 'an RFC 3339 date-time',
};

function describeType(t: unknown): string {
  switch (t) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean (true or false)';
    case 'string':
      return 'a string';
    default:
      return String(t);
  }
}

function oneofFields(schema: unknown): string[] {
  const out: string[] = [];
  for (const branch of Array.isArray(schema) ? schema : []) {
    const req = (branch as { required?: string[] }).required;
    if (req) out.push(...req);
  }
  return out;
}

function toIssue(e: ErrorObject, data: unknown): SchemaIssue | undefined {
  // Errors from inside oneOf/anyOf/not branches restate the oneOf failure; the oneOf error says it better.
  if (/\/(oneOf|anyOf|not)\//.test(e.schemaPath) && e.keyword !== 'oneOf') return undefined;
  const at = pointerToSegments(e.instancePath, data);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const near = closest(field, known);
      const hint = near ? `; did you mean "${near}"?` : known.length > 0 ? `; known fields: ${known.join(', ')}` : '';
      return issue([...at, field], `unknown field "${field}" (the API server would drop it)${hint}`);
    }
    case 'required':
      return issue([...at, String(params.missingProperty)], 'required field is missing');
    case 'type': {
      const nullable = (e.parentSchema as { nullable?: boolean } | undefined)?.nullable === true;
      return issue(at, `must be ${describeType(params.type)}${nullable ? ' or null' : ''}`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const value = valueAt(e.instancePath, data);
      const near = typeof value === 'string' ? closest(value, allowed) : undefined;
      return issue(at, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}${near ? `; did you mean "${near}"?` : ''}`);
    }
    case 'oneOf': {
      const fields = oneofFields(e.schema);
      const value = valueAt(e.instancePath, data);
      const set = value !== null && typeof value === 'object' ? fields.filter((f) => f in (value as Record<string, unknown>)) : [];
      return issue(at, `only one of ${fields.join(', ')} may be set${set.length > 0 ? ` (found ${set.join(', ')})` : ''}`);
    }
    case 'format': {
      const text = FORMAT_TEXT[String(params.format)] ?? `format ${String(params.format)}`;
      return issue(at, `${JSON.stringify(valueAt(e.instancePath, data))} is not ${text}`);
    }
    default:
      return issue(at, e.message ?? `fails ${e.keyword}`);
  }
}

/**
 * The normalised paths (`http[].corsPolicy`) that lead to a kind's deprecated fields: the walk below
 * goes only there. null when a pattern can match anywhere (`**.x`): then it walks the whole spec.
 */
const DEPRECATION_PREFIXES = new WeakMap<IstioKindSchema, Set<string> | null>();

function deprecationPrefixes(k: IstioKindSchema): Set<string> | null {
  let prefixes = DEPRECATION_PREFIXES.get(k);
  if (prefixes === undefined) {
    const patterns = Object.keys(k.deprecated);
    if (patterns.some((p) => p.startsWith('**.'))) prefixes = null;
    else {
      prefixes = new Set<string>();
      for (const p of patterns) {
        for (let i = 1; i < p.length; i++) if (p[i] === '.' || p[i] === '[' || p[i] === '{') prefixes.add(p.slice(0, i));
        prefixes.add(p);
      }
    }
    DEPRECATION_PREFIXES.set(k, prefixes);
  }
  return prefixes;
}

/**
 * For a kind with `**.` patterns, whether a schema node can hold one of its deprecated fields at or
 * below it (a property of the pattern's last name, following properties, items and
 * additionalProperties as the walk does): the walk skips the subtrees that cannot.
 */
const REACHABLE = new WeakMap<IstioKindSchema, (node: JSONSchemaProps) => boolean>();

function deprecationReach(k: IstioKindSchema): (node: JSONSchemaProps) => boolean {
  let reach = REACHABLE.get(k);
  if (reach === undefined) {
    const names = new Set(Object.keys(k.deprecated).map((p) => (p.split('.').pop() ?? '').replace(/(\[\]|\{\})+$/, '')));
    const memo = new Map<JSONSchemaProps, boolean>();
    const f = (node: JSONSchemaProps): boolean => {
      const known = memo.get(node);
      if (known !== undefined) return known;
      memo.set(node, true); // a cycle: assume it can
      const props = node.properties ?? {};
      const r =
        Object.keys(props).some((name) => names.has(name)) ||
        Object.values(props).some(f) ||
        (node.items !== undefined && f(node.items)) ||
        (node.additionalProperties !== undefined && f(node.additionalProperties));
      memo.set(node, r);
      return r;
    };
    reach = f;
    REACHABLE.set(k, reach);
  }
  return reach;
}

/** Deprecated fields the object uses, following the schema so map keys are not mistaken for fields. */
function deprecations(k: IstioKindSchema, spec: unknown): SchemaIssue[] {
  const entries = Object.entries(k.deprecated);
  if (entries.length === 0) return [];
  const prefixes = deprecationPrefixes(k);
  // Where patterns match anywhere (prefixes null), subtrees that cannot hold a deprecated field are skipped.
  const reach = prefixes === null ? deprecationReach(k) : (): boolean => true;
  const issues: SchemaIssue[] = [];
  const matches = (norm: string): string | undefined => {
    for (const [pattern, advice] of entries) {
      if (pattern.startsWith('**.') ? norm === pattern.slice(3) || norm.endsWith(`.${pattern.slice(3)}`) : norm === pattern) {
        return advice;
      }
    }
    return undefined;
  };
  // `path` is one array pushed and popped along the walk (copied only for an issue): objects are many.
  const path: (string | number)[] = ['spec'];
  const walk = (v: unknown, node: JSONSchemaProps, norm: string): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      const items = node.items;
      if (!items) return;
      const n = `${norm}[]`;
      if ((prefixes !== null && !prefixes.has(n)) || !reach(items)) return;
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i], items, n);
        path.pop();
      }
      return;
    }
    const properties = node.properties;
    const additional = node.additionalProperties;
    if (!properties && !additional) return;
    for (const key in v as Record<string, unknown>) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      const child = (v as Record<string, unknown>)[key];
      if (properties) {
        const sub = properties[key];
        if (!sub) continue;
        const n = norm ? `${norm}.${key}` : key;
        if (prefixes !== null && !prefixes.has(n)) continue;
        const advice = matches(n);
        path.push(key);
        if (advice) issues.push(issue([...path], `field "${key}" is deprecated: ${advice}`, 'warning'));
        if (reach(sub)) walk(child, sub, n);
        path.pop();
      } else if (additional) {
        if ((prefixes !== null && !prefixes.has(`${norm}{}`)) || !reach(additional)) return;
        path.push(key);
        walk(child, additional, `${norm}{}`);
        path.pop();
      }
    }
  };
  walk(spec, k.spec, '');
  return issues;
}

/**
 * Schema issues of one object. Objects that are not Istio kinds give no issues; an Istio group with an
 * unknown kind or an unserved version is an error.
 */
export function validateIstioObject(obj: unknown): SchemaIssue[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return [issue([], 'must be an object with apiVersion and kind')];
  }
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [issue([], 'must have string apiVersion and kind')];
  }
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const inGroup = ISTIO_KINDS.filter((k) => k.group === group);
  if (inGroup.length === 0) return [];
  const k = istioKindSchema(group, kind);
  if (!k) {
    const near = closest(
      kind,
      inGroup.map((i) => i.kind),
    );
    const known = inGroup.map((i) => i.kind).join(', ');
    return [issue(['kind'], `${group} has no kind "${excerpt(kind)}"${near ? `; did you mean "${near}"?` : `; known kinds: ${known}`}`)];
  }
  if (!k.versions.includes(version)) {
    const served = k.versions.map((v) => `${group}/${v}`).join(', ');
    return [issue(['apiVersion'], `${k.kind} is not served at version ${excerpt(version)}; use one of ${served}`)];
  }
  const validate = compiledValidator(k);
  const issues: SchemaIssue[] = [];
  if (!validate(obj)) {
    for (const e of validate.errors ?? []) {
      const found = toIssue(e, obj);
      if (found) issues.push(found);
    }
  }
  issues.push(...deprecations(k, (obj as { spec?: unknown }).spec));
  if (issues.length < 2) return issues;
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.level}\u0000${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
