/**
 * A charge paid with a card since deleted: the charge still names the card (`paymentMethodId`) and
 * answers the rest of its fields; its `paymentMethod` is null with a NOT_FOUND error at its path,
 * Stripe's answer for the PaymentMethod of a deleted card.
 */
import { afterAll, expect, it } from 'vitest';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

it("a deleted card's charge keeps its id and details; the card itself is NOT_FOUND", async () => {
  const service = h.emulator.service;
  const customer = String(service.call('POST', '/v1/customers', { source: 'tok_visa' }).id);
  const charge = service.call('POST', '/v1/charges', { amount: 1000, currency: 'usd', customer });
  const card = String(charge.payment_method);
  service.call('DELETE', `/v1/customers/${customer}/sources/${card}`);
  const response = await h.query(
    `query($id: ID!) { charge(id: $id) { paymentMethodId paymentMethodDetails { card { last4 } } paymentMethod { id } } }`,
    { variables: { id: String(charge.id) } },
  );
  expect(response.body.data).toEqual({
    charge: { paymentMethodId: card, paymentMethodDetails: { card: { last4: '4242' } }, paymentMethod: null },
  });
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors?.[0]).toMatchObject({
    path: ['charge', 'paymentMethod'],
    message: `No such PaymentMethod: '${card}'`,
    extensions: { code: 'NOT_FOUND', stripe: { statusCode: 404, code: 'resource_missing' } },
  });
});
