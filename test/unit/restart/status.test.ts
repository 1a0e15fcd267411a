import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../src/model/k8s.js';
import { RESTARTED_AT, restartPatch, restartTimestamp, rolloutStatus } from '../../../src/restart/status.js';
import { workload } from './fixtures.js';

type Row = { name: string; obj: KubeObject; done: boolean; failed?: RegExp; message: RegExp };

const dep = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2): KubeObject => {
  const o = workload('Deployment', 'ns', 'd', { replicas: 3, status, generation });
  if ('replicas' in spec) (o['spec'] as Record<string, unknown>)['replicas'] = spec['replicas'];
  if (spec['noReplicas']) delete (o['spec'] as Record<string, unknown>)['replicas'];
  return o;
};

// Table from kubectl's DeploymentStatusViewer: generation, ProgressDeadlineExceeded, updated < spec, old pending, available < updated.
const deploymentRows: Row[] = [
  {
    name: 'generation not yet observed',
    obj: dep({}, { observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }),
    done: false,
    message: /spec update to be observed/,
  },
  {
    name: 'progress deadline exceeded is a failure',
    obj: dep(
      {},
      {
        observedGeneration: 2,
        updatedReplicas: 1,
        replicas: 4,
        availableReplicas: 3,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    ),
    done: false,
    failed: /progress deadline/,
    message: /progress deadline/,
  },
  {
    name: 'not all replicas updated',
    obj: dep({}, { observedGeneration: 2, updatedReplicas: 1, replicas: 4, availableReplicas: 3 }),
    done: false,
    message: /1 out of 3 new replicas have been updated/,
  },
  {
    name: 'old replicas pending termination',
    obj: dep({}, { observedGeneration: 2, updatedReplicas: 3, replicas: 4, availableReplicas: 3 }),
    done: false,
    message: /1 old replicas are pending termination/,
  },
  {
    name: 'updated replicas not yet available',
    obj: dep({}, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 }),
    done: false,
    message: /2 of 3 updated replicas are available/,
  },
  {
    name: 'complete',
    obj: dep({}, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }),
    done: true,
    message: /successfully rolled out/,
  },
  {
    name: 'spec.replicas unset skips the updated check',
    obj: dep({ noReplicas: true }, { observedGeneration: 2, updatedReplicas: 0, replicas: 0, availableReplicas: 0 }),
    done: true,
    message: /successfully/,
  },
  { name: 'scaled to zero is done once observed', obj: dep({ replicas: 0 }, { observedGeneration: 2 }), done: true, message: /successfully/ },
];

const sts = (us: Record<string, unknown> | undefined, status: Record<string, unknown>, replicas = 3, generation = 2): KubeObject =>
  workload('StatefulSet', 'ns', 's', { replicas, status, generation, ...(us ? { updateStrategy: us } : {}) });

// Table from kubectl's StatefulSetStatusViewer.
const statefulSetRows: Row[] = [
  {
    name: 'OnDelete is reported as an error (kubectl: error, done)',
    obj: sts({ type: 'OnDelete' }, { observedGeneration: 2 }),
    done: false,
    failed: /RollingUpdate/,
    message: /not a rolling update/,
  },
  {
    name: 'observedGeneration 0 waits',
    obj: sts({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, { observedGeneration: 0, readyReplicas: 3 }),
    done: false,
    message: /observed/,
  },
  {
    name: 'generation ahead waits',
    obj: sts({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, { observedGeneration: 1, readyReplicas: 3 }),
    done: false,
    message: /observed/,
  },
  {
    name: 'not all ready',
    obj: sts({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, { observedGeneration: 2, readyReplicas: 2, updatedReplicas: 3 }),
    done: false,
    message: /waiting for 1 pods to be ready/,
  },
  {
    name: 'partition: not enough updated',
    obj: sts({ type: 'RollingUpdate', rollingUpdate: { partition: 1 } }, { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1 }),
    done: false,
    message: /1 out of 2 new pods/,
  },
  {
    name: 'partition: enough updated',
    obj: sts({ type: 'RollingUpdate', rollingUpdate: { partition: 1 } }, { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 2 }),
    done: true,
    message: /partitioned roll out complete/,
  },
  {
    name: 'no rollingUpdate: revisions differ',
    obj: sts({ type: 'RollingUpdate' }, { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 3, currentRevision: 'a', updateRevision: 'b' }),
    done: false,
    message: /rolling update to complete/,
  },
  {
    name: 'no rollingUpdate: revisions equal',
    obj: sts({ type: 'RollingUpdate' }, { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 3, currentRevision: 'b', updateRevision: 'b' }),
    done: true,
    message: /rolling update complete/,
  },
];

const ds = (us: Record<string, unknown> | undefined, status: Record<string, unknown>, generation = 2): KubeObject =>
  workload('DaemonSet', 'ns', 'x', { status, generation, ...(us ? { updateStrategy: us } : {}) });

// Table from kubectl's DaemonSetStatusViewer.
const daemonSetRows: Row[] = [
  {
    name: 'OnDelete is an error',
    obj: ds({ type: 'OnDelete' }, { observedGeneration: 2 }),
    done: false,
    failed: /RollingUpdate/,
    message: /not a rolling update/,
  },
  {
    name: 'not observed',
    obj: ds({ type: 'RollingUpdate' }, { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }),
    done: false,
    message: /observed/,
  },
  {
    name: 'not all updated',
    obj: ds({ type: 'RollingUpdate' }, { observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 2 }),
    done: false,
    message: /1 out of 2 new pods/,
  },
  {
    name: 'not all available',
    obj: ds({ type: 'RollingUpdate' }, { observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 }),
    done: false,
    message: /1 of 2 updated pods are available/,
  },
  {
    name: 'complete',
    obj: ds(undefined, { observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }),
    done: true,
    message: /successfully/,
  },
];

for (const [kind, rows] of [
  ['Deployment', deploymentRows],
  ['StatefulSet', statefulSetRows],
  ['DaemonSet', daemonSetRows],
] as const) {
  for (const row of rows) {
    test(`${kind} rollout status: ${row.name}`, () => {
      const st = rolloutStatus(row.obj);
      assert.equal(st.done, row.done);
      if (row.failed) assert.match(st.failed ?? '', row.failed);
      else assert.equal(st.failed, undefined);
      assert.match(st.message, row.message);
    });
  }
}

test('updated/desired counts feed the progress line', () => {
  const st = rolloutStatus(dep({}, { observedGeneration: 2, updatedReplicas: 2, replicas: 4, availableReplicas: 3 }));
  assert.deepEqual([st.updated, st.desired], [2, 3]);
});

test('the restart patch sets only the restartedAt annotation, at second precision like kubectl', () => {
  const now = new Date('2026-11-22T05:40:01.234Z');
  assert.equal(restartTimestamp(now), '2026-11-22T05:40:01Z');
  assert.deepEqual(restartPatch(undefined, now), { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: '2026-11-22T05:40:01Z' } } } } });
});

test('a second restart within the same second still changes the template', () => {
  const now = new Date('2026-11-22T05:40:01.234Z');
  const p = restartPatch('2026-11-22T05:40:01Z', now);
  assert.equal(p.spec.template.metadata.annotations[RESTARTED_AT], '2026-11-22T05:40:01.234Z');
});
