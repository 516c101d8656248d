/**
 * A misbehaving Stripe through GraphQL: a stand-in upstream whose answers on one path trickle in
 * forever, and whose answers on another are endless. A query on a third path still answers while
 * the trickling path holds its share of the slots; a call that waits past STRIPE_QUEUE_TIMEOUT_MS
 * is STRIPE_QUEUE_TIMEOUT; an endless answer is STRIPE_RESPONSE_TOO_LARGE once it passes
 * STRIPE_MAX_RESPONSE_BYTES.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers.ts';
import { type Harness, startHarness } from '../server/harness.ts';

const trickling = new Set<ServerResponse>();
let endlessWritten = 0;
let endlessClosed: Promise<void> | undefined;
const upstream = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
  if (path.startsWith('/v1/charges/')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(' ');
    trickling.add(res);
    res.on('close', () => trickling.delete(res));
  } else if (path === '/v1/customers/cus_endless') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"id":"cus_endless","object":"customer","description":"');
    endlessClosed = new Promise((resolve) => res.once('close', () => resolve()));
    const chunk = 'x'.repeat(16 * 1024);
    const pump = () => {
      while (!res.destroyed && endlessWritten < 256 * 1024 * 1024) {
        endlessWritten += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  } else if (path.startsWith('/v1/customers/')) {
    const body = JSON.stringify({ id: path.split('/').pop(), object: 'customer', email: 'fast@example.com' });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"type":"invalid_request_error","message":"No such thing"}}');
  }
});

let h: Harness;
beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  h = await startHarness({
    STRIPE_API_BASE: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    STRIPE_MAX_CONCURRENCY: '4',
    STRIPE_QUEUE_TIMEOUT_MS: '400',
    STRIPE_MAX_RESPONSE_BYTES: '65536',
  });
});
afterAll(async () => {
  for (const res of trickling) res.destroy();
  await h.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

describe('a misbehaving Stripe', () => {
  it('a path whose answers trickle holds 3 of 4 slots: another path answers, the queued time out', async () => {
    const slow = Array.from({ length: 6 }, (_, i) => h.query(`{ charge(id: "ch_slow${i}") { id } }`));
    await until(() => trickling.size === 3);
    const fast = await h.query('{ customer(id: "cus_fast") { ... on Customer { id email } } }');
    expect(fast.body.errors).toBeUndefined();
    expect(fast.body.data).toEqual({ customer: { id: 'cus_fast', email: 'fast@example.com' } });
    // The three that found no slot gave up after STRIPE_QUEUE_TIMEOUT_MS, having sent nothing.
    const settled = await Promise.race([
      Promise.all(slow.slice(3)),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
    ]);
    expect(settled).not.toBe('still waiting');
    for (const response of settled as Awaited<(typeof slow)[number]>[]) {
      expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['STRIPE_QUEUE_TIMEOUT']);
    }
    expect(trickling.size).toBe(3);
    for (const res of trickling) res.destroy();
    await Promise.all(slow);
  });

  it('an endless answer is STRIPE_RESPONSE_TOO_LARGE as it passes the bound, and is cut off', async () => {
    const response = await h.query('{ customer(id: "cus_endless") { ... on Customer { id } } }');
    expect(response.body.data).toEqual({ customer: null });
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['STRIPE_RESPONSE_TOO_LARGE']);
    // The gateway hung up: the stand-in's response closed far short of its 256 MB.
    await endlessClosed;
    expect(endlessWritten).toBeLessThan(16 * 1024 * 1024);
  });
});
