// mesh proxy-status against the REAL istiod: `mesh install` deploys the control plane, the harness
// runs pilot-discovery for each istiod Deployment, and scripts/istio/simproxy connects simulated
// proxies (Istio's own ADS client) to it, one per pod created here, with the node metadata a
// sidecar sends. They ACK, NACK with an error message, stop ACKing, or disconnect, and istiod
// reports them in its syncz exactly as it would real Envoys. mesh reads istiod over xDS
// (istio.io/debug/syncz on 15012, TLS with istiod's CA, a TokenRequest token istiod checks with a
// real TokenReview) or over HTTP (/debug/syncz on 15014), through real port-forwards.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { podSummary } from '../../src/kube/client.js';
import { createKubeClient } from '../../src/kube/real.js';
import { type ControlPlane, clusterPortForward, runMesh, startControlPlane, waitFor, type RunResult } from './harness/index.js';
import { type RoutedIstiod, type SimProxies, type SimProxySpec, routeIstiod, startSimProxies } from './harness/simproxy.js';

const cp: ControlPlane = await startControlPlane();
const SYS = 'istio-system';
const NACK = 'Error adding/updating listener(s) virtualInbound: duplicate filter chain match';

interface Row {
  name: string;
  istiod: string | null;
  version: string | null;
  controlPlaneVersion: string | null;
  outdated: boolean;
  findings: string[];
  types: Record<string, { status: string; error: { details: string } | null } | null>;
}
interface Report {
  proxies: Row[];
  summary: Record<string, number>;
}

const ok = (r: RunResult): void => assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);

function sidecarPod(name: string, opts: { proxyTag?: string; labels?: Record<string, string>; revision?: string } = {}): V1Pod {
  const app = name.replace(/-\d+$/, '');
  const labels = { app, ...(opts.revision ? { 'istio.io/rev': opts.revision } : {}), ...opts.labels };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels,
      annotations: opts.proxyTag ? { 'sidecar.istio.io/status': JSON.stringify({ revision: opts.revision ?? 'default' }) } : {},
    },
    spec: {
      containers: [
        { name: 'app', image: 'registry.local/app:1.0' },
        ...(opts.proxyTag ? [{ name: 'istio-proxy', image: `registry.istio.io/release/proxyv2:${opts.proxyTag}` }] : []),
      ],
    },
  };
}

/** Creates the pods and returns them once Running, with the IPs kwok gave them. */
async function runningPods(ns: string, pods: V1Pod[]): Promise<Map<string, V1Pod>> {
  for (const body of pods) await cp.kube.core.createNamespacedPod({ namespace: ns, body });
  const want = new Set(pods.map((p) => p.metadata?.name ?? ''));
  return waitFor(`pods of ${ns} running`, async () => {
    const list = (await cp.kube.core.listNamespacedPod({ namespace: ns })).items.filter((p) => want.has(p.metadata?.name ?? ''));
    return list.length === want.size && list.every((p) => p.status?.phase === 'Running' && p.status.podIP)
      ? new Map(list.map((p) => [p.metadata!.name!, p]))
      : undefined;
  });
}

function spec(pods: Map<string, V1Pod>, name: string, istiod: RoutedIstiod, extra: Partial<SimProxySpec> = {}): SimProxySpec {
  const pod = pods.get(name)!;
  return {
    pod: name,
    namespace: pod.metadata!.namespace!,
    ip: pod.status!.podIP!,
    labels: pod.metadata?.labels ?? {},
    xds: istiod.grpc,
    ...extra,
  };
}

async function ps(args: string[]): Promise<{ r: RunResult; report: Report }> {
  const r = await runMesh(cp, ['proxy-status', ...args, '-o', 'json']);
  let report: Report = { proxies: [], summary: {} };
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    // the caller asserts on r
  }
  return { r, report };
}

const byName = (report: Report, ns: string): Map<string, Row> => new Map(report.proxies.map((p) => [p.name.replace(`.${ns}`, ''), p]));

describe('mesh proxy-status with the real istiod and simulated proxies', { skip: cp.skip, concurrency: 1 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  let main: RoutedIstiod;
  let sim: SimProxies;
  let apps = '';

  before(async () => {
    ok(await runMesh(cp, ['install', '--profile', 'minimal', '-y', '--readiness-timeout', '3m'], { timeoutMs: 240_000 }));
    const routed = await routeIstiod(cp, SYS, ['istiod']);
    cleanups.push(routed.remove);
    main = routed.istiods[0]!;
    apps = await cp.freshNamespace('ps-apps');
    const pods = await runningPods(apps, [
      sidecarPod('synced-1', { proxyTag: '1.31.1' }),
      sidecarPod('stale-1', { proxyTag: '1.31.1' }),
      sidecarPod('nacked-1', { proxyTag: '1.31.1' }),
      sidecarPod('old-1', { proxyTag: '1.30.2' }),
      sidecarPod('lonely-1', { proxyTag: '1.31.1' }),
      sidecarPod('gone-1', { proxyTag: '1.31.1' }),
      sidecarPod('plain-1'),
    ]);
    sim = await startSimProxies([
      spec(pods, 'synced-1', main),
      spec(pods, 'stale-1', main, { behavior: { mode: 'stale', type: 'CDS' } }),
      spec(pods, 'nacked-1', main, { behavior: { mode: 'nack', type: 'LDS', message: NACK } }),
      spec(pods, 'old-1', main, { istioVersion: '1.30.2' }),
      spec(pods, 'gone-1', main),
    ]);
    cleanups.push(() => sim.close());
    await sim.waitSynced();
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await runMesh(cp, ['uninstall', '--purge', '-y'], { timeoutMs: 240_000 }).catch(() => undefined);
    await cp.release();
  });

  it('over xDS (the default): synced, STALE, NACKED with the real error, OUTDATED and NOT CONNECTED, exit 79', async () => {
    const { r, report } = await ps(['-n', apps]);
    assert.equal(r.code, 79, r.stderr);
    assert.doesNotMatch(r.stderr, /Note:/, 'xDS answered; no fallback to HTTP');
    const by = byName(report, apps);
    assert.deepEqual([...by.keys()], ['gone-1', 'lonely-1', 'nacked-1', 'old-1', 'stale-1', 'synced-1']);
    const synced = by.get('synced-1')!;
    assert.deepEqual(synced.findings, []);
    assert.equal(synced.istiod, 'istiod-local', 'the ID istiod reports for itself (its POD_NAME)');
    assert.equal(synced.controlPlaneVersion, '1.31.1');
    for (const t of ['CDS', 'LDS', 'EDS', 'RDS']) assert.equal(synced.types[t]?.status, 'SYNCED', t);
    assert.deepEqual(by.get('stale-1')?.findings, ['STALE']);
    assert.equal(by.get('stale-1')?.types['CDS']?.status, 'STALE');
    assert.deepEqual(by.get('nacked-1')?.findings, ['NACKED']);
    assert.equal(by.get('nacked-1')?.types['LDS']?.status, 'ERROR');
    assert.equal(by.get('nacked-1')?.types['LDS']?.error?.details, NACK);
    assert.deepEqual(by.get('old-1')?.findings, ['OUTDATED']);
    assert.equal(by.get('old-1')?.version, '1.30.2', "the proxy's own ISTIO_VERSION");
    assert.deepEqual(by.get('lonely-1')?.findings, ['NOT_CONNECTED']);
    assert.equal(by.get('lonely-1')?.istiod, null);
    assert.deepEqual(report.summary, { proxies: 6, synced: 3, stale: 1, nacked: 1, notConnected: 1, outdated: 1 });
  });

  it("the pod list proxy-status reads as protobuf summaries equals the JSON list's summaries (the real API server's encoding)", async () => {
    const kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    // This suite's namespace only: its pods are settled, while other namespaces' may still change between the two lists.
    const fromProtobuf = await kube.list('v1', 'Pod', { namespace: apps, podSummary: true });
    const fromJson = (await kube.list('v1', 'Pod', { namespace: apps })).map(podSummary);
    const byUid = new Map(fromJson.map((p) => [p.metadata.uid, p]));
    assert.ok(fromProtobuf.length >= 6, `${fromProtobuf.length} pods`);
    for (const p of fromProtobuf) assert.deepEqual(p, byUid.get(p.metadata.uid), `${p.metadata.namespace}/${p.metadata.name}`);
    assert.equal(fromProtobuf.length, fromJson.length);
  });

  it('over HTTP (--http) istiod reports the same states', async () => {
    const { r, report } = await ps(['-n', apps, '--http']);
    assert.equal(r.code, 79, r.stderr);
    const by = byName(report, apps);
    assert.deepEqual([...by.keys()], ['gone-1', 'lonely-1', 'nacked-1', 'old-1', 'stale-1', 'synced-1']);
    assert.equal(by.get('stale-1')?.types['CDS']?.status, 'STALE');
    assert.equal(by.get('nacked-1')?.types['LDS']?.error?.details, NACK);
    assert.equal(by.get('old-1')?.version, '1.30.2');
    assert.equal(by.get('synced-1')?.istiod, main.pods[0], 'over HTTP the ISTIOD column is the pod mesh asked');
  });

  it('version --remote: the control plane version istiod reports of itself, and the version its proxies report', async () => {
    // A proxy whose image says 1.31.1 but which reports ISTIO_VERSION 1.30.9: only istiod can know.
    const ns = await cp.freshNamespace('ps-version');
    const pods = await runningPods(ns, [sidecarPod('mixed-1', { proxyTag: '1.31.1' })]);
    const mixed = await startSimProxies([spec(pods, 'mixed-1', main, { istioVersion: '1.30.9' })]);
    cleanups.push(() => mixed.close());
    await mixed.waitSynced();
    const r = await runMesh(cp, ['version', '--remote', '-o', 'json']);
    ok(r);
    const v = JSON.parse(r.stdout) as {
      controlPlane: { revision: string; version: string; source: string }[];
      dataPlane: { version: string; proxies: number; reported?: number }[];
    };
    assert.deepEqual(
      v.controlPlane.map((c) => `${c.revision} ${c.version} ${c.source}`),
      ['default 1.31.1 istiod'],
    );
    assert.deepEqual(
      v.dataPlane.find((d) => d.version === '1.30.9'),
      { version: '1.30.9', proxies: 1, reported: 1 },
    );
    const text = await runMesh(cp, ['version', '--remote']);
    ok(text);
    assert.match(
      text.stdout,
      /^client version: \S+\nistio version: 1\.31\.1\ncontrol plane version: 1\.31\.1 \(revision default, istio-system\/istiod, reported by istiod\)$/m,
    );
    assert.match(text.stdout, /^data plane version: 1\.30\.9 \(1 proxy, reported by istiod\)$/m);
    await mixed.close();
  });

  it('prints the table, --wide per type, and one proxy in detail with the NACK', async () => {
    const table = await runMesh(cp, ['ps', '-n', apps]);
    assert.equal(table.code, 79, table.stderr);
    assert.match(table.stdout, /^NAME\s+CLUSTER\s+ISTIOD\s+VERSION\s+SUBSCRIBED TYPES$/m);
    assert.match(table.stdout, new RegExp(`^synced-1\\.${apps}\\s+Kubernetes\\s+istiod-local\\s+1\\.31\\.1\\s+4 \\(CDS,LDS,EDS,RDS\\)$`, 'm'));
    assert.match(table.stdout, new RegExp(`^old-1\\.${apps}\\s+Kubernetes\\s+istiod-local\\s+1\\.30\\.2 \\(OUTDATED\\)\\s+4 \\(CDS,LDS,EDS,RDS\\)$`, 'm'));
    assert.match(table.stdout, new RegExp(`^nacked-1\\.${apps}\\s+.*\\[LDS NACKED\\]$`, 'm'));
    assert.match(table.stdout, new RegExp(`^lonely-1\\.${apps}\\s+-\\s+NOT CONNECTED\\s+1\\.31\\.1\\s+-$`, 'm'));
    assert.match(table.stderr, /4 of 6 proxies need attention: 1 STALE, 1 NACKED, 1 NOT CONNECTED, 1 OUTDATED/);

    const wide = await runMesh(cp, ['ps', '-n', apps, '--wide']);
    assert.match(wide.stdout, /^NAME\s+CLUSTER\s+CDS\s+LDS\s+EDS\s+RDS\s+ECDS\s+ISTIOD\s+VERSION$/m);
    assert.match(wide.stdout, new RegExp(`^stale-1\\.${apps}\\s+Kubernetes\\s+STALE \\(\\d+s\\)\\s+SYNCED \\(\\d+s\\)`, 'm'));

    const detail = await runMesh(cp, ['ps', `nacked-1.${apps}`]);
    assert.equal(detail.code, 79, detail.stderr);
    assert.match(detail.stdout, /^LDS\s+ERROR\s+/m);
    assert.match(detail.stdout, new RegExp(`^ {2}LDS \\(last attempt .*\\): ${NACK.replace(/[()/]/g, '\\$&')}$`, 'm'));
    const good = await runMesh(cp, ['ps', 'synced-1', '-n', apps]);
    ok(good);
    assert.match(good.stdout, /^State:\s+SYNCED$/m);
    const plain = await runMesh(cp, ['ps', `plain-1.${apps}`]);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, new RegExp(`pod ${apps}/plain-1 has no istio-proxy container`));
  });

  it('a proxy that disconnects is NOT CONNECTED; once it reconnects and ACKs it is synced again', async () => {
    await sim.disconnect(apps, 'gone-1');
    await waitFor('istiod to drop gone-1', async () => (await ps(['-n', apps])).report.proxies.find((p) => p.name === `gone-1.${apps}`)?.istiod === null);
    await sim.connect(apps, 'gone-1');
    await sim.behave(apps, 'stale-1', { mode: 'ack' });
    await waitFor('gone-1 synced again', async () => {
      const row = (await ps(['-n', apps])).report.proxies.find((p) => p.name === `gone-1.${apps}`);
      return row?.istiod !== null && row?.findings.length === 0;
    });
  });

  it('two istiod replicas: each proxy is reported by the istiod it is connected to', async () => {
    // A second Deployment of the same revision: the harness runs a second pilot-discovery for it.
    const dep = await cp.kube.apps.readNamespacedDeployment({ name: 'istiod', namespace: SYS });
    const copy: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'istiod-b', namespace: SYS, labels: dep.metadata?.labels ?? {} },
      spec: { ...dep.spec!, replicas: 1 },
    };
    await cp.kube.apps.createNamespacedDeployment({ namespace: SYS, body: copy });
    cleanups.push(async () => void (await cp.kube.apps.deleteNamespacedDeployment({ name: 'istiod-b', namespace: SYS })));
    const routed = await routeIstiod(cp, SYS, ['istiod-b']);
    cleanups.push(routed.remove);
    const b = routed.istiods[0]!;
    const ns = await cp.freshNamespace('ps-replicas');
    const pods = await runningPods(ns, [sidecarPod('on-a-1', { proxyTag: '1.31.1' }), sidecarPod('on-b-1', { proxyTag: '1.31.1' })]);
    const two = await startSimProxies([spec(pods, 'on-a-1', main), spec(pods, 'on-b-1', b)]);
    cleanups.push(() => two.close());
    await two.waitSynced();
    const { r, report } = await ps(['-n', ns]);
    ok(r);
    assert.deepEqual(
      report.proxies.map((p) => `${p.name}@${p.istiod}`),
      [`on-a-1.${ns}@istiod-local`, `on-b-1.${ns}@istiod-b-local`],
    );
  });

  it('two revisions: -r canary reports the canary control plane only', async () => {
    ok(await runMesh(cp, ['install', '--profile', 'minimal', '-r', 'canary', '-y', '--readiness-timeout', '3m'], { timeoutMs: 240_000 }));
    cleanups.push(async () => void (await runMesh(cp, ['uninstall', '-r', 'canary', '-y', '--force'], { timeoutMs: 240_000 })));
    const routed = await routeIstiod(cp, SYS, ['istiod-canary']);
    cleanups.push(routed.remove);
    const canary = routed.istiods[0]!;
    const ns = await cp.freshNamespace('ps-revs');
    const pods = await runningPods(ns, [
      sidecarPod('stable-1', { proxyTag: '1.31.1' }),
      sidecarPod('canary-1', { proxyTag: '1.31.1', revision: 'canary' }),
      sidecarPod('canary-2', { proxyTag: '1.31.1', revision: 'canary' }),
    ]);
    const revs = await startSimProxies([spec(pods, 'stable-1', main), spec(pods, 'canary-1', canary)]);
    cleanups.push(() => revs.close());
    await revs.waitSynced();

    const all = await ps(['-n', ns]);
    assert.equal(all.r.code, 79, all.r.stderr);
    assert.deepEqual(
      all.report.proxies.map((p) => `${p.name}@${p.istiod ?? 'NOT CONNECTED'}`),
      [`canary-1.${ns}@istiod-canary-local`, `canary-2.${ns}@NOT CONNECTED`, `stable-1.${ns}@istiod-local`],
    );
    const only = await ps(['-n', ns, '-r', 'canary']);
    assert.equal(only.r.code, 79, only.r.stderr);
    assert.deepEqual(
      only.report.proxies.map((p) => `${p.name}@${p.istiod ?? 'NOT CONNECTED'}`),
      [`canary-1.${ns}@istiod-canary-local`, `canary-2.${ns}@NOT CONNECTED`],
    );
  });

  describe('failures are fast and clear', () => {
    it('a token istiod refuses (its TOKEN_AUDIENCES does not include istio-ca): one line, exit 1, no fallback', async () => {
      ok(
        await runMesh(
          cp,
          ['install', '--profile', 'minimal', '-r', 'strict', '--set', 'values.pilot.env.TOKEN_AUDIENCES=not-istio-ca', '-y', '--readiness-timeout', '3m'],
          {
            timeoutMs: 240_000,
          },
        ),
      );
      cleanups.push(async () => void (await runMesh(cp, ['uninstall', '-r', 'strict', '-y', '--force'], { timeoutMs: 240_000 })));
      const routed = await routeIstiod(cp, SYS, ['istiod-strict']);
      cleanups.push(routed.remove);
      const pod = routed.istiods[0]!.pods[0]!;
      for (const args of [
        ['-r', 'strict'],
        ['-r', 'strict', '--xds'],
      ]) {
        const r = await runMesh(cp, ['ps', ...args]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `^Error: istiod ${SYS}/${pod}: xDS istio\\.io/debug/syncz on port 15012 \\(port-forward\\) refused the token of ServiceAccount ${SYS}/default \\(audience istio-ca\\): .+$`,
            'm',
          ),
        );
        assert.doesNotMatch(r.stderr, /Note:/);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
    });

    it('istiod unreachable: xDS falls back to HTTP, both refused; a hanging istiod times out', async () => {
      const ns = await cp.freshNamespace('ps-down');
      const closedPort = await new Promise<number>((resolve) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const p = (s.address() as AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      // A server that accepts connections and never answers: the real istiod does not hang on
      // demand, so this one case needs a stand-in.
      const sockets = new Set<import('node:net').Socket>();
      const hanging: Server = createServer((s) => {
        sockets.add(s);
        s.on('error', () => undefined);
      });
      await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
      cleanups.push(async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => hanging.close(() => r()));
      });
      const hangPort = (hanging.address() as AddressInfo).port;
      cleanups.push(await clusterPortForward(cp, { namespaces: [ns], podNames: ['istiod-a'], target: { address: '127.0.0.1', port: closedPort } }));
      cleanups.push(await clusterPortForward(cp, { namespaces: [ns], podNames: ['istiod-b'], target: { address: '127.0.0.1', port: hangPort } }));
      await runningPods(
        ns,
        ['istiod-a', 'istiod-b'].map((n) => ({ ...sidecarPod(n), metadata: { name: n, labels: { app: 'istiod', 'istio.io/rev': 'default' } } })),
      );
      // istiod wrote its root certificate into this namespace too, so --xds gets as far as the port.
      const xds = await runMesh(cp, ['ps', '-i', ns, '--xds', '--timeout', '3s']);
      assert.equal(xds.code, 1);
      assert.match(
        xds.stderr,
        new RegExp(
          `^ {2}istiod ${ns}/istiod-a: xDS istio\\.io/debug/syncz on port 15012 \\(port-forward\\) failed: the port-forward was refused or closed \\(.*connection refused\\); is istiod listening on its xDS port 15012\\?$`,
          'm',
        ),
      );
      assert.match(
        xds.stderr,
        new RegExp(`^ {2}istiod ${ns}/istiod-b: no answer to xDS istio\\.io/debug/syncz on port 15012 \\(port-forward\\) within 3s`, 'm'),
      );

      const started = Date.now();
      const r = await runMesh(cp, ['ps', '-i', ns, '--timeout', '3s']);
      const elapsed = Date.now() - started;
      assert.equal(r.code, 1, r.stderr);
      assert.ok(elapsed < 3000 + 5000, `gave up after ${elapsed} ms with --timeout 3s`);
      assert.match(r.stderr, /^Error: cannot read the sync status of 2 of 2 istiod pods:$/m);
      // istiod-a: xDS refused, so HTTP was tried, and refused too; istiod-b: the deadline passed.
      assert.match(
        r.stderr,
        new RegExp(
          `^ {2}istiod ${ns}/istiod-a: GET /debug/syncz on port 15014 \\(port-forward\\) failed: the port-forward was refused or closed \\(.*connection refused\\); is istiod listening on its monitoring port 15014\\? \\(after xDS on port 15012 failed the same way\\)$`,
          'm',
        ),
      );
      assert.match(r.stderr, new RegExp(`^ {2}istiod ${ns}/istiod-b: no answer to xDS istio\\.io/debug/syncz on port 15012 \\(port-forward\\) within 3s`, 'm'));
    });
  });
});
