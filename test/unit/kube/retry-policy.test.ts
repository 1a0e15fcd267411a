import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BACKOFF_CAP_MS,
  RETRY_AFTER_RETRIES,
  type AttemptFailure,
  backoffMs,
  delayMs,
  judge,
  retriesFor,
  retryAfterMs,
  retryClassOf,
} from '../../../src/kube/real/retry.js';

test('backoff doubles from 200 ms up to 5 s, with equal jitter', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, () => 1)),
    [200, 400, 800, 1600, 3200, 5000, 5000],
  );
  assert.deepEqual(
    [1, 2, 3, 6].map((n) => backoffMs(n, () => 0)),
    [100, 200, 400, 2500],
  );
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) {
    const d = backoffMs(3);
    assert.ok(d >= 400 && d <= 800, String(d));
    seen.add(d);
  }
  assert.ok(seen.size > 5, 'jittered');
  assert.ok(backoffMs(100, () => 1) <= BACKOFF_CAP_MS);
});

test('Retry-After: seconds or an HTTP date, at most 10 s; anything else is ignored', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterMs('2', now), 2000);
  assert.equal(retryAfterMs(' 0.5 ', now), 500);
  assert.equal(retryAfterMs('120', now), 10_000);
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', now), 3000);
  assert.equal(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now), undefined, 'in the past');
  assert.equal(retryAfterMs('0', now), undefined);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs('-3', now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
});

test('Retry-After counts on a 429 and a 503, not on other failures', () => {
  const one = (): number => 1;
  assert.equal(delayMs(1, { kind: 'status', status: 429 }, '3', one), 3000);
  assert.equal(delayMs(1, { kind: 'status', status: 503 }, '3', one), 3000);
  assert.equal(delayMs(1, { kind: 'status', status: 500 }, '3', one), 200);
  assert.equal(delayMs(2, { kind: 'status', status: 429 }, undefined, one), 400);
  assert.equal(delayMs(1, { kind: 'network', code: 'ECONNRESET', stage: 'body', tls: false }, undefined, one), 200);
});

test('which failed attempts are sent again', () => {
  const reset = { kind: 'network', code: 'ECONNRESET', stage: 'connect', tls: false } as const;
  const cut = { kind: 'network', code: 'UND_ERR_SOCKET', stage: 'body', tls: false } as const;
  const refused = { kind: 'network', code: 'ECONNREFUSED', stage: 'connect', tls: false } as const;
  const tls = { kind: 'network', code: 'SELF_SIGNED_CERT_IN_CHAIN', stage: 'connect', tls: true } as const;
  const st = (status: number) => ({ kind: 'status', status }) as const;
  // GET (get, list, watch, discovery) is always safe, whatever a caller says.
  assert.equal(retryClassOf('GET', 'unsent'), 'safe');
  assert.equal(retryClassOf('POST'), 'unsent');
  assert.equal(retryClassOf('DELETE'), 'unsent');
  assert.equal(retryClassOf('PATCH', 'safe'), 'safe');
  for (const f of [reset, cut, st(500), st(502), st(503), st(504)]) {
    assert.deepEqual(judge('safe', f), { retry: true, uncertain: true }, JSON.stringify(f));
    assert.deepEqual(judge('unsent', f), { retry: false, uncertain: true }, JSON.stringify(f));
  }
  for (const cls of ['safe', 'unsent'] as const) {
    assert.deepEqual(judge(cls, refused), { retry: true, uncertain: false });
    assert.deepEqual(judge(cls, st(429)), { retry: true, uncertain: false });
    assert.deepEqual(judge(cls, tls), { retry: false, uncertain: false });
    for (const s of [400, 401, 403, 404, 409, 410, 422]) assert.deepEqual(judge(cls, st(s)), { retry: false, uncertain: false }, String(s));
  }
  // A refused connection after the request was written is not "surely unsent".
  assert.deepEqual(judge('unsent', { ...refused, stage: 'body' }), { retry: false, uncertain: true });
});

test('retries allowed: 10 after a 429 that names a usable Retry-After, the configured number otherwise (0 stays 0)', () => {
  const st = (status: number): AttemptFailure => ({ kind: 'status', status });
  assert.equal(retriesFor(4, st(429), '1'), RETRY_AFTER_RETRIES);
  assert.equal(RETRY_AFTER_RETRIES, 10);
  assert.equal(retriesFor(4, st(429), undefined), 4);
  assert.equal(retriesFor(4, st(429), 'soon'), 4);
  assert.equal(retriesFor(4, st(503), '1'), 4);
  assert.equal(retriesFor(0, st(429), '1'), 0);
  assert.equal(retriesFor(12, st(429), '1'), 12);
});
