import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { sleep } from '../../../src/cli/actions/install-signal.js';

test('install sleeps leave no abort listener behind (no MaxListenersExceededWarning in long waits)', async () => {
  const controller = new AbortController();
  for (let i = 0; i < 20; i++) await sleep(1, controller.signal);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('an install sleep ends early when its signal aborts, and at once when already aborted', async () => {
  const controller = new AbortController();
  const t0 = Date.now();
  setTimeout(() => controller.abort(), 20);
  await sleep(10_000, controller.signal);
  await sleep(10_000, controller.signal);
  assert.ok(Date.now() - t0 < 2000);
});
