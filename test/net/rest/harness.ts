/** Local HTTP servers on port 0 for the REST client tests. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect } from 'vitest';
import { StripeRestClient } from '../../../src/rest/client.ts';
import { StripeError } from '../../../src/rest/errors.ts';

export interface Captured {
  readonly method: string;
  /** Path and query exactly as sent on the request line. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  captured: Captured,
  index: number,
) => void | Promise<void>;

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly requests: Captured[];
  readonly server: Server;
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const captured: Captured = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.push(captured) - 1;
      Promise.resolve(handler(req, res, captured, index)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'request-id': 'req_test',
    ...headers,
  });
  res.end(text);
}

/** Resolves when the server side of the request's socket has closed. */
export function socketClosed(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.socket.destroyed) resolve();
    else req.socket.once('close', () => resolve());
  });
}

export const TEST_KEY = 'sk_test_51HarnessSecretKeyValue';

/** Tiny backoff so retry tests run in milliseconds. */
export const FAST_RETRIES = { initialRetryDelayMs: 1, maxRetryDelayMs: 20 } as const;

type ClientOptions = Partial<ConstructorParameters<typeof StripeRestClient>[0]>;

/**
 * Servers and REST clients for one test file, closed after each test; clients talk to the server
 * given, with `defaults` under each call's own options.
 */
export function perTest(defaults: ClientOptions = {}) {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    /** Runs `cleanup` after the test (before the servers and clients made earlier are closed). */
    defer(cleanup: () => Promise<void>): void {
      cleanups.push(cleanup);
    },
    async server(handler: Handler): Promise<TestServer> {
      const started = await startServer(handler);
      cleanups.push(() => started.close());
      return started;
    },
    client(srv: { url: string }, options: ClientOptions = {}): StripeRestClient {
      const created = new StripeRestClient({
        secretKey: TEST_KEY,
        apiBase: srv.url,
        ...defaults,
        ...options,
      });
      cleanups.push(() => created.close());
      return created;
    },
  };
}

/** The StripeError a call rejects with (fails the test if it resolves or throws anything else). */
export async function rejection(promise: Promise<unknown>): Promise<StripeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StripeError);
  return error as StripeError;
}
