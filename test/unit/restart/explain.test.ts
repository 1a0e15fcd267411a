import assert from 'node:assert/strict';
import { exitCodeOf } from '../../../src/errors.js';
import { test } from 'node:test';
import { FakeKubeClient } from '../../../src/kube/fake.js';
import { collectSnapshot } from '../../../src/restart/collect.js';
import { explainPods, podProblem } from '../../../src/restart/explain.js';
import { injectorConfigMap, namespace, pod, proxyValues, workload } from './fixtures.js';

const withStatus = (name: string, status: Record<string, unknown>, created = '2026-01-01T00:00:00Z') => pod('ns', name, undefined, { status, created });

const cases: [string, Record<string, unknown>, RegExp][] = [
  [
    'ImagePullBackOff with the message',
    {
      phase: 'Pending',
      containerStatuses: [{ name: 'istio-proxy', ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x:1"' } } }],
    },
    /^container istio-proxy ImagePullBackOff \(Back-off pulling image "x:1"\)$/,
  ],
  [
    'a native sidecar in initContainerStatuses',
    {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'istio-proxy', state: { waiting: { reason: 'ErrImagePull' } } }],
      containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }],
    },
    /^container istio-proxy ErrImagePull$/,
  ],
  [
    'CrashLoopBackOff',
    {
      phase: 'Running',
      containerStatuses: [
        { name: 'app', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } } },
      ],
    },
    /^container app CrashLoopBackOff \(back-off 40s/,
  ],
  [
    'unschedulable',
    {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }],
    },
    /^Unschedulable \(0\/3 nodes are available: 3 Insufficient cpu\.\)$/,
  ],
  [
    'running but not ready',
    {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        { name: 'app', ready: false, state: { running: {} } },
        { name: 'istio-proxy', ready: true, state: { running: {} } },
      ],
    },
    /^container app running but not ready \(readiness probe failing\)$/,
  ],
  [
    'restarted containers',
    {
      phase: 'Running',
      containerStatuses: [{ name: 'app', ready: false, restartCount: 2, state: { running: {} }, lastState: { terminated: { reason: 'OOMKilled' } } }],
    },
    /^container app restarted 2 times, last OOMKilled$/,
  ],
  ['plain Pending', { phase: 'Pending' }, /^Pending$/],
];
for (const [name, status, re] of cases) {
  test(`podProblem: ${name}`, () => assert.match(podProblem(withStatus('p', status)), re));
}

test('explainPods: only pods that are not ready, newest first, capped', () => {
  const ready = withStatus('ready', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
  const older = withStatus('older', { phase: 'Pending' }, '2026-01-01T00:00:00Z');
  const newer = withStatus('newer', { phase: 'Pending' }, '2026-01-02T00:00:00Z');
  assert.deepEqual(explainPods([ready, older, newer]), ['pod newer: Pending', 'pod older: Pending']);
  const many = Array.from({ length: 8 }, (_, i) => withStatus(`p${i}`, { phase: 'Pending' }));
  const lines = explainPods(many, 3);
  assert.equal(lines.length, 4);
  assert.equal(lines[3], '… and 5 more pods not ready');
});

test('collect: a fixed number of lists per namespace, whatever the number of workloads', async () => {
  const objs = [namespace('a', { 'istio-injection': 'enabled' }), namespace('b'), injectorConfigMap(undefined, proxyValues('1.31.0'))];
  for (let i = 0; i < 30; i++) objs.push(workload('Deployment', i % 2 ? 'a' : 'b', `d${i}`));
  const fake = new FakeKubeClient(objs);
  const { snapshot, warnings } = await collectSnapshot(fake, {
    namespaces: ['a', 'b'],
    kinds: ['Deployment', 'StatefulSet', 'DaemonSet'],
    mode: 'outdated',
    istioNamespace: 'istio-system',
  });
  assert.equal(snapshot.deployments.length, 30);
  assert.equal(snapshot.injectorConfigMaps.length, 1);
  assert.deepEqual(warnings, []);
  // 2 namespace gets + per namespace 7 lists (3 kinds, ReplicaSets, Pods, PDBs, HPAs) + ConfigMaps + webhooks.
  assert.equal(fake.calls.length, 2 + 2 * 7 + 2);
  assert.ok(fake.calls.every((c) => c.startsWith('get Namespace') || c.startsWith('list ')));
});

test('collect: -A lists once across namespaces; a missing namespace is a clear error', async () => {
  const fake = new FakeKubeClient([namespace('a'), workload('Deployment', 'a', 'x')]);
  await collectSnapshot(fake, { namespaces: 'all', kinds: ['Deployment'], mode: 'injected', istioNamespace: 'istio-system' });
  assert.deepEqual(fake.calls, [
    'list Namespace',
    'list Deployment',
    'list ReplicaSet',
    'list Pod',
    'list PodDisruptionBudget',
    'list HorizontalPodAutoscaler',
  ]);
  await assert.rejects(
    collectSnapshot(fake, { namespaces: ['nope'], kinds: ['Deployment'], mode: 'injected', istioNamespace: 'istio-system' }),
    (e: unknown) => exitCodeOf(e) === 64 && (e as Error).message === '-n: namespace "nope" not found in the cluster (context fake)',
  );
});

test('collect: --outdated without an injector ConfigMap warns that images cannot be compared', async () => {
  const fake = new FakeKubeClient([namespace('a')]);
  const { warnings } = await collectSnapshot(fake, { namespaces: ['a'], kinds: ['Deployment'], mode: 'outdated', istioNamespace: 'istio-system' });
  assert.match(warnings[0]!, /no istio-sidecar-injector ConfigMap in namespace istio-system/);
});
