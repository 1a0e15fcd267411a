// What `mesh install` applies, run by the REAL istiod: the harness runs pilot-discovery of the Istio
// 1.31 line (scripts/istio/istio.sh) for every istiod Deployment, with the Deployment's own args and
// environment, against this control plane. It reads the mesh and injector ConfigMaps mesh rendered,
// patches the webhooks' caBundle, switches validation to fail-closed, injects sidecars, validates
// Istio config and deploys Gateway API gateways and waypoints. Nothing here is a fake.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { type KubeClient } from '../../src/kube/client.js';
import { createKubeClient } from '../../src/kube/real.js';
import type { KubeObject } from '../../src/model/k8s.js';
import { type ControlPlane, localIstiods, repoRoot, runMesh, startControlPlane, waitFor, type RunResult } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();
const SYS = 'istio-system';
const PROXY = 'registry.istio.io/release/proxyv2:1.31.1';

interface Container {
  name: string;
  image?: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  restartPolicy?: string;
  ports?: { containerPort: number; name?: string }[];
  readinessProbe?: { httpGet?: { path?: string; port?: number | string } };
}
interface PodLike extends KubeObject {
  spec?: { containers: Container[]; initContainers?: Container[]; volumes?: { name: string }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

const ok = (r: RunResult): void => assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
const ready = (p: PodLike): boolean => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const proxyOf = (p: PodLike): Container | undefined => [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])].find((c) => c.name === 'istio-proxy');
const status = (p: PodLike): { revision?: string; initContainers?: string[] | null; containers?: string[] | null } =>
  JSON.parse(p.metadata.annotations?.['sidecar.istio.io/status'] ?? '{}') as { revision?: string };

function deployment(ns: string, name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, version: 'v1' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: `registry.local/${name}:1.0`,
              ports: [{ containerPort: 8080, name: 'http' }],
              readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
            },
          ],
        },
      },
    },
  };
}

async function pods(kube: KubeClient, ns: string, selector: string): Promise<PodLike[]> {
  return ((await kube.list('v1', 'Pod', { namespace: ns, labelSelector: selector })) as PodLike[]).filter((p) => p.metadata.deletionTimestamp === undefined);
}

describe('mesh install with the real istiod', { skip: cp.skip, concurrency: 1 }, () => {
  let kube: KubeClient;
  const mesh = (args: string[], timeoutMs = 240_000): Promise<RunResult> => runMesh(cp, args, { timeoutMs });
  before(async () => {
    kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    ok(await mesh(['install', '--profile', 'minimal', '-y', '--readiness-timeout', '3m']));
  });
  after(async () => {
    await mesh(['uninstall', '--purge', '-y']).catch(() => undefined);
    await cp.release();
  });

  it('runs istiod for the installed revision; istiod patches the caBundle and turns validation fail-closed', async () => {
    const istiod = await waitFor('the local istiod process', async () =>
      (await localIstiods(cp)).find((i) => i.ns === SYS && i.name === 'istiod' && i.exited === null),
    );
    assert.equal(istiod.revision, 'default');
    await waitFor('caBundle in every injection webhook', async () => {
      const m = await kube.get({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', name: 'istio-sidecar-injector' });
      const hooks = (m?.['webhooks'] ?? []) as { clientConfig?: { caBundle?: string } }[];
      return hooks.length > 0 && hooks.every((h) => (h.clientConfig?.caBundle ?? '') !== '');
    });
    await waitFor('validation to be fail-closed', async () => {
      const v = await kube.get({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', name: `istio-validator-${SYS}` });
      const hooks = (v?.['webhooks'] ?? []) as { failurePolicy?: string; clientConfig?: { caBundle?: string } }[];
      return hooks.length > 0 && hooks.every((h) => h.failurePolicy === 'Fail' && (h.clientConfig?.caBundle ?? '') !== '');
    });
  });

  it("injects a Deployment's pods in an istio-injection=enabled namespace, and they become Ready", async () => {
    const ns = await cp.freshNamespace('istiod-inject', { 'istio-injection': 'enabled' });
    await kube.create(deployment(ns, 'web', 2));
    const got = await waitFor(
      '2 injected, ready pods',
      async () => {
        const ps = await pods(kube, ns, 'app=web');
        return ps.length === 2 && ps.every(ready) ? ps : undefined;
      },
      { timeoutMs: 90_000 },
    );
    for (const p of got) {
      const st = status(p);
      assert.equal(st.revision, 'default');
      const proxy = proxyOf(p);
      assert.ok(proxy, 'an istio-proxy container');
      assert.equal(proxy.image, PROXY);
      // Kubernetes 1.35 nodes: istiod injects istio-proxy as a native sidecar.
      assert.equal(proxy.restartPolicy, 'Always', 'a native sidecar');
      assert.deepEqual(st.initContainers, ['istio-init', 'istio-proxy']);
      assert.equal(proxy.readinessProbe?.httpGet?.port, 15021, 'the proxy is ready on its status port 15021');
      const init = p.spec?.initContainers?.find((c) => c.name === 'istio-init');
      assert.ok(init, 'istio-init sets up the redirection');
      assert.ok(!(init.args ?? []).includes('--skip-rule-apply'), `istio-init applies its iptables rules: ${init.args?.join(' ')}`);
      // The app's probe goes through the agent.
      const app = p.spec?.containers.find((c) => c.name === 'app');
      assert.equal(app?.readinessProbe?.httpGet?.port, 15020, JSON.stringify(app?.readinessProbe));
      assert.equal(app?.readinessProbe?.httpGet?.path, '/app-health/app/readyz');
      assert.equal(p.metadata.labels?.['security.istio.io/tlsMode'], 'istio');
      assert.equal(p.metadata.labels?.['service.istio.io/canonical-name'], 'web');
      assert.equal(p.metadata.labels?.['service.istio.io/canonical-revision'], 'v1');
      assert.equal(p.metadata.annotations?.['kubectl.kubernetes.io/default-container'], 'app');
      assert.equal(p.metadata.annotations?.['kubectl.kubernetes.io/default-logs-container'], 'app');
      assert.ok(
        (p.spec?.volumes ?? []).some((v) => v.name === 'istio-ca-crl'),
        'the CRL volume',
      );
    }
    // mesh's own views agree with what istiod injected.
    const analyze = await mesh(['analyze', '-n', ns, '--analyzer', 'injection.ImageAnalyzer', '--analyzer', 'injection.Analyzer', '-o', 'json']);
    ok(analyze);
    assert.deepEqual(JSON.parse(analyze.stdout), [], analyze.stdout);
    const verify = await mesh(['verify-install', '--profile', 'minimal']);
    ok(verify);
  });

  it('the real validating webhook rejects an invalid VirtualService', async () => {
    const ns = await cp.freshNamespace('istiod-validate');
    const vs = (regex: string): KubeObject => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'bad', namespace: ns, labels: { 'istio.io/rev': 'default' } },
      spec: { hosts: ['reviews'], http: [{ match: [{ uri: { regex } }], route: [{ destination: { host: 'reviews' } }] }] },
    });
    // An invalid regular expression passes the CRD schema; only istiod's validation sees it.
    await assert.rejects(kube.create(vs('((')), /validation\.istio\.io|denied the request/);
    const created = await kube.create(vs('^/api/.*'));
    assert.equal(created.metadata.name, 'bad');
  });

  it('mesh install -r canary: a namespace labelled istio.io/rev=canary is injected by the canary istiod only', async () => {
    ok(await mesh(['install', '--profile', 'minimal', '-r', 'canary', '-y', '--readiness-timeout', '3m']));
    await waitFor('the canary istiod process', async () => (await localIstiods(cp)).find((i) => i.name === 'istiod-canary' && i.exited === null));
    const ns = await cp.freshNamespace('istiod-canary', { 'istio.io/rev': 'canary' });
    await kube.create(deployment(ns, 'api', 1));
    const [pod] = await waitFor(
      'an injected, ready pod',
      async () => {
        const ps = await pods(kube, ns, 'app=api');
        return ps.length === 1 && ps.every(ready) ? ps : undefined;
      },
      { timeoutMs: 90_000 },
    );
    assert.ok(pod);
    assert.equal(status(pod).revision, 'canary');
    const caAddr = proxyOf(pod)?.env?.find((e) => e.name === 'CA_ADDR')?.value;
    assert.equal(caAddr, `istiod-canary.${SYS}.svc:15012`);
    // The default revision's injector does not select this namespace, so it was injected once.
    assert.equal([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].filter((c) => c.name === 'istio-proxy').length, 1);
    ok(await mesh(['uninstall', '-r', 'canary', '-y', '--force']));
    await waitFor('the canary istiod to stop', async () => !(await localIstiods(cp)).some((i) => i.name === 'istiod-canary'));
  });

  it('a Gateway API Gateway of class istio gets its Deployment and Service from istiod', async () => {
    await applyGatewayApiCrds(kube);
    const ns = await cp.freshNamespace('istiod-gateway');
    await waitFor('GatewayClass istio (made by istiod)', () => kube.get({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', name: 'istio' }), {
      timeoutMs: 60_000,
    });
    await kube.create({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'edge', namespace: ns },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    });
    const dep = await withIstiodLog(
      waitFor('Deployment edge-istio', () => kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'edge-istio', namespace: ns }), { timeoutMs: 90_000 }),
    );
    assert.ok(dep);
    const svc = await waitFor('Service edge-istio', () => kube.get({ apiVersion: 'v1', kind: 'Service', name: 'edge-istio', namespace: ns }), {
      timeoutMs: 30_000,
    });
    const ports = ((svc['spec'] as { ports?: { port: number }[] }).ports ?? []).map((p) => p.port);
    assert.ok(ports.includes(80), `Service ports ${ports.join(',')}`);
    const [gw] = await waitFor(
      'a ready gateway pod with the proxy image',
      async () => {
        const ps = await pods(kube, ns, 'gateway.networking.k8s.io/gateway-name=edge');
        return ps.length === 1 && ps.every(ready) ? ps : undefined;
      },
      { timeoutMs: 90_000 },
    );
    assert.equal(proxyOf(gw!)?.image, PROXY);
  });
});

/** On failure, adds the end of each local istiod's log to the error: what istiod itself said. */
async function withIstiodLog<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const logs = (await localIstiods(cp).catch(() => [])).map((i) => {
      const lines = readFileSync(i.logFile, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => /\t(error|warn)\t/.test(l));
      return `--- ${i.ns}/${i.name} (${i.exited === null ? 'running' : `exited ${i.exited}`}), last warnings and errors:\n${lines.slice(-15).join('\n')}`;
    });
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs.join('\n')}`, { cause: err });
  }
}

async function applyGatewayApiCrds(kube: KubeClient): Promise<void> {
  const r = spawnSync('bash', [join(repoRoot, 'scripts/istio/istio.sh'), 'gateway-api-crds'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const dir = r.stdout.trim();
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const o = doc.toJS() as KubeObject | null;
      if (!o || o.kind !== 'CustomResourceDefinition') continue;
      if ((await kube.get({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name! })) === undefined) await kube.create(o);
    }
  }
  await waitFor('Gateway API CRDs established', async () => {
    const crd = await kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'gateways.gateway.networking.k8s.io' });
    return ((crd?.['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some(
      (c) => c.type === 'Established' && c.status === 'True',
    );
  });
}

describe('the ambient profile with the real istiod', { skip: cp.skip, concurrency: 1 }, () => {
  let kube: KubeClient;
  const mesh = (args: string[], timeoutMs = 240_000): Promise<RunResult> => runMesh(cp, args, { timeoutMs });
  before(async () => {
    kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    ok(await mesh(['install', '--profile', 'ambient', '-y', '--readiness-timeout', '3m']));
  });
  after(async () => {
    await mesh(['uninstall', '--purge', '-y']).catch(() => undefined);
    await cp.release();
  });

  it('a waypoint Gateway (class istio-waypoint) gets its Deployment from istiod and comes up', async () => {
    await applyGatewayApiCrds(kube);
    const ns = await cp.freshNamespace('istiod-ambient', { 'istio.io/dataplane-mode': 'ambient' });
    await waitFor(
      'GatewayClass istio-waypoint (made by istiod)',
      () => kube.get({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', name: 'istio-waypoint' }),
      { timeoutMs: 60_000 },
    );
    await kube.create({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: ns, labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
    const dep = await withIstiodLog(
      waitFor('Deployment waypoint', () => kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'waypoint', namespace: ns }), { timeoutMs: 90_000 }),
    );
    assert.ok(dep);
    const [pod] = await waitFor(
      'a ready waypoint pod',
      async () => {
        const ps = await pods(kube, ns, 'gateway.networking.k8s.io/gateway-name=waypoint');
        return ps.length === 1 && ps.every(ready) ? ps : undefined;
      },
      { timeoutMs: 90_000 },
    );
    // The ambient profile's images are the distroless variant.
    assert.equal(proxyOf(pod!)?.image, `${PROXY}-distroless`);
    const args = proxyOf(pod!)?.args ?? [];
    assert.ok(args.includes('waypoint'), `istio-proxy runs as a waypoint: ${args.join(' ')}`);
  });
});
