import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../src/model/k8s.js';
import { selectWorkloads } from '../../../src/restart/select.js';
import { imageMatches, injectorImage, judgeSidecar, targetRevision } from '../../../src/restart/sidecar.js';
import type { ClusterSnapshot } from '../../../src/restart/types.js';
import { HUB, injectorConfigMap, namespace, pod, proxyValues, replicaSet, workload } from './fixtures.js';

const snapshot = (objs: KubeObject[], extra: Partial<ClusterSnapshot> = {}): ClusterSnapshot => ({
  namespaces: objs.filter((o) => o.kind === 'Namespace'),
  deployments: objs.filter((o) => o.kind === 'Deployment'),
  statefulSets: objs.filter((o) => o.kind === 'StatefulSet'),
  daemonSets: objs.filter((o) => o.kind === 'DaemonSet'),
  replicaSets: objs.filter((o) => o.kind === 'ReplicaSet'),
  pods: objs.filter((o) => o.kind === 'Pod'),
  podDisruptionBudgets: [],
  horizontalPodAutoscalers: [],
  injectorConfigMaps: objs.filter((o) => o.kind === 'ConfigMap'),
  revisionTags: {},
  ...extra,
});
const ALL = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
const names = (s: ReturnType<typeof selectWorkloads>): string[] => s.candidates.map((c) => `${c.kind}/${c.obj.metadata.name}`);

test('targetRevision follows the injection webhook selectors', () => {
  const tags = { prod: '1-31-0' };
  assert.equal(targetRevision({ 'istio-injection': 'enabled' }, {}, {}), 'default');
  assert.equal(targetRevision({ 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }, {}, {}), 'default', 'istio-injection wins over istio.io/rev');
  assert.equal(targetRevision({ 'istio.io/rev': 'canary' }, {}, {}), 'canary');
  assert.equal(targetRevision({ 'istio.io/rev': 'prod' }, {}, tags), '1-31-0', 'a tag resolves to its revision');
  assert.equal(targetRevision({ 'istio-injection': 'enabled' }, {}, { default: '1-31-0' }), '1-31-0', 'the default tag');
  assert.equal(targetRevision({}, { 'istio.io/rev': 'canary' }, {}), 'canary');
  assert.equal(targetRevision({}, { 'sidecar.istio.io/inject': 'true' }, {}), 'default');
  assert.equal(targetRevision({ 'istio-injection': 'enabled' }, { 'sidecar.istio.io/inject': 'false' }, {}), undefined);
  assert.equal(targetRevision({ 'istio-injection': 'disabled' }, { 'istio.io/rev': 'x' }, {}), undefined);
  assert.equal(targetRevision({}, {}, {}), undefined);
});

test('injectorImage builds hub/image:tag, or takes a full proxy.image as is', () => {
  assert.deepEqual(injectorImage(injectorConfigMap(undefined, proxyValues('1.31.0'))), { image: `${HUB}/proxyv2:1.31.0`, variant: '' });
  assert.deepEqual(injectorImage(injectorConfigMap(undefined, { global: { hub: 'x', tag: 't', proxy: { image: 'reg.example/p/proxy:9' } } })), {
    image: 'reg.example/p/proxy:9',
    variant: '',
  });
  assert.equal(injectorImage({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { values: 'not json' } }), undefined);
});

test('imageMatches accepts a -variant suffix (distroless)', () => {
  const expected = { image: `${HUB}/proxyv2:1.31.0`, variant: '' };
  assert.ok(imageMatches(`${HUB}/proxyv2:1.31.0`, expected));
  assert.ok(imageMatches(`${HUB}/proxyv2:1.31.0-distroless`, expected));
  assert.ok(!imageMatches(`${HUB}/proxyv2:1.30.2`, expected));
  assert.ok(!imageMatches(`${HUB}/proxyv2:1.31.0-rc.1`, expected));
  // debug and distroless can be picked per pod (ProxyConfig image.imageType), whatever global.variant says.
  assert.ok(imageMatches(`${HUB}/proxyv2:1.31.0-debug`, { ...expected, variant: 'distroless' }));
  assert.ok(!imageMatches(`${HUB}/proxyv2:1.31.0-custom`, { ...expected, variant: 'distroless' }));
  assert.ok(imageMatches(`${HUB}/proxyv2:1.31.0-custom`, { ...expected, variant: 'custom' }));
});

test('judgeSidecar: image mismatch, native sidecars, revision moves, proxyImage override, missing sidecar', () => {
  const injectors = new Map([
    ['istio-sidecar-injector', injectorConfigMap(undefined, proxyValues('1.31.0'))],
    ['istio-sidecar-injector-canary', injectorConfigMap('canary', proxyValues('1.32.0'))],
  ]);
  const ctx = (nsLabels: Record<string, string>) => ({ nsLabels, injectors, tags: {}, istioNamespace: 'istio-system' });
  const enabled = ctx({ 'istio-injection': 'enabled' });
  assert.equal(judgeSidecar(pod('a', 'p', undefined, { proxyImage: `${HUB}/proxyv2:1.31.0` }), enabled).outdated, undefined);
  assert.match(
    judgeSidecar(pod('a', 'p', undefined, { proxyImage: `${HUB}/proxyv2:1.30.0` }), enabled).outdated ?? '',
    /proxy image .*1\.30\.0, injector has .*1\.31\.0/,
  );
  assert.match(judgeSidecar(pod('a', 'p', undefined, { proxyImage: `${HUB}/proxyv2:1.30.0`, nativeSidecar: true }), enabled).outdated ?? '', /1\.30\.0/);
  assert.equal(
    judgeSidecar(pod('a', 'p', undefined, { proxyImage: 'custom/proxy:x', annotations: { 'sidecar.istio.io/proxyImage': 'custom/proxy:x' } }), enabled)
      .outdated,
    undefined,
  );
  const canary = ctx({ 'istio.io/rev': 'canary' });
  assert.match(
    judgeSidecar(pod('a', 'p', undefined, { proxyImage: `${HUB}/proxyv2:1.31.0`, revision: 'default' }), canary).outdated ?? '',
    /injected by revision default, namespace now points to canary/,
  );
  assert.equal(judgeSidecar(pod('a', 'p', undefined, { proxyImage: `${HUB}/proxyv2:1.32.0`, revision: 'canary' }), canary).outdated, undefined);
  assert.match(judgeSidecar(pod('a', 'p', undefined, {}), enabled).outdated ?? '', /no sidecar/);
  assert.equal(judgeSidecar(pod('a', 'p', undefined, { annotations: { 'sidecar.istio.io/inject': 'false' } }), enabled).outdated, undefined);
  const noCm = judgeSidecar(pod('a', 'p', undefined, { proxyImage: 'x', revision: 'other' }), ctx({ 'istio.io/rev': 'other' }));
  assert.equal(noCm.outdated, undefined);
  assert.match(noCm.warning ?? '', /istio-sidecar-injector-other/);
});

function mesh(): KubeObject[] {
  const injected = namespace('app', { 'istio-injection': 'enabled' });
  const plain = namespace('plain');
  const fresh = workload('Deployment', 'app', 'fresh', { replicas: 2 });
  const old = workload('Deployment', 'app', 'old', { replicas: 2 });
  const mixed = workload('StatefulSet', 'app', 'mixed', { replicas: 2 });
  const ds = workload('DaemonSet', 'app', 'agent', { templateLabels: { 'sidecar.istio.io/inject': 'false' } });
  const idle = workload('Deployment', 'app', 'idle', { replicas: 0 });
  const bare = workload('Deployment', 'plain', 'bare-app');
  const optIn = workload('Deployment', 'plain', 'opt-in', { templateLabels: { 'sidecar.istio.io/inject': 'true' } });
  const rsFresh = replicaSet(fresh);
  const rsOld = replicaSet(old);
  const rsBare = replicaSet(bare);
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'app', uid: 'uid-job' } };
  const img = (t: string) => `${HUB}/proxyv2:${t}`;
  return [
    injected,
    plain,
    fresh,
    old,
    mixed,
    ds,
    idle,
    bare,
    optIn,
    rsFresh,
    rsOld,
    rsBare,
    injectorConfigMap(undefined, proxyValues('1.31.0')),
    pod('app', 'fresh-1', rsFresh, { proxyImage: img('1.31.0') }),
    pod('app', 'fresh-2', rsFresh, { proxyImage: img('1.31.0') }),
    pod('app', 'old-1', rsOld, { proxyImage: img('1.30.0') }),
    pod('app', 'old-2', rsOld, { proxyImage: img('1.30.0') }),
    pod('app', 'mixed-0', mixed, { proxyImage: img('1.31.0') }),
    pod('app', 'mixed-1', mixed, { proxyImage: img('1.30.0') }),
    pod('app', 'agent-x', ds, { labels: { 'sidecar.istio.io/inject': 'false' } }),
    pod('app', 'migrate-abc', job as KubeObject, { proxyImage: img('1.30.0') }),
    pod('app', 'debug', undefined, { proxyImage: img('1.30.0') }),
    pod('app', 'finished', rsOld, { proxyImage: img('1.29.0'), status: { phase: 'Succeeded' } }),
    pod('plain', 'bare-app-1', rsBare, {}),
  ];
}

test('default selection: workloads whose pods carry a sidecar or should get one', () => {
  const s = selectWorkloads(snapshot(mesh()), { mode: 'injected', kinds: ALL, istioNamespace: 'istio-system' });
  assert.deepEqual(names(s), ['Deployment/fresh', 'Deployment/idle', 'Deployment/old', 'StatefulSet/mixed', 'Deployment/opt-in']);
  assert.match(s.candidates[0]!.reason, /2\/2 pods with sidecar/);
  assert.deepEqual(
    s.manual.map((m) => `${m.kind}/${m.name}`),
    ['Job/migrate', 'Pod/debug'],
  );
});

test('--all takes every workload', () => {
  const s = selectWorkloads(snapshot(mesh()), { mode: 'all', kinds: ALL, istioNamespace: 'istio-system' });
  assert.deepEqual(names(s), [
    'Deployment/fresh',
    'Deployment/idle',
    'Deployment/old',
    'StatefulSet/mixed',
    'DaemonSet/agent',
    'Deployment/bare-app',
    'Deployment/opt-in',
  ]);
});

test('--outdated takes only workloads with at least one outdated sidecar, ignoring finished pods', () => {
  const s = selectWorkloads(snapshot(mesh()), { mode: 'outdated', kinds: ALL, istioNamespace: 'istio-system' });
  assert.deepEqual(names(s), ['Deployment/old', 'StatefulSet/mixed']);
  assert.deepEqual(s.candidates[0]!.outdatedPods, ['old-1', 'old-2']);
  assert.match(s.candidates[1]!.reason, /^1\/2 pods outdated: proxy image .*1\.30\.0/);
  assert.deepEqual(
    s.manual.map((m) => m.name),
    ['migrate', 'debug'],
  );
  assert.deepEqual(s.warnings, []);
});

test('--kind limits the kinds', () => {
  const s = selectWorkloads(snapshot(mesh()), { mode: 'outdated', kinds: ['StatefulSet'], istioNamespace: 'istio-system' });
  assert.deepEqual(names(s), ['StatefulSet/mixed']);
});

test('with -l, bare pods and Jobs are only those the selector matched', () => {
  const objs = mesh();
  const s = selectWorkloads(snapshot(objs, { selectedPods: objs.filter((o) => o.metadata.name === 'debug') }), {
    mode: 'injected',
    kinds: ALL,
    istioNamespace: 'istio-system',
  });
  assert.deepEqual(
    s.manual.map((m) => m.name),
    ['debug'],
  );
});

test('the default selection reads no injector ConfigMap, so it does not warn about one (issue 12)', () => {
  // collectSnapshot reads the injector ConfigMaps only for --outdated: in the default mode they are absent.
  const s = selectWorkloads(snapshot(mesh().filter((o) => o.kind !== 'ConfigMap')), { mode: 'injected', kinds: ALL, istioNamespace: 'istio-system' });
  assert.deepEqual(s.warnings, []);
  assert.deepEqual(names(s), ['Deployment/fresh', 'Deployment/idle', 'Deployment/old', 'StatefulSet/mixed', 'Deployment/opt-in']);
});
