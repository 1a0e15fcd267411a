// fastFieldLine (src/model/yaml-lines.ts) must answer as lineOfPath on the `yaml` package's nodes
// does, whenever it answers: compared on every path (and paths that do not exist) of every document
// in the repository's YAML fixtures, and on hand-written edge cases.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lineOfPath, parseKubeYaml, readWithPositions } from '../../../src/model/yaml.js';
import { GIVE_UP, fastFieldLine } from '../../../src/model/yaml-lines.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ya?ml|json)$/.test(e)) out.push(p);
  }
  return out;
}

/** Every path to a node of `v`, and for each a few that do not exist below or beside it. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix, [...prefix, 'noSuchField'], [...prefix, 0]);
  if (Array.isArray(v)) {
    v.forEach((x, i) => paths(x, [...prefix, i], out));
    out.push([...prefix, v.length]);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  }
  return out;
}

function compare(text: string, value: unknown, where: string): { answered: number; total: number } {
  let answered = 0;
  let total = 0;
  const positioned = readWithPositions(text);
  for (const p of paths(value)) {
    if (p.length === 0) continue;
    total++;
    const fast = fastFieldLine(text, p);
    if (fast === GIVE_UP) continue;
    answered++;
    assert.equal(fast, lineOfPath(positioned, p), `${where}: path ${JSON.stringify(p)}`);
  }
  return { answered, total };
}

test('fastFieldLine agrees with the yaml package on every path of the fixtures', () => {
  let answered = 0;
  let total = 0;
  const dirs = ['src', 'test/fixtures', 'test/golden', 'test/parity/fixtures'].map((d) => join(ROOT, d));
  for (const file of dirs.flatMap((d) => files(d))) {
    for (const doc of parseKubeYaml(readFileSync(file, 'utf8'))) {
      // Documents past 100 kB (Envoy config dumps) only slow the test: each path is a scan from the top.
      if (doc.error || doc.value === null || doc.text.length > 100_000) continue;
      const r = compare(doc.text, doc.value, `${file}:${doc.line}`);
      answered += r.answered;
      total += r.total;
    }
  }
  // The fast path must carry most of the load, or it is not worth having.
  assert.ok(total > 10000 && answered > total * 0.8, `answered ${answered} of ${total}`);
});

const EDGE_CASES = [
  'a:\n  # c\n\n  b: 1\n',
  'a:\n\nb: 1\n',
  'a:\n# x\nb: 1\n',
  'a: # x\n  b: 1\n',
  'a:   \n  - 1\n',
  'a:\n- 1\n- 2\nb: 3\n',
  'a: |\n  x\n  - y\n  z: 1\nb: >-\n  folded\n',
  'a: "x\n  y"\nb: 1\n',
  "a: 'x\n  y'\nb: 1\n",
  'a:\n  x\n  y\nb: 2\n',
  'a: {b: 1,\n  c: 2}\nd: 3\n',
  'a: [1,\n 2]\n',
  'a:\n- b: 1\n  c:\n    d: 2\n- e: 3\n',
  'a:\n- b: 1\n  c:\nx: 1\n',
  'a:\n-\n  b: 1\n-\n- 3\n',
  'a:\n- \n',
  'a:\n- - x\n  - y\n- - z\n',
  'a: 1\na: 2\n',
  '1: x\ntrue: y\nnull: z\n"1": w\n',
  'a: {b: }\n',
  'a: {b: 1, "c": [1, {d: e}], \'f\': g}\n',
  'a: { b: 1 } # comment\nc: [ ] \n',
  '{"apiVersion": "v1", "kind": "Service",\n "metadata": {"name": "a\\"b", "labels": {"x": "y"}},\n "spec": {"ports": [{"port": 80}, {"port": 81}]}}\n',
  'metadata:\n  name: x\n  annotations:\n    "sidecar.istio.io/inject": "false"\n    app.kubernetes.io/name: y\nspec:\n  hosts: ["*.example.com", ./*]\n',
  'a:\n    b: 1\n    c:\n      - d\n      - e: f\n        g: h\n',
  'a: b: c\n',
  'a:b: c\nd: http://x:80\n',
  'key with spaces: 1\nother: 2\n',
  'a:\n  - x\n  -   y: 1\n      z: 2\n',
  'list:\n- name: a\n  value: "1"\n- name: b\n  valueFrom:\n    fieldRef: {fieldPath: metadata.name}\n',
  'a: !!str 1\nb: 2\n',
  'a: *x\n',
  'a: >\n\n  text\n\nb: 1\n',
  'a:\n  b:\n  c: 1\n',
  'a: [b, c]: d\n',
  'a: {b: [1, 2\n  ], c: 3}\n',
];

test('fastFieldLine agrees with the yaml package on edge cases (or gives up)', () => {
  for (const text of EDGE_CASES) {
    const docs = parseKubeYaml(text);
    for (const doc of docs) {
      if (doc.error || doc.value === null) continue;
      compare(doc.text, doc.value, JSON.stringify(text));
    }
  }
});
