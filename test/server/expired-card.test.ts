/**
 * A saved card charged after its expiry month: the gateway passes on the emulator's card error,
 * `expired_card`, as a STRIPE_CARD_ERROR.
 */
import { afterAll, expect, it } from 'vitest';
import { startHarness } from './harness.ts';

/** The last day of January 2031: the card below expires with the month. */
const START = Date.UTC(2031, 0, 31, 12) / 1000;
let now = START;
const h = await startHarness({}, { clock: () => now });
afterAll(() => h.close());

it('charging a card past its expiry is a STRIPE_CARD_ERROR expired_card', async () => {
  const service = h.emulator.service;
  const card = { number: '4242424242424242', exp_month: '1', exp_year: '2031', cvc: '123' };
  const token = service.call('POST', '/v1/tokens', { card });
  const customer = String(service.call('POST', '/v1/customers', { source: String(token.id) }).id);
  const charge = `mutation($c: ID!) { createCharge(input: { amount: 1000, currency: "usd", customer: $c }) { status } }`;
  const paid = await h.query(charge, { variables: { c: customer } });
  expect(paid.body.data).toEqual({ createCharge: { status: 'SUCCEEDED' } });

  now = START + 86_400;
  const declined = await h.query(charge, { variables: { c: customer } });
  expect(declined.body.data).toEqual({ createCharge: null });
  expect(declined.body.errors?.[0]?.extensions).toMatchObject({
    code: 'STRIPE_CARD_ERROR',
    stripe: { statusCode: 402, code: 'expired_card', declineCode: 'expired_card' },
  });
});
