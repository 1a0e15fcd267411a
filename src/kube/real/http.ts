/**
 * The one HTTP stack for the API server: undici, with an Agent that carries the kubeconfig's CA,
 * client certificate and key and tls-server-name, and always verifies the server's certificate.
 * Every request sends `User-Agent: mesh/<version>` and the context's credentials; request() runs
 * the retry policy (retry.ts) and the request timeout; open() starts a streaming GET (a watch).
 *
 * undici fails a response whose connection ends before its body does (a reset in the middle of
 * a body), so that is a lost response at once, not a request that hangs until the timeout.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createSecureContext, type SecureContext } from 'node:tls';
import { Agent, ProxyAgent, buildConnector, request as undiciRequest, type Dispatcher } from 'undici';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, InputError } from '../../errors.js';
import { USER_AGENT } from '../../version.js';
import { credentials, DEFAULT_REQUEST_TIMEOUT_MS, type TlsMaterial } from './config.js';
import { cancelledError, errorCode, isTlsVerifyError, networkError, rbacOf, timeoutError, toApiError, type Denied } from './errors.js';
import { PROTOBUF, statusJson, unwrap } from './protobuf.js';
import { delayMs, judge, retriesFor, retryClassOf, sleep, type AttemptFailure, type HttpMethod, type RetryClass } from './retry.js';

export { USER_AGENT };

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec {
  method: HttpMethod;
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** For error messages: what was being done to what. */
  target: string;
  /** For a write: may a failed attempt be sent again after a lost response or a 5xx (retry.ts)? */
  retry?: RetryClass;
  /**
   * Ask for the protobuf encoding (protobuf.ts): a 2xx answer in protobuf comes back as its bytes
   * (one in JSON, from a server or proxy that does not speak protobuf, parsed as usual); an error
   * Status in protobuf is read into the usual one-line error.
   */
  protobuf?: boolean;
}

export interface TransportOptions {
  retries: number;
  requestTimeoutMs?: number;
  signal?: AbortSignal | undefined;
  onWarning?: ((text: string) => void) | undefined;
}

/** A response whose body is still to be read (open()). */
export interface OpenResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & { text(): Promise<string> };
}

export class ApiTransport {
  readonly server: string;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  private readonly onWarning: ((text: string) => void) | undefined;
  private readonly warned = new Set<string>();
  /**
   * One dispatcher per TLS material (an exec plugin may hand out a new client certificate). Its idle
   * pooled connections do not hold the process open.
   */
  private dispatcher: { key: string; dispatcher: Dispatcher } | undefined;

  constructor(
    readonly kc: KubeConfig,
    options: TransportOptions,
  ) {
    this.server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
    this.retries = options.retries;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.signal = options.signal;
    this.onWarning = options.onWarning;
  }

  url(path: string, query: Query = {}): URL {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** One request with the retry policy; the parsed JSON body (or the text, or undefined when empty). */
  async request(spec: RequestSpec): Promise<unknown> {
    const url = this.url(spec.path, spec.query);
    const cls = retryClassOf(spec.method, spec.retry);
    const body = spec.body !== undefined ? JSON.stringify(spec.body) : undefined;
    // Set once an attempt may have been carried out by the server without us seeing the answer.
    let uncertain = false;
    for (let attempt = 0; ; attempt++) {
      if (this.signal?.aborted) throw cancelledError(spec.target, uncertain);
      const { dispatcher, headers } = await this.authorized();
      headers['accept'] = spec.protobuf ? `${PROTOBUF}, application/json` : (spec.accept ?? 'application/json');
      if (body !== undefined) headers['content-type'] = spec.contentType ?? 'application/json';
      const attemptController = new AbortController();
      let timedOut = false;
      const timer = this.timeoutMs > 0 ? setTimeout(() => ((timedOut = true), attemptController.abort()), this.timeoutMs) : undefined;
      const onAbort = (): void => attemptController.abort();
      this.signal?.addEventListener('abort', onAbort, { once: true });
      let status: number;
      let retryAfter: string | undefined;
      let text: string;
      let bytes: Buffer | undefined;
      let stage: 'connect' | 'body' = 'connect';
      try {
        const res = await undiciRequest(url, {
          dispatcher,
          method: spec.method,
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: attemptController.signal,
        });
        stage = 'body';
        status = res.statusCode;
        this.warnings(res.headers);
        retryAfter = single(res.headers['retry-after']);
        if (spec.protobuf && String(res.headers['content-type'] ?? '').startsWith(PROTOBUF)) {
          bytes = Buffer.from(await res.body.arrayBuffer());
          text = '';
        } else text = await res.body.text();
      } catch (err) {
        if (this.signal?.aborted) throw cancelledError(spec.target, true);
        // No answer in time: not retried, the whole command would otherwise wait retries × timeout.
        if (timedOut) throw timeoutError(spec.target, this.server, this.timeoutMs);
        const failure: AttemptFailure = { kind: 'network', code: errorCode(err), stage, tls: isTlsVerifyError(err) };
        const verdict = judge(cls, failure);
        if (verdict.uncertain) uncertain = true;
        if (verdict.retry && attempt < this.retries) {
          await sleep(delayMs(attempt + 1, failure, undefined), this.signal);
          continue;
        }
        const wrapped = networkError(err, spec.target, this.server);
        wrapped.afterLostResponse = uncertain;
        throw wrapped;
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
      }
      if (status >= 200 && status < 300) {
        if (bytes !== undefined) return bytes;
        if (text === '') return undefined;
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return text;
        }
      }
      if (bytes !== undefined) text = protobufStatusText(bytes);
      const error = toApiError(status, text, spec.target, this.denied(spec.method, url));
      const failure: AttemptFailure = { kind: 'status', status: error.status };
      const verdict = judge(cls, failure);
      error.afterLostResponse = uncertain;
      if (verdict.retry && attempt < retriesFor(this.retries, failure, retryAfter)) {
        if (verdict.uncertain) uncertain = true;
        await sleep(delayMs(attempt + 1, failure, retryAfter), this.signal);
        continue;
      }
      throw error;
    }
  }

  /**
   * A GET whose body the caller streams (a watch), ended by `signal`. Rejects on a connection
   * failure; the caller reads any status, and owns the retries.
   */
  async open(url: URL, signal: AbortSignal): Promise<OpenResponse> {
    const { dispatcher, headers } = await this.authorized();
    headers['accept'] = 'application/json';
    const res = await undiciRequest(url, { dispatcher, method: 'GET', headers, signal });
    this.warnings(res.headers);
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /** For a 401/403: what was refused, in RBAC terms, and who asked. */
  denied(method: HttpMethod, url: URL): Denied {
    return { ...rbacOf(method, url), context: this.kc.getCurrentContext(), server: this.server };
  }

  timeoutError(target: string): ReturnType<typeof timeoutError> {
    return timeoutError(target, this.server, this.timeoutMs);
  }

  networkError(err: unknown, target: string): ReturnType<typeof networkError> {
    return networkError(err, target, this.server);
  }

  /** The dispatcher and headers (credentials, User-Agent) of a request to the API server; also the port-forward's WebSocket. */
  async authorized(): Promise<{ dispatcher: Dispatcher; headers: Record<string, string> }> {
    const creds = await credentials(this.kc);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(creds.headers)) headers[k.toLowerCase()] = v;
    headers['user-agent'] = USER_AGENT;
    const key = fingerprint(creds.tls);
    if (this.dispatcher?.key !== key) {
      const old = this.dispatcher?.dispatcher;
      this.dispatcher = { key, dispatcher: this.makeDispatcher(creds.tls) };
      // Requests in flight on the old one finish; it closes after them.
      void old?.close().catch(() => undefined);
    }
    return { dispatcher: this.dispatcher.dispatcher, headers };
  }

  private makeDispatcher(tls: TlsMaterial): Dispatcher {
    // Verification is never turned off, whatever the kubeconfig says.
    const tlsOptions = { ...tls, rejectUnauthorized: true };
    // mesh's own timers (the request timeout, a watch's idle limit) govern; undici's are off.
    const timeouts = { headersTimeout: 0, bodyTimeout: 0 };
    const proxyUrl = this.kc.getCurrentCluster()?.proxyUrl;
    if (proxyUrl !== undefined && proxyUrl !== '') {
      if (!/^https?:/.test(proxyUrl)) throw new ClusterError(`the kubeconfig's proxy-url ${proxyUrl}: mesh supports http:// and https:// proxies only`);
      return new ProxyAgent({ uri: proxyUrl, requestTls: tlsOptions, ...timeouts });
    }
    // One secure context (the CA, client certificate and key, parsed once) for every connection:
    // tls.connect would parse them again for each, and a command opens several at once.
    const { servername: _servername, ...material } = tlsOptions;
    let secureContext: SecureContext;
    try {
      secureContext = createSecureContext(material);
    } catch (err) {
      const e = err as Error & { code?: string };
      throw new InputError(
        `the kubeconfig's TLS material for context ${this.kc.getCurrentContext()} (certificate-authority, client-certificate or client-key) cannot be used: ${e.message}${e.code ? ` (${e.code})` : ''}`,
      );
    }
    const connector = buildConnector({ secureContext, rejectUnauthorized: true });
    // undici would send the URL's host name as SNI; the kubeconfig's tls-server-name wins.
    const servername = tls.servername;
    return new Agent({
      ...timeouts,
      connect: servername !== undefined ? (opts, cb) => connector({ ...opts, servername }, cb) : connector,
    });
  }

  /** Hands the response's `Warning` headers (RFC 7234 warn-text) to onWarning, each text once. */
  private warnings(headers: Record<string, string | string[] | undefined>): void {
    if (this.onWarning === undefined) return;
    const raw = headers['warning'];
    for (const header of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      for (const text of parseWarningHeader(header)) {
        if (this.warned.has(text)) continue;
        this.warned.add(text);
        this.onWarning(text);
      }
    }
  }
}

/** An error answer in protobuf, as the JSON Status text toApiError reads ('' when it is not one). */
function protobufStatusText(bytes: Uint8Array): string {
  try {
    return statusJson(unwrap(bytes).raw);
  } catch {
    return '';
  }
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function fingerprint(tls: TlsMaterial): string {
  const h = createHash('sha256');
  for (const v of [tls.ca, tls.cert, tls.key, tls.pfx, tls.passphrase, tls.servername]) {
    h.update(v === undefined ? '-' : typeof v === 'string' ? `s${v}` : Buffer.concat([Buffer.from('b'), v]));
    h.update('\0');
  }
  return h.digest('hex');
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
