import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planText, reportText, stillOutdatedText } from '../../../src/cli/actions/rollout-restart.js';
import { type RolloutRestartFlags, validateRolloutRestart } from '../../../src/cli/options/rollout-restart.js';
import { ExitCode, UsageError } from '../../../src/errors.js';
import { planOutcomes, toReport } from '../../../src/restart/report.js';
import type { PlanItem } from '../../../src/restart/types.js';

const flags = (f: Partial<RolloutRestartFlags> = {}): RolloutRestartFlags => ({
  kind: 'deployment,statefulset,daemonset',
  concurrency: '1',
  pause: '0s',
  output: 'table',
  istioNamespace: 'istio-system',
  ...f,
});
const ctxNs = () => 'ctx-ns';

test('defaults: the context namespace, all three kinds, sidecar workloads, one at a time, no dry run', () => {
  assert.deepEqual(validateRolloutRestart(flags(), ctxNs), {
    namespaces: ['ctx-ns'],
    kinds: ['Deployment', 'StatefulSet', 'DaemonSet'],
    mode: 'injected',
    istioNamespace: 'istio-system',
    allowDowntime: false,
    includeOnDelete: false,
    concurrency: 1,
    pauseMs: 0,
    continueOnError: false,
    dryRun: 'none',
  });
});

test('flags map onto options', () => {
  const o = validateRolloutRestart(
    flags({
      namespace: ['a', 'b'],
      kind: 'deploy, sts',
      outdated: true,
      concurrency: '3',
      pause: '1m30s',
      timeout: '2m',
      dryRun: 'server',
      selector: 'app=x',
      allowDowntime: true,
      includeOndelete: true,
      continueOnError: true,
    }),
    ctxNs,
  );
  assert.deepEqual(o.namespaces, ['a', 'b']);
  assert.deepEqual(o.kinds, ['Deployment', 'StatefulSet']);
  assert.equal(o.mode, 'outdated');
  assert.equal(o.concurrency, 3);
  assert.equal(o.pauseMs, 90_000);
  assert.equal(o.timeoutMs, 120_000);
  assert.equal(o.dryRun, 'server');
  assert.equal(o.labelSelector, 'app=x');
  assert.ok(o.allowDowntime && o.includeOnDelete && o.continueOnError);
  assert.equal(validateRolloutRestart(flags({ allNamespaces: true }), ctxNs).namespaces, 'all');
  assert.equal(validateRolloutRestart(flags({ dryRun: true }), ctxNs).dryRun, 'client');
  assert.equal(validateRolloutRestart(flags({ all: true }), ctxNs).mode, 'all');
});

test('--max-unavailable-per-namespace N sets the limit; without it there is none', () => {
  assert.equal(validateRolloutRestart(flags({ maxUnavailablePerNamespace: '2' }), ctxNs).maxUnavailablePerNamespace, 2);
  assert.ok(!('maxUnavailablePerNamespace' in validateRolloutRestart(flags(), ctxNs)));
});

const usage: [string, Partial<RolloutRestartFlags>, RegExp][] = [
  ['-A with -n', { allNamespaces: true, namespace: ['x'] }, /cannot be used together/],
  ['--all with --outdated', { all: true, outdated: true }, /--all and --outdated/],
  ['an unknown kind suggests the closest', { kind: 'deploymnet' }, /--kind: "deploymnet" .*did you mean "deployment"/],
  ['a kind that cannot be restarted', { kind: 'job' }, /"job" is not a kind that can be restarted/],
  ['--concurrency 0', { concurrency: '0' }, /--concurrency: expected a whole number of at least 1/],
  [
    '--max-unavailable-per-namespace 0',
    { maxUnavailablePerNamespace: '0' },
    /^--max-unavailable-per-namespace: expected a whole number of at least 1, got "0"$/,
  ],
  ['--max-unavailable-per-namespace 1.5', { maxUnavailablePerNamespace: '1.5' }, /^--max-unavailable-per-namespace: expected a whole number of at least 1/],
  ['--max-unavailable-per-namespace -1', { maxUnavailablePerNamespace: '-1' }, /^--max-unavailable-per-namespace: expected a whole number of at least 1/],
  ['--max-unavailable-per-namespace 25%', { maxUnavailablePerNamespace: '25%' }, /^--max-unavailable-per-namespace: expected a whole number of at least 1/],
  ['a bad --pause', { pause: 'soon' }, /--pause: invalid duration "soon"/],
  ['--timeout 0s', { timeout: '0s' }, /--timeout: must be more than 0/],
  ['a bad --dry-run mode', { dryRun: 'maybe' }, /--dry-run: "maybe" .*client or server/],
  ['a bad namespace name', { namespace: ['Bad_NS'] }, /--namespace: "Bad_NS" is not a valid namespace name/],
  ['a namespace name over 63 characters', { namespace: ['a'.repeat(64)] }, /--namespace: "a{64}" is not a valid namespace name/],
];
for (const [name, f, re] of usage) {
  test(`usage error: ${name}`, () => {
    assert.throws(
      () => validateRolloutRestart(flags(f), ctxNs),
      (err: unknown) => err instanceof UsageError && err.exitCode === ExitCode.Usage && re.test(err.message),
    );
  });
}

const item = (over: Partial<PlanItem>): PlanItem => ({
  kind: 'Deployment',
  namespace: 'shop',
  name: 'reviews',
  apiVersion: 'apps/v1',
  replicas: 3,
  action: 'restart',
  flags: [],
  reason: '3/3 pods with sidecar',
  notes: [],
  progressDeadlineMs: 600_000,
  pods: [],
  ...over,
});

test('the plan names skipped, flagged and manual workloads with the reason', () => {
  const text = planText(
    [
      item({}),
      item({
        name: 'single',
        replicas: 1,
        action: 'skip',
        flags: ['downtime'],
        notes: ['downtime: 1 replica with maxSurge 0: …; skipped (pass --allow-downtime to restart it anyway)'],
      }),
      item({ name: 'web', flags: ['pdb-blocks'], notes: ['PodDisruptionBudget web allows no disruption now'] }),
      item({ kind: 'Job', name: 'migrate', replicas: undefined, action: 'manual', flags: ['not-rollable'], notes: ['Job pods cannot be rolled'] }),
    ],
    false,
  );
  const lines = text.split('\n');
  assert.match(lines[0]!, /^WORKLOAD\s+REPLICAS\s+ACTION\s+FLAGS\s+WHY$/);
  assert.match(lines[1]!, /^deployment\/reviews\s+3\s+restart\s+-\s+3\/3 pods with sidecar$/);
  assert.match(lines[2]!, /^deployment\/single\s+1\s+skip\s+downtime\s+downtime: .*--allow-downtime/);
  assert.match(lines[4]!, /^job\/migrate\s+-\s+manual\s+not-rollable\s+Job pods cannot be rolled$/);
  assert.match(text, /\n {2}deployment\/web: PodDisruptionBudget web allows no disruption now\n/);
});

test('the report table and its summary line', () => {
  const r = toReport(planOutcomes([item({}), item({ name: 'x', action: 'skip', notes: ['paused'] })]), 'client', []);
  const text = reportText(r, true);
  assert.match(text, /^NAMESPACE\s+WORKLOAD\s+KIND\s+REPLICAS\s+TIME\s+RESULT\s+MESSAGE\n/);
  assert.match(text, /shop\s+deployment\/reviews\s+Deployment\s+3\s+-\s+planned\s+would restart/);
  assert.match(text, /\n1 skipped, 1 planned\n$|\n1 planned, 1 skipped\n$/);
});

test('after an --outdated run: what is still outdated, one line each, or that nothing is', () => {
  assert.equal(stillOutdatedText([]), 'No outdated sidecar is left in the selected namespaces.\n');
  assert.equal(
    stillOutdatedText([
      { namespace: 'shop', kind: 'Deployment', name: 'web', reason: '1/2 pods outdated: proxy image a, injector has b' },
      { namespace: 'shop', kind: 'Job', name: 'migrate', reason: 'Job pods cannot be rolled' },
    ]),
    'Still outdated (2):\n  shop/deployment/web: 1/2 pods outdated: proxy image a, injector has b\n  shop/job/migrate: Job pods cannot be rolled\n',
  );
});
