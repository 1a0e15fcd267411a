// Runs the test suites with node's own test runner (TypeScript through tsx).
//   node scripts/run-tests.mjs            unit tests, the bounded fuzz run, parity, then the end-to-end suite
//   node scripts/run-tests.mjs --unit     unit tests only
//   node scripts/run-tests.mjs --fuzz     the fuzz suite only (test/fuzz/**/*.fuzz.test.ts);
//                                         --runs N (default 100000 analyze documents) and --seed S
//                                         to run more or to repeat a run (or MESH_FUZZ_RUNS/MESH_FUZZ_SEED)
//   node scripts/run-tests.mjs --e2e      end-to-end tests only
//   node scripts/run-tests.mjs --parity   parity tests only (mesh against the real istioctl)
//   node scripts/run-tests.mjs --faults   the fault suite only (test/faults/, on the local control plane)
//   extra arguments that are paths select those test files
// Unit tests: test/unit/**/*.test.ts and src/**/*.test.ts. Parity: test/parity/**/*.parity.test.ts
// (they need istioctl, built by scripts/istio/istio.sh). E2e: test/e2e/**/*.e2e.test.ts.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
// --runs N and --seed S (fuzz): their values are not test paths.
const fuzzEnv = {};
for (const [flag, env] of [
  ['--runs', 'MESH_FUZZ_RUNS'],
  ['--seed', 'MESH_FUZZ_SEED'],
]) {
  const i = args.indexOf(flag);
  if (i < 0) continue;
  const v = args[i + 1];
  if (v === undefined || !/^\d+$/.test(v)) {
    process.stderr.write(`${flag}: expected a whole number, got ${v === undefined ? 'nothing' : `"${v}"`}\n`);
    process.exit(64);
  }
  fuzzEnv[env] = v;
  args.splice(i, 2);
}
const modes = ['unit', 'e2e', 'parity', 'fuzz', 'faults'];
const only = modes.find((m) => args.includes(`--${m}`)) ?? 'all';
const explicit = args.filter((a) => !a.startsWith('--'));

function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries.sort()) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const isE2e = (f) => f.endsWith('.e2e.test.ts');
const isParity = (f) => f.endsWith('.parity.test.ts');
const isFaults = (f) => f.endsWith('.faults.test.ts');
const isFuzz = (f) => f.endsWith('.fuzz.test.ts');
const unitFiles = [...walk('test'), ...walk('src')].filter((f) => f.endsWith('.test.ts') && !isE2e(f) && !isParity(f) && !isFuzz(f) && !isFaults(f));
const fuzzFiles = walk('test/fuzz').filter(isFuzz);
const parityFiles = walk('test/parity').filter(isParity);
const e2eFiles = walk('test/e2e').filter(isE2e);
const faultFiles = walk('test/faults').filter(isFaults);

// One readable line per test, failures repeated at the end (node's spec reporter), on a terminal and
// in CI logs alike; MESH_TEST_REPORTER=tap (or dot, junit) for a machine-readable stream.
const reporter = `--test-reporter=${process.env.MESH_TEST_REPORTER || 'spec'}`;

function run(files, extraEnv = {}) {
  if (files.length === 0) return 0;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', reporter, ...files], {
    stdio: 'inherit',
    env: { ...process.env, ...extraEnv },
  });
  return r.status ?? 1;
}

// E2e files run against one local control plane for the whole run (started, or
// reused, and torn down by the harness runner; see test/e2e/harness/run-e2e.mjs).
function runE2e(files) {
  if (files.length === 0) return 0;
  const r = spawnSync(process.execPath, ['test/e2e/harness/run-e2e.mjs', ...files], { stdio: 'inherit' });
  return r.status ?? 1;
}

// Parity tests need the real istioctl: build it first (a no-op when cached). Without Go or when
// the build fails they are skipped with one loud line, except with CI=true, where that fails.
function runParity(files) {
  if (files.length === 0) return 0;
  const b = spawnSync('bash', ['scripts/istio/istio.sh', 'build'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (b.status !== 0) {
    const ci = process.env.CI === 'true' || process.env.CI === '1';
    process.stderr.write(`\n######## PARITY ${ci ? 'FAILED (CI=true)' : 'SKIPPED'}: scripts/istio/istio.sh build failed ########\n\n`);
    return ci ? 1 : 0;
  }
  return run(files);
}

let status = 0;
if (explicit.length > 0) {
  status =
    run(
      explicit.filter((f) => !isE2e(f) && !isParity(f) && !isFaults(f)),
      fuzzEnv,
    ) || status;
  status = runParity(explicit.filter(isParity)) || status;
  status = runE2e(explicit.filter((f) => isE2e(f) || isFaults(f))) || status;
} else {
  if (only === 'all' || only === 'unit') status = run(unitFiles) || status;
  // The fuzz suite is one file that runs its targets in turn (it prints a one-line summary).
  if (only === 'all' || only === 'fuzz') status = run(fuzzFiles, fuzzEnv) || status;
  if (only === 'all' || only === 'parity') status = runParity(parityFiles) || status;
  // One control plane for the e2e files and the fault suite (which runs last).
  if (only === 'all') status = runE2e([...e2eFiles, ...faultFiles]) || status;
  if (only === 'e2e') status = runE2e(e2eFiles) || status;
  if (only === 'faults') status = runE2e(faultFiles) || status;
}
process.exit(status);
