/**
 * The listener: a node:http server around a request handler (the gateway's Yoga instance), with a
 * graceful close that stops accepting connections, lets in-flight requests finish (closing
 * keep-alive connections as they fall idle) and cuts what is left after a timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_HTTP_LIMITS } from './config.ts';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface ListenOptions {
  port: number;
  host: string;
  /** Time to receive a request's headers; default `DEFAULT_HTTP_LIMITS`, as the two below. */
  headersTimeoutMs?: number;
  /** Time to receive a whole request, headers and body; 408 past it. */
  requestTimeoutMs?: number;
  /** How long an idle kept-alive connection stays open. */
  keepAliveTimeoutMs?: number;
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
/** How often Node checks connections against the header and request timeouts (its default is 30 s). */
const TIMEOUT_CHECK_MS = 250;

function originOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `http://${shown}:${address.port}`;
}

export async function listen(handler: NodeHandler, options: ListenOptions): Promise<Listener> {
  let inFlight = 0;
  let closing = false;
  // One handler for every response (a response closes once): no closure per request.
  const finished = () => {
    inFlight--;
  };
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_HTTP_LIMITS.requestTimeoutMs;
  const server = createServer(
    {
      // Node requires headersTimeout <= requestTimeout.
      headersTimeout: Math.min(
        options.headersTimeoutMs ?? DEFAULT_HTTP_LIMITS.headersTimeoutMs,
        requestTimeout,
      ),
      requestTimeout,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    },
    (req, res) => {
      inFlight++;
      res.on('close', finished);
      // A request that arrives on a kept-alive connection during shutdown is the connection's last.
      if (closing) res.setHeader('connection', 'close');
      handler(req, res);
    },
  );

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
