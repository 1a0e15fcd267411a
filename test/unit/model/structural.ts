/**
 * A small checker for the Kubernetes "structural schema" rules (apiextensions.k8s.io/v1), plus the
 * stricter house rules that keep Istio fields from being pruned:
 * - every node has a non-empty `type`, except x-kubernetes-int-or-string nodes;
 * - an object node declares its fields: `properties`, or `additionalProperties` (a map), or is marked
 *   x-kubernetes-preserve-unknown-fields — never both properties and additionalProperties;
 * - an array node has `items`;
 * - allOf/anyOf/oneOf/not hold only value validations (no type, description, nullable,
 *   additionalProperties, properties other than fields declared outside) — except Kubernetes'
 *   own int-or-string pattern;
 * - `required` names declared properties only;
 * - enum values match the node's type;
 * - x-kubernetes-preserve-unknown-fields only at the paths the caller allows.
 */
import type { JSONSchemaProps } from '../../../src/model/istio/schema-types.js';

export interface StructuralProblem {
  path: string;
  problem: string;
}

const JUNCTOR_FORBIDDEN = ['type', 'description', 'default', 'nullable', 'additionalProperties', 'items', 'format'] as const;

export function checkStructural(root: JSONSchemaProps, allowPreserveAt: (path: string) => boolean): StructuralProblem[] {
  const problems: StructuralProblem[] = [];
  const walk = (node: JSONSchemaProps, path: string): void => {
    const p = (problem: string) => problems.push({ path: path || '<root>', problem });
    const intOrString = node['x-kubernetes-int-or-string'] === true;
    if (!node.type && !intOrString) p('missing type');
    if (node['x-kubernetes-preserve-unknown-fields'] && !allowPreserveAt(path)) {
      p('x-kubernetes-preserve-unknown-fields outside an allowed free-form node');
    }
    if (node.properties && node.additionalProperties) p('both properties and additionalProperties');
    if (node.type === 'object') {
      const declares = node.properties !== undefined || node.additionalProperties !== undefined || node['x-kubernetes-preserve-unknown-fields'] === true;
      if (!declares) p('object without properties, additionalProperties or preserve-unknown-fields');
    } else if (node.properties || node.additionalProperties) {
      p(`properties on a node of type ${node.type ?? 'none'}`);
    }
    if (node.type === 'array' && !node.items) p('array without items');
    if (node.type !== 'array' && node.items) p('items on a non-array node');
    for (const r of node.required ?? []) {
      if (!node.properties || !(r in node.properties)) p(`required field ${r} is not declared`);
    }
    for (const v of node.enum ?? []) {
      const t = typeof v;
      const ok = node.type === 'string' ? t === 'string' : node.type === 'boolean' ? t === 'boolean' : t === 'number';
      if (!ok) p(`enum value ${JSON.stringify(v)} does not match type ${node.type}`);
    }
    const checkJunctor = (j: JSONSchemaProps, where: string): void => {
      const isIntOrStringBranch = intOrString && where === 'anyOf' && (j.type === 'integer' || j.type === 'string') && Object.keys(j).length === 1;
      if (!isIntOrStringBranch) {
        for (const key of JUNCTOR_FORBIDDEN) {
          if ((j as Record<string, unknown>)[key] !== undefined) p(`${where} may not set ${key}`);
        }
      }
      for (const name of Object.keys(j.properties ?? {})) {
        if (!node.properties || !(name in node.properties)) p(`${where} mentions undeclared field ${name}`);
      }
      for (const r of j.required ?? []) {
        if (!node.properties || !(r in node.properties)) p(`${where} requires undeclared field ${r}`);
      }
      for (const sub of [...(j.allOf ?? []), ...(j.anyOf ?? []), ...(j.oneOf ?? [])]) checkJunctor(sub, where);
      if (j.not) checkJunctor(j.not, where);
    };
    for (const j of node.allOf ?? []) checkJunctor(j, 'allOf');
    for (const j of node.anyOf ?? []) checkJunctor(j, 'anyOf');
    for (const j of node.oneOf ?? []) checkJunctor(j, 'oneOf');
    if (node.not) checkJunctor(node.not, 'not');
    for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, path ? `${path}.${name}` : name);
    if (node.items) walk(node.items, `${path}[]`);
    if (node.additionalProperties) walk(node.additionalProperties, `${path}{}`);
  };
  walk(root, '');
  return problems;
}

/** Every property path a schema declares (`a.b[].c{}.d`), leaves and inner nodes alike. */
export function declaredPaths(root: JSONSchemaProps, prefix = ''): string[] {
  const out: string[] = [];
  const walk = (node: JSONSchemaProps, path: string): void => {
    if (node['x-kubernetes-preserve-unknown-fields'] && path !== '') {
      // Free-form subtrees: the node itself is the leaf.
      if (!node.properties) return;
    }
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const p = path ? `${path}.${name}` : name;
      out.push(p);
      walk(child, p);
    }
    if (node.items) walk(node.items, `${path}[]`);
    if (node.additionalProperties) walk(node.additionalProperties, `${path}{}`);
  };
  walk(root, prefix);
  return out;
}

/** The property paths a value uses, in the same notation, following the schema for maps and lists. */
export function usedPaths(value: unknown, schema: JSONSchemaProps, prefix = ''): string[] {
  const out: string[] = [];
  const walk = (v: unknown, node: JSONSchemaProps, path: string): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      if (node.items) for (const item of v) walk(item, node.items, `${path}[]`);
      return;
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (node.properties) {
        const sub = node.properties[k];
        if (!sub) continue;
        const p = path ? `${path}.${k}` : k;
        out.push(p);
        walk(child, sub, p);
      } else if (node.additionalProperties) {
        walk(child, node.additionalProperties, `${path}{}`);
      }
    }
  };
  walk(value, schema, prefix);
  return out;
}
