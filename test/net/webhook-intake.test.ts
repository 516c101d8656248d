/**
 * The webhook intake's body over real sockets: the GraphQL body limit (100 KiB) is not in front of
 * it, a large valid event is accepted, and a huge or endless body is refused at the intake's own
 * limit as it arrives, without being read to its end or buffered.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { createRestClient } from '../../src/rest/client.ts';
import type { StripeEvent } from '../../src/schema/subscriptions.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { type Listener, listen } from '../../src/server/listen.ts';
import { EVENTS_TOPIC } from '../../src/server/pubsub.ts';
import { STRIPE_API_VERSION } from '../../src/spec/stripe.ts';
import { signatureHeader } from '../../src/spec/webhook-signature.ts';
import { sharedSchema } from '../server/harness.ts';
import { rawRequest } from './abuse.ts';

const SECRET = 'whsec_intake_over_sockets';
const MB = 1024 * 1024;
let emulator: Emulator;
let gateway: Gateway;
let listener: Listener;

beforeAll(async () => {
  emulator = await createEmulator();
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    STRIPE_WEBHOOK_SECRET: SECRET,
    LOG_LEVEL: 'silent',
  });
  const { secretKey, ...restConfig } = config.rest;
  gateway = createGateway({
    config,
    schema: sharedSchema(),
    rest: (onRequest) => createRestClient({ ...restConfig, secretKey: secretKey!, onRequest }),
  });
  listener = await listen(gateway.yoga, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await listener.close(500);
  await gateway.close();
  await emulator.close();
});

function eventOf(id: string, padBytes: number): StripeEvent {
  return {
    id,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    type: 'customer.updated',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: 'cus_Large', object: 'customer', metadata: { pad: 'x'.repeat(padBytes) } } },
  };
}

/** Streams `totalBytes` of chunked body until the server answers; how much it had to send first. */
function streamUntilAnswered(
  headers: Record<string, string>,
  totalBytes: number,
): Promise<{ status: number; body: string; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const req = request(
      `${listener.origin}/webhooks/stripe`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, agent: false },
      (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body, sentBytes: sent });
        });
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.write('{"id":"evt_huge","object":"event","pad":"');
    pump();
  });
}

describe('webhook bodies', () => {
  it('accepts a valid 150 KB event, with Content-Length and chunked: the 100 KiB GraphQL limit is not in front', async () => {
    const published: string[] = [];
    const spy = gateway.live.shared.pubsub.subscribe(EVENTS_TOPIC);
    const collecting = (async () => {
      for await (const event of spy) {
        published.push(event.id);
        if (published.length === 2) break;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (const [id, chunked] of [
      ['evt_large_length', false],
      ['evt_large_chunked', true],
    ] as const) {
      const payload = JSON.stringify(eventOf(id, 150_000));
      expect(payload.length).toBeGreaterThan(150_000);
      const response = await rawRequest(listener.origin, {
        path: '/webhooks/stripe',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureHeader(SECRET, payload),
          ...(chunked ? {} : { 'content-length': String(Buffer.byteLength(payload)) }),
        },
        chunks: chunked ? [payload.slice(0, 70_000), payload.slice(70_000)] : [payload],
      });
      expect({ id, status: response.status, body: JSON.parse(response.body) }).toEqual({
        id,
        status: 200,
        body: { received: true },
      });
    }
    await collecting;
    expect(published).toEqual(['evt_large_length', 'evt_large_chunked']);
  });

  it('refuses a Content-Length over the intake’s limit with 413 before reading the body', async () => {
    const response = await rawRequest(listener.origin, {
      path: '/webhooks/stripe',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signatureHeader(SECRET, 'x'),
        'content-length': String(400 * MB),
      },
      chunks: [],
    }).catch((error: unknown) => ({ status: -1, body: String(error) }));
    expect(response.status).toBe(413);
  });

  it('refuses a chunked 400 MB body with a bad signature at 1 MiB, without buffering it', async () => {
    const before = process.memoryUsage.rss();
    const refused = await streamUntilAnswered(
      { 'stripe-signature': signatureHeader('whsec_someone_else', 'anything') },
      400 * MB,
    );
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    // Answered after the first MiB or so (socket buffers hold a few more), not after 400 MB.
    expect(refused.sentBytes).toBeLessThan(32 * MB);
    expect(process.memoryUsage.rss() - before).toBeLessThan(100 * MB);
    // A malformed signature header is refused before a byte of the body is read.
    const malformed = await streamUntilAnswered({ 'stripe-signature': 'garbage' }, 400 * MB);
    expect(malformed.status).toBe(400);
    expect(malformed.sentBytes).toBeLessThan(32 * MB);
  });
});
