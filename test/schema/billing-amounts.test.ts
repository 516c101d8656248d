/**
 * What a gateway user reads of invoices' amounts: a tiered price's invoice and its tax, and the
 * upcoming invoice previewing a subscription change with its prorations (on a test clock, at its
 * time) or a coupon; a Checkout
 * Session's amounts for a tiered price.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../server/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Obj = Record<string, any>;
const post = <T = Obj>(path: string, params: Obj) => h.admin.request<T>({ method: 'POST', path, params });

async function data(query: string, variables: Record<string, unknown>): Promise<Obj> {
  const response = await h.query(query, { variables });
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data as Obj;
}

/** A monthly graduated price: $10.00 a seat for the first five, $5.00 each after. */
const graduatedSeats = (name: string) =>
  post('/v1/prices', {
    currency: 'usd',
    product_data: { name },
    recurring: { interval: 'month' },
    billing_scheme: 'tiered',
    tiers_mode: 'graduated',
    tiers: [
      { up_to: 5, unit_amount: 1000 },
      { up_to: 'inf', unit_amount: 500 },
    ],
  });

describe('invoice amounts through GraphQL', () => {
  it('a tiered, taxed subscription’s invoice, and the preview of a change to it', async () => {
    const customer = await post('/v1/customers', { source: 'tok_visa' });
    const tiered = await graduatedSeats('GraphQL seats');
    const rate = await post('/v1/tax_rates', { display_name: 'Sales tax', percentage: 10, inclusive: false });
    const subscription = await post('/v1/subscriptions', {
      customer: customer.id,
      items: [{ price: tiered.id, quantity: 8 }],
      default_tax_rates: [rate.id],
    });
    const { invoice } = await data(
      'query($id: ID!) { invoice(id: $id) { subtotal tax total amountPaid lines { nodes { amount } } } }',
      { id: subscription.latest_invoice },
    );
    expect(invoice).toEqual({
      subtotal: 6500,
      tax: 650,
      total: 7150,
      amountPaid: 7150,
      lines: { nodes: [{ amount: 6500 }] },
    });

    const { upcomingInvoice } = await data(
      `query($s: ID!, $items: JSON, $at: DateTime) {
        upcomingInvoice(subscription: $s, subscriptionItems: $items, subscriptionProrationDate: $at) {
          subtotal lines { nodes { amount proration } } } }`,
      {
        s: subscription.id,
        items: [{ id: subscription.items.data[0].id, quantity: 10 }],
        at: new Date(subscription.current_period_start * 1000).toISOString(),
      },
    );
    expect(upcomingInvoice.lines.nodes).toEqual([
      { amount: -6500, proration: true },
      { amount: 7500, proration: true },
      { amount: 7500, proration: false },
    ]);
    expect(upcomingInvoice.subtotal).toBe(8500);
  });

  it('a Checkout Session bills a tiered price by its tiers; the preview takes a coupon off', async () => {
    const tiered = await graduatedSeats('GraphQL checkout seats');
    const { createCheckoutSession: session } = await data(
      `mutation($p: ID!) { createCheckoutSession(input: { mode: SUBSCRIPTION, successUrl: "https://example.com/ok",
        lineItems: [{ price: $p, quantity: 8 }] }) { amountSubtotal amountTotal lineItems { nodes { amountTotal } } } }`,
      { p: tiered.id },
    );
    expect(session).toEqual({
      amountSubtotal: 6500,
      amountTotal: 6500,
      lineItems: { nodes: [{ amountTotal: 6500 }] },
    });

    const customer = await post('/v1/customers', { source: 'tok_visa' });
    const subscription = await post('/v1/subscriptions', {
      customer: customer.id,
      items: [{ price: tiered.id, quantity: 8 }],
    });
    const coupon = await post('/v1/coupons', { amount_off: 1500, currency: 'usd' });
    const { upcomingInvoice } = await data(
      'query($s: ID!, $c: ID) { upcomingInvoice(subscription: $s, coupon: $c) { subtotal total } }',
      { s: subscription.id, c: coupon.id },
    );
    expect(upcomingInvoice).toEqual({ subtotal: 6500, total: 5000 });
  });

  it('the preview of a change on a test clock is prorated at the clock’s time', async () => {
    const start = 1_690_000_000;
    const clock = await post('/v1/test_helpers/test_clocks', { frozen_time: start });
    const customer = await post('/v1/customers', { source: 'tok_visa', test_clock: clock.id });
    const tiered = await graduatedSeats('GraphQL clocked seats');
    const subscription = await post('/v1/subscriptions', {
      customer: customer.id,
      items: [{ price: tiered.id, quantity: 8 }],
    });
    const later = start + 10 * 86_400;
    await post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: later });
    const { upcomingInvoice } = await data(
      `query($s: ID!, $items: JSON) { upcomingInvoice(subscription: $s, subscriptionItems: $items) {
        lines { nodes { proration period { start } } } } }`,
      { s: subscription.id, items: [{ id: subscription.items.data[0].id, quantity: 10 }] },
    );
    const prorated = upcomingInvoice.lines.nodes.filter((line: Obj) => line.proration);
    const at = new Date(later * 1000).toISOString();
    expect(prorated).toEqual([
      { proration: true, period: { start: at } },
      { proration: true, period: { start: at } },
    ]);
  });
});
