// Every duration flag is bounded (issue 12: `--timeout 99999999999h` overflowed Node's timer and
// fired after 1 ms, after the patch was sent).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateInstallFlags } from '../../../src/cli/options/install.js';
import { validateProxyConfig } from '../../../src/cli/options/proxy-config.js';
import { validateProxyStatus } from '../../../src/cli/options/proxy-status.js';
import { validateRolloutRestart } from '../../../src/cli/options/rollout-restart.js';
import { validateUpgradeFlags } from '../../../src/cli/options/upgrade.js';
import { MAX_DURATION_MS, parseDuration } from '../../../src/cli/flags.js';
import { exitCodeOf } from '../../../src/errors.js';

test('durations: units, bare seconds, and a bound at the longest timer Node can wait', () => {
  assert.equal(parseDuration('--t', '1m30s'), 90_000);
  assert.equal(parseDuration('--t', '300ms'), 300);
  assert.equal(parseDuration('--t', '10'), 10_000);
  assert.equal(parseDuration('--t', '596h'), 596 * 3_600_000);
  assert.ok(MAX_DURATION_MS === 2 ** 31 - 1);
  for (const v of ['597h', '99999999999h', '99999999999', '1400h', '99999999999999999999999999s']) {
    assert.throws(
      () => parseDuration('--timeout', v),
      (e: unknown) => exitCodeOf(e) === 64 && /^--timeout: duration ".*" is too long \(at most 596h\)$/.test((e as Error).message),
      v,
    );
  }
});

test('each command refuses an overlong duration while validating its flags, before any request', () => {
  const rr = { kind: 'deployment', concurrency: '1', pause: '0s', output: 'table', istioNamespace: 'istio-system' };
  assert.throws(
    () => validateRolloutRestart({ ...rr, timeout: '99999999999h' }, () => 'default'),
    (e: unknown) => exitCodeOf(e) === 64 && /^--timeout: .*too long/.test((e as Error).message),
  );
  assert.throws(() => validateRolloutRestart({ ...rr, pause: '99999999999h' }, () => 'default'), /^UsageError|--pause: .*too long/);
  const up = { revision: 'new', istioNamespace: 'istio-system', readinessTimeout: '5m', concurrency: '1', output: 'table' };
  for (const [flag, field] of [
    ['--readiness-timeout', 'readinessTimeout'],
    ['--timeout', 'timeout'],
  ] as const) {
    assert.throws(
      () => validateUpgradeFlags({ ...up, [field]: '99999999999h' }),
      (e: unknown) => exitCodeOf(e) === 64 && new RegExp(`^${flag}: .*too long`).test((e as Error).message),
      `upgrade ${flag}`,
    );
  }
  assert.throws(
    () => validateInstallFlags({ readinessTimeout: '99999999999h' }),
    (e: unknown) => exitCodeOf(e) === 64 && /^--readiness-timeout: .*too long/.test((e as Error).message),
  );
});

test('proxy-status, proxy-config and --request-timeout are bounded the same way (exit 64 before any request)', async () => {
  const tooLong = (flag: string) => (e: unknown) =>
    exitCodeOf(e) === 64 && new RegExp(`^${flag}: duration "99999999999h" is too long`).test((e as Error).message);
  assert.throws(
    () => validateProxyStatus(undefined, { timeout: '99999999999h', istioNamespace: 'istio-system' } as never, () => 'default'),
    tooLong('--timeout'),
  );
  assert.throws(
    () => validateProxyConfig('cluster', 'web.default', { timeout: '99999999999h', output: 'table' } as never, () => 'default'),
    tooLong('--timeout'),
  );
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['bin/mesh', 'proxy-status', '--request-timeout', '99999999999h', '--kubeconfig', '/nonexistent'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 64, r.stderr);
  assert.match(r.stderr, /^Error: --request-timeout: duration "99999999999h" is too long \(at most 596h\)$/m); // version --remote too, before it prints the client version.
  const v = spawnSync(process.execPath, ['bin/mesh', 'version', '--remote', '--request-timeout', '99999999999h', '--kubeconfig', '/nonexistent'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(v.status, 64, v.stderr);
  assert.equal(v.stdout, '');
  assert.match(v.stderr, /^Error: --request-timeout: duration "99999999999h" is too long/);
});
