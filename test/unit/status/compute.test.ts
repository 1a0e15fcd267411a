import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeStatus, mergeReplicas, sameVersion, splitProxyId, versionFromImage } from '../../../src/status/compute.js';
import { parseSyncz, synczShape } from '../../../src/status/syncz.js';
import { appPod, httpSyncz, snapshot, xdsSyncz } from './fixtures.js';

describe('parseSyncz', () => {
  test('reads the HTTP SyncStatus array: nonces and the resources map', () => {
    assert.equal(synczShape(httpSyncz), 'http');
    const [productpage, reviews] = parseSyncz({ istiod: 'istiod-aaa', body: httpSyncz });
    assert.equal(productpage?.id, 'productpage-1.bookinfo');
    assert.equal(productpage?.istiod, 'istiod-aaa');
    assert.equal(productpage?.version, '1.31.1');
    assert.equal(productpage?.types.CDS.status, 'SYNCED');
    assert.equal(productpage?.types.EDS.lastUpdated, '2026-03-01T11:59:55Z');
    // With a resources map, a type that is absent and never sent is not watched.
    assert.equal(productpage?.types.ECDS.status, 'IGNORED');
    assert.equal(reviews?.types.RDS.status, 'STALE');
    // Without a resources map, an unsent type is NOT SENT (as istioctl's HTTP transport showed it).
    assert.equal(reviews?.types.ECDS.status, 'NOT SENT');
    assert.equal(reviews?.types.RDS.lastUpdated, null);
  });

  test('a lastError in the resources map is a NACK', () => {
    const body = [
      {
        proxy: 'a.ns',
        cluster_id: 'c',
        listener_sent: 'x',
        listener_acked: 'w',
        resources: { lds: { sent: 'x', acked: 'w', sentTime: '2026-03-01T11:00:00Z', lastError: 'bad listener' } },
      },
    ];
    const [a] = parseSyncz({ istiod: 'i', body });
    assert.equal(a?.types.LDS.status, 'ERROR');
    assert.deepEqual(a?.types.LDS.error, { details: 'bad listener', lastUpdateAttempt: '2026-03-01T11:00:00Z' });
    assert.equal(a?.types.CDS.status, 'IGNORED');
  });

  test('reads the xDS DiscoveryResponse: ClientConfig per proxy, the istiod identity and version', () => {
    assert.equal(synczShape(xdsSyncz), 'xds');
    const proxies = parseSyncz({ istiod: 'ignored-name', body: xdsSyncz });
    assert.deepEqual(
      proxies.map((p) => p.id),
      ['ratings-1.bookinfo', 'details-1.bookinfo', 'istio-ingressgateway-1.istio-system'],
    );
    const ratings = proxies[0]!;
    assert.equal(ratings.istiod, 'istiod-bbb');
    assert.equal(ratings.istiodVersion, '1.31.1');
    assert.equal(ratings.clusterId, 'Kubernetes');
    assert.equal(ratings.types.LDS.status, 'ERROR');
    assert.match(ratings.types.LDS.error?.details ?? '', /duplicate filter chain/);
    assert.equal(ratings.types.LDS.error?.lastUpdateAttempt, '2026-03-01T11:59:30Z');
    assert.equal(ratings.types.ECDS.status, 'NOT SENT');
    assert.equal(proxies[1]!.types.ECDS.status, 'IGNORED');
  });

  test('CLIENT_NACKED is an error even without errorState; an unknown configStatus is IGNORED', () => {
    const body = {
      resources: [
        {
          node: { id: 'a.ns' },
          genericXdsConfigs: [
            { typeUrl: 'envoy.config.cluster.v3.Cluster', configStatus: 'SYNCED', clientStatus: 'CLIENT_NACKED' },
            { typeUrl: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', configStatus: 'UNKNOWN' },
          ],
        },
      ],
    };
    const [a] = parseSyncz({ istiod: 'istiod-x', body });
    assert.equal(a?.istiod, 'istiod-x');
    assert.equal(a?.types.CDS.status, 'ERROR');
    assert.equal(a?.types.RDS.status, 'IGNORED');
    assert.equal(a?.version, null);
  });

  test('an answer in neither shape names the istiod', () => {
    assert.throws(() => parseSyncz({ istiod: 'istiod-z', body: 'hello' }), /istiod istiod-z: the sync status is neither/);
  });
});

describe('computeStatus', () => {
  test('rows for every proxy, sorted by name, with NOT CONNECTED sidecar pods and findings', () => {
    const r = computeStatus(snapshot());
    assert.deepEqual(
      r.proxies.map((p) => [p.name, p.istiod, p.findings.join('+')]),
      [
        ['details-1.bookinfo', 'istiod-bbb', 'OUTDATED'],
        ['istio-ingressgateway-1.istio-system', 'istiod-bbb', ''],
        ['orphan-1.bookinfo', null, 'NOT_CONNECTED+OUTDATED'],
        ['other-1.other', null, 'NOT_CONNECTED'],
        ['productpage-1.bookinfo', 'istiod-aaa', ''],
        ['ratings-1.bookinfo', 'istiod-bbb', 'NACKED'],
        ['reviews-1.bookinfo', 'istiod-aaa', 'STALE'],
      ],
    );
    assert.deepEqual(r.summary, { proxies: 7, synced: 3, stale: 1, nacked: 1, notConnected: 2, outdated: 2 });
    assert.deepEqual(
      r.controlPlanes.map((c) => [c.pod, c.revision, c.version]),
      [
        ['istiod-aaa', 'default', '1.31.1'],
        ['istiod-bbb', 'default', '1.31.1'],
      ],
    );
    const details = r.proxies[0]!;
    assert.equal(details.version, '1.30.2');
    assert.equal(details.controlPlaneVersion, '1.31.1');
    assert.deepEqual(details.subscribed, ['CDS', 'LDS', 'EDS', 'RDS']);
  });

  test('-n keeps one namespace; --outdated keeps only outdated proxies', () => {
    assert.deepEqual(
      computeStatus(snapshot(), { namespace: 'other' }).proxies.map((p) => p.name),
      ['other-1.other'],
    );
    assert.deepEqual(
      computeStatus(snapshot(), { outdatedOnly: true }).proxies.map((p) => p.name),
      ['details-1.bookinfo', 'orphan-1.bookinfo'],
    );
  });

  test('an HTTP-shape proxy takes its control-plane version from its istiod pod image', () => {
    const s = snapshot();
    s.istiodPods = [s.istiodPods[0]!, { ...s.istiodPods[1]!, spec: { containers: [{ name: 'discovery', image: 'hub/pilot:1.32.0-distroless' }] } }];
    const reviews = computeStatus(s).proxies.find((p) => p.name === 'reviews-1.bookinfo')!;
    assert.equal(reviews.controlPlaneVersion, '1.32.0');
    assert.equal(reviews.outdated, true);
  });

  test('a not-connected pod is compared with the istiod of its own revision', () => {
    const s = snapshot();
    const canary = appPod('canary-1', 'ns', { proxyTag: '1.32.0' });
    canary.metadata.annotations = { 'sidecar.istio.io/status': '{"revision":"canary"}' };
    s.pods = [canary];
    s.payloads = [];
    let row = computeStatus(s).proxies[0]!;
    assert.equal(row.controlPlaneVersion, null);
    assert.equal(row.outdated, false);
    s.istiodPods.push({
      ...s.istiodPods[0]!,
      metadata: { name: 'istiod-canary-1', namespace: 'istio-system', labels: { app: 'istiod', 'istio.io/rev': 'canary' } },
      spec: { containers: [{ name: 'discovery', image: 'hub/pilot:1.32.0' }] },
    });
    row = computeStatus(s).proxies[0]!;
    assert.equal(row.controlPlaneVersion, '1.32.0');
    assert.equal(row.outdated, false);
  });

  test('replicas that both report a proxy: the freshest report wins', () => {
    const a = parseSyncz({ istiod: 'a', body: [{ proxy: 'p.ns', resources: { cds: { sent: '1', acked: '0', sentTime: '2026-01-01T00:00:00Z' } } }] });
    const b = parseSyncz({ istiod: 'b', body: [{ proxy: 'p.ns', resources: { cds: { sent: '2', acked: '2', sentTime: '2026-01-02T00:00:00Z' } } }] });
    assert.equal(mergeReplicas([...a, ...b])[0]?.istiod, 'b');
    assert.equal(mergeReplicas([...b, ...a])[0]?.istiod, 'b');
  });
});

describe('helpers', () => {
  test('versionFromImage', () => {
    assert.equal(versionFromImage('registry.istio.io/release/proxyv2:1.31.1'), '1.31.1');
    assert.equal(versionFromImage('localhost:5000/proxyv2:1.30.0-distroless@sha256:abc'), '1.30.0');
    assert.equal(versionFromImage('localhost:5000/proxyv2'), null);
    assert.equal(versionFromImage('proxyv2@sha256:abc'), null);
    assert.equal(versionFromImage(undefined), null);
  });
  test('sameVersion ignores a leading v and image variants', () => {
    assert.ok(sameVersion('v1.31.1', '1.31.1-distroless'));
    assert.ok(!sameVersion('1.31.0', '1.31.1'));
  });
  test('splitProxyId splits at the last dot', () => {
    assert.deepEqual(splitProxyId('a.b.ns'), ['a.b', 'ns']);
    assert.deepEqual(splitProxyId('vm'), ['vm', '']);
  });
});
