// proxy-config's reads of a proxy's admin API through a port-forward (the in-memory client's
// port-forward leads to a local HTTP server standing in for Envoy's admin port).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { FakeKubeClient } from '../../../src/kube/fake.js';
import { readAdmin } from '../../../src/proxyconfig/collect.js';
import { USER_AGENT } from '../../../src/version.js';

test('the admin API request through the port-forward sends User-Agent mesh/<version>, as the API requests do', async () => {
  const agents: string[] = [];
  const server = createServer((req, res) => {
    agents.push(req.headers['user-agent'] ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"configs":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const kube = new FakeKubeClient([]);
    kube.portForwards.set('shop/web-1:15000', (server.address() as AddressInfo).port);
    const body = await readAdmin(kube, '/config_dump', {
      namespace: 'shop',
      pod: 'web-1',
      adminPort: 15000,
      timeoutMs: 5000,
      signal: new AbortController().signal,
    });
    assert.deepEqual(body, { configs: [] });
    assert.deepEqual(agents, [USER_AGENT]);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
