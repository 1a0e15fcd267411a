// The fast reader of plain YAML (src/model/yaml-fast.ts): wherever it accepts a document, it gives
// exactly what js-yaml with parseKubeYaml's schema gives; anything outside its subset is left to js-yaml.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { load } from 'js-yaml';
import { NOT_PLAIN, readPlainYaml } from '../../../src/model/yaml-fast.js';
import { KUBE_YAML_SCHEMA, PLAIN_STRING, parseKubeYaml, resolvePlainScalar } from '../../../src/model/yaml.js';

const fast = (text: string): unknown => readPlainYaml(text, resolvePlainScalar, PLAIN_STRING);
const jsYaml = (text: string): unknown => load(text, { schema: KUBE_YAML_SCHEMA, json: true });

/** Every YAML document of the repository's fixtures and profiles, without leading blank and comment lines. */
function corpus(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) {
        for (const doc of readFileSync(p, 'utf8').split(/^---.*$/m)) out.push(doc.replace(/^(\s*(#.*)?\n)*/, ''));
      }
    }
  };
  for (const dir of ['src', 'profiles', 'test']) walk(dir);
  return out;
}

test('on every document of the fixtures it accepts, it reads what js-yaml reads', () => {
  let accepted = 0;
  const docs = corpus();
  for (const doc of docs) {
    const v = fast(doc);
    if (v === NOT_PLAIN) continue;
    accepted++;
    assert.deepEqual(v, jsYaml(doc), doc.slice(0, 200));
  }
  assert.ok(accepted > docs.length / 2, `${accepted} of ${docs.length} documents read fast`);
});

test('on seeded mutations of those documents it reads what js-yaml reads, or leaves them to it', () => {
  const docs = corpus().filter((d) => d.length < 3000 && fast(d) !== NOT_PLAIN);
  const pieces = [' ', '  ', ':', ': ', '-', '- ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '\n', '\n  ', '\n- ', 'yes', '0x1F', '1e3', '~', 'null'];
  pieces.push('.inf', '08', '0o17', '+1', '-0', '1_000', 'a: b', '? ', '|', '>', '!', '*', '%', '@', '\\', '\t', '\r', '2001-12-14', '__proto__: x');
  let seed = 20261203;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let accepted = 0;
  for (let n = 0; n < 20_000; n++) {
    let t = docs[rnd(docs.length)]!;
    for (let j = 1 + rnd(8); j > 0; j--) {
      const p = rnd(t.length + 1);
      t = t.slice(0, p) + (rnd(4) === 0 ? '' : pieces[rnd(pieces.length)]!) + t.slice(p + (rnd(3) === 0 ? rnd(4) : 0));
    }
    const v = fast(t);
    if (v === NOT_PLAIN) continue;
    accepted++;
    let expected: unknown;
    assert.doesNotThrow(() => (expected = jsYaml(t)), JSON.stringify(t));
    assert.deepEqual(v, expected, JSON.stringify(t));
  }
  assert.ok(accepted > 1000, `${accepted} mutations read fast`);
});

test('it reads plain block and one-line flow YAML, with go-yaml v2 scalars', () => {
  const text = [
    'apiVersion: v1',
    'kind: Service # a comment',
    'metadata:',
    '  name: web',
    '  labels: { app: web, "x.io/y": "yes", z: [1, 0755, yes, ~, "a b", \'it\'\'s\'] }',
    'spec:',
    '  ports:',
    '  - name: http',
    '    port: 8080',
    '  -   { port: 9090 }',
    '  - 1e3',
    '  empty:',
    '  list: []',
    '  dup: 1',
    '  dup: 2',
    '  url: http://x:80/a#b',
    '',
  ].join('\n');
  const expected = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', labels: { app: 'web', 'x.io/y': 'yes', z: [1, 493, true, null, 'a b', "it's"] } },
    spec: { ports: [{ name: 'http', port: 8080 }, { port: 9090 }, 1000], empty: null, list: [], dup: 2, url: 'http://x:80/a#b' },
  };
  assert.deepEqual(fast(text), expected);
  assert.deepEqual(jsYaml(text), expected);
});

test('anything outside its subset is left to js-yaml', () => {
  for (const text of [
    'a: &x 1\nb: *x\n',
    'a: |\n  text\n',
    'a: >-\n  text\n',
    'a: one\n  two\n',
    'a: [1,\n  2]\n',
    'a: !!str 1\n',
    'a: "esc\\n"\n',
    'a:\tb\n',
    'a: b\r\n',
    'yes: 1\n',
    '8080: x\n',
    'a: b: c\n',
    '- a\n',
    'a:\n- - x\n',
    '? a\n: b\n',
    '__proto__: x\n',
    '  a: 1\n',
    'a: {b}\n',
    'a: [b, ]\n',
    'a:b\n',
  ]) {
    assert.equal(fast(text), NOT_PLAIN, JSON.stringify(text));
  }
  // And parseKubeYaml still reads them as before.
  assert.deepEqual(parseKubeYaml('a: &x 1\nb: *x\n')[0]?.value, { a: 1, b: 1 });
  assert.deepEqual(parseKubeYaml('a: |\n  text\n')[0]?.value, { a: 'text\n' });
});

test('deep nesting is left to the other readers, not read by recursion until the stack runs out', () => {
  const flow = `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
  const block = Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n';
  const seqs = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(2 * i)}- k:`).join('\n') + ' 1\n';
  for (const text of [flow, block, `r:\n${seqs}`]) assert.equal(fast(text), NOT_PLAIN);
  const nested = `a: ${'['.repeat(60)}1${']'.repeat(60)}\n`;
  assert.deepEqual(fast(nested), jsYaml(nested));
});
