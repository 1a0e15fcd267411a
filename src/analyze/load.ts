/**
 * Turns manifest text into Resources: multi-document YAML or JSON, `List` kinds expanded, each object
 * tagged with its file and the line it starts on. Parsed by parseKubeYaml (src/model/yaml.ts), the
 * way the API server reads YAML (`yes`/`on` are booleans). Pure: the caller reads the files.
 */
import { isIstioGroup } from '../model/istio/crds.js';
import { validateIstioObject } from '../model/istio/validate.js';
import type { KubeObject } from '../model/k8s.js';
import { parseKubeYaml, yamlFieldLine } from '../model/yaml.js';
import { KINDS, type KindId, kindIdOf } from './kinds.js';
import type { FieldPath, Resource } from './types.js';

export interface ParseProblem {
  file: string;
  line: number;
  message: string;
}

export interface ParseResult {
  resources: Resource[];
  problems: ParseProblem[];
  /** Objects of kinds no analyzer reads (skipped). */
  skipped: number;
}

export interface ParseOptions {
  /** Shown in messages; '-' for stdin. */
  file: string;
  /** Namespace for namespaced objects that name none. */
  defaultNamespace: string;
}

export function parseManifests(text: string, options: ParseOptions): ParseResult {
  const out: ParseResult = { resources: [], problems: [], skipped: 0 };
  for (const doc of parseKubeYaml(text)) {
    if (doc.error) {
      out.problems.push({ file: options.file, line: doc.error.line, message: doc.error.message });
      continue;
    }
    if (doc.value === null) continue; // an empty document
    const source = { text: doc.text, firstLine: doc.line };
    addObject(doc.value, { ...options, line: doc.line, source, prefix: [] }, out);
  }
  return out;
}

interface Where extends ParseOptions {
  line: number;
  source: { text: string; firstLine: number };
  prefix: FieldPath;
}

function addObject(value: unknown, where: Where, out: ParseResult): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    out.problems.push({ file: where.file, line: where.line, message: 'a document is not a Kubernetes object (expected a mapping with apiVersion and kind)' });
    return;
  }
  const o = value as Record<string, unknown>;
  const apiVersion = o['apiVersion'];
  const kind = o['kind'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    out.problems.push({ file: where.file, line: where.line, message: 'object has no apiVersion or kind' });
    return;
  }
  if ((kind === 'List' || kind.endsWith('List')) && Array.isArray(o['items'])) {
    const items = o['items'] as unknown[];
    items.forEach((item, i) => {
      const prefix = [...where.prefix, 'items', i];
      const at = yamlFieldLine(where.source.text, prefix);
      const line = at !== undefined ? where.source.firstLine + at - 1 : where.line;
      addObject(item, { ...where, line, prefix }, out);
    });
    return;
  }
  const id = kindIdOf(apiVersion, kind);
  if (id === undefined) {
    if (isIstioGroup(apiVersion)) {
      // A kind Istio does not have (often a typo): the API server would reject the object.
      const issue = validateIstioObject(o)[0];
      out.problems.push({ file: where.file, line: where.line, message: issue?.message ?? `unknown Istio kind ${kind}` });
      return;
    }
    out.skipped++;
    return;
  }
  const meta = o['metadata'];
  const metadata = (meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? meta : {}) as KubeObject['metadata'];
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (name === '') {
    out.problems.push({ file: where.file, line: where.line, message: `${kind} has no metadata.name` });
    return;
  }
  const namespaced = KINDS[id].namespaced;
  const namespace = namespaced ? (typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : where.defaultNamespace) : '';
  const object = { ...o, metadata: namespaced ? { ...metadata, namespace } : metadata } as KubeObject;
  out.resources.push({
    id,
    kind,
    apiVersion,
    namespace,
    name,
    object,
    origin: { file: where.file, line: where.line, source: where.source, ...(where.prefix.length > 0 ? { prefix: where.prefix } : {}) },
  });
}

/** Wraps objects read from a cluster as Resources. */
export function clusterResource(id: KindId, object: KubeObject): Resource {
  return {
    id,
    kind: object.kind,
    apiVersion: object.apiVersion,
    namespace: KINDS[id].namespaced ? (object.metadata.namespace ?? '') : '',
    name: object.metadata.name ?? '',
    object,
    origin: { cluster: true },
  };
}

/**
 * The line of a field in an object from a file: the deepest part of `path` that exists. Re-parses only
 * the object's own document, so it costs nothing unless a finding needs it.
 */
export function lineOfField(origin: Resource['origin'], path: FieldPath): number | undefined {
  if (!origin.source) return origin.line;
  const at = yamlFieldLine(origin.source.text, [...(origin.prefix ?? []), ...path]);
  return at !== undefined ? origin.source.firstLine + at - 1 : origin.line;
}
