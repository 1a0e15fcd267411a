/**
 * Inputs for the fuzz suite: seed documents from the repository's own fixtures, systematic
 * "wrong type at every path" variants of them, fast-check arbitraries that mutate them (text and
 * structure), and a fixed list of hostile documents (YAML bombs, deep and huge values, binary).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, parseAllDocuments, stringify } from 'yaml';

export type Doc = unknown;
export type PathKey = string | number;

const ROOT = new URL('../../', import.meta.url).pathname;

function yamlFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(ROOT, dir, f));
}

const docsOf = (text: string): Doc[] =>
  parseAllDocuments(text, { version: '1.1' })
    .map((d) => d.toJS() as Doc)
    .filter((d) => d !== null && d !== undefined);

/** Kubernetes and Istio objects: the CRD round-trip corpus, the analyzer fixtures, the analyze fixtures. */
export function analyzeSeeds(): Doc[] {
  const out: Doc[] = [];
  for (const f of [...yamlFiles('test/fixtures/istio-corpus'), ...yamlFiles('test/fixtures/analyze')]) out.push(...docsOf(readFileSync(f, 'utf8')));
  for (const f of yamlFiles('src/analyze/analyzers')) {
    const fixtures = parse(readFileSync(f, 'utf8')) as Record<string, { objects?: unknown }[] | undefined>;
    for (const group of ['valid', 'invalid']) {
      for (const c of fixtures[group] ?? []) if (typeof c.objects === 'string') out.push(...docsOf(c.objects));
    }
  }
  return out;
}

/** IstioOperator overlays: every built-in profile, and one that uses most kinds of field. */
export function iopSeeds(): Doc[] {
  const out: Doc[] = yamlFiles('profiles').flatMap((f) => docsOf(readFileSync(f, 'utf8')));
  out.push(parse(RICH_IOP));
  return out;
}

const RICH_IOP = `
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: { name: custom, namespace: istio-system }
spec:
  profile: default
  hub: example.com/istio
  tag: 1.31.1
  revision: canary
  meshConfig:
    accessLogFile: /dev/stdout
    defaultConfig: { proxyMetadata: { FOO: bar } }
    outboundTrafficPolicy: { mode: REGISTRY_ONLY }
  components:
    pilot:
      k8s:
        replicaCount: 2
        env: [{ name: PILOT_X, value: "1" }]
        resources: { requests: { cpu: 100m, memory: 128Mi } }
        nodeSelector: { disk: ssd }
        tolerations: [{ key: k, operator: Exists, effect: NoSchedule }]
        overlays:
          - kind: Deployment
            name: istiod-canary
            patches: [{ path: 'spec.template.spec.containers.[name:discovery].args', value: [a] }]
    ingressGateways:
      - name: istio-ingressgateway
        enabled: true
        k8s:
          service: { type: NodePort, ports: [{ name: http2, port: 80, targetPort: 8080 }] }
          hpaSpec: { minReplicas: 1, maxReplicas: 3 }
          serviceAnnotations: { a.b/c: d }
      - name: internal
        namespace: gateways
        enabled: true
        label: { istio: internal }
    egressGateways: [{ name: istio-egressgateway, enabled: true }]
    cni: { enabled: true, namespace: kube-system }
  values:
    global:
      logAsJson: true
      proxy: { includeIPRanges: "10.0.0.0/8", excludeInboundPorts: "15020,8081", resources: { limits: { cpu: "2" } } }
    pilot: { traceSampling: 0.1, autoscaleEnabled: false }
    gateways: { istio-ingressgateway: { runAsRoot: false } }
`;

/** Every path in a value, parents before children; at most `limit`. */
export function pathsOf(v: Doc, limit = 10_000): PathKey[][] {
  const out: PathKey[][] = [];
  const walk = (x: Doc, p: PathKey[]): void => {
    if (out.length >= limit) return;
    if (Array.isArray(x)) x.forEach((c, i) => (out.push([...p, i]), walk(c, [...p, i])));
    else if (x !== null && typeof x === 'object') {
      for (const [k, c] of Object.entries(x)) {
        out.push([...p, k]);
        walk(c, [...p, k]);
      }
    }
  };
  walk(v, []);
  return out;
}

/** A copy of `v` with the value at `path` replaced (or, with `undefined`, removed). */
export function replaceAt(v: Doc, path: readonly PathKey[], value: unknown): Doc {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const copy = [...v];
    if (value === undefined && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = replaceAt(copy[head as number], rest, value);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  if (value === undefined && rest.length === 0) delete copy[head as string];
  else
    Object.defineProperty(copy, head as string, { value: replaceAt(copy[head as string], rest, value), enumerable: true, writable: true, configurable: true });
  return copy;
}

const nested = (depth: number, leaf: unknown, list: boolean): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = list ? [v] : { a: v };
  return v;
};

/** Values of every type (and the awkward ones of each), put in place of whatever a path held. */
export const WRONG_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  2147483648,
  1.5,
  -0.0,
  Infinity,
  NaN,
  1e300,
  '',
  ' ',
  'x',
  '*',
  '0',
  'yes',
  '~',
  '-',
  '::',
  '\u0000',
  '\u001b[31m',
  'line\nbreak',
  '日本語',
  '\ud800',
  'x'.repeat(5000),
  [],
  [null],
  ['x'],
  [[]],
  [1, 'a', true],
  {},
  { '': null },
  { x: 1 },
  { __proto__: { polluted: true } },
  { constructor: 'x' },
  nested(60, 'deep', false),
  nested(60, 1, true),
];

/** YAML text of a document, in block or flow style. */
export function emit(doc: Doc, flow = false): string {
  return stringify(doc, { version: '1.1', lineWidth: 0, ...(flow ? { collectionStyle: 'flow' } : {}) });
}

// Seeds are emitted once each way: text mutations start from the same text many times.
const emitted = new WeakMap<object, [string?, string?]>();
function emitSeed(doc: Doc, flow = false): string {
  if (doc === null || typeof doc !== 'object') return emit(doc, flow);
  let e = emitted.get(doc);
  if (e === undefined) emitted.set(doc, (e = []));
  return (e[flow ? 1 : 0] ??= emit(doc, flow));
}

// ---------------------------------------------------------------------------------------------
// Text mutations.

const INDICATORS = [
  ':',
  '-',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '#',
  '%',
  '@',
  '`',
  '?',
  '<<',
  '\t',
  '\r',
  '\n',
  ' ',
  '---',
  '...',
  '\u0000',
  '\ufeff',
  '\\',
];

type TextOp =
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; len: number }
  | { op: 'dupLine'; line: number }
  | { op: 'dropLine'; line: number }
  | { op: 'swapLines'; a: number; b: number }
  | { op: 'indent'; line: number; by: number }
  | { op: 'bytes'; at: number; bytes: number[] };

const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...INDICATORS), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 })),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('dupLine' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('dropLine' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ op: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 }) }),
);

/** Applies text mutations; the result is bytes (a mutation may insert invalid UTF-8). */
export function mutateText(text: string, ops: readonly TextOp[]): Buffer {
  let buf = Buffer.from(text);
  for (const o of ops) {
    const at = (n: number): number => (buf.length === 0 ? 0 : n % (buf.length + 1));
    if (o.op === 'truncate') buf = buf.subarray(0, at(o.at));
    else if (o.op === 'insert') buf = Buffer.concat([buf.subarray(0, at(o.at)), Buffer.from(o.text), buf.subarray(at(o.at))]);
    else if (o.op === 'delete') buf = Buffer.concat([buf.subarray(0, at(o.at)), buf.subarray(at(o.at) + o.len)]);
    else if (o.op === 'bytes') buf = Buffer.concat([buf.subarray(0, at(o.at)), Buffer.from(o.bytes), buf.subarray(at(o.at))]);
    else {
      const lines = buf.toString('latin1').split('\n');
      const i = (n: number): number => n % lines.length;
      if (o.op === 'dupLine')
        lines.splice(i(o.line), 0, lines[i(o.line)]!); // often a duplicate key
      else if (o.op === 'dropLine') lines.splice(i(o.line), 1);
      else if (o.op === 'swapLines') [lines[i(o.a)], lines[i(o.b)]] = [lines[i(o.b)]!, lines[i(o.a)]!];
      else {
        const l = lines[i(o.line)]!;
        lines[i(o.line)] = o.by >= 0 ? ' '.repeat(o.by) + l : l.replace(new RegExp(`^ {0,${-o.by}}`), '');
      }
      buf = Buffer.from(lines.join('\n'), 'latin1');
    }
  }
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Structural mutations.

/** Values a field might wrongly hold, generated: JSON-ish, plus huge and deep ones. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(...WRONG_VALUES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 100 }).chain((d) => fc.boolean().map((l) => nested(d, 'x', l))) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }).map((n) => Array.from({ length: n }, (_, i) => `item-${i}`)) },
);

type Edit =
  { kind: 'replace'; path: number; value: unknown } | { kind: 'remove'; path: number } | { kind: 'addKey'; path: number; key: string; value: unknown };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), path: fc.nat(), value: anyValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), path: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('addKey' as const),
      path: fc.nat(),
      key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'spec', 'metadata', 'kind', '<<')),
      value: anyValue,
    }),
  },
);

export function applyEdits(doc: Doc, edits: readonly Edit[]): Doc {
  let d = doc;
  for (const e of edits) {
    const paths = pathsOf(d, 2000);
    const p = paths.length === 0 ? [] : paths[e.path % paths.length]!;
    if (e.kind === 'replace') d = replaceAt(d, p, e.value);
    else if (e.kind === 'remove') d = p.length === 0 ? d : replaceAt(d, p, undefined);
    else {
      const parent = p.slice(0, -1);
      let target: unknown = d;
      for (const k of parent) target = (target as Record<string | number, unknown>)[k];
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) d = replaceAt(d, [...parent, e.key], e.value);
    }
  }
  return d;
}

/** The document as YAML in which some node is anchored and aliased elsewhere (and maybe merged with `<<`). */
function withAliases(doc: Doc, picks: readonly number[], merge: boolean): string {
  const lines = emitSeed(doc).split('\n');
  const mapLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[A-Za-z0-9_.-]+:\s*$/.test(l));
  if (mapLines.length === 0) return lines.join('\n');
  const [anchorLine, ai] = mapLines[picks[0]! % mapLines.length]!;
  lines[ai] = `${anchorLine} &a`;
  for (const p of picks.slice(1)) {
    const [l, i] = mapLines[p % mapLines.length]!;
    if (i === ai) continue;
    const indent = /^\s*/.exec(l)![0];
    lines[i] = merge ? `${l}\n${indent}  <<: *a` : `${l} *a`;
  }
  return lines.join('\n');
}

export interface Generated {
  /** How the case was made (for the failure message). */
  how: string;
  bytes: Buffer;
}

/** Mutated and generated documents of every kind, from the given seeds. */
export function documents(seeds: readonly Doc[]): fc.Arbitrary<Generated> {
  const seed = fc.nat({ max: seeds.length - 1 }).map((i) => seeds[i]);
  const text = (t: string): Buffer => Buffer.from(t);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(seed, fc.array(textOp, { minLength: 1, maxLength: 4 }), fc.boolean())
        .map(([d, ops, flow]) => ({ how: `text ${JSON.stringify(ops)}`, bytes: mutateText(emitSeed(d, flow), ops) })),
    },
    {
      weight: 4,
      arbitrary: fc.tuple(seed, fc.array(edit, { minLength: 1, maxLength: 3 }), fc.nat({ max: 2 })).map(([d, edits, style]) => {
        const changed = applyEdits(d, edits);
        return { how: 'edits', bytes: text(style === 2 ? (JSON.stringify(changed) ?? 'null') : emit(changed, style === 1)) };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(seed, fc.array(edit, { maxLength: 2 })).map(([d, edits]) => ({ how: 'json', bytes: text(JSON.stringify(applyEdits(d, edits))) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(seed, fc.array(fc.nat(), { minLength: 2, maxLength: 6 }), fc.boolean())
        .map(([d, picks, merge]) => ({ how: `aliases ${picks} merge=${merge}`, bytes: text(withAliases(d, picks, merge)) })),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((b) => ({ how: 'random bytes', bytes: Buffer.from(b) })) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof(fc.constantFrom(...INDICATORS, 'apiVersion', 'kind', 'v1', 'Service', 'metadata', 'name', 'spec'), fc.string({ maxLength: 5 })), {
          maxLength: 40,
        })
        .map((t) => ({ how: 'tokens', bytes: text(t.join('')) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.array(seed, { minLength: 2, maxLength: 4 }), fc.array(textOp, { maxLength: 2 }))
        .map(([ds, ops]) => ({ how: 'multi-document', bytes: mutateText(ds.map((d) => emitSeed(d)).join('---\n'), ops) })),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Hostile documents: each one is run in every mode, whatever the counts.

/** The billion laughs: `levels` levels of 10 aliases each (10^levels strings when expanded). */
export function billionLaughs(levels: number): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: lol }', 'data:', '  l0: &l0 "lol"'];
  for (let i = 1; i <= levels; i++) lines.push(`  l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

export function hostile(): Generated[] {
  const t = (how: string, s: string): Generated => ({ how, bytes: Buffer.from(s) });
  const svc = (body: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: default\n${body}`;
  return [
    ...[3, 4, 6, 9, 12].map((n) => t(`billion laughs, ${n} levels`, billionLaughs(n))),
    t(
      'many aliases of one anchor',
      `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata: &d { x: "1" }\nlist: [${Array.from({ length: 5000 }, () => '*d').join(',')}]\n`,
    ),
    t('alias to a missing anchor', svc('spec: *nope\n')),
    t('recursive alias', `a: &a [*a]\n`),
    t('merge key chain', `base: &b { apiVersion: v1, kind: Service }\n<<: *b\nmetadata: { <<: *b, name: s }\n`),
    t('deep flow sequence 1000', '['.repeat(1000) + ']'.repeat(1000)),
    t('deep flow sequence 100000', '['.repeat(100_000) + ']'.repeat(100_000)),
    t('deep flow map 20000', '{a: '.repeat(20_000) + '1' + '}'.repeat(20_000)),
    t('unclosed deep flow 50000', '['.repeat(50_000)),
    t('deep block map 3000', Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a${i}:`).join('\n') + ' 1\n'),
    t('deep block sequence 3000', Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i * 2)}-`).join('\n') + ' x\n'),
    t('deep spec 5000 in a Service', svc('spec:\n  ports: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n')),
    t('deep JSON 20000', `{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`),
    t('a 5 MB string', svc(`spec:\n  clusterIP: "${'x'.repeat(5_000_000)}"\n`)),
    t('a 1 MB key', svc(`spec:\n  ${'k'.repeat(1_000_000)}: 1\n`)),
    t('a 1 MB name', `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${'n'.repeat(1_000_000)}\n`),
    t('a 1 MB kind of an Istio group', `apiVersion: networking.istio.io/v1\nkind: ${'K'.repeat(1_000_000)}\nmetadata: { name: x }\n`),
    t('30000 list items', svc('spec:\n  ports:\n' + '  - port: 80\n'.repeat(30_000))),
    t('20000 keys', svc('spec:\n  selector:\n' + Array.from({ length: 20_000 }, (_, i) => `    k${i}: v\n`).join(''))),
    t('20000 duplicate keys', svc('spec:\n  selector:\n' + '    k: v\n'.repeat(20_000))),
    t('duplicate top-level keys', 'apiVersion: v1\nkind: Service\nkind: Pod\nmetadata: { name: a }\nmetadata: { name: b }\n'),
    t('20000 empty documents', '---\n'.repeat(20_000)),
    t(
      '2000 Services',
      Array.from({ length: 2000 }, (_, i) => `apiVersion: v1\nkind: Service\nmetadata: { name: s${i} }\nspec: { ports: [{ port: 80, name: http }] }\n`).join(
        '---\n',
      ),
    ),
    t('a 1 MB line of garbage', ':'.repeat(1_000_000)),
    t('NUL bytes', svc('spec:\u0000\n  \u0000: \u0000\n')),
    t('escape sequences in names', `apiVersion: v1\nkind: Service\nmetadata: { name: "\\e[2J\\e[31mred", namespace: "\\r\\n" }\n`),
    t('escape sequences in an Istio kind', `apiVersion: networking.istio.io/v1\nkind: "Virtual\\e[2JService\\nIST0001"\nmetadata: { name: x }\n`),
    t('a byte-order mark', '\ufeffapiVersion: v1\nkind: Service\nmetadata: { name: s }\n'),
    t('CRLF line ends', 'apiVersion: v1\r\nkind: Service\r\nmetadata:\r\n  name: s\r\n'),
    t('tabs for indentation', 'apiVersion: v1\nkind: Service\nmetadata:\n\tname: s\n'),
    t('lone surrogates', svc('spec: { x: "\\ud800\\udfff\\udc00" }\n')),
    t('YAML tags', svc('spec: !!binary aGVsbG8=\nx: !!set { a, b }\ny: !!omap [ a: 1 ]\nz: !custom 1\nw: !!timestamp 2001-12-14\n')),
    t('YAML directives', '%YAML 1.3\n%TAG ! tag:example.com,2000:\n---\napiVersion: v1\nkind: Service\nmetadata: { name: s }\n'),
    t('complex keys', '? [a, b]\n: 1\n? { a: 1 }\n: 2\napiVersion: v1\nkind: Service\nmetadata: { name: s }\n'),
    t('huge numbers', svc('spec: { ports: [{ port: 99999999999999999999999, targetPort: 1e400, nodePort: -0x7fffffffffffffff }] }\n')),
    t(
      'a List of everything wrong',
      'apiVersion: v1\nkind: List\nitems: [1, "x", null, [], { kind: Service }, { apiVersion: v1, kind: List, items: { a: 1 } }]\n',
    ),
    t('nested Lists 2000', `{"apiVersion":"v1","kind":"List","items":[${'{"apiVersion":"v1","kind":"List","items":['.repeat(2000)}${']}'.repeat(2000)}]}`),
    t(
      'a ServiceList of 5000 items',
      `apiVersion: v1\nkind: ServiceList\nitems:\n${'  - { apiVersion: v1, kind: Service, metadata: { name: s } }\n'.repeat(5000)}`,
    ),
    t('invalid UTF-8', ''),
  ].map((g) =>
    g.how === 'invalid UTF-8'
      ? {
          how: g.how,
          bytes: Buffer.concat([
            Buffer.from('apiVersion: v1\nkind: Service\nmetadata: { name: "'),
            Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]),
            Buffer.from('" }\n'),
          ]),
        }
      : g,
  );
}
