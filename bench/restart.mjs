// Benchmark of `mesh rollout-restart`: its overhead per workload beyond the rollouts' own duration,
// and the number of API requests per workload (which must not grow with the number of workloads).
//
// Baseline, measured in the same run on the same Deployments: a minimal hand-written loop that patches
// one Deployment and polls it every 25 ms until kubectl's rollout-status rule says done, then the next
// — as close to "the rollout's own duration" as a client can see. mesh then restarts the same
// Deployments with run() (concurrency 1). Overhead per workload = (mesh - baseline) / N.
//
// Cluster: the local control plane (scripts/control-plane/control-plane.sh) when one is running or
// MESH_BENCH_KUBECONFIG names one; otherwise the in-memory FakeKubeClient with an instant simulated
// controller, clearly labelled (then the numbers are pure client overhead).
//   npm run bench restart          MESH_BENCH_N=10,50 (default)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/restart/index.ts');
const { rolloutStatus, restartPatch } = await import('../src/restart/status.ts');
const { FakeKubeClient } = await import('../src/kube/fake.ts');

const sizes = (process.env.MESH_BENCH_N ?? '10,50')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);

function findControlPlane() {
  if (process.env.MESH_BENCH_KUBECONFIG) return process.env.MESH_BENCH_KUBECONFIG;
  const script = 'scripts/control-plane/control-plane.sh';
  if (!existsSync(script)) return undefined;
  if (spawnSync('bash', [script, 'status'], { stdio: 'ignore' }).status !== 0) return undefined;
  const out = spawnSync('bash', [script, 'paths'], { encoding: 'utf8' }).stdout ?? '';
  return /^KUBECONFIG=(.*)$/m.exec(out)?.[1];
}

/** Counts requests per KubeClient method (a watch counts once per call). */
function counting(kube) {
  const counts = {};
  const proxy = new Proxy(kube, {
    get(target, prop) {
      const v = target[prop];
      if (typeof v !== 'function') return v;
      return (...args) => {
        if (['get', 'list', 'patch', 'watch', 'create', 'delete', 'apply'].includes(prop)) counts[prop] = (counts[prop] ?? 0) + 1;
        return v.apply(target, args);
      };
    },
  });
  return {
    kube: proxy,
    counts,
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => Object.keys(counts).forEach((k) => delete counts[k]),
  };
}

function deployment(ns, name) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: `registry.local/${name}:1` }] } },
    },
    status: {},
  };
}

/** An instant stand-in for the Deployment controller, for the fake cluster. */
function fakeController(fake) {
  const ac = new AbortController();
  void fake.watch(
    'apps/v1',
    'Deployment',
    { resourceVersion: '0' },
    (type, o) => {
      if (type === 'DELETED' || (o.metadata.generation ?? 0) <= (o.status?.observedGeneration ?? 0)) return;
      setImmediate(() =>
        fake.update({ ...o, status: { observedGeneration: o.metadata.generation, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 } }),
      );
    },
    ac.signal,
  );
  return () => ac.abort();
}

async function waitDone(kube, ref, deadlineMs = 120_000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const o = await kube.get(ref);
    if (o && rolloutStatus(o).done) return;
    if (Date.now() > end) throw new Error(`${ref.name} did not finish its rollout`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The baseline: patch, poll until done, next. */
async function baseline(kube, ns, names) {
  const t0 = performance.now();
  for (const name of names) {
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: ns };
    await kube.patch(ref, restartPatch(undefined, new Date()), 'strategic', { fieldManager: 'bench' });
    await waitDone(kube, ref);
  }
  return performance.now() - t0;
}

async function meshRun(kube, ns) {
  const t0 = performance.now();
  const r = await run(
    {
      namespaces: [ns],
      kinds: ['Deployment'],
      mode: 'all',
      istioNamespace: 'istio-system',
      allowDowntime: true,
      includeOnDelete: false,
      concurrency: 1,
      pauseMs: 0,
      continueOnError: false,
      dryRun: 'none',
    },
    { kube, now: () => new Date() },
  );
  const ms = performance.now() - t0;
  if (r.report.summary.restarted !== r.report.workloads.length) throw new Error(`mesh run: ${JSON.stringify(r.report.summary)}`);
  return ms;
}

const kubeconfig = findControlPlane();
let label;
let makeClient;
let cleanup = async () => {};
if (kubeconfig) {
  label = `local control plane (${kubeconfig.replace(process.cwd() + '/', '')})`;
  const { createKubeClient } = await import('../src/kube/real.ts');
  makeClient = () => createKubeClient({ kubeconfig });
} else {
  label = 'FAKE CLIENT (no control plane running): in-memory FakeKubeClient with an instant controller; numbers are client overhead only';
  const fake = new FakeKubeClient();
  const stop = fakeController(fake);
  cleanup = async () => stop();
  makeClient = () => fake;
}
process.stdout.write(`cluster: ${label}\n\n`);
process.stdout.write('   N   baseline s   mesh s   mesh/baseline   overhead/workload   requests   requests/workload\n');

const rows = [];
for (const n of sizes) {
  const c = counting(makeClient());
  const ns = `bench-rr-${n}-${Math.random().toString(36).slice(2, 7)}`;
  await c.kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  if (kubeconfig) {
    // Pods are refused until the namespace's default ServiceAccount exists.
    for (let i = 0; i < 200 && !(await c.kube.get({ apiVersion: 'v1', kind: 'ServiceAccount', name: 'default', namespace: ns })); i++)
      await new Promise((r) => setTimeout(r, 100));
  }
  const names = Array.from({ length: n }, (_, i) => `w${String(i).padStart(3, '0')}`);
  for (const name of names) await c.kube.create(deployment(ns, name));
  for (const name of names) await waitDone(c.kube, { apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: ns });
  const base = await baseline(c.kube, ns, names);
  c.reset();
  const mesh = await meshRun(c.kube, ns);
  const requests = c.total();
  rows.push({ n, base, mesh, requests, counts: { ...c.counts } });
  process.stdout.write(
    `${String(n).padStart(4)}   ${(base / 1000).toFixed(2).padStart(10)}   ${(mesh / 1000).toFixed(2).padStart(6)}   ${(mesh / base).toFixed(2).padStart(13)}x   ${`${((mesh - base) / n).toFixed(0)} ms`.padStart(17)}   ${String(requests).padStart(8)}   ${(requests / n).toFixed(2).padStart(17)}\n`,
  );
  await c.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns }).catch(() => undefined);
}
await cleanup();

const last = rows.at(-1);
const first = rows[0];
process.stdout.write(`\nrequests of the largest run by kind: ${JSON.stringify(last.counts)}\n`);
if (rows.length > 1) {
  process.stdout.write(
    `request growth ${first.n} → ${last.n} workloads: ${(last.requests / first.requests).toFixed(2)}x for ${(last.n / first.n).toFixed(2)}x the workloads (linear = equal)\n`,
  );
}
const worst = Math.max(...rows.map((r) => (r.mesh - r.base) / r.n));
process.stdout.write(`target: overhead < 1000 ms per workload — worst ${worst.toFixed(0)} ms: ${worst < 1000 ? 'met' : 'NOT met'}\n`);
process.exit(0);
