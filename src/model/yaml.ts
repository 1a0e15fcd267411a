/**
 * The one way mesh reads user YAML: as Kubernetes does. kubectl turns YAML into JSON with
 * sigs.k8s.io/yaml, which decodes with a fork of go-yaml v2, so plain scalars resolve the YAML 1.1
 * way go-yaml v2 does:
 *  - booleans: y Y yes Yes YES on On ON true True TRUE (and n/no/off/false likewise);
 *  - null: empty, ~, null, Null, NULL;
 *  - integers as Go's strconv.ParseInt with base 0 after removing `_`: 0x1F, 0o17, 0b101, 0755
 *    (octal), +12; floats as `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (so `1e3` and `09`
 *    are numbers), .inf/-.inf/.nan;
 *  - timestamps stay strings (go-yaml v2 keeps them as strings when decoding into interface{}), and
 *    so do base-60 numbers such as `1:20` (go-yaml never supported them);
 *  - merge keys `<<` merge; a repeated key keeps its last value, as go-yaml v2's non-strict decoding.
 *
 * The engine is js-yaml with a schema of those rules (about ten times faster than the `yaml`
 * package here). A stream is split into documents at `---`/`...` lines, so one broken document
 * does not hide the others, and each document knows the line it starts on. Field positions are not
 * computed here: `yamlFieldLine` finds the line of a field by re-reading one document with the
 * `yaml` package, only for documents that have a finding.
 *
 * A document js-yaml cannot read (an unknown tag, an unusual construct) is read again with the
 * `yaml` package in YAML 1.1 mode; if that fails too, its error (message and line) is reported.
 */
import { FAILSAFE_SCHEMA, type Schema, Type, load } from 'js-yaml';
import { type Document, LineCounter, type SchemaOptions, parseAllDocuments, parseDocument, visit } from 'yaml';
import { excerpt } from '../errors.js';
import { documentToJs } from '../yaml-input.js';
import { NOT_PLAIN, readPlainYaml } from './yaml-fast.js';

// ---------------------------------------------------------------------------------------------
// Scalars, as go-yaml v2 resolves them.

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE']);
const SPECIAL_FLOATS = new Map<string, number>([
  ['.inf', Infinity],
  ['.Inf', Infinity],
  ['.INF', Infinity],
  ['+.inf', Infinity],
  ['+.Inf', Infinity],
  ['+.INF', Infinity],
  ['-.inf', -Infinity],
  ['-.Inf', -Infinity],
  ['-.INF', -Infinity],
  ['.nan', NaN],
  ['.NaN', NaN],
  ['.NAN', NaN],
]);
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT_BODY: Record<number, RegExp> = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };

/** Go's strconv.ParseInt(s, 0, 64) (and ParseUint), without range errors: undefined when it fails. */
function goParseInt(s: string): number | undefined {
  let i = 0;
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') {
    if (s[0] === '-') sign = -1;
    i = 1;
  }
  let base = 10;
  if (s[i] === '0' && s.length > i + 1) {
    const p = s[i + 1];
    if (p === 'x' || p === 'X') base = 16;
    else if (p === 'o' || p === 'O') base = 8;
    else if (p === 'b' || p === 'B') base = 2;
    else base = 8; // a leading 0: octal
    i += base === 8 && p !== 'o' && p !== 'O' ? 1 : 2;
  }
  const body = s.slice(i);
  if (body === '' || !INT_BODY[base]!.test(body)) return undefined;
  const n = parseInt(body, base) * sign;
  // Beyond int64/uint64 ParseInt and ParseUint fail; go-yaml then tries a float.
  // 2 ** 64: uint64's largest value, 2^64 - 1, is 2^64 as a double.
  if (n > 2 ** 64 || n < -(2 ** 63)) return undefined;
  return n;
}

/** The number a plain scalar is for go-yaml v2, or undefined when it is not one. */
export function goYamlNumber(s: string): number | undefined {
  const c = s.charCodeAt(0);
  const special = SPECIAL_FLOATS.get(s);
  if (special !== undefined) return special;
  if (c === 0x2e /* . */) return GO_FLOAT.test(s) ? Number(s) : undefined;
  const isDigit = c >= 0x30 && c <= 0x39;
  if (!isDigit && c !== 0x2b && c !== 0x2d) return undefined;
  // Timestamps (2001-12-14, 2001-12-14T21:59:43Z) resolve before numbers in go-yaml but are kept
  // as strings; none of them reads as a number below either.
  const plain = s.includes('_') ? s.replaceAll('_', '') : s;
  const i = goParseInt(plain);
  if (i !== undefined) return i;
  if (GO_FLOAT.test(plain)) return Number(plain);
  return undefined;
}

// One implicit type answers for null, booleans and numbers (js-yaml tries implicit types in turn on
// every plain scalar, so one resolver with a first-character dispatch is the fast way); it remembers
// the value it resolved so construct does not compute it again. Strings are what none of them is.
const NOT_SCALAR = Symbol('string');
let lastText: string | undefined;
let lastValue: unknown = NOT_SCALAR;
function resolveScalar(s: string): unknown {
  if (s === lastText) return lastValue;
  let v: unknown = NOT_SCALAR;
  const c = s.charCodeAt(0);
  if (s === '' || NULLS.has(s)) v = null;
  else if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
    const n = goYamlNumber(s);
    if (n !== undefined) v = n;
  } else if (TRUE.has(s)) v = true;
  else if (FALSE.has(s)) v = false;
  lastText = s;
  lastValue = v;
  return v;
}
/** For the fast reader's tests: the plain-scalar resolver and its answer for a string. */
export const resolvePlainScalar = resolveScalar;
export const PLAIN_STRING = NOT_SCALAR;
const scalarType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (s: string | null) => s === null || resolveScalar(s) !== NOT_SCALAR,
  construct: (s: string | null) => (s === null ? null : resolveScalar(s)),
  predicate: (v: unknown) => v === null || typeof v === 'boolean' || typeof v === 'number',
});
// Explicit `!!bool`, `!!int`, `!!float` tags.
const explicitType = (tag: string, ok: (v: unknown) => boolean): Type =>
  new Type(tag, {
    kind: 'scalar',
    resolve: (s: string) => ok(resolveScalar(s)),
    construct: (s: string) => resolveScalar(s),
  });
const boolType = explicitType('tag:yaml.org,2002:bool', (v) => typeof v === 'boolean');
const intType = explicitType('tag:yaml.org,2002:int', (v) => typeof v === 'number');
const floatType = explicitType('tag:yaml.org,2002:float', (v) => typeof v === 'number');

/** `<<`: js-yaml merges the mappings of a key with this tag, as go-yaml does. */
const mergeType = new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (s: string | null) => s === '<<' || s === null });

/** go-yaml v2's implicit types for plain scalars; strings, maps and sequences from the failsafe schema. */
export const KUBE_YAML_SCHEMA: Schema = FAILSAFE_SCHEMA.extend({
  implicit: [scalarType, mergeType],
  explicit: [boolType, intType, floatType],
});

// ---------------------------------------------------------------------------------------------
// The `yaml` package in the same mode: only for documents js-yaml cannot read, and for positions.

type Tags = Parameters<Extract<NonNullable<SchemaOptions['customTags']>, (tags: never) => unknown>>[0];
const YAML_PACKAGE_OPTIONS = {
  version: '1.1',
  uniqueKeys: false,
  strict: false,
  prettyErrors: false,
  // A map key that is itself a map or list is read as its string form, without a process warning.
  logLevel: 'silent',
  customTags: (tags: Tags): Tags => tags.filter((t) => typeof t !== 'object' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME')),
} as const;

// ---------------------------------------------------------------------------------------------
// Documents.

export interface YamlProblem {
  /** 1-based line in the whole text. */
  line: number;
  /** One line, without a position suffix. */
  message: string;
  /**
   * 'syntax': the text is not YAML; 'value': it parses, but its aliases or merge keys cannot be
   * expanded into data (a YAML bomb, an alias to no anchor, nesting too deep).
   */
  kind: 'syntax' | 'value';
}

export interface KubeYamlDocument {
  /** The value; null for an empty document (or one holding only comments). */
  value: unknown;
  /** 1-based line where the document's content starts (after `---`, blank lines and comments). */
  line: number;
  /** The document's text from its first content line on (for `yamlFieldLine`). */
  text: string;
  /** Set when the document does not parse; `value` is then null. */
  error?: YamlProblem;
}

export class YamlSyntaxError extends Error {
  constructor(readonly problem: YamlProblem) {
    super(problem.message);
  }
}

/** Every document of a YAML stream (multi-document YAML, or JSON), each on its own. */
export function parseKubeYaml(text: string): KubeYamlDocument[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Directives (%YAML, %TAG) belong to the document after them: read such a stream whole.
  if (/^%/m.test(body)) return viaYamlPackage(body, 1);
  const out: KubeYamlDocument[] = [];
  for (const chunk of splitDocuments(body)) {
    const doc = parseChunk(chunk);
    if (doc) out.push(doc);
  }
  return out;
}

/**
 * Exactly one document (a file expected to hold one value, a ConfigMap key): its value, null when
 * empty. Throws YamlSyntaxError when it does not parse or holds several documents.
 */
export function parseKubeYamlValue(text: string): unknown {
  const docs = parseKubeYaml(text).filter((d) => d.error !== undefined || d.value !== null);
  const bad = docs.find((d) => d.error !== undefined);
  if (bad?.error) throw new YamlSyntaxError(bad.error);
  if (docs.length > 1) throw new YamlSyntaxError({ line: docs[1]!.line, message: `expected one YAML document, found ${docs.length}`, kind: 'syntax' });
  return docs[0]?.value ?? null;
}

interface Chunk {
  text: string;
  /** 1-based line of the chunk's first line. */
  line: number;
}

/** Splits at lines that are `---` or `...` (with optional content after `--- `): YAML's document markers. */
function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let startLine = 1;
  let line = 1;
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    if (text.charCodeAt(pos) === 0x2d /* - */ && text.startsWith('---', pos) && isMarkerEnd(text, pos + 3, end)) {
      if (pos > start) chunks.push({ text: text.slice(start, pos), line: startLine });
      start = pos;
      startLine = line;
    } else if (text.charCodeAt(pos) === 0x2e /* . */ && text.startsWith('...', pos) && isMarkerEnd(text, pos + 3, end)) {
      if (pos > start) chunks.push({ text: text.slice(start, pos), line: startLine });
      start = end + 1;
      startLine = line + 1;
    }
    if (nl < 0) break;
    pos = nl + 1;
    line++;
  }
  if (start < text.length) chunks.push({ text: text.slice(start), line: startLine });
  return chunks;
}

function isMarkerEnd(text: string, i: number, end: number): boolean {
  if (i >= end) return true;
  const c = text.charCodeAt(i);
  return c === 0x20 || c === 0x09 || c === 0x0d;
}

function parseChunk({ text: chunk, line: firstLine }: Chunk): KubeYamlDocument | undefined {
  const content = contentStart(chunk);
  if (content === undefined) return undefined; // only markers, blank lines and comments
  const line = firstLine + content.lines;
  const docText = chunk.slice(content.offset);
  // Aliases need anchors, so a document without `&` has none. One with `&` (an anchor, or just the
  // character in a string) is first read by the `yaml` package, whose alias expansion is bounded:
  // js-yaml's is not, and a "billion laughs" document must be refused, not expanded. So is one with
  // `<<`: js-yaml merges a list into a map, go-yaml (and the `yaml` package) refuse it.
  let viaPkg: KubeYamlDocument[] | undefined;
  const pkg = (): KubeYamlDocument[] => (viaPkg ??= viaYamlPackage(chunk, firstLine));
  const failed = (): KubeYamlDocument | undefined => {
    const bad = pkg().find((d) => d.error !== undefined);
    return bad ? { ...bad, text: docText } : undefined;
  };
  if (chunk.includes('&') || chunk.includes('<<')) {
    const bad = failed();
    if (bad) return bad;
  }
  // Most documents are plain block YAML, which yaml-fast.ts reads several times faster than js-yaml.
  const plain = readPlainYaml(docText, resolveScalar, NOT_SCALAR);
  if (plain !== NOT_PLAIN) return { value: plain, line, text: docText };
  let value: unknown;
  try {
    value = load(chunk, { schema: KUBE_YAML_SCHEMA, json: true });
  } catch {
    // Unusual YAML (tags, odd indentation) or an error: the `yaml` package decides, and words it.
    const doc = failed() ?? pkg()[0];
    return doc ? { ...doc, line: doc.error ? doc.line : line, text: docText } : undefined;
  }
  // A document that is not a map is rare, and often text that is not YAML (js-yaml reads a line
  // indented by a tab as a string): the `yaml` package's error, when it has one, says more.
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    const bad = failed();
    if (bad) return bad;
  }
  return { value: value === undefined ? null : value, line, text: docText };
}

/** Where the content of a chunk starts: the offset of its first line that is not a marker, blank or a comment. */
function contentStart(chunk: string): { offset: number; lines: number } | undefined {
  let pos = 0;
  let lines = 0;
  while (pos < chunk.length) {
    const nl = chunk.indexOf('\n', pos);
    const end = nl < 0 ? chunk.length : nl;
    let i = pos;
    if (lines === 0 && chunk.startsWith('---', pos)) i += 3;
    while (i < end && (chunk.charCodeAt(i) === 0x20 || chunk.charCodeAt(i) === 0x09 || chunk.charCodeAt(i) === 0x0d)) i++;
    if (i < end && chunk.charCodeAt(i) !== 0x23 /* # */) return { offset: pos, lines };
    if (nl < 0) break;
    pos = nl + 1;
    lines++;
  }
  return undefined;
}

/**
 * The `yaml` package on a text: values, or each document's first error with its line (an error past
 * the text's last non-blank character is placed on that character's line). Aliases are expanded only
 * up to a bound (src/yaml-input.ts).
 */
function viaYamlPackage(text: string, firstLine: number): KubeYamlDocument[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { ...YAML_PACKAGE_OPTIONS, lineCounter: lc });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: KubeYamlDocument[] = [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const at = lc.linePos(Math.min(err.pos[0], Math.max(text.trimEnd().length - 1, 0))).line;
      out.push({
        value: null,
        line: firstLine + at - 1,
        text: '',
        error: { line: firstLine + at - 1, message: excerpt(oneLine(err.message), 200), kind: 'syntax' },
      });
      continue;
    }
    if (doc.contents === null) continue;
    const start = doc.contents.range[0];
    const at = lc.linePos(start).line;
    const lineStart = lc.lineStarts[at - 1] ?? 0;
    const js = documentToJs(doc);
    if (!js.ok) {
      // An alias to no anchor is placed on the alias's own line; other failures on the document's.
      const alias = unresolvedAlias(doc);
      const line = firstLine + (alias !== undefined ? lc.linePos(alias).line : at) - 1;
      out.push({ value: null, line, text: '', error: { line, message: js.message, kind: 'value' } });
      continue;
    }
    out.push({ value: js.value === undefined ? null : js.value, line: firstLine + at - 1, text: text.slice(lineStart, doc.range[1]) });
  }
  return out;
}

/** The offset of the first alias in a document that names no anchor before it, or undefined. */
function unresolvedAlias(doc: Document.Parsed): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      at = node.range?.[0];
      return visit.BREAK;
    },
  });
  return at;
}

function oneLine(s: string): string {
  return (s.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** A document's text read again by the `yaml` package (same mode), with the positions of its nodes. */
export interface PositionedYaml {
  doc: Document;
  lc: LineCounter;
}

/** Reads one document's text with positions: call it only for documents with a finding. */
export function readWithPositions(text: string): PositionedYaml {
  const lc = new LineCounter();
  return { doc: parseDocument(text, { ...YAML_PACKAGE_OPTIONS, lineCounter: lc }), lc };
}

/** The 1-based line (within the document's text) of the deepest part of `path` that exists, or undefined. */
export function lineOfPath({ doc, lc }: PositionedYaml, path: readonly (string | number)[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (node !== null && typeof node === 'object' && 'range' in node) {
      const range = (node as { range?: [number, number, number] }).range;
      if (range) return lc.linePos(range[0]).line;
    }
  }
  return undefined;
}

/** lineOfPath on a text read once for the purpose. */
export function yamlFieldLine(text: string, path: readonly (string | number)[]): number | undefined {
  return lineOfPath(readWithPositions(text), path);
}
