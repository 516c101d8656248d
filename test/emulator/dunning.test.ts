/**
 * Dunning (src/emulator/rules/dunning.ts): a subscription invoice whose automatic payment failed is
 * retried on the default schedule (8 retries within 2 weeks) as a test clock moves, or as time
 * passes on no clock; the last retry failing cancels the subscription. A one-off invoice Stripe
 * charges (an automatic draft, finalized an hour on) is retried the same way.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { startEmulatorHarness } from './helpers.ts';

const DAY = 86_400;
/** The time between two retries: the two weeks shared by the 8 retries. */
const RETRY_EVERY = (14 * DAY) / 8;
const START = 1_796_385_600;
let now = START;
const h = await startEmulatorHarness({ clock: () => now });
const stripe = h.stripe;
afterAll(() => h.close());

/**
 * A monthly subscription paid at `START` with a good card, whose customer (on a test clock unless
 * `clocked` is false) then has `card` as default source for its renewals.
 */
async function failingRenewal(card = 'tok_chargeCustomerFail', clocked = true) {
  const clock = clocked ? await stripe.testHelpers.testClocks.create({ frozen_time: START }) : undefined;
  const customer = await stripe.customers.create({
    source: 'tok_visa',
    ...(clock ? { test_clock: clock.id } : {}),
  });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: SEED.prices.basicMonthly }],
  });
  const failing = await stripe.customers.createSource(customer.id, { source: card });
  await stripe.customers.update(customer.id, { default_source: failing.id });
  const advance = async (to: number) => {
    if (clock) await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: to });
    else now = to;
  };
  return { customer, subscription, advance, renewal: subscription.current_period_end };
}

async function latestInvoice(subscription: string): Promise<Stripe.Invoice> {
  const current = await stripe.subscriptions.retrieve(subscription, { expand: ['latest_invoice'] });
  return current.latest_invoice as Stripe.Invoice;
}

/** The types and times of the events about `id`, oldest first. */
async function eventsAbout(id: string): Promise<[string, number][]> {
  const events = await stripe.events.list({ limit: 100 });
  return events.data
    .filter((e) => (e.data.object as { id?: string }).id === id)
    .map((e): [string, number] => [e.type, e.created])
    .reverse();
}

describe('a renewal whose payment fails', () => {
  it('leaves the subscription past_due and the invoice open, its next attempt set', async () => {
    const { subscription, advance, renewal } = await failingRenewal();
    await advance(renewal + 60);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    expect(await latestInvoice(subscription.id)).toMatchObject({
      billing_reason: 'subscription_cycle',
      status: 'open',
      attempted: true,
      attempt_count: 1,
      next_payment_attempt: renewal + RETRY_EVERY,
    });
  });

  it('is retried at each next_payment_attempt, then the subscription is canceled', async () => {
    const { subscription, advance, renewal } = await failingRenewal();
    await advance(renewal + 60);
    const invoice = await latestInvoice(subscription.id);
    // Just before the first retry nothing has changed; at it, the second attempt fails.
    await advance(renewal + RETRY_EVERY - 1);
    expect((await stripe.invoices.retrieve(invoice.id)).attempt_count).toBe(1);
    await advance(renewal + RETRY_EVERY);
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      attempt_count: 2,
      next_payment_attempt: renewal + 2 * RETRY_EVERY,
    });
    // One advance over the rest of the two weeks.
    await advance(renewal + 20 * DAY);
    const exhausted = await stripe.invoices.retrieve(invoice.id);
    expect(exhausted).toMatchObject({
      status: 'open',
      attempt_count: 9,
      next_payment_attempt: null,
      auto_advance: false,
    });
    const end = renewal + 14 * DAY;
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: 'canceled',
      canceled_at: end,
      ended_at: end,
      cancellation_details: { reason: 'payment_failed' },
    });
    const failures = (await eventsAbout(invoice.id)).filter(([type]) => type === 'invoice.payment_failed');
    expect(failures.map(([, at]) => at)).toEqual(
      Array.from({ length: 9 }, (_, attempt) => renewal + attempt * RETRY_EVERY),
    );
    expect(await eventsAbout(subscription.id)).toContainEqual(['customer.subscription.deleted', end]);
  });

  it('is paid by a retry once the customer has a good card again', async () => {
    const { customer, subscription, advance, renewal } = await failingRenewal();
    await advance(renewal + 60);
    const good = await stripe.customers.createSource(customer.id, { source: 'tok_visa' });
    await stripe.customers.update(customer.id, { default_source: good.id });
    await advance(renewal + RETRY_EVERY + 60);
    expect(await latestInvoice(subscription.id)).toMatchObject({
      status: 'paid',
      attempt_count: 2,
      next_payment_attempt: null,
      status_transitions: { paid_at: renewal + RETRY_EVERY },
    });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });

  it('is not retried after a hard decline (a lost card)', async () => {
    const { subscription, advance, renewal } = await failingRenewal();
    const lost = await stripe.paymentMethods.create({
      type: 'card',
      card: { token: 'tok_chargeDeclinedLostCard' },
    });
    await stripe.subscriptions.update(subscription.id, { default_payment_method: lost.id });
    await advance(renewal + 20 * DAY);
    expect(await latestInvoice(subscription.id)).toMatchObject({
      status: 'open',
      attempt_count: 1,
      next_payment_attempt: null,
    });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
  });

  it('is retried as time passes for a customer on no test clock', async () => {
    now = START;
    const { subscription, advance, renewal } = await failingRenewal('tok_chargeCustomerFail', false);
    await advance(renewal + 3 * RETRY_EVERY);
    expect(await latestInvoice(subscription.id)).toMatchObject({
      attempt_count: 4,
      next_payment_attempt: renewal + 4 * RETRY_EVERY,
    });
    await advance(renewal + 15 * DAY);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
  });

  it('is no longer retried once the subscription is canceled', async () => {
    const { subscription, advance, renewal } = await failingRenewal();
    await advance(renewal + 60);
    await stripe.subscriptions.cancel(subscription.id);
    expect(await latestInvoice(subscription.id)).toMatchObject({
      status: 'open',
      next_payment_attempt: null,
      auto_advance: false,
    });
    await advance(renewal + 20 * DAY);
    expect((await latestInvoice(subscription.id)).attempt_count).toBe(1);
  });
});

describe('a one-off invoice whose automatic payment fails', () => {
  /**
   * An invoice of the customer's pending item, Stripe finalizing and charging it an hour after
   * `START` (the customer, on a test clock, pays with a card that is declined).
   */
  async function failingOneOff() {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: START });
    const customer = await stripe.customers.create({
      source: 'tok_chargeCustomerFail',
      test_clock: clock.id,
    });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 2500, currency: 'usd' });
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      auto_advance: true,
      collection_method: 'charge_automatically',
      pending_invoice_items_behavior: 'include',
    });
    const advance = (to: number) => stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: to });
    return { customer, invoice, advance, collected: START + 3600 };
  }

  it('is left open, its next attempt set, and paid by a retry once the card is good', async () => {
    const { customer, invoice, advance, collected } = await failingOneOff();
    await advance(collected + 60);
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      status: 'open',
      attempted: true,
      attempt_count: 1,
      next_payment_attempt: collected + RETRY_EVERY,
    });
    const good = await stripe.customers.createSource(customer.id, { source: 'tok_visa' });
    await stripe.customers.update(customer.id, { default_source: good.id });
    await advance(collected + RETRY_EVERY + 60);
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      status: 'paid',
      attempt_count: 2,
      next_payment_attempt: null,
      status_transitions: { paid_at: collected + RETRY_EVERY },
    });
  });

  it('is retried at each attempt within one advance, then left open', async () => {
    const { invoice, advance, collected } = await failingOneOff();
    await advance(START + 20 * DAY);
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      status: 'open',
      attempt_count: 9,
      next_payment_attempt: null,
    });
    const failures = (await eventsAbout(invoice.id)).filter(([type]) => type === 'invoice.payment_failed');
    expect(failures.map(([, at]) => at)).toEqual(
      Array.from({ length: 9 }, (_, attempt) => collected + attempt * RETRY_EVERY),
    );
  });
});
