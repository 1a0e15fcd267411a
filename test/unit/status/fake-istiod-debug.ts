/**
 * A test server that answers like istiod's HTTP debug endpoint on its monitoring port (15014):
 * `GET /debug/syncz` with a bearer token that it checks the way istiod 1.27+ does
 * (ENABLE_DEBUG_ENDPOINT_AUTH): a TokenReview for audience `istio-ca`, then only identities from
 * the allowed namespaces (istiod's own, by default istio-system) may read syncz.
 * Missing or rejected token → 401; an identity from another namespace → 403.
 * Unit tests only (with the in-memory kube client, there is no istiod): the e2e tests talk to the
 * real istiod (test/e2e/proxy-status.e2e.test.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Identity {
  authenticated: boolean;
  /** e.g. system:serviceaccount:istio-system:default */
  username?: string;
}

export interface FakeIstiodDebugOptions {
  /** The /debug/syncz answer (JSON-serialised per request, so tests may change it). */
  syncz: () => unknown;
  /** Validates a bearer token: a TokenReview against the API server in e2e, a stub in unit tests. */
  authenticate: (token: string) => Promise<Identity>;
  /** Namespaces whose service accounts may read syncz (istiod's own plus DEBUG_ENDPOINT_AUTH_ALLOWED_NAMESPACES). */
  allowedNamespaces?: string[];
  /** Never answer (to test timeouts). */
  hang?: boolean;
}

export interface FakeIstiodDebug {
  port: number;
  /** Every request: path and the result of authentication. */
  requests: { path: string; status: number; username?: string }[];
  /** The User-Agent header of every request, in order. */
  userAgents: string[];
  close(): Promise<void>;
}

export async function startFakeIstiodDebug(options: FakeIstiodDebugOptions): Promise<FakeIstiodDebug> {
  const requests: FakeIstiodDebug['requests'] = [];
  const userAgents: string[] = [];
  const allowed = options.allowedNamespaces ?? ['istio-system'];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    userAgents.push(req.headers['user-agent'] ?? '');
    if (options.hang) return; // keep the connection open, answer nothing
    const send = (status: number, body: string, username?: string): void => {
      requests.push({ path, status, ...(username !== undefined ? { username } : {}) });
      res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/plain' }).end(body);
    };
    if (req.method !== 'GET' || path !== '/debug/syncz') return send(404, '404 page not found\n');
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return send(401, '');
    let who: Identity;
    try {
      who = await options.authenticate(m[1]!);
    } catch {
      return send(401, '');
    }
    if (!who.authenticated) return send(401, '', who.username);
    const ns = /^system:serviceaccount:([^:]+):/.exec(who.username ?? '')?.[1];
    if (ns === undefined || !allowed.includes(ns)) return send(403, 'forbidden\n', who.username);
    send(200, JSON.stringify(options.syncz()), who.username);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    userAgents,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
