// mesh proxy-config against a live proxy: a simulated proxy (scripts/istio/simproxy) connected to the
// REAL istiod serves an Envoy-admin-shaped /config_dump of what istiod pushed, and holds a workload
// certificate istiod's CA really signed; mesh reaches its admin port through a real port-forward
// (kwok routes the pod's 15000 to it). --diff compares it with istiod's own view of the proxy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ControlPlane, clusterPortForward, runMesh, startControlPlane, waitFor, type RunResult } from './harness/index.js';
import { type SimProxies, podsWithCa, routeIstiod, startSimProxies } from './harness/simproxy.js';

const cp: ControlPlane = await startControlPlane();
const ok = (r: RunResult): void => assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);

const pod = (name: string, labels: Record<string, string>): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels, annotations: { 'sidecar.istio.io/status': '{"revision":"default"}' } },
  spec: {
    containers: [
      { name: 'app', image: 'registry.local/app:1.0' },
      { name: 'istio-proxy', image: 'registry.istio.io/release/proxyv2:1.31.1' },
    ],
  },
});

describe('mesh proxy-config with a simulated proxy on the real istiod', { skip: cp.skip, concurrency: 1 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  let ns = '';
  let sim: SimProxies;
  const mesh = (args: string[]): Promise<RunResult> => runMesh(cp, args);

  before(async () => {
    ok(await runMesh(cp, ['install', '--profile', 'minimal', '-y', '--readiness-timeout', '3m'], { timeoutMs: 240_000 }));
    const routed = await routeIstiod(cp, 'istio-system', ['istiod']);
    cleanups.push(routed.remove);
    const istiod = routed.istiods[0]!;
    ns = await cp.freshNamespace('pc');
    const c = cp.kube;
    for (const body of [pod('web-1', { app: 'web', version: 'v1' }), pod('reviews-1', { app: 'reviews', version: 'v2' })])
      await c.core.createNamespacedPod({ namespace: ns, body });
    await c.core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    });
    await c.core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'reviews' }, spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] } },
    });
    await c.custom.createNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: ns,
      plural: 'destinationrules',
      body: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'reviews' },
        spec: {
          host: 'reviews',
          subsets: [
            { name: 'v1', labels: { version: 'v1' } },
            { name: 'v2', labels: { version: 'v2' } },
          ],
        },
      },
    });
    // Other suites' namespaces come and go on this cluster while this one runs; a Sidecar keeps the
    // proxies' config to this namespace and the control plane's, as a real mesh scopes it.
    await c.custom.createNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: ns,
      plural: 'sidecars',
      body: { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default' }, spec: { egress: [{ hosts: ['./*', 'istio-system/*'] }] } },
    });
    const { pods, ca } = await podsWithCa(cp, ns, 2, istiod, mkdtempSync(join(tmpdir(), 'pc-e2e-')));
    sim = await startSimProxies(
      ['web-1', 'reviews-1'].map((name) => ({
        pod: name,
        namespace: ns,
        ip: pods.get(name)!.status!.podIP!,
        labels: pods.get(name)!.metadata!.labels!,
        xds: istiod.grpc,
        admin: true,
        ...(name === 'web-1' ? { ca } : {}),
      })),
    );
    cleanups.push(() => sim.close());
    await sim.waitSynced();
    for (const [id, port] of Object.entries(sim.admin)) {
      cleanups.push(await clusterPortForward(cp, { namespaces: [ns], podNames: [id.split('.')[0]!], ports: [15000], target: { address: '127.0.0.1', port } }));
    }
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await runMesh(cp, ['uninstall', '--purge', '-y'], { timeoutMs: 240_000 }).catch(() => undefined);
    await cp.release();
  });

  it('cluster: the subsets of the DestinationRule, as istiod pushed them; --fqdn --subset filter', async () => {
    const r = await waitFor('the reviews subsets in the dump', async () => {
      const x = await mesh(['pc', 'cluster', `web-1.${ns}`, '--fqdn', 'reviews', '-o', 'json']);
      return x.code === 0 && x.stdout.includes('|v2|') ? x : undefined;
    });
    const names = (JSON.parse(r.stdout) as { name: string }[]).map((c) => c.name).sort();
    assert.deepEqual(names, [
      `outbound|9080|v1|reviews.${ns}.svc.cluster.local`,
      `outbound|9080|v2|reviews.${ns}.svc.cluster.local`,
      `outbound|9080||reviews.${ns}.svc.cluster.local`,
    ]);
    const table = await mesh(['pc', 'cluster', `web-1.${ns}`, '--subset', 'v2']);
    ok(table);
    assert.match(table.stdout, /^SERVICE FQDN\s+PORT\s+SUBSET\s+DIRECTION\s+TYPE\s+DESTINATION RULE$/m);
    assert.match(table.stdout, new RegExp(`^reviews\\.${ns}\\.svc\\.cluster\\.local\\s+9080\\s+v2\\s+outbound\\s+EDS\\s+reviews\\.${ns}$`, 'm'));
  });

  it('listener, route, endpoint and bootstrap from the admin API', async () => {
    const l = await mesh(['pc', 'listener', `web-1.${ns}`, '--port', '9080']);
    ok(l);
    assert.match(l.stdout, /^0\.0\.0\.0\s+9080\s+Trans: raw_buffer; App: http\/1\.1,h2c\s+Route: 9080$/m);
    const rt = await mesh(['pc', 'route', 'web-1', '-n', ns, '--name', '9080']);
    ok(rt);
    assert.match(rt.stdout, new RegExp(`^9080\\s+reviews\\.${ns}\\.svc\\.cluster\\.local:9080\\s+`, 'm'));
    const ep = await mesh(['pc', 'endpoint', `web-1.${ns}`, '--cluster', `outbound|9080|v2|reviews.${ns}.svc.cluster.local`, '-o', 'json']);
    ok(ep);
    const reviewsIp = (await cp.kube.core.readNamespacedPod({ name: 'reviews-1', namespace: ns })).status?.podIP;
    assert.deepEqual(
      (JSON.parse(ep.stdout) as { endpoint: string; status: string }[]).map((e) => `${e.endpoint} ${e.status}`),
      [`${reviewsIp}:9080 HEALTHY`],
    );
    const boot = await mesh(['pc', 'bootstrap', `web-1.${ns}`]);
    ok(boot);
    assert.equal((JSON.parse(boot.stdout) as { bootstrap: { node: { id: string } } }).bootstrap.node.id.split('~')[2], `web-1.${ns}`);
  });

  it("secret: the workload certificate istiod's CA signed, valid, no warning", async () => {
    const r = await mesh(['pc', 'secret', `web-1.${ns}`, '-o', 'json']);
    ok(r);
    const rows = JSON.parse(r.stdout) as { name: string; type: string; valid: boolean; warning: string | null; notAfter: string }[];
    assert.deepEqual(
      rows.map((s) => [s.name, s.type, s.valid, s.warning]),
      [
        ['default', 'Cert Chain', true, null],
        ['ROOTCA', 'CA', true, null],
      ],
    );
    const hours = (Date.parse(rows[0]!.notAfter) - Date.now()) / 3_600_000;
    assert.ok(hours > 23 && hours <= 24.1, `istiod's default workload certificate lives 24h, this one ${hours}h more`);
    assert.doesNotMatch(r.stdout, /PRIVATE KEY|W3JlZGFjdGVkXQ/, 'no key material in the output');
  });

  it('--diff: synced matches istiod; a proxy that stops ACKing routes misses a new VirtualService', async () => {
    // A synced proxy matches istiod (once a push that was under way when the test began has landed).
    const synced = (timeoutMs: number): Promise<RunResult | undefined> =>
      waitFor(
        'no difference',
        async () => {
          const x = await mesh(['pc', 'all', `web-1.${ns}`, '--diff']);
          return x.code === 0 ? x : undefined;
        },
        { intervalMs: 1000, timeoutMs },
      ).catch(() => undefined);
    // (A route that istiod's view lost while the proxy kept it was the simulated proxy's doing: see
    // the unsubscribe filter in scripts/istio/simproxy/main.go.)
    const first = await synced(30_000);
    ok(first ?? (await mesh(['pc', 'all', `web-1.${ns}`, '--diff'])));
    await sim.behave(ns, 'web-1', { mode: 'stale', type: 'RDS' });
    await cp.kube.custom.createNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: ns,
      plural: 'virtualservices',
      body: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'web' },
        spec: {
          hosts: ['web'],
          http: [{ match: [{ uri: { prefix: '/v2' } }], route: [{ destination: { host: 'web' } }] }, { route: [{ destination: { host: 'web' } }] }],
        },
      },
    });
    const r = await waitFor('a route difference', async () => {
      const x = await mesh(['pc', 'route', `web-1.${ns}`, '--diff']);
      return x.code === 79 ? x : undefined;
    });
    assert.match(r.stdout, /^Routes Don't Match$/m);
    const view = async (): Promise<string> => JSON.stringify((await sim.proxies()).find((p) => p.id.includes(`web-1.${ns}`)));
    assert.match(r.stdout, /^ {2}~ 80 {2}\(differs\)$/m, `the route the new VirtualService changed\n${r.stdout}\nsimproxy: ${await view()}`);
    assert.match(r.stderr, new RegExp(`^Error: proxy web-1\\.${ns} does not have what istiod .* would send it now$`, 'm'));
    const ps = await mesh(['ps', `web-1.${ns}`]);
    assert.match(ps.stdout, /^RDS\s+STALE\s+/m, 'proxy-status agrees: RDS is STALE');
  });

  it('failures: no pod, a pod whose admin port refuses, a bad type', async () => {
    const none = await mesh(['pc', 'cluster', `nope-1.${ns}`]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, new RegExp(`^Error: no pod ${ns}/nope-1$`, 'm'));
    await cp.kube.core.createNamespacedPod({ namespace: ns, body: pod('dark-1', { app: 'dark' }) });
    await waitFor('dark-1 running', async () => (await cp.kube.core.readNamespacedPod({ name: 'dark-1', namespace: ns })).status?.phase === 'Running');
    const dark = await mesh(['pc', 'cluster', `dark-1.${ns}`, '--timeout', '5s']);
    assert.equal(dark.code, 1);
    assert.match(
      dark.stderr,
      new RegExp(
        `^Error: proxy ${ns}/dark-1: GET /config_dump on port 15000 \\(port-forward\\) failed: .*; is it listening on port 15000\\? \\(--proxy-admin-port picks another\\)$`,
        'm',
      ),
    );
    const bad = await mesh(['pc', 'clusters', `web-1.${ns}`]);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /TYPE: "clusters" is not one of cluster, listener, route, endpoint, secret, bootstrap, all/);
  });
});
