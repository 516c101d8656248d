/**
 * `createEmulator()`: the emulator on a node:http socket (127.0.0.1, port 0 by default), with the
 * service's controls (`reset`, `stats`, `setFaults`) and a few control endpoints for processes that
 * only see the socket (`GET /_emulator/stats`, `POST /_emulator/reset`, `POST /_emulator/faults`
 * with a JSON body, `POST /_emulator/stats/reset`, `POST /_emulator/climate/orders/<id>/deliver`);
 * they need no key and bypass fault injection. Time passes for the objects on no test clock before
 * each request (service.ts `catchUp`) and, on a listening emulator, on a timer between requests.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from './engine/store.ts';
import { hostedPage, isHostedPath } from './hosted/index.ts';
import { deliverOrder, ORDER } from './rules/climate.ts';
import {
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
  EmulatorService,
  fetchThrough,
} from './service.ts';
import type { Faults } from './transport/faults.ts';
import type { EmulatorStats } from './transport/stats.ts';
import { WebhookDispatcher, type WebhookOptions } from './transport/webhooks.ts';

export interface EmulatorServerOptions extends EmulatorOptions {
  /** default 0: a free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** webhook delivery to the endpoints created through the API (on by default) */
  webhooks?: WebhookOptions;
  /**
   * default true; false: no socket, `url` is `IN_PROCESS_URL` and the emulator answers through
   * `fetch` (and `new EmulatorDispatcher(emulator.service)` for the REST client) only
   */
  listen?: boolean;
  /**
   * How often a listening emulator plays the time that passed with no request (default 60 000 ms),
   * so that a renewal's or a payout's webhooks go out about when it happens; 0: only before requests.
   */
  catchUpEveryMs?: number;
}

/** By default a listening emulator plays the time that passed once a minute between requests. */
const CATCH_UP_EVERY_MS = 60_000;

/**
 * Plays the time between requests on a timer that does not hold the process open (a failure is
 * a warning, `EmulatorService.catchUp`).
 */
function catchUpTimer(service: EmulatorService, everyMs: number): () => void {
  if (everyMs <= 0) return () => {};
  const timer = setInterval(() => service.catchUpNow(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export interface Emulator {
  /** `http://127.0.0.1:<port>`: the API base to point a client at (`IN_PROCESS_URL` without a socket) */
  readonly url: string;
  /** a key the emulator accepts (any `sk_test_…`/`rk_test_…` key does, unless `apiKeys` was given) */
  readonly key: string;
  readonly port: number;
  readonly store: Store;
  readonly service: EmulatorService;
  /** clears all state and reloads the demo dataset */
  reset(): void;
  stats(): EmulatorStats;
  resetStats(): void;
  setFaults(faults: Faults): void;
  /** delivers committed events to webhook endpoints; its `attempts` log what happened */
  readonly webhooks: WebhookDispatcher;
  /** in-process requests without the socket: the API, hosted pages and control endpoints */
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
}

/** Request bodies larger than this are refused (Stripe's file uploads are capped near this). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 0 ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const json = (status: number, body: unknown): EmulatorResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

function control(service: EmulatorService, method: string, path: string, body: string): EmulatorResponse {
  if (method === 'GET' && path === '/_emulator/stats') return json(200, service.stats());
  if (method === 'POST' && path === '/_emulator/stats/reset') {
    service.resetStats();
    return json(200, service.stats());
  }
  if (method === 'POST' && path === '/_emulator/reset') {
    service.reset();
    return json(200, { reset: true });
  }
  const deliver = /^\/_emulator\/climate\/orders\/([^/]+)\/deliver$/.exec(path);
  if (method === 'POST' && deliver) {
    try {
      // Stripe's suppliers deliver orders; no API does, so this plays them (rules/climate.ts).
      const order = service.transaction((ctx) => deliverOrder(ctx, ctx.require(deliver[1]!, [ORDER])));
      return json(200, order.data);
    } catch (error) {
      return json((error as { status?: number }).status ?? 500, { error: (error as Error).message });
    }
  }
  if (path === '/_emulator/faults') {
    if (method === 'POST') {
      try {
        service.setFaults(JSON.parse(body || '{}') as Faults);
      } catch {
        return json(400, { error: 'the body must be a JSON object of faults' });
      }
    }
    return json(200, service.faults());
  }
  return json(404, { error: `unknown control endpoint ${method} ${path}` });
}

/** One request: a control endpoint, a hosted page or the API. */
function answer(
  service: EmulatorService,
  request: EmulatorRequest,
): Promise<EmulatorResponse> | EmulatorResponse {
  const { method, url, body } = request;
  const path = url.split('?')[0]!;
  const form = () => (typeof body === 'string' ? body : (body?.toString('utf8') ?? ''));
  if (url.startsWith('/_emulator/')) return control(service, method, path, form());
  if (isHostedPath(url))
    return (
      hostedPage(service, method, path, new URLSearchParams(form())) ??
      json(404, { error: `no page at ${url}` })
    );
  return service.handle(request);
}

/** The origin of an emulator without a socket (`listen: false`): it names no host that resolves. */
export const IN_PROCESS_URL = 'http://emulator.invalid';

export async function createEmulator(options: EmulatorServerOptions = {}): Promise<Emulator> {
  // The service is made once the server's URL is known, so the demo data's hosted links (invoice
  // pages, receipts, files) point at this emulator from the start, as they do after a reset.
  let service!: EmulatorService;
  const emulator = (url: string, port: number, close: () => Promise<void>): Emulator => {
    service = new EmulatorService({ ...options, publicUrl: url });
    const webhooks = new WebhookDispatcher(service, options.webhooks);
    return {
      url,
      key: options.apiKeys?.[0] ?? service.defaultKey,
      port,
      store: service.store,
      service,
      reset: () => service.reset(),
      stats: () => service.stats(),
      resetStats: () => service.resetStats(),
      setFaults: (faults) => service.setFaults(faults),
      webhooks,
      fetch: (request) => fetchThrough(async (decoded) => answer(service, decoded), request),
      close: () => {
        webhooks.close();
        return close();
      },
    };
  };
  if (options.listen === false) return emulator(IN_PROCESS_URL, 0, () => Promise.resolve());
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    readBody(req)
      .then((body) => {
        const headers: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(req.headers))
          headers[name] = Array.isArray(value) ? value.join(', ') : value;
        return answer(service, { method, url, headers, ...(body ? { body } : {}) });
      })
      .then((answered) => {
        if (answered.drop) {
          req.socket.destroy();
          return;
        }
        res.writeHead(answered.status, answered.headers);
        res.end(answered.body);
      })
      .catch((error: Error) => {
        if (!res.headersSent) sendJson(res, 500, { error: { type: 'api_error', message: error.message } });
        else res.destroy();
      });
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let stopTimer = () => {};
  const listening = emulator(
    `http://${urlHost}:${port}`,
    port,
    () =>
      new Promise<void>((resolve, reject) => {
        stopTimer();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  );
  // In-process emulators (tests) play the time before requests only: nothing moves between them.
  stopTimer = catchUpTimer(service, options.catchUpEveryMs ?? CATCH_UP_EVERY_MS);
  return listening;
}
