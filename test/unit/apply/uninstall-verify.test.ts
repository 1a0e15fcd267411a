import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executeInstall } from '../../../src/apply/execute.js';
import { imageTag, planInstall, versionChange } from '../../../src/apply/plan.js';
import { executeUninstall, planUninstall } from '../../../src/apply/uninstall.js';
import { verifyInstall } from '../../../src/apply/verify.js';
import { controlPlaneVersions, dataPlaneVersions } from '../../../src/apply/versions.js';
import type { KubeObject } from '../../../src/model/k8s.js';
import { recordingProgress } from '../../../src/output/progress.js';
import { ClusterFake, fakeClock, rendered } from './fixtures.js';

async function installed(revision?: string, kube = new ClusterFake()): Promise<ClusterFake> {
  let objects = rendered();
  if (revision !== undefined) {
    objects = objects.map((o) =>
      o.metadata.labels?.['operator.istio.io/component'] === 'Pilot' ? { ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-${revision}` } } : o,
    );
  }
  const plan = await planInstall(kube, objects, { revision, version: '1.31.1', namespace: 'istio-system' });
  await executeInstall(plan, { kube, progress: recordingProgress([]), ...fakeClock() }, { readinessTimeoutMs: 10_000 });
  return kube;
}

const proxyPod = (name: string, rev: string, tag = '1.31.1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'app', labels: { 'istio.io/rev': rev } },
  spec: {
    containers: [
      { name: 'app', image: 'app:1' },
      { name: 'istio-proxy', image: `registry.istio.io/release/proxyv2:${tag}` },
    ],
  },
});

test('uninstall by revision removes that revision but keeps Base and other revisions, webhooks first', async () => {
  const kube = await installed();
  await installed('canary', kube);
  kube.update(proxyPod('web-1', 'canary'));
  kube.update(proxyPod('web-2', 'default'));
  const plan = await planUninstall(kube, { revision: 'canary', purge: false });
  const names = plan.objects.map((o) => `${o.kind}/${o.metadata.name}`);
  assert.equal(names[0], 'MutatingWebhookConfiguration/istio-sidecar-injector-canary');
  assert.ok(names.includes('Deployment/istiod-canary'));
  assert.ok(!names.includes('Deployment/istiod'));
  assert.ok(!names.some((n) => n.startsWith('CustomResourceDefinition/')));
  assert.deepEqual(plan.proxies, ['app/web-1']);
  const removed = await executeUninstall(plan, { kube });
  assert.ok(removed.includes('Deployment/istio-system/istiod-canary'));
  assert.ok(kube.all().some((o) => o.metadata.name === 'istiod'));
  assert.ok(kube.all().some((o) => o.metadata.name === 'virtualservices.networking.istio.io'));
});

test('uninstall --purge removes every component of every revision and the Istio CRDs, and names gateways', async () => {
  const kube = await installed();
  kube.update({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' } });
  const plan = await planUninstall(kube, { purge: true });
  assert.deepEqual(plan.gateways, ['Deployment/istio-system/istio-egressgateway', 'Deployment/istio-system/istio-ingressgateway']);
  assert.equal(plan.objects.at(-1)?.kind, 'CustomResourceDefinition');
  await executeUninstall(plan, { kube });
  const left = kube
    .all()
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .sort();
  assert.deepEqual(left, ['CustomResourceDefinition/widgets.example.com', 'Namespace/istio-system']);
});

/** A fake whose deleted objects of one kind linger for `polls` reads (as with finalizers). */
function lingering(kube: ClusterFake, kind: string, polls: number): { kube: ClusterFake; reads: () => number } {
  let reads = 0;
  const get = kube.get.bind(kube);
  const gone = new Map<string, KubeObject>();
  const del = kube.delete.bind(kube);
  kube.delete = async (ref, opts) => {
    if (ref.kind === kind) {
      const o = await get(ref);
      if (o) gone.set(`${ref.namespace ?? ''}/${ref.name}`, o);
    }
    return del(ref, opts);
  };
  kube.get = async (ref) => {
    const o = gone.get(`${ref.namespace ?? ''}/${ref.name}`);
    if (ref.kind === kind && o !== undefined) {
      reads++;
      return reads <= polls ? o : undefined;
    }
    return get(ref);
  };
  return { kube, reads: () => reads };
}

test('uninstall waits until deleted objects are really gone, and names those still terminating at the deadline', async () => {
  const slow = lingering(await installed('canary'), 'Deployment', 3);
  const waited: string[][] = [];
  const plan = await planUninstall(slow.kube, { revision: 'canary', purge: false });
  await executeUninstall(plan, { kube: slow.kube, sleep: async () => {}, onWaiting: (left) => waited.push(left) });
  assert.ok(slow.reads() >= 4, 'polled until the Deployment was gone');
  assert.ok(waited[0]?.includes('Deployment/istio-system/istiod-canary'), String(waited[0]));

  const stuck = lingering(await installed('canary'), 'Deployment', Number.POSITIVE_INFINITY);
  let t = 0;
  const plan2 = await planUninstall(stuck.kube, { revision: 'canary', purge: false });
  await assert.rejects(
    executeUninstall(
      plan2,
      {
        kube: stuck.kube,
        now: () => t,
        sleep: async (ms) => {
          t += ms;
        },
      },
      { waitTimeoutMs: 5_000 },
    ),
    /still terminating after 5s: .*Deployment\/istio-system\/istiod-canary/,
  );
});

test('verify-install reports missing, drifted and unready objects per component, and ok when all match', async () => {
  const kube = await installed();
  const opts = { revision: undefined, version: '1.31.1' };
  const clean = await verifyInstall(kube, rendered(), opts);
  assert.equal(clean.ok, true, JSON.stringify(clean.objects.filter((o) => o.state !== 'ok')));
  assert.equal(clean.summary.ok, 11);

  await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' });
  const istiod = (await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'istio-system', name: 'istiod' }))!;
  (istiod['spec'] as { replicas: number }).replicas = 5;
  kube.update(istiod);
  const gw = (await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'istio-system', name: 'istio-ingressgateway' }))!;
  kube.update({ ...gw, status: { observedGeneration: gw.metadata.generation, replicas: 1, updatedReplicas: 1, availableReplicas: 0 } });
  const r = await verifyInstall(kube, rendered(), opts);
  assert.equal(r.ok, false);
  const bad = r.objects.filter((o) => o.state !== 'ok').map((o) => [o.component, o.object, o.state, o.details]);
  assert.deepEqual(bad, [
    ['Pilot', 'ConfigMap/istio-system/istio', 'missing', []],
    ['Pilot', 'Deployment/istio-system/istiod', 'differs', ['spec.replicas']],
    ['IngressGateways', 'Deployment/istio-system/istio-ingressgateway', 'unready', ['0 of 1 updated replicas are available; no pods found']],
  ]);
});

test('remote versions: control plane per revision, data plane counted per version', () => {
  const istiod = (name: string, rev: string, tag: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'istio-system', labels: { app: 'istiod', 'istio.io/rev': rev } },
    spec: { template: { spec: { containers: [{ name: 'discovery', image: `registry.istio.io/release/pilot:${tag}` }] } } },
  });
  assert.deepEqual(controlPlaneVersions([istiod('istiod-canary', 'canary', '1.31.1'), istiod('istiod', 'default', '1.30.2-distroless')]), [
    { revision: 'canary', version: '1.31.1', deployment: 'istio-system/istiod-canary' },
    { revision: 'default', version: '1.30.2', deployment: 'istio-system/istiod' },
  ]);
  const native: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'n' },
    spec: { initContainers: [{ name: 'istio-proxy', image: 'x/proxyv2:1.31.1' }], containers: [{ name: 'a', image: 'a' }] },
  };
  assert.deepEqual(
    dataPlaneVersions([
      proxyPod('a', 'default'),
      proxyPod('b', 'default', '1.30.2'),
      native,
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain' }, spec: { containers: [{ name: 'a', image: 'a' }] } },
    ]),
    [
      { version: '1.30.2', proxies: 1 },
      { version: '1.31.1', proxies: 2 },
    ],
  );
});

test('image tags and version comparison', () => {
  assert.equal(imageTag('localhost:5000/istio/pilot:1.31.1'), '1.31.1');
  assert.equal(imageTag('localhost:5000/istio/pilot'), undefined);
  assert.equal(imageTag('pilot@sha256:abc'), undefined);
  assert.equal(versionChange('1.30.2', '1.31.1'), 'upgrade');
  assert.equal(versionChange('1.31.2', '1.31.1'), 'downgrade');
  assert.equal(versionChange('1.31.1', '1.31.1'), 'same');
});

test('uninstall deletes the objects it listed (by uid), never one recreated under the same name since', async () => {
  const kube = await installed();
  const plan = await planUninstall(kube, { purge: false });
  // Between the plan and the delete, someone recreates istiod (a new uid, same name).
  const istiod = kube.all().find((o) => o.kind === 'Deployment' && o.metadata.name === 'istiod')!;
  await kube.delete({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'istiod', namespace: 'istio-system' });
  const { uid: _uid, resourceVersion: _rv, ...meta } = istiod.metadata;
  kube.update({ ...istiod, metadata: { ...meta, uid: 'uid-someone-else' } });
  const removed = await executeUninstall(plan, { kube });
  assert.ok(!removed.includes('Deployment/istio-system/istiod'));
  assert.equal(kube.all().find((o) => o.kind === 'Deployment' && o.metadata.name === 'istiod')?.metadata.uid, 'uid-someone-else');
});
