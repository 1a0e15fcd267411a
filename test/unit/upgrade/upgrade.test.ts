// mesh upgrade: the state record (state.ts), what moves (scope.ts), the flag checks, and the run's
// decisions that need no control plane (which revision to leave, resuming, refusing a second
// upgrade), on the in-memory fake. The steps themselves run on the real istiod: test/e2e/upgrade.e2e.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, UsageError, exitCodeOf } from '../../../src/errors.js';
import { FakeKubeClient } from '../../../src/kube/fake.js';
import type { KubeObject } from '../../../src/model/k8s.js';
import { validateUpgradeFlags, type UpgradeFlags } from '../../../src/cli/options/upgrade.js';
import { type UpgradeDeps, type UpgradeOptions, runUpgrade } from '../../../src/upgrade/run.js';
import { podsOnRevision, upgradeScope } from '../../../src/upgrade/scope.js';
import { STATE_CONFIGMAP, isDone, newState, parseState, stateObject, withStep } from '../../../src/upgrade/state.js';

const T0 = new Date('2026-12-01T10:00:00Z');

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const tagHook = (tag: string, rev: string): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'MutatingWebhookConfiguration',
  metadata: { name: `istio-revision-tag-${tag}`, labels: { 'istio.io/tag': tag, 'istio.io/rev': rev } },
  webhooks: [],
});
const pod = (namespace: string, name: string, rev: string | undefined, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace,
    ...(rev !== undefined ? { annotations: { 'sidecar.istio.io/status': JSON.stringify({ revision: rev, containers: ['istio-proxy'] }) } } : {}),
    ...extra,
  },
  spec: { containers: [{ name: 'app' }, ...(rev !== undefined ? [{ name: 'istio-proxy' }] : [])] },
  status: { phase: 'Running' },
});
const istiod = (rev: string | undefined): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: rev ? `istiod-${rev}` : 'istiod', namespace: 'istio-system', labels: { app: 'istiod', ...(rev ? { 'istio.io/rev': rev } : {}) } },
  spec: { replicas: 1 },
});

test('state: survives the ConfigMap round trip; a broken one is an input error naming it', () => {
  let s = newState('old', 'new', T0);
  s = withStep(s, 'precheck', 'done', '12 checks', T0);
  s = withStep(s, 'install', 'failed', 'interrupted', T0);
  s = {
    ...s,
    tags: [
      { tag: 'prod', from: 'old' },
      { tag: 'default', from: undefined },
    ],
    labels: [{ namespace: 'a', key: 'istio.io/rev', from: 'old', to: 'new' }],
    namespaces: ['a'],
  };
  const cm = stateObject(s, 'istio-system');
  assert.equal(cm.metadata.name, STATE_CONFIGMAP);
  assert.deepEqual(parseState(JSON.parse(JSON.stringify(cm)) as KubeObject), s);
  assert.ok(isDone(s, 'precheck'));
  assert.ok(!isDone(s, 'install'));
  for (const data of [{}, { state: 'not json' }, { state: '{"format":2}' }, { state: JSON.stringify({ ...s, format: 1, status: 'weird' }) }]) {
    const bad = { ...cm, data };
    assert.throws(
      () => parseState(bad),
      (e: unknown) => e instanceof InputError && exitCodeOf(e) === 65 && /mesh-upgrade/.test(e.message),
    );
  }
});

test('scope: revision labels are relabelled, tags move, istio-injection namespaces follow the default tag', () => {
  const snap = {
    istioNamespace: 'istio-system',
    namespaces: [ns('istio-system'), ns('a', { 'istio.io/rev': 'old' }), ns('b', { 'istio.io/rev': 'prod' }), ns('c'), ns('d', { 'istio.io/rev': 'other' })],
    mutatingWebhooks: [tagHook('prod', 'old'), tagHook('stable', 'other')],
    pods: [
      pod('a', 'a-1', 'old'),
      pod('b', 'b-1', 'old'),
      pod('b', 'b-2', 'new'),
      pod('b', 'b-gone', 'old', { deletionTimestamp: '2026-12-01T09:00:00Z' }),
      pod('c', 'c-1', undefined),
      pod('d', 'd-1', 'other'),
      pod('istio-system', 'istio-ingressgateway-1', 'old'),
    ],
  };
  const s = upgradeScope(snap, 'old', 'new');
  assert.deepEqual(s.tags, [{ tag: 'prod', from: 'old' }]);
  assert.deepEqual(s.namespaces, [
    { name: 'a', relabel: { key: 'istio.io/rev', from: 'old', to: 'new' }, podsOnOld: ['a-1'] },
    { name: 'b', podsOnOld: ['b-1'] },
  ]);
  assert.deepEqual(s.leftOut, []);
  assert.deepEqual(podsOnRevision(snap, 'old'), ['a/a-1', 'b/b-1']);
  const group = upgradeScope(snap, 'old', 'new', { namespaces: ['b'] });
  assert.deepEqual(
    group.namespaces.map((n) => n.name),
    ['b'],
  );
  assert.deepEqual(group.leftOut, ['a'], 'a keeps the old revision alive');

  // Leaving the default revision: the tag default is created for the new one (istio-injection=enabled
  // and the default validator must not stay on an istiod about to go, istio/istio#43227).
  const fromDefault = upgradeScope(
    { istioNamespace: 'istio-system', namespaces: [ns('e', { 'istio-injection': 'enabled' })], mutatingWebhooks: [], pods: [pod('e', 'e-1', 'default')] },
    'default',
    'new',
  );
  assert.deepEqual(fromDefault.tags, [{ tag: 'default', from: undefined }]);
  assert.deepEqual(fromDefault.namespaces, [{ name: 'e', podsOnOld: ['e-1'] }]);
});

const base: UpgradeFlags = { revision: 'new', istioNamespace: 'istio-system', readinessTimeout: '5m', concurrency: '1', output: 'table' };

test('flags: each bad value is a usage error naming the flag', () => {
  const cases: [Partial<UpgradeFlags>, RegExp][] = [
    [{ revision: '' }, /^-r\/--revision: required/],
    [{ revision: 'New' }, /^-r\/--revision: "New" is not a valid revision/],
    [{ from: 'new' }, /^--from: .* must differ/],
    [{ istioNamespace: 'Bad_NS' }, /-i\/--istio-namespace/],
    [{ namespaces: ['a', 'B'] }, /^--namespaces/],
    [{ namespaces: [','] }, /^--namespaces: name at least one/],
    [{ namespaces: ['a'], selector: 'env=dev' }, /^--namespaces and -l\/--selector/],
    [{ selector: 'env=' + 'x'.repeat(70) }, /^-l\/--selector/],
    [{ rollback: true, pauseBetween: true }, /^--rollback: /],
    [{ rollback: true, from: 'old' }, /^--rollback: .*--from/],
    [{ readinessTimeout: '0s' }, /^--readiness-timeout/],
    [{ concurrency: '0' }, /^--concurrency/],
    [{ timeout: 'soon' }, /^--timeout/],
    [{ maxUnavailablePerNamespace: '0' }, /^--max-unavailable-per-namespace/],
  ];
  for (const [flags, message] of cases) {
    assert.throws(
      () => validateUpgradeFlags({ ...base, ...flags }),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
      JSON.stringify(flags),
    );
  }
  const ok = validateUpgradeFlags({ ...base, namespaces: ['b,a', 'a'], yes: true });
  assert.deepEqual(ok.options.namespaces, ['a', 'b']);
  assert.equal(ok.skipConfirmation, true);
  assert.equal(ok.options.restart.maxUnavailablePerNamespace, undefined);
  assert.equal(validateUpgradeFlags({ ...base, maxUnavailablePerNamespace: '3' }).options.restart.maxUnavailablePerNamespace, 3);
});

const options: UpgradeOptions = {
  to: 'new',
  istioNamespace: 'istio-system',
  pauseBetween: false,
  keepOld: false,
  rollback: false,
  dryRun: true,
  readinessTimeoutMs: 1000,
  restart: { concurrency: 1, includeOnDelete: false, allowDowntime: false },
};

function deps(kube: FakeKubeClient): UpgradeDeps {
  const line = { update: () => undefined, succeed: () => undefined, fail: () => undefined };
  return {
    kube,
    now: () => T0,
    progress: { start: () => line, info: () => undefined, warn: () => undefined },
    sleep: async () => undefined,
    render: async () => ({ objects: [], namespace: 'istio-system' }),
    renderedByOthers: async () => new Map(),
  };
}

test('run: which revision to leave; an upgrade in progress is resumed, not replaced', async () => {
  const none = new FakeKubeClient([ns('istio-system')]);
  await assert.rejects(runUpgrade(options, deps(none)), (e: unknown) => e instanceof UsageError && /no control plane to upgrade from/.test(e.message));

  const two = new FakeKubeClient([ns('istio-system'), istiod('a'), istiod('b')]);
  await assert.rejects(
    runUpgrade(options, deps(two)),
    (e: unknown) => e instanceof UsageError && /several revisions are installed \(a, b\).*--from/.test(e.message),
  );
  await assert.rejects(
    runUpgrade({ ...options, from: 'c' }, deps(two)),
    (e: unknown) => e instanceof UsageError && /^--from: revision "c" is not installed/.test(e.message),
  );

  const one = new FakeKubeClient([ns('istio-system'), istiod('old'), ns('a', { 'istio.io/rev': 'old' }), pod('a', 'a-1', 'old')]);
  const plan = await runUpgrade(options, deps(one));
  assert.equal(plan.outcome, 'planned');
  assert.equal(plan.from, 'old');
  assert.deepEqual(
    plan.steps.map((s) => `${s.id} ${s.status}`),
    ['precheck planned', 'install planned', 'verify planned', 'tags planned', 'namespace/a planned', 'uninstall planned'],
  );
  assert.equal(
    await one.get({ apiVersion: 'v1', kind: 'ConfigMap', name: STATE_CONFIGMAP, namespace: 'istio-system' }),
    undefined,
    'a dry run writes no state',
  );

  // A recorded upgrade old → new that stopped at install: resumed from there; another -r is refused.
  let s = withStep(newState('old', 'new', T0), 'precheck', 'done', 'ok', T0);
  s = withStep(s, 'install', 'failed', 'interrupted', T0);
  await one.create(stateObject(s, 'istio-system'));
  const resumed = await runUpgrade(options, deps(one));
  assert.deepEqual(
    resumed.steps.slice(0, 2).map((x) => `${x.id} ${x.status}`),
    ['precheck done', 'install failed'],
  );
  await assert.rejects(
    runUpgrade({ ...options, to: 'newer' }, deps(one)),
    (e: unknown) => e instanceof UsageError && /an upgrade from old to new is in progress .*--rollback/.test(e.message),
  );
  await assert.rejects(
    runUpgrade({ ...options, rollback: true, to: 'newer' }, deps(one)),
    (e: unknown) => e instanceof UsageError && /^--rollback: no upgrade to revision newer/.test(e.message),
  );
});
