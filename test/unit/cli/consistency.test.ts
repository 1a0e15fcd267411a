// Behaviour every command shares: exit codes for Ctrl-C and closed pipes, flags checked before the cluster.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { interruptible } from '../../../src/cli/actions/install-signal.js';
import { validateRolloutRestart } from '../../../src/cli/options/rollout-restart.js';
import { ExitCode, exitCodeOf } from '../../../src/errors.js';
import { recordingProgress } from '../../../src/output/progress.js';

test('Ctrl-C in install/uninstall exits 130, as in rollout-restart', async () => {
  const lines: string[] = [];
  const run = interruptible(recordingProgress(lines), async (signal) => {
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    throw new Error('stopped after the requests in flight');
  });
  process.emit('SIGINT');
  await assert.rejects(run, (e: unknown) => {
    assert.equal(exitCodeOf(e), ExitCode.Interrupted);
    assert.equal(exitCodeOf(e), 130);
    assert.match((e as Error).message, /^interrupted; .*run the same command again/);
    return true;
  });
});

test('Ctrl-C in a command without a handler of its own (analyze reading stdin) is one line and exit 130', async () => {
  const child = spawn(process.execPath, ['bin/mesh', 'analyze', '--use-kube=false', '-'], {
    env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '/nonexistent' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  await new Promise((resolve) => setTimeout(resolve, 3000)); // started (about 0.3 s unloaded), waiting for stdin
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 130, stderr);
  assert.equal(stderr.trim(), 'Error: interrupted');
});

test('a closed stdout (mesh analyze | head) keeps the exit code: findings are still 79, not 0', async () => {
  const child = spawn(process.execPath, ['bin/mesh', 'analyze', '--use-kube=false', 'test/fixtures/analyze/bookinfo-broken.yaml'], {
    env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '/nonexistent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy(); // the reader is gone before mesh writes anything
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 79, stderr);
  assert.doesNotMatch(stderr, /EPIPE|at .*\.js:\d+/);
});

test('a bad -i is reported as -i/--istio-namespace, a bad -n as -n/--namespace', () => {
  const flags = { kind: 'deployment', concurrency: '1', pause: '0s', output: 'table', istioNamespace: 'Istio_System' };
  assert.throws(() => validateRolloutRestart(flags, () => 'default'), /^UsageError: -i\/--istio-namespace: "Istio_System" is not a valid namespace name$/);
  assert.throws(
    () => validateRolloutRestart({ ...flags, istioNamespace: 'istio-system', namespace: ['Bad'] }, () => 'default'),
    /^UsageError: -n\/--namespace: "Bad"/,
  );
});

for (const args of [
  ['rollout-restart', '--concurrency', '0'],
  ['rollout-restart', '-i', 'Bad_NS'],
  ['analyze', '-i', 'Bad_NS', '--use-kube=false', 'test/fixtures/analyze/bookinfo-broken.yaml'],
  ['analyze', '-n', 'Bad_NS'],
  ['proxy-status', '--timeout', '0'],
  ['proxy-status', 'web', '--wide'],
  ['install', '--readiness-timeout', 'soon'],
  ['install', '--readiness-timeout', '0', '-y'],
  ['proxy-config', 'cluster', 'web-1', '--timeout', '0'],
  ['proxy-status', '--request-timeout', 'soon'],
  ['rollout-restart', '-l', '==='],
  ['analyze', '--use-kube=maybe'],
  ['uninstall', '-r', 'Bad_Rev', '--dry-run'],
  ['uninstall', '-r', 'canary', '--yes', '--skip-confirmation', '--dry-run', '-o', 'xml'],
  ['manifest', 'generate', '--set', 'components.ingressGateways[99].enabled=true'],
  ['manifest', 'generate', '--profile', ''],
  ['manifest', 'generate', '-o', 'a.yaml', '--output-file', 'b.yaml'],
  ['help', 'nosuch'],
]) {
  test(`a bad flag is exit 64 even without a kubeconfig: mesh ${args.join(' ')}`, () => {
    const home = mkdtempSync(join(tmpdir(), 'mesh-nohome-'));
    const r = spawnSync(process.execPath, ['bin/mesh', ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', KUBECONFIG: join(home, 'missing-kubeconfig'), HOME: home },
    });
    assert.equal(r.status, 64, r.stderr);
    assert.doesNotMatch(r.stderr, /kubeconfig/);
  });
}

test('version --remote without a reachable cluster prints the client version first, then the error', () => {
  const home = mkdtempSync(join(tmpdir(), 'mesh-nohome-'));
  const r = spawnSync(process.execPath, ['bin/mesh', 'version', '--remote'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', KUBECONFIG: join(home, 'missing-kubeconfig'), HOME: home },
  });
  assert.notEqual(r.status, 0, r.stderr);
  assert.match(r.stdout, /^client version: \S+\nistio version: 1\.31\.1\n$/);
  assert.match(r.stderr, /^Error: /m);
});
