import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** The names of the bundle's functions that ran in `mesh ARGS` (V8 coverage: esbuild names each bundled module's body after its path). */
function functionsRun(args: string[], env: Record<string, string> = {}): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-cov-'));
  try {
    spawnSync(process.execPath, ['bin/mesh', ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', MESH_CODE_CACHE: '0', NODE_V8_COVERAGE: dir, ...env },
    });
    const names: string[] = [];
    for (const f of readdirSync(dir)) {
      const report = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
        result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[];
      };
      for (const script of report.result) {
        if (!script.url.endsWith('dist/mesh.cjs')) continue;
        for (const fn of script.functions) if ((fn.ranges[0]?.count ?? 0) > 0) names.push(fn.functionName);
      }
    }
    return names;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--help and --version do not evaluate the Kubernetes client (its modules run only when a command imports them)', () => {
  for (const args of [['--version'], ['--help']]) {
    const ran = functionsRun(args);
    assert.ok(
      ran.some((n) => n.includes('node_modules/commander/')),
      `${args.join(' ')}: no coverage of dist/mesh.cjs was recorded`,
    );
    assert.deepEqual(
      ran.filter((n) => n.includes('@kubernetes/client-node')),
      [],
      `mesh ${args.join(' ')} evaluates @kubernetes/client-node`,
    );
  }
  // The check sees client-node when it does run.
  assert.ok(functionsRun(['proxy-status'], { KUBECONFIG: '/nonexistent' }).some((n) => n.includes('@kubernetes/client-node')));
  const r = mesh('--version');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
});
