// Benchmark for `mesh analyze` on files: a synthetic mesh of 10,000 objects (Services, Deployments,
// VirtualServices, DestinationRules, Gateways, Sidecars, AuthorizationPolicies, PeerAuthentications)
// across 200 namespaces.
//  1. Against istioctl (issue 13's goal: at least 5x faster in wall time, peak RSS not above
//     istioctl's): the built `bin/mesh analyze --use-kube=false -A -o json` and the built
//     `istioctl analyze --use-kube=false -A -o json` (scripts/istio/istio.sh) on the same files,
//     alternating, best of --runs each, both as whole processes (start-up included).
//  2. Analysis against parsing alone (CPU time, in a child process through tsx on the sources, so
//     each measurement starts from a fresh heap): goal well under 2x.
//   node bench/analyze.mjs [--namespaces 200] [--runs 3]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { namespaceDocs } from './lib/analyze-mesh.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};

if (args[0] === '--worker') {
  await worker(args[1], args[2]);
} else {
  await main();
}

function generate(dir, namespaces) {
  let count = 0;
  for (let n = 0; n < namespaces; n++) {
    const { ns, docs } = namespaceDocs(n, namespaces);
    count += docs.length;
    writeFileSync(join(dir, `${ns}.yaml`), docs.join('---\n'));
  }
  return count;
}

async function main() {
  const namespaces = opt('--namespaces', 200);
  const runs = opt('--runs', 3);
  const dir = mkdtempSync(join(tmpdir(), 'mesh-bench-analyze-'));
  const meshDir = join(dir, 'mesh');
  mkdirSync(meshDir);
  const objects = generate(meshDir, namespaces);
  const self = fileURLToPath(import.meta.url);
  const measure = (mode) => {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--worker', mode, meshDir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`worker ${mode} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop());
  };
  const best = (mode) => {
    const all = Array.from({ length: runs }, () => measure(mode));
    return all.reduce((a, b) => (b.ms < a.ms ? b : a));
  };
  try {
    againstIstioctl(meshDir, objects, runs);
    const parse = best('parse');
    const analyze = best('analyze');
    const fmt = (n) => n.toFixed(0).padStart(6);
    console.log(`synthetic mesh: ${objects} objects in ${namespaces} namespaces (best of ${runs} runs, fresh process each; CPU time)`);
    console.log(`parse only (read + the yaml package, YAML 1.1):${fmt(parse.ms)} ms   peak RSS ${fmt(parse.rssMB)} MB`);
    console.log(
      `analyze from files (parse + ${analyze.analyzers} analyzers): ${fmt(analyze.ms)} ms   peak RSS ${fmt(analyze.rssMB)} MB   (${analyze.findings} findings; analysis alone ${analyze.analyzeMs.toFixed(0)} ms)`,
    );
    const ratio = analyze.ms / parse.ms;
    if (Object.keys(analyze.perAnalyzer).length > 0) console.log(analyze.perAnalyzer);
    console.log(`ratio analyze/parse: ${ratio.toFixed(2)}x (goal: well under 2x)`);
    if (analyze.resources !== objects) throw new Error(`loaded ${analyze.resources} objects, generated ${objects}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall time and peak RSS of a whole process, through GNU time when there is one. */
function timed(cmd, args) {
  const gnuTime = existsSync('/usr/bin/time');
  const start = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '/nonexistent' },
      })
    : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && r.status !== 79) throw new Error(`${cmd} exited ${r.status}: ${r.stderr.slice(-1000)}`);
  const rssKB = gnuTime ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  let findings = NaN;
  try {
    findings = JSON.parse(r.stdout).length;
  } catch {
    // not JSON (the run failed): findings stay NaN
  }
  return { ms, rssMB: rssKB / 1024, findings };
}

function againstIstioctl(meshDir, objects, runs) {
  const paths = spawnSync('bash', ['scripts/istio/istio.sh', 'paths'], { encoding: 'utf8' });
  const istioctl = /^ISTIOCTL=(.*)$/m.exec(paths.stdout ?? '')?.[1];
  if (!istioctl || !existsSync(istioctl)) {
    console.log(`istioctl not built (scripts/istio/istio.sh build): no comparison against istioctl`);
    return;
  }
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run npm run build (npm run bench does)');
  const meshRuns = [];
  const istioRuns = [];
  // One untimed run of each first: the files in the page cache for both, and mesh's code cache
  // (src/cli/boot.ts) written, as after a user's first `mesh analyze`.
  timed(process.execPath, ['bin/mesh', 'analyze', '--use-kube=false', '-A', '-o', 'json', meshDir]);
  timed(istioctl, ['analyze', '--use-kube=false', '-A', '-o', 'json', meshDir]);
  for (let i = 0; i < runs; i++) {
    meshRuns.push(timed(process.execPath, ['bin/mesh', 'analyze', '--use-kube=false', '-A', '-o', 'json', meshDir]));
    istioRuns.push(timed(istioctl, ['analyze', '--use-kube=false', '-A', '-o', 'json', meshDir]));
  }
  const best = (xs) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const m = best(meshRuns);
  const s = best(istioRuns);
  const rss = (xs) => Math.max(...xs.map((x) => x.rssMB));
  const fmt = (n) => n.toFixed(0).padStart(6);
  console.log(`against istioctl: ${objects} objects from files, -A (best of ${runs}, whole processes, wall time; peak RSS the highest seen)`);
  console.log(`  istioctl analyze --use-kube=false: ${fmt(s.ms)} ms   peak RSS ${fmt(rss(istioRuns))} MB   (${s.findings} findings)`);
  console.log(
    `  mesh analyze --use-kube=false:     ${fmt(m.ms)} ms   peak RSS ${fmt(rss(meshRuns))} MB   (${m.findings} findings; mesh also runs the analyzers that read Services, Pods, Deployments from files, which istioctl skips)`,
  );
  const speed = s.ms / m.ms;
  const mem = rss(meshRuns) / rss(istioRuns);
  console.log(
    `  speed-up ${speed.toFixed(2)}x (goal: >= 5x) ${speed >= 5 ? 'MET' : 'NOT MET'}; RSS ratio mesh/istioctl ${mem.toFixed(2)} (goal: <= 1) ${mem <= 1 ? 'MET' : 'NOT MET'}`,
  );
}

async function worker(mode, dir) {
  const { readdirSync, readFileSync } = await import('node:fs');
  const files = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  // CPU time, not wall time: the benchmark machine is shared, and wall time swings with its load.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  // Modules load before the clock starts (under tsx they are compiled on import).
  const { parseAllDocuments } = await import('yaml');
  const { parseManifests } = await import('../src/analyze/load.ts');
  const { runAnalyzers } = await import('../src/analyze/runner.ts');
  const { ResourceStore } = await import('../src/analyze/store.ts');
  const { ANALYZERS } = await import('../src/analyze/analyzers/index.ts');
  const { formatMessages } = await import('../src/analyze/format.ts');
  await import('../src/model/istio/validate.ts');
  const t0 = cpu();
  if (mode === 'parse') {
    // The baseline: what any tool must do to read the YAML the way the API server does.
    const customTags = (tags) => tags.filter((t) => typeof t !== 'object' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME'));
    let n = 0;
    for (const f of files) {
      for (const d of parseAllDocuments(readFileSync(f, 'utf8'), { version: '1.1', customTags })) {
        if (d.toJS()) n++;
      }
    }
    const ms = cpu() - t0;
    console.log(JSON.stringify({ ms, rssMB: process.resourceUsage().maxRSS / 1024, resources: n }));
    return;
  }
  const resources = [];
  for (const f of files) resources.push(...parseManifests(readFileSync(f, 'utf8'), { file: f, defaultNamespace: 'default' }).resources);
  const t1 = cpu();
  const store = ResourceStore.of(resources);
  const result = runAnalyzers({ store, analyzers: ANALYZERS });
  formatMessages(result.messages, 'log', { istioMinor: '1.31' });
  const ms = cpu() - t0;
  const analyzeMs = cpu() - t1;
  const perAnalyzer = {};
  if (process.env['MESH_BENCH_DETAIL']) {
    for (const a of ANALYZERS) {
      const s = cpu();
      runAnalyzers({ store, analyzers: [a] });
      perAnalyzer[a.meta.name] = Math.round(cpu() - s);
    }
  }
  console.log(
    JSON.stringify({
      ms,
      analyzeMs,
      perAnalyzer,
      rssMB: process.resourceUsage().maxRSS / 1024,
      resources: resources.length,
      findings: result.messages.length,
      analyzers: ANALYZERS.length,
    }),
  );
}
