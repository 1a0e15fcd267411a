import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration } from '../../../src/util/duration.js';

test('each caller keeps its form: install timeouts, rollout times, ages, timeouts, certificate lifetimes', () => {
  const install = { largest: 'm', zeros: 'inner' } as const;
  assert.deepEqual(
    [0, 45_000, 60_000, 65_400, 3_600_000].map((ms) => formatDuration(ms, install)),
    ['0s', '45s', '1m0s', '1m5s', '60m0s'],
  );
  const elapsed = { largest: 'm', subSecond: true } as const;
  assert.deepEqual(
    [250.4, 999.7, 1_000, 120_000, 125_000].map((ms) => formatDuration(ms, elapsed)),
    ['250ms', '1000ms', '1s', '2m', '2m5s'],
  );
  const age = { round: 'down', parts: 2 } as const;
  assert.deepEqual(
    [-5, 59_999, 125_000, 3_660_000, 3_605_000, 50 * 3_600_000, 86_400_000 + 300_000].map((ms) => formatDuration(ms, age)),
    ['0s', '59s', '2m5s', '1h1m', '1h', '2d2h', '1d'],
  );
  assert.equal(formatDuration(90_000, { largest: 's' }), '90s');
  assert.equal(formatDuration(1_500, { largest: 'ms', smallest: 'ms' }), '1500ms');
  const hours = { largest: 'h', smallest: 'm', round: 'down', zeros: 'all' } as const;
  assert.deepEqual(
    [300_000, 5 * 3_600_000, 47 * 3_600_000 + 59 * 60_000 + 59_999].map((ms) => formatDuration(ms, hours)),
    ['0h5m', '5h0m', '47h59m'],
  );
  assert.equal(formatDuration(9 * 86_400_000 - 1, { largest: 'd', smallest: 'd', round: 'down' }), '8d');
});
