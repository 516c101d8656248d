/**
 * New work waits while Stripe is saturated (src/server/turns.ts): over HTTP, with one slot to a
 * stand-in Stripe that answers only when told to, a request whose call would join a queue that
 * already holds one is not started (its call is not even queued) until the queue has drained; then
 * every request answers. Without a saturated queue, nothing is held; and a request that calls no
 * Stripe endpoint is never held, saturated or not.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StripeRestClient } from '../../src/rest/client.ts';
import { type Listener, listen } from '../../src/server/listen.ts';
import { until } from '../helpers.ts';
import { type Harness, startHarness } from '../server/harness.ts';

/** Calls the stand-in holds, by object id (`cus_…` a customer, `ch_…` a charge). */
const held = new Map<string, ServerResponse>();
const upstream = createServer((req, res) => {
  const id = new URL(req.url ?? '/', 'http://stand-in').pathname.split('/').pop()!;
  held.set(id, res);
});
const answer = (id: string) => {
  const object = id.startsWith('ch_') ? 'charge' : 'customer';
  const body = JSON.stringify({ id, object, email: `${id}@example.com` });
  held.get(id)!.writeHead(200, { 'content-type': 'application/json' }).end(body);
  held.delete(id);
};

let h: Harness;
let rest: StripeRestClient | undefined;
let server: Listener;

beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  h = await startHarness(
    {
      STRIPE_API_BASE: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      STRIPE_MAX_CONCURRENCY: '1',
      ALLOWED_HOSTS: '127.0.0.1',
    },
    {
      wrapRest: (client) => {
        rest = client as StripeRestClient;
        return client;
      },
    },
  );
  server = await listen(h.gateway.yoga, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  for (const res of held.values()) res.destroy();
  await server.close(1000);
  await h.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

async function post(document: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: document }),
  });
  return response.json();
}
const query = (id: string) => post(`{ customer(id: "${id}") { ... on Customer { id email } } }`);

it('holds a request while every slot is taken and a call waits, then answers it', async () => {
  const a = query('cus_a');
  await until(() => held.has('cus_a'), { what: "cus_a's call" });
  // The slot is taken but nobody waits: B starts, and its call queues.
  const b = query('cus_b');
  await until(() => rest!.stats.queued === 1, { what: "cus_b's call queued" });
  // Now C is held before it executes: its call is not queued beside B's.
  const c = query('cus_c');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(rest!.stats).toEqual({ inFlight: 1, queued: 1 });
  // What calls no Stripe endpoint is answered meanwhile, on Yoga's path, the fast path's and
  // directly, while C is still held: released with the hold's 250 ms, C's call would have queued
  // by the time these answer.
  for (let run = 0; run < 3; run++) {
    expect(await post('{ __typename }')).toMatchObject({ data: { __typename: 'Query' } });
    expect(rest!.stats).toEqual({ inFlight: 1, queued: 1 });
  }
  // A answers: B's call takes the slot, the queue drains, C starts and its call queues.
  answer('cus_a');
  await until(() => held.has('cus_b'), { what: "cus_b's call" });
  await until(() => rest!.stats.queued === 1, { what: "cus_c's call queued" });
  answer('cus_b');
  await until(() => held.has('cus_c'), { what: "cus_c's call" });
  answer('cus_c');
  const answers = (await Promise.all([a, b, c])) as { data?: unknown }[];
  expect(answers.map((body) => body.data)).toEqual(
    ['cus_a', 'cus_b', 'cus_c'].map((id) => ({ customer: { id, email: `${id}@example.com` } })),
  );
  expect(rest!.stats).toEqual({ inFlight: 0, queued: 0 });
});

it('holds a repeated document answered directly (the fast path) as it holds the first', async () => {
  const charge = (id: string) =>
    fetch(`http://127.0.0.1:${server.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: 'query ($id: ID!) { charge(id: $id) { id } }', variables: { id } }),
    }).then((response) => response.json());
  // Its first runs teach the fast path the document (Yoga's path, then the fast path's own).
  for (const id of ['ch_0', 'ch_00']) {
    const run = charge(id);
    await until(() => held.has(id), { what: `${id}'s call` });
    answer(id);
    expect(await run).toMatchObject({ data: { charge: { id } } });
  }
  const answeredDirectly = h.gateway.fastPath!.answeredDirectly;

  const a = query('cus_d');
  await until(() => held.has('cus_d'), { what: "cus_d's call" });
  const b = query('cus_e');
  await until(() => rest!.stats.queued === 1, { what: "cus_e's call queued" });
  const c = charge('ch_1');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(rest!.stats).toEqual({ inFlight: 1, queued: 1 });
  answer('cus_d');
  await until(() => held.has('cus_e'), { what: "cus_e's call" });
  answer('cus_e');
  await until(() => held.has('ch_1'), { what: "ch_1's call" });
  answer('ch_1');
  await Promise.all([a, b]);
  expect(await c).toMatchObject({ data: { charge: { id: 'ch_1' } } });
  expect(h.gateway.fastPath!.answeredDirectly).toBe(answeredDirectly + 1);
});
