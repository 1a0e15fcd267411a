/**
 * Port-forwarding through the API server to a pod's port: a local 127.0.0.1 listener whose each
 * connection is a WebSocket tunnel opened by client-node's PortForward (which takes its TLS and
 * credentials from the kubeconfig; mesh adds its User-Agent).
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { type KubeConfig, PortForward } from '@kubernetes/client-node';
import type { PortForwardHandle } from '../client.js';
import { USER_AGENT } from './http.js';

export async function portForward(kc: KubeConfig, namespace: string, pod: string, port: number): Promise<PortForwardHandle> {
  const forwarder = new PortForward(withUserAgent(kc));
  const sockets = new Set<Socket>();
  const tunnels = new Set<{ close(): void }>();
  let lastError: string | undefined;
  const server = createServer((socket) => {
    sockets.add(socket);
    let tunnel: TunnelSocket | undefined;
    // The kubelet reports a failed dial (e.g. connection refused) on the error stream.
    const errors = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        const text = chunk.toString('utf8').trim();
        if (text !== '') {
          lastError = text;
          socket.destroy();
        }
        callback();
      },
    });
    // Failures are kept in lastError for the caller; an unhandled 'error' event would crash the process.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      if (tunnel) {
        tunnels.delete(tunnel);
        tunnel.close();
      }
    });
    forwarder
      .portForward(namespace, pod, [port], socket, errors, socket)
      .then((ws) => {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- ws is typed by @types/ws, which is not installed (so the linter sees an error type); TunnelSocket names what we use of it
        tunnel = ws as unknown as TunnelSocket;
        tunnels.add(tunnel);
        if (socket.destroyed) tunnel.close();
        else tunnel.addEventListener?.('close', () => socket.end());
      })
      .catch((err: unknown) => {
        lastError = describeTunnelError(err);
        socket.destroy();
      });
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

/** The kubeconfig, with mesh's User-Agent added to the options client-node opens the WebSocket with. */
function withUserAgent(kc: KubeConfig): KubeConfig {
  const wrapped = Object.create(kc) as KubeConfig;
  wrapped.applyToHTTPSOptions = async (opts) => {
    await kc.applyToHTTPSOptions(opts);
    const o = opts as { headers?: Record<string, unknown> };
    o.headers = { ...(o.headers ?? {}), 'User-Agent': USER_AGENT };
  };
  return wrapped;
}

/**
 * What went wrong opening a port-forward tunnel: client-node rejects with an Error, a WebSocket
 * ErrorEvent (whose `error`/`message` say it) or the refused upgrade's status.
 */
export function describeTunnelError(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as { message?: unknown; error?: unknown; type?: unknown; statusCode?: unknown; status?: unknown };
  if (e.error instanceof Error) return e.error.message;
  if (typeof e.message === 'string' && e.message !== '') return e.message;
  const code = e.statusCode ?? e.status;
  if (typeof code === 'number') return `HTTP ${code}`;
  try {
    return JSON.stringify(err).slice(0, 200);
  } catch {
    return typeof e.type === 'string' ? e.type : 'unknown error';
  }
}

/** The WebSocket client-node's PortForward returns, as far as we use it. */
interface TunnelSocket {
  close(): void;
  addEventListener?: (event: 'close', listener: () => void) => void;
}
