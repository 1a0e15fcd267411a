// mesh proxy-status against the local control plane. istiod pods are plain pods (label app=istiod)
// whose monitoring port 15014 kwok routes (ClusterPortForward) to test servers that answer like
// istiod's debug endpoint, checking mesh's bearer token with the real API server's TokenReview.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AuthenticationV1Api, type V1Pod } from '@kubernetes/client-node';
import { type FakeIstiodDebug, type Identity, startFakeIstiodDebug } from './fake-istiod-debug.js';
import { type ControlPlane, clusterPortForward, runMesh, startControlPlane, waitFor } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();

const URL = {
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
};

function pod(name: string, opts: { labels?: Record<string, string>; containers: { name: string; image: string }[] }): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: opts.labels ?? {}, annotations: {} },
    spec: { containers: opts.containers },
  };
}

const istiodPod = (name: string): V1Pod =>
  pod(name, { labels: { app: 'istiod', 'istio.io/rev': 'default' }, containers: [{ name: 'discovery', image: 'registry.istio.io/release/pilot:1.31.1' }] });

const appPod = (name: string, proxyTag?: string): V1Pod =>
  pod(name, {
    labels: { app: name.replace(/-\d+$/, '') },
    containers: [
      { name: 'app', image: 'registry.local/app:1.0' },
      ...(proxyTag ? [{ name: 'istio-proxy', image: `registry.istio.io/release/proxyv2:${proxyTag}` }] : []),
    ],
  });

/** istiod's check: a TokenReview for audience istio-ca, with the admin credentials of the kubeconfig. */
function tokenReview(audience = 'istio-ca'): (token: string) => Promise<Identity> {
  const api = cp.kube.kc.makeApiClient(AuthenticationV1Api);
  return async (token) => {
    const review = await api.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [audience] } } });
    return { authenticated: review.status?.authenticated === true, ...(review.status?.user?.username ? { username: review.status.user.username } : {}) };
  };
}

async function createRunningPods(ns: string, pods: V1Pod[]): Promise<void> {
  for (const body of pods) await cp.kube.core.createNamespacedPod({ namespace: ns, body });
  await waitFor(`pods of ${ns} running`, async () => {
    const list = (await cp.kube.core.listNamespacedPod({ namespace: ns })).items;
    return list.length === pods.length && list.every((p) => p.status?.phase === 'Running');
  });
}

interface Row {
  name: string;
  istiod: string | null;
  version: string | null;
  outdated: boolean;
  findings: string[];
  types: Record<string, { status: string; error: { details: string } | null } | null>;
}

describe('mesh proxy-status', { skip: cp.skip }, () => {
  const servers: FakeIstiodDebug[] = [];
  const removers: (() => Promise<void>)[] = [];
  let istio = '';
  let apps = '';
  after(async () => {
    await Promise.allSettled(removers.map((r) => r()));
    await Promise.allSettled(servers.map((s) => s.close()));
    await cp.release();
  });

  before(async () => {
    istio = await cp.freshNamespace('ps-istio');
    apps = await cp.freshNamespace('ps-apps');
    const id = (p: string): string => `${p}.${apps}`;
    // istiod-a answers the HTTP SyncStatus shape, istiod-b the xDS DiscoveryResponse shape.
    const a = await startFakeIstiodDebug({
      authenticate: tokenReview(),
      allowedNamespaces: [istio],
      syncz: () => [
        { cluster_id: 'Kubernetes', proxy: id('synced-1'), istio_version: '1.31.1', cluster_sent: 'n1', cluster_acked: 'n1', listener_sent: 'n2', listener_acked: 'n2', endpoint_sent: 'n3', endpoint_acked: 'n3', route_sent: 'n4', route_acked: 'n4' },
        { cluster_id: 'Kubernetes', proxy: id('stale-1'), istio_version: '1.31.1', cluster_sent: 'n1', cluster_acked: 'n1', listener_sent: 'n2', listener_acked: 'n2', endpoint_sent: 'n3', endpoint_acked: 'n3', route_sent: 'n5', route_acked: 'n4' },
      ],
    });
    const now = new Date().toISOString();
    const synced = (t: keyof typeof URL) => ({ typeUrl: URL[t], configStatus: 'SYNCED', lastUpdated: now });
    const client = (p: string, version: string, configs: unknown[]) => ({
      '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
      node: { id: id(p), metadata: { CLUSTER_ID: 'Kubernetes', NAMESPACE: apps, ISTIO_VERSION: version } },
      genericXdsConfigs: configs,
    });
    const b = await startFakeIstiodDebug({
      authenticate: tokenReview(),
      allowedNamespaces: [istio],
      syncz: () => ({
        typeUrl: 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
        controlPlane: { identifier: JSON.stringify({ Component: 'istiod', ID: 'istiod-b', Info: { version: '1.31.1' } }) },
        resources: [
          client('nacked-1', '1.31.1', [
            synced('CDS'),
            { typeUrl: URL.LDS, configStatus: 'ERROR', lastUpdated: now, errorState: { lastUpdateAttempt: now, details: 'Error adding/updating listener(s) virtualInbound: duplicate filter chain match' } },
            synced('EDS'),
            synced('RDS'),
          ]),
          client('old-1', '1.30.2', [synced('CDS'), synced('LDS'), synced('EDS'), synced('RDS')]),
        ],
      }),
    });
    servers.push(a, b);
    removers.push(await clusterPortForward(cp, { namespaces: [istio], podNames: ['istiod-a'], ports: [15014], target: { address: '127.0.0.1', port: a.port } }));
    removers.push(await clusterPortForward(cp, { namespaces: [istio], podNames: ['istiod-b'], ports: [15014], target: { address: '127.0.0.1', port: b.port } }));
    await createRunningPods(istio, [istiodPod('istiod-a'), istiodPod('istiod-b')]);
    await createRunningPods(apps, [
      appPod('synced-1', '1.31.1'),
      appPod('stale-1', '1.31.1'),
      appPod('nacked-1', '1.31.1'),
      appPod('old-1', '1.30.2'),
      appPod('lonely-1', '1.31.1'),
      appPod('plain-1'),
    ]);
  });

  it('reports synced, stale, NACKed, outdated and not-connected proxies (-o json), exit 79', async () => {
    const r = await runMesh(cp, ['proxy-status', '-i', istio, '-n', apps, '-o', 'json']);
    assert.equal(r.code, 79, r.stderr);
    const report = JSON.parse(r.stdout) as { proxies: Row[]; summary: Record<string, number> };
    const by = new Map(report.proxies.map((p) => [p.name.replace(`.${apps}`, ''), p]));
    assert.deepEqual([...by.keys()], ['lonely-1', 'nacked-1', 'old-1', 'stale-1', 'synced-1']);
    assert.deepEqual(by.get('synced-1')?.findings, []);
    assert.equal(by.get('synced-1')?.istiod, 'istiod-a');
    assert.equal(by.get('synced-1')?.types['CDS']?.status, 'SYNCED');
    assert.deepEqual(by.get('stale-1')?.findings, ['STALE']);
    assert.equal(by.get('stale-1')?.types['RDS']?.status, 'STALE');
    assert.deepEqual(by.get('nacked-1')?.findings, ['NACKED']);
    assert.equal(by.get('nacked-1')?.istiod, 'istiod-b');
    assert.match(by.get('nacked-1')?.types['LDS']?.error?.details ?? '', /duplicate filter chain match/);
    assert.deepEqual(by.get('old-1')?.findings, ['OUTDATED']);
    assert.equal(by.get('old-1')?.version, '1.30.2');
    assert.deepEqual(by.get('lonely-1')?.findings, ['NOT_CONNECTED']);
    assert.equal(by.get('lonely-1')?.istiod, null);
    assert.deepEqual(report.summary, { proxies: 5, synced: 2, stale: 1, nacked: 1, notConnected: 1, outdated: 1 });
    // Both istiods checked mesh's token with the API server: a TokenRequest token of <istio ns>/default.
    for (const s of servers) {
      assert.ok(s.requests.some((q) => q.path === '/debug/syncz' && q.status === 200 && q.username === `system:serviceaccount:${istio}:default`), JSON.stringify(s.requests));
    }
  });

  it('prints the table with problems in place and a closing hint; --wide per type; --outdated only those', async () => {
    const r = await runMesh(cp, ['ps', '-i', istio, '-n', apps]);
    assert.equal(r.code, 79, r.stderr);
    assert.match(r.stdout, /^NAME\s+CLUSTER\s+ISTIOD\s+VERSION\s+SUBSCRIBED TYPES$/m);
    assert.match(r.stdout, new RegExp(`^lonely-1\\.${apps}\\s+-\\s+NOT CONNECTED\\s+1\\.31\\.1\\s+-$`, 'm'));
    assert.match(r.stdout, new RegExp(`^old-1\\.${apps}\\s+Kubernetes\\s+istiod-b\\s+1\\.30\\.2 \\(OUTDATED\\)\\s+4 \\(CDS,LDS,EDS,RDS\\)$`, 'm'));
    assert.match(r.stdout, new RegExp(`^stale-1\\.${apps}\\s+Kubernetes\\s+istiod-a\\s+1\\.31\\.1\\s+5 \\(CDS,LDS,EDS,RDS,ECDS\\) \\[RDS STALE\\]$`, 'm'));
    assert.match(r.stderr, /4 of 5 proxies need attention: 1 STALE, 1 NACKED, 1 NOT CONNECTED, 1 OUTDATED/);
    assert.match(r.stderr, /restart them with: mesh rollout-restart --outdated/);

    const wide = await runMesh(cp, ['ps', '-i', istio, '-n', apps, '--wide']);
    assert.equal(wide.code, 79, wide.stderr);
    assert.match(wide.stdout, /^NAME\s+CLUSTER\s+CDS\s+LDS\s+EDS\s+RDS\s+ECDS\s+ISTIOD\s+VERSION$/m);
    assert.match(wide.stdout, new RegExp(`^nacked-1\\.${apps}\\s+Kubernetes\\s+SYNCED \\(\\d+s\\)\\s+ERROR \\(\\d+s\\)\\s+SYNCED \\(\\d+s\\)\\s+SYNCED \\(\\d+s\\)\\s+IGNORED\\s+istiod-b\\s+1\\.31\\.1$`, 'm'));

    const outdated = await runMesh(cp, ['ps', '-i', istio, '-n', apps, '--outdated', '-o', 'yaml']);
    assert.equal(outdated.code, 79, outdated.stderr);
    assert.deepEqual([...outdated.stdout.matchAll(/^ {2}- name: (\S+)$/gm)].map((m) => m[1]), [`old-1.${apps}`]);
  });

  it('shows one proxy in detail, with the NACK; a synced proxy exits 0', async () => {
    const r = await runMesh(cp, ['ps', `nacked-1.${apps}`, '-i', istio]);
    assert.equal(r.code, 79, r.stderr);
    assert.match(r.stdout, new RegExp(`^Proxy:\\s+nacked-1\\.${apps}$`, 'm'));
    assert.match(r.stdout, /^LDS\s+ERROR\s+/m);
    assert.match(r.stdout, /^ {2}LDS \(last attempt .*\): Error adding\/updating listener\(s\) virtualInbound: duplicate filter chain match$/m);

    const ok = await runMesh(cp, ['ps', 'synced-1', '-n', apps, '-i', istio]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^State:\s+SYNCED$/m);

    const none = await runMesh(cp, ['ps', `plain-1.${apps}`, '-i', istio]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, new RegExp(`pod ${apps}/plain-1 has no istio-proxy container`));
  });

  describe('failures are fast and clear', () => {
    it('no istiod pod', async () => {
      const empty = await cp.freshNamespace('ps-none');
      const r = await runMesh(cp, ['ps', '-i', empty]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^Error: no istiod pod in namespace ${empty} \\(label app=istiod\\); is the control plane installed\\?`, 'm'));
    });

    it('a token istiod does not accept (401, from a real TokenReview) and an identity it does not allow (403)', async () => {
      const ns = await cp.freshNamespace('ps-auth');
      // This istiod reviews tokens for another audience, so the API server rejects mesh's istio-ca token.
      const wrongAudience = await startFakeIstiodDebug({ authenticate: tokenReview('not-istio-ca'), allowedNamespaces: [ns], syncz: () => [] });
      servers.push(wrongAudience);
      removers.push(await clusterPortForward(cp, { namespaces: [ns], podNames: ['istiod-a'], ports: [15014], target: { address: '127.0.0.1', port: wrongAudience.port } }));
      await createRunningPods(ns, [istiodPod('istiod-a')]);
      const r = await runMesh(cp, ['ps', '-i', ns]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^Error: istiod ${ns}/istiod-a: GET /debug/syncz on port 15014 \\(port-forward\\) answered 401 Unauthorized: istiod did not accept the token of ServiceAccount ${ns}/default \\(audience istio-ca\\)$`, 'm'));
      assert.deepEqual(wrongAudience.requests.map((q) => q.status), [401]);

      const ns2 = await cp.freshNamespace('ps-forbid');
      const otherNs = await startFakeIstiodDebug({ authenticate: tokenReview(), allowedNamespaces: ['istio-system-elsewhere'], syncz: () => [] });
      servers.push(otherNs);
      removers.push(await clusterPortForward(cp, { namespaces: [ns2], podNames: ['istiod-a'], ports: [15014], target: { address: '127.0.0.1', port: otherNs.port } }));
      await createRunningPods(ns2, [istiodPod('istiod-a')]);
      const f = await runMesh(cp, ['ps', '-i', ns2]);
      assert.equal(f.code, 1, f.stderr);
      assert.match(f.stderr, /answered 403 Forbidden: ServiceAccount .*\/default may not read the debug endpoint/);
      assert.equal(otherNs.requests[0]?.username, `system:serviceaccount:${ns2}:default`);
    });

    it('a refused port-forward and a hanging istiod: one line each, within the timeout', async () => {
      const ns = await cp.freshNamespace('ps-down');
      // A port nobody listens on: take a free port and close it again.
      const closedPort = await new Promise<number>((resolve) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const p = (s.address() as AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      removers.push(await clusterPortForward(cp, { namespaces: [ns], podNames: ['istiod-a'], ports: [15014], target: { address: '127.0.0.1', port: closedPort } }));
      const hanging = await startFakeIstiodDebug({ authenticate: tokenReview(), allowedNamespaces: [ns], syncz: () => [], hang: true });
      servers.push(hanging);
      removers.push(await clusterPortForward(cp, { namespaces: [ns], podNames: ['istiod-b'], ports: [15014], target: { address: '127.0.0.1', port: hanging.port } }));
      await createRunningPods(ns, [istiodPod('istiod-a'), istiodPod('istiod-b')]);

      const started = Date.now();
      const r = await runMesh(cp, ['ps', '-i', ns, '--timeout', '3s']);
      const elapsed = Date.now() - started;
      assert.equal(r.code, 1, r.stderr);
      assert.ok(elapsed < 3000 + 5000, `gave up after ${elapsed} ms with --timeout 3s`);
      assert.match(r.stderr, /^Error: cannot read the sync status of 2 of 2 istiod pods:$/m);
      assert.match(r.stderr, new RegExp(`^ {2}istiod ${ns}/istiod-a: GET /debug/syncz on port 15014 \\(port-forward\\) failed: the port-forward was refused or closed \\(.*connection refused\\); is istiod listening on its monitoring port 15014\\?$`, 'm'));
      assert.match(r.stderr, new RegExp(`^ {2}istiod ${ns}/istiod-b: no answer to GET /debug/syncz on port 15014 \\(port-forward\\) within 3s`, 'm'));
    });
  });
});
