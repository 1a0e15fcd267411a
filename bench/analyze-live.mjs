// Benchmark of `mesh analyze -A` against `istioctl analyze -A` on a LIVE cluster (issue 13's goal:
// at least 3x faster in wall time): the synthetic mesh of bench/analyze.mjs (10,000 objects in 200
// namespaces, bench/lib/analyze-mesh.mjs) applied to the local control plane.
//
// Setup: the local control plane (reused when one runs, else started and stopped again), the Istio
// CRDs (src/model/istio/crds.ts, waited for Established), the 200 Namespaces, then the 10,000
// objects by server-side apply, many requests in flight; kwok runs the Deployments' pods (2 per
// Deployment: 4,000 pods, waited for Running so that every run sees the same cluster). Each step is
// timed. Then whole processes, alternating: the built `bin/mesh analyze -A -o json` and the built
// istioctl's `analyze -A -o json` (scripts/istio/istio.sh), both with the admin kubeconfig.
// Wall time: best and median of the runs, with the spread; peak RSS the highest seen (GNU time).
// At the end the namespaces are deleted, and the CRDs if this run installed them (or the whole
// control plane is stopped, if this run started it).
//   node bench/analyze-live.mjs [--namespaces 200] [--runs 5] [--concurrency 32] [--keep]
//   --keep leaves the objects in place (a later run re-applies them, which changes nothing);
//   MESH_BENCH_COMPARE=PATH/cli.js also times another build of mesh (e.g. the previous commit's dist/),
//   in the same alternation, to measure a change against the one before it;
//   MESH_BENCH_CPU_PROF=DIR also writes a CPU profile of one mesh run to DIR (not timed).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { register } from 'tsx/esm/api';
import { namespaceDocs } from './lib/analyze-mesh.mjs';

register();
const { startControlPlane, waitFor } = await import('../test/e2e/harness/index.ts');
const { createKubeClient } = await import('../src/kube/real.ts');
const { refOf } = await import('../src/kube/client.ts');
const { istioCrds } = await import('../src/model/istio/crds.ts');
const { parseKubeYamlValue } = await import('../src/model/yaml.ts');
const { forEachLimit } = await import('../src/util/pool.ts');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const NAMESPACES = opt('--namespaces', 200);
const RUNS = opt('--runs', Number(process.env.BENCH_RUNS ?? 5));
const CONCURRENCY = opt('--concurrency', 32);
const KEEP = args.includes('--keep');
const PREFIX = 'bench-live';
const GOAL = 3;
const fieldManager = 'mesh-bench-analyze';

const paths = spawnSync('bash', ['scripts/istio/istio.sh', 'paths'], { encoding: 'utf8' });
const istioctl = /^ISTIOCTL=(.*)$/m.exec(paths.stdout ?? '')?.[1];
if (!istioctl || !existsSync(istioctl)) {
  console.log('istioctl not built (bash scripts/istio/istio.sh build): the live analyze benchmark needs it as the baseline');
  process.exit(1);
}
if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run npm run build (npm run bench does)');

const step = (m) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const seconds = (t0) => ((performance.now() - t0) / 1000).toFixed(1);

const cp = await startControlPlane();
if (cp.skip) {
  console.log(`no local control plane (${cp.skip}): skipped`);
  process.exit(1);
}
const kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
const namespaces = Array.from({ length: NAMESPACES }, (_, n) => namespaceDocs(n, NAMESPACES, PREFIX));
const crdsCreated = [];
try {
  const loadBefore = load();
  const setup = {};

  // The Istio CRDs, those missing only (another user of a shared control plane may have them).
  let t0 = performance.now();
  const crds = istioCrds();
  await forEachLimit(crds, { limit: 8 }, async (crd) => {
    if ((await kube.get(refOf(crd))) === undefined) crdsCreated.push(crd);
    await kube.apply(crd, { fieldManager, force: true });
  });
  await forEachLimit(crds, { limit: 8 }, (crd) =>
    waitFor(`CRD ${crd.metadata.name} Established`, async () => {
      const live = await kube.get(refOf(crd));
      return live?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    }),
  );
  setup.crds = seconds(t0);
  step(`${crds.length} Istio CRDs established (${crdsCreated.length} installed by this run) in ${setup.crds} s`);

  // The Namespaces first, then everything in them, by server-side apply.
  t0 = performance.now();
  await forEachLimit(namespaces, { limit: CONCURRENCY }, async ({ ns }) => {
    await kube.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'mesh.test/bench': 'analyze-live' } } },
      { fieldManager, force: true },
    );
  });
  setup.namespaces = seconds(t0);
  const objects = namespaces.flatMap(({ docs }) => docs.map((d) => parseKubeYamlValue(d)));
  // Deployments last: their ReplicaSets and pods (the controllers', the scheduler's and kwok's writes)
  // would otherwise compete with the rest of the apply for the API server.
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const rest = objects.filter((o) => o.kind !== 'Deployment');
  step(`${namespaces.length} namespaces in ${setup.namespaces} s; applying ${objects.length} objects, ${CONCURRENCY} at a time, Deployments last`);
  t0 = performance.now();
  await forEachLimit(rest, { limit: CONCURRENCY }, async (o) => {
    await kube.apply(o, { fieldManager, force: true });
  });
  setup.rest = seconds(t0);
  const t1 = performance.now();
  await forEachLimit(deployments, { limit: CONCURRENCY }, async (o) => {
    await kube.apply(o, { fieldManager, force: true });
  });
  setup.deployments = seconds(t1);
  setup.objects = seconds(t0);
  const rate = (objects.length / Number(setup.objects)).toFixed(0);
  step(
    `${objects.length} objects applied in ${setup.objects} s (${rate}/s; ${rest.length} in ${setup.rest} s, then ${deployments.length} Deployments in ${setup.deployments} s)`,
  );

  // kwok runs the Deployments' pods: wait until all of them run, so that every timed run sees the same cluster.
  const replicas = deployments.reduce((n, d) => n + (d.spec?.replicas ?? 1), 0);
  t0 = performance.now();
  let seen = -1;
  const pods = await waitFor(
    `${replicas} pods Running`,
    async () => {
      const list = (await kube.list('v1', 'Pod', { podSummary: true })).filter((p) => p.metadata.namespace?.startsWith(`${PREFIX}-`));
      const running = list.filter((p) => p.status?.phase === 'Running' && p.metadata.deletionTimestamp === undefined).length;
      if (running !== seen) step(`  ${list.length} pods, ${running} Running`);
      seen = running;
      return list.length === replicas && running === replicas ? list.length : undefined;
    },
    { timeoutMs: 1_200_000, intervalMs: 5000 },
  );
  setup.pods = seconds(t0);
  step(`${pods} pods Running after ${setup.pods} s more`);
  const allPods = (await kube.list('v1', 'Pod', { podSummary: true })).length;

  const timed = (cmd, cmdArgs) => {
    const start = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...cmdArgs], {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1', KUBECONFIG: cp.kubeconfigPath },
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 && r.status !== 79) throw new Error(`${cmd} ${cmdArgs.join(' ')} exited ${r.status}: ${r.stderr.slice(-1000)}`);
    let findings = [];
    try {
      findings = JSON.parse(r.stdout);
    } catch {
      // not JSON: no findings counted
    }
    return { ms, rssMB: Number(r.stderr.trim().split('\n').pop()) / 1024, findings };
  };
  if (process.env.MESH_BENCH_CPU_PROF) {
    // One profiled run (node --cpu-prof) for finding where the time goes; not part of the numbers.
    spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', process.env.MESH_BENCH_CPU_PROF, 'bin/mesh', 'analyze', '-A', '-o', 'json'], {
      stdio: 'ignore',
      env: { ...process.env, NO_COLOR: '1', KUBECONFIG: cp.kubeconfigPath },
    });
  }
  step(`timing ${RUNS} runs of each, alternating (load average ${load()})`);
  const compare = process.env.MESH_BENCH_COMPARE;
  const meshRuns = [];
  const istioRuns = [];
  const compareRuns = [];
  for (let i = 0; i < RUNS; i++) {
    meshRuns.push(timed(process.execPath, ['bin/mesh', 'analyze', '-A', '-o', 'json']));
    istioRuns.push(timed(istioctl, ['analyze', '-A', '-o', 'json']));
    if (compare) compareRuns.push(timed(process.execPath, [compare, 'analyze', '-A', '-o', 'json']));
    const other = compare ? `, the other mesh ${compareRuns[i].ms.toFixed(0)} ms` : '';
    step(`  run ${i + 1}: mesh ${meshRuns[i].ms.toFixed(0)} ms, istioctl ${istioRuns[i].ms.toFixed(0)} ms${other}`);
  }
  const loadAfter = load();

  const sorted = (xs) => xs.map((r) => r.ms).sort((a, b) => a - b);
  const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
  const best = (xs) => sorted(xs)[0];
  const worst = (xs) => sorted(xs)[xs.length - 1];
  const rss = (xs) => Math.max(...xs.map((x) => x.rssMB));
  const fmt = (x) => x.toFixed(0).padStart(6);
  const codes = (r) => {
    const by = {};
    for (const f of r.findings) by[f.code] = (by[f.code] ?? 0) + 1;
    return Object.entries(by)
      .sort()
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
  };
  console.log(
    `live analyze -A: ${objects.length} objects in ${namespaces.length} namespaces on the local control plane, plus ${replicas} pods kwok runs (${allPods} pods in the cluster)`,
  );
  console.log(
    `  setup: CRDs ${setup.crds} s, namespaces ${setup.namespaces} s, ${objects.length} objects by server-side apply ${setup.objects} s (${rate}/s, ${CONCURRENCY} in flight; Deployments last, ${setup.deployments} s of it), pods Running ${setup.pods} s more`,
  );
  console.log(`  ${RUNS} alternating runs each, whole processes, admin kubeconfig; load average ${loadBefore} before, ${loadAfter} after (1, 5, 15 min)`);
  const line = (name, xs) =>
    `  ${name} best ${fmt(best(xs))} ms  median ${fmt(median(xs))} ms  (spread ${best(xs).toFixed(0)}..${worst(xs).toFixed(0)})  peak RSS ${fmt(rss(xs))} MB  (${xs[0].findings.length} findings: ${codes(xs[0])})`;
  console.log(line('istioctl analyze -A:', istioRuns));
  console.log(line('mesh analyze -A:    ', meshRuns));
  if (compare) {
    console.log(line('the other mesh:      ', compareRuns));
    console.log(
      `  (the other mesh: MESH_BENCH_COMPARE) this build / the other: ${(median(meshRuns) / median(compareRuns)).toFixed(2)} of its median wall time`,
    );
  }
  const speedMedian = median(istioRuns) / median(meshRuns);
  const speedBest = best(istioRuns) / best(meshRuns);
  const mem = rss(meshRuns) / rss(istioRuns);
  console.log(
    `  speed-up ${speedMedian.toFixed(2)}x median, ${speedBest.toFixed(2)}x best (goal: >= ${GOAL}x) ${speedMedian >= GOAL ? 'MET' : 'NOT MET'}; RSS ratio mesh/istioctl ${mem.toFixed(2)}`,
  );
} finally {
  if (!KEEP) {
    step('cleaning up');
    // A new client: the first one's connections sat idle through the timed runs and may have been
    // closed by the server. Namespace deletion goes on in the background (the namespace controller).
    const kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    await forEachLimit(namespaces, { limit: 8 }, ({ ns }) => kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns }).then(() => undefined)).catch(
      (err) => step(`deleting the namespaces: ${err.message}`),
    );
    for (const crd of crdsCreated) await kube.delete(refOf(crd)).catch(() => undefined);
  }
  await cp.release();
}
