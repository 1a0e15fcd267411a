import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const mesh = (...args: string[]) => spawnSync(process.execPath, ['bin/mesh', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

test('mesh --help lists the commands and exits 0', () => {
  const r = mesh('--help');
  assert.equal(r.status, 0, r.stderr);
  for (const c of ['install', 'analyze', 'rollout-restart', 'proxy-status', 'manifest', 'profile', 'version']) {
    assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  }
});

test('an unknown flag is a usage error (exit 64)', () => {
  const r = mesh('version', '--no-such-flag');
  assert.equal(r.status, 64);
  assert.match(r.stderr, /unknown option '--no-such-flag'/);
});

test('an unknown command suggests the closest one', () => {
  const r = mesh('analyse');
  assert.equal(r.status, 64);
  assert.match(r.stderr, /Did you mean analyze\?/);
});

test('mesh version -o json prints the client and Istio versions', () => {
  const r = mesh('version', '-o', 'json');
  assert.equal(r.status, 0, r.stderr);
  const v = JSON.parse(r.stdout) as { client: { version: string; istioVersion: string } };
  assert.match(v.client.istioVersion, /^1\.31\.\d+$/);
});

test('--help and --version do not load the Kubernetes client (it sits in lazily imported chunks)', () => {
  // Follow the static imports of the entry bundle; none of them may contain client-node.
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    assert.doesNotMatch(src, /class KubeConfig\b/, `${file} statically loads @kubernetes/client-node`);
    for (const m of src.matchAll(/^import\s*(?:[^'"()]*from\s*)?["'](\.[^"']+)["']/gm)) visit(join(dirname(file), m[1]!));
  };
  visit('dist/cli.js');
  assert.ok(seen.size >= 1);
  const r = mesh('--version');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
});
