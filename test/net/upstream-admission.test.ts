/**
 * New work waits while Stripe is saturated (src/server/turns.ts): over HTTP, with one slot to a
 * stand-in Stripe that answers only when told to, a request whose call would join a queue that
 * already holds one is not started (its call is not even queued) until the queue has drained; then
 * every request answers. Without a saturated queue, nothing is held.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StripeRestClient } from '../../src/rest/client.ts';
import { type Listener, listen } from '../../src/server/listen.ts';
import { until } from '../helpers.ts';
import { type Harness, startHarness } from '../server/harness.ts';

/** Calls the stand-in holds, by customer id. */
const held = new Map<string, ServerResponse>();
const upstream = createServer((req, res) => {
  const id = new URL(req.url ?? '/', 'http://stand-in').pathname.split('/').pop()!;
  held.set(id, res);
});
const answer = (id: string) => {
  const body = JSON.stringify({ id, object: 'customer', email: `${id}@example.com` });
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

async function query(id: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: `{ customer(id: "${id}") { ... on Customer { id email } } }` }),
  });
  return response.json();
}

it('holds a request while every slot is taken and a call waits, then answers it', async () => {
  const a = query('cus_a');
  await until(() => held.has('cus_a'), { what: "cus_a's call" });
  // The slot is taken but nobody waits: B starts, and its call queues.
  const b = query('cus_b');
  await until(() => rest!.stats.queued === 1, { what: "cus_b's call queued" });
  // Now C is held before its GraphQL work: its call is not queued beside B's.
  const c = query('cus_c');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(rest!.stats).toEqual({ inFlight: 1, queued: 1 });
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
