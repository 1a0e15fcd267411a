// Benchmark of `mesh proxy-status` against `istioctl proxy-status` (issue 14's goal: faster than
// istioctl, and under 2 s), with N proxies connected to the REAL istiod on the local control plane.
//
// Setup: the local control plane (started if none runs, stopped again; the one the e2e suite uses),
// `mesh install --profile minimal`, N pods with a sidecar in a fresh namespace (kwok runs them), and
// one simulated proxy per pod (scripts/istio/simproxy: Istio's own xDS client) connected to istiod.
// Then whole processes, interleaved: the built `bin/mesh proxy-status` and the built istioctl's
// `proxy-status`, both with the admin kubeconfig and their defaults (xDS through a port-forward to
// istiod). Wall time: the median of the runs; peak RSS: the highest seen (GNU time).
//   npm run bench proxy-status        MESH_BENCH_PROXIES=1000 (default)  BENCH_RUNS=5 (default)
//   MESH_BENCH_CPU_PROF=DIR also writes a CPU profile of one mesh run to DIR
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { runMesh, startControlPlane, waitFor } = await import('../test/e2e/harness/index.ts');
const { routeIstiod, startSimProxies } = await import('../test/e2e/harness/simproxy.ts');

const N = Number(process.env.MESH_BENCH_PROXIES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GOAL_MS = 2000;

const paths = spawnSync('bash', ['scripts/istio/istio.sh', 'paths'], { encoding: 'utf8' });
const istioctl = /^ISTIOCTL=(.*)$/m.exec(paths.stdout ?? '')?.[1];
if (!istioctl || !existsSync(istioctl)) {
  console.log('istioctl not built (bash scripts/istio/istio.sh build): this benchmark needs it as the baseline');
  process.exit(1);
}
if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run npm run build (npm run bench does)');

const cp = await startControlPlane();
if (cp.skip) {
  console.log(`no local control plane (${cp.skip}): skipped`);
  process.exit(1);
}
const cleanups = [];
try {
  const step = (m) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);
  step('mesh install --profile minimal');
  const inst = await runMesh(cp, ['install', '--profile', 'minimal', '-y', '--readiness-timeout', '3m'], { timeoutMs: 240_000 });
  if (inst.code !== 0) throw new Error(`install failed: ${inst.stderr}`);
  const routed = await routeIstiod(cp, 'istio-system', ['istiod']);
  cleanups.push(routed.remove);
  const istiod = routed.istiods[0];
  const ns = await cp.freshNamespace('bench-ps');
  step(`creating ${N} pods in ${ns}`);
  const names = Array.from({ length: N }, (_, i) => `app${i % 50}-${i}`);
  const queue = [...names];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const app = name.replace(/-\d+$/, '');
        await cp.kube.core.createNamespacedPod({
          namespace: ns,
          body: {
            metadata: { name, labels: { app }, annotations: { 'sidecar.istio.io/status': '{"revision":"default"}' } },
            spec: {
              containers: [
                { name: 'app', image: 'registry.local/app:1.0' },
                { name: 'istio-proxy', image: 'registry.istio.io/release/proxyv2:1.31.1' },
              ],
            },
          },
        });
      }
    }),
  );
  const pods = await waitFor(
    `${N} pods running`,
    async () => {
      const list = (await cp.kube.core.listNamespacedPod({ namespace: ns })).items;
      return list.length === N && list.every((p) => p.status?.phase === 'Running' && p.status.podIP) ? list : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 2000 },
  );
  step(`connecting ${N} simulated proxies to istiod`);
  const sim = await startSimProxies(
    pods.map((p) => ({ pod: p.metadata.name, namespace: ns, ip: p.status.podIP, labels: p.metadata.labels, xds: istiod.grpc })),
  );
  cleanups.push(() => sim.close());
  await sim.waitSynced(300_000);

  const timed = (cmd, args) => {
    const start = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1', KUBECONFIG: cp.kubeconfigPath },
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 && r.status !== 79) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-1000)}`);
    const lines = r.stdout.split('\n').filter((l) => l.includes(`.${ns}`)).length;
    return { ms, rssMB: Number(r.stderr.trim().split('\n').pop()) / 1024, lines };
  };
  if (process.env.MESH_BENCH_CPU_PROF) {
    // One profiled run (node --cpu-prof) for finding where the time goes; not part of the numbers.
    spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', process.env.MESH_BENCH_CPU_PROF, 'bin/mesh', 'proxy-status', '-o', 'json'], {
      stdio: 'ignore',
      env: { ...process.env, NO_COLOR: '1', KUBECONFIG: cp.kubeconfigPath },
    });
  }
  const meshRuns = [];
  const istioRuns = [];
  step(`timing ${RUNS} runs of each`);
  for (let i = 0; i < RUNS; i++) {
    meshRuns.push(timed(process.execPath, ['bin/mesh', 'proxy-status']));
    istioRuns.push(timed(istioctl, ['proxy-status']));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const m = median(meshRuns.map((r) => r.ms));
  const s = median(istioRuns.map((r) => r.ms));
  const rss = (xs) => Math.max(...xs.map((x) => x.rssMB));
  const fmt = (x) => x.toFixed(0).padStart(6);
  console.log(`proxy-status with ${N} proxies connected to the real istiod (median of ${RUNS} interleaved runs, whole processes; peak RSS the highest seen)`);
  console.log(`  istioctl proxy-status: ${fmt(s)} ms   peak RSS ${fmt(rss(istioRuns))} MB   (${istioRuns[0].lines} proxies of the namespace listed)`);
  console.log(`  mesh proxy-status:     ${fmt(m)} ms   peak RSS ${fmt(rss(meshRuns))} MB   (${meshRuns[0].lines} proxies of the namespace listed)`);
  const speed = s / m;
  console.log(`  speed-up ${speed.toFixed(2)}x (goal: > 1x) ${speed > 1 ? 'MET' : 'NOT MET'}; mesh under ${GOAL_MS} ms: ${m < GOAL_MS ? 'MET' : 'NOT MET'}`);
  if (meshRuns[0].lines !== N) console.log(`  NOTE: mesh listed ${meshRuns[0].lines} of the ${N} proxies`);
  if (process.env.MESH_BENCH_HOLD) {
    // Keep the setup up for a while (debugging: KUBECONFIG below, run mesh by hand).
    console.log(`holding ${process.env.MESH_BENCH_HOLD}s; KUBECONFIG=${cp.kubeconfigPath}`);
    await new Promise((r) => setTimeout(r, Number(process.env.MESH_BENCH_HOLD) * 1000));
  }
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await runMesh(cp, ['uninstall', '--purge', '-y'], { timeoutMs: 240_000 }).catch(() => undefined);
  await cp.release();
}
