// Behaviour every command shares: exit codes for Ctrl-C and closed pipes, flags checked before the cluster.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { interruptible } from '../../../src/cli/actions/install-signal.js';
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

