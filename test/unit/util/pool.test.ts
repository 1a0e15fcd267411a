import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachLimit, mapLimit } from '../../../src/util/pool.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('mapLimit keeps the input order and never runs more than the limit at once', async () => {
  let running = 0;
  let most = 0;
  const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n, i) => {
    running++;
    most = Math.max(most, running);
    for (let k = 0; k < n; k++) await tick();
    running--;
    return `${i}:${n}`;
  });
  assert.deepEqual(out, ['0:5', '1:1', '2:4', '3:2', '4:3']);
  assert.equal(most, 2);
  assert.deepEqual(await mapLimit([], 3, () => Promise.resolve(1)), []);
});

test('a failure takes no further item and rejects with the first error once the running ones settle', async () => {
  const started: number[] = [];
  const settled: number[] = [];
  await assert.rejects(
    forEachLimit([0, 1, 2, 3, 4], { limit: 2 }, async (n) => {
      started.push(n);
      await tick();
      if (n === 0) throw new Error('first');
      await tick();
      settled.push(n);
      if (n === 1) throw new Error('second');
    }),
    /^Error: first$/,
  );
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(settled, [1]);
});

test('stop is asked before each item; between runs before a slot takes its next item', async () => {
  const log: string[] = [];
  let stop = false;
  await forEachLimit([0, 1, 2, 3], { limit: 1, stop: () => stop, between: () => Promise.resolve(void log.push('pause')) }, async (n) => {
    log.push(`run ${n}`);
    if (n === 1) stop = true;
    await tick();
  });
  assert.deepEqual(log, ['run 0', 'pause', 'run 1']);
});
