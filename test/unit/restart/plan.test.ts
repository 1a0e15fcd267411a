import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../src/model/k8s.js';
import { actionable, planRestart } from '../../../src/restart/plan.js';
import type { Candidate, PlanItem, WorkloadKind } from '../../../src/restart/types.js';
import { pod, workload, type WorkloadSpec } from './fixtures.js';

const cand = (kind: WorkloadKind, name: string, w: WorkloadSpec = {}, pods: string[] = []): Candidate => {
  const obj = workload(kind, 'ns', name, w);
  return { kind, obj, pods: pods.map((p) => pod('ns', p, obj)), reason: 'r', outdatedPods: [] };
};
const plan1 = (c: Candidate, opts = { allowDowntime: false, includeOnDelete: false }, pdbs: KubeObject[] = []): PlanItem =>
  planRestart({ candidates: [c], manual: [], warnings: [] }, { podDisruptionBudgets: pdbs }, opts)[0]!;

const downtimeCases: { name: string; c: Candidate; downtime: boolean }[] = [
  { name: 'Deployment 1 replica, default strategy (maxSurge rounds up to 1)', c: cand('Deployment', 'a', { replicas: 1 }), downtime: false },
  {
    name: 'Deployment 1 replica, maxSurge 0',
    c: cand('Deployment', 'b', { replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } }),
    downtime: true,
  },
  {
    name: 'Deployment 1 replica, maxSurge 0% and maxUnavailable 0% (Kubernetes makes it 1)',
    c: cand('Deployment', 'b2', { replicas: 1, strategy: { rollingUpdate: { maxSurge: '0%', maxUnavailable: '0%' } } }),
    downtime: true,
  },
  {
    name: 'Deployment 3 replicas, maxUnavailable 100%',
    c: cand('Deployment', 'c', { replicas: 3, strategy: { rollingUpdate: { maxUnavailable: '100%' } } }),
    downtime: true,
  },
  {
    name: 'Deployment 4 replicas, maxUnavailable 50%',
    c: cand('Deployment', 'c2', { replicas: 4, strategy: { rollingUpdate: { maxUnavailable: '50%' } } }),
    downtime: false,
  },
  { name: 'Deployment Recreate', c: cand('Deployment', 'd', { replicas: 2, strategy: { type: 'Recreate' } }), downtime: true },
  { name: 'Deployment scaled to zero', c: cand('Deployment', 'e', { replicas: 0, strategy: { type: 'Recreate' } }), downtime: false },
  { name: 'StatefulSet 1 replica', c: cand('StatefulSet', 'f', { replicas: 1 }), downtime: true },
  { name: 'StatefulSet 3 replicas', c: cand('StatefulSet', 'g', { replicas: 3 }), downtime: false },
  {
    name: 'StatefulSet 2 replicas maxUnavailable 2',
    c: cand('StatefulSet', 'g2', { replicas: 2, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }),
    downtime: true,
  },
  { name: 'DaemonSet on 1 node', c: cand('DaemonSet', 'h', { status: { desiredNumberScheduled: 1 } }), downtime: true },
  {
    name: 'DaemonSet on 1 node with maxSurge 1',
    c: cand('DaemonSet', 'i', {
      status: { desiredNumberScheduled: 1 },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    }),
    downtime: false,
  },
  { name: 'DaemonSet on 3 nodes', c: cand('DaemonSet', 'j', { status: { desiredNumberScheduled: 3 } }), downtime: false },
];

for (const dc of downtimeCases) {
  test(`downtime flag: ${dc.name}`, () => {
    const item = plan1(dc.c);
    assert.equal(item.flags.includes('downtime'), dc.downtime, item.notes.join('; '));
    assert.equal(item.action, dc.downtime ? 'skip' : 'restart');
    if (dc.downtime) {
      assert.match(item.notes.join(' '), /--allow-downtime/);
      const allowed = plan1(dc.c, { allowDowntime: true, includeOnDelete: false });
      assert.equal(allowed.action, 'restart');
      assert.ok(allowed.flags.includes('downtime'));
    }
  });
}

test('paused Deployments are skipped and say how to resume', () => {
  const item = plan1(cand('Deployment', 'p', { replicas: 2, paused: true }));
  assert.equal(item.action, 'skip');
  assert.deepEqual(item.flags, ['paused']);
  assert.match(item.notes[0]!, /paused.*kubectl rollout resume deployment\/p -n ns/);
});

test('OnDelete StatefulSets need manual action, or --include-ondelete deletes their pods from the highest ordinal', () => {
  const c = cand('StatefulSet', 'db', { replicas: 3, updateStrategy: { type: 'OnDelete' } }, ['db-0', 'db-2', 'db-1', 'db-10']);
  const manual = plan1(c);
  assert.equal(manual.action, 'manual');
  assert.match(manual.notes[0]!, /OnDelete.*--include-ondelete/);
  const del = plan1(c, { allowDowntime: false, includeOnDelete: true });
  assert.equal(del.action, 'delete-pods');
  assert.deepEqual(del.pods, ['db-10', 'db-2', 'db-1', 'db-0']);
  assert.equal(del.selector, 'app=db');
});

test('a PodDisruptionBudget that allows no disruption is flagged, not blocking', () => {
  const pdb = (name: string, allowed: number, sel: Record<string, string>): KubeObject => ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'ns' },
    spec: { selector: { matchLabels: sel } },
    status: { disruptionsAllowed: allowed },
  });
  const item = plan1(cand('Deployment', 'web', { replicas: 2 }), undefined, [
    pdb('web-pdb', 0, { app: 'web' }),
    pdb('other', 0, { app: 'other' }),
    pdb('ok', 1, { app: 'web' }),
  ]);
  assert.equal(item.action, 'restart');
  assert.deepEqual(item.flags, ['pdb-blocks']);
  assert.match(item.notes[0]!, /PodDisruptionBudget web-pdb allows no disruption/);
});

test("progress deadline: the Deployment's own, else 600 s", () => {
  assert.equal(plan1(cand('Deployment', 'x', { replicas: 2, progressDeadlineSeconds: 30 })).progressDeadlineMs, 30_000);
  assert.equal(plan1(cand('Deployment', 'y', { replicas: 2 })).progressDeadlineMs, 600_000);
  assert.equal(plan1(cand('StatefulSet', 'z', { replicas: 2 })).progressDeadlineMs, 600_000);
});

test('manual items from selection become manual plan items; actionable() keeps restart and delete-pods', () => {
  const items = planRestart(
    {
      candidates: [cand('Deployment', 'a', { replicas: 2 })],
      manual: [{ kind: 'Job', namespace: 'ns', name: 'j', reason: 'Job pods cannot be rolled' }],
      warnings: [],
    },
    { podDisruptionBudgets: [] },
    { allowDowntime: false, includeOnDelete: false },
  );
  assert.deepEqual(
    items.map((i) => [i.kind, i.action]),
    [
      ['Deployment', 'restart'],
      ['Job', 'manual'],
    ],
  );
  assert.deepEqual(
    actionable(items).map((i) => i.name),
    ['a'],
  );
});

test('a workload selected by matchExpressions only gets a selector string for its pods, not "" (every pod)', () => {
  const c = cand('StatefulSet', 'db', { replicas: 3 });
  (c.obj['spec'] as Record<string, unknown>)['selector'] = {
    matchExpressions: [
      { key: 'app', operator: 'In', values: ['db'] },
      { key: 'canary', operator: 'DoesNotExist' },
    ],
  };
  assert.equal(plan1(c).selector, 'app in (db),!canary');
});

test('--since resumes a run: workloads restarted since it started are skipped, the others restarted (issue 12)', async () => {
  const since = Date.parse('2026-12-02T06:50:00Z');
  const opts = { allowDowntime: false, includeOnDelete: true, sinceMs: since };
  const done = plan1(cand('Deployment', 'done', { replicas: 2, templateAnnotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-02T06:50:03Z' } }), opts);
  assert.equal(done.action, 'skip');
  assert.match(done.notes.join(' '), /already restarted at 2026-12-02T06:50:03Z/);
  const earlier = plan1(
    cand('Deployment', 'earlier', { replicas: 2, templateAnnotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-01T10:00:00Z' } }),
    opts,
  );
  assert.equal(earlier.action, 'restart');
  const never = plan1(cand('Deployment', 'never', { replicas: 2 }), opts);
  assert.equal(never.action, 'restart');
  // without --since nothing is skipped for having been restarted
  assert.equal(
    plan1(cand('Deployment', 'done', { replicas: 2, templateAnnotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-02T06:50:03Z' } })).action,
    'restart',
  );
  // OnDelete: pods replaced since the run started are not deleted again
  const sts = cand('StatefulSet', 'db', { replicas: 3, updateStrategy: { type: 'OnDelete' } }, ['db-0', 'db-1', 'db-2']);
  sts.pods[0]!.metadata.creationTimestamp = '2026-12-02T06:51:00Z';
  sts.pods[1]!.metadata.creationTimestamp = '2026-12-01T00:00:00Z';
  sts.pods[2]!.metadata.creationTimestamp = '2026-12-01T00:00:00Z';
  assert.deepEqual(plan1(sts, opts).pods, ['db-2', 'db-1']);
  for (const p of sts.pods) p.metadata.creationTimestamp = '2026-12-02T06:51:00Z';
  assert.equal(plan1(sts, opts).action, 'skip');

  const { parseSince } = await import('../../../src/cli/options/rollout-restart.js');
  const { resumeAdvice } = await import('../../../src/cli/actions/rollout-restart.js');
  assert.equal(parseSince('2026-12-02T06:50:00Z'), since);
  assert.throws(() => parseSince('yesterday'), /^UsageError|--since: "yesterday" is not an RFC 3339 time/);
  assert.equal(
    resumeAdvice(since),
    'run the same command again with --since 2026-12-02T06:50:00Z (it skips the workloads restarted since then, by this run, and restarts the rest)',
  );
});

test('a workload annotated mesh.istio.io/restart=skip is skipped and says why, whatever its strategy', () => {
  const optOut = (c: Candidate): Candidate => {
    c.obj.metadata.annotations = { 'mesh.istio.io/restart': 'skip' };
    return c;
  };
  const d = plan1(optOut(cand('Deployment', 'web', { replicas: 2 })));
  assert.equal(d.action, 'skip');
  assert.deepEqual(d.flags, ['opted-out']);
  assert.match(d.notes[0]!, /^annotated mesh\.istio\.io\/restart=skip: skipped/);
  // An OnDelete StatefulSet with --include-ondelete stays skipped: no pod is deleted.
  const s = plan1(optOut(cand('StatefulSet', 'db', { replicas: 3, updateStrategy: { type: 'OnDelete' } }, ['db-0', 'db-1', 'db-2'])), {
    allowDowntime: false,
    includeOnDelete: true,
  });
  assert.equal(s.action, 'skip');
  assert.deepEqual(s.pods, []);
  // Any other value of the annotation is not an opt-out.
  const other = cand('Deployment', 'api', { replicas: 2 });
  other.obj.metadata.annotations = { 'mesh.istio.io/restart': 'yes' };
  assert.equal(plan1(other).action, 'restart');
});

test('a workload a HorizontalPodAutoscaler scales is flagged and carries the autoscaler for the run', () => {
  const hpa = (name: string, kind: string, target: string, ns = 'ns'): KubeObject => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: ns },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind, name: target } },
  });
  const hpas = [hpa('web-hpa', 'Deployment', 'web'), hpa('other', 'Deployment', 'api'), hpa('elsewhere', 'Deployment', 'web', 'other-ns')];
  const plan = (c: Candidate): PlanItem =>
    planRestart(
      { candidates: [c], manual: [], warnings: [] },
      { podDisruptionBudgets: [], horizontalPodAutoscalers: hpas },
      {
        allowDowntime: false,
        includeOnDelete: false,
      },
    )[0]!;
  const web = plan(cand('Deployment', 'web', { replicas: 2 }));
  assert.deepEqual(web.flags, ['hpa']);
  assert.equal(web.hpa, 'web-hpa');
  assert.match(web.notes.join('\n'), /HorizontalPodAutoscaler web-hpa scales it/);
  // Same name, another kind: not its autoscaler.
  assert.equal(plan(cand('StatefulSet', 'web', { replicas: 2 })).hpa, undefined);
  // Skipped workloads are not gated.
  const paused = plan(cand('Deployment', 'web', { replicas: 2, paused: true }));
  assert.equal(paused.action, 'skip');
  assert.equal(paused.hpa, undefined);
});
