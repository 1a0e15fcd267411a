/**
 * A fault-injecting proxy between mesh and the local control plane's real API server. It
 * terminates TLS with the API server's own certificate (so the kubeconfig's CA verifies it), and
 * forwards every request upstream with the admin client certificate. A fault rule picks requests
 * (every Nth that matches, so runs are reproducible) and breaks them the way networks and
 * overloaded API servers do: 429 with Retry-After, 500/503 before or after the server acted,
 * connections reset mid-response, answers slower than the request timeout, watches dropped or
 * answered 410 Gone.
 *
 * This is the one place where the test suite produces faults by hand: the real API server cannot
 * be asked to fail a given request. Everything behind the proxy is real.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

export type Fault =
  /** Answered 429 with Retry-After: 1, not forwarded. */
  | 'status-429'
  /** Answered 500, not forwarded. */
  | 'status-500'
  /** Forwarded (the server acts), then answered 503: a lost response. */
  | 'status-503-after'
  /** Forwarded, then the connection is reset after the headers and part of the body. */
  | 'reset-mid-response'
  /** Forwarded, the answer held back for `delayMs` (beyond mesh's request timeout). */
  | 'slow'
  /** A watch is forwarded, then cut after `delayMs`. */
  | 'drop-watch'
  /** A watch from a resourceVersion is answered with a 410 Gone event (the version is too old). */
  | 'gone-watch';

export interface FaultRule {
  fault: Fault;
  /** Which requests the rule may hit (default: every request). */
  match?: (req: { method: string; path: string; watch: boolean; query: URLSearchParams }) => boolean;
  /** Hit every Nth matching request (1 = all). */
  every: number;
  /** For 'slow' and 'drop-watch'. */
  delayMs?: number;
}

export interface FaultProxy {
  url: string;
  /** A kubeconfig that talks to the API server through the proxy. */
  kubeconfig: string;
  /** Replaces the rules (none: a transparent proxy). Counters restart. */
  set(rules: FaultRule[]): void;
  /** Requests seen and faults injected since the last set(). */
  stats(): { requests: number; injected: Record<string, number> };
  /** Upstream requests still open (after the commands exit: none, or the proxy leaks sockets). */
  upstreamOpen(): number;
  /** Called on every request (e.g. to interrupt a command after N requests). */
  onRequest(fn: ((n: number) => void) | undefined): void;
  close(): Promise<void>;
}

export async function startFaultProxy(stateDir: string, outDir: string): Promise<FaultProxy> {
  const pki = (f: string): Buffer => readFileSync(join(stateDir, 'pki', f));
  const upstreamPort = Number(readFileSync(join(stateDir, 'ports', 'apiserver'), 'utf8').trim());
  const agent = new Agent({ ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key'), keepAlive: true, maxSockets: 64 });
  let rules: FaultRule[] = [];
  let counters: number[] = [];
  let requests = 0;
  let injected: Record<string, number> = {};
  let hook: ((n: number) => void) | undefined;
  const sockets = new Set<Socket>();

  const pick = (req: IncomingMessage, url: URL): FaultRule | undefined => {
    const info = { method: req.method ?? 'GET', path: url.pathname, watch: url.searchParams.get('watch') === 'true', query: url.searchParams };
    for (const [i, r] of rules.entries()) {
      if (r.match && !r.match(info)) continue;
      if ((r.fault === 'drop-watch' || r.fault === 'gone-watch') && !info.watch) continue;
      if (r.fault === 'gone-watch' && !url.searchParams.get('resourceVersion')) continue;
      counters[i] = (counters[i] ?? 0) + 1;
      if (counters[i]! % r.every === 0) return r;
    }
    return undefined;
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    url: URL,
    onResponse: (up: IncomingMessage) => void,
    onError: (e: Error) => void,
  ): void => {
    const headers = { ...req.headers, host: `127.0.0.1:${upstreamPort}` };
    delete headers['authorization']; // the proxy is the admin user upstream
    const up = httpsRequest({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: url.pathname + url.search, headers, agent }, (r) => {
      r.on('error', () => undefined); // ended below when the client goes: nothing to report
      onResponse(r);
    });
    up.on('error', onError);
    // The client went away before the answer ended (a watch it stopped, a killed command): end the
    // upstream request too. Without this every ended watch kept an upstream socket open, and after
    // maxSockets of them requests queued in the proxy and timed out in the command.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    up.end(body);
  };

  const status = (
    res: ServerResponse,
    code: number,
    reason: string,
    extra: Record<string, string> = {},
    message = `injected by the fault proxy: ${reason}`,
  ): void => {
    res.writeHead(code, { 'Content-Type': 'application/json', ...extra });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }));
  };

  const server: Server = createServer({ cert: pki('apiserver.crt'), key: pki('apiserver.key') }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      requests++;
      hook?.(requests);
      const rule = pick(req, url);
      if (rule) injected[rule.fault] = (injected[rule.fault] ?? 0) + 1;
      const fail = (): void => {
        // The API server behind is down (restarting): what a load balancer in front of it answers.
        if (!res.headersSent) status(res, 503, 'ServiceUnavailable', {}, 'the API server behind the fault proxy is unreachable');
        else res.destroy();
      };
      switch (rule?.fault) {
        case 'status-429':
          return status(res, 429, 'TooManyRequests', { 'Retry-After': '1' });
        case 'status-500':
          return status(res, 500, 'InternalError');
        case 'gone-watch':
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(
            JSON.stringify({
              type: 'ERROR',
              object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version (injected)' },
            }) + '\n',
          );
          return;
        default:
          break;
      }
      forward(
        req,
        res,
        body,
        url,
        (up) => {
          if (rule?.fault === 'status-503-after') {
            up.resume();
            up.on('end', () => status(res, 503, 'ServiceUnavailable'));
            return;
          }
          const pass = (): void => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            if (rule?.fault === 'reset-mid-response') {
              let sent = false;
              up.on('data', (c: Buffer) => {
                if (sent) return;
                sent = true;
                res.write(c.subarray(0, Math.max(1, Math.floor(c.length / 2))));
                setTimeout(() => {
                  res.socket?.destroy();
                  up.destroy();
                }, 20);
              });
              up.on('end', () => res.socket?.destroy());
              return;
            }
            up.pipe(res);
            if (rule?.fault === 'drop-watch') {
              setTimeout(() => {
                up.destroy();
                res.socket?.destroy();
              }, rule.delayMs ?? 1000);
            }
          };
          if (rule?.fault === 'slow') {
            up.pause();
            setTimeout(pass, rule.delayMs ?? 5000);
          } else pass();
        },
        fail,
      );
    });
  });
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = join(outDir, 'kubeconfig-faults');
  const admin = readFileSync(join(stateDir, 'kubeconfig'), 'utf8');
  writeFileSync(kubeconfig, admin.replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: ${url}`));
  return {
    url,
    kubeconfig,
    set(r) {
      rules = r;
      counters = [];
      requests = 0;
      injected = {};
    },
    stats: () => ({ requests, injected: { ...injected } }),
    upstreamOpen: () => Object.values(agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0),
    onRequest(fn) {
      hook = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
