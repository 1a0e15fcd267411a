/**
 * The retry policy of API requests: which failed attempts may be sent again, how long to wait, and
 * whether the server may have carried out an attempt whose answer was lost. Pure, except sleep().
 *
 * - Reads (GET: get, list, watch, discovery) are retried on every transient failure.
 * - Writes that come out the same when done twice ('safe'): server-side apply and merge patches,
 *   a delete with a uid precondition (a 404 after a lost response then means "deleted", see the
 *   client's delete()), a named create (a second attempt gets 409 AlreadyExists, never a second
 *   object), a TokenRequest. Retried on transient failures, like reads.
 * - Other writes ('unsent'): a delete without a uid, a JSON patch, a generateName create. Retried
 *   only when the server surely did not act: a 429, or a connection that never reached it.
 * - Never retried: a 4xx other than 429, a certificate that does not verify, a timeout.
 */

export type RetryClass = 'safe' | 'unsent';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request's retry class: GET is always safe; a write is whatever its caller says, 'unsent' by default. */
export function retryClassOf(method: HttpMethod, declared?: RetryClass): RetryClass {
  if (method === 'GET') return 'safe';
  return declared ?? 'unsent';
}

/** Connection errors that happen before a request reaches the server: retrying cannot repeat it. */
export const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export type AttemptFailure =
  /** No HTTP answer. stage 'connect': before the response headers; 'body': while reading the body. */
  { kind: 'network'; code: string; stage: 'connect' | 'body'; tls: boolean } | { kind: 'status'; status: number };

export interface RetryVerdict {
  retry: boolean;
  /** The server may have carried out this attempt (its answer was lost, or a 5xx came back). */
  uncertain: boolean;
}

export function judge(cls: RetryClass, failure: AttemptFailure): RetryVerdict {
  if (failure.kind === 'network') {
    // A certificate that does not verify will not verify on a retry either.
    if (failure.tls) return { retry: false, uncertain: false };
    if (failure.stage === 'connect' && NOT_SENT.has(failure.code)) return { retry: true, uncertain: false };
    return { retry: cls === 'safe', uncertain: true };
  }
  // A 429 was refused before it was handled.
  if (failure.status === 429) return { retry: true, uncertain: false };
  // A 5xx may have been carried out.
  if (failure.status >= 500) return { retry: cls === 'safe', uncertain: true };
  return { retry: false, uncertain: false };
}

/**
 * How many times a request the server refused with 429 and a usable Retry-After is sent again
 * (client-go's maxRetries for Retry-After): the server asked for the wait and did not act, so it
 * costs nothing to ask again; other failures keep the client's retries (4). Under load a 429 meets
 * the next 429 often enough that 4 ran out while the server was still answering.
 */
export const RETRY_AFTER_RETRIES = 10;

/** The retries allowed after this failure, for a client configured with `retries` (0 stays 0). */
export function retriesFor(retries: number, failure: AttemptFailure, retryAfter: string | undefined): number {
  if (retries > 0 && failure.kind === 'status' && failure.status === 429 && retryAfterMs(retryAfter) !== undefined) {
    return Math.max(retries, RETRY_AFTER_RETRIES);
  }
  return retries;
}

export const BACKOFF_BASE_MS = 200;
export const BACKOFF_CAP_MS = 5000;
/** The longest Retry-After honoured; a server asking for more gets this. */
export const RETRY_AFTER_CAP_MS = 10_000;

/**
 * The wait before retry number `attempt` (1, 2, …): exponential from 200 ms up to 5 s, with equal
 * jitter (half fixed, half random), so clients that failed together do not come back together.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1), BACKOFF_CAP_MS);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A Retry-After header (seconds, or an HTTP date) in ms, at most 10 s; undefined when absent or unusable. */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  if (!(ms > 0)) return undefined;
  return Math.min(ms, RETRY_AFTER_CAP_MS);
}

/** The wait before the next attempt after `failure`: Retry-After for a 429/503 that sends one, else backoff. */
export function delayMs(attempt: number, failure: AttemptFailure, retryAfter: string | undefined, random: () => number = Math.random): number {
  if (failure.kind === 'status' && (failure.status === 429 || failure.status === 503)) {
    const asked = retryAfterMs(retryAfter);
    if (asked !== undefined) return asked;
  }
  return backoffMs(attempt, random);
}

/** Resolves after ms, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
