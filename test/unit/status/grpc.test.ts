import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createSecureServer, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { xdsDebugCall } from '../../../src/status/grpc.js';
import { grpcFrame } from '../../../src/status/xds.js';

const tls = (f: string): Buffer => readFileSync(new URL(`../../fixtures/tls/${f}`, import.meta.url));

/** DiscoveryResponse with versionInfo (field 1) of `size` bytes: one large answer, as 1,000 proxies' syncz is. */
function bigResponse(size: number): Uint8Array {
  const len: number[] = [];
  for (let n = size; ; n >>>= 7) {
    if (n < 0x80) {
      len.push(n);
      break;
    }
    len.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([0x0a, ...len]), Buffer.alloc(size, 0x61)]);
}

// A stand-in for istiod's 15012 only for what the real istiod (test/e2e/proxy-status.e2e.test.ts)
// cannot show directly: the HTTP/2 settings the client sends.
test(
  'xDS debug call: the client opens large HTTP/2 flow-control windows, so a big answer through a port-forward needs no window round trips',
  { timeout: 10_000 },
  async () => {
    let clientWindow: number | undefined;
    const server = createSecureServer({ key: tls('server.key'), cert: tls('server.crt'), allowHTTP1: false });
    const sessions = new Set<Http2Session>();
    server.on('session', (s) => sessions.add(s));
    server.on('stream', (stream) => {
      clientWindow = stream.session?.remoteSettings.initialWindowSize;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.write(grpcFrame(bigResponse(2 * 1024 * 1024)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const body = await xdsDebugCall(
        { typeUrl: 'istio.io/debug/syncz', nodeId: 'n', metadata: {} },
        { port, ca: tls('ca.crt').toString('utf8'), servername: 'localhost', token: 't', signal: AbortSignal.timeout(8000) },
      );
      assert.equal((body['versionInfo'] as string).length, 2 * 1024 * 1024);
      assert.ok((clientWindow ?? 0) >= 4 * 1024 * 1024, `initial window ${clientWindow}`);
    } finally {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  },
);
