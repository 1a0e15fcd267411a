/**
 * proxy-status, the I/O part: find the istiod pods, ask each one for its sync status through a
 * port-forward, and list the pods that may carry sidecars. Everything it learns goes into a plain
 * StatusSnapshot for the pure compute step.
 *
 * Two transports, as istioctl has:
 *  - xDS (default, istioctl 1.22+): `istio.io/debug/syncz` over gRPC on istiod's 15012, TLS
 *    verified against istiod's CA (the istio-ca-root-cert ConfigMap) and the SAN istiod[-REV].NS.svc;
 *  - HTTP: `GET /debug/syncz` on the monitoring port 15014 (istioctl 1.21 and older).
 * `auto` tries xDS and falls back to HTTP for an istiod whose 15012 cannot be reached or does not
 * speak TLS with that CA; a refused token is an error either way, never a reason to fall back.
 *
 * Authentication (istiod 1.27+ with ENABLE_DEBUG_ENDPOINT_AUTH, the default): istiod checks the
 * bearer token with a TokenReview and gives the full view only to identities from its own
 * namespace. So we ask the TokenRequest API for a token of the `default` ServiceAccount in the
 * istio namespace with audience `istio-ca` (what istioctl uses for its xDS debug requests), valid
 * for 10 minutes, the shortest the API server grants.
 */
import { fetch, type Response } from 'undici';
import { ClusterError, MeshError, UsageError, namespaceNotFound } from '../errors.js';
import { KubeApiError, type KubeClient } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { XdsCallError, xdsDebugCall } from './grpc.js';
import type { StatusSnapshot, SynczPayload, Transport } from './types.js';
import { SYNCZ_TYPE, debugNode } from './xds.js';
import { formatTimeout } from '../util/duration.js';
import { USER_AGENT } from '../version.js';

export const MONITORING_PORT = 15014;
export const XDS_PORT = 15012;
export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
export const SYNCZ_PATH = '/debug/syncz';
export const TOKEN_SERVICE_ACCOUNT = 'default';
export const TOKEN_AUDIENCE = 'istio-ca';
export const TOKEN_AUDIENCES_FOR_DEBUG = [TOKEN_AUDIENCE];
export const TOKEN_SECONDS = 600;

export interface CollectOptions {
  /** Namespace of the control plane (`-i`, default istio-system). */
  istioNamespace: string;
  /**
   * When istiod cannot be read (none found, unreachable, refusing), still list the pods, so that
   * their proxies show as NOT CONNECTED, and say why in `istiodError` instead of failing.
   */
  listWithoutIstiod?: boolean;
  /** Only istiod pods of this revision (`-r`). */
  revision?: string;
  /** List sidecar pods in this namespace only (`-n`); all namespaces when omitted. */
  namespace?: string;
  /** Deadline for the whole collection, in ms (`--timeout`). */
  timeoutMs: number;
  /** Label selector for istiod pods (default app=istiod). */
  istiodLabel?: string;
  /** HTTP monitoring port (default 15014). */
  port?: number;
  /** xDS port (default 15012). */
  xdsPort?: number;
  /** auto (default): xDS, falling back to HTTP; xds or http: only that one. */
  transport?: Transport;
}

export interface CollectDeps {
  kube: KubeClient;
  /** Injected for tests; defaults to undici's fetch (the HTTP stack of src/kube too). */
  fetch?: typeof fetch;
  /** Called as each step starts, for a spinner. */
  onStep?: (text: string) => void;
  /**
   * The --timeout deadline, when the caller made one (the CLI also gives it to the kube client, so
   * requests in flight are cancelled at that moment); otherwise one of timeoutMs starts here.
   */
  deadline?: AbortSignal;
}

function isRunning(pod: KubeObject): boolean {
  return (pod['status'] as { phase?: string } | undefined)?.phase === 'Running' && pod.metadata.deletionTimestamp === undefined;
}

/** Races a promise against the deadline, naming what was being done when time ran out. */
async function before<T>(deadline: AbortSignal, timeoutMs: number, what: string, work: Promise<T>): Promise<T> {
  if (deadline.aborted) throw new ClusterError(`timed out after ${formatTimeout(timeoutMs)} before ${what} (--timeout)`);
  let onAbort: (() => void) | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ClusterError(`timed out after ${formatTimeout(timeoutMs)} while ${what} (--timeout)`));
    deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    if (onAbort) deadline.removeEventListener('abort', onAbort);
  }
}

/**
 * A port-forward to a pod (istiod's, or a proxy's for proxy-config), opened before the deadline. A
 * failure to open it becomes `failed(message)`; out of time, a port-forward that opens later is
 * closed at once, not left holding the process. `what` names the pod in messages (default istiod).
 */
export async function forwardBefore(
  kube: KubeClient,
  pod: KubeObject,
  options: { port: number; timeoutMs: number; deadline: AbortSignal; what?: string },
  failed: (message: string) => Error,
): Promise<Awaited<ReturnType<KubeClient['portForward']>>> {
  const name = pod.metadata.name ?? '';
  const ns = pod.metadata.namespace ?? '';
  const who = `${options.what ?? 'istiod'} ${ns}/${name}`;
  const forwarding = kube.portForward(ns, name, options.port);
  try {
    return await before(options.deadline, options.timeoutMs, `port-forwarding to ${who} port ${options.port}`, forwarding);
  } catch (err) {
    void forwarding.then((h) => h.close()).catch(() => undefined);
    if (err instanceof MeshError) throw err;
    throw failed(`${who}: port-forward to port ${options.port} failed: ${(err as Error).message}`);
  }
}

/** istiod took longer than --timeout to answer a debug read (HTTP or xDS). */
function noAnswer(who: string, tried: string, timeoutMs: number): ClusterError {
  return new ClusterError(
    `${who}: no answer to ${tried} within ${formatTimeout(timeoutMs)}; is istiod overloaded or the port blocked? (--timeout raises the limit)`,
  );
}

/** Running istiod pods, or a ClusterError that says where we looked. */
export async function findIstiodPods(kube: KubeClient, options: Pick<CollectOptions, 'istioNamespace' | 'revision' | 'istiodLabel'>): Promise<KubeObject[]> {
  const base = options.istiodLabel ?? 'app=istiod';
  const selector = options.revision !== undefined ? `${base},istio.io/rev=${options.revision}` : base;
  const all = await kube.list('v1', 'Pod', { namespace: options.istioNamespace, labelSelector: base });
  const wanted = options.revision === undefined ? all : all.filter((p) => (p.metadata.labels?.['istio.io/rev'] ?? 'default') === options.revision);
  const running = wanted.filter(isRunning);
  if (running.length > 0) return running.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const where = `in namespace ${options.istioNamespace} (label ${selector})`;
  if (wanted.length > 0) {
    const states = wanted.map((p) => `${p.metadata.name ?? ''} ${(p['status'] as { phase?: string } | undefined)?.phase ?? 'Unknown'}`);
    throw new ClusterError(`no running istiod pod ${where}: ${states.join(', ')}`);
  }
  const revisions = [...new Set(all.map((p) => p.metadata.labels?.['istio.io/rev'] ?? 'default'))].sort();
  const hint =
    options.revision !== undefined && revisions.length > 0
      ? `; revisions found: ${revisions.join(', ')}`
      : '; is the control plane installed? (-i NAMESPACE picks another namespace)';
  throw new ClusterError(`no istiod pod ${where}${hint}`);
}

/** Reads one istiod's /debug/syncz through a port-forward. Throws a one-line ClusterError naming what was tried. */
export async function readSyncz(
  kube: KubeClient,
  pod: KubeObject,
  token: string,
  options: { port: number; timeoutMs: number; deadline: AbortSignal; fetch: typeof fetch },
): Promise<SynczPayload> {
  const name = pod.metadata.name ?? '';
  const ns = pod.metadata.namespace ?? '';
  const who = `istiod ${ns}/${name}`;
  const tried = `GET ${SYNCZ_PATH} on port ${options.port} (port-forward)`;
  const handle = await forwardBefore(kube, pod, options, (message) => new ClusterError(message));
  try {
    let res: Response;
    try {
      res = await options.fetch(`http://127.0.0.1:${handle.localPort}${SYNCZ_PATH}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'user-agent': USER_AGENT },
        signal: options.deadline,
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError' || options.deadline.aborted) {
        throw noAnswer(who, tried, options.timeoutMs);
      }
      const cause = handle.lastError?.() ?? e.cause?.code ?? e.cause?.message ?? e.message;
      if (/\b403\b/.test(cause)) {
        throw new ClusterError(
          `${who}: permission denied: may not port-forward to pods in namespace ${ns} (${cause}; a WebSocket port-forward needs get and create on pods/portforward; check with: kubectl auth can-i create pods/portforward -n ${ns})`,
        );
      }
      throw new ClusterError(
        `${who}: ${tried} failed: the port-forward was refused or closed (${cause}); is istiod listening on its monitoring port ${options.port}?`,
      );
    }
    const text = await res.text();
    if (res.status === 401) {
      throw new ClusterError(
        `${who}: ${tried} answered 401 Unauthorized: istiod did not accept the token of ServiceAccount ${ns}/${TOKEN_SERVICE_ACCOUNT} (audience ${TOKEN_AUDIENCE})`,
      );
    }
    if (res.status === 403) {
      throw new ClusterError(
        `${who}: ${tried} answered 403 Forbidden: ServiceAccount ${ns}/${TOKEN_SERVICE_ACCOUNT} may not read the debug endpoint (istiod allows its own namespace and DEBUG_ENDPOINT_AUTH_ALLOWED_NAMESPACES)`,
      );
    }
    if (res.status === 404) {
      throw new ClusterError(`${who}: ${tried} answered 404: istiod's HTTP debug endpoint is off (ENABLE_DEBUG_ON_HTTP=false?)`);
    }
    if (!res.ok) {
      const line = text.trim().split('\n')[0]?.slice(0, 200) ?? '';
      throw new ClusterError(`${who}: ${tried} answered HTTP ${res.status}${line ? `: ${line}` : ''}`);
    }
    try {
      return { istiod: name, body: JSON.parse(text) as unknown, via: 'http' };
    } catch {
      throw new ClusterError(`${who}: ${tried} answered with something that is not JSON: ${text.trim().slice(0, 80)}`);
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The name istiod's serving certificate carries: istiod.NS.svc, or istiod-REV.NS.svc. */
export function istiodSan(pod: KubeObject): string {
  const rev = pod.metadata.labels?.['istio.io/rev'] ?? 'default';
  const ns = pod.metadata.namespace ?? '';
  return rev === 'default' ? `istiod.${ns}.svc` : `istiod-${rev}.${ns}.svc`;
}

/** istiod's root certificate, from the ConfigMap istiod writes into every namespace. */
export async function readRootCert(kube: KubeClient, namespace: string): Promise<string | undefined> {
  const cm = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', name: ROOT_CERT_CONFIGMAP, namespace });
  const pem = (cm?.['data'] as Record<string, string> | undefined)?.['root-cert.pem'];
  return pem !== undefined && pem.includes('BEGIN CERTIFICATE') ? pem : undefined;
}

/** Why an xDS read failed, and whether HTTP may be tried instead. */
export class XdsReadError extends ClusterError {
  constructor(
    message: string,
    readonly fallback: boolean,
  ) {
    super(message);
  }
}

/** Reads one istiod's istio.io/debug/syncz over xDS through a port-forward to 15012. */
export async function readSynczXds(
  kube: KubeClient,
  pod: KubeObject,
  token: string,
  options: {
    port: number;
    timeoutMs: number;
    deadline: AbortSignal;
    ca: string | undefined;
    caUnreadable?: string;
    typeUrl?: string;
    resourceNames?: string[];
  },
): Promise<SynczPayload> {
  const name = pod.metadata.name ?? '';
  const ns = pod.metadata.namespace ?? '';
  const who = `istiod ${ns}/${name}`;
  const typeUrl = options.typeUrl ?? SYNCZ_TYPE;
  const tried = `xDS ${typeUrl} on port ${options.port} (port-forward)`;
  if (options.ca === undefined) {
    throw new XdsReadError(
      `${who}: cannot verify istiod's TLS certificate for ${tried}: ${options.caUnreadable ?? `no root-cert.pem in ConfigMap ${ns}/${ROOT_CERT_CONFIGMAP}`}`,
      true,
    );
  }
  const handle = await forwardBefore(kube, pod, options, (message) => new XdsReadError(message, true));
  const san = istiodSan(pod);
  try {
    const body = await xdsDebugCall(
      { typeUrl, ...debugNode(ns, TOKEN_SERVICE_ACCOUNT, `mesh-${process.pid}`), ...(options.resourceNames ? { resourceNames: options.resourceNames } : {}) },
      { port: handle.localPort, ca: options.ca, servername: san, token, signal: options.deadline },
    );
    return { istiod: name, body, via: 'xds' };
  } catch (err) {
    if (!(err instanceof XdsCallError)) throw err;
    switch (err.kind) {
      case 'aborted':
        throw noAnswer(who, tried, options.timeoutMs);
      case 'unauthenticated':
        throw new ClusterError(
          `${who}: ${tried} refused the token of ServiceAccount ${ns}/${TOKEN_SERVICE_ACCOUNT} (audience ${TOKEN_AUDIENCE}): ${err.message}`,
        );
      case 'denied':
        throw new ClusterError(
          `${who}: ${tried}: ServiceAccount ${ns}/${TOKEN_SERVICE_ACCOUNT} may not read debug information (${err.message}; istiod allows its own namespace and DEBUG_ENDPOINT_AUTH_ALLOWED_NAMESPACES)`,
        );
      case 'tls':
        throw new XdsReadError(`${who}: ${tried}: TLS with istiod (SAN ${san}, CA from ConfigMap ${ns}/${ROOT_CERT_CONFIGMAP}) failed: ${err.message}`, true);
      case 'connect': {
        const cause = handle.lastError?.() ?? err.message;
        throw new XdsReadError(
          `${who}: ${tried} failed: the port-forward was refused or closed (${cause}); is istiod listening on its xDS port ${options.port}?`,
          true,
        );
      }
      default:
        throw new XdsReadError(`${who}: ${tried}: ${err.message}`, err.kind === 'protocol');
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export async function collectStatus(options: CollectOptions, deps: CollectDeps): Promise<StatusSnapshot> {
  try {
    return await collectWithIstiod(options, deps);
  } catch (err) {
    if (options.listWithoutIstiod !== true || !(err instanceof MeshError) || err instanceof UsageError) throw err;
    let pods: KubeObject[];
    try {
      pods = await deps.kube.list('v1', 'Pod', { podSummary: true, ...(options.namespace !== undefined ? { namespace: options.namespace } : {}) });
      if (
        options.namespace !== undefined &&
        pods.length === 0 &&
        (await deps.kube.get({ apiVersion: 'v1', kind: 'Namespace', name: options.namespace })) === undefined
      ) {
        throw namespaceNotFound(options.namespace, deps.kube.info().context);
      }
    } catch (listErr) {
      if (listErr instanceof UsageError) throw listErr;
      throw err;
    }
    return { istioNamespace: options.istioNamespace, istiodPods: [], payloads: [], pods, notes: [], istiodError: err };
  }
}

async function collectWithIstiod(options: CollectOptions, deps: CollectDeps): Promise<StatusSnapshot> {
  const { kube } = deps;
  const port = options.port ?? MONITORING_PORT;
  const deadline = deps.deadline ?? AbortSignal.timeout(options.timeoutMs);
  const within = <T>(what: string, work: Promise<T>): Promise<T> => before(deadline, options.timeoutMs, what, work);

  // Independent reads start at once (on a large mesh the pod list alone takes a while); their
  // failures are still reported in this order: istiod pods, token, CA, sidecar pods.
  const transport = options.transport ?? 'auto';
  const started = <T>(work: Promise<T>): Promise<T> => {
    work.catch(() => undefined); // awaited below; an earlier failure must not leave it unhandled
    return work;
  };
  deps.onStep?.(`Finding istiod pods in ${options.istioNamespace}`);
  const istiodPodsRead = started(within(`listing istiod pods in namespace ${options.istioNamespace}`, findIstiodPods(kube, options)));
  const tokenRead = started(
    within(
      `requesting a token for ServiceAccount ${options.istioNamespace}/${TOKEN_SERVICE_ACCOUNT}`,
      kube.createToken(options.istioNamespace, TOKEN_SERVICE_ACCOUNT, { audiences: [TOKEN_AUDIENCE], expirationSeconds: TOKEN_SECONDS }),
    ),
  );
  const caRead =
    transport === 'http'
      ? undefined
      : started(within(`reading ConfigMap ${options.istioNamespace}/${ROOT_CERT_CONFIGMAP}`, readRootCert(kube, options.istioNamespace)));
  const podsRead = started(
    within(
      `listing pods${options.namespace ? ` in namespace ${options.namespace}` : ''}`,
      kube.list('v1', 'Pod', { podSummary: true, ...(options.namespace !== undefined ? { namespace: options.namespace } : {}) }),
    ),
  );
  const istiodPods = await istiodPodsRead;

  deps.onStep?.(`Requesting a token for ServiceAccount ${options.istioNamespace}/${TOKEN_SERVICE_ACCOUNT}`);
  let token: string;
  try {
    token = await tokenRead;
  } catch (err) {
    if (err instanceof MeshError) throw err;
    throw new ClusterError(
      `cannot get a token for ServiceAccount ${options.istioNamespace}/${TOKEN_SERVICE_ACCOUNT} (TokenRequest API): ${(err as Error).message}`,
    );
  }

  let ca: string | undefined;
  let caUnreadable: string | undefined;
  if (caRead !== undefined) {
    try {
      ca = await caRead;
    } catch (err) {
      // A user without `get` on the ConfigMap can still read syncz over HTTP (docs/rbac.md).
      if (transport !== 'auto' || !(err instanceof KubeApiError) || err.status !== 403) throw err;
      caUnreadable = `may not get ConfigMap ${options.istioNamespace}/${ROOT_CERT_CONFIGMAP} (403 Forbidden)`;
    }
  }
  deps.onStep?.(`Reading sync status from ${istiodPods.length} istiod pod${istiodPods.length === 1 ? '' : 's'}`);
  const fetchFn = deps.fetch ?? fetch;
  const notes: string[] = [];
  const readOne = async (pod: KubeObject): Promise<SynczPayload> => {
    const http = (): Promise<SynczPayload> => readSyncz(kube, pod, token, { port, timeoutMs: options.timeoutMs, deadline, fetch: fetchFn });
    if (transport === 'http') return http();
    try {
      return await readSynczXds(kube, pod, token, {
        port: options.xdsPort ?? XDS_PORT,
        timeoutMs: options.timeoutMs,
        deadline,
        ca,
        ...(caUnreadable ? { caUnreadable } : {}),
      });
    } catch (err) {
      if (transport === 'auto' && err instanceof XdsReadError && err.fallback) {
        try {
          const payload = await http();
          notes.push(`${err.message}; read GET ${SYNCZ_PATH} on port ${port} instead`);
          return payload;
        } catch (httpErr) {
          if (!(httpErr instanceof MeshError)) throw httpErr;
          const same = /refused or closed/.test(err.message) && /refused or closed/.test(httpErr.message);
          const why = err.message.replace(`istiod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}: `, '');
          throw new ClusterError(`${httpErr.message} (after xDS on port ${options.xdsPort ?? XDS_PORT} failed${same ? ' the same way' : `: ${why}`})`);
        }
      }
      throw err;
    }
  };
  const [results, pods] = await Promise.all([Promise.allSettled(istiodPods.map(readOne)), podsRead]);
  if (options.namespace !== undefined && pods.length === 0) {
    const ns = await within(`reading namespace ${options.namespace}`, kube.get({ apiVersion: 'v1', kind: 'Namespace', name: options.namespace }));
    if (ns === undefined) throw namespaceNotFound(options.namespace, kube.info().context);
  }
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    const lines = failures.map((f) => (f instanceof Error ? f.message : String(f)));
    if (lines.length === 1) throw new ClusterError(lines[0]!, { cause: failures[0] });
    throw new ClusterError(`cannot read the sync status of ${lines.length} of ${istiodPods.length} istiod pods:`, { details: lines });
  }
  const payloads = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  return { istioNamespace: options.istioNamespace, istiodPods, payloads, pods, notes };
}
