/**
 * Regression tests for what the fuzz suite (test/fuzz) found in `mesh analyze`'s reading of files:
 * each input used to crash (exit 1 with a stack trace), print raw input, or take minutes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANALYZERS } from '../../../src/analyze/analyzers/index.js';
import { parseManifests } from '../../../src/analyze/load.js';
import { runAnalyzers } from '../../../src/analyze/runner.js';
import { ResourceStore } from '../../../src/analyze/store.js';

const parse = (text: string) => parseManifests(text, { file: 'f.yaml', defaultNamespace: 'default' });

function laughs(levels: number): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: lol }', 'data:', '  l0: &l0 "lol"'];
  for (let i = 1; i <= levels; i++) lines.push(`  l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

test('a billion-laughs document is a problem of its file, not an exception, and is not expanded', () => {
  const before = process.memoryUsage().heapUsed;
  const r = parse(laughs(9));
  assert.equal(r.resources.length, 0);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!.message, /aliases expand to too many nodes .*YAML bomb/);
  assert.equal(r.problems[0]!.line, 1);
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 2 ** 20);
});

test('a few aliases are still read', () => {
  const r = parse('apiVersion: v1\nkind: Service\nmetadata: { name: s, labels: &l { app: a } }\nspec: { selector: *l }\n');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.resources[0]!.object['spec'], { selector: { app: 'a' } });
});

test('an alias to no anchor, a merge of a non-map and a merge into itself are one-line problems', () => {
  for (const [text, re] of [
    ['apiVersion: v1\nkind: Service\nmetadata: { name: s }\nspec: *nope\n', /the alias \*nope refers to no anchor/],
    ['a: &a 1\nb: { <<: *a }\n', /Merge sources must be maps/],
    ['a: &a { b: 1 }\nc: &c { <<: [*a] }\nd: { <<: *c }\n', /./],
  ] as const) {
    const r = parse(text);
    for (const p of r.problems) assert.doesNotMatch(p.message, /\n/);
    if (r.problems.length > 0) assert.match(r.problems[0]!.message, re);
  }
});

test('an unknown Istio kind is quoted as a short escaped excerpt', () => {
  const r = parse(`apiVersion: networking.istio.io/v1\nkind: "Virtual\\e[2J\\nService${'x'.repeat(5000)}"\nmetadata: { name: x }\n`);
  const m = r.problems[0]!.message;
  assert.match(m, /has no kind "Virtual\\x1b\[2J\\nService/);
  assert.ok(m.length < 300, m);
});

test('labels and annotations that are not maps of strings are problems (as the API server rejects them)', () => {
  const r = parse('apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    networking.istio.io/exportTo: { constructor: x }\n');
  assert.equal(r.resources.length, 0);
  assert.match(r.problems[0]!.message, /^Service s: metadata\.annotations\["networking\.istio\.io\/exportTo"\] must be a string/);
  const list = parse('apiVersion: v1\nkind: Pod\nmetadata: { name: p, labels: [a] }\n');
  assert.match(list.problems[0]!.message, /metadata\.labels must be a map of strings/);
  // A null value is read as "", as the API server does.
  const empty = parse('apiVersion: v1\nkind: Service\nmetadata: { name: s, annotations: { networking.istio.io/exportTo: } }\n');
  assert.deepEqual(empty.problems, []);
  assert.equal(empty.resources[0]!.object.metadata.annotations?.['networking.istio.io/exportTo'], '');
  const result = runAnalyzers({ store: ResourceStore.of(empty.resources), analyzers: ANALYZERS });
  assert.equal(result.messages.filter((m) => m.code === 'IST0001').length, 0);
});

test('thousands of findings in one object are placed on their lines without re-parsing it each time', () => {
  const items = Array.from({ length: 3000 }, (_, i) => `    - item-${i}`).join('\n');
  const r = parse(`apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: v }\nspec:\n  hosts: [v]\n  http:\n${items}\n`);
  const t0 = Date.now();
  const result = runAnalyzers({ store: ResourceStore.of(r.resources), analyzers: ANALYZERS });
  const ist0106 = result.messages.filter((m) => m.code === 'IST0106');
  assert.ok(ist0106.length >= 2000, String(ist0106.length));
  assert.equal(ist0106.find((m) => m.text.includes('spec.http[2999]'))?.origin.line, 3006);
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms (it took minutes)`);
});

test('files are read with go-yaml v2 rules, as kubectl reads them (1e3 and 0o17 are numbers)', () => {
  const r = parse('apiVersion: v1\nkind: Service\nmetadata: { name: s }\nspec:\n  ports: [{ port: 1e3, targetPort: 0o17 }]\n');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.resources[0]!.object['spec'], { ports: [{ port: 1000, targetPort: 15 }] });
});

test('a document with & or << is checked for bombs and merges the way go-yaml does, and is otherwise read the same', () => {
  // `&` in a string: no anchor, the same values.
  const amp = parse('apiVersion: v1\nkind: Service\nmetadata: { name: s, annotations: { u: "a?b=1&c=2", v: x &y } }\n');
  assert.deepEqual(amp.problems, []);
  assert.deepEqual(amp.resources[0]!.object.metadata.annotations, { u: 'a?b=1&c=2', v: 'x &y' });
  // A merge of something that is not a map is refused (js-yaml would merge a list's indexes as keys).
  const merged = parse('apiVersion: v1\nkind: Service\nmetadata: { name: s }\n<<:\n  - - [a]\n');
  assert.equal(merged.resources.length, 0);
  assert.match(merged.problems[0]!.message, /Merge sources must be maps/);
  // A bomb in a later document does not hide the first, and its line is its own.
  const two = parse(`apiVersion: v1\nkind: Service\nmetadata: { name: s }\n---\n${laughs(9)}`);
  assert.equal(two.resources.length, 1);
  assert.equal(two.problems[0]!.line, 5);
  assert.match(two.problems[0]!.message, /YAML bomb/);
});

test('the items of a List keep their own lines', () => {
  const r = parse(
    'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: { name: a }\n- apiVersion: v1\n  kind: Service\n  metadata: { name: b }\n',
  );
  assert.deepEqual(
    r.resources.map((x) => [x.name, x.origin.line]),
    [
      ['a', 4],
      ['b', 7],
    ],
  );
});
