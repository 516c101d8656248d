/**
 * Stripe Tax through the gateway: a calculation for a jurisdiction the account is registered in
 * carries the tax the emulator computes there, and says why; an invoice taxed automatically for a
 * customer without an address cannot be finalized; a customer's `tax` says where they are placed;
 * the settings are pending until the head office is set.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

// The account collects tax in New York.
beforeAll(() => {
  h.emulator.service.call('POST', '/v1/tax/registrations', {
    country: 'US',
    country_options: { us: { state: 'NY', type: 'state_sales_tax' } },
    active_from: 'now',
  });
});

it('createTaxCalculation charges a registered state its rate', async () => {
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

it('finalizeInvoice refuses an automatic-tax invoice whose customer has no address', async () => {
  const service = h.emulator.service;
  const customer = String(service.call('POST', '/v1/customers', { email: 'nowhere@example.com' }).id);
  const created = await h.query(
    `mutation($c: ID!) {
      createInvoice(input: { customer: $c, automaticTax: { enabled: true } }) { id automaticTax { enabled status } }
    }`,
    { variables: { c: customer } },
  );
  expect(created.body.errors).toBeUndefined();
  const invoice = created.body.data?.createInvoice as { id: string; automaticTax: unknown };
  expect(invoice.automaticTax).toEqual({ enabled: true, status: 'REQUIRES_LOCATION_INPUTS' });
  service.call('POST', '/v1/invoiceitems', { customer, invoice: invoice.id, amount: 1000, currency: 'usd' });
  const finalized = await h.query(`mutation($i: ID!) { finalizeInvoice(id: $i) { status } }`, {
    variables: { i: invoice.id },
  });
  expect(finalized.body.errors?.[0]?.extensions).toMatchObject({
    stripe: { statusCode: 400, code: 'customer_tax_location_invalid' },
  });
});

it("a customer's tax field says where Stripe Tax places them", async () => {
  const customer = String(
    h.emulator.service.call('POST', '/v1/customers', {
      address: { line1: '350 5th Ave', postal_code: '10118', state: 'NY', country: 'US' },
    }).id,
  );
  const result = await h.query(
    'query($c: ID!) { customer(id: $c) { tax { automaticTax location { country source state } } } }',
    { variables: { c: customer } },
  );
  expect(result.body.errors).toBeUndefined();
  expect(result.body.data?.customer).toEqual({
    tax: { automaticTax: 'SUPPORTED', location: { country: 'US', source: 'BILLING_ADDRESS', state: 'NY' } },
  });
});

it('taxSettings are pending until the head office is set', async () => {
  const result = await h.query('{ taxSettings { status statusDetails { pending { missingFields } } } }');
  expect(result.body.errors).toBeUndefined();
  expect(result.body.data?.taxSettings).toEqual({
    status: 'PENDING',
    statusDetails: { pending: { missingFields: ['head_office'] } },
  });
});
