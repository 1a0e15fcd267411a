import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadinessTimeoutError, executeInstall } from '../../../src/apply/execute.js';
import { countActions, hasChanges, planInstall } from '../../../src/apply/plan.js';
import type { KubeObject } from '../../../src/model/k8s.js';
import { recordingProgress } from '../../../src/output/progress.js';
import { ClusterFake, fakeClock, readyStatus, rendered } from './fixtures.js';

const OPTS = { revision: undefined, version: '1.31.1', namespace: 'istio-system' };

async function install(kube: ClusterFake, objects: KubeObject[], lines: string[] = [], timeoutMs = 300_000) {
  const plan = await planInstall(kube, objects, OPTS);
  const result = await executeInstall(plan, { kube, progress: recordingProgress(lines), ...fakeClock() }, { readinessTimeoutMs: timeoutMs });
  return { plan, result };
}

function applied(kube: ClusterFake): string[] {
  return kube.calls.filter((c) => c.startsWith('apply ') && !c.startsWith('apply --dry-run ')).map((c) => c.slice('apply '.length));
}

function dryRuns(kube: ClusterFake): string[] {
  return kube.calls.filter((c) => c.startsWith('apply --dry-run ')).map((c) => c.slice('apply --dry-run '.length));
}

test('a fresh install creates the namespace and applies components in dependency order, webhooks last', async () => {
  const kube = new ClusterFake();
  const lines: string[] = [];
  const { plan } = await install(kube, rendered(), lines);
  assert.deepEqual(plan.namespaces, ['istio-system']);
  assert.equal(countActions(plan).create, 11);
  assert.ok(kube.calls.includes('create Namespace istio-system'));
  // planning sends each new object to the server as a dry run first (validation before any change)
  assert.equal(dryRuns(kube).length, 11);
  const order = applied(kube);
  const idx = (s: string) => order.indexOf(s);
  assert.ok(idx('CustomResourceDefinition virtualservices.networking.istio.io') < idx('Deployment istio-system/istiod'));
  assert.ok(idx('Deployment istio-system/istiod') < idx('MutatingWebhookConfiguration istio-sidecar-injector'));
  assert.ok(idx('Service istio-system/istiod') < idx('MutatingWebhookConfiguration istio-sidecar-injector'));
  assert.ok(idx('MutatingWebhookConfiguration istio-sidecar-injector') < idx('Deployment istio-system/istio-ingressgateway'));
  // owner labels stamped
  const istiod = await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'istio-system', name: 'istiod' });
  assert.deepEqual(Object.fromEntries(Object.entries(istiod?.metadata.labels ?? {}).filter(([k]) => k.includes('istio.io/'))), {
    'install.operator.istio.io/owning-resource-namespace': 'istio-system',
    'operator.istio.io/component': 'Pilot',
    'operator.istio.io/managed': 'Reconcile',
    'operator.istio.io/version': '1.31.1',
    'istio.io/rev': 'default',
  });
  const oks = lines.filter((l) => l.startsWith('ok: '));
  assert.deepEqual(oks.slice(0, 2), ['ok: Istio core installed ⛵️', 'ok: Istiod installed 🧠']);
  assert.deepEqual(oks.slice(2).sort(), ['ok: Egress gateways installed 🛫', 'ok: Ingress gateways installed 🛬']);
});

test('a second install with the same input plans no change and applies nothing', async () => {
  const kube = new ClusterFake();
  await install(kube, rendered());
  const before = kube
    .all()
    .map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`)
    .sort();
  kube.calls.length = 0;
  const { plan, result } = await install(kube, rendered());
  assert.equal(hasChanges(plan), false);
  assert.deepEqual(countActions(plan), { create: 0, update: 0, unchanged: 11, prune: 0 });
  assert.equal(applied(kube).length, 0);
  assert.equal(dryRuns(kube).length, 11, 'only the dry-run applies of planning');
  assert.ok(result.components.every((c) => c.applied === 0));
  const after = kube
    .all()
    .map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`)
    .sort();
  assert.deepEqual(after, before);
});

test('an override change is planned as an update naming the field, then applied and waited for', async () => {
  const kube = new ClusterFake();
  await install(kube, rendered());
  const { plan } = await install(kube, rendered({ istiodReplicas: 3 }));
  const updates = plan.objects.filter((o) => o.action === 'update');
  assert.deepEqual(
    updates.map((u) => [u.object.metadata.name, u.changes]),
    [['istiod', ['spec.replicas']]],
  );
  const istiod = await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'istio-system', name: 'istiod' });
  assert.equal((istiod?.['spec'] as { replicas: number }).replicas, 3);
  assert.equal((istiod?.['status'] as { availableReplicas: number }).availableReplicas, 3);
});

test('objects of this installation that are no longer rendered are pruned, never CRDs and never other revisions', async () => {
  const kube = new ClusterFake();
  await install(kube, rendered());
  // another revision's object with the same component must survive
  kube.update({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'istiod-canary',
      namespace: 'istio-system',
      labels: { 'operator.istio.io/component': 'Pilot', 'operator.istio.io/managed': 'Reconcile', 'istio.io/rev': 'canary' },
    },
  });
  const lines: string[] = [];
  const withoutEgressAndOneCrd = rendered({ egress: false }).filter((o) => o.metadata.name !== 'gateways.networking.istio.io');
  const { plan, result } = await install(kube, withoutEgressAndOneCrd, lines);
  assert.deepEqual(
    plan.prune.map((o) => o.metadata.name),
    ['istio-egressgateway'],
  );
  assert.deepEqual(result.pruned, ['Deployment/istio-system/istio-egressgateway']);
  assert.ok(lines.includes('info:   Removed Deployment/istio-system/istio-egressgateway.'));
  const names = kube.all().map((o) => o.metadata.name);
  assert.ok(!names.includes('istio-egressgateway'));
  assert.ok(names.includes('gateways.networking.istio.io'), 'CRDs are never pruned');
  assert.ok(names.includes('istiod-canary'));
});

test('a readiness timeout names each unready object with the reason from its pods, and dependents are not applied', async () => {
  const kube = new ClusterFake();
  kube.stuck.add('istiod');
  kube.update({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'istiod-abc', namespace: 'istio-system', labels: { app: 'istiod', istio: 'pilot' }, creationTimestamp: '2026-01-01T00:00:01Z' },
    status: {
      phase: 'Pending',
      containerStatuses: [
        { name: 'discovery', ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "pilot:nope"' } } },
      ],
    },
  });
  const lines: string[] = [];
  await assert.rejects(install(kube, rendered(), lines, 10_000), (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /^Istiod: resources not ready after 10s$/);
    const details = (err as ReadinessTimeoutError).details;
    assert.ok(
      details.includes('Deployment/istio-system/istiod (container discovery failed to start: ImagePullBackOff: Back-off pulling image "pilot:nope")'),
      details.join('\n'),
    );
    assert.ok(details.includes('Ingress gateways was not installed because Istiod failed'));
    return true;
  });
  assert.ok(lines.includes('fail: Istiod encountered an error: resources not ready after 10s'));
  assert.ok(lines.some((l) => l.includes('Waiting for Deployment/istio-system/istiod')));
  assert.ok(!applied(kube).includes('Deployment istio-system/istio-ingressgateway'));
  assert.ok(!applied(kube).includes('MutatingWebhookConfiguration istio-sidecar-injector'), 'no injector in front of an istiod that is not ready');
});

test('an interrupted install converges on the next run', async () => {
  const kube = new ClusterFake();
  const controller = new AbortController();
  const plan = await planInstall(kube, rendered(), OPTS);
  kube.stuck.add('istiod');
  const clock = fakeClock();
  const run = executeInstall(
    plan,
    {
      kube,
      progress: recordingProgress([]),
      now: clock.now,
      sleep: async (ms) => {
        controller.abort();
        await clock.sleep(ms);
      },
      signal: controller.signal,
    },
    { readinessTimeoutMs: 60_000 },
  );
  await assert.rejects(run, /interrupted/);
  assert.ok(!applied(kube).includes('Deployment istio-system/istio-ingressgateway'));
  kube.stuck.clear();
  // meanwhile the controllers made the applied istiod ready
  const istiod = await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'istio-system', name: 'istiod' });
  kube.update(readyStatus(istiod!));
  kube.calls.length = 0;
  await install(kube, rendered());
  // istiod was applied but not ready: re-applied (its status now ready) and the rest created
  assert.ok(applied(kube).includes('Deployment istio-system/istio-ingressgateway'));
  const second = await planInstall(kube, rendered(), OPTS);
  assert.equal(hasChanges(second), false);
});

test('cluster errors name the object and the cause in one line', async () => {
  const kube = new ClusterFake();
  const { KubeApiError } = await import('../../../src/kube/client.js');
  kube.apply = async (o) => {
    throw new KubeApiError(
      403,
      'Forbidden',
      `apply ${o.kind} ${o.metadata.name}: forbidden: User "dev" cannot patch resource`,
      `apply ${o.kind} ${o.metadata.name}`,
    );
  };
  // Refused already in the plan's dry run, before anything changed.
  await assert.rejects(planInstall(kube, rendered().slice(0, 1), OPTS), {
    message:
      /^apply CustomResourceDefinition virtualservices.networking.istio.io: forbidden: User "dev" cannot patch resource \(check that your account may do this: kubectl auth can-i\)$/,
  });
  assert.deepEqual(
    kube.calls.filter((c) => !c.startsWith('get ') && !c.startsWith('list ')),
    [],
  );
  // A refusal during the apply itself names the component too.
  const plan = await planInstall(new ClusterFake(), rendered().slice(0, 1), OPTS);
  await assert.rejects(executeInstall(plan, { kube, progress: recordingProgress([]), ...fakeClock() }, { readinessTimeoutMs: 1000 }), {
    message:
      /^Istio core: apply CustomResourceDefinition virtualservices.networking.istio.io: forbidden: User "dev" cannot patch resource \(check that your account may do this: kubectl auth can-i\)$/,
  });
});

test('the live line names the first object waited for and how many more, so it stays one line (issue 12)', async () => {
  const { waitingText, LiveLine } = await import('../../../src/apply/execute.js');
  const crds = Array.from({ length: 14 }, (_, i) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `crd${i}.networking.istio.io` },
  }));
  assert.equal(waitingText(crds), 'CustomResourceDefinition/crd0.networking.istio.io and 13 more');
  assert.equal(waitingText(crds.slice(0, 1)), 'CustomResourceDefinition/crd0.networking.istio.io');
  const lines: string[] = [];
  const live = new LiveLine(recordingProgress(lines));
  live.begin('Base');
  live.waiting('Base', waitingText(crds));
  assert.ok(
    lines.every((l) => !l.includes('crd1.')),
    lines.join('\n'),
  );
});

test('the spinner keeps its live text to the terminal width: each line cut with …, colour codes not counted (issue 12)', async () => {
  const { fitLines } = await import('../../../src/output/progress.js');
  const text = 'Processing resources for Istio core. Waiting for CustomResourceDefinition/authorizationpolicies.security.istio.io and 13 more';
  const cut = fitLines(text, 80);
  assert.equal([...cut].length, 77, cut); // 80 - the spinner and its space - the cursor's last column
  assert.ok(cut.endsWith('…') && text.startsWith(cut.slice(0, -1)), cut);
  assert.equal(fitLines('short', 80), 'short');
  assert.equal(fitLines(text, undefined), text, 'no width (not a terminal): unchanged');
  const exact = 'x'.repeat(77);
  assert.equal(fitLines(exact, 80), exact, 'a line that just fits is not cut');
  const board = `[1/2] a restarting ${'.'.repeat(100)}\n[2/2] b restarting`;
  const lines = fitLines(board, 40).split('\n');
  assert.equal([...lines[0]!].length, 37);
  assert.equal(lines[1], '[2/2] b restarting');
  const red = `\u001b[31m${'y'.repeat(100)}\u001b[39m`;
  const redCut = fitLines(red, 40);
  assert.equal(redCut.replace(/\u001b\[[0-9;]*m/g, '').length, 37);
  assert.ok(redCut.startsWith('\u001b[31m') && redCut.endsWith('…\u001b[0m'), JSON.stringify(redCut));
});
