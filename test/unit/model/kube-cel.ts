/**
 * Evaluates the CEL rules (x-kubernetes-validations) of a CRD schema locally, the way the Kubernetes API
 * server applies them, with @bufbuild/cel:
 * - a rule runs on every node of the object that is present (not on absent fields or nulls), with
 *   `self` bound to that node's value;
 * - values are typed by the schema: `integer` nodes are CEL ints, `number` nodes doubles, objects and
 *   maps CEL maps (fields the schema does not declare are pruned first, as the API server does);
 * - a rule that fails with an evaluation error counts as a violation (the API server rejects then too);
 * - Kubernetes' URL library (`url()`, `isURL()`, `getScheme()`) is provided by a small model of Go's
 *   url.ParseRequestURI, and the strings extension (`substring`, …) by @bufbuild/cel/ext.
 * The cost budget and the parse-time type checking of the API server are not modelled.
 */
import { CelScalar, celEnv, celFunc, celMethod, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { JSONSchemaProps } from '../../../src/model/istio/schema-types.js';

/** The scheme of a URL as Go's url.ParseRequestURI reads it, or undefined when it does not parse. */
export function requestUriScheme(s: string): string | undefined {
  if (s === '' || /[\x00-\x1f\x7f ]/.test(s)) return undefined;
  if (s.startsWith(':')) return undefined;
  let scheme = '';
  let rest = s;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = s.slice(m[0].length);
  }
  rest = rest.split('?')[0]!;
  if (!rest.startsWith('/')) return scheme ? scheme : undefined; // opaque with a scheme; a bare path is refused
  if (scheme && rest.startsWith('//')) {
    const authority = rest.slice(2).split('/')[0]!;
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    if (!/^[A-Za-z0-9.\-_~!$&'()*+,;=:[\]%]*$/.test(host)) return undefined;
    const port = host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host.includes(':') ? host.slice(host.lastIndexOf(':')) : '';
    if (port !== '' && !/^:[0-9]*$/.test(port)) return undefined;
  }
  return scheme;
}

// url(s) is modelled as the string itself (mesh's and Istio's rules only ask it for the scheme).
const urlFuncs = [
  celFunc('url', [CelScalar.STRING], CelScalar.STRING, (s: string) => {
    if (requestUriScheme(s) === undefined) throw new Error(`URL parse error: ${s}`);
    return s;
  }),
  celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s: string) => requestUriScheme(s) !== undefined),
  celMethod('getScheme', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
    return requestUriScheme(this) ?? '';
  }),
];

const env = celEnv({ funcs: [...strings, ...urlFuncs] });
type Program = (ctx: Record<string, unknown>) => unknown;
const programs = new Map<string, Program>();

/** Runs one rule with `self` bound; true when it holds, false when it is false or fails to evaluate. */
export function ruleHolds(rule: string, self: unknown): boolean {
  let p = programs.get(rule);
  if (!p) {
    p = plan(env, parse(rule)) as unknown as Program;
    programs.set(rule, p);
  }
  let r: unknown;
  try {
    r = p({ self });
  } catch {
    return false;
  }
  return !isCelError(r as never) && r === true;
}

/** A JSON value as the API server hands it to CEL: typed and pruned by the schema. */
export function toCel(value: unknown, node: JSONSchemaProps | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (!node) return toCelUntyped(value);
  if (node['x-kubernetes-preserve-unknown-fields'] && !node.properties) return toCelUntyped(value);
  switch (node.type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
    case 'number':
      return typeof value === 'bigint' ? Number(value) : value;
    case 'array':
      return Array.isArray(value) ? value.map((v) => toCel(v, node.items)) : value;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const m = new Map<string, unknown>();
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === null || v === undefined) continue;
        if (node.properties) {
          const sub = node.properties[k];
          if (sub) m.set(k, toCel(v, sub));
          else if (node['x-kubernetes-preserve-unknown-fields']) m.set(k, toCelUntyped(v));
        } else if (node.additionalProperties) {
          m.set(k, toCel(v, node.additionalProperties));
        }
      }
      return m;
    }
    default:
      return value;
  }
}

function toCelUntyped(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelUntyped);
  if (value !== null && typeof value === 'object' && !(value instanceof Map)) {
    return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toCelUntyped(v)]));
  }
  return value;
}

export interface CelViolation {
  /** Schema path of the node (`spec.ports[]`), as in scripts/parity/crds.mjs. */
  node: string;
  /** Where in the object (`spec.ports[1]`). */
  at: string;
  rule: string;
  message: string;
}

/** Every rule of the schema that the object violates. Values are plain JSON (numbers, not bigints). */
export function celViolations(root: JSONSchemaProps, value: unknown): CelViolation[] {
  const out: CelViolation[] = [];
  const walk = (node: JSONSchemaProps, v: unknown, nodePath: string, at: string): void => {
    if (v === null || v === undefined) return;
    const rules = node['x-kubernetes-validations'] ?? [];
    if (rules.length > 0) {
      const self = toCel(v, node);
      for (const r of rules) if (!ruleHolds(r.rule, self)) out.push({ node: nodePath, at, rule: r.rule, message: r.message ?? '' });
    }
    if (Array.isArray(v)) {
      if (node.items) v.forEach((item, i) => walk(node.items!, item, `${nodePath}[]`, `${at}[${i}]`));
      return;
    }
    if (typeof v !== 'object') return;
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (node.properties) {
        const sub = node.properties[k];
        if (sub) walk(sub, child, nodePath ? `${nodePath}.${k}` : k, at ? `${at}.${k}` : k);
      } else if (node.additionalProperties) {
        walk(node.additionalProperties, child, `${nodePath}{}`, `${at}[${JSON.stringify(k)}]`);
      }
    }
  };
  walk(root, value, '', '');
  return out;
}
