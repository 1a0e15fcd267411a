/**
 * The JSON Schemas the Istio validator compiles (one per kind), and the ajv options it compiles them
 * with. Shared by the run-time compiler (validators.ts, used on the sources) and the build, which
 * compiles the same schemas with the same options ahead of time (validators-codegen.ts), so both
 * check objects alike. Pure: no ajv here.
 */
import type { IstioKindSchema, JSONSchemaProps } from './schema-types.js';
import { DURATION_NODES } from './schemas/common.js';

export const K8S_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
  'x-kubernetes-embedded-resource',
];

// Go's time.ParseDuration syntax (what Istio accepts for google.protobuf.Duration fields).
export const DURATION_RE = /^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/;

/** The `duration` format: the same object for the run-time compiler and the precompiled validators. */
export const DURATION_FORMAT = { type: 'string', validate: (s: string): boolean => DURATION_RE.test(s) } as const;

/** ajv options of the validator (the build adds only what code generation needs). */
export const AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  strict: true,
  strictTypes: false,
  strictRequired: false,
  validateFormats: true,
} as const;

/** The key a kind's validator is found by. */
export function validatorKey(k: IstioKindSchema): string {
  return `${k.group}/${k.kind}`;
}

/** The validator's view of a CRD schema node: closed objects, duration formats. */
function strictView(node: JSONSchemaProps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'x-kubernetes-validations' || key === 'description') continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, JSONSchemaProps>).map(([k, v]) => [k, strictView(v)]));
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = strictView(value as JSONSchemaProps);
    } else if (key === 'oneOf' || key === 'anyOf' || key === 'allOf') {
      out[key] = (value as JSONSchemaProps[]).map(strictView);
    } else {
      out[key] = value;
    }
  }
  if (node.properties && !node['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  if (DURATION_NODES.has(node)) out.format = 'duration';
  return out;
}

/**
 * Moves subtrees that occur more than once (DestinationRule's traffic policy appears four times) into
 * `$defs`, so ajv compiles each once: compile time drops several-fold and results are unchanged.
 */
function shareRepeatedSubtrees(root: Record<string, unknown>): Record<string, unknown> {
  const MIN_SIZE = 400;
  type Node = Record<string, unknown>;
  /** Calls fn on every subschema position of a schema node (not on keyword values that are not schemas). */
  const mapChildren = (node: Node, fn: (child: Node) => Node): Node => {
    const out: Node = { ...node };
    if (node.properties) {
      out.properties = Object.fromEntries(Object.entries(node.properties as Record<string, Node>).map(([k, v]) => [k, fn(v)]));
    }
    for (const key of ['items', 'not'] as const) if (node[key]) out[key] = fn(node[key] as Node);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      out.additionalProperties = fn(node.additionalProperties as Node);
    }
    for (const key of ['oneOf', 'anyOf', 'allOf'] as const) if (node[key]) out[key] = (node[key] as Node[]).map(fn);
    return out;
  };
  const counts = new Map<string, number>();
  const count = (node: Node): Node => {
    const key = JSON.stringify(node);
    if (key.length >= MIN_SIZE) counts.set(key, (counts.get(key) ?? 0) + 1);
    mapChildren(node, count);
    return node;
  };
  count(root);
  const defs: Record<string, Node> = {};
  const names = new Map<string, string>();
  const replace = (node: Node): Node => {
    const key = JSON.stringify(node);
    if ((counts.get(key) ?? 0) > 1) {
      let name = names.get(key);
      if (!name) {
        name = `d${names.size}`;
        names.set(key, name);
        defs[name] = mapChildren(node, replace);
      }
      return { $ref: `#/$defs/${name}` };
    }
    return mapChildren(node, replace);
  };
  const out = mapChildren(root, replace);
  if (names.size > 0) out.$defs = defs;
  return out;
}

/** The schema a kind's objects are validated against. */
export function validatorSchema(k: IstioKindSchema): Record<string, unknown> {
  const schema: Record<string, unknown> = {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: strictView(k.spec),
      status: {},
    },
    additionalProperties: false,
  };
  if (k.specRequired) schema.required = ['spec'];
  return shareRepeatedSubtrees(schema);
}
