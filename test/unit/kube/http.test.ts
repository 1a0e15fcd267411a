import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../../../src/kube/client.js';
import { RealKubeClient, USER_AGENT } from '../../../src/kube/real.js';
import { MESH_VERSION } from '../../../src/version.js';
import { CA, json, apiStarter, status, type TestApi } from './api-server.js';

const start = apiStarter();
const ref = { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'app' };
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'app' } };

/** Answers with headers and half of a Content-Length body, then resets the connection. */
function halfBody(res: import('node:http').ServerResponse): void {
  const text = JSON.stringify(pod);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(text.length) });
  res.write(text.slice(0, Math.floor(text.length / 2)));
  setTimeout(() => res.socket?.destroy(), 20);
}

test('a connection reset in the middle of a response body fails at once, not when the request timeout fires', { timeout: 20_000 }, async () => {
  const api = await start((req, res) => (req.method === 'GET' && req.path.endsWith('/pods/web') ? halfBody(res) : false));
  const t0 = Date.now();
  await assert.rejects(api.client({ retries: 0, requestTimeoutMs: 10_000 }).get(ref), (err: unknown) => {
    assert.ok(err instanceof KubeApiError);
    assert.match(err.message, /^get|Pod app\/web: cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(/);
    assert.doesNotMatch(err.message, /did not answer within/);
    assert.equal(err.afterLostResponse, true);
    return true;
  });
  const took = Date.now() - t0;
  assert.ok(took < 2000, `took ${took}ms (the request timeout is 10s)`);
});

test('a GET whose body was cut short is retried, and the retry succeeds well within the request timeout', { timeout: 20_000 }, async () => {
  let gets = 0;
  const api = await start((req, res) => {
    if (req.method !== 'GET' || !req.path.endsWith('/pods/web')) return false;
    if (++gets === 1) return halfBody(res);
    json(res, 200, pod);
  });
  const t0 = Date.now();
  const got = await api.client({ requestTimeoutMs: 10_000 }).get(ref);
  const took = Date.now() - t0;
  assert.equal(got?.metadata.name, 'web');
  assert.equal(gets, 2);
  assert.ok(took < 2000, `took ${took}ms (the request timeout is 10s)`);
});

test('a JSON patch whose answer was cut short is not retried (it may have been applied) and says so', { timeout: 20_000 }, async () => {
  let patches = 0;
  const api = await start((req, res) => {
    if (req.method !== 'PATCH') return false;
    patches++;
    halfBody(res);
  });
  const t0 = Date.now();
  await assert.rejects(
    api.client({ requestTimeoutMs: 10_000 }).patch(ref, [{ op: 'add', path: '/metadata/labels/x', value: 'y' }], 'json'),
    (err: unknown) => err instanceof KubeApiError && err.afterLostResponse,
  );
  assert.equal(patches, 1);
  assert.ok(Date.now() - t0 < 2000);
});

test('every request and watch sends User-Agent mesh/<version>', { timeout: 10_000 }, async () => {
  const agents: string[] = [];
  const api = await start((req, res, raw) => {
    agents.push(`${req.query.get('watch') === 'true' ? 'watch' : req.method} ${raw.headers['user-agent'] ?? 'none'}`);
    if (req.query.get('watch') === 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ type: 'ADDED', object: { ...pod, metadata: { ...pod.metadata, resourceVersion: '2' } } }) + '\n');
    }
    json(res, 200, req.method === 'GET' && req.path === '/api/v1/namespaces/app/pods' ? { items: [], metadata: { resourceVersion: '1' } } : pod);
  });
  const kube = api.client();
  await kube.get(ref);
  await kube.create(pod);
  await kube.apply(pod, { fieldManager: 'mesh' });
  await kube.delete(ref);
  await kube.watch('v1', 'Pod', { namespace: 'app' }, () => true);
  assert.equal(USER_AGENT, `mesh/${MESH_VERSION}`);
  const ua = `mesh/${MESH_VERSION}`;
  assert.deepEqual(agents, [`GET ${ua}`, `POST ${ua}`, `PATCH ${ua}`, `DELETE ${ua}`, `GET ${ua}`, `watch ${ua}`]);
});

test('Retry-After on a 503 is honoured before the retry', { timeout: 10_000 }, async () => {
  const at: number[] = [];
  const api = await start((req, res) => {
    if (req.method !== 'GET') return false;
    at.push(Date.now());
    if (at.length === 1) {
      res.setHeader('Retry-After', '1');
      return status(res, 503, 'ServiceUnavailable', 'starting');
    }
    json(res, 200, pod);
  });
  assert.equal((await api.client().get(ref))?.metadata.name, 'web');
  assert.equal(at.length, 2);
  const waited = at[1]! - at[0]!;
  assert.ok(waited >= 950 && waited < 3000, `waited ${waited}ms for Retry-After: 1`);
});

test('a 429 with Retry-After is asked again up to 10 times (as client-go), one without it 4 times like other failures', { timeout: 10_000 }, async () => {
  let gets = 0;
  let withRetryAfter = true;
  const api = await start((req, res) => {
    if (req.method !== 'GET') return false;
    gets++;
    if (gets <= 7) {
      if (withRetryAfter) res.setHeader('Retry-After', '0.01');
      return status(res, 429, 'TooManyRequests', 'slow down');
    }
    json(res, 200, pod);
  });
  assert.equal((await api.client().get(ref))?.metadata.name, 'web');
  assert.equal(gets, 8, 'seven 429s with Retry-After, then the answer');
  gets = 0;
  withRetryAfter = false;
  await assert.rejects(api.client().get(ref), (e: unknown) => e instanceof KubeApiError && e.status === 429);
  assert.equal(gets, 5, 'without Retry-After: the first attempt and 4 retries');
});

test('a 4xx other than 429 is never retried, even for a GET', async () => {
  const api = await start((_req, res) => status(res, 400, 'BadRequest', 'bad selector'));
  await assert.rejects(api.client().list('v1', 'Pod', { namespace: 'app', labelSelector: '!!' }), /bad selector/);
  assert.equal(api.seen.length, 1);
});

function kubeconfigFor(api: TestApi, cluster: { tlsServerName?: string; skipTLSVerify?: boolean; ca?: boolean }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'test',
        server: api.server,
        ...(cluster.ca !== false ? { caData: CA.toString('base64') } : {}),
        skipTLSVerify: cluster.skipTLSVerify ?? false,
        ...(cluster.tlsServerName !== undefined ? { tlsServerName: cluster.tlsServerName } : {}),
      },
    ],
    users: [{ name: 'tester', token: 'test-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'tester', namespace: 'default' }],
    currentContext: 'test',
  });
  return kc;
}

test("the kubeconfig's tls-server-name is the TLS server name, and is verified", { timeout: 10_000 }, async () => {
  const api = await start((_req, res) => json(res, 200, pod));
  const names: string[] = [];
  api.https.on('secureConnection', (s: TLSSocket) => names.push(String((s as TLSSocket & { servername?: string | false }).servername)));
  assert.equal((await new RealKubeClient(kubeconfigFor(api, { tlsServerName: 'localhost' }), 0).get(ref))?.metadata.name, 'web');
  assert.ok(names.length > 0);
  assert.deepEqual(new Set(names), new Set(['localhost']));
  // A name the certificate does not carry does not verify.
  await assert.rejects(
    new RealKubeClient(kubeconfigFor(api, { tlsServerName: 'elsewhere.example' }), 4).get(ref),
    /does not verify \(ERR_TLS_CERT_ALTNAME_INVALID/,
  );
});

test('insecure-skip-tls-verify does not turn verification off', { timeout: 10_000 }, async () => {
  const api = await start((_req, res) => json(res, 200, pod));
  await assert.rejects(new RealKubeClient(kubeconfigFor(api, { ca: false, skipTLSVerify: true }), 4).get(ref), /does not verify/);
  assert.equal(api.seen.length, 0);
});

test('the port-forward WebSocket sends User-Agent mesh/<version> and the bearer token too', { timeout: 10_000 }, async () => {
  const api = await start(() => false);
  const upgrade = new Promise<import('node:http').IncomingHttpHeaders>((resolve) =>
    api.https.on('upgrade', (req: import('node:http').IncomingMessage, socket: import('node:net').Socket) => {
      resolve(req.headers);
      socket.destroy();
    }),
  );
  const handle = await api.client().portForward('app', 'web', 8080);
  const { connect } = await import('node:net');
  const local = connect(handle.localPort, '127.0.0.1');
  local.on('error', () => undefined);
  const headers = await upgrade;
  local.destroy();
  await handle.close();
  assert.equal(headers['user-agent'], `mesh/${MESH_VERSION}`);
  assert.equal(headers.authorization, 'Bearer test-token');
});

test('a watch whose connection is reset in the middle of an event resumes from the last resourceVersion at once', { timeout: 10_000 }, async () => {
  const watches: (string | null)[] = [];
  const api = await start((req, res) => {
    if (req.query.get('watch') !== 'true') return false;
    watches.push(req.query.get('resourceVersion'));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const ev = (rv: string, extra: object = {}): string =>
      JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'web', namespace: 'app', resourceVersion: rv }, ...extra } });
    if (watches.length === 1) {
      res.write(ev('6') + '\n' + ev('7').slice(0, 20));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end(ev('8', { status: { phase: 'Running' } }) + '\n');
  });
  const seen: string[] = [];
  const t0 = Date.now();
  await api.client({ watchIdleMs: 5000, requestTimeoutMs: 5000 }).watch('v1', 'Pod', { namespace: 'app', resourceVersion: '5' }, (_type, o) => {
    seen.push(o.metadata.resourceVersion ?? '');
    return o['status'] !== undefined;
  });
  assert.deepEqual(seen, ['6', '8']);
  assert.deepEqual(watches, ['5', '6']);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0}ms (the watch idle limit is 5s)`);
});

/**
 * A stand-in for the API server's pods/portforward over WebSocket (v4.channel.k8s.io), as far as
 * the real one cannot be made to misbehave on demand: it sends each channel's port prefix, echoes
 * data back in upper case, or reports a dial failure on the error channel. The real API server
 * and kubelet (kwok) are the other side in the proxy-status, proxy-config and rbac e2e tests.
 */
function portForwardServer(api: TestApi, behaviour: 'echo' | 'refuse-dial'): Promise<import('node:http').IncomingHttpHeaders> {
  return new Promise((resolve) =>
    api.https.on('upgrade', (req: import('node:http').IncomingMessage, socket: import('node:net').Socket) => {
      resolve(req.headers);
      const accept = createHash('sha1')
        .update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n`,
      );
      const send = (payload: Buffer): void => {
        socket.write(Buffer.concat([Buffer.from([0x82, payload.length]), payload])); // short unmasked binary frames only
      };
      send(Buffer.from([0, 0x90, 0x1f])); // channel 0, port 8080 little-endian
      send(Buffer.from([1, 0x90, 0x1f])); // channel 1, port 8080
      if (behaviour === 'refuse-dial') {
        send(Buffer.concat([Buffer.from([1]), Buffer.from('dial tcp 127.0.0.1:8080: connect: connection refused')]));
        return;
      }
      socket.on('data', (frame: Buffer) => {
        // One masked client frame per chunk (short payloads): [0x82, 0x80|len, mask(4), payload].
        if ((frame[0]! & 0x0f) !== 2) return;
        const len = frame[1]! & 0x7f;
        const mask = frame.subarray(2, 6);
        const payload = Buffer.from(frame.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4]!));
        if (payload[0] !== 0) return;
        send(Buffer.concat([Buffer.from([0]), Buffer.from(payload.subarray(1).toString('utf8').toUpperCase())]));
      });
      socket.on('error', () => undefined);
    }),
  );
}

/** Connects to a port-forward's local port and waits until the tunnel side closes the connection. */
async function connectUntilClosed(port: number): Promise<void> {
  const { connect } = await import('node:net');
  const local = connect(port, '127.0.0.1');
  local.on('error', () => undefined);
  await new Promise<void>((resolve) => local.once('close', () => resolve()));
}

test('port-forward: bytes go through the tunnel on channel 0 both ways, without the port prefixes', { timeout: 10_000 }, async () => {
  const api = await start(() => false);
  const upgraded = portForwardServer(api, 'echo');
  const handle = await api.client().portForward('app', 'web', 8080);
  const { connect } = await import('node:net');
  const local = connect(handle.localPort, '127.0.0.1');
  local.write('hello');
  const got = await new Promise<string>((resolve) => local.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
  const headers = await upgraded;
  local.destroy();
  await handle.close();
  assert.equal(got, 'HELLO');
  assert.equal(headers['sec-websocket-protocol'], 'v4.channel.k8s.io');
  assert.equal(handle.lastError?.(), undefined);
});

test("port-forward: the kubelet's dial error (channel 1) closes the local connection and is kept as lastError", { timeout: 10_000 }, async () => {
  const api = await start(() => false);
  void portForwardServer(api, 'refuse-dial');
  const handle = await api.client().portForward('app', 'web', 8080);
  await connectUntilClosed(handle.localPort);
  await handle.close();
  assert.match(handle.lastError?.() ?? '', /connection refused/);
});

test('port-forward: a refused upgrade (403) is named in lastError, with the RBAC the API server reports', { timeout: 10_000 }, async () => {
  const api = await start((req, res) =>
    req.path.endsWith('/portforward') ? status(res, 403, 'Forbidden', 'pods "web" is forbidden: User "dev" cannot create resource "pods/portforward"') : false,
  );
  api.https.on('upgrade', (_req: import('node:http').IncomingMessage, socket: import('node:net').Socket) => {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  });
  const handle = await api.client().portForward('app', 'web', 8080);
  await connectUntilClosed(handle.localPort);
  await handle.close();
  assert.match(handle.lastError?.() ?? '', /\b403\b/);
});
