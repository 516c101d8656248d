/**
 * Dunning through the gateway: a subscription's renewal whose payment fails shows its retries on
 * the invoice (`attemptCount`, `nextPaymentAttempt`) as a test clock moves, and the subscription
 * canceled once they are all used; a one-off invoice Stripe charges is retried the same way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

const post = <T = { id: string }>(path: string, params: Record<string, unknown> = {}) =>
  h.admin.request<T>({ method: 'POST', path, params });
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The root field `field` of `query` about the object `id`, which must read without errors. */
async function readOne(query: string, field: string, id: string): Promise<unknown> {
  const response = await h.query(query, { variables: { id } });
  expect(response.body.errors).toBeUndefined();
  return (response.body.data as Record<string, unknown>)[field];
}

describe('a subscription whose renewal fails', () => {
  it('shows its invoice retried, then is canceled', async () => {
    const start = 1_796_385_600;
    const clock = await post('/v1/test_helpers/test_clocks', { frozen_time: start });
    const customer = await post('/v1/customers', { source: 'tok_visa', test_clock: clock.id });
    const subscription = await post<{ id: string; current_period_end: number }>('/v1/subscriptions', {
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
    });
    const failing = await post(`/v1/customers/${customer.id}/sources`, { source: 'tok_chargeCustomerFail' });
    await post(`/v1/customers/${customer.id}`, { default_source: failing.id });
    const renewal = subscription.current_period_end;
    const read = () =>
      readOne(
        'query($id: ID!) { subscription(id: $id) { status latestInvoice { status attemptCount nextPaymentAttempt } } }',
        'subscription',
        subscription.id,
      );

    await post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: renewal + 60 });
    expect(await read()).toEqual({
      status: 'PAST_DUE',
      latestInvoice: { status: 'OPEN', attemptCount: 1, nextPaymentAttempt: iso(renewal + 151_200) },
    });
    await post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: renewal + 15 * 86_400 });
    expect(await read()).toEqual({
      status: 'CANCELED',
      latestInvoice: { status: 'OPEN', attemptCount: 9, nextPaymentAttempt: null },
    });
  });
});

describe('a one-off invoice whose automatic payment fails', () => {
  it('shows its next attempt, then its retries used', async () => {
    const start = 1_796_385_600;
    const clock = await post('/v1/test_helpers/test_clocks', { frozen_time: start });
    const customer = await post('/v1/customers', { source: 'tok_chargeCustomerFail', test_clock: clock.id });
    await post('/v1/invoiceitems', { customer: customer.id, amount: 2500, currency: 'usd' });
    const invoice = await post('/v1/invoices', {
      customer: customer.id,
      auto_advance: true,
      pending_invoice_items_behavior: 'include',
    });
    const read = () =>
      readOne(
        'query($id: ID!) { invoice(id: $id) { status attemptCount nextPaymentAttempt } }',
        'invoice',
        invoice.id,
      );
    const collected = start + 3600;
    await post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: collected + 60 });
    expect(await read()).toEqual({
      status: 'OPEN',
      attemptCount: 1,
      nextPaymentAttempt: iso(collected + 151_200),
    });
    await post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: start + 15 * 86_400 });
    expect(await read()).toEqual({ status: 'OPEN', attemptCount: 9, nextPaymentAttempt: null });
  });
});
