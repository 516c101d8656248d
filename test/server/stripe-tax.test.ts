/**
 * Stripe Tax through the gateway: a calculation for a jurisdiction the account is registered in
 * carries the tax the emulator computes there, and says why.
 */
import { afterAll, expect, it } from 'vitest';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

it('createTaxCalculation charges a registered state its rate', async () => {
  h.emulator.service.call('POST', '/v1/tax/registrations', {
    country: 'US',
    country_options: { us: { state: 'NY', type: 'state_sales_tax' } },
    active_from: 'now',
  });
  const result = await h.query(`mutation {
    createTaxCalculation(input: {
      currency: "usd"
      lineItems: [{ amount: 10000, reference: "desk" }]
      customerDetails: { address: { country: "US", state: "NY", postalCode: "10118" }, addressSource: SHIPPING }
    }) { amountTotal taxAmountExclusive taxBreakdown { amount taxabilityReason taxableAmount } }
  }`);
  expect(result.body.errors).toBeUndefined();
  expect(result.body.data?.createTaxCalculation).toEqual({
    amountTotal: 10_400,
    taxAmountExclusive: 400,
    taxBreakdown: [{ amount: 400, taxabilityReason: 'STANDARD_RATED', taxableAmount: 10_000 }],
  });
});
