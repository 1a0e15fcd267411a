import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateProxyStatus } from '../../../src/cli/options/proxy-status.js';

const base = { istioNamespace: 'istio-system', output: 'table', timeout: '10s' };
const ctxNs = () => 'team-a';

test('flags become options; POD takes the context namespace, POD.NS its own', () => {
  assert.deepEqual(validateProxyStatus(undefined, { ...base, namespace: 'bookinfo', outdated: true }, ctxNs), {
    istioNamespace: 'istio-system',
    timeoutMs: 10_000,
    namespace: 'bookinfo',
    outdatedOnly: true,
    listWithoutIstiod: true,
  });
  assert.equal(validateProxyStatus('web-1', base, ctxNs).listWithoutIstiod, undefined, 'one POD: its detail needs istiod');
  assert.deepEqual(validateProxyStatus('web-1', base, ctxNs).target, { pod: 'web-1', namespace: 'team-a' });
  assert.deepEqual(validateProxyStatus('web-1', { ...base, namespace: 'x' }, ctxNs).target, { pod: 'web-1', namespace: 'x' });
  assert.deepEqual(validateProxyStatus('web.v2-1.bookinfo', base, ctxNs).target, { pod: 'web.v2-1', namespace: 'bookinfo' });
  assert.equal(validateProxyStatus(undefined, { ...base, timeout: '1m30s', revision: 'canary' }, ctxNs).timeoutMs, 90_000);
});

test('bad flags are usage errors naming the flag', () => {
  assert.throws(() => validateProxyStatus(undefined, { ...base, timeout: 'soon' }, ctxNs), /^UsageError: --timeout: invalid duration "soon"/);
  assert.throws(() => validateProxyStatus(undefined, { ...base, timeout: '0s' }, ctxNs), /--timeout: must be more than 0/);
  assert.throws(() => validateProxyStatus(undefined, { ...base, namespace: 'Bad_NS' }, ctxNs), /--namespace: "Bad_NS" is not a valid namespace name/);
  assert.throws(() => validateProxyStatus('p.ns', { ...base, wide: true }, ctxNs), /--wide lists all proxies/);
  assert.throws(() => validateProxyStatus('p.ns', { ...base, outdated: true }, ctxNs), /--outdated lists all outdated proxies/);
  assert.throws(() => validateProxyStatus('p.ns', { ...base, namespace: 'other' }, ctxNs), /names namespace ns but --namespace is other/);
});

test('a namespace name longer than 63 characters is a usage error, as for the other commands', () => {
  const long = 'a'.repeat(64);
  assert.throws(() => validateProxyStatus(undefined, { ...base, namespace: long }, ctxNs), /--namespace: "a{64}" is not a valid namespace name/);
  assert.throws(() => validateProxyStatus(`p.${long}`, base, ctxNs), /POD: expected POD or POD.NAMESPACE/);
  assert.equal(validateProxyStatus(undefined, { ...base, namespace: 'a'.repeat(63) }, ctxNs).namespace, 'a'.repeat(63));
});
