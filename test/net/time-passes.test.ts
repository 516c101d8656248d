/**
 * A listening emulator plays the time that passes between requests on its timer: a subscription
 * on no test clock renews at its period's end, its events recorded (and sent to webhooks) with no
 * request to bring them about. In-process emulators play it before requests only
 * (test/emulator/time-passes.test.ts).
 */
import { afterAll, expect, it } from 'vitest';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import { createEmulator } from '../../src/emulator/server.ts';
import { until } from '../helpers.ts';

let now = 1_796_385_600;
const emulator = await createEmulator({ seed: false, clock: () => now, catchUpEveryMs: 20 });
afterAll(() => emulator.close());

it('renews a subscription at its period’s end with no request, its events recorded then', async () => {
  const service = emulator.service;
  const customer = service.call('POST', '/v1/customers', { source: 'tok_visa' });
  const price = service.call('POST', '/v1/prices', {
    currency: 'usd',
    unit_amount: 900,
    recurring: { interval: 'month' },
    product_data: { name: 'Monthly' },
  });
  const subscription = service.call('POST', '/v1/subscriptions', {
    customer: String(customer.id),
    items: [{ price: String(price.id) }],
  });
  const events: JsonObject[] = [];
  service.onEvents((recorded) => events.push(...recorded));
  const end = Number(subscription.current_period_end);
  now = end + 60;
  const paid = await until(() => events.find((e) => e.type === 'invoice.paid'), {
    what: 'the renewal’s invoice.paid',
  });
  expect(paid.created).toBe(end);
  expect(events.map((e) => e.type)).toEqual(
    expect.arrayContaining(['invoice.created', 'invoice.finalized', 'customer.subscription.updated']),
  );
  expect(service.call('GET', `/v1/subscriptions/${String(subscription.id)}`)).toMatchObject({
    status: 'active',
    current_period_start: end,
  });
});
