import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInDependencyOrder } from '../../../src/apply/components.js';
import { podProblem, readinessOf, selectorString, workloadProblem } from '../../../src/apply/readiness.js';
import type { KubeObject } from '../../../src/model/k8s.js';

const dep = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'istiod', namespace: 'istio-system', generation },
  spec: { selector: { matchLabels: { app: 'istiod' } }, ...spec },
  status: { observedGeneration: 1, ...status },
});

test('Deployment readiness follows kubectl rollout status, in order', () => {
  assert.deepEqual(readinessOf(dep({ replicas: 2 }, {}, 2)), { ready: false, message: 'waiting for the deployment spec update to be observed' });
  assert.deepEqual(readinessOf(dep({ replicas: 2 }, { conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] })), {
    ready: false,
    message: 'exceeded its progress deadline',
  });
  assert.equal(readinessOf(dep({ replicas: 2 }, { updatedReplicas: 1, replicas: 2 })).message, '1 out of 2 new replicas have been updated');
  assert.equal(readinessOf(dep({ replicas: 2 }, { updatedReplicas: 2, replicas: 3 })).message, '1 old replicas are pending termination');
  assert.equal(readinessOf(dep({ replicas: 2 }, { updatedReplicas: 2, replicas: 2, availableReplicas: 1 })).message, '1 of 2 updated replicas are available');
  assert.deepEqual(readinessOf(dep({ replicas: 2 }, { updatedReplicas: 2, replicas: 2, availableReplicas: 2 })), { ready: true });
  // replicas defaults to 1 when the spec leaves it to an HPA
  assert.equal(readinessOf(dep({}, { updatedReplicas: 0, replicas: 0 })).ready, false);
});

test('DaemonSet, StatefulSet and CRD readiness', () => {
  const ds = (status: Record<string, unknown>, strategy = 'RollingUpdate'): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'ztunnel', generation: 1 },
    spec: { updateStrategy: { type: strategy } },
    status: { observedGeneration: 1, ...status },
  });
  assert.equal(readinessOf(ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberAvailable: 3 })).message, '2 out of 3 new pods have been updated');
  assert.equal(readinessOf(ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 })).message, '2 of 3 updated pods are available');
  assert.equal(readinessOf(ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 })).ready, true);
  assert.equal(readinessOf(ds({}, 'OnDelete')).ready, true);
  const sts: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 's', generation: 1 },
    spec: { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
    status: { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 2 },
  };
  assert.equal(readinessOf(sts).ready, true);
  const crd = (s: string): KubeObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'x' },
    status: { conditions: [{ type: 'Established', status: s }] },
  });
  assert.equal(readinessOf(crd('True')).ready, true);
  assert.deepEqual(readinessOf(crd('False')), { ready: false, message: 'not established yet' });
});

const pod = (status: Record<string, unknown>, name = 'p', created = '2026-01-01T00:00:00Z'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'istio-system', creationTimestamp: created },
  status,
});

test('podProblem explains image pulls, crash loops, scheduling and readiness probes', () => {
  assert.equal(
    podProblem(pod({ phase: 'Pending', containerStatuses: [{ name: 'discovery', state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }] })),
    'container discovery failed to start: ErrImagePull: not found',
  );
  assert.equal(
    podProblem(
      pod({ phase: 'Running', containerStatuses: [{ name: 'discovery', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } } }] }),
    ),
    'container discovery is crash looping (CrashLoopBackOff: back-off 5m0s)',
  );
  assert.equal(
    podProblem(
      pod({
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }],
      }),
    ),
    'pod p cannot be scheduled: 0/3 nodes are available: 3 Insufficient cpu.',
  );
  assert.equal(
    podProblem(
      pod({
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False', message: 'containers with unready status: [discovery]' }],
        containerStatuses: [{ name: 'discovery', ready: false, state: { running: {} } }],
      }),
    ),
    'readiness probe failing: containers with unready status: [discovery]',
  );
  assert.equal(
    podProblem(
      pod({
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'discovery', ready: true, state: { running: {} } }],
      }),
    ),
    undefined,
  );
});

test('workloadProblem prefers the newest unhealthy pod and falls back to the rollout message', () => {
  const d = dep({ replicas: 1 }, { updatedReplicas: 1, replicas: 1, availableReplicas: 0 });
  const old = pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False', message: 'old' }] }, 'old', '2026-01-01T00:00:00Z');
  const fresh = pod(
    { phase: 'Pending', containerStatuses: [{ name: 'discovery', state: { waiting: { reason: 'ImagePullBackOff' } } }] },
    'new',
    '2026-01-02T00:00:00Z',
  );
  assert.equal(workloadProblem(d, [old, fresh]), 'container discovery failed to start: ImagePullBackOff');
  assert.equal(workloadProblem(d, []), '0 of 1 updated replicas are available; no pods found');
});

test('selectorString renders matchLabels and matchExpressions', () => {
  assert.equal(
    selectorString({
      matchLabels: { app: 'istiod' },
      matchExpressions: [
        { key: 'x', operator: 'In', values: ['a', 'b'] },
        { key: 'y', operator: 'DoesNotExist' },
      ],
    }),
    'app=istiod,x in (a,b),!y',
  );
  assert.equal(selectorString({}), undefined);
});

test('components run after their dependencies, independent ones in parallel, and dependents of a failure are skipped', async () => {
  const events: string[] = [];
  const gates = new Map<string, () => void>();
  const outcomes = runInDependencyOrder(['Base', 'Pilot', 'Cni', 'IngressGateways', 'Ztunnel'], async (c) => {
    events.push(`start ${c}`);
    if (c === 'Pilot' || c === 'Cni') await new Promise<void>((r) => gates.set(c, r));
    if (c === 'Cni') throw new Error('boom');
    events.push(`end ${c}`);
    return c;
  });
  while (gates.size < 2) await new Promise((r) => setImmediate(r));
  // Pilot and Cni both started before either finished
  assert.deepEqual(events, ['start Base', 'end Base', 'start Pilot', 'start Cni']);
  gates.get('Cni')!();
  gates.get('Pilot')!();
  const result = await outcomes;
  assert.deepEqual(result.get('Ztunnel'), { status: 'skipped', because: 'Cni' });
  assert.equal(result.get('IngressGateways')?.status, 'ok');
  assert.equal(result.get('Cni')?.status, 'failed');
});
