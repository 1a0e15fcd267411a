// parseKubeYaml: YAML read the way Kubernetes reads it (go-yaml v2 through sigs.k8s.io/yaml), one
// document at a time, with the line each document starts on.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LineCounter, parseAllDocuments } from 'yaml';
import { goYamlNumber, parseKubeYaml, parseKubeYamlValue, yamlFieldLine } from '../../../src/model/yaml.js';

test('plain scalars resolve as go-yaml v2 resolves them', () => {
  const cases: [string, unknown][] = [
    ['yes', true],
    ['On', true],
    ['Y', true],
    ['off', false],
    ['NO', false],
    ['n', false],
    ['', null],
    ['~', null],
    ['Null', null],
    ['0755', 493],
    ['0o17', 15],
    ['0x1F', 31],
    ['0b101', 5],
    ['-0x10', -16],
    ['+12', 12],
    ['1_000', 1000],
    ['09', 9],
    ['1e3', 1000],
    ['.5', 0.5],
    ['-.5', -0.5],
    ['1.', 1],
    ['-.inf', -Infinity],
    ['.NaN', NaN],
    // strings: timestamps, base 60, things that only look numeric
    ['1:20', '1:20'],
    ['2001-12-14', '2001-12-14'],
    ['2001-12-14T21:59:43Z', '2001-12-14T21:59:43Z'],
    ['.', '.'],
    ['0x', '0x'],
    ['1.2.3', '1.2.3'],
    ['yES', 'yES'],
    ['10m', '10m'],
    ['1Gi', '1Gi'],
  ];
  for (const [text, want] of cases) {
    assert.deepEqual(parseKubeYamlValue(`a: ${text}`), { a: want }, `a: ${text}`);
  }
  assert.deepEqual(parseKubeYamlValue('a: "yes"\nb: \'0755\'\nc: !!str 12'), { a: 'yes', b: '0755', c: '12' });
  assert.equal(goYamlNumber('99999999999999999999'), 1e20);
});

test('keys resolve too; merge keys merge; a repeated key keeps its last value', () => {
  // `y` and `on` are the key true, as in go-yaml: the second one wins.
  assert.deepEqual(parseKubeYamlValue('on: x\n1: z\ny: n'), { true: false, 1: 'z' });
  assert.deepEqual(parseKubeYamlValue('base: &b {p: 1, q: 2}\nd:\n  <<: *b\n  q: 3'), { base: { p: 1, q: 2 }, d: { p: 1, q: 3 } });
  assert.deepEqual(parseKubeYamlValue('a: 1\na: 2'), { a: 2 });
});

test('a stream splits into documents with their first content line; a broken one does not hide the others', () => {
  const docs = parseKubeYaml('# header\n---\n\n# about a\na: 1\n---\nb: [\n---\n--- {c: 1}\n...\n---\n');
  assert.deepEqual(
    docs.map((d) => [d.line, d.value, d.error?.line]),
    [
      [5, { a: 1 }, undefined],
      [7, null, 7],
      [9, { c: 1 }, undefined],
    ],
  );
  assert.match(docs[1]!.error!.message, /Flow sequence/);
  assert.deepEqual(
    parseKubeYaml('{"kind": "List", "items": []}').map((d) => d.value),
    [{ kind: 'List', items: [] }],
  );
  assert.deepEqual(
    parseKubeYaml('\ufeffa: 1').map((d) => d.value),
    [{ a: 1 }],
  );
});

test('documents js-yaml cannot read go to the yaml package (unknown tags); directives keep the stream whole', () => {
  assert.deepEqual(parseKubeYamlValue('a: !custom x'), { a: 'x' });
  assert.deepEqual(
    parseKubeYaml('%YAML 1.1\n---\na: yes\n').map((d) => d.value),
    [{ a: true }],
  );
});

test('aliases may not expand a document without bound', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 8; i++)
    bomb.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(', ')}]`,
    );
  const [doc] = parseKubeYaml(bomb.join('\n'));
  assert.match(doc?.error?.message ?? '', /aliases expand/);
});

test("an alias to no anchor is placed on the alias's line, not the document's first", () => {
  const docs = parseKubeYaml('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# b\nkind: ConfigMap\ndata:\n  x: &y 1\n  z: *w\n');
  assert.equal(docs[1]?.error?.message, 'the alias *w refers to no anchor (&name) before it');
  assert.equal(docs[1]?.error?.line, 10);
  assert.equal(parseKubeYaml('a: 1\nb: *nope\n')[0]?.error?.line, 2);
});

test('yamlFieldLine finds the deepest existing part of a path', () => {
  const text = 'spec:\n  hosts:\n  - a\n  - b\n  http: []\n';
  assert.equal(yamlFieldLine(text, ['spec', 'hosts', 1]), 4);
  assert.equal(yamlFieldLine(text, ['spec', 'http', 3, 'route']), 5);
  assert.equal(yamlFieldLine(text, ['nope']), undefined);
});

test('on every analyzer fixture, the values equal those of the yaml package in YAML 1.1 mode', () => {
  // The yaml package (timestamps and base-60 numbers off) was mesh's reader before; the two must agree
  // on the YAML people write, and they give the same document lines.
  const dir = 'src/analyze/analyzers';
  const customTags = (tags: unknown[]) =>
    tags.filter(
      (t) => typeof t !== 'object' || ((t as { tag?: string }).tag !== 'tag:yaml.org,2002:timestamp' && (t as { format?: string }).format !== 'TIME'),
    );
  let n = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.fixtures.yaml'))) {
    const fixtures = parseKubeYamlValue(readFileSync(join(dir, f), 'utf8')) as Record<string, { objects?: string }[]>;
    for (const c of [...(fixtures['valid'] ?? []), ...(fixtures['invalid'] ?? [])]) {
      const text = c.objects ?? '';
      const lc = new LineCounter();
      const theirs = parseAllDocuments(text, { version: '1.1', uniqueKeys: false, customTags: customTags as never, lineCounter: lc })
        .filter((d) => d.errors.length === 0 && d.contents !== null)
        .map((d) => ({ value: d.toJS() as unknown, line: lc.linePos(d.contents!.range[0]).line }));
      const ours = parseKubeYaml(text)
        .filter((d) => !d.error)
        .map((d) => ({ value: d.value, line: d.line }));
      assert.deepEqual(ours, theirs, `${f}: ${text.slice(0, 80)}`);
      n++;
    }
  }
  assert.ok(n > 100, `only ${n} fixture cases`);
});
