// The oracle for parity tests: the real istioctl (and istiod) of the Istio 1.31 line, built from Go
// modules by scripts/istio/istio.sh. Parity tests run it and mesh on the same input and compare.
//
// Without the binaries the parity tests are skipped with one loud line (scripts/run-tests.mjs builds
// them first when Go is available); with CI=true a missing binary is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function istioPaths(): Record<string, string> {
  const r = spawnSync('bash', [join(repoRoot, 'scripts/istio/istio.sh'), 'paths'], { encoding: 'utf8' });
  if (r.status !== 0) return {};
  return Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => {
        const i = l.indexOf('=');
        return [l.slice(0, i), l.slice(i + 1)];
      }),
  );
}

const paths = istioPaths();
/** Absolute path of the built istioctl (MESH_ISTIOCTL overrides). */
export const istioctlPath = process.env['MESH_ISTIOCTL'] ?? paths['ISTIOCTL'] ?? '';
/** Absolute path of the built pilot-discovery (MESH_PILOT_DISCOVERY overrides). */
export const pilotDiscoveryPath = process.env['MESH_PILOT_DISCOVERY'] ?? paths['PILOT_DISCOVERY'] ?? '';

/** Why the oracle cannot run, or '' when it can. */
export const oracleSkip: string = existsSync(istioctlPath) ? '' : `istioctl not built (scripts/istio/istio.sh build): ${istioctlPath || 'no path'}`;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs istioctl. `--kubeconfig /nonexistent` keeps commands that look for a cluster from hanging
 * (kube-inject with local files, manifest generate); pass a real one in `args` to override.
 */
export function istioctl(args: readonly string[], opts: { input?: string; cwd?: string } = {}): RunResult {
  if (!istioctlPath) throw new Error(oracleSkip);
  const r = spawnSync(istioctlPath, [...args], {
    encoding: 'utf8',
    input: opts.input,
    cwd: opts.cwd,
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
    env: { ...process.env, HOME: process.env['HOME'] ?? '/tmp' },
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}
