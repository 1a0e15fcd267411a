import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { KubeApiError } from '../../../src/kube/client.js';
import { FakeKubeClient } from '../../../src/kube/fake.js';
import { runProxyStatus } from '../../../src/status/run.js';
import { USER_AGENT } from '../../../src/version.js';
import { type FakeIstiodDebug, startFakeIstiodDebug } from './fake-istiod-debug.js';
import { appPod, httpSyncz, istiodPod, xdsSyncz } from './fixtures.js';

const GOOD = 'token-istio-system-default';
const authenticate = async (token: string) =>
  token === GOOD ? { authenticated: true, username: 'system:serviceaccount:istio-system:default' } : { authenticated: false };

describe('runProxyStatus against fake istiod debug endpoints', () => {
  const servers: FakeIstiodDebug[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  const serve = async (opts: Partial<Parameters<typeof startFakeIstiodDebug>[0]> & { syncz: () => unknown }) => {
    const s = await startFakeIstiodDebug({ authenticate, ...opts });
    servers.push(s);
    return s;
  };

  function cluster(ports: Record<string, number>): FakeKubeClient {
    const kube = new FakeKubeClient([
      istiodPod('istiod-aaa'),
      istiodPod('istiod-bbb'),
      appPod('productpage-1', 'bookinfo', { proxyTag: '1.31.1' }),
      appPod('orphan-1', 'bookinfo', { proxyTag: '1.31.1' }),
    ]);
    for (const [pod, port] of Object.entries(ports)) kube.portForwards.set(`istio-system/${pod}:15014`, port);
    return kube;
  }

  test('merges every replica, with a token for istio-system/default', async () => {
    const a = await serve({ syncz: () => httpSyncz });
    const b = await serve({ syncz: () => xdsSyncz });
    const kube = cluster({ 'istiod-aaa': a.port, 'istiod-bbb': b.port });
    const { report } = await runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000 }, { kube });
    assert.ok(kube.calls.includes('token istio-system/default'));
    assert.deepEqual(a.requests, [{ path: '/debug/syncz', status: 200, username: 'system:serviceaccount:istio-system:default' }]);
    assert.deepEqual(
      report.proxies.map((p) => `${p.name}@${p.istiod ?? '-'}`),
      [
        'details-1.bookinfo@istiod-bbb',
        'istio-ingressgateway-1.istio-system@istiod-bbb',
        'orphan-1.bookinfo@-',
        'productpage-1.bookinfo@istiod-aaa',
        'ratings-1.bookinfo@istiod-bbb',
        'reviews-1.bookinfo@istiod-aaa',
      ],
    );
  });

  test('the syncz request through the port-forward sends User-Agent mesh/<version>, as the API requests do', async () => {
    const a = await serve({ syncz: () => httpSyncz });
    const b = await serve({ syncz: () => xdsSyncz });
    const kube = cluster({ 'istiod-aaa': a.port, 'istiod-bbb': b.port });
    await runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000 }, { kube });
    assert.deepEqual([...a.userAgents, ...b.userAgents], [USER_AGENT, USER_AGENT]);
    assert.match(USER_AGENT, /^mesh\/\S+$/);
  });

  test('-n naming a namespace the cluster does not have is the same usage error as analyze -n (issue 12)', async () => {
    const a = await serve({ syncz: () => httpSyncz });
    const b = await serve({ syncz: () => xdsSyncz });
    const kube = cluster({ 'istiod-aaa': a.port, 'istiod-bbb': b.port });
    const { exitCodeOf } = await import('../../../src/errors.js');
    await assert.rejects(
      runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000, namespace: 'nosuchns' }, { kube }),
      (e: unknown) => exitCodeOf(e) === 64 && (e as Error).message === '-n: namespace "nosuchns" not found in the cluster (context fake)',
    );
    // an existing namespace without proxies is just empty
    kube.update({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty' } });
    const { report } = await runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000, namespace: 'empty' }, { kube });
    assert.deepEqual(report.proxies, []);
  });

  test('a single proxy', async () => {
    const a = await serve({ syncz: () => httpSyncz });
    const b = await serve({ syncz: () => xdsSyncz });
    const kube = cluster({ 'istiod-aaa': a.port, 'istiod-bbb': b.port });
    const r = await runProxyStatus(
      { istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000, target: { pod: 'ratings-1', namespace: 'bookinfo' } },
      { kube },
    );
    assert.equal(r.proxy?.types.LDS?.status, 'ERROR');
    assert.deepEqual(r.report.summary, { proxies: 1, synced: 0, stale: 0, nacked: 1, notConnected: 0, outdated: 0 });
    await assert.rejects(
      runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000, target: { pod: 'ratings-2', namespace: 'bookinfo' } }, { kube }),
      /no proxy ratings-2\.bookinfo: istiod \(istiod-aaa, istiod-bbb\) does not report it and there is no pod bookinfo\/ratings-2 \(did you mean "ratings-1\.bookinfo"\?\)/,
    );
  });

  test('401 and 403 name the token that was tried', async () => {
    const a = await serve({ syncz: () => httpSyncz, authenticate: async () => ({ authenticated: false }) });
    await assert.rejects(
      runProxyStatus(
        { istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000, revision: 'default' },
        { kube: cluster({ 'istiod-aaa': a.port, 'istiod-bbb': a.port }) },
      ),
      (err: Error & { details?: string[] }) => {
        assert.match(err.message, /cannot read the sync status of 2 of 2 istiod pods/);
        assert.match(
          err.details?.[0] ?? '',
          /^istiod istio-system\/istiod-aaa: GET \/debug\/syncz on port 15014 \(port-forward\) answered 401 Unauthorized: istiod did not accept the token of ServiceAccount istio-system\/default \(audience istio-ca\)$/,
        );
        return true;
      },
    );
    const f = await serve({ syncz: () => httpSyncz, allowedNamespaces: ['elsewhere'] });
    const kube = cluster({ 'istiod-aaa': f.port });
    kube.update({ ...istiodPod('istiod-bbb'), status: { phase: 'Pending' } });
    await assert.rejects(
      runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000 }, { kube }),
      /^ClusterError: istiod istio-system\/istiod-aaa: .* answered 403 Forbidden/,
    );
  });

  test('a refused port-forward and a timeout fail fast, one line each', async () => {
    const hang = await serve({ syncz: () => [], hang: true });
    const kube = cluster({ 'istiod-aaa': hang.port });
    kube.update({ ...istiodPod('istiod-bbb'), status: { phase: 'Failed' } });
    const started = Date.now();
    await assert.rejects(
      runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', timeoutMs: 300 }, { kube }),
      /istiod istio-system\/istiod-aaa: no answer to GET \/debug\/syncz on port 15014 \(port-forward\) within 300ms/,
    );
    assert.ok(Date.now() - started < 3000);

    const closed = await serve({ syncz: () => [] });
    const port = closed.port;
    await closed.close();
    const kube2 = cluster({ 'istiod-aaa': port });
    kube2.update({ ...istiodPod('istiod-bbb'), status: { phase: 'Failed' } });
    await assert.rejects(
      runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000 }, { kube: kube2 }),
      /istiod istio-system\/istiod-aaa: GET \/debug\/syncz on port 15014 \(port-forward\) failed: the port-forward was refused or closed \(ECONNREFUSED\)/,
    );
  });

  test('listing without a readable istiod still lists the pods with sidecars, NOT CONNECTED, and says why (issue 12)', async () => {
    const kube = new FakeKubeClient([appPod('productpage-1', 'bookinfo', { proxyTag: '1.31.1' }), appPod('orphan-1', 'bookinfo', { proxyTag: '1.31.1' })]);
    const r = await runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000, listWithoutIstiod: true }, { kube });
    assert.deepEqual(
      r.report.proxies.map((p) => `${p.name}@${p.istiod ?? '-'}`),
      ['orphan-1.bookinfo@-', 'productpage-1.bookinfo@-'],
    );
    assert.equal(r.report.summary.notConnected, 2);
    assert.match(r.istiodError?.message ?? '', /no istiod pod in namespace istio-system/);
    // a refused port-forward too
    const refused = cluster({});
    const r2 = await runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', timeoutMs: 5000, listWithoutIstiod: true }, { kube: refused });
    assert.ok(r2.report.proxies.length > 0);
    assert.ok(r2.istiodError !== undefined);
  });

  test('no istiod pod says where it looked', async () => {
    await assert.rejects(
      runProxyStatus({ istioNamespace: 'istio-x', transport: 'http', timeoutMs: 5000 }, { kube: new FakeKubeClient() }),
      /no istiod pod in namespace istio-x \(label app=istiod\); is the control plane installed\?/,
    );
    await assert.rejects(
      runProxyStatus({ istioNamespace: 'istio-system', transport: 'http', revision: 'canary', timeoutMs: 5000 }, { kube: cluster({}) }),
      /no istiod pod in namespace istio-system \(label app=istiod,istio.io\/rev=canary\); revisions found: default/,
    );
  });

  test('auto: an istiod whose xDS cannot be verified is read over HTTP, with a note; --xds alone fails', async () => {
    const a = await serve({ syncz: () => httpSyncz });
    const kube = cluster({ 'istiod-aaa': a.port, 'istiod-bbb': a.port });
    const r = await runProxyStatus({ istioNamespace: 'istio-system', timeoutMs: 5000 }, { kube });
    assert.equal(r.notes.length, 2);
    assert.match(
      r.notes[0]!,
      /^istiod istio-system\/istiod-aaa: cannot verify istiod's TLS certificate for xDS istio\.io\/debug\/syncz on port 15012 \(port-forward\): no root-cert\.pem in ConfigMap istio-system\/istio-ca-root-cert; read GET \/debug\/syncz on port 15014 instead$/,
    );
    await assert.rejects(
      runProxyStatus({ istioNamespace: 'istio-system', timeoutMs: 5000, transport: 'xds' }, { kube }),
      /cannot read the sync status of 2 of 2 istiod pods/,
    );
  });
  test('auto: a user who may not get the root-cert ConfigMap is read over HTTP, the note names the permission; --xds alone fails', async () => {
    const a = await serve({ syncz: () => httpSyncz });
    const kube = cluster({ 'istiod-aaa': a.port, 'istiod-bbb': a.port });
    const get = kube.get.bind(kube);
    kube.get = async (ref) =>
      ref.kind === 'ConfigMap'
        ? Promise.reject(new KubeApiError(403, 'Forbidden', 'configmaps "istio-ca-root-cert" is forbidden', 'ConfigMap istio-system/istio-ca-root-cert'))
        : get(ref);
    const r = await runProxyStatus({ istioNamespace: 'istio-system', timeoutMs: 5000 }, { kube });
    assert.match(
      r.notes[0]!,
      /: cannot verify istiod's TLS certificate for xDS .*: may not get ConfigMap istio-system\/istio-ca-root-cert \(403 Forbidden\); read GET \/debug\/syncz on port 15014 instead$/,
    );
    await assert.rejects(runProxyStatus({ istioNamespace: 'istio-system', timeoutMs: 5000, transport: 'xds' }, { kube }), /forbidden/);
  });
});
