/**
 * A reset on `npm start` (`POST /_emulator/reset`) brings the demo data back but keeps the webhook
 * endpoints added since the start, so the gateway's live events (its own endpoint) go on.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FlowHarness, startFlows } from './flow-harness.ts';

let f: FlowHarness;

beforeAll(async () => {
  f = await startFlows();
});
afterAll(() => f.close());

it("keeps the gateway's webhook endpoint across a reset, so subscriptions still get events", async () => {
  const endpoints = '{ webhookEndpoints(first: 100) { nodes { id url } } }';
  const before = (await f.ok(endpoints)).webhookEndpoints.nodes;
  const stream = await f.subscribe(['customer.created'], '... on Customer { email }');
  const reset = await f.emulator.fetch(new Request(`${f.emulator.url}/_emulator/reset`, { method: 'POST' }));
  expect(reset.status).toBe(200);
  expect((await f.ok(endpoints)).webhookEndpoints.nodes).toEqual(before);
  await f.ok('mutation { createCustomer(input: { email: "after-reset@example.com" }) { id } }');
  const [event] = await stream.take(1);
  expect(event?.object).toEqual({ email: 'after-reset@example.com' });
  stream.close();
});
