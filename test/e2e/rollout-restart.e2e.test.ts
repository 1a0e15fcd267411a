// `mesh rollout-restart` against the local control plane: kwok makes pods Ready, the real istiod
// of a mesh-installed revision injects sidecars from its injector ConfigMap, and the
// ImagePullBackOff stage keeps pods with an image tag ending in ":0.0.0-unpullable" from ever
// becoming ready.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type KubeClient } from '../../src/kube/client.js';
import { createKubeClient } from '../../src/kube/real.js';
import type { KubeObject } from '../../src/model/k8s.js';
import { isPodReady } from '../../src/restart/k8s.js';
import { RESTARTED_AT, rolloutStatus } from '../../src/restart/status.js';
import { type ControlPlane, repoRoot, runMesh, startControlPlane, waitFor } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();
const SYS = 'istio-system';
const HUB = 'registry.istio.io/release';

interface WorkloadOpts {
  replicas?: number;
  templateLabels?: Record<string, string>;
  progressDeadlineSeconds?: number;
  /** A Deployment's spec.strategy. */
  strategy?: Record<string, unknown>;
}

function workload(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', ns: string, name: string, o: WorkloadOpts = {}): KubeObject {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, ...(o.templateLabels ?? {}) } },
      spec: { containers: [{ name: 'app', image: `registry.local/${name}:1.0` }] },
    },
  };
  if (kind !== 'DaemonSet') spec['replicas'] = o.replicas ?? 1;
  if (kind === 'StatefulSet') spec['serviceName'] = name;
  if (o.progressDeadlineSeconds !== undefined) spec['progressDeadlineSeconds'] = o.progressDeadlineSeconds;
  if (o.strategy !== undefined) spec['strategy'] = o.strategy;
  return { apiVersion: 'apps/v1', kind, metadata: { name, namespace: ns, labels: { app: name } }, spec };
}

const ref = (o: KubeObject) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name!, namespace: o.metadata.namespace! });
const restartedAt = (o: KubeObject | undefined): string | undefined =>
  (
    (((o?.['spec'] as Record<string, unknown>)['template'] as Record<string, unknown>)['metadata'] as Record<string, unknown>)['annotations'] as
      Record<string, string> | undefined
  )?.[RESTARTED_AT];

async function createAll(kube: KubeClient, objs: KubeObject[]): Promise<void> {
  for (const o of objs) await kube.create(o);
}

async function waitRolledOut(kube: KubeClient, objs: KubeObject[]): Promise<void> {
  for (const o of objs) {
    await waitFor(`${o.kind} ${o.metadata.name} to finish its rollout`, async () => {
      const live = await kube.get(ref(o));
      return live !== undefined && rolloutStatus(live).done;
    });
  }
}

async function proxyImages(kube: KubeClient, ns: string, app: string): Promise<string[]> {
  const pods = await kube.list('v1', 'Pod', { namespace: ns, labelSelector: `app=${app}` });
  return pods
    .filter((p) => p.metadata.deletionTimestamp === undefined)
    .map((p) => {
      const s = p['spec'] as { containers: { name: string; image: string }[]; initContainers?: { name: string; image: string }[] };
      return [...(s.initContainers ?? []), ...s.containers].find((c) => c.name === 'istio-proxy')?.image ?? 'none';
    })
    .sort();
}

async function podNames(kube: KubeClient, ns: string, app: string): Promise<string[]> {
  const pods = await kube.list('v1', 'Pod', { namespace: ns, labelSelector: `app=${app}` });
  return pods.filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => p.metadata.name ?? '');
}

/**
 * An isolated Istio revision installed by mesh (`mesh install -r REV --profile minimal`) and served by
 * the real istiod the harness runs for it. "Upgrades" change the proxy image in its injector
 * ConfigMap's values, which istiod watches, as a new control-plane version would.
 */
async function istioRevision(kube: KubeClient, rev: string, tag: string) {
  const install = await runMesh(cp, ['install', '-r', rev, '--profile', 'minimal', '--set', `tag=${tag}`, '-y', '--readiness-timeout', '3m'], {
    timeoutMs: 240_000,
  });
  assert.equal(install.code, 0, install.stderr);
  const cmRef = { apiVersion: 'v1', kind: 'ConfigMap', name: `istio-sidecar-injector-${rev}`, namespace: SYS };
  let probeNs = '';
  /** The proxy image istiod injects now, from a server-side dry-run pod in the namespace. */
  const injected = async (ns: string): Promise<string | undefined> => {
    try {
      const p = await kube.create(
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probe', namespace: ns }, spec: { containers: [{ name: 'c', image: 'registry.local/probe:1' }] } },
        { dryRun: true },
      );
      const s = p['spec'] as { containers: { name: string; image: string }[]; initContainers?: { name: string; image: string }[] };
      return [...(s.initContainers ?? []), ...s.containers].find((c) => c.name === 'istio-proxy')?.image;
    } catch {
      return undefined;
    }
  };
  return {
    /** Waits until pods created in NS are injected by this revision's istiod. */
    async ready(ns: string): Promise<void> {
      probeNs = ns;
      await waitFor('pod creation through the injector', async () => (await injected(ns)) !== undefined, { timeoutMs: 60_000 });
    },
    /** The control-plane upgrade: the injector now injects this tag (waits until istiod does). */
    async setTag(t: string): Promise<void> {
      const cm = await kube.get(cmRef);
      const values = JSON.parse((cm?.['data'] as Record<string, string> | undefined)?.['values'] ?? '{}') as {
        global: { tag?: string; proxy?: { image?: string } };
      };
      values.global.tag = t;
      values.global.proxy = { ...(values.global.proxy ?? {}), image: `${HUB}/proxyv2:${t}` };
      await kube.patch(cmRef, { data: { values: JSON.stringify(values) } }, 'merge');
      if (probeNs) await waitFor(`istiod to inject proxyv2:${t}`, async () => (await injected(probeNs)) === `${HUB}/proxyv2:${t}`, { timeoutMs: 60_000 });
    },
    async cleanup(): Promise<void> {
      await runMesh(cp, ['uninstall', '-r', rev, '-y', '--force'], { timeoutMs: 240_000 });
    },
  };
}

interface Report {
  summary: Record<string, number>;
  workloads: { kind: string; name: string; result: string; message: string; problems: string[]; replicas: number | null }[];
}

describe('mesh rollout-restart', { skip: cp.skip }, () => {
  let kube: KubeClient;
  before(() => {
    kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
  });
  after(() => cp.release());

  describe('a namespace of Deployments (1, 2 and 5 replicas), a StatefulSet and a DaemonSet', () => {
    let ns: string;
    let objs: KubeObject[];
    before(async () => {
      ns = await cp.freshNamespace('rr');
      objs = [
        workload('Deployment', ns, 'one', { replicas: 1 }),
        workload('Deployment', ns, 'two', { replicas: 2 }),
        workload('Deployment', ns, 'five', { replicas: 5 }),
        workload('StatefulSet', ns, 'db', { replicas: 2 }),
        workload('DaemonSet', ns, 'agent'),
      ];
      await createAll(kube, objs);
      await waitRolledOut(kube, objs);
    });

    it('--dry-run shows the plan and changes nothing; without -y and a terminal it refuses', async () => {
      const versions = async () => Promise.all(objs.map(async (o) => (await kube.get(ref(o)))!.metadata.resourceVersion));
      const before = await versions();
      const client = await runMesh(cp, ['rollout-restart', '-n', ns, '--all', '--dry-run']);
      assert.equal(client.code, 0, client.stderr);
      for (const w of ['deployment/one', 'deployment/two', 'deployment/five', 'statefulset/db', 'daemonset/agent']) {
        assert.match(client.stdout, new RegExp(`^${w}\\s+\\d+\\s+restart\\s`, 'm'));
      }
      const server = await runMesh(cp, ['rollout-restart', '-n', ns, '--all', '--dry-run', 'server', '-o', 'json']);
      assert.equal(server.code, 0, server.stderr);
      assert.equal((JSON.parse(server.stdout) as Report).summary['planned'], 5);
      const refused = await runMesh(cp, ['rollout-restart', '-n', ns, '--all']);
      assert.equal(refused.code, 64);
      assert.match(refused.stderr, /refusing to restart 5 workloads without confirmation: stdin is not a terminal; pass -y/);
      assert.deepEqual(await versions(), before);
      for (const o of objs) assert.equal(restartedAt(await kube.get(ref(o))), undefined);
    });

    it('restarts every workload, each to a finished rollout, never more than --concurrency at once', async () => {
      // The test's own watcher: every event of the three kinds, ordered by resourceVersion afterwards.
      const seen: { rv: number; key: string; rolling: boolean }[] = [];
      const ac = new AbortController();
      const watches = ['Deployment', 'StatefulSet', 'DaemonSet'].map((kind) =>
        kube.watch(
          'apps/v1',
          kind,
          { namespace: ns },
          (_t, o) => {
            seen.push({
              rv: Number(o.metadata.resourceVersion),
              key: `${kind}/${o.metadata.name}`,
              rolling: restartedAt(o) !== undefined && !rolloutStatus(o).done,
            });
          },
          ac.signal,
        ),
      );
      const r = await runMesh(cp, ['rollout-restart', '-n', ns, '--all', '--concurrency', '2', '-y', '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as Report;
      assert.deepEqual(
        report.workloads.map((w) => [w.kind, w.name, w.result, w.replicas]),
        [
          ['Deployment', 'five', 'restarted', 5],
          ['Deployment', 'one', 'restarted', 1],
          ['Deployment', 'two', 'restarted', 2],
          ['StatefulSet', 'db', 'restarted', 2],
          ['DaemonSet', 'agent', 'restarted', 3],
        ],
      );
      // Progress went to stderr, one line per workload.
      assert.match(r.stderr, /\[1\/5\] deployment\/five/);
      for (const o of objs) {
        const live = (await kube.get(ref(o)))!;
        assert.ok(restartedAt(live), `${o.kind} ${o.metadata.name} has a new pod template`);
        assert.ok(rolloutStatus(live).done, `${o.kind} ${o.metadata.name} finished its rollout`);
      }
      // Wait until the watcher has seen every rollout end, then replay its events in etcd order.
      await waitFor('the watcher to see every rollout end', () =>
        objs.every((o) => {
          const last = seen.filter((e) => e.key === `${o.kind}/${o.metadata.name}`).at(-1);
          return last !== undefined && !last.rolling && seen.some((e) => e.key === last.key && e.rolling);
        }),
      );
      ac.abort();
      await Promise.all(watches);
      const rolling = new Set<string>();
      let max = 0;
      for (const e of [...seen].sort((a, b) => a.rv - b.rv)) {
        if (e.rolling) rolling.add(e.key);
        else rolling.delete(e.key);
        max = Math.max(max, rolling.size);
      }
      assert.equal(max, 2, 'two workloads rolled at once, and never more');
    });
  });

  describe('three Deployments of 2 replicas (maxUnavailable 1, maxSurge 0) in one namespace, at --concurrency 3', () => {
    /**
     * Restarts them with these extra flags while the test watches. A pod is down while it is not Ready
     * or is being deleted; the replacement the Deployment controller creates while the old pod still
     * terminates is not a second pod down (Kubernetes' maxUnavailable does not count it either), so
     * "at most 1 pod of the namespace down" is: at every moment at least 5 of the 6 pods serve, and the
     * pods down belong to one Deployment at most. Watched two ways: the pods polled every 150 ms, and
     * every pod event in order; and the Deployments' rollouts, by event.
     */
    async function restartWatched(extra: string[]) {
      const ns = await cp.freshNamespace('rr-maxun');
      const strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      const objs = ['a', 'b', 'c'].map((name) => workload('Deployment', ns, name, { replicas: 2, strategy }));
      await createAll(kube, objs);
      await waitRolledOut(kube, objs);
      const serving = (p: KubeObject): boolean => p.metadata.deletionTimestamp === undefined && isPodReady(p);
      await waitFor('all 6 pods ready', async () => (await kube.list('v1', 'Pod', { namespace: ns })).filter(serving).length === 6);

      const verdicts: string[] = [];
      const judge = (pods: readonly KubeObject[], when: string): void => {
        const up = pods.filter(serving).length;
        const down = pods.filter((p) => !serving(p));
        const apps = new Set(down.map((p) => p.metadata.labels?.['app']));
        if (up < 5 || apps.size > 1) verdicts.push(`${when}: ${up} of 6 serving; down: ${down.map((p) => p.metadata.name).join(', ') || 'none (missing)'}`);
      };
      let polling = true;
      let samples = 0;
      const poller = (async () => {
        while (polling) {
          judge(await kube.list('v1', 'Pod', { namespace: ns }), `poll ${++samples}`);
          await new Promise((r) => setTimeout(r, 150));
        }
      })();
      const ac = new AbortController();
      const pods = new Map<string, KubeObject>();
      let primed = false;
      const podWatch = kube.watch(
        'v1',
        'Pod',
        { namespace: ns },
        (type, p) => {
          if (type === 'DELETED') pods.delete(p.metadata.name ?? '');
          else pods.set(p.metadata.name ?? '', p);
          // The watch starts with the 6 pods (ADDED, one by one): judged from then on.
          primed ||= pods.size === 6;
          if (primed) judge([...pods.values()], `pod event rv ${p.metadata.resourceVersion}`);
        },
        ac.signal,
      );
      const seen: { rv: number; key: string; rolling: boolean }[] = [];
      const deployWatch = kube.watch(
        'apps/v1',
        'Deployment',
        { namespace: ns },
        (_t, o) =>
          void seen.push({
            rv: Number(o.metadata.resourceVersion),
            key: o.metadata.name ?? '',
            rolling: restartedAt(o) !== undefined && !rolloutStatus(o).done,
          }),
        ac.signal,
      );
      let r: Awaited<ReturnType<typeof runMesh>>;
      try {
        r = await runMesh(cp, ['rollout-restart', '-n', ns, '--all', '-y', '--concurrency', '3', ...extra, '-o', 'json']);
        await waitFor(
          'the watchers to see every rollout end and every pod serve',
          () =>
            objs.every((o) => {
              const last = seen.filter((e) => e.key === o.metadata.name).at(-1);
              return last !== undefined && !last.rolling && seen.some((e) => e.key === last.key && e.rolling);
            }) && [...pods.values()].filter(serving).length === 6,
        );
      } finally {
        polling = false;
        ac.abort();
        await Promise.all([poller, podWatch, deployWatch]);
      }
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        (JSON.parse(r.stdout) as Report).workloads.map((w) => [w.name, w.result]),
        [
          ['a', 'restarted'],
          ['b', 'restarted'],
          ['c', 'restarted'],
        ],
      );
      for (const o of objs) assert.ok(restartedAt(await kube.get(ref(o))), `${o.metadata.name} has a new pod template`);
      assert.ok(samples >= 3, `the poller looked ${samples} times`);
      // The Deployments' own events, in etcd order: how many rolled at once.
      const rolling = new Set<string>();
      let maxRolling = 0;
      for (const e of [...seen].sort((a, b) => a.rv - b.rv)) {
        if (e.rolling) rolling.add(e.key);
        else rolling.delete(e.key);
        maxRolling = Math.max(maxRolling, rolling.size);
      }
      return { verdicts, maxRolling };
    }

    it('--max-unavailable-per-namespace 1: never more than 1 pod of the namespace down, one Deployment rolling at a time', async () => {
      const { verdicts, maxRolling } = await restartWatched(['--max-unavailable-per-namespace', '1']);
      assert.deepEqual(verdicts, [], 'never more than 1 pod of the namespace down');
      assert.equal(maxRolling, 1, 'one Deployment rolled at a time despite --concurrency 3');
    });

    it('without it, the same watchers see the three roll together and more than 1 pod of the namespace down', async () => {
      const { verdicts, maxRolling } = await restartWatched([]);
      assert.ok(maxRolling >= 2, `Deployments rolling at once: ${maxRolling}`);
      assert.ok(verdicts.length > 0, 'the watchers saw more than 1 pod down at some moment');
    });
  });

  it('an OnDelete StatefulSet is manual, and --include-ondelete replaces its pods one at a time', async () => {
    const ns = await cp.freshNamespace('rr-ondelete');
    const sts = workload('StatefulSet', ns, 'db', { replicas: 2 });
    (sts['spec'] as Record<string, unknown>)['updateStrategy'] = { type: 'OnDelete' };
    await createAll(kube, [sts]);
    await waitFor('db pods ready', async () => {
      const pods = await kube.list('v1', 'Pod', { namespace: ns, labelSelector: 'app=db' });
      return (
        pods.length === 2 &&
        pods.every((p) =>
          ((p['status'] as { conditions?: { type: string; status: string }[] }).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
        )
      );
    });
    const uids = async () =>
      Object.fromEntries((await kube.list('v1', 'Pod', { namespace: ns, labelSelector: 'app=db' })).map((p) => [p.metadata.name, p.metadata.uid]));
    const before = await uids();

    const plain = await runMesh(cp, ['rollout-restart', '-n', ns, '--all', '-y', '-o', 'json']);
    assert.equal(plain.code, 0, plain.stderr);
    const manual = (JSON.parse(plain.stdout) as Report).workloads;
    assert.deepEqual(
      manual.map((w) => [w.name, w.result]),
      [['db', 'manual']],
    );
    assert.deepEqual(await uids(), before, 'nothing was deleted without --include-ondelete');

    const r = await runMesh(cp, ['rollout-restart', '-n', ns, '--all', '--include-ondelete', '-y', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as Report).workloads.map((w) => [w.name, w.result, w.message]),
      [['db', 'restarted', '2/2 pods replaced']],
    );
    const after = await uids();
    assert.deepEqual(Object.keys(after).sort(), ['db-0', 'db-1']);
    for (const name of ['db-0', 'db-1']) assert.notEqual(after[name], before[name], `${name} was replaced`);
  });

  it('a workload annotated mesh.istio.io/restart=skip is left alone; one under a real HorizontalPodAutoscaler restarts', async () => {
    const ns = await cp.freshNamespace('rr-hpa');
    const scaled = workload('Deployment', ns, 'api', { replicas: 2 });
    const optOut = workload('Deployment', ns, 'legacy', { replicas: 2 });
    optOut.metadata.annotations = { 'mesh.istio.io/restart': 'skip' };
    // The real HPA controller (kube-controller-manager). There is no metrics API here, so it never
    // scales: it marks ScalingActive False and leaves desiredReplicas stale, which must not hold the
    // rollout. (A scaling autoscaler needs metrics, which this cluster cannot produce: the waiting
    // itself is unit-tested with a fake in test/unit/restart/run.test.ts.)
    const hpa: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'api', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    };
    await createAll(kube, [scaled, optOut, hpa]);
    await waitRolledOut(kube, [scaled, optOut]);
    await waitFor('the autoscaler to report a status', async () => {
      const h = await kube.get(ref(hpa));
      return Array.isArray((h?.['status'] as { conditions?: unknown[] } | undefined)?.conditions);
    });
    const r = await runMesh(cp, ['rollout-restart', '-n', ns, '--all', '-y', '--timeout', '2m', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = (JSON.parse(r.stdout) as { workloads: { name: string; result: string; flags: string[] }[] }).workloads;
    assert.deepEqual(
      rows.map((w) => [w.name, w.result, w.flags]),
      [
        ['api', 'restarted', ['hpa']],
        ['legacy', 'skipped', ['opted-out']],
      ],
    );
    assert.ok(restartedAt(await kube.get(ref(scaled))), 'api restarted');
    assert.equal(restartedAt(await kube.get(ref(optOut))), undefined, 'legacy not touched');
  });

  it('--include-ondelete deletes no pod of a StatefulSet while another of its pods is down', async () => {
    const ns = await cp.freshNamespace('rr-ondelete-down');
    const sts = workload('StatefulSet', ns, 'db', { replicas: 2 });
    // Both pods are created at once and never become ready (unpullable image, kwok keeps them Pending):
    // deleting db-1 (the first in order) would leave db-0 down beside it.
    const spec = sts['spec'] as { updateStrategy?: unknown; podManagementPolicy?: string; template: { spec: { containers: { image: string }[] } } };
    spec.updateStrategy = { type: 'OnDelete' };
    spec.podManagementPolicy = 'Parallel';
    spec.template.spec.containers[0]!.image = 'registry.local/db:0.0.0-unpullable';
    await createAll(kube, [sts]);
    const uids = async () =>
      Object.fromEntries((await kube.list('v1', 'Pod', { namespace: ns, labelSelector: 'app=db' })).map((p) => [p.metadata.name, p.metadata.uid]));
    await waitFor('both db pods created', async () => Object.keys(await uids()).length === 2);
    const before = await uids();

    const r = await runMesh(cp, ['rollout-restart', '-n', ns, '--all', '--include-ondelete', '--allow-downtime', '--timeout', '5s', '-y', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const [w] = (JSON.parse(r.stdout) as Report).workloads;
    assert.equal(w?.result, 'timeout', r.stdout);
    assert.match(w?.message ?? '', /every other pod must be ready before pod db-1 is deleted, and db-0 did not become ready in time/);
    assert.deepEqual(await uids(), before, 'no pod was deleted');
  });

  it('Ctrl-C starts nothing new, reports the rollout in flight and exits 130', async () => {
    const ns = await cp.freshNamespace('rr-sigint');
    const quick = workload('Deployment', ns, 'a-quick', { replicas: 1 });
    const later = workload('Deployment', ns, 'c-after', { replicas: 1 });
    // b-stuck's pods never become ready (unpullable image), so its rollout is still going when Ctrl-C comes.
    const stuck = workload('Deployment', ns, 'b-stuck', { replicas: 2 });
    (stuck['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = 'registry.local/b:0.0.0-unpullable';
    await createAll(kube, [quick, stuck, later]);
    await waitRolledOut(kube, [quick, later]);

    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/mesh'), '--kubeconfig', cp.kubeconfigPath, 'rollout-restart', '-n', ns, '--all', '-y', '-o', 'json'],
      {
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await waitFor('b-stuck to be rolling', () => /\[2\/3\] deployment\/b-stuck/.test(stderr), { timeoutMs: 60_000, intervalMs: 50 });
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running 20 s after SIGINT'), 20_000))]);
      assert.equal(code, 130, stderr);
    } finally {
      child.kill('SIGKILL');
    }
    const report = JSON.parse(stdout) as Report;
    assert.deepEqual(
      report.workloads.map((w) => [w.name, w.result]),
      [
        ['a-quick', 'restarted'],
        ['b-stuck', 'interrupted'],
        ['c-after', 'not-started'],
      ],
    );
    assert.match(stderr, /Error: interrupted: 1 restarted, 1 still rolling \(deployment\/b-stuck\), 1 not started/);
    assert.ok(restartedAt(await kube.get(ref(stuck))), 'the workload in flight was patched completely');
    assert.equal(restartedAt(await kube.get(ref(later))), undefined, 'nothing new was started');
  });

  describe('with an Istio revision installed by mesh and served by the real istiod', () => {
    const rev = `rr${Math.random().toString(36).slice(2, 7)}`;
    let revision: Awaited<ReturnType<typeof istioRevision>>;
    before(async () => {
      revision = await istioRevision(kube, rev, '1.30.0');
    });
    after(async () => {
      await revision?.cleanup();
    });

    it('--outdated restarts only workloads with an old sidecar image, and a second run does nothing', async () => {
      const ns = await cp.freshNamespace('rr-outdated', { 'istio.io/rev': rev });
      await revision.setTag('1.30.0');
      await revision.ready(ns);
      const old = [workload('Deployment', ns, 'old-a', { replicas: 2 }), workload('StatefulSet', ns, 'old-b', { replicas: 2 })];
      await createAll(kube, old);
      await waitRolledOut(kube, old);
      assert.deepEqual(await proxyImages(kube, ns, 'old-a'), [`${HUB}/proxyv2:1.30.0`, `${HUB}/proxyv2:1.30.0`]);
      // The upgrade: new pods get 1.31.1 from now on.
      await revision.setTag('1.31.1');
      const fresh = [workload('Deployment', ns, 'fresh', { replicas: 2 })];
      await createAll(kube, fresh);
      await waitRolledOut(kube, fresh);
      assert.deepEqual(await proxyImages(kube, ns, 'fresh'), [`${HUB}/proxyv2:1.31.1`, `${HUB}/proxyv2:1.31.1`]);

      // mesh analyze sees the same thing on the live cluster: IST0158 names exactly the outdated pods.
      const imageCheck = ['analyze', '-n', ns, '-i', SYS, '-r', rev, '--analyzer', 'injection.ImageAnalyzer', '-o', 'json'];
      const before = await runMesh(cp, imageCheck);
      assert.equal(before.code, 0, before.stderr); // IST0158 is a Warning, below the default failure threshold
      const findings = JSON.parse(before.stdout) as { code: string; message: string }[];
      assert.deepEqual(
        findings.map((f) => f.code),
        ['IST0158'],
        before.stdout,
      );
      const oldPods = [...(await podNames(kube, ns, 'old-a')), ...(await podNames(kube, ns, 'old-b'))].sort();
      for (const p of oldPods) assert.ok(findings[0]!.message.includes(p), `${p} in ${findings[0]!.message}`);
      for (const p of await podNames(kube, ns, 'fresh')) assert.ok(!findings[0]!.message.includes(p), `up-to-date ${p} not listed`);

      const first = await runMesh(cp, ['rollout-restart', '-n', ns, '--outdated', '-y', '-o', 'json']);
      assert.equal(first.code, 0, first.stderr);
      const report = JSON.parse(first.stdout) as Report;
      assert.deepEqual(
        report.workloads.map((w) => [w.name, w.result]),
        [
          ['old-a', 'restarted'],
          ['old-b', 'restarted'],
        ],
      );
      assert.equal(restartedAt(await kube.get(ref(fresh[0]!))), undefined, 'the up-to-date workload was not restarted');
      for (const app of ['old-a', 'old-b']) {
        await waitFor(`${app}'s pods to carry the new proxy`, async () => (await proxyImages(kube, ns, app)).every((i) => i === `${HUB}/proxyv2:1.31.1`));
      }

      const second = await runMesh(cp, ['rollout-restart', '-n', ns, '--outdated', '-y', '-o', 'json']);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual((JSON.parse(second.stdout) as Report).workloads, []);
      assert.match(second.stderr, /No workloads with an outdated sidecar in namespace/);
      // Old pods may still be terminating (and running the old proxy) for a moment.
      await waitFor('no IST0158 once every sidecar is current', async () => {
        const r = await runMesh(cp, imageCheck);
        assert.equal(r.code, 0, r.stderr);
        return (JSON.parse(r.stdout) as unknown[]).length === 0;
      });
    });

    it('a rollout whose new pods never become ready stops the run with exit 1 and leaves later workloads untouched', async () => {
      const ns = await cp.freshNamespace('rr-fail', { 'istio.io/rev': rev });
      await revision.setTag('1.31.1');
      await revision.ready(ns);
      const objs = [
        workload('Deployment', ns, 'a-plain', { replicas: 2, templateLabels: { 'sidecar.istio.io/inject': 'false' } }),
        workload('Deployment', ns, 'b-broken', { replicas: 2, progressDeadlineSeconds: 8 }),
        workload('Deployment', ns, 'c-later', { replicas: 2 }),
      ];
      await createAll(kube, objs);
      await waitRolledOut(kube, objs);
      // A bad upgrade: the injector now hands out a proxy image that cannot be pulled.
      await revision.setTag('0.0.0-unpullable');

      const r = await runMesh(cp, ['rollout-restart', '-n', ns, '--all', '-y', '-o', 'json', '--timeout', '90s']);
      assert.equal(r.code, 1, r.stderr);
      const report = JSON.parse(r.stdout) as Report;
      assert.deepEqual(
        report.workloads.map((w) => [w.name, w.result]),
        [
          ['a-plain', 'restarted'],
          ['b-broken', 'failed'],
          ['c-later', 'not-started'],
        ],
      );
      const broken = report.workloads[1]!;
      assert.match(broken.message, /exceeded its progress deadline/);
      assert.ok(
        broken.problems.some((p) => /^pod b-broken-\S+: container \S+ ImagePullBackOff/.test(p)),
        broken.problems.join('\n'),
      );
      assert.match(r.stderr, /Error: rollout of deployment .*\/b-broken failed: exceeded its progress deadline/);
      assert.match(r.stderr, /ImagePullBackOff/);
      assert.match(r.stderr, /1 workload not restarted/);
      assert.ok(restartedAt(await kube.get(ref(objs[0]!))));
      assert.equal(restartedAt(await kube.get(ref(objs[2]!))), undefined, 'c-later was not touched');
    });
  });
});
