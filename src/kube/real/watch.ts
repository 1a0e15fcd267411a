/**
 * Watches: list first when there is no resourceVersion to start from, then watch, resuming from the
 * last resourceVersion when the server ends the stream or it goes silent, relisting on 410 Gone.
 * A watch is a GET, so it is retried on every transient failure (with backoff, retry.ts).
 */
import { createInterface } from 'node:readline';
import { KubeApiError, type KubeObject, type WatchEventType, type WatchOptions } from '../client.js';
import { isTlsVerifyError, toApiError } from './errors.js';
import type { ApiTransport, Query } from './http.js';
import { backoffMs, sleep } from './retry.js';

/** The server ends a watch after this long; mesh watches again from the last resourceVersion. */
export const WATCH_TIMEOUT_SECONDS = 300;

export async function watchPath(
  t: ApiTransport,
  watchIdleMs: number,
  path: string,
  apiVersion: string,
  kind: string,
  options: WatchOptions,
  onEvent: (type: WatchEventType, obj: KubeObject) => boolean | void,
  signal?: AbortSignal,
): Promise<void> {
  const stop = signal !== undefined && t.signal !== undefined ? AbortSignal.any([signal, t.signal]) : (signal ?? t.signal);
  let resourceVersion = options.resourceVersion;
  let failures = 0;
  while (!stop?.aborted) {
    if (resourceVersion === undefined) {
      // Start from a list so existing objects are delivered first, then watch from its version.
      const body = (await t.request({
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
    const outcome = await watchOnce(
      t,
      watchIdleMs,
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
      // A 4xx (other than 429) will not change on a retry.
      if (outcome instanceof KubeApiError && outcome.status !== 0 && !outcome.transient) throw outcome;
      // Nor will a certificate that does not verify.
      if (isTlsVerifyError(outcome)) throw t.networkError(outcome, `watch ${kind}`);
      if (++failures > t.retries) throw outcome instanceof KubeApiError ? outcome : t.networkError(outcome, `watch ${kind}`);
      await sleep(backoffMs(failures), stop);
    }
    // 'closed' (the server ended the stream, timeoutSeconds) or 'idle' (nothing heard for
    // watchIdleMs, e.g. a connection that died silently): watch again from resourceVersion.
  }
}

type Outcome = 'done' | 'closed' | 'gone' | 'idle' | Error;

/**
 * One watch request: events go to onEvent (true = done) until the stream ends. The response
 * headers must come within the request timeout; after that, silence longer than watchIdleMs
 * ends it as 'idle'. Lines already buffered after onEvent returned true are dropped.
 */
function watchOnce(
  t: ApiTransport,
  watchIdleMs: number,
  path: string,
  query: Query,
  target: string,
  onEvent: (type: WatchEventType, obj: KubeObject) => boolean,
  stop: AbortSignal | undefined,
): Promise<Outcome> {
  const url = t.url(path, { watch: true, ...query });
  const controller = new AbortController();
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
  if (stop?.aborted) return Promise.resolve('done');
  stop?.addEventListener('abort', onStop, { once: true });
  return new Promise<Outcome>((resolveOnce) => {
    let settled = false;
    const resolve = (v: Outcome): void => {
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
      if (why === 'timeout') return resolve(t.timeoutError(target));
      resolve(err instanceof Error ? err : 'closed');
    };
    arm(t.timeoutMs, 'timeout');
    t.open(url, controller.signal).then(
      (res) => {
        const body = res.body;
        // An abort after the headers makes the body error; the outcome is settled by then.
        body.on('error', (err) => ended(err));
        if (res.status !== 200) {
          body.text().then(
            (text) => resolve(toApiError(res.status, text, target, t.denied('GET', url))),
            (err: unknown) => ended(err),
          );
          return;
        }
        arm(watchIdleMs, 'idle');
        // readline first, so its lines (a last one without a newline, too) come before the end.
        const lines = createInterface({ input: body });
        // Not after the end: a timer left running would hold the process for watchIdleMs.
        body.on('data', () => settled || arm(watchIdleMs, 'idle'));
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
