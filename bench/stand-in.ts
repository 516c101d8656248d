/**
 * A fast local Stripe for the throughput benchmark (bench/throughput.ts): the in-repo emulator,
 * with a replay cache in front of it. The first GET of a URL (per key and Stripe-Account) goes to
 * the emulator; its answer is kept and every later identical GET is answered from memory, so the
 * stand-in costs a fraction of what the gateway costs per request and the gateway stays the
 * bottleneck. Writes (POST, DELETE) always reach the emulator and empty the cache.
 *
 * Run in a process of its own (`node --import tsx bench/stand-in.ts`); prints one JSON line,
 * `{"url": …, "key": …}`, once it listens.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { createEmulator } from '../src/emulator/server.ts';

interface Canned {
  status: number;
  body: Buffer;
  requestId: string | undefined;
}

const FORWARDED = ['authorization', 'stripe-account', 'stripe-version', 'content-type', 'idempotency-key'];

async function bodyOf(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? Buffer.concat(chunks) : undefined;
}

const emulator = await createEmulator({ faults: {} });
const cache = new Map<string, Canned>();

const server = createServer((request, response) => {
  const key = `${request.method} ${request.url} ${request.headers.authorization} ${request.headers['stripe-account']}`;
  const reply = ({ status, body, requestId }: Canned) => {
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': body.length,
      ...(requestId ? { 'request-id': requestId } : {}),
    });
    response.end(body);
  };
  const hit = request.method === 'GET' ? cache.get(key) : undefined;
  if (hit) {
    reply(hit);
    return;
  }
  (async () => {
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const body = await bodyOf(request);
    const upstream = await fetch(`${emulator.url}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      ...(body ? { body: new Uint8Array(body) } : {}),
    });
    const canned: Canned = {
      status: upstream.status,
      body: Buffer.from(await upstream.arrayBuffer()),
      requestId: upstream.headers.get('request-id') ?? undefined,
    };
    if (request.method === 'GET' && upstream.status === 200) cache.set(key, canned);
    else if (request.method !== 'GET') cache.clear();
    reply(canned);
  })().catch((error: unknown) => {
    response.writeHead(502, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as { port: number };
console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, key: emulator.key }));

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  emulator.close().then(() => process.exit(0));
});
