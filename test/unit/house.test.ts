// Issue 16's "no helper of these kinds exists twice in src": each kind has its one home, and a
// second copy written elsewhere (the way they crept in before) fails here. Read as text, so a
// check names the file that broke it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const SRC = 'src';
const files: { path: string; text: string }[] = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ path: relative(SRC, join(SRC, f)).replaceAll('\\', '/'), text: readFileSync(join(SRC, f), 'utf8') }));

/** The files (relative to src/) whose text matches. */
const where = (re: RegExp): string[] => files.filter((f) => re.test(f.text)).map((f) => f.path);

test('the house check reads the tree', () => {
  assert.ok(files.length > 100, `${files.length} files under src/`);
});

test('YAML is parsed in one place: only model/yaml.ts loads js-yaml or calls the yaml package parser (parseKubeYaml)', () => {
  assert.deepEqual(where(/^import\s+(?!type\b)[^;]*from 'js-yaml'/m), ['model/yaml.ts']);
  assert.deepEqual(where(/^import\s+(?!type\b)\{[^}]*\b(parse|parseDocument|parseAllDocuments|Parser|Composer|Lexer)\b[^}]*\}\s*from 'yaml'/m), [
    'model/yaml.ts',
  ]);
});

test('one concurrency helper: a pool of workers over a list is util/pool.ts', () => {
  assert.deepEqual(where(/Promise\.all\(\s*Array\.from\(\s*\{\s*length\b/), ['util/pool.ts']);
});

test('one label-selector-to-string: matchExpressions are written as text only in model/label-selector.ts', () => {
  assert.deepEqual(where(/`\$\{[a-z]+\} notin \(/), ['model/label-selector.ts']);
});

test('one duration formatter: unit tables of days, hours and minutes live in util/duration.ts', () => {
  assert.deepEqual(where(/\[\s*'h',\s*3_?600_?000\s*\]/), ['util/duration.ts']);
});

test('one set of narrowing helpers: the map test (object, not null, not an array) is util/narrow.ts', () => {
  assert.deepEqual(where(/'object'[^;\n]{0,40}!Array\.isArray|!Array\.isArray[^;\n]{0,40}'object'/), ['util/narrow.ts']);
});

test('one reader of the injection status: sidecar.istio.io/status is parsed only in model/injection.ts (statusRevision)', () => {
  assert.deepEqual(where(/\['sidecar\.istio\.io\/status'\][\s\S]{0,300}JSON\.parse/), ['model/injection.ts']);
});

test('one tree-diff engine: util/diff.ts', () => {
  assert.deepEqual(where(/export function diffTrees\b/), ['util/diff.ts']);
});

test('the version in one place (src/version.ts), and RenderFlags once (cli/options/render.ts)', () => {
  assert.deepEqual(where(/__MESH_VERSION__/), ['version.ts']);
  assert.deepEqual(where(/export const MESH_VERSION\b/), ['version.ts']);
  assert.deepEqual(where(/interface RenderFlags\b|type RenderFlags\s*=/), ['cli/options/render.ts']);
});

test('one User-Agent: every request mesh makes sends USER_AGENT (mesh/<version>), none its own', () => {
  assert.deepEqual(where(/['"]user-agent['"]\s*:\s*['"`]/i), []);
  assert.deepEqual(where(/`mesh\/\$\{MESH_VERSION\}`/), ['version.ts']);
});

test('one HTTP stack: undici (no node-fetch, no global fetch, no node:http client requests) anywhere in src', () => {
  assert.deepEqual(where(/from 'node-fetch'/), []);
  assert.deepEqual(where(/\bglobalThis\.fetch\b/), []);
  // (status/grpc.ts speaks gRPC to istiod over node:http2, which undici does not do; it sends USER_AGENT too.)
  assert.deepEqual(where(/^import\s+(?!type\b)[^;]*from 'node:https?'/m), []);
});
