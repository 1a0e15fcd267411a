/**
 * proxy-config, the I/O part: a proxy's Envoy admin API through a port-forward to its admin port
 * (15000), or files; and, for --diff, what istiod would send the proxy now (istiod's HTTP
 * `/debug/config_dump?proxyID=POD.NS` on its monitoring port, through a port-forward).
 */
import { readFile } from 'node:fs/promises';
import { fetch, type Response } from 'undici';
import { ClusterError, InputError, UsageError, excerpt } from '../errors.js';
import type { KubeClient, KubeObject } from '../kube/client.js';
import { findIstiodPods, forwardBefore, MONITORING_PORT, TOKEN_AUDIENCES_FOR_DEBUG } from '../status/collect.js';
import { formatTimeout } from '../util/duration.js';
import { USER_AGENT } from '../version.js';

import { ADMIN_PORT } from './ports.js';

export { ADMIN_PORT };

async function getJson(
  kube: KubeClient,
  ns: string,
  pod: string,
  port: number,
  path: string,
  opts: { signal: AbortSignal; timeoutMs: number; token?: string; what: string },
): Promise<{ status: number; body: unknown; text: string }> {
  const who = `${opts.what} ${ns}/${pod}`;
  const target = { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, namespace: ns } };
  const handle = await forwardBefore(
    kube,
    target,
    { port, timeoutMs: opts.timeoutMs, deadline: opts.signal, what: opts.what },
    (message) => new ClusterError(message),
  );
  try {
    let res: Response;
    try {
      res = await fetch(`http://127.0.0.1:${handle.localPort}${path}`, {
        headers: { accept: 'application/json', 'user-agent': USER_AGENT, ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
        signal: opts.signal,
      });
    } catch (err) {
      if (opts.signal.aborted)
        throw new ClusterError(`${who}: no answer to GET ${path} on port ${port} within ${formatTimeout(opts.timeoutMs)} (--timeout raises the limit)`);
      const e = err as Error & { cause?: { code?: string } };
      throw new ClusterError(
        `${who}: GET ${path} on port ${port} (port-forward) failed: ${handle.lastError?.() ?? e.cause?.code ?? e.message}; is it listening on port ${port}? (--proxy-admin-port picks another)`,
      );
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, text };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export interface AdminReadOptions {
  namespace: string;
  pod: string;
  adminPort: number;
  timeoutMs: number;
  signal: AbortSignal;
}

/** The pod, checked to exist and carry a proxy, before any port-forward. */
export async function proxyPod(kube: KubeClient, namespace: string, pod: string): Promise<KubeObject> {
  const obj = await kube.get({ apiVersion: 'v1', kind: 'Pod', name: pod, namespace });
  if (obj === undefined) throw new ClusterError(`no pod ${namespace}/${pod}`);
  const phase = (obj['status'] as { phase?: string } | undefined)?.phase;
  if (phase !== 'Running') throw new ClusterError(`pod ${namespace}/${pod} is ${phase ?? 'Unknown'}; its proxy's admin API is not there to ask`);
  return obj;
}

export async function readAdmin(kube: KubeClient, path: '/config_dump' | '/clusters?format=json', o: AdminReadOptions): Promise<unknown> {
  const r = await getJson(kube, o.namespace, o.pod, o.adminPort, path, { signal: o.signal, timeoutMs: o.timeoutMs, what: 'proxy' });
  if (r.status !== 200 || r.body === undefined) {
    throw new ClusterError(
      `proxy ${o.namespace}/${o.pod}: GET ${path} on port ${o.adminPort} answered ${r.status}${r.body === undefined ? ' with something that is not JSON' : ''}: ${r.text.trim().slice(0, 120)}`,
    );
  }
  return r.body;
}

/**
 * A saved admin API answer (`--file`, `--endpoints-file`), named by the flag that gave it: a file
 * that cannot be read is a usage error (64), as -f on the other commands; one that is not JSON is
 * bad input (65).
 */
export async function readFileJson(file: string, flag = '--file'): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new UsageError(`${flag} ${file}: ${why}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // V8 quotes the text around the fault ("…" is not valid JSON): of a binary or secret file, that is its bytes.
    const why = (err as Error).message.replace(/, ".*"(\.\.\.)? is not valid JSON$/s, '');
    throw new InputError(`${flag} ${file}: not JSON (${excerpt(why, 80)})`);
  }
}

/**
 * istiod's view of the proxy: each running istiod is asked for /debug/config_dump?proxyID=; the
 * one the proxy is connected to answers 200 (the others 404).
 */
export async function readIstiodView(
  kube: KubeClient,
  o: { istioNamespace: string; proxyId: string; timeoutMs: number; signal: AbortSignal },
): Promise<{ istiod: string; body: unknown }> {
  const pods = await findIstiodPods(kube, { istioNamespace: o.istioNamespace });
  const token = await kube.createToken(o.istioNamespace, 'default', { audiences: TOKEN_AUDIENCES_FOR_DEBUG, expirationSeconds: 600 });
  const path = `/debug/config_dump?proxyID=${encodeURIComponent(o.proxyId)}`;
  const answers = await Promise.all(
    pods.map(async (p) => ({
      pod: p.metadata.name ?? '',
      r: await getJson(kube, o.istioNamespace, p.metadata.name ?? '', MONITORING_PORT, path, {
        signal: o.signal,
        timeoutMs: o.timeoutMs,
        token,
        what: 'istiod',
      }),
    })),
  );
  const hit = answers.find((a) => a.r.status === 200 && a.r.body !== undefined);
  if (hit) return { istiod: hit.pod, body: hit.r.body };
  throw new ClusterError(
    `no istiod in ${o.istioNamespace} (${answers.map((a) => `${a.pod}: ${a.r.status}`).join(', ')}) has proxy ${o.proxyId} connected; mesh proxy-status shows where it is`,
  );
}
