// Simulated proxies for the e2e tests: scripts/istio/simproxy (Istio's own ADS client, pkg/adsc)
// connects one delta-xDS client per pod to the REAL istiod the harness runs, with the node ID and
// metadata a sidecar or gateway sends. Per proxy it ACKs, NACKs a chosen type, stops ACKing, or
// disconnects, and it serves an Envoy-admin-shaped /config_dump of what istiod really pushed.
//
//   const istiod = await routeIstiod(cp, 'istio-system');      // port-forwards to istiod pods work
//   const sim = await startSimProxies([{ pod, namespace, ip, xds: istiod.grpc, ... }]);
//   await sim.waitSynced();  ...  await sim.close();
import type { V1Pod } from '@kubernetes/client-node';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type ControlPlane, clusterPortForward, localIstiods, repoRoot, waitFor, type LocalIstiod } from './index.js';

export interface Behavior {
  mode: 'ack' | 'nack' | 'stale';
  /** CDS, LDS, EDS, RDS; all types when omitted. */
  type?: string;
  message?: string;
}

export interface SimProxySpec {
  pod: string;
  namespace: string;
  ip: string;
  /** sidecar (default) or router (a gateway). */
  type?: 'sidecar' | 'router';
  istioVersion?: string;
  clusterId?: string;
  serviceAccount?: string;
  labels?: Record<string, string>;
  /** host:port of istiod's plaintext xDS (15010), or of its TLS xDS (15012) with `xdsTls`. */
  xds: string;
  /**
   * xDS over TLS as an authenticated proxy (needs `ca`: its root certificate and server name, the
   * workload certificate as client certificate, its token as bearer token). The proxy then also asks
   * for the SDS secrets its listeners and clusters name over ADS (a gateway's credentialName), which
   * istiod serves only to such a proxy; their private keys are redacted on arrival.
   */
  xdsTls?: boolean;
  /** Serve an Envoy admin API (for port-forwards to the pod's 15000). */
  admin?: boolean;
  /** A real workload certificate from istiod's CA. */
  ca?: { addr: string; san: string; rootCert: string; token: string; validitySeconds?: number };
  behavior?: Behavior;
}

export interface ProxyView {
  id: string;
  connected: boolean;
  connects: number;
  adminPort?: number;
  types: Record<string, { resources: number; responses: number; acks: number; nacks: number; withheld: number; lastError?: string }>;
}

export interface SimProxies {
  /** Local admin port of each proxy that has one, by `pod.namespace`. */
  admin: Record<string, number>;
  proxies(): Promise<ProxyView[]>;
  resources(namespace: string, pod: string): Promise<Record<string, unknown[]>>;
  behave(namespace: string, pod: string, b: Behavior): Promise<void>;
  disconnect(namespace: string, pod: string): Promise<void>;
  connect(namespace: string, pod: string): Promise<void>;
  /** Waits until every proxy is connected and has had CDS and LDS answered (acked or not). */
  waitSynced(timeoutMs?: number): Promise<ProxyView[]>;
  /** The simproxy process. */
  pid: number;
  close(): Promise<void>;
}

/** The simproxy binary, built next to the Istio binaries when missing (a no-op when up to date). */
export function simproxyBinary(): string {
  const r = spawnSync('bash', [join(repoRoot, 'scripts/istio/istio.sh'), 'simproxy'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('scripts/istio/istio.sh simproxy failed');
  return r.stdout.trim();
}

export async function startSimProxies(specs: SimProxySpec[]): Promise<SimProxies> {
  const dir = mkdtempSync(join(tmpdir(), 'simproxy-'));
  const specFile = join(dir, 'spec.json');
  writeFileSync(specFile, JSON.stringify({ proxies: specs }));
  const child: ChildProcess = spawn(simproxyBinary(), [`--spec=${specFile}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const ready = await new Promise<{ control: string; admin: Record<string, number> }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`simproxy did not start within 60 s: ${stderr}`)), 60_000);
    lines.on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice(6)) as { control: string; admin: Record<string, number> });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simproxy exited with ${code}: ${stderr}`));
    });
  });
  const base = `http://${ready.control}`;
  const call = async (path: string, init?: RequestInit): Promise<unknown> => {
    const res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`simproxy ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const post = (path: string, body?: unknown): Promise<unknown> =>
    call(path, { method: 'POST', ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const proxies = async (): Promise<ProxyView[]> => (await call('/proxies')) as ProxyView[];
  return {
    admin: ready.admin,
    pid: child.pid ?? 0,
    proxies,
    resources: async (ns, pod) => (await call(`/proxies/${ns}/${pod}/resources`)) as Record<string, unknown[]>,
    behave: async (ns, pod, b) => void (await post(`/proxies/${ns}/${pod}/behavior`, b)),
    disconnect: async (ns, pod) => void (await post(`/proxies/${ns}/${pod}/disconnect`)),
    connect: async (ns, pod) => void (await post(`/proxies/${ns}/${pod}/connect`)),
    waitSynced: (timeoutMs = 60_000) =>
      waitFor(
        `${specs.length} simulated proxies connected and answered CDS and LDS`,
        async () => {
          const all = await proxies();
          return all.every((p) => p.connected && (p.types['CDS']?.responses ?? 0) > 0 && (p.types['LDS']?.responses ?? 0) > 0) ? all : undefined;
        },
        { timeoutMs, intervalMs: 250 },
      ),
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 10_000);
          child.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Once `count` pods of `namespace` run with IPs: those pods by name, and the `ca` a simulated proxy
 * needs for a real workload certificate from istiod's CA (the namespace's istio-ca-root-cert, written
 * to `dir`, and a token of `serviceAccount`, by default the namespace's default one, for the istio-ca
 * audience).
 */
export async function podsWithCa(
  cp: ControlPlane,
  namespace: string,
  count: number,
  istiod: RoutedIstiod,
  dir: string,
  serviceAccount = 'default',
): Promise<{ pods: Map<string, V1Pod>; ca: NonNullable<SimProxySpec['ca']> }> {
  const core = cp.kube.core;
  const pods = await waitFor('pods running with IPs', async () => {
    const list = (await core.listNamespacedPod({ namespace })).items;
    return list.length === count && list.every((p) => p.status?.phase === 'Running' && p.status.podIP)
      ? new Map(list.map((p) => [p.metadata!.name!, p]))
      : undefined;
  });
  const root = await waitFor(
    'istio-ca-root-cert in the namespace',
    async () => (await core.readNamespacedConfigMap({ name: 'istio-ca-root-cert', namespace })).data?.['root-cert.pem'],
  );
  const rootCert = join(dir, 'root.pem');
  writeFileSync(rootCert, root);
  const token =
    (await core.createNamespacedServiceAccountToken({ name: serviceAccount, namespace, body: { spec: { audiences: ['istio-ca'], expirationSeconds: 600 } } }))
      .status?.token ?? '';
  return { pods, ca: { addr: istiod.secureGrpc, san: 'istiod.istio-system.svc', rootCert, token } };
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Where an istiod process of the harness listens, for simulated proxies and port-forwards. */
export interface RoutedIstiod {
  istiod: LocalIstiod;
  /** Its Kubernetes pods (names), each port-forwarded to the process. */
  pods: string[];
  /** host:port of plaintext xDS (15010). */
  grpc: string;
  /** host:port of xDS over TLS and the CA (15012). */
  secureGrpc: string;
}

/**
 * Makes port-forwards to the pods of each istiod Deployment in `namespace` reach the istiod process
 * that the harness runs for it (15010, 15012, 15014, 15017, 8080), as they would reach the
 * container on a real cluster. Returns the routed istiods and a function that removes the rules.
 */
export async function routeIstiod(cp: ControlPlane, namespace: string, names?: string[]): Promise<{ istiods: RoutedIstiod[]; remove: () => Promise<void> }> {
  const removers: (() => Promise<void>)[] = [];
  const istiods: RoutedIstiod[] = [];
  const want = await waitFor(`istiod processes in ${namespace}`, async () => {
    const all = (await localIstiods(cp)).filter((i) => i.ns === namespace && i.exited === null && (names === undefined || names.includes(i.name)));
    return all.length > 0 && (names === undefined || all.length === names.length) ? all : undefined;
  });
  for (const istiod of want) {
    const pods = await waitFor(`running pods of Deployment ${namespace}/${istiod.name}`, async () => {
      const dep = await cp.kube.apps.readNamespacedDeployment({ name: istiod.name, namespace });
      const sel = Object.entries(dep.spec?.selector.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const list = (await cp.kube.core.listNamespacedPod({ namespace, labelSelector: sel })).items;
      // Only this Deployment's pods: another Deployment's selector may match them too.
      const own = (p: (typeof list)[number]): boolean =>
        (p.metadata?.ownerReferences ?? []).some(
          (o) => o.kind === 'ReplicaSet' && o.name === `${istiod.name}-${p.metadata?.labels?.['pod-template-hash'] ?? ''}`,
        );
      const running = list.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && own(p)).map((p) => p.metadata?.name ?? '');
      return running.length > 0 ? running : undefined;
    });
    const p = istiod.ports;
    // istiod opens its xDS ports (plaintext and TLS, the CA's too) only once its caches have synced,
    // a moment after it writes istio-ca-root-cert into the namespaces (pod readiness, which would
    // wait for that on a real cluster, is kwok's): a simulated proxy asking for its certificate
    // before then was refused.
    for (const port of [p.grpc, p.secureGrpc]) {
      await waitFor(`istiod ${namespace}/${istiod.name} listening on 127.0.0.1:${port}`, () => listening(port), { timeoutMs: 120_000, intervalMs: 250 });
    }
    for (const [port, target] of [
      [15010, p.grpc],
      [15012, p.secureGrpc],
      [15014, p.monitoring],
      [15017, p.webhook],
      [8080, p.http],
    ] as const) {
      removers.push(await clusterPortForward(cp, { namespaces: [namespace], podNames: pods, ports: [port], target: { address: '127.0.0.1', port: target } }));
    }
    istiods.push({ istiod, pods, grpc: `127.0.0.1:${p.grpc}`, secureGrpc: `127.0.0.1:${p.secureGrpc}` });
  }
  return { istiods, remove: async () => void (await Promise.allSettled(removers.map((r) => r()))) };
}
