/**
 * The listener: a node:http server around a request handler (the gateway's Yoga instance), with a
 * graceful close that stops accepting connections, lets in-flight requests finish (closing
 * keep-alive connections as they fall idle) and cuts what is left after a timeout. Open
 * connections (kept-alive, slow senders and WebSockets alike) are capped at `MAX_CONNECTIONS`: one
 * past it is answered 503 TOO_MANY_CONNECTIONS and closed before anything of it is parsed; headers
 * and whole requests have deadlines (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS), so a slow
 * sender holds its slot for a bounded time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { slot } from '../loaders/slot.ts';
import { DEFAULT_CHANNELS, DEFAULT_HTTP_LIMITS } from './config.ts';
import { fastPathOf, type NodeHandler } from './fast-path.ts';
import { refusalBody, transportOf } from './guards.ts';

export type { NodeHandler };

export interface ListenOptions {
  port: number;
  host: string;
  /** Time to receive a request's headers; default `DEFAULT_HTTP_LIMITS`, as the two below. */
  headersTimeoutMs?: number;
  /** Time to receive a whole request, headers and body; 408 past it. */
  requestTimeoutMs?: number;
  /** How long an idle kept-alive connection stays open. */
  keepAliveTimeoutMs?: number;
  /** Open connections at most; default the gateway's `MAX_CONNECTIONS` (or `DEFAULT_CHANNELS`). */
  maxConnections?: number;
}

export interface Listener {
  readonly server: Server;
  /** e.g. http://127.0.0.1:4000 */
  readonly origin: string;
  readonly port: number;
  /** Requests being served now. */
  readonly inFlight: number;
  /** Open connections now (WebSockets included). */
  readonly connections: number;
  /**
   * Stops accepting connections and resolves once in-flight requests have finished, or after
   * `timeoutMs` (their connections are then cut). Idempotent.
   */
  close(timeoutMs?: number): Promise<{ forced: boolean }>;
}

const IDLE_SWEEP_MS = 50;
/** How often Node checks connections against the header and request timeouts (its default is 30 s). */
const TIMEOUT_CHECK_MS = 250;

/** Sockets answered TOO_MANY_CONNECTIONS. */
const refused = slot<true>('refused connection');

const REFUSED = (() => {
  const body = JSON.stringify(
    refusalBody(
      'TOO_MANY_CONNECTIONS',
      'This server has as many open connections as it takes (MAX_CONNECTIONS): try again later',
    ),
  );
  return (
    'HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 1\r\n' +
    `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
})();

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
  // A gateway's Yoga instance comes with its fast path (src/server/fast-path.ts), which hands Yoga
  // whatever it does not serve.
  const serve = fastPathOf.get(handler) ?? handler;
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
      if (refused.get(req.socket)) {
        req.socket.destroy();
        return;
      }
      inFlight++;
      res.on('close', finished);
      // A request that arrives on a kept-alive connection during shutdown is the connection's last.
      if (closing) res.setHeader('connection', 'close');
      serve(req, res);
    },
  );

  const maxConnections =
    options.maxConnections ??
    transportOf.get(handler)?.channels.maxConnections ??
    DEFAULT_CHANNELS.maxConnections;
  let connections = 0;
  const closed = () => {
    connections--;
  };
  // Registered after node's own listener: a refused socket is answered and closed before a byte of
  // its request is parsed.
  server.on('connection', (socket: Socket) => {
    if (connections >= maxConnections) {
      // Half-open sockets keep reading: a request already on its way is dropped by the handler.
      refused.set(socket, true);
      socket.end(REFUSED, () => socket.destroy());
      return;
    }
    connections++;
    socket.once('close', closed);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  let shutdown: Promise<{ forced: boolean }> | undefined;
  return {
    server,
    origin: originOf(address),
    port: address.port,
    get inFlight() {
      return inFlight;
    },
    get connections() {
      return connections;
    },
    close(timeoutMs = 10_000) {
      shutdown ??= new Promise((resolve) => {
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
      return shutdown;
    },
  };
}
