/**
 * A client that disconnects cancels every Stripe call its request has in flight, and its request
 * starts no new one. The gateway does not check the abort signal between fields (Yoga's execution
 * cancellation is off, for speed); the cancellation travels through the upstream sessions' signal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { createRestClient, type RequestEvent } from '../../src/rest/client.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { type Listener, listen } from '../../src/server/listen.ts';

const LATENCY_MS = 400;

let emulator: Emulator;
let gateway: Gateway;
let listener: Listener;
const calls: RequestEvent[] = [];

beforeAll(async () => {
  emulator = await createEmulator({ faults: { latencyMs: LATENCY_MS } });
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    LOG_LEVEL: 'silent',
  });
  gateway = createGateway({
    config,
    rest: (onRequest) =>
      createRestClient({
        secretKey: emulator.key,
        apiBase: emulator.url,
        onRequest: [onRequest, (event) => calls.push(event)],
      }),
  });
  listener = await listen(gateway.yoga, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await listener.close(1000);
  await gateway.close();
  await emulator.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a client disconnect', () => {
  it('aborts every upstream call in flight, and no field below them calls Stripe', async () => {
    // Five calls side by side: two retrieves, each customer's invoices (their ids are in the query:
    // prefetched, src/schema/prefetch.ts) and a list.
    const query = `{
      a: customer(id: "${SEED.jenny.customer}") { email invoices(first: 3) { nodes { id } } }
      b: customer(id: "${SEED.ada.customer}") { email invoices(first: 3) { nodes { id } } }
      c: charges(first: 3) { nodes { id } }
    }`;
    calls.length = 0;
    emulator.resetStats();
    const controller = new AbortController();
    const request = fetch(`${listener.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    });
    await sleep(LATENCY_MS / 3);
    controller.abort();
    await expect(request).rejects.toThrow();
    // Long enough for the calls the request would have made next, had it gone on.
    await sleep(LATENCY_MS * 3);

    expect(calls.map((c) => [c.method, c.pathTemplate]).sort()).toEqual([
      ['GET', '/v1/charges'],
      ['GET', '/v1/customers/{customer}'],
      ['GET', '/v1/customers/{customer}'],
      ['GET', '/v1/invoices'],
      ['GET', '/v1/invoices'],
    ]);
    expect(calls.map((c) => c.error?.kind)).toEqual(['aborted', 'aborted', 'aborted', 'aborted', 'aborted']);
    expect(emulator.stats().total).toBe(5);
    const metrics = await (await fetch(`${listener.origin}/metrics`)).text();
    expect(metrics).toMatch(
      /stripe_requests_total\{method="GET",path_template="\/v1\/customers\/\{customer\}",status="aborted",retried="false"\} 2/,
    );
  });

  it('leaves the next request on the same connection pool unharmed', async () => {
    const response = await fetch(`${listener.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ customer(id: "${SEED.jenny.customer}") { email } }` }),
    });
    expect(await response.json()).toMatchObject({ data: { customer: { email: SEED.jenny.email } } });
  });
});
