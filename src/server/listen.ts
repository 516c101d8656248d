/**
 * The listener: a node:http server around a request handler (the gateway's Yoga instance), with a
 * graceful close that stops accepting connections, lets in-flight requests finish (closing
 * keep-alive connections as they fall idle) and cuts what is left after a timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface ListenOptions {
  port: number;
  host: string;
}

export interface Listener {
  readonly server: Server;
  /** e.g. http://127.0.0.1:4000 */
  readonly origin: string;
  readonly port: number;
  /** Requests being served now. */
  readonly inFlight: number;
  /**
   * Stops accepting connections and resolves once in-flight requests have finished, or after
   * `timeoutMs` (their connections are then cut). Idempotent.
   */
  close(timeoutMs?: number): Promise<{ forced: boolean }>;
}

const IDLE_SWEEP_MS = 50;

function originOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `http://${shown}:${address.port}`;
}

export async function listen(handler: NodeHandler, options: ListenOptions): Promise<Listener> {
  let inFlight = 0;
  let closing = false;
  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
    });
    // A request that arrives on a kept-alive connection during shutdown is the connection's last.
    if (closing) res.setHeader('connection', 'close');
    handler(req, res);
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  let closed: Promise<{ forced: boolean }> | undefined;
  return {
    server,
    origin: originOf(address),
    port: address.port,
    get inFlight() {
      return inFlight;
    },
    close(timeoutMs = 10_000) {
      closed ??= new Promise((resolve) => {
        closing = true;
        let forced = false;
        const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
        const deadline = setTimeout(() => {
          forced = true;
          server.closeAllConnections();
        }, timeoutMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(deadline);
          resolve({ forced });
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
