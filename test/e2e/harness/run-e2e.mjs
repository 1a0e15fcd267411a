// Runs the end-to-end test files against ONE local control plane for the whole run.
//
//   node test/e2e/harness/run-e2e.mjs FILE...
//
// 1. If MESH_E2E_KUBECONFIG is already set, the tests use that cluster as is.
// 2. Otherwise, if scripts/control-plane/control-plane.sh reports a healthy control
//    plane, it is reused and left running afterwards.
//    (Unless an earlier runner started it and was killed before stopping it: then
//    this run adopts it and stops it at the end.)
// 3. Otherwise it runs `control-plane.sh up` (which builds the binaries first when
//    they are missing and Go is available) and runs `down` when the tests finish,
//    fail, or the runner is interrupted (SIGINT/SIGTERM/SIGHUP). MESH_E2E_KEEP=1
//    keeps it running for the next run.
// If no control plane can be had, it prints one loud line and the e2e tests are
// skipped (MESH_E2E_SKIP is set for them); with CI=true that is a failure instead.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const script = join(repo, 'scripts/control-plane/control-plane.sh');
const files = process.argv.slice(2);
const ci = process.env.CI === 'true' || process.env.CI === '1';

function cp(cmd, stdio = 'pipe') {
  const r = spawnSync('bash', [script, cmd], { cwd: repo, stdio, encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', error: r.error };
}

function paths() {
  const out = cp('paths').stdout;
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );
}

function readFileSafe(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function loud(message) {
  process.stderr.write(`\n######## E2E: ${message} ########\n\n`);
}

let owned = false;
let skip = '';
const env = { ...process.env };
if (!env.MESH_E2E_KUBECONFIG) {
  const p = paths();
  const ownerFile = join(p.MESH_CP_STATE, 'owner');
  if (cp('status').code === 0) {
    // A control plane that an earlier runner started and could not stop (it was killed)
    // is adopted, so it is stopped at the end of this run; one started by hand is not.
    const previous = Number(readFileSafe(ownerFile));
    if (previous > 0 && !isAlive(previous)) {
      owned = true;
      writeFileSync(ownerFile, String(process.pid));
    }
    process.stderr.write(`[e2e] reusing the running control plane (${p.MESH_CP_STATE})${owned ? ', left behind by an earlier run' : ''}\n`);
  } else {
    const up = cp('up', ['ignore', 'inherit', 'inherit']);
    if (up.code === 0) {
      owned = true;
      writeFileSync(ownerFile, String(process.pid));
    } else {
      const why = readFileSafe(join(p.MESH_CP_CACHE, 'last-error')) || `exit ${up.code}`;
      skip = `no local control plane: \`scripts/control-plane/control-plane.sh up\` failed: ${why} (logs in ${p.MESH_CP_STATE}/logs)`;
      cp('down', 'ignore');
    }
  }
  if (!skip) {
    env.MESH_E2E_KUBECONFIG = p.KUBECONFIG;
    env.MESH_E2E_STATE = p.MESH_CP_STATE;
  }
}

if (skip) {
  if (ci) {
    loud(`FAILED (CI=true): ${skip}`);
    process.exit(1);
  }
  loud(`SKIPPED: ${skip}`);
  env.MESH_E2E_SKIP = skip;
}

let stopped = false;
function stop() {
  if (stopped) return;
  stopped = true;
  if (owned && !process.env.MESH_E2E_KEEP) cp('down', ['ignore', 'inherit', 'inherit']);
}

// One file at a time: the files share one cluster, and some change cluster-scoped objects (CRDs,
// webhook configurations) that others read. Node's default runs files in parallel on machines with
// more than two cores, which would make results depend on the machine.
const reporter = `--test-reporter=${process.env.MESH_TEST_REPORTER || 'spec'}`;
const child = spawn(process.execPath, ['--import', 'tsx', '--test', reporter, '--test-concurrency=1', ...files], { cwd: repo, stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    child.kill(sig);
    // The child exits promptly on a signal; the 'exit' handler below tears down.
    setTimeout(() => {
      child.kill('SIGKILL');
    }, 10_000).unref();
  });
}
child.on('exit', (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});
