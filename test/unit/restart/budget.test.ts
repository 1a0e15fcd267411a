import assert from 'node:assert/strict';
import { test } from 'node:test';
import { namespaceGate, overLimitNote, unavailableBudget } from '../../../src/restart/budget.js';
import { planRestart } from '../../../src/restart/plan.js';
import type { Candidate, PlanAction, WorkloadKind } from '../../../src/restart/types.js';
import { pod, workload, type WorkloadSpec } from './fixtures.js';

const budgetCases: { name: string; kind: WorkloadKind; w: WorkloadSpec; replicas: number; action?: PlanAction; budget: number }[] = [
  { name: 'Deployment, default 25% of 2 rounds down to 0: at least 1', kind: 'Deployment', w: {}, replicas: 2, budget: 1 },
  { name: 'Deployment, default 25% of 8', kind: 'Deployment', w: {}, replicas: 8, budget: 2 },
  { name: 'Deployment, default 25% of 10 rounds down', kind: 'Deployment', w: {}, replicas: 10, budget: 2 },
  {
    name: 'Deployment, maxUnavailable 1 maxSurge 0',
    kind: 'Deployment',
    w: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } },
    replicas: 2,
    budget: 1,
  },
  {
    name: 'Deployment, maxUnavailable 0 (a surge pod not Ready counts 1)',
    kind: 'Deployment',
    w: { strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } },
    replicas: 3,
    budget: 1,
  },
  {
    name: 'Deployment, maxUnavailable 50% of 5 rounds down',
    kind: 'Deployment',
    w: { strategy: { rollingUpdate: { maxUnavailable: '50%' } } },
    replicas: 5,
    budget: 2,
  },
  {
    name: 'Deployment, maxUnavailable "3" as a string',
    kind: 'Deployment',
    w: { strategy: { rollingUpdate: { maxUnavailable: '3' } } },
    replicas: 6,
    budget: 3,
  },
  {
    name: 'Deployment, maxUnavailable over its replicas: its replicas',
    kind: 'Deployment',
    w: { strategy: { rollingUpdate: { maxUnavailable: 5 } } },
    replicas: 2,
    budget: 2,
  },
  { name: 'Deployment, Recreate: every pod', kind: 'Deployment', w: { strategy: { type: 'Recreate' } }, replicas: 3, budget: 3 },
  { name: 'Deployment scaled to zero: nothing to take down', kind: 'Deployment', w: {}, replicas: 0, budget: 0 },
  { name: 'StatefulSet, default 1', kind: 'StatefulSet', w: {}, replicas: 3, budget: 1 },
  {
    name: 'StatefulSet, maxUnavailable 2',
    kind: 'StatefulSet',
    w: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } },
    replicas: 5,
    budget: 2,
  },
  {
    name: 'StatefulSet, maxUnavailable 30% of 5 rounds down to 1',
    kind: 'StatefulSet',
    w: { updateStrategy: { rollingUpdate: { maxUnavailable: '30%' } } },
    replicas: 5,
    budget: 1,
  },
  {
    name: 'StatefulSet, maxUnavailable 10% of 5 rounds down to 0: at least 1',
    kind: 'StatefulSet',
    w: { updateStrategy: { rollingUpdate: { maxUnavailable: '10%' } } },
    replicas: 5,
    budget: 1,
  },
  { name: 'DaemonSet, default 1', kind: 'DaemonSet', w: {}, replicas: 4, budget: 1 },
  {
    name: 'DaemonSet, maxUnavailable 30% of 4 nodes rounds up',
    kind: 'DaemonSet',
    w: { updateStrategy: { rollingUpdate: { maxUnavailable: '30%' } } },
    replicas: 4,
    budget: 2,
  },
  {
    name: 'DaemonSet, maxSurge 1 maxUnavailable 0 (a surge pod not Ready counts 1)',
    kind: 'DaemonSet',
    w: { updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
    replicas: 4,
    budget: 1,
  },
  { name: 'DaemonSet on no node', kind: 'DaemonSet', w: {}, replicas: 0, budget: 0 },
  {
    name: 'OnDelete pods deleted one at a time',
    kind: 'StatefulSet',
    w: { updateStrategy: { type: 'OnDelete', rollingUpdate: { maxUnavailable: 3 } } },
    replicas: 5,
    action: 'delete-pods',
    budget: 1,
  },
];

for (const c of budgetCases) {
  test(`unavailable budget: ${c.name}`, () => {
    assert.equal(unavailableBudget(c.kind, workload(c.kind, 'ns', 'w', c.w), c.replicas, c.action ?? 'restart'), c.budget);
  });
}

test('namespace gate: start while the budgets in flight and its own fit, wait otherwise, over-limit when its own alone does not', () => {
  assert.equal(namespaceGate(0, 1, 1), 'start');
  assert.equal(namespaceGate(1, 1, 1), 'wait');
  assert.equal(namespaceGate(1, 2, 3), 'start');
  assert.equal(namespaceGate(2, 2, 3), 'wait');
  assert.equal(namespaceGate(0, 3, 3), 'start');
  assert.equal(namespaceGate(0, 4, 3), 'over-limit');
  assert.equal(namespaceGate(2, 4, 3), 'over-limit');
  assert.equal(namespaceGate(3, 0, 3), 'start', 'a workload with no pods takes nothing down');
});

test('the over-limit note names the flag, the budget and the limit', () => {
  assert.equal(
    overLimitNote(3, 2),
    'its rollout may take 3 pods down at once, more than --max-unavailable-per-namespace 2: skipped (raise the limit or lower its maxUnavailable)',
  );
});

const cand = (kind: WorkloadKind, name: string, w: WorkloadSpec = {}): Candidate => {
  const obj = workload(kind, 'ns', name, w);
  return { kind, obj, pods: [pod('ns', `${name}-0`, obj)], reason: 'r', outdatedPods: [] };
};

test('the plan carries each workload its budget; with the limit, one whose budget alone exceeds it is skipped, saying why first', () => {
  const candidates = [
    cand('Deployment', 'small', { replicas: 2 }),
    cand('Deployment', 'big', { replicas: 6, strategy: { rollingUpdate: { maxUnavailable: 3 } } }),
    cand('StatefulSet', 'db', { replicas: 3 }),
  ];
  const plan = (limit?: number) =>
    planRestart(
      { candidates, manual: [], warnings: [] },
      { podDisruptionBudgets: [] },
      { allowDowntime: false, includeOnDelete: false, ...(limit !== undefined ? { maxUnavailablePerNamespace: limit } : {}) },
    );
  assert.deepEqual(
    plan().map((i) => [i.name, i.action, i.unavailableBudget]),
    [
      ['small', 'restart', 1],
      ['big', 'restart', 3],
      ['db', 'restart', 1],
    ],
  );
  const limited = plan(2);
  assert.deepEqual(
    limited.map((i) => [i.name, i.action]),
    [
      ['small', 'restart'],
      ['big', 'skip'],
      ['db', 'restart'],
    ],
  );
  assert.match(limited[1]!.notes[0]!, /^its rollout may take 3 pods down at once, more than --max-unavailable-per-namespace 2: skipped/);
  assert.deepEqual(
    plan(3).map((i) => i.action),
    ['restart', 'restart', 'restart'],
  );
});

test('with the limit, a workload already skipped for another reason keeps that reason', () => {
  const paused = cand('Deployment', 'p', { replicas: 6, paused: true, strategy: { rollingUpdate: { maxUnavailable: 3 } } });
  const [item] = planRestart(
    { candidates: [paused], manual: [], warnings: [] },
    { podDisruptionBudgets: [] },
    { allowDowntime: false, includeOnDelete: false, maxUnavailablePerNamespace: 1 },
  );
  assert.equal(item!.action, 'skip');
  assert.match(item!.notes[0]!, /^paused: skipped/);
  assert.equal(item!.notes.length, 1);
});
