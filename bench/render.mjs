// Cold wall time of `mesh manifest generate --profile demo` (a fresh node process each run) as a
// ratio against `node -e 0` measured in the same run. Median of several runs of each, interleaved
// so machine load affects both alike. Run with `npm run bench` (builds first).
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const TARGET = 3;

function time(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const baseline = [];
const render = [];
time(['bin/mesh', 'manifest', 'generate', '--profile', 'demo']); // warm the file cache, not the process
for (let i = 0; i < RUNS; i++) {
  baseline.push(time(['-e', '0']));
  render.push(time(['bin/mesh', 'manifest', 'generate', '--profile', 'demo']));
}
const b = median(baseline);
const r = median(render);
const ratio = r / b;
console.log(`node -e 0                                  median ${b.toFixed(1)} ms  (${RUNS} runs)`);
console.log(`mesh manifest generate --profile demo      median ${r.toFixed(1)} ms  (${RUNS} runs)`);
console.log(`ratio ${ratio.toFixed(2)}x node's own start (target < ${TARGET}x) ${ratio < TARGET ? 'OK' : 'OVER TARGET'}`);
