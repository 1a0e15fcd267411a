import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { json, apiStarter, type TestApi } from './api-server.js';

const start = apiStarter();
/** A server that accepts every request and never answers. */
const silent = (): Promise<TestApi> => start(() => new Promise<void>(() => undefined));
const ref = { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'app' };

test('a request the API server never answers fails after the request timeout, naming it', { timeout: 10_000 }, async () => {
  const api = await silent();
  const t0 = Date.now();
  await assert.rejects(
    api.client({ requestTimeoutMs: 300 }).get(ref),
    /get|Pod app\/web: the API server at https:\/\/127\.0\.0\.1:\d+ did not answer within 300ms \(--request-timeout\)/,
  );
  const took = Date.now() - t0;
  assert.ok(took < 3000, `took ${took}ms`);
  assert.equal(api.seen.length, 1, 'a timed-out request is not retried');
});

test('the default request timeout is 30 s', async () => {
  const { DEFAULT_REQUEST_TIMEOUT_MS } = await import('../../../src/kube/real.js');
  assert.equal(DEFAULT_REQUEST_TIMEOUT_MS, 30_000);
});

test("aborting the client's signal cancels the requests in flight at once", { timeout: 10_000 }, async () => {
  const api = await silent();
  const ac = new AbortController();
  const pending = api.client({ signal: ac.signal }).get(ref);
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(pending, /cancelled/);
});

test('a watch whose response never starts is cancelled by its signal, and its connection closed', { timeout: 10_000 }, async () => {
  let closed = false;
  const ac = new AbortController();
  const api = await start((req, _res, raw) => {
    if (req.query.get('watch') !== 'true') return json(_res, 200, { kind: 'PodList', metadata: { resourceVersion: '5' }, items: [] });
    raw.socket.on('close', () => (closed = true));
    // Cancelled once the watch is on the wire (a fixed delay raced the list on a loaded machine).
    setTimeout(() => ac.abort(), 100);
    return new Promise<void>(() => undefined);
  });
  await api.client().watch('v1', 'Pod', { namespace: 'app' }, () => false, ac.signal);
  for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(closed, true, 'the watch connection is still open');
});

test('a watch that goes silent after its headers is reconnected from the last resourceVersion', { timeout: 10_000 }, async () => {
  const watches: (string | null)[] = [];
  const api = await start((req, res) => {
    if (req.query.get('watch') !== 'true') return false;
    watches.push(req.query.get('resourceVersion'));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    if (watches.length === 1)
      res.write(JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'web', namespace: 'app', resourceVersion: '7' } } }) + '\n');
    if (watches.length === 3)
      res.write(
        JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'web', namespace: 'app', resourceVersion: '9' }, status: { phase: 'Running' } } }) +
          '\n',
      );
    return new Promise<void>(() => undefined); // and then nothing, not even a bookmark
  });
  const seen: string[] = [];
  await api.client({ watchIdleMs: 200 }).watch('v1', 'Pod', { namespace: 'app', resourceVersion: '5' }, (_type, o) => {
    seen.push(o.metadata.resourceVersion ?? '');
    return o['status'] !== undefined;
  });
  assert.deepEqual(seen, ['7', '9']);
  assert.deepEqual(watches, ['5', '7', '7']);
});

test('proxy-status --timeout ends the process in time against an API server that never answers', { timeout: 20_000 }, async () => {
  const api = await silent();
  const t0 = Date.now();
  const child = spawn(process.execPath, ['bin/mesh', 'proxy-status', '--timeout', '1s'], {
    env: { ...process.env, KUBECONFIG: api.kubeconfigFile(), NO_COLOR: '1', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killer);
  const took = Date.now() - t0;
  assert.equal(code, 1, `exit ${code} after ${took}ms: ${stderr}`);
  assert.match(stderr, /timed out after 1s while listing istiod pods in namespace istio-system \(--timeout\)/);
  assert.ok(took < 6000, `took ${took}ms`);
});

test('proxy-status --timeout ends the process in time when the port-forward to istiod never opens', { timeout: 20_000 }, async () => {
  const istiod = { metadata: { name: 'istiod-1', namespace: 'istio-system', labels: { app: 'istiod' } }, status: { phase: 'Running' } };
  const api = await start((req, res) => {
    if (req.method === 'GET' && req.path.endsWith('/pods'))
      return json(res, 200, { kind: 'PodList', metadata: {}, items: req.path.includes('istio-system') ? [istiod] : [] });
    if (req.method === 'POST' && req.path.endsWith('/token')) return json(res, 201, { status: { token: 'tok' } });
    return false;
  });
  let upgrades = 0;
  api.https.on('upgrade', () => upgrades++); // the WebSocket handshake is never answered
  const t0 = Date.now();
  const child = spawn(process.execPath, ['bin/mesh', 'proxy-status', '--timeout', '1s'], {
    env: { ...process.env, KUBECONFIG: api.kubeconfigFile(), NO_COLOR: '1', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killer);
  const took = Date.now() - t0;
  assert.equal(upgrades, 1, stderr);
  assert.equal(code, 1, `exit ${code} after ${took}ms: ${stderr}`);
  assert.match(stderr, /istiod istio-system\/istiod-1: no answer to GET \/debug\/syncz on port 15014 \(port-forward\) within 1s/);
  assert.ok(took < 6000, `took ${took}ms`);
});

test('a watch the server ends (timeoutSeconds) is resumed from the last resourceVersion; 410 Gone relists', { timeout: 10_000 }, async () => {
  const watches: (string | null)[] = [];
  let lists = 0;
  const api = await start((req, res) => {
    if (req.query.get('watch') !== 'true') {
      lists++;
      return json(res, 200, {
        kind: 'PodList',
        metadata: { resourceVersion: '20' },
        items: [{ metadata: { name: 'web', namespace: 'app', resourceVersion: '20' } }],
      });
    }
    watches.push(req.query.get('resourceVersion'));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const ev = (type: string, object: unknown): string => JSON.stringify({ type, object });
    if (watches.length === 1) return void res.end(ev('MODIFIED', { metadata: { name: 'web', namespace: 'app', resourceVersion: '11' } }) + '\n');
    if (watches.length === 2) return void res.end(ev('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }) + '\n');
    // No newline after the last event: it still counts.
    res.end(ev('MODIFIED', { metadata: { name: 'web', namespace: 'app', resourceVersion: '21' }, status: { phase: 'Running' } }));
  });
  const seen: string[] = [];
  await api.client().watch('v1', 'Pod', { namespace: 'app', resourceVersion: '10' }, (type, o) => {
    seen.push(`${type} ${o.metadata.resourceVersion ?? ''}`);
    return o['status'] !== undefined;
  });
  assert.deepEqual(watches, ['10', '11', '20']);
  assert.equal(lists, 1);
  assert.deepEqual(seen, ['MODIFIED 11', 'ADDED 20', 'MODIFIED 21']);
});
