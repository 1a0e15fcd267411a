// A canary (revisioned) install beside a running control plane: what it may take and what
// uninstalling it leaves. Issue 12: a canary install moved the production ingress gateway and
// relabelled every CRD, and uninstalling the canary then removed the gateway.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executeInstall } from '../../../src/apply/execute.js';
import { countActions, planInstall } from '../../../src/apply/plan.js';
import { executeUninstall, planUninstall } from '../../../src/apply/uninstall.js';
import { verifyInstall } from '../../../src/apply/verify.js';
import type { KubeObject } from '../../../src/model/k8s.js';
import { recordingProgress } from '../../../src/output/progress.js';
import { ClusterFake, fakeClock, rendered } from './fixtures.js';

/** The render of a revision: Pilot objects carry the revision in their names, the rest do not (as Istio renders them). */
function renderedFor(revision: string | undefined): KubeObject[] {
  const objects = rendered();
  if (revision === undefined) return objects;
  return objects.map((o) =>
    o.metadata.labels?.['operator.istio.io/component'] === 'Pilot' ? { ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-${revision}` } } : o,
  );
}

async function install(kube: ClusterFake, revision: string | undefined, takeOver = false) {
  const plan = await planInstall(kube, renderedFor(revision), { revision, version: '1.31.1', namespace: 'istio-system', takeOver });
  await executeInstall(plan, { kube, progress: recordingProgress([]), ...fakeClock() }, { readinessTimeoutMs: 10_000 });
  return plan;
}

const rev = (kube: ClusterFake, kind: string, name: string): string | undefined =>
  kube.all().find((o) => o.kind === kind && o.metadata.name === name)?.metadata.labels?.['istio.io/rev'];

test('a canary install leaves the gateways to the revision that installed them and keeps one owner for CRDs', async () => {
  const kube = new ClusterFake();
  await install(kube, undefined);
  const plan = await install(kube, '1-31-1');
  assert.deepEqual(
    plan.otherRevision.map((o) => [o.object.metadata.name, o.owner]),
    [
      ['istio-ingressgateway', 'default'],
      ['istio-egressgateway', 'default'],
    ],
  );
  // only the canary's own Pilot objects are new; nothing of the running control plane is updated
  assert.deepEqual(countActions(plan), { create: 5, update: 0, unchanged: 4, prune: 0 });
  assert.equal(rev(kube, 'Deployment', 'istio-ingressgateway'), 'default');
  assert.equal(rev(kube, 'CustomResourceDefinition', 'virtualservices.networking.istio.io'), 'default');
  assert.equal(rev(kube, 'Deployment', 'istiod-1-31-1'), '1-31-1');

  // verify-install of either revision is clean: the canary does not report the gateways as its own
  const canary = await verifyInstall(kube, renderedFor('1-31-1'), { revision: '1-31-1', version: '1.31.1', namespace: 'istio-system' });
  assert.equal(canary.ok, true, JSON.stringify(canary.objects.filter((o) => o.state !== 'ok')));
  assert.deepEqual(
    canary.otherRevision.map((o) => o.owner),
    ['default', 'default'],
  );
  const prod = await verifyInstall(kube, renderedFor(undefined), { revision: undefined, version: '1.31.1', namespace: 'istio-system' });
  assert.equal(prod.ok, true, JSON.stringify(prod.objects.filter((o) => o.state !== 'ok')));

  // uninstalling the canary leaves the production gateway and every shared object
  const un = await planUninstall(kube, { revision: '1-31-1', purge: false });
  assert.deepEqual(un.gateways, []);
  await executeUninstall(un, { kube });
  assert.equal(rev(kube, 'Deployment', 'istio-ingressgateway'), 'default');
  const after = await verifyInstall(kube, renderedFor(undefined), { revision: undefined, version: '1.31.1', namespace: 'istio-system' });
  assert.equal(after.ok, true, JSON.stringify(after.objects.filter((o) => o.state !== 'ok')));
});

test('a canary leaves a gateway whole: no autoscaler of its own for a gateway another revision owns', async () => {
  const kube = new ClusterFake();
  await install(kube, undefined);
  const hpa: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', labels: { 'operator.istio.io/component': 'IngressGateways' } },
    spec: { minReplicas: 1, maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'istio-ingressgateway' } },
  };
  const objects = [...renderedFor('1-31-1'), hpa];
  const plan = await planInstall(kube, objects, { revision: '1-31-1', version: '1.31.1', namespace: 'istio-system' });
  assert.deepEqual(
    plan.otherRevision
      .filter((o) => o.component === 'IngressGateways')
      .map((o) => o.object.kind)
      .sort(),
    ['Deployment', 'HorizontalPodAutoscaler'],
  );
  assert.ok(!plan.objects.some((o) => o.component === 'IngressGateways'));
  await executeInstall(plan, { kube, progress: recordingProgress([]), ...fakeClock() }, { readinessTimeoutMs: 10_000 });
  assert.ok(!kube.all().some((o) => o.kind === 'HorizontalPodAutoscaler'));
  const v = await verifyInstall(kube, objects, { revision: '1-31-1', version: '1.31.1', namespace: 'istio-system' });
  assert.equal(v.ok, true, JSON.stringify(v.objects.filter((o) => o.state !== 'ok')));
  assert.ok(v.otherRevision.some((o) => o.object === 'HorizontalPodAutoscaler/istio-system/istio-ingressgateway'));
});

test('with takeOver the canary moves the gateways to itself (and the CRDs still keep their owner)', async () => {
  const kube = new ClusterFake();
  await install(kube, undefined);
  const plan = await install(kube, '1-31-1', true);
  assert.deepEqual(plan.otherRevision, []);
  assert.equal(rev(kube, 'Deployment', 'istio-ingressgateway'), '1-31-1');
  assert.equal(rev(kube, 'CustomResourceDefinition', 'virtualservices.networking.istio.io'), 'default');
});

test('an object no installer manages is taken over as before', async () => {
  const kube = new ClusterFake();
  kube.update({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', labels: { app: 'x' } } });
  await install(kube, '1-31-1');
  assert.equal(rev(kube, 'Deployment', 'istio-ingressgateway'), '1-31-1');
});

const sidecar = (name: string, ns: string, opts: { status?: string; label?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: ns,
    ...(opts.label !== undefined ? { labels: { 'istio.io/rev': opts.label } } : {}),
    ...(opts.status !== undefined ? { annotations: { 'sidecar.istio.io/status': JSON.stringify({ revision: opts.status }) } } : {}),
  },
  spec: {
    containers: [
      { name: 'app', image: 'app:1' },
      { name: 'istio-proxy', image: 'registry.istio.io/release/proxyv2:1.31.1' },
    ],
  },
});

test('uninstall finds the proxies of a revision by the one resolver: status annotation, pod label, namespace label', async () => {
  const kube = new ClusterFake();
  await install(kube, undefined);
  await install(kube, 'canary');
  kube.update({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } });
  kube.update({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'api', labels: { 'istio.io/rev': 'canary' } } });
  // injected by default (status annotation only, as the injector writes it), no pod label
  kube.update(sidecar('cart-1', 'shop', { status: 'default' }));
  // no annotation, no label: its namespace says default
  kube.update(sidecar('cart-2', 'shop'));
  // injected by canary although its namespace now points elsewhere
  kube.update(sidecar('cart-3', 'shop', { status: 'canary' }));
  kube.update(sidecar('api-1', 'api', { label: 'canary' }));
  const dflt = await planUninstall(kube, { revision: 'default', purge: false });
  assert.deepEqual(dflt.proxies, ['shop/cart-1', 'shop/cart-2']);
  assert.deepEqual(dflt.namespaces, ['shop']);
  const canary = await planUninstall(kube, { revision: 'canary', purge: false });
  assert.deepEqual(canary.proxies, ['api/api-1', 'shop/cart-3']);
  assert.deepEqual(canary.namespaces, ['api']);
  const { proxiesWhere } = await import('../../../src/apply/uninstall.js');
  assert.equal(proxiesWhere(canary.proxies), '2 proxies in 2 namespaces (api: 1, shop: 1)');
});

test('uninstalling a revision keeps what another installed revision still renders', async () => {
  const kube = new ClusterFake();
  await install(kube, undefined);
  await install(kube, '1-31-1');
  const gw = 'apps/Deployment/istio-system/istio-ingressgateway';
  const plan = await planUninstall(kube, { revision: 'default', purge: false, wantedByOthers: new Map([[gw, '1-31-1']]) });
  assert.deepEqual(plan.kept, [{ object: 'Deployment/istio-system/istio-ingressgateway', revision: '1-31-1' }]);
  assert.deepEqual(plan.gateways, ['Deployment/istio-system/istio-egressgateway']);
  await executeUninstall(plan, { kube });
  assert.ok(kube.all().some((o) => o.metadata.name === 'istio-ingressgateway'));
  assert.ok(!kube.all().some((o) => o.metadata.name === 'istiod'));
});

test('uninstall -r refuses (exit 79) while proxies use the revision, naming how many and where; --force, --purge and --dry-run do not', async () => {
  const { inUseRefusal } = await import('../../../src/apply/uninstall.js');
  const { exitCodeOf } = await import('../../../src/errors.js');
  const plan = { objects: [], proxies: ['app/a', 'app/b', 'web/c'], namespaces: [], gateways: [], kept: [], tags: [] };
  const base = { revision: 'default', force: false, purge: false, dryRun: false };
  const err = inUseRefusal(plan, base);
  assert.ok(err);
  assert.equal(exitCodeOf(err), 79);
  assert.equal(
    err.message,
    'refusing to uninstall revision default while 3 proxies in 2 namespaces (app: 2, web: 1) still use it; move them first (mesh rollout-restart), or pass --force to remove it anyway',
  );
  assert.equal(inUseRefusal(plan, { ...base, force: true }), undefined);
  assert.equal(inUseRefusal(plan, { ...base, purge: true }), undefined);
  assert.equal(inUseRefusal(plan, { ...base, dryRun: true }), undefined);
  assert.equal(inUseRefusal({ ...plan, proxies: [] }, base), undefined);
});
