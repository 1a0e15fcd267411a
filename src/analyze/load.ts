/**
 * Turns manifest text into Resources: multi-document YAML or JSON, `List` kinds expanded, each object
 * tagged with its file and the line it starts on. Read by parseKubeYaml (src/model/yaml.ts), the way
 * the API server reads YAML (`yes`/`on` are booleans; YAML 1.1 as go-yaml v2 has it), with aliases
 * expanded only up to a bound (a YAML bomb is a problem of its file). Field positions are not kept:
 * `lineOfField` re-reads a document only when one of its objects has a finding. Pure: the caller
 * reads the files.
 */
import { isSeq } from 'yaml';
import { excerpt } from '../errors.js';
import { isIstioGroup } from '../model/istio/crds.js';
import { validateIstioObject } from '../model/istio/validate.js';
import type { KubeObject } from '../model/k8s.js';
import { type PositionedYaml, lineOfPath, parseKubeYaml, readWithPositions } from '../model/yaml.js';
import { GIVE_UP, fastFieldLine } from '../model/yaml-lines.js';
import { asRecord, isRecord } from '../util/narrow.js';
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
  if (!isRecord(value)) {
    out.problems.push({ file: where.file, line: where.line, message: 'a document is not a Kubernetes object (expected a mapping with apiVersion and kind)' });
    return;
  }
  const o = value;
  const apiVersion = o['apiVersion'];
  const kind = o['kind'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    out.problems.push({ file: where.file, line: where.line, message: 'object has no apiVersion or kind' });
    return;
  }
  if ((kind === 'List' || kind.endsWith('List')) && Array.isArray(o['items'])) {
    const items = o['items'] as unknown[];
    // The items' lines: the document read once more with positions (Lists only).
    const { doc, lc } = positions(where.source);
    const seq = doc.getIn([...where.prefix, 'items'], true);
    items.forEach((item, i) => {
      const node = isSeq(seq) ? seq.items[i] : undefined;
      const start = node !== null && typeof node === 'object' && 'range' in node ? (node.range as [number, number, number] | undefined)?.[0] : undefined;
      const line = start !== undefined ? where.source.firstLine + lc.linePos(start).line - 1 : where.line;
      addObject(item, { ...where, line, prefix: [...where.prefix, 'items', i] }, out);
    });
    return;
  }
  const id = kindIdOf(apiVersion, kind);
  if (id === undefined) {
    if (isIstioGroup(apiVersion)) {
      // A kind Istio does not have (often a typo): the API server would reject the object.
      const issue = validateIstioObject(o)[0];
      out.problems.push({ file: where.file, line: where.line, message: issue?.message ?? `unknown Istio kind ${excerpt(kind)}` });
      return;
    }
    out.skipped++;
    return;
  }
  const meta = o['metadata'];
  const metadata = asRecord(meta) as KubeObject['metadata'];
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (name === '') {
    out.problems.push({ file: where.file, line: where.line, message: `${excerpt(kind)} has no metadata.name` });
    return;
  }
  // Kubernetes reads labels and annotations as maps of strings and rejects anything else; analyzers
  // may rely on that. (A null value is read as "", as the API server does.)
  // (Loops over keys, not Object.entries: this runs for every object, and most have labels.)
  let fixed: Record<string, Record<string, string>> | undefined;
  for (const field of ['labels', 'annotations'] as const) {
    const v: unknown = metadata[field];
    if (v === undefined || v === null) continue;
    let bad: string | undefined;
    let hasNull = false;
    if (isRecord(v)) {
      for (const k of Object.keys(v)) {
        const x = v[k];
        if (x === null) hasNull = true;
        else if (typeof x !== 'string') {
          bad = k;
          break;
        }
      }
    }
    if (!isRecord(v) || bad !== undefined) {
      const what = bad === undefined ? `metadata.${field}` : `metadata.${field}["${excerpt(bad)}"]`;
      out.problems.push({
        file: where.file,
        line: where.line,
        message: `${excerpt(kind)} ${excerpt(name)}: ${what} must be ${bad === undefined ? 'a map of strings' : 'a string'} (the API server rejects anything else)`,
      });
      return;
    }
    if (hasNull) (fixed ??= {})[field] = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, (x as string | null) ?? '']));
  }
  if (fixed !== undefined) Object.assign(metadata, fixed);
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

const reparsed = new WeakMap<object, PositionedYaml>();

/** A document read with positions (model/yaml.ts), once per document however often it is asked for. */
function positions(source: { text: string }): PositionedYaml {
  let parsed = reparsed.get(source);
  if (parsed === undefined) {
    parsed = readWithPositions(source.text);
    reparsed.set(source, parsed);
  }
  return parsed;
}

/** Fast scans so far per document: past a few, reading the document once with positions is cheaper. */
const scans = new WeakMap<object, number>();
const MAX_SCANS = 16;

/**
 * The line of a field in an object from a file: the deepest part of `path` that exists. Scans only
 * the object's own document (model/yaml-lines.ts), or re-parses it when the scan gives up or the
 * document has many findings, so it costs nothing unless a finding needs it.
 */
export function lineOfField(origin: Resource['origin'], path: FieldPath): number | undefined {
  if (!origin.source) return origin.line;
  const source = origin.source;
  const full = [...(origin.prefix ?? []), ...path];
  let line: number | undefined | typeof GIVE_UP = GIVE_UP;
  const n = scans.get(source) ?? 0;
  if (n < MAX_SCANS && !reparsed.has(source)) {
    scans.set(source, n + 1);
    line = fastFieldLine(source.text, full);
  }
  // One parse per object, however many of its fields have findings (thousands, for a long list of
  // wrong items: re-parsing for each took minutes).
  if (line === GIVE_UP) line = lineOfPath(positions(source), full);
  return line !== undefined ? source.firstLine + line - 1 : origin.line;
}
