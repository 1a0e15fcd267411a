// End-to-end checks of the local control plane itself (scripts/control-plane/), and that the
// manifests `mesh manifest generate` renders are accepted by a real API server.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { PatchStrategy, PortForward, VersionApi, setHeaderOptions, type KubernetesObject, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { createKubeClient } from '../../src/kube/real.js';
import { builtinResources } from '../../src/kube/real/builtin-resources.js';
import type { KubeObject } from '../../src/model/k8s.js';
import { clusterPortForward, egressStats, runMesh, startControlPlane, waitFor, type ControlPlane } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();

function deployment(name: string, opts: { replicas?: number; image?: string; podAnnotations?: Record<string, string> } = {}): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: opts.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      template: {
        metadata: { labels: { app: name }, annotations: opts.podAnnotations ?? {} },
        spec: { containers: [{ name: 'app', image: opts.image ?? 'registry.local/app:1.0', ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

/** kubectl's rollout-status rule for Deployments: true once the rollout is complete. */
function rolloutComplete(d: V1Deployment): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want
  );
}

async function podsOf(ns: string, app: string): Promise<V1Pod[]> {
  return (await cp.kube.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` })).items;
}

describe('local control plane', { skip: cp.skip }, () => {
  after(() => cp.release());

  it('serves the built Kubernetes version and has three untainted ready kwok nodes', async () => {
    const version = await cp.kube.kc.makeApiClient(VersionApi).getCode();
    assert.match(version.gitVersion, /^v1\.35\.\d+$/);
    assert.equal(version.gitTreeState, 'clean');
    const nodes = (await cp.kube.core.listNode()).items;
    assert.equal(nodes.length >= 3, true, 'three kwok nodes are registered');
    for (const n of nodes) {
      assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', `${n.metadata?.name} is Ready`);
      assert.deepEqual(n.spec?.taints ?? [], [], `${n.metadata?.name} has no taints`);
    }
  });

  it("mesh's table of built-in resources (used instead of a discovery round trip) matches the API server's discovery", async () => {
    const kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    const table = builtinResources();
    assert.ok(table.length > 20);
    for (const apiVersion of new Set(table.map((r) => r.apiVersion))) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const served = ((await kube.raw(path)) as { resources: { name: string; kind: string; namespaced: boolean }[] }).resources.filter(
        (r) => !r.name.includes('/'),
      );
      for (const entry of table.filter((r) => r.apiVersion === apiVersion)) {
        const real = served.find((r) => r.kind === entry.kind);
        assert.deepEqual(
          { resource: real?.name, namespaced: real?.namespaced },
          { resource: entry.resource, namespaced: entry.namespaced },
          `${apiVersion} ${entry.kind}`,
        );
      }
    }
  });

  it('a Deployment of 3 replicas reaches 3 ready pods, and a restart rolls to a new ReplicaSet', async () => {
    const ns = await cp.freshNamespace('cp-deploy');
    await cp.kube.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    const ready = await waitFor('web 3/3 ready', async () => {
      const d = await cp.kube.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      return rolloutComplete(d) && d.status?.readyReplicas === 3 ? d : undefined;
    });
    assert.equal(ready.status?.readyReplicas, 3);
    const firstPods = await podsOf(ns, 'web');
    assert.equal(firstPods.length, 3);
    for (const p of firstPods) {
      assert.equal(p.status?.phase, 'Running');
      assert.match(p.status?.podIP ?? '', /^10\.244\./, 'pod IPs come from kwok --cidr');
      assert.ok(p.spec?.nodeName?.startsWith('kwok-node-'), 'the scheduler bound the pod to a kwok node');
    }
    const firstRs = firstPods[0]!.metadata!.labels!['pod-template-hash'];

    // What `kubectl rollout restart` does: bump a pod-template annotation.
    await cp.kube.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await waitFor('the restart to complete', async () => {
      const d = await cp.kube.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      if (!rolloutComplete(d)) return undefined;
      const pods = await podsOf(ns, 'web');
      // Old pods are really gone (kwok's pod-delete stage plays the kubelet).
      return pods.length === 3 && pods.every((p) => p.metadata?.labels?.['pod-template-hash'] !== firstRs) ? pods : undefined;
    });
    const rss = (await cp.kube.apps.listNamespacedReplicaSet({ namespace: ns })).items;
    assert.equal(rss.length, 2, 'the restart created a second ReplicaSet');
    const old = rss.find((r) => r.metadata?.labels?.['pod-template-hash'] === firstRs);
    assert.equal(old?.status?.replicas ?? 0, 0, 'the old ReplicaSet is scaled to zero');
  });

  it('keeps pods with an unpullable image in ImagePullBackOff, never ready', async () => {
    const ns = await cp.freshNamespace('cp-fail');
    await cp.kube.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('bad-tag', { replicas: 1, image: 'registry.local/app:0.0.0-unpullable' }),
    });
    await cp.kube.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('bad-annotation', { replicas: 1, podAnnotations: { 'mesh.test/fail': 'ImagePullBackOff' } }),
    });
    await cp.kube.apps.createNamespacedDeployment({ namespace: ns, body: deployment('good', { replicas: 1 }) });
    for (const app of ['bad-tag', 'bad-annotation']) {
      const pod = await waitFor(`${app} pod in ImagePullBackOff`, async () => {
        const [p] = await podsOf(ns, app);
        return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' ? p : undefined;
      });
      assert.equal(pod.status?.phase, 'Pending');
      assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    }
    await waitFor('the good pod to be ready', async () =>
      (await podsOf(ns, 'good'))[0]?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    // Give kwok a moment to (wrongly) flip the failing pods, then check they stayed put.
    await new Promise((r) => setTimeout(r, 1000));
    for (const app of ['bad-tag', 'bad-annotation']) {
      const d = await cp.kube.apps.readNamespacedDeployment({ name: app, namespace: ns });
      assert.equal(d.status?.readyReplicas ?? 0, 0, `${app} has no ready replica`);
    }
  });

  describe('port-forward through kwok', () => {
    let server: Server;
    let port: number;
    before(async () => {
      server = createServer((sock) => {
        sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 16\r\nconnection: close\r\n\r\nhello from local'));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    it('routes a pod port to a local server', async () => {
      const ns = await cp.freshNamespace('cp-pf');
      const remove = await clusterPortForward(cp, { namespaces: [ns], ports: [15014], target: { address: '127.0.0.1', port } });
      try {
        await cp.kube.apps.createNamespacedDeployment({ namespace: ns, body: deployment('istiod', { replicas: 1 }) });
        const pod = await waitFor('a running pod', async () => (await podsOf(ns, 'istiod')).find((p) => p.status?.phase === 'Running'));
        const body = await waitFor(
          'a response through port-forward',
          async () => {
            const out = new PassThrough();
            const input = new PassThrough();
            const chunks: Buffer[] = [];
            out.on('data', (c: Buffer) => chunks.push(c));
            const pf = new PortForward(cp.kube.kc);
            const ws = await pf.portForward(ns, pod.metadata!.name!, [15014], out, null, input);
            input.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
            await waitFor('response bytes', () => Buffer.concat(chunks).includes('hello from local'), { timeoutMs: 5000, intervalMs: 50 });
            (ws as { close?: () => void }).close?.();
            return Buffer.concat(chunks).toString('utf8');
          },
          { timeoutMs: 30_000, intervalMs: 500 },
        );
        assert.match(body, /hello from local/);
      } finally {
        await remove();
      }
    });
  });

  it('a webhook whose istiod Service has no istiod behind it fails the call, as on a real cluster', async () => {
    // An isolated revision without an istiod Deployment: the egress daemon runs no istiod for it,
    // so the apiserver's call is refused and, with failurePolicy Fail, so is the pod.
    // (The real istiod behind mesh-installed revisions is tested in istiod.e2e.test.ts.)
    const rev = `e2e${Math.random().toString(36).slice(2, 8)}`;
    const sys = 'istio-system';
    await cp.kube.core.createNamespace({ body: { metadata: { name: sys } } }).catch(() => undefined);
    const app = await cp.freshNamespace('cp-inject', { 'istio.io/rev': rev });
    const objects: KubernetesObject[] = [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `istiod-${rev}`, namespace: sys },
        spec: { selector: { app: 'istiod', 'istio.io/rev': rev }, ports: [{ name: 'https-webhook', port: 443, targetPort: 15017 }] },
      } as KubernetesObject,
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: `istio-sidecar-injector-${rev}` },
        webhooks: [
          {
            name: 'rev.namespace.sidecar-injector.istio.io',
            clientConfig: { service: { name: `istiod-${rev}`, namespace: sys, path: '/inject', port: 443 } },
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy: 'Fail',
            reinvocationPolicy: 'Never',
            namespaceSelector: { matchLabels: { 'istio.io/rev': rev } },
            rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
          },
        ],
      } as KubernetesObject,
    ];
    const cleanup: KubernetesObject[] = [];
    try {
      for (const o of objects) cleanup.push(await cp.kube.objects.create(o));
      const pod: V1Pod = { metadata: { name: 'app', labels: { app: 'demo' } }, spec: { containers: [{ name: 'app', image: 'registry.local/app:1.0' }] } };
      await assert.rejects(cp.kube.core.createNamespacedPod({ namespace: app, body: pod }), /failed calling webhook/);
      const stats = await egressStats(cp);
      assert.ok((stats['refused'] ?? 0) >= 1, JSON.stringify(stats));
    } finally {
      for (const o of cleanup.reverse()) await cp.kube.objects.delete(o).catch(() => undefined);
    }
  });
});

// ----------------------------------------------------------------------------- rendered manifests
const generate = cp.skip ? undefined : await runMesh({ kubeconfigPath: '' }, ['manifest', 'generate', '--profile', 'demo']);
const generateMissing =
  generate && generate.code !== 0 && /not implemented|unknown command/i.test(generate.stderr)
    ? `\`mesh manifest generate\` is not available yet: ${generate.stderr.trim().split('\n')[0]}`
    : false;

describe('rendered demo profile on the API server', { skip: cp.skip || generateMissing }, () => {
  let docs: KubernetesObject[] = [];
  const fieldManager = 'mesh-e2e';

  before(() => {
    assert.ok(generate);
    assert.equal(generate.code, 0, `mesh manifest generate failed:\n${generate.stderr}`);
    docs = parseAllDocuments(generate.stdout)
      .map((d) => d.toJS() as KubernetesObject | null)
      .filter((d): d is KubernetesObject => d !== null && typeof d === 'object' && typeof d.kind === 'string');
    assert.ok(docs.length > 0, 'the demo profile renders objects');
  });

  it('server-side applies every object, and the CRDs become Established', async () => {
    const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition');
    const namespaces = docs.filter((d) => d.kind === 'Namespace');
    const rest = docs.filter((d) => d.kind !== 'CustomResourceDefinition' && d.kind !== 'Namespace');
    // Apply as raw JSON through mesh's KubeClient: client-node's typed serializer drops the x-kubernetes-*
    // keys of CRD schemas (the API server then rejects the CRDs or prunes free-form fields).
    const kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    const apply = (o: KubernetesObject) => kube.apply(o as unknown as KubeObject, { fieldManager, force: true });
    for (const o of [...crds, ...namespaces]) await apply(o);
    for (const crd of crds) {
      await waitFor(`CRD ${crd.metadata?.name} Established`, async () => {
        const live = (await cp.kube.objects.read(crd as never)) as { status?: { conditions?: { type: string; status: string }[] } };
        return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      });
    }
    const failures: string[] = [];
    for (const o of rest) {
      try {
        await apply(o);
      } catch (err) {
        failures.push(`${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}: ${(err as Error).message.slice(0, 300)}`);
      }
    }
    assert.deepEqual(failures, [], 'every rendered object is accepted');
  });

  it('rejects a VirtualService with an invalid field through the CRD schema', async () => {
    const ns = await cp.freshNamespace('cp-vs');
    const vs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'bad', namespace: ns },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: 'heavy' }] }] },
    };
    await assert.rejects(cp.kube.objects.create(vs as KubernetesObject), /weight|Invalid value|must be of type integer/i);
    const good = { ...vs, metadata: { name: 'good', namespace: ns }, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] } };
    await cp.kube.objects.create(good as KubernetesObject);
  });
});
