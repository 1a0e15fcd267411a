// The CLI's V8 code cache (src/cli/boot.ts): written when a command first runs, read after that,
// one per command; a cache that does not fit (corrupt, another build) is replaced, never trusted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const home = mkdtempSync(join(tmpdir(), 'mesh-code-cache-'));
after(() => rmSync(home, { recursive: true, force: true }));
const dir = join(home, 'mesh', 'code-cache');
const mesh = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/mesh', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '/nonexistent', XDG_CACHE_HOME: home, ...env },
  });
const files = (): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

test('each command gets its cache on its first run; later runs read it and print the same', () => {
  const first = mesh(['version', '-o', 'json']);
  assert.equal(first.status, 0, first.stderr);
  assert.deepEqual(
    files().map((f) => f.split('@')[0]),
    ['version'],
  );
  const again = mesh(['version', '-o', 'json']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, first.stdout);
  assert.equal(mesh(['--version']).status, 0);
  assert.deepEqual(
    files().map((f) => f.split('@')[0]),
    ['mesh', 'version'],
  );
  // After a global flag the first word may be its value: such runs share the `mesh` cache.
  assert.equal(mesh(['--context', 'dev', 'version', '-o', 'json']).status, 0);
  assert.deepEqual(
    files().map((f) => f.split('@')[0]),
    ['mesh', 'version'],
  );
  // A usage error ends the same way with or without a cache.
  const bad = mesh(['version', '--no-such-flag']);
  assert.equal(bad.status, 64);
  assert.match(bad.stderr, /unknown option '--no-such-flag'/);
});

test('a corrupt cache or one of an older build is replaced; MESH_CODE_CACHE=0 neither reads nor writes', () => {
  const current = files().find((f) => f.startsWith('version@'));
  assert.ok(current);
  writeFileSync(join(dir, current), 'not a V8 code cache');
  writeFileSync(join(dir, 'version@v0.0.0-x64-1-1.bin'), 'an old build');
  const r = mesh(['version', '-o', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    files().filter((f) => f.startsWith('version@')),
    [current],
  );
  assert.notEqual(readdirSync(dir).length, 0);

  const off = mkdtempSync(join(tmpdir(), 'mesh-code-cache-off-'));
  try {
    mkdirSync(join(off, 'mesh'));
    assert.equal(mesh(['--version'], { XDG_CACHE_HOME: off, MESH_CODE_CACHE: '0' }).status, 0);
    assert.deepEqual(readdirSync(join(off, 'mesh')), []);
  } finally {
    rmSync(off, { recursive: true, force: true });
  }
});

test('the bundle is one strict-mode function for vm.Script (boot.ts compiles the file as it is)', () => {
  const text = readFileSync('dist/mesh.cjs', 'utf8');
  assert.ok(text.startsWith("(function (exports, require, module, __filename, __dirname) { 'use strict';"), 'the banner opens the function with "use strict"');
  assert.match(text, /\n\}\)\n\/\/# sourceMappingURL=mesh\.cjs\.map\n?$/);
});
