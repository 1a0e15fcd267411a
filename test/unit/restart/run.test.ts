import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeKubeClient } from '../../../src/kube/fake.js';
import type { KubeObject } from '../../../src/model/k8s.js';
import { run, type RolloutRestartOptions } from '../../../src/restart/index.js';
import { isPodReady } from '../../../src/restart/k8s.js';
import { executePlan } from '../../../src/restart/run.js';
import { RESTARTED_AT } from '../../../src/restart/status.js';
import type { PlanItem } from '../../../src/restart/types.js';
import { HUB, injectorConfigMap, namespace, pod, proxyValues, replicaSet, workload } from './fixtures.js';

type Behaviour = 'ok' | 'fail' | 'hang';

/** A stand-in for the workload controllers: reacts to a new generation by finishing (or failing) the rollout. */
function startController(fake: FakeKubeClient, behaviour: (name: string) => Behaviour = () => 'ok'): () => void {
  const ac = new AbortController();
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet']) {
    void fake.watch(
      'apps/v1',
      kind,
      { resourceVersion: '0' },
      (type, o) => {
        if (type === 'DELETED') return;
        const gen = o.metadata.generation ?? 0;
        const st = (o['status'] ?? {}) as Record<string, unknown>;
        if (gen <= ((st['observedGeneration'] as number | undefined) ?? 0)) return;
        setImmediate(() => fake.update(progressed(o, behaviour(o.metadata.name!), fake)));
      },
      ac.signal,
    );
  }
  return () => ac.abort();
}

function progressed(o: KubeObject, b: Behaviour, fake: FakeKubeClient): KubeObject {
  const replicas = ((o['spec'] as Record<string, unknown>)['replicas'] as number | undefined) ?? 1;
  const gen = o.metadata.generation;
  let status: Record<string, unknown>;
  if (b === 'ok') {
    status =
      o.kind === 'DaemonSet'
        ? { observedGeneration: gen, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }
        : {
            observedGeneration: gen,
            replicas,
            updatedReplicas: replicas,
            readyReplicas: replicas,
            availableReplicas: replicas,
            currentRevision: 'b',
            updateRevision: 'b',
          };
  } else {
    fake.update(
      pod(o.metadata.namespace!, `${o.metadata.name}-new`, undefined, {
        labels: { app: o.metadata.name! },
        created: '2026-02-01T00:00:00Z',
        status: {
          phase: 'Pending',
          containerStatuses: [{ name: 'app', ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "app:nope"' } } }],
        },
      }),
    );
    status = { observedGeneration: gen, replicas: replicas + 1, updatedReplicas: 1, availableReplicas: replicas };
    if (b === 'fail') status['conditions'] = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }];
  }
  return { ...o, status };
}

function cluster(n: number, extra: KubeObject[] = []): FakeKubeClient {
  const objs: KubeObject[] = [namespace('app', { 'istio-injection': 'enabled' })];
  for (let i = 1; i <= n; i++) {
    const d = workload('Deployment', 'app', `d${i}`, { replicas: 2, status: { observedGeneration: 1 } });
    const rs = replicaSet(d);
    objs.push(d, rs, pod('app', `d${i}-a`, rs, { proxyImage: `${HUB}/proxyv2:1.30.0` }));
  }
  return new FakeKubeClient([...objs, ...extra]);
}

const options = (o: Partial<RolloutRestartOptions> = {}): RolloutRestartOptions => ({
  namespaces: ['app'],
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet'],
  mode: 'injected',
  istioNamespace: 'istio-system',
  allowDowntime: false,
  includeOnDelete: false,
  concurrency: 1,
  pauseMs: 0,
  continueOnError: false,
  dryRun: 'none',
  ...o,
});
const now = (): Date => new Date('2026-11-22T05:40:00Z');
const restartedAt = (fake: FakeKubeClient, name: string): string | undefined => {
  const o = fake.all().find((x) => x.kind === 'Deployment' && x.metadata.name === name)!;
  return (
    (((o['spec'] as Record<string, unknown>)['template'] as Record<string, unknown>)['metadata'] as Record<string, unknown>)['annotations'] as Record<
      string,
      string
    >
  )[RESTARTED_AT];
};
const patches = (fake: FakeKubeClient): string[] => fake.calls.filter((c) => c.startsWith('patch '));

test('restarts every selected workload, one patch and one watch each, and reports it', async () => {
  const fake = cluster(3);
  const stop = startController(fake);
  const r = await run(options(), { kube: fake, now });
  stop();
  assert.deepEqual(
    r.report.workloads.map((w) => [w.name, w.result, w.message]),
    [
      ['d1', 'restarted', '2/2 updated'],
      ['d2', 'restarted', '2/2 updated'],
      ['d3', 'restarted', '2/2 updated'],
    ],
  );
  assert.equal(r.report.summary.restarted, 3);
  for (const n of ['d1', 'd2', 'd3']) assert.equal(restartedAt(fake, n), '2026-11-22T05:40:00Z');
  assert.deepEqual(patches(fake), ['patch Deployment app/d1', 'patch Deployment app/d2', 'patch Deployment app/d3']);
  assert.equal(fake.calls.filter((c) => c === 'watch Deployment app').length, 3);
});

for (const concurrency of [1, 2, 3]) {
  test(`never more than --concurrency ${concurrency} workloads in flight, and that many when there is work`, async () => {
    const fake = cluster(7);
    const stop = startController(fake);
    let inFlight = 0;
    let max = 0;
    const r = await run(options({ concurrency }), {
      kube: fake,
      now,
      events: {
        started: () => void (max = Math.max(max, ++inFlight)),
        finished: () => void inFlight--,
      },
    });
    stop();
    assert.equal(r.report.summary.restarted, 7);
    assert.equal(max, concurrency);
  });
}

test('a failed rollout stops the run: later workloads are not touched, the reason comes from the pods', async () => {
  const fake = cluster(4);
  const stop = startController(fake, (n) => (n === 'd2' ? 'fail' : 'ok'));
  const r = await run(options(), { kube: fake, now });
  stop();
  assert.deepEqual(
    r.report.workloads.map((w) => w.result),
    ['restarted', 'failed', 'not-started', 'not-started'],
  );
  const failed = r.report.workloads[1]!;
  assert.match(failed.message, /exceeded its progress deadline/);
  assert.deepEqual(failed.problems, ['pod d2-new: container app ImagePullBackOff (Back-off pulling image "app:nope")']);
  assert.equal(restartedAt(fake, 'd3'), undefined);
  assert.equal(restartedAt(fake, 'd4'), undefined);
  assert.deepEqual(patches(fake), ['patch Deployment app/d1', 'patch Deployment app/d2']);
});

test('--continue-on-error goes on after a failure', async () => {
  const fake = cluster(3);
  const stop = startController(fake, (n) => (n === 'd1' ? 'fail' : 'ok'));
  const r = await run(options({ continueOnError: true }), { kube: fake, now });
  stop();
  assert.deepEqual(
    r.report.workloads.map((w) => w.result),
    ['failed', 'restarted', 'restarted'],
  );
});

test("--timeout ends a rollout that makes no progress, as a timeout with the pods' reasons", async () => {
  const fake = cluster(2);
  const stop = startController(fake, () => 'hang');
  const r = await run(options({ timeoutMs: 40 }), { kube: fake, now });
  stop();
  assert.deepEqual(
    r.report.workloads.map((w) => w.result),
    ['timeout', 'not-started'],
  );
  assert.match(r.report.workloads[0]!.message, /timed out after 40ms: 1 out of 2 new replicas have been updated/);
  assert.match(r.report.workloads[0]!.problems[0]!, /ImagePullBackOff/);
});

test('without --timeout the progress deadline counts time without progress', async () => {
  const fake = cluster(1);
  const stop = startController(fake, () => 'hang');
  const pending: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const timers = {
    setTimeout: (fn: () => void, ms: number) => {
      const t = { fn, ms, cleared: false };
      pending.push(t);
      return t;
    },
    clearTimeout: (h: unknown) => void ((h as { cleared: boolean }).cleared = true),
  };
  const done = run(options(), { kube: fake, now, timers });
  // Wait until the controller's progress has been seen: the first deadline was replaced by a new one.
  while (pending.length < 2) await new Promise((r) => setImmediate(r));
  assert.ok(pending.every((t) => t.ms === 600_000));
  assert.equal(pending.filter((t) => !t.cleared).length, 1);
  pending.find((t) => !t.cleared)!.fn();
  const r = await done;
  stop();
  assert.equal(r.report.workloads[0]!.result, 'timeout');
  assert.match(r.report.workloads[0]!.message, /no progress for 10m \(its progress deadline\)/);
});

test('--pause waits between workloads', async () => {
  const fake = cluster(2);
  const stop = startController(fake);
  const times: number[] = [];
  await run(options({ pauseMs: 60 }), {
    kube: fake,
    now,
    events: { started: () => void times.push(performance.now()), finished: () => void times.push(performance.now()) },
  });
  stop();
  assert.equal(times.length, 4);
  assert.ok(times[2]! - times[1]! >= 55, `second start ${times[2]! - times[1]!}ms after the first finished`);
});

test('Ctrl-C (abort) starts nothing new and reports the rollouts in flight', async () => {
  const fake = cluster(4);
  const stop = startController(fake, () => 'hang');
  const ac = new AbortController();
  let started = 0;
  const r = await run(
    options({ concurrency: 2 }),
    {
      kube: fake,
      now,
      events: { started: () => void (++started === 2 && setImmediate(() => ac.abort())) },
    },
    ac.signal,
  );
  stop();
  assert.equal(r.interrupted, true);
  assert.deepEqual(
    r.report.workloads.map((w) => w.result),
    ['interrupted', 'interrupted', 'not-started', 'not-started'],
  );
  assert.match(r.report.workloads[0]!.message, /interrupted; its rollout goes on in the cluster/);
  assert.deepEqual(patches(fake).length, 2);
});

test('client dry-run reads only; server dry-run sends dry-run patches; neither changes anything', async () => {
  for (const dryRun of ['client', 'server'] as const) {
    const fake = cluster(2);
    const before = JSON.stringify(fake.all());
    const r = await run(options({ dryRun }), { kube: fake, now, confirm: async () => assert.fail('no prompt in a dry run') });
    assert.deepEqual(
      r.report.workloads.map((w) => w.result),
      ['planned', 'planned'],
    );
    assert.equal(JSON.stringify(fake.all()), before);
    assert.equal(patches(fake).length, dryRun === 'server' ? 2 : 0);
    assert.ok(fake.calls.every((c) => !c.startsWith('delete ') && !c.startsWith('apply ') && !c.startsWith('create ')));
  }
});

test('declining the prompt changes nothing', async () => {
  const fake = cluster(2);
  let shown: readonly PlanItem[] = [];
  const r = await run(options(), { kube: fake, now, confirm: async (plan) => ((shown = plan), false) });
  assert.equal(r.declined, true);
  assert.equal(shown.length, 2);
  assert.equal(patches(fake).length, 0);
});

test('--outdated restarts only workloads with an old sidecar; after they are re-injected, a second run finds nothing', async () => {
  const cm = injectorConfigMap(undefined, proxyValues('1.31.0'));
  const fresh = workload('Deployment', 'app', 'fresh', { replicas: 2, status: { observedGeneration: 1 } });
  const rs = replicaSet(fresh);
  const fake = cluster(2, [cm, fresh, rs, pod('app', 'fresh-a', rs, { proxyImage: `${HUB}/proxyv2:1.31.0` })]);
  const stop = startController(fake);
  const first = await run(options({ mode: 'outdated' }), { kube: fake, now });
  assert.deepEqual(
    first.report.workloads.map((w) => [w.name, w.result]),
    [
      ['d1', 'restarted'],
      ['d2', 'restarted'],
    ],
  );
  // Read again after the run: this fake controller never re-creates pods, so both still run the old proxy.
  assert.deepEqual(
    first.report.stillOutdated?.map((w) => [w.kind, w.name]),
    [
      ['Deployment', 'd1'],
      ['Deployment', 'd2'],
    ],
  );
  assert.match(first.report.stillOutdated![0]!.reason, /outdated/);
  // The injector gives the new pods the current proxy.
  for (const p of fake.all().filter((o) => o.kind === 'Pod')) {
    const c = (p['spec'] as { containers: { name: string; image: string }[] }).containers.find((x) => x.name === 'istio-proxy')!;
    c.image = `${HUB}/proxyv2:1.31.0`;
    fake.update(p);
  }
  const second = await run(options({ mode: 'outdated' }), { kube: fake, now, confirm: async () => assert.fail('nothing to confirm') });
  stop();
  assert.deepEqual(second.report.workloads, []);
  assert.equal(patches(fake).length, 2);
});

test('--include-ondelete deletes the pods of an OnDelete StatefulSet one at a time, waiting for each replacement', async () => {
  const ns = namespace('app', { 'istio-injection': 'enabled' });
  const sts = workload('StatefulSet', 'app', 'db', { replicas: 2, updateStrategy: { type: 'OnDelete' } });
  const fake = new FakeKubeClient([
    ns,
    sts,
    pod('app', 'db-0', sts, { proxyImage: 'x', labels: { app: 'db' } }),
    pod('app', 'db-1', sts, { proxyImage: 'x', labels: { app: 'db' } }),
  ]);
  const order: string[] = [];
  // The StatefulSet controller: recreate a deleted pod under the same name, Ready.
  const ac = new AbortController();
  void fake.watch(
    'v1',
    'Pod',
    { namespace: 'app', resourceVersion: '0' },
    (type, p) => {
      if (type !== 'DELETED') return;
      order.push(`deleted ${p.metadata.name}`);
      setImmediate(() => {
        order.push(`recreated ${p.metadata.name}`);
        const { resourceVersion: _rv, ...meta } = p.metadata;
        fake.update({ ...p, metadata: { ...meta, uid: `${p.metadata.uid ?? ''}-new` } });
      });
    },
    ac.signal,
  );
  const r = await run(options({ includeOnDelete: true }), { kube: fake, now });
  ac.abort();
  assert.deepEqual(
    r.report.workloads.map((w) => [w.name, w.action, w.result, w.message]),
    [['db', 'delete-pods', 'restarted', '2/2 pods replaced']],
  );
  assert.deepEqual(order, ['deleted db-1', 'recreated db-1', 'deleted db-0', 'recreated db-0']);
});

/** Puts pods on a node, as the scheduler would. */
const onNode = (p: KubeObject, node: string): KubeObject => ({ ...p, spec: { ...(p['spec'] as Record<string, unknown>), nodeName: node } });
const readyAs = (p: KubeObject, ready: boolean): KubeObject => ({
  ...p,
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('--include-ondelete on a StatefulSet waits for the same pod name with a new uid, not a Ready sibling on the same node', async () => {
  const ns = namespace('app', { 'istio-injection': 'enabled' });
  const sts = workload('StatefulSet', 'app', 'db', { replicas: 2, updateStrategy: { type: 'OnDelete' } });
  const mk = (n: string): KubeObject => onNode(pod('app', n, sts, { proxyImage: 'x', labels: { app: 'db' } }), 'node-1');
  const fake = new FakeKubeClient([ns, sts, mk('db-0'), mk('db-1')]);
  const down: string[][] = [];
  // The StatefulSet controller: recreates a deleted pod under the same name, first not Ready, Ready a little later.
  const ac = new AbortController();
  void fake.watch(
    'v1',
    'Pod',
    { namespace: 'app', resourceVersion: '0' },
    (type, p) => {
      if (type !== 'DELETED') return;
      // Which pods of the StatefulSet are not Ready (or missing) at the moment of this delete.
      const live = fake.all().filter((o) => o.kind === 'Pod');
      down.push(['db-0', 'db-1'].filter((n) => n === p.metadata.name || !live.some((o) => o.metadata.name === n && isPodReady(o))));
      const { resourceVersion: _rv, ...meta } = p.metadata;
      const again = { ...p, metadata: { ...meta, uid: `${p.metadata.uid ?? ''}-new` } };
      setTimeout(() => fake.update(readyAs(again, false)), 5);
      setTimeout(() => fake.update(readyAs(again, true)), 20);
    },
    ac.signal,
  );
  const preconditions: unknown[] = [];
  const del = fake.delete.bind(fake);
  fake.delete = (ref, o) => {
    preconditions.push(o?.preconditions);
    return del(ref, o);
  };
  const r = await run(options({ includeOnDelete: true }), { kube: fake, now });
  ac.abort();
  assert.deepEqual(
    r.report.workloads.map((w) => [w.name, w.result, w.message]),
    [['db', 'restarted', '2/2 pods replaced']],
  );
  // Each delete names the pod's uid, so a retried delete cannot hit the replacement.
  assert.deepEqual(preconditions, [{ uid: 'uid-pod-app-db-1' }, { uid: 'uid-pod-app-db-0' }]);
  // Never two pods down at once: when db-0 goes, db-1 is back and Ready.
  assert.deepEqual(down, [['db-1'], ['db-0']]);
});

test('--include-ondelete deletes nothing while another pod of the StatefulSet is not Ready, and names it when it stays so', async () => {
  const ns = namespace('app', { 'istio-injection': 'enabled' });
  const sts = workload('StatefulSet', 'app', 'db', { replicas: 2, updateStrategy: { type: 'OnDelete' } });
  const mk = (n: string): KubeObject => pod('app', n, sts, { proxyImage: 'x', labels: { app: 'db' } });
  // db-0 is down before the run: deleting db-1 (the first in order) would take a second one down.
  const fake = new FakeKubeClient([ns, sts, readyAs(mk('db-0'), false), mk('db-1')]);
  const r = await run(options({ includeOnDelete: true, timeoutMs: 40 }), { kube: fake, now });
  const w = r.report.workloads.find((x) => x.name === 'db')!;
  assert.equal(w.result, 'timeout');
  assert.match(w.message, /every other pod must be ready before pod db-1 is deleted, and db-0 did not become ready in time \(0\/2 pods replaced\)/);
  assert.deepEqual(
    fake.calls.filter((c) => c.startsWith('delete ')),
    [],
  );
});

test('--include-ondelete replaces a pod that is itself down without waiting for it', async () => {
  const ns = namespace('app', { 'istio-injection': 'enabled' });
  const sts = workload('StatefulSet', 'app', 'db', { replicas: 2, updateStrategy: { type: 'OnDelete' } });
  const mk = (n: string): KubeObject => pod('app', n, sts, { proxyImage: 'x', labels: { app: 'db' } });
  // db-1 (the first in order) is down: deleting it takes nothing more down, and may be what heals it.
  const fake = new FakeKubeClient([ns, sts, mk('db-0'), readyAs(mk('db-1'), false)]);
  const ac = new AbortController();
  void fake.watch(
    'v1',
    'Pod',
    { namespace: 'app', resourceVersion: '0' },
    (type, p) => {
      if (type !== 'DELETED') return;
      const { resourceVersion: _rv, ...meta } = p.metadata;
      setTimeout(() => fake.update(readyAs({ ...p, metadata: { ...meta, uid: `${p.metadata.uid ?? ''}-new` } }, true)), 5);
    },
    ac.signal,
  );
  const r = await run(options({ includeOnDelete: true, timeoutMs: 2000 }), { kube: fake, now });
  ac.abort();
  assert.deepEqual(
    r.report.workloads.map((w) => [w.name, w.result, w.message]),
    [['db', 'restarted', '2/2 pods replaced']],
  );
});

test('--include-ondelete waits for a replacement that fell back to not Ready before it deletes the next pod', async () => {
  const ns = namespace('app', { 'istio-injection': 'enabled' });
  const sts = workload('StatefulSet', 'app', 'db', { replicas: 2, updateStrategy: { type: 'OnDelete' } });
  const mk = (n: string): KubeObject => pod('app', n, sts, { proxyImage: 'x', labels: { app: 'db' } });
  const fake = new FakeKubeClient([ns, sts, mk('db-0'), mk('db-1')]);
  const down: string[][] = [];
  const ac = new AbortController();
  let replacement: KubeObject | undefined;
  void fake.watch(
    'v1',
    'Pod',
    { namespace: 'app', resourceVersion: '0' },
    (type, p) => {
      if (type !== 'DELETED') return;
      const live = fake.all().filter((o) => o.kind === 'Pod');
      down.push(['db-0', 'db-1'].filter((n) => n === p.metadata.name || !live.some((o) => o.metadata.name === n && isPodReady(o))));
      const { resourceVersion: _rv, ...meta } = p.metadata;
      const again = { ...p, metadata: { ...meta, uid: `${p.metadata.uid ?? ''}-new` } };
      if (p.metadata.name === 'db-1') replacement = again;
      setTimeout(() => fake.update(readyAs(again, true)), 5);
    },
    ac.signal,
  );
  // Once mesh has seen db-1's replacement Ready and turns to db-0, the replacement falls back to not
  // Ready (a failing probe) for a while.
  const get = fake.get.bind(fake);
  fake.get = async (ref) => {
    if (ref.kind === 'Pod' && ref.name === 'db-0' && replacement !== undefined) {
      const r = replacement;
      replacement = undefined;
      fake.update(readyAs(r, false));
      setTimeout(() => fake.update(readyAs(r, true)), 30);
    }
    return get(ref);
  };
  const r = await run(options({ includeOnDelete: true }), { kube: fake, now });
  ac.abort();
  assert.deepEqual(
    r.report.workloads.map((w) => [w.name, w.result, w.message]),
    [['db', 'restarted', '2/2 pods replaced']],
  );
  assert.deepEqual(down, [['db-1'], ['db-0']]);
});

test('--include-ondelete on a DaemonSet with a matchExpressions selector waits for a new pod of that DaemonSet on the node', async () => {
  const ns = namespace('app', { 'istio-injection': 'enabled' });
  const ds = workload('DaemonSet', 'app', 'agent', { updateStrategy: { type: 'OnDelete' }, status: { desiredNumberScheduled: 2 } });
  (ds['spec'] as Record<string, unknown>)['selector'] = { matchExpressions: [{ key: 'app', operator: 'In', values: ['agent'] }] };
  const agentPod = onNode(pod('app', 'agent-x1', ds, { proxyImage: 'x', labels: { app: 'agent' } }), 'node-1');
  // Another workload's Ready pod on the same node: not the replacement.
  const other = onNode(pod('app', 'web-1', undefined, { labels: { app: 'web' } }), 'node-1');
  const fake = new FakeKubeClient([ns, ds, agentPod, other]);
  let recreated = false;
  const ac = new AbortController();
  void fake.watch(
    'v1',
    'Pod',
    { namespace: 'app', resourceVersion: '0' },
    (type, p) => {
      if (type !== 'DELETED') return;
      setTimeout(() => {
        recreated = true;
        const { resourceVersion: _rv, uid: _uid, ...meta } = p.metadata;
        fake.update({ ...p, metadata: { ...meta, name: 'agent-y2', uid: 'uid-agent-y2' } });
      }, 20);
    },
    ac.signal,
  );
  const r = await run(options({ includeOnDelete: true, kinds: ['DaemonSet'] }), { kube: fake, now });
  ac.abort();
  assert.deepEqual(
    r.report.workloads.filter((w) => w.kind === 'DaemonSet').map((w) => [w.name, w.result, w.message]),
    [['agent', 'restarted', '1/1 pods replaced']],
  );
  assert.equal(recreated, true, 'it returned before the DaemonSet recreated its pod');
  assert.ok(fake.calls.some((c) => c === 'list Pod app'));
});

test('executePlan reports skipped and manual items without touching them', async () => {
  const fake = new FakeKubeClient();
  const item = (action: PlanItem['action']): PlanItem => ({
    kind: 'Deployment',
    namespace: 'ns',
    name: action,
    apiVersion: 'apps/v1',
    replicas: 1,
    action,
    flags: [],
    reason: '',
    notes: [`note ${action}`],
    progressDeadlineMs: 1000,
    pods: [],
  });
  const out = await executePlan([item('skip'), item('manual')], { concurrency: 1, pauseMs: 0, continueOnError: false, dryRun: 'none' }, { kube: fake, now });
  assert.deepEqual(
    out.map((o) => [o.result, o.message]),
    [
      ['skipped', 'note skip'],
      ['manual', 'note manual'],
    ],
  );
  assert.deepEqual(fake.calls, []);
});

const autoscaler = (name: string, target: string, current: number, desired: number, active = true): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name, namespace: 'app' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 1, maxReplicas: 5 },
  status: { currentReplicas: current, desiredReplicas: desired, conditions: [{ type: 'ScalingActive', status: active ? 'True' : 'False' }] },
});

test('a workload whose HorizontalPodAutoscaler is scaling is not patched until the autoscaler settles', async () => {
  const fake = cluster(1, [autoscaler('d1', 'd1', 2, 3)]);
  const stop = startController(fake);
  const running = run(options(), { kube: fake, now });
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(patches(fake), [], 'no patch while the autoscaler scales');
  fake.update(autoscaler('d1', 'd1', 3, 3));
  const r = await running;
  stop();
  assert.deepEqual(patches(fake), ['patch Deployment app/d1']);
  assert.equal(r.report.workloads[0]!.result, 'restarted');
  assert.deepEqual(r.report.workloads[0]!.flags, ['hpa']);
});

test('an autoscaler that keeps scaling past --timeout: the rollout is not started, and the report says why', async () => {
  const fake = cluster(1, [autoscaler('d1-hpa', 'd1', 2, 4)]);
  const r = await run(options({ timeoutMs: 50 }), { kube: fake, now });
  assert.deepEqual(patches(fake), []);
  assert.equal(r.report.workloads[0]!.result, 'timeout');
  assert.equal(r.report.workloads[0]!.message, 'HorizontalPodAutoscaler d1-hpa kept scaling (2 current, 4 desired replicas): the rollout was not started');
});

test('an autoscaler that cannot scale (ScalingActive False, e.g. no metrics: its desiredReplicas is stale) does not hold the rollout', async () => {
  const fake = cluster(1, [autoscaler('d1', 'd1', 2, 0, false)]);
  const stop = startController(fake);
  const r = await run(options({ timeoutMs: 5_000 }), { kube: fake, now });
  stop();
  assert.equal(r.report.workloads[0]!.result, 'restarted');
});

/** Tracks the workloads in flight per namespace through the run's events, and the most seen at once. */
function inFlightTracker() {
  const now = new Map<string, number>();
  const max = new Map<string, number>();
  let total = 0;
  let maxTotal = 0;
  return {
    max,
    maxTotal: () => maxTotal,
    events: {
      started: (item: PlanItem) => {
        const n = (now.get(item.namespace) ?? 0) + 1;
        now.set(item.namespace, n);
        max.set(item.namespace, Math.max(max.get(item.namespace) ?? 0, n));
        maxTotal = Math.max(maxTotal, ++total);
      },
      finished: (o: { item: PlanItem }) => {
        now.set(o.item.namespace, (now.get(o.item.namespace) ?? 0) - 1);
        total--;
      },
    },
  };
}

test('--max-unavailable-per-namespace 1: Deployments of one namespace (budget 1 each) roll one at a time whatever --concurrency', async () => {
  const fake = cluster(4);
  const stop = startController(fake);
  const t = inFlightTracker();
  const r = await run(options({ concurrency: 3, maxUnavailablePerNamespace: 1 }), { kube: fake, now, events: t.events });
  stop();
  assert.deepEqual(
    r.report.workloads.map((w) => [w.name, w.result]),
    [
      ['d1', 'restarted'],
      ['d2', 'restarted'],
      ['d3', 'restarted'],
      ['d4', 'restarted'],
    ],
  );
  assert.equal(t.max.get('app'), 1);
  assert.deepEqual(patches(fake), ['patch Deployment app/d1', 'patch Deployment app/d2', 'patch Deployment app/d3', 'patch Deployment app/d4']);
});

test('--max-unavailable-per-namespace counts each namespace on its own, and adds the budgets in flight', async () => {
  // app: d1..d3 with budget 1 each; web: w1 and w2 with budget 2 (maxUnavailable 2 of 4), w3 with budget 1.
  const extra: KubeObject[] = [namespace('web', { 'istio-injection': 'enabled' })];
  for (const [name, maxUnavailable] of [
    ['w1', 2],
    ['w2', 2],
    ['w3', 1],
  ] as const) {
    const d = workload('Deployment', 'web', name, { replicas: 4, strategy: { rollingUpdate: { maxUnavailable } }, status: { observedGeneration: 1 } });
    const rs = replicaSet(d);
    extra.push(d, rs, pod('web', `${name}-a`, rs, { proxyImage: `${HUB}/proxyv2:1.30.0` }));
  }
  const fake = cluster(3, extra);
  // Rollouts take a moment, so that the ones allowed together do overlap.
  const ac = new AbortController();
  void fake.watch(
    'apps/v1',
    'Deployment',
    { resourceVersion: '0' },
    (type, o) => {
      if (type === 'DELETED') return;
      const gen = o.metadata.generation ?? 0;
      if (gen <= ((((o['status'] ?? {}) as Record<string, unknown>)['observedGeneration'] as number | undefined) ?? 0)) return;
      setTimeout(() => fake.update(progressed(o, 'ok', fake)), 30);
    },
    ac.signal,
  );
  const budgets: Record<string, number> = { d1: 1, d2: 1, d3: 1, w1: 2, w2: 2, w3: 1 };
  const inFlight = new Map<string, Set<string>>();
  const maxBudget = new Map<string, number>();
  let maxTotal = 0;
  let total = 0;
  const r = await run(options({ namespaces: ['app', 'web'], concurrency: 6, maxUnavailablePerNamespace: 3 }), {
    kube: fake,
    now,
    events: {
      started: (item) => {
        const set = inFlight.get(item.namespace) ?? new Set<string>();
        set.add(item.name);
        inFlight.set(item.namespace, set);
        const sum = [...set].reduce((a, n) => a + budgets[n]!, 0);
        maxBudget.set(item.namespace, Math.max(maxBudget.get(item.namespace) ?? 0, sum));
        maxTotal = Math.max(maxTotal, ++total);
      },
      finished: (o) => {
        inFlight.get(o.item.namespace)!.delete(o.item.name);
        total--;
      },
    },
  });
  ac.abort();
  assert.equal(r.report.summary.restarted, 6);
  assert.deepEqual(
    r.plan.map((i) => [i.name, i.unavailableBudget]),
    Object.entries(budgets),
  );
  assert.equal(maxBudget.get('app'), 3, 'the three budget-1 Deployments of app rolled together');
  assert.equal(maxBudget.get('web'), 3, 'w1 (2) rolled beside w3 (1) at most, never beside w2 (2)');
  assert.ok(maxTotal >= 4, `both namespaces rolled at once (${maxTotal} in flight at most)`);
});

test('--max-unavailable-per-namespace: a workload whose budget alone exceeds it is skipped, naming the flag; the others restart', async () => {
  const big = workload('Deployment', 'app', 'big', { replicas: 4, strategy: { rollingUpdate: { maxUnavailable: 2 } }, status: { observedGeneration: 1 } });
  const rs = replicaSet(big);
  const fake = cluster(2, [big, rs, pod('app', 'big-a', rs, { proxyImage: `${HUB}/proxyv2:1.30.0` })]);
  const stop = startController(fake);
  const r = await run(options({ maxUnavailablePerNamespace: 1 }), { kube: fake, now });
  stop();
  assert.deepEqual(
    r.report.workloads.map((w) => [w.name, w.result]),
    [
      ['big', 'skipped'],
      ['d1', 'restarted'],
      ['d2', 'restarted'],
    ],
  );
  assert.match(r.report.workloads[0]!.message, /may take 2 pods down at once, more than --max-unavailable-per-namespace 1: skipped/);
  assert.ok(!patches(fake).includes('patch Deployment app/big'));
});

test('executePlan with --max-unavailable-per-namespace skips an item over the limit that the plan did not skip, and goes on', async () => {
  const fake = cluster(1);
  const stop = startController(fake);
  const plan = (await run(options({ dryRun: 'client' }), { kube: fake, now })).plan;
  const over: PlanItem = { ...plan[0]!, name: 'over', unavailableBudget: 3 };
  const out = await executePlan(
    [over, plan[0]!],
    { concurrency: 2, pauseMs: 0, continueOnError: false, dryRun: 'none', maxUnavailablePerNamespace: 2 },
    { kube: fake, now },
  );
  stop();
  assert.deepEqual(
    out.map((o) => [o.item.name, o.result]),
    [
      ['over', 'skipped'],
      ['d1', 'restarted'],
    ],
  );
  assert.match(out[0]!.message, /more than --max-unavailable-per-namespace 2/);
});

test('--max-unavailable-per-namespace: Ctrl-C ends the wait at once; the waiting workloads are not started', async () => {
  const fake = cluster(3);
  const stop = startController(fake, () => 'hang');
  const ac = new AbortController();
  const r = await run(
    options({ concurrency: 3, maxUnavailablePerNamespace: 1 }),
    { kube: fake, now, events: { started: () => void setTimeout(() => ac.abort(), 20) } },
    ac.signal,
  );
  stop();
  assert.equal(r.interrupted, true);
  assert.deepEqual(
    r.report.workloads.map((w) => [w.name, w.result, w.message.replace(/;.*/, '')]),
    [
      ['d1', 'interrupted', 'interrupted'],
      ['d2', 'not-started', 'not started: interrupted'],
      ['d3', 'not-started', 'not started: interrupted'],
    ],
  );
  assert.deepEqual(patches(fake), ['patch Deployment app/d1']);
});

test('--max-unavailable-per-namespace: a failure while others wait stops the run, and they are not started', async () => {
  const fake = cluster(3);
  const stop = startController(fake, (n) => (n === 'd1' ? 'fail' : 'ok'));
  const r = await run(options({ concurrency: 3, maxUnavailablePerNamespace: 1 }), { kube: fake, now });
  stop();
  assert.deepEqual(
    r.report.workloads.map((w) => [w.name, w.result, w.message]),
    [
      ['d1', 'failed', r.report.workloads[0]!.message],
      ['d2', 'not-started', 'not started: an earlier rollout failed'],
      ['d3', 'not-started', 'not started: an earlier rollout failed'],
    ],
  );
  assert.deepEqual(patches(fake), ['patch Deployment app/d1']);
});

test('--max-unavailable-per-namespace with --continue-on-error: the waiting workloads start after the failure', async () => {
  const fake = cluster(3);
  const stop = startController(fake, (n) => (n === 'd1' ? 'fail' : 'ok'));
  const t = inFlightTracker();
  const r = await run(options({ concurrency: 3, continueOnError: true, maxUnavailablePerNamespace: 1 }), { kube: fake, now, events: t.events });
  stop();
  assert.deepEqual(
    r.report.workloads.map((w) => w.result),
    ['failed', 'restarted', 'restarted'],
  );
  assert.equal(t.max.get('app'), 1);
});
