/**
 * `createEmulator()`: the emulator on a node:http socket (127.0.0.1, port 0 by default), with the
 * service's controls (`reset`, `stats`, `setFaults`) and a few control endpoints for processes that
 * only see the socket (`GET /_emulator/stats`, `POST /_emulator/reset`, `POST /_emulator/faults`
 * with a JSON body, `POST /_emulator/stats/reset`, `POST /_emulator/climate/orders/<id>/deliver`);
 * they need no key and bypass fault injection.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from './engine/store.ts';
import { hostedPage, isHostedPath } from './hosted/index.ts';
import { deliverOrder, ORDER } from './rules/climate.ts';
import { type EmulatorOptions, EmulatorService } from './service.ts';
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
}

export interface Emulator {
  /** `http://127.0.0.1:<port>`: the API base to point a client at */
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
  /** in-process requests without the socket */
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

async function control(
  service: EmulatorService,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const body = await readBody(req);
  if (req.method === 'GET' && path === '/_emulator/stats') return sendJson(res, 200, service.stats());
  if (req.method === 'POST' && path === '/_emulator/stats/reset') {
    service.resetStats();
    return sendJson(res, 200, service.stats());
  }
  if (req.method === 'POST' && path === '/_emulator/reset') {
    service.reset();
    return sendJson(res, 200, { reset: true });
  }
  const deliver = /^\/_emulator\/climate\/orders\/([^/]+)\/deliver$/.exec(path);
  if (req.method === 'POST' && deliver) {
    try {
      // Stripe's suppliers deliver orders; no API does, so this plays them (rules/climate.ts).
      const order = service.transaction((ctx) => deliverOrder(ctx, ctx.require(deliver[1]!, [ORDER])));
      return sendJson(res, 200, order.data);
    } catch (error) {
      return sendJson(res, (error as { status?: number }).status ?? 500, { error: (error as Error).message });
    }
  }
  if (path === '/_emulator/faults') {
    if (req.method === 'POST') {
      try {
        service.setFaults(JSON.parse(body?.toString('utf8') || '{}') as Faults);
      } catch {
        return sendJson(res, 400, { error: 'the body must be a JSON object of faults' });
      }
    }
    return sendJson(res, 200, service.faults());
  }
  sendJson(res, 404, { error: `unknown control endpoint ${req.method} ${path}` });
}

export async function createEmulator(options: EmulatorServerOptions = {}): Promise<Emulator> {
  const service = new EmulatorService(options);
  const webhooks = new WebhookDispatcher(service, options.webhooks);
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/_emulator/')) {
      control(service, req, res, url.split('?')[0]!).catch((error: Error) =>
        sendJson(res, 500, { error: error.message }),
      );
      return;
    }
    if (isHostedPath(url)) {
      readBody(req)
        .then((body) => {
          const page = hostedPage(
            service,
            req.method ?? 'GET',
            url.split('?')[0]!,
            new URLSearchParams(body ? body.toString('utf8') : ''),
          );
          if (!page) return sendJson(res, 404, { error: `no page at ${url}` });
          res.writeHead(page.status, page.headers);
          res.end(page.body);
        })
        .catch((error: Error) => sendJson(res, 500, { error: error.message }));
      return;
    }
    readBody(req)
      .then((body) => {
        const headers: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(req.headers))
          headers[name] = Array.isArray(value) ? value.join(', ') : value;
        return service.handle({ method: req.method ?? 'GET', url, headers, ...(body ? { body } : {}) });
      })
      .then((response) => {
        if (response.drop) {
          req.socket.destroy();
          return;
        }
        res.writeHead(response.status, response.headers);
        res.end(response.body);
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
  service.publicUrl = `http://${urlHost}:${port}`;
  return {
    url: `http://${urlHost}:${port}`,
    key: options.apiKeys?.[0] ?? service.defaultKey,
    port,
    store: service.store,
    service,
    reset: () => service.reset(),
    stats: () => service.stats(),
    resetStats: () => service.resetStats(),
    setFaults: (faults) => service.setFaults(faults),
    webhooks,
    fetch: (request) => service.fetch(request),
    close: () =>
      new Promise<void>((resolve, reject) => {
        webhooks.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
