/**
 * Kubeconfig loading (kubectl's semantics for KUBECONFIG lists and --context) and what a request
 * needs from it: the auth headers and the TLS material for the HTTP agent. client-node reads the
 * files and runs exec-credential and auth-provider plugins; mesh does the HTTP itself (http.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import type { RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, InputError, UsageError, didYouMean, excerpt } from '../../errors.js';

export interface KubeClientOptions {
  kubeconfig?: string;
  context?: string;
  /** Retries for transient errors (429, 5xx, connection reset). */
  retries?: number;
  /**
   * Limit on each API request, from connecting to the last byte (default 30 s; 0: none). A watch
   * gets it for its response headers, then is reconnected when it hears nothing for watchIdleMs.
   */
  requestTimeoutMs?: number;
  /** Reconnect a watch that has heard nothing (not even a bookmark) for this long (default 90 s). */
  watchIdleMs?: number;
  /** Aborts every request and watch of this client at once (e.g. a command's --timeout). */
  signal?: AbortSignal;
  /**
   * The API server's `Warning` headers (deprecated APIs, unknown or duplicate fields, admission
   * warnings), as kubectl prints them; each distinct text once per client.
   */
  onWarning?: (text: string) => void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_WATCH_IDLE_MS = 90_000;

/**
 * The kubeconfig files to read: --kubeconfig, else $KUBECONFIG, as a list (`:`-separated). As kubectl
 * does, entries of a list that do not exist are skipped; a single missing file is an error.
 */
function kubeconfigFiles(list: string): string[] {
  const all = list.split(delimiter).filter((f) => f !== '');
  if (all.length <= 1) return all;
  const present = all.filter((f) => existsSync(f));
  return present.length > 0 ? present : all.slice(0, 1);
}

/** An empty file (or /dev/null) is not a kubeconfig: say so instead of what the loader trips over. */
function notEmpty(file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return; // the loader reports why it cannot be read
  }
  if (text.trim() === '')
    throw new InputError(
      `kubeconfig ${excerpt(file, 200)}: the file is empty, not a kubeconfig (expected apiVersion: v1, kind: Config with clusters, users and contexts)`,
    );
}

export function loadKubeConfig(options: KubeClientOptions): KubeConfig {
  const kc = new KubeConfig();
  let reading = options.kubeconfig ?? '';
  // --kubeconfig, or $KUBECONFIG (the CLI passes it as the flag's default).
  const list = options.kubeconfig !== undefined && options.kubeconfig !== '' ? options.kubeconfig : undefined;
  try {
    if (list !== undefined) {
      const files = kubeconfigFiles(list);
      // kubectl semantics: the first file that sets a value wins, including current-context.
      reading = files[0]!;
      notEmpty(files[0]!);
      kc.loadFromFile(files[0]!);
      for (const f of files.slice(1)) {
        const more = new KubeConfig();
        reading = f;
        notEmpty(f);
        more.loadFromFile(f);
        for (const c of more.clusters) if (!kc.getCluster(c.name)) kc.addCluster(c);
        for (const u of more.users) if (!kc.getUser(u.name)) kc.addUser(u);
        for (const x of more.contexts) if (!kc.getContextObject(x.name)) kc.addContext(x);
        if (!kc.getCurrentContext()) kc.setCurrentContext(more.getCurrentContext());
      }
    } else {
      kc.loadFromDefault(undefined, true);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw kubeconfigError(reading, err);
  }
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new UsageError(
        `--context: no context "${options.context}" in the kubeconfig${didYouMean(options.context, names)}; contexts: ${names.join(', ') || 'none'}`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster && options.kubeconfig !== undefined && options.kubeconfig !== '') {
    const current = kc.getCurrentContext();
    throw new InputError(
      `kubeconfig ${excerpt(options.kubeconfig, 200)}: ${current ? `the current context "${excerpt(current)}" names no cluster in it` : 'it sets no current-context (use --context, or set current-context)'}`,
    );
  }
  if (!cluster || (cluster.name === 'cluster' && cluster.server === 'http://localhost:8080')) {
    throw new ClusterError('no kubeconfig found: set --kubeconfig or KUBECONFIG, or create ~/.kube/config');
  }
  return kc;
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
};

/**
 * A kubeconfig that cannot be read (exit 1, as before: a missing file is not bad data) or does not
 * parse or validate (InputError, exit 65): one line naming the file, with at most a short escaped
 * excerpt of what the parser said, never the file's bytes.
 */
function kubeconfigError(file: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const first = excerpt((e instanceof Error ? e.message : String(err)).split('\n')[0] ?? '', 160);
  const name = file === '' ? 'the default kubeconfig' : `kubeconfig ${excerpt(file, 200)}`;
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    // Node's own text repeats the path ("ENOENT: no such file or directory, open '…'"): the cause in words.
    const why = READ_ERRORS[e.code] ?? first;
    return new ClusterError(`cannot load ${name}: ${why}${e.code === 'ENOENT' ? ' (set --kubeconfig or KUBECONFIG, or create ~/.kube/config)' : ''}`);
  }
  if (err instanceof RangeError) return new InputError(`${name}: nested too deeply to be a kubeconfig`);
  return new InputError(`${name}: not a valid kubeconfig: ${first}`);
}

/** The TLS material of the current context: the cluster's CA and server name, the user's client certificate. */
export interface TlsMaterial {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  pfx?: string | Buffer;
  passphrase?: string;
  servername?: string;
}

export interface Credentials {
  /** Authorization (token, exec plugin, auth provider, basic auth) and impersonation headers. */
  headers: Record<string, string>;
  tls: TlsMaterial;
}

/**
 * What the current context asks of each request, fresh each time (client-node caches an exec
 * plugin's credential until it expires, and a rotated client certificate comes with it).
 * Verification is never turned off: `insecure-skip-tls-verify` is not honoured.
 */
export async function credentials(kc: KubeConfig): Promise<Credentials> {
  const cluster = kc.getCurrentCluster();
  if (cluster?.server.startsWith('http:') && !cluster.skipTLSVerify) {
    // client-node's rule, kept: a plain-HTTP server only when the kubeconfig says TLS is off.
    throw new ClusterError(`the API server ${cluster.server} is plain HTTP, which the kubeconfig does not allow (insecure-skip-tls-verify is not set)`);
  }
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const headers = headerRecord(opts.headers);
  if (typeof opts.auth === 'string' && opts.auth !== '') headers['Authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  const tls: TlsMaterial = {};
  const material = (v: unknown): string | Buffer | undefined =>
    typeof v === 'string' || Buffer.isBuffer(v)
      ? v
      : Array.isArray(v) && v.length > 0
        ? Buffer.concat(v.map((x) => (Buffer.isBuffer(x) ? x : Buffer.from(String(x)))))
        : undefined;
  const ca = material(opts.ca);
  const cert = material(opts.cert);
  const key = material(opts.key);
  const pfx = material(opts.pfx);
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  if (pfx !== undefined) tls.pfx = pfx;
  if (typeof opts.passphrase === 'string') tls.passphrase = opts.passphrase;
  if (typeof opts.servername === 'string' && opts.servername !== '') tls.servername = opts.servername;
  return { headers, tls };
}

/**
 * The headers client-node sets (Authorization for token, exec-plugin and auth-provider users), as
 * a plain record. It may give a fetch `Headers` object, whose entries an object spread would
 * silently drop, an array of pairs or a record.
 */
export function headerRecord(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined || headers === null) return out;
  const h = headers as { forEach?: (fn: (value: string, key: string) => void) => void };
  if (typeof h.forEach === 'function' && !Array.isArray(headers)) {
    h.forEach((value, key) => (out[key] = value));
    return out;
  }
  if (Array.isArray(headers)) {
    for (const [k, v] of headers as [string, string][]) out[k] = v;
    return out;
  }
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}
