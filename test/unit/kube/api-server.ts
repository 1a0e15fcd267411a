/**
 * A local HTTPS stand-in for the API server on 127.0.0.1, for unit tests of src/kube/real.ts
 * (retries, timeouts, errors, TLS). It serves discovery for a few core and apps kinds; every other
 * request goes to the test's handler, which may answer, stall or drop the connection.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { RealKubeClient } from '../../../src/kube/real.js';

const tls = (f: string): Buffer => readFileSync(new URL(`../../fixtures/tls/${f}`, import.meta.url));
export const CA = tls('ca.crt');

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

/** Return false to answer 404 NotFound. */
export type Handler = (req: Seen, res: ServerResponse, raw: IncomingMessage) => boolean | void | Promise<boolean | void>;

const DISCOVERY: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
  '/api/v1': [
    { name: 'pods', kind: 'Pod', namespaced: true },
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  ],
  '/apis/apps/v1': [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  ],
};

export interface TestApi {
  server: string;
  /** The HTTPS server itself, e.g. to take 'upgrade' (port-forward) requests. */
  https: Server;
  /** Requests other than discovery, in order. */
  seen: Seen[];
  kubeConfig(opts?: { ca?: Buffer | null }): KubeConfig;
  client(opts?: {
    retries?: number;
    ca?: Buffer | null;
    requestTimeoutMs?: number;
    watchIdleMs?: number;
    signal?: AbortSignal;
    onWarning?: (text: string) => void;
  }): RealKubeClient;
  /** A kubeconfig file for this server (for runs of bin/mesh), in a temporary directory. */
  kubeconfigFile(): string;
  close(): Promise<void>;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function status(res: ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
}

/** startApi for a test file: every server it starts is closed when the file's tests are done. */
export function apiStarter(): (handler: Handler) => Promise<TestApi> {
  const apis: TestApi[] = [];
  after(async () => {
    for (const a of apis) await a.close();
  });
  return async (handler) => {
    const a = await startApi(handler);
    apis.push(a);
    return a;
  };
}

export async function startApi(handler: Handler): Promise<TestApi> {
  const seen: Seen[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer({ key: tls('server.key'), cert: tls('server.crt') }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const resources = DISCOVERY[url.pathname];
      if (req.method === 'GET' && resources) return json(res, 200, { kind: 'APIResourceList', resources });
      const s: Seen = { method: req.method ?? '', path: url.pathname, query: url.searchParams, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      void Promise.resolve(handler(s, res, req)).then(
        (handled) => {
          if (handled === false) status(res, 404, 'NotFound', `${url.pathname} not found`);
        },
        (err: unknown) => status(res, 500, 'InternalError', String(err)),
      );
    });
  });
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeConfig = (opts: { ca?: Buffer | null } = {}): KubeConfig => {
    const kc = new KubeConfig();
    const ca = opts.ca === undefined ? CA : opts.ca;
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: url, ...(ca ? { caData: ca.toString('base64') } : {}), skipTLSVerify: false }],
      users: [{ name: 'tester', token: 'test-token' }],
      contexts: [{ name: 'test', cluster: 'test', user: 'tester', namespace: 'default' }],
      currentContext: 'test',
    });
    return kc;
  };
  return {
    server: url,
    https: server,
    seen,
    kubeConfig,
    client: (opts = {}) => {
      const { retries, ca, ...rest } = opts;
      return new RealKubeClient(kubeConfig(ca !== undefined ? { ca } : {}), retries ?? 4, rest);
    },
    kubeconfigFile: () => {
      const dir = mkdtempSync(join(tmpdir(), 'mesh-test-kubeconfig-'));
      const file = join(dir, 'config');
      writeFileSync(file, kubeConfig().exportConfig());
      return file;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
