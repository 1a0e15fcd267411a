/**
 * Port-forwarding through the API server to a pod's port: a local 127.0.0.1 listener whose each
 * connection is a WebSocket tunnel (`v4.channel.k8s.io`, the protocol `kubectl port-forward` speaks
 * over WebSockets) to the pod's `portforward` subresource.
 *
 * The tunnel is undici's WebSocket on the same dispatcher as every other API request (http.ts):
 * the kubeconfig's CA, client certificate and credentials, mesh's User-Agent, and the TLS code and
 * sessions that the API requests before it have already warmed. (It was client-node's PortForward,
 * on the `ws` package: a second TLS stack, whose first tunnel took about 200 ms to open here.)
 *
 * The protocol: every binary message starts with a channel byte, 0 for the data of the port and 1
 * for its error stream (the kubelet's dial failure, as text); the first message on each channel
 * carries the port number (2 bytes, little-endian) before any payload. What we send is channel 0.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { WebSocket, type MessageEvent } from 'undici';
import type { PortForwardHandle } from '../client.js';
import { KubeApiError } from '../client.js';
import type { ApiTransport } from './http.js';

export const PORT_FORWARD_PROTOCOL = 'v4.channel.k8s.io';
const DATA_CHANNEL = 0;
const ERROR_CHANNEL = 1;

export async function portForward(api: ApiTransport, namespace: string, pod: string, port: number): Promise<PortForwardHandle> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward`;
  const url = api.url(path, { ports: port });
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  const sockets = new Set<Socket>();
  const tunnels = new Set<WebSocket>();
  let lastError: string | undefined;

  /** Why a tunnel did not open: the WebSocket API hides the refused upgrade's status, so ask once more without upgrading. */
  const diagnose = async (fallback: string): Promise<string> => {
    try {
      await api.request({ method: 'GET', path, query: { ports: port }, target: `pods/portforward of ${namespace}/${pod}` });
      return fallback;
    } catch (err) {
      if (err instanceof KubeApiError) return `HTTP ${err.status}: ${err.message}`;
      return err instanceof Error ? err.message : fallback;
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    // Failures are kept in lastError for the caller; an unhandled 'error' event would crash the process.
    socket.on('error', () => undefined);
    let tunnel: WebSocket | undefined;
    socket.on('close', () => {
      sockets.delete(socket);
      if (tunnel !== undefined) {
        tunnels.delete(tunnel);
        tunnel.close();
      }
    });
    api.authorized().then(
      ({ dispatcher, headers }) => {
        if (socket.destroyed) return;
        const ws = new WebSocket(url, { protocols: [PORT_FORWARD_PROTOCOL], dispatcher, headers });
        tunnel = ws;
        tunnels.add(ws);
        ws.binaryType = 'arraybuffer';
        let opened = false;
        // The first message on each channel starts with the port number.
        const prefixed = [true, true];
        ws.addEventListener('open', () => {
          opened = true;
          // Read the local connection only now: what it sent so far waits in the socket.
          socket.on('data', (chunk: Buffer) => ws.send(Buffer.concat([Buffer.of(DATA_CHANNEL), chunk])));
          socket.on('end', () => ws.close());
        });
        ws.addEventListener('message', (event: MessageEvent) => {
          if (!(event.data instanceof ArrayBuffer) || event.data.byteLength === 0) return;
          let data = Buffer.from(event.data);
          const channel = data[0]!;
          data = data.subarray(1);
          if (channel !== DATA_CHANNEL && channel !== ERROR_CHANNEL) return;
          if (prefixed[channel]) {
            prefixed[channel] = false;
            data = data.subarray(2);
          }
          if (data.length === 0) return;
          if (channel === DATA_CHANNEL) {
            socket.write(data);
            return;
          }
          // The kubelet reports a failed dial (e.g. connection refused) on the error channel.
          const text = data.toString('utf8').trim();
          if (text !== '') {
            lastError = text;
            socket.destroy();
          }
        });
        ws.addEventListener('close', () => {
          tunnels.delete(ws);
          if (opened) {
            socket.end();
            return;
          }
          if (socket.destroyed) return;
          // Refused before it opened (a 403, a missing pod): find out why, then drop the local connection.
          void diagnose('the API server refused the port-forward').then((why) => {
            lastError = why;
            socket.destroy();
          });
        });
      },
      (err: unknown) => {
        lastError = err instanceof Error ? err.message : String(err);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const localPort = (server.address() as AddressInfo).port;
  return {
    localPort,
    lastError: () => lastError,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        for (const t of tunnels) t.close();
        server.close(() => resolve());
      }),
  };
}
