// Behaviour every command shares: exit codes for Ctrl-C and closed pipes, flags checked before the cluster.
import assert from 'node:assert/strict';
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

