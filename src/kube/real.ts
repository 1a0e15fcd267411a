import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import fetch, { type RequestInit } from 'node-fetch';
import { ClusterError, InputError, UsageError, didYouMean, excerpt } from '../errors.js';
import {
  type ApplyOptions,
  type ClusterInfo,
  type DeleteOptions,
  type KubeClient,
  type KubeObject,
  type ListOptions,
  type ObjectRef,
  type PatchType,
  type PortForwardHandle,
  type ResourceInfo,
  type WatchEventType,
  type WatchOptions,
  KubeApiError,
  NotServedError,
  describeRef,
} from './client.js';

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
/** The server ends a watch after this long; mesh watches again from the last resourceVersion. */
const WATCH_TIMEOUT_SECONDS = 300;

const PATCH_TYPES: Record<PatchType | 'apply', string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

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
  if (text.trim() === '') throw new InputError(`kubeconfig ${excerpt(file, 200)}: the file is empty, not a kubeconfig (expected apiVersion: v1, kind: Config with clusters, users and contexts)`);
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

/**
 * A kubeconfig that cannot be read (exit 1, as before: a missing file is not bad data) or does not
 * parse or validate (InputError, exit 65): one line naming the file, with at most a short escaped
 * excerpt of what the parser said, never the file's bytes.
 */
function kubeconfigError(file: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const first = excerpt((e instanceof Error ? e.message : String(err)).split('\n')[0] ?? '', 160);
  const name = file === '' ? 'the default kubeconfig' : `kubeconfig ${excerpt(file, 200)}`;
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return new ClusterError(`cannot load ${name}: ${first}`);
  if (err instanceof RangeError) return new InputError(`${name}: nested too deeply to be a kubeconfig`);
  return new InputError(`${name}: not a valid kubeconfig: ${first}`);
}

export function createKubeClient(options: KubeClientOptions = {}): KubeClient {
  const kc = loadKubeConfig(options);
  return new RealKubeClient(kc, options.retries ?? 4, {
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.watchIdleMs !== undefined ? { watchIdleMs: options.watchIdleMs } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.onWarning !== undefined ? { onWarning: options.onWarning } : {}),
  });
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** For error messages: what was being done to what. */
  target: string;
  /**
   * When a failed attempt may be sent again. 'safe' (the default for GET; also server-side apply,
   * merge patches, deletes with a uid precondition, named creates): after a lost response, a
   * connection error or a 429/5xx. 'unsent': only when the server surely did not act on it (429,
   * connection refused), since doing it twice is not the same as doing it once.
   */
  retry?: 'safe' | 'unsent';
}

/** Connection errors that happen before a request reaches the server: retrying cannot repeat it. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class RealKubeClient implements KubeClient {
  private readonly server: string;
  private readonly discovery = new Map<string, Promise<Map<string, ResourceInfo> | undefined>>();

  private readonly timeoutMs: number;
  private readonly watchIdleMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly onWarning: ((text: string) => void) | undefined;
  private readonly warned = new Set<string>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly retries: number,
    options: Pick<KubeClientOptions, 'requestTimeoutMs' | 'watchIdleMs' | 'signal' | 'onWarning'> = {},
  ) {
    this.server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.watchIdleMs = options.watchIdleMs ?? DEFAULT_WATCH_IDLE_MS;
    this.signal = options.signal;
    this.onWarning = options.onWarning;
  }

  /** Hands the response's `Warning` headers (RFC 7234 warn-text) to onWarning, each text once. */
  private warnings(res: { headers: { raw(): Record<string, string[]> } }): void {
    if (this.onWarning === undefined) return;
    for (const header of res.headers.raw()['warning'] ?? []) {
      for (const text of parseWarningHeader(header)) {
        if (this.warned.has(text)) continue;
        this.warned.add(text);
        this.onWarning(text);
      }
    }
  }

  info(): ClusterInfo {
    const ctx = this.kc.getCurrentContext();
    return { context: ctx, server: this.server, namespace: this.kc.getContextObject(ctx)?.namespace ?? 'default' };
  }

  async serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }> {
    const v = (await this.request({ method: 'GET', path: '/version', target: 'server version' })) as Record<string, string>;
    return { major: v['major'] ?? '', minor: (v['minor'] ?? '').replace(/\D+$/, ''), gitVersion: v['gitVersion'] ?? '' };
  }

  async raw(path: string): Promise<unknown> {
    return this.request({ method: 'GET', path, target: path });
  }

  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    let entry = this.discovery.get(apiVersion);
    if (!entry) {
      entry = this.discover(apiVersion);
      this.discovery.set(apiVersion, entry);
      entry.catch(() => this.discovery.delete(apiVersion));
    }
    const resources = await entry;
    if (resources === undefined) {
      // Not served (yet): forget, so a CRD installed later is found.
      this.discovery.delete(apiVersion);
      return undefined;
    }
    return resources.get(kind);
  }

  private async discover(apiVersion: string): Promise<Map<string, ResourceInfo> | undefined> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let body: unknown;
    try {
      body = await this.request({ method: 'GET', path, target: `discovery of ${apiVersion}` });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
    const map = new Map<string, ResourceInfo>();
    const list = (body as { resources?: { name: string; kind: string; namespaced: boolean }[] }).resources ?? [];
    for (const r of list) {
      if (r.name.includes('/')) continue; // subresources
      map.set(r.kind, { resource: r.name, namespaced: r.namespaced, kind: r.kind, apiVersion });
    }
    return map;
  }

  private async pathFor(apiVersion: string, kind: string, namespace: string | undefined, name?: string): Promise<string> {
    const info = await this.resourceFor(apiVersion, kind);
    if (!info) throw new NotServedError(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = info.namespaced && namespace !== undefined && namespace !== '' ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    if (info.namespaced && name !== undefined && ns === '') {
      throw new ClusterError(`${kind} ${name}: a namespace is required`);
    }
    return `${base}${ns}/${info.resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const path = await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    try {
      return (await this.request({ method: 'GET', path, target: describeRef(ref) })) as KubeObject;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const path = await this.pathFor(apiVersion, kind, options.namespace);
    const items: KubeObject[] = [];
    let cont: string | undefined;
    do {
      const body = (await this.request({
        method: 'GET',
        path,
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.limit ?? 500,
          continue: cont,
        },
        ...(options.metadataOnly
          ? { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' }
          : {}),
        target: `list ${kind}${options.namespace ? ` in ${options.namespace}` : ''}`,
      })) as { items?: KubeObject[]; metadata?: { continue?: string } };
      for (const item of body.items ?? []) {
        // List items omit apiVersion/kind; fill them so objects are self-describing.
        items.push({ ...item, apiVersion, kind });
      }
      cont = body.metadata?.continue || undefined;
    } while (cont !== undefined);
    return items;
  }

  async create(obj: KubeObject, options: { dryRun?: boolean } = {}): Promise<KubeObject> {
    const path = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace);
    return (await this.request({
      method: 'POST',
      path,
      query: { dryRun: options.dryRun ? 'All' : undefined, fieldValidation: 'Strict' },
      body: obj,
      // A name is unique, so a retry after a lost response cannot make a second object: it gets
      // 409 AlreadyExists, which callers treat as "it exists". A generateName create could.
      retry: obj.metadata.name !== undefined && obj.metadata.name !== '' ? 'safe' : 'unsent',
      target: `create ${describeRef({ kind: obj.kind, name: obj.metadata.name ?? obj.metadata.generateName, namespace: obj.metadata.namespace })}`,
    })) as KubeObject;
  }

  async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const name = obj.metadata.name;
    if (name === undefined) throw new ClusterError(`${obj.kind}: metadata.name is required for apply`);
    const path = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, name);
    const { managedFields: _drop, ...metadata } = obj.metadata;
    return (await this.request({
      method: 'PATCH',
      path,
      // Strict: a field the server does not know (a typo in an overlay) is an error, not dropped.
      query: { fieldManager: options.fieldManager, force: options.force ? true : undefined, dryRun: options.dryRun ? 'All' : undefined, fieldValidation: 'Strict' },
      body: { ...obj, metadata },
      contentType: PATCH_TYPES.apply,
      retry: 'safe',
      target: `apply ${describeRef({ kind: obj.kind, name, namespace: obj.metadata.namespace })}`,
    })) as KubeObject;
  }

  async patch(ref: ObjectRef, patch: unknown, type: PatchType, options: { fieldManager?: string; dryRun?: boolean } = {}): Promise<KubeObject> {
    const path = await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    return (await this.request({
      method: 'PATCH',
      path,
      query: { fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined, fieldValidation: 'Strict' },
      body: patch,
      contentType: PATCH_TYPES[type],
      // A merge patch gives the same object applied twice; a JSON patch (e.g. an append) need not.
      retry: type === 'json' ? 'unsent' : 'safe',
      target: `patch ${describeRef(ref)}`,
    })) as KubeObject;
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const path = await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    const pre = options.preconditions;
    const preconditions = pre && (pre.uid !== undefined || pre.resourceVersion !== undefined) ? pre : undefined;
    try {
      await this.request({
        method: 'DELETE',
        path,
        query: { propagationPolicy: options.propagationPolicy ?? 'Background', dryRun: options.dryRun ? 'All' : undefined },
        ...(preconditions ? { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions } } : {}),
        // Without a uid, a retry after a lost response could delete an object recreated under the same name.
        retry: preconditions?.uid !== undefined ? 'safe' : 'unsent',
        target: `delete ${describeRef(ref)}`,
      });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError) {
        // Gone: deleted by an earlier attempt whose response was lost, or already before.
        if (err.status === 404) return err.afterLostResponse;
        // Our object (that uid) is gone and a new one holds the name; it is left alone.
        if (err.status === 409 && preconditions?.uid !== undefined && /UID in (the )?precondition/i.test(err.message)) return err.afterLostResponse;
      }
      throw err;
    }
  }

  async watch(
    apiVersion: string,
    kind: string,
    options: WatchOptions,
    onEvent: (type: WatchEventType, obj: KubeObject) => boolean | void,
    signal?: AbortSignal,
  ): Promise<void> {
    const path = await this.pathFor(apiVersion, kind, options.namespace);
    const stop = signal !== undefined && this.signal !== undefined ? AbortSignal.any([signal, this.signal]) : (signal ?? this.signal);
    let resourceVersion = options.resourceVersion;
    let failures = 0;
    while (!stop?.aborted) {
      if (resourceVersion === undefined) {
        // Start from a list so existing objects are delivered first, then watch from its version.
        const body = (await this.request({
          method: 'GET',
          path,
          query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
          target: `list ${kind}`,
        })) as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
        for (const item of body.items ?? []) {
          if (onEvent('ADDED', { ...item, apiVersion, kind }) === true) return;
        }
        resourceVersion = body.metadata?.resourceVersion;
      }
      const outcome = await this.watchOnce(
        path,
        {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: WATCH_TIMEOUT_SECONDS,
        },
        `watch ${kind}`,
        (type, obj) => {
          const rv = obj.metadata?.resourceVersion;
          if (rv) resourceVersion = rv;
          if (type === 'BOOKMARK') return false;
          failures = 0;
          return onEvent(type, { ...obj, apiVersion, kind }) === true;
        },
        stop,
      );
      if (outcome === 'done') return;
      if (outcome === 'gone') {
        resourceVersion = undefined;
        continue;
      }
      if (outcome instanceof Error) {
        if (outcome instanceof KubeApiError && outcome.status === 410) {
          resourceVersion = undefined;
          continue;
        }
        if (outcome instanceof KubeApiError && outcome.status !== 0 && !outcome.transient) throw outcome;
        if (isTlsVerifyError(outcome)) throw this.wrapNetworkError(outcome, `watch ${kind}`);
        if (++failures > this.retries) throw outcome instanceof KubeApiError ? outcome : this.wrapNetworkError(outcome, `watch ${kind}`);
        await sleep(backoff(failures), stop);
      }
      // 'closed' (the server ended the stream, timeoutSeconds) or 'idle' (nothing heard for
      // watchIdleMs, e.g. a connection that died silently): watch again from resourceVersion.
    }
  }

  /**
   * One watch request: events go to onEvent (true = done) until the stream ends. The response
   * headers must come within the request timeout; after that, silence longer than watchIdleMs
   * ends it as 'idle'. Lines already buffered after onEvent returned true are dropped.
   */
  private async watchOnce(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    target: string,
    onEvent: (type: WatchEventType, obj: KubeObject) => boolean,
    stop: AbortSignal | undefined,
  ): Promise<'done' | 'closed' | 'gone' | 'idle' | Error> {
    const url = new URL(this.server + path);
    url.searchParams.set('watch', 'true');
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const init = await this.kc.applyToFetchOptions({});
    init.method = 'GET';
    init.headers = { ...headerRecord(init.headers), Accept: 'application/json' };
    const controller = new AbortController();
    init.signal = controller.signal as RequestInit['signal'];
    let why: 'done' | 'timeout' | 'idle' | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number, reason: 'timeout' | 'idle'): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = ms > 0 ? setTimeout(() => end(reason), ms) : undefined;
    };
    const end = (reason: 'done' | 'timeout' | 'idle'): void => {
      why ??= reason;
      controller.abort();
    };
    const onStop = (): void => end('done');
    if (stop?.aborted) return 'done';
    stop?.addEventListener('abort', onStop, { once: true });
    return new Promise<'done' | 'closed' | 'gone' | 'idle' | Error>((resolveOnce) => {
      let settled = false;
      const resolve = (v: 'done' | 'closed' | 'gone' | 'idle' | Error): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        stop?.removeEventListener('abort', onStop);
        controller.abort();
        resolveOnce(v);
      };
      const ended = (err?: unknown): void => {
        if (why === 'done') return resolve('done');
        if (why === 'idle') return resolve('idle');
        if (why === 'timeout') return resolve(this.timeoutError(target));
        resolve(err instanceof Error ? err : 'closed');
      };
      arm(this.timeoutMs, 'timeout');
      fetch(url.toString(), init).then(
        (res) => {
          this.warnings(res);
          if (res.status !== 200) {
            res.text().then(
              (text) => resolve(toApiError(res.status, text, target, this.denied('GET', url))),
              (err: unknown) => ended(err),
            );
            return;
          }
          arm(this.watchIdleMs, 'idle');
          const body = res.body;
          // readline first, so its lines (a last one without a newline, too) come before the end.
          const lines = createInterface({ input: body });
          // Not after the end: a timer left running would hold the process for watchIdleMs.
          body.on('data', () => settled || arm(this.watchIdleMs, 'idle'));
          body.on('error', (err) => ended(err));
          // The body's 'error' listener settles the outcome; readline re-emits it.
          lines.on('error', () => undefined);
          lines.on('close', () => ended());
          // A body that closes without an end or an error: after readline has had its say.
          body.on('close', () => setImmediate(() => ended()));
          lines.on('line', (line) => {
            if (settled) return;
            let event: { type?: string; object?: KubeObject };
            try {
              event = JSON.parse(line) as { type?: string; object?: KubeObject };
            } catch {
              return;
            }
            const obj = event.object;
            if (event.type === undefined || obj === undefined) return;
            if (event.type === 'ERROR') {
              const st = obj as unknown as { code?: number; reason?: string; message?: string };
              if (st.code === 410) return resolve('gone');
              return resolve(new KubeApiError(st.code ?? 500, st.reason ?? '', `${target}: ${st.message ?? 'watch error'}`, target));
            }
            if (onEvent(event.type as WatchEventType, obj)) {
              why = 'done';
              resolve('done');
            }
          });
        },
        (err: unknown) => ended(err),
      );
    });
  }

  async createToken(
    namespace: string,
    serviceAccount: string,
    options: { audiences?: string[]; expirationSeconds?: number } = {},
  ): Promise<string> {
    const body = (await this.request({
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          ...(options.audiences ? { audiences: options.audiences } : {}),
          expirationSeconds: options.expirationSeconds ?? 600,
        },
      },
      // A TokenRequest stores nothing: asking again only mints another short-lived token.
      retry: 'safe',
      target: `token for ServiceAccount ${namespace}/${serviceAccount}`,
    })) as { status?: { token?: string } };
    const token = body.status?.token;
    if (!token) throw new ClusterError(`TokenRequest for ServiceAccount ${namespace}/${serviceAccount} returned no token`);
    return token;
  }

  async portForward(namespace: string, pod: string, port: number): Promise<PortForwardHandle> {
    const forwarder = new PortForward(this.kc);
    const sockets = new Set<Socket>();
    const tunnels = new Set<{ close(): void }>();
    let lastError: string | undefined;
    const server = createServer((socket) => {
      sockets.add(socket);
      let tunnel: TunnelSocket | undefined;
      // The kubelet reports a failed dial (e.g. connection refused) on the error stream.
      const errors = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          const text = chunk.toString('utf8').trim();
          if (text !== '') {
            lastError = text;
            socket.destroy();
          }
          callback();
        },
      });
      // Failures are kept in lastError for the caller; an unhandled 'error' event would crash the process.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        if (tunnel) {
          tunnels.delete(tunnel);
          tunnel.close();
        }
      });
      forwarder
        .portForward(namespace, pod, [port], socket, errors, socket)
        .then((ws) => {
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- ws is typed by @types/ws, which is not installed (so the linter sees an error type); TunnelSocket names what we use of it
          tunnel = ws as unknown as TunnelSocket;
          tunnels.add(tunnel);
          if (socket.destroyed) tunnel.close();
          else tunnel.addEventListener?.('close', () => socket.end());
        })
        .catch((err: unknown) => {
          lastError = describeTunnelError(err);
          socket.destroy();
        });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const localPort = (server.address() as AddressInfo).port;
    return {
      localPort,
      lastError: () => lastError,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          for (const t of tunnels) t.close();
          server.close(() => resolve());
        }),
    };
  }

  private async request(spec: RequestSpec): Promise<unknown> {
    const url = new URL(this.server + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const init = await this.kc.applyToFetchOptions({});
    init.method = spec.method;
    const headers: Record<string, string> = headerRecord(init.headers);
    headers['Accept'] = spec.accept ?? 'application/json';
    if (spec.body !== undefined) {
      headers['Content-Type'] = spec.contentType ?? 'application/json';
      init.body = JSON.stringify(spec.body);
    }
    init.headers = headers;
    const safe = (spec.retry ?? (spec.method === 'GET' ? 'safe' : 'unsent')) === 'safe';
    // Set once an attempt may have been carried out by the server without us seeing the answer.
    let uncertain = false;
    for (let attempt = 0; ; attempt++) {
      if (this.signal?.aborted) throw this.cancelled(spec.target, uncertain);
      const attemptController = new AbortController();
      init.signal = attemptController.signal as RequestInit['signal'];
      let timedOut = false;
      const timer = this.timeoutMs > 0 ? setTimeout(() => ((timedOut = true), attemptController.abort()), this.timeoutMs) : undefined;
      const onAbort = (): void => attemptController.abort();
      this.signal?.addEventListener('abort', onAbort, { once: true });
      let res;
      let text: string;
      let stage: 'connect' | 'body' = 'connect';
      try {
        res = await fetch(url.toString(), init);
        this.warnings(res);
        stage = 'body';
        text = await res.text();
      } catch (err) {
        if (this.signal?.aborted) throw this.cancelled(spec.target, true);
        // No answer in time: not retried, the whole command would otherwise wait retries × timeout.
        if (timedOut) throw this.timeoutError(spec.target);
        // A certificate that does not verify will not verify on a retry either.
        if (isTlsVerifyError(err)) throw this.wrapNetworkError(err, spec.target);
        const notSent = stage === 'connect' && NOT_SENT.has((err as { code?: string }).code ?? '');
        if (attempt < this.retries && (safe || notSent)) {
          if (!notSent) uncertain = true;
          await sleep(backoff(attempt + 1), this.signal);
          continue;
        }
        const wrapped = this.wrapNetworkError(err, spec.target);
        wrapped.afterLostResponse = uncertain || !notSent;
        throw wrapped;
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
      }
      if (res.ok) {
        if (text === '') return undefined;
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return text;
        }
      }
      const error = toApiError(res.status, text, spec.target, this.denied(spec.method, url));
      error.afterLostResponse = uncertain;
      // A 429 was refused before it was handled; a 5xx may have been carried out.
      if (error.transient && attempt < this.retries && (safe || res.status === 429)) {
        if (res.status !== 429) uncertain = true;
        const retryAfter = Number(res.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 10) * 1000 : backoff(attempt + 1), this.signal);
        continue;
      }
      throw error;
    }
  }

  private timeoutError(target: string): KubeApiError {
    const e = new KubeApiError(
      0,
      'Timeout',
      `${target}: the API server at ${this.server} did not answer within ${formatSeconds(this.timeoutMs)} (--request-timeout)`,
      target,
    );
    e.afterLostResponse = true;
    return e;
  }

  private cancelled(target: string, uncertain: boolean): KubeApiError {
    const e = new KubeApiError(0, 'Cancelled', `${target}: cancelled`, target);
    e.afterLostResponse = uncertain;
    return e;
  }

  private wrapNetworkError(err: unknown, target: string): KubeApiError {
    if (err instanceof KubeApiError) return err;
    const code = (err as { code?: string }).code ?? (err as Error).message;
    if (isTlsVerifyError(err)) {
      const detail = tlsDetail(err);
      return new KubeApiError(
        0,
        'TLSVerification',
        `${target}: the certificate of the API server at ${this.server} does not verify (${code}${detail ? `: ${detail}` : ''}); check the cluster's certificate-authority in the kubeconfig (mesh never turns verification off)`,
        target,
      );
    }
    return new KubeApiError(0, 'Unreachable', `${target}: cannot reach the API server at ${this.server} (${code})`, target);
  }

  /** For a 401/403: what was refused, in RBAC terms, and who asked. */
  private denied(method: RequestSpec['method'], url: URL): Denied {
    return { ...rbacOf(method, url), context: this.kc.getCurrentContext(), server: this.server };
  }
}

interface Denied {
  verb: string;
  /** e.g. pods, deployments.apps, serviceaccounts/token */
  resource: string;
  namespace?: string;
  context: string;
  server: string;
}

/** The RBAC verb and resource of an API request path (what `kubectl auth can-i` asks about). */
export function rbacOf(method: string, url: URL): { verb: string; resource: string; namespace?: string } {
  const segs = url.pathname.split('/').filter((x) => x !== '').map(decodeURIComponent);
  let group = '';
  let rest: string[];
  if (segs[0] === 'api') rest = segs.slice(2);
  else if (segs[0] === 'apis') {
    group = segs[1] ?? '';
    rest = segs.slice(3);
  } else return { verb: method.toLowerCase(), resource: url.pathname };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, sub] = rest;
  const named = name !== undefined;
  const verb =
    method === 'GET'
      ? url.searchParams.get('watch') === 'true'
        ? 'watch'
        : named
          ? 'get'
          : 'list'
      : method === 'POST'
        ? 'create'
        : method === 'PATCH'
          ? 'patch'
          : method === 'PUT'
            ? 'update'
            : named
              ? 'delete'
              : 'deletecollection';
  const full = `${resource}${sub !== undefined ? `/${sub}` : ''}${group !== '' ? `.${group}` : ''}`;
  return { verb, resource: full, ...(namespace !== undefined ? { namespace } : {}) };
}

/** Node's codes for a certificate that does not verify (not a connection problem: never retried). */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function isTlsVerifyError(err: unknown): boolean {
  const e = err as { code?: string; erroredSysCall?: string; cause?: { code?: string } } | undefined;
  return TLS_VERIFY_CODES.has(e?.code ?? '') || TLS_VERIFY_CODES.has(e?.cause?.code ?? '');
}

function tlsDetail(err: unknown): string {
  const m = (err as Error).message ?? '';
  // node-fetch: "request to https://… failed, reason: self-signed certificate in certificate chain"
  return m.match(/reason: (.*)$/)?.[1] ?? '';
}

/**
 * What went wrong opening a port-forward tunnel: client-node rejects with an Error, a WebSocket
 * ErrorEvent (whose `error`/`message` say it) or the refused upgrade's status.
 */
export function describeTunnelError(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as { message?: unknown; error?: unknown; type?: unknown; statusCode?: unknown; status?: unknown };
  if (e.error instanceof Error) return e.error.message;
  if (typeof e.message === 'string' && e.message !== '') return e.message;
  const code = e.statusCode ?? e.status;
  if (typeof code === 'number') return `HTTP ${code}`;
  try {
    return JSON.stringify(err).slice(0, 200);
  } catch {
    return typeof e.type === 'string' ? e.type : 'unknown error';
  }
}

/** The WebSocket client-node's PortForward returns, as far as we use it. */
interface TunnelSocket {
  close(): void;
  addEventListener?: (event: 'close', listener: () => void) => void;
}

function toApiError(status: number, text: string, target: string, denied?: Denied): KubeApiError {
  let reason = '';
  let message = text.trim();
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    reason = body.reason ?? '';
    message = body.message ?? message;
  } catch {
    // not a Status object
  }
  if (denied !== undefined && (status === 401 || status === 403)) return permissionError(status, reason, message, target, denied);
  // Server-side apply answers 500 for an object that does not fit the schema (an unknown field):
  // it is the object that is wrong, so it is a 422 here, and never retried.
  if (status === 500 && /failed to create typed patch object|field not declared in schema/.test(message)) {
    return new KubeApiError(422, 'Invalid', `${target}: ${message.replace(/^failed to create typed patch object \([^)]*\): /, '')}`, target);
  }
  if (message === '') message = status === 401 ? 'Unauthorized' : `HTTP ${status}`;
  return new KubeApiError(status, reason, `${target}: ${message}`, target);
}

/** A 401/403 as one line: not a connection problem, and not retried. */
function permissionError(status: number, reason: string, message: string, target: string, d: Denied): KubeApiError {
  const where = d.namespace !== undefined ? ` in namespace ${d.namespace}` : d.verb === 'list' || d.verb === 'watch' ? ' in all namespaces' : '';
  const canI = `kubectl auth can-i ${d.verb} ${d.resource}${d.namespace !== undefined ? ` -n ${d.namespace}` : d.verb === 'list' || d.verb === 'watch' ? ' -A' : ''}`;
  const said = message !== '' ? `: ${message}` : '';
  if (status === 401) {
    return new KubeApiError(
      401,
      reason || 'Unauthorized',
      `${target}: permission denied: the API server at ${d.server} did not accept the credentials of context "${d.context}" (401 Unauthorized${said}); are they expired?`,
      target,
    );
  }
  return new KubeApiError(
    403,
    reason || 'Forbidden',
    `${target}: permission denied: may not ${d.verb} ${d.resource}${where} (403 Forbidden${said}; check with: ${canI})`,
    target,
  );
}

/**
 * The headers client-node's applyToFetchOptions sets (Authorization for token, exec-plugin and
 * auth-provider users), as a plain record. It returns a fetch `Headers` object, whose entries an
 * object spread would silently drop.
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

/**
 * The texts of a `Warning` header: `299 - "text"`, several comma-separated (RFC 7234 section 5.5,
 * as the API server sends them; a date after the text is ignored).
 */
export function parseWarningHeader(header: string): string[] {
  const texts: string[] = [];
  const re = /(\d{3})\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?\s*(?:,\s*|$)/gy;
  for (let m = re.exec(header); m !== null; m = re.exec(header)) {
    const text = m[2]!.replace(/\\(.)/g, '$1').trim();
    if (text !== '') texts.push(text);
  }
  return texts;
}

function backoff(attempt: number): number {
  return Math.min(200 * 2 ** (attempt - 1), 5000);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
