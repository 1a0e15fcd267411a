// Helpers for mesh's end-to-end tests against the local control plane
// (scripts/control-plane/control-plane.sh). A test file looks like:
//
//   const cp = await startControlPlane();
//   describe('thing', { skip: cp.skip }, () => {
//     after(() => cp.release());
//     it('works', async () => {
//       const ns = await cp.freshNamespace('thing');
//       const r = await runMesh(cp, ['install', '-y']);
//       assert.equal(r.code, 0, r.stderr);
//     });
//   });
//
// `npm test` / `npm run test:e2e` run the e2e files through test/e2e/harness/run-e2e.mjs,
// which provides one control plane for the whole run (MESH_E2E_KUBECONFIG). A file run on
// its own (`node --import tsx --test test/e2e/x.e2e.test.ts`) reuses a running control
// plane or starts one, and stops what it started in release().
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { refOf, type KubeClient } from '../../../src/kube/client.js';
import { istioCrds } from '../../../src/model/istio/crds.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const script = join(repoRoot, 'scripts/control-plane/control-plane.sh');
const isCI = process.env['CI'] === 'true' || process.env['CI'] === '1';

export interface Kube {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
}

export interface ControlPlane {
  /** Set when there is no control plane and the suite must be skipped (never in CI). */
  skip: string | false;
  /** Admin kubeconfig of the local control plane. */
  kubeconfigPath: string;
  /** The control plane's state directory (pki/, logs/, ports/). */
  stateDir: string;
  /** API clients for the admin user. */
  kube: Kube;
  /** Creates a uniquely named namespace, deleted again by release(). */
  freshNamespace(prefix?: string, labels?: Record<string, string>): Promise<string>;
  /** Deletes the namespaces made here and stops the control plane if this process started it. */
  release(): Promise<void>;
}

function cpScript(cmd: string, inherit = false): { code: number; stdout: string } {
  const r = spawnSync('bash', [script, cmd], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: inherit ? ['ignore', 'inherit', 'inherit'] : 'pipe',
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? '' };
}

function cpPaths(): { kubeconfig: string; state: string } {
  const out = cpScript('paths').stdout;
  const get = (k: string): string => new RegExp(`^${k}=(.*)$`, 'm').exec(out)?.[1] ?? '';
  return { kubeconfig: get('KUBECONFIG'), state: get('MESH_CP_STATE') };
}

function clients(kubeconfigPath: string): Kube {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

const unavailable = (reason: string): ControlPlane => ({
  skip: reason,
  kubeconfigPath: '',
  stateDir: '',
  get kube(): Kube {
    throw new Error(`no control plane: ${reason}`);
  },
  freshNamespace: () => Promise.reject(new Error(`no control plane: ${reason}`)),
  release: () => Promise.resolve(),
});

/**
 * Gives the test file the local control plane: the one the e2e runner provides, a
 * running one (reused, left running), or a new one (built if needed, stopped by
 * release()). When none can be had it returns `skip` with the reason and prints one
 * loud line — except with CI=true, where it throws.
 */
export async function startControlPlane(): Promise<ControlPlane> {
  const given = process.env['MESH_E2E_KUBECONFIG'];
  const skipped = process.env['MESH_E2E_SKIP'];
  if (skipped) return unavailable(skipped);

  let kubeconfigPath: string;
  let stateDir: string;
  let owned = false;
  if (given) {
    kubeconfigPath = given;
    stateDir = process.env['MESH_E2E_STATE'] ?? dirname(given);
  } else {
    const p = cpPaths();
    kubeconfigPath = p.kubeconfig;
    stateDir = p.state;
    if (cpScript('status').code !== 0) {
      if (cpScript('up', true).code !== 0) {
        cpScript('down');
        const reason = `no local control plane: scripts/control-plane/control-plane.sh up failed (logs in ${stateDir}/logs)`;
        if (isCI) throw new Error(`${reason} (CI=true: a missing control plane is a failure)`);
        process.stderr.write(`\n######## E2E SKIPPED: ${reason} ########\n\n`);
        return unavailable(reason);
      }
      owned = true;
    }
  }

  const kube = clients(kubeconfigPath);
  const namespaces: string[] = [];
  let released = false;
  return {
    skip: false,
    kubeconfigPath,
    stateDir,
    kube,
    async freshNamespace(prefix = 'e2e', labels = {}) {
      const name = `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase();
      await kube.core.createNamespace({ body: { metadata: { name, labels: { 'mesh.test/e2e': 'true', ...labels } } } });
      namespaces.push(name);
      // Pods are rejected until the controller-manager has made the default ServiceAccount.
      await waitFor(`ServiceAccount ${name}/default`, async () => {
        try {
          return await kube.core.readNamespacedServiceAccount({ name: 'default', namespace: name });
        } catch {
          return undefined;
        }
      });
      return name;
    },
    async release() {
      if (released) return;
      released = true;
      await Promise.allSettled(namespaces.map((name) => kube.core.deleteNamespace({ name })));
      if (owned && !process.env['MESH_E2E_KEEP']) cpScript('down', true);
    },
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Extra environment variables (the kubeconfig is passed with --kubeconfig). */
  env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed. */
  input?: string;
  cwd?: string;
  /** Kills the child after this long (default 120 s) and fails. */
  timeoutMs?: number;
}

/** Runs the built CLI (`node bin/mesh --kubeconfig <cp> ...args`) exactly as a user would. */
export function runMesh(cp: Pick<ControlPlane, 'kubeconfigPath'>, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const base = cp.kubeconfigPath ? ['--kubeconfig', cp.kubeconfigPath] : [];
  return runNode([join(repoRoot, 'bin/mesh'), ...base, ...args], opts);
}

/** Runs `node ...args` (e.g. `bin/mesh` without a cluster) and collects its output. */
export function runNode(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...opts.env };
    delete env['KUBECONFIG'];
    const child = spawn(process.execPath, args, { cwd: opts.cwd ?? repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Polls `check` until it returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(
  description: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 60_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface PortForwardRule {
  /** Namespaces whose pods the rule applies to (default: all). */
  namespaces?: string[];
  /** Pod names the rule applies to (default: all). */
  podNames?: string[];
  /** Pod ports to forward (default: all). */
  ports?: number[];
  /** Where kwok connects instead (a local address). */
  target: { address: string; port: number };
}

/**
 * Routes `port-forward` to matching fake pods to a local address, through a kwok
 * ClusterPortForward. Returns a function that removes the rule.
 */
export async function clusterPortForward(cp: ControlPlane, rule: PortForwardRule): Promise<() => Promise<void>> {
  const name = `e2e-${randomBytes(4).toString('hex')}`;
  const selector: Record<string, string[]> = {};
  if (rule.namespaces) selector['matchNamespaces'] = rule.namespaces;
  if (rule.podNames) selector['matchNames'] = rule.podNames;
  await cp.kube.custom.createClusterCustomObject({
    group: 'kwok.x-k8s.io',
    version: 'v1alpha1',
    plural: 'clusterportforwards',
    body: {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterPortForward',
      metadata: { name },
      spec: { selector, forwards: [{ ...(rule.ports ? { ports: rule.ports } : {}), target: rule.target }] },
    },
  });
  return async () => {
    await cp.kube.custom.deleteClusterCustomObject({ group: 'kwok.x-k8s.io', version: 'v1alpha1', plural: 'clusterportforwards', name });
  };
}

/** One real istiod (pilot-discovery) process that the egress daemon runs for an istiod Deployment. */
export interface LocalIstiod {
  ns: string;
  name: string;
  revision: string;
  pid: number;
  /** Local ports: http (8080 in a pod), grpc (15010), secureGrpc (15012), monitoring (15014), webhook (15017). */
  ports: { http: number; grpc: number; secureGrpc: number; monitoring: number; webhook: number };
  logFile: string;
  startedAt: string;
  /** Exit code or signal once the process has ended, else null. */
  exited: number | string | null;
}

/** The real istiod processes the harness runs (test/e2e/harness/cluster-egress.mjs). */
export async function localIstiods(cp: ControlPlane): Promise<LocalIstiod[]> {
  const { readFile } = await import('node:fs/promises');
  const port = (await readFile(join(cp.stateDir, 'ports/egress'), 'utf8')).trim();
  const res = await fetch(`http://127.0.0.1:${port}/istiods`, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as LocalIstiod[];
}

/** Counters of the egress daemon (CONNECTs tunnelled or refused, istiod starts and exits). */
export async function egressStats(cp: ControlPlane): Promise<Record<string, number>> {
  const { readFile } = await import('node:fs/promises');
  const port = (await readFile(join(cp.stateDir, 'ports/egress'), 'utf8')).trim();
  const res = await fetch(`http://127.0.0.1:${port}/stats`, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as Record<string, number>;
}

/** Applies mesh's Istio CRDs (server-side, as `fieldManager`) and waits until each is Established. */
export async function applyIstioCrds(kube: KubeClient, fieldManager: string): Promise<void> {
  for (const crd of istioCrds()) await kube.apply(crd, { fieldManager, force: true });
  for (const crd of istioCrds()) {
    await waitFor(`CRD ${crd.metadata.name} Established`, async () => {
      const live = (await kube.get(refOf(crd))) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
      return live?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
  }
}
