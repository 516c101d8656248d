/**
 * A subscription's lifecycle: how its first invoice is collected (`payment_behavior`), what paying
 * it later does, and how its periods move.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
afterAll(() => h.close());

const invoiceOf = (subscription: Stripe.Subscription) => subscription.latest_invoice as Stripe.Invoice;
/** The invoice's PaymentIntent (`payment_intent` is gone from the SDK's types after 2024-04-10). */
const intentOf = (invoice: Stripe.Invoice) =>
  (invoice as unknown as { payment_intent: Stripe.PaymentIntent }).payment_intent;

/** A subscription to the basic monthly price, its customer (with a card) on a new test clock at `start`. */
async function onClock(start: number, params: Partial<Stripe.SubscriptionCreateParams> = {}) {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await stripe.customers.create({ source: 'tok_visa', test_clock: clock.id });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: SEED.prices.basicMonthly }],
    ...params,
  });
  return { clock, customer, subscription };
}

/** The types of the events about `id`, oldest first. */
async function eventTypes(id: string): Promise<string[]> {
  const events = await stripe.events.list({ limit: 100 });
  return events.data
    .filter((e) => (e.data.object as { id?: string }).id === id)
    .map((e) => e.type)
    .reverse();
}

describe('paying an incomplete subscription’s first invoice', () => {
  async function declined() {
    const customer = await stripe.customers.create({ source: 'tok_chargeCustomerFail' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
      expand: ['latest_invoice.payment_intent'],
    });
    expect(subscription.status).toBe('incomplete');
    return { customer, subscription, invoice: invoiceOf(subscription) };
  }

  it('invoices.pay with a good card makes it active', async () => {
    const { customer, subscription, invoice } = await declined();
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const paid = await stripe.invoices.pay(invoice.id, { payment_method: card.id });
    expect(paid.status).toBe('paid');
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    expect(await eventTypes(subscription.id)).toEqual([
      'customer.subscription.created',
      'customer.subscription.updated',
    ]);
  });

  it('confirming its PaymentIntent makes it active', async () => {
    const { subscription, invoice } = await declined();
    await stripe.paymentIntents.confirm(intentOf(invoice).id, { payment_method: 'pm_card_visa' });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });
});

describe('a customer with no payment method', () => {
  const subscribe = async (params: Partial<Stripe.SubscriptionCreateParams> = {}) => {
    const customer = await stripe.customers.create({});
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
      expand: ['latest_invoice.payment_intent'],
      ...params,
    });
    return { customer, subscription };
  };

  it('gets an incomplete subscription whose first invoice stays open', async () => {
    const { customer, subscription } = await subscribe();
    expect(subscription.status).toBe('incomplete');
    const invoice = invoiceOf(subscription);
    expect(invoice).toMatchObject({ status: 'open', paid: false, amount_paid: 0, charge: null });
    expect(intentOf(invoice).status).toBe('requires_payment_method');
    expect((await stripe.charges.list({ customer: customer.id })).data).toEqual([]);
  });

  it('is charged through the subscription’s default_payment_method', async () => {
    const customer = await stripe.customers.create({});
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
      default_payment_method: card.id,
    });
    expect(subscription.status).toBe('active');
    expect((await stripe.charges.list({ customer: customer.id })).data[0]?.payment_method).toBe(card.id);
  });

  it('still starts a trial (nothing to pay) as trialing', async () => {
    const { subscription } = await subscribe({ trial_period_days: 7 });
    expect(subscription.status).toBe('trialing');
    expect(invoiceOf(subscription).status).toBe('paid');
  });

  it('cannot subscribe with payment_behavior=error_if_incomplete', async () => {
    const customer = await stripe.customers.create({});
    await expect(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: SEED.prices.basicMonthly }],
        payment_behavior: 'error_if_incomplete',
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toEqual([]);
  });
});

/** An active subscription (its first invoice paid) whose customer's default card now declines. */
async function nowDeclining() {
  const customer = await stripe.customers.create({ source: 'tok_visa' });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: SEED.prices.basicMonthly }],
  });
  const failing = await stripe.customers.createSource(customer.id, { source: 'tok_chargeCustomerFail' });
  await stripe.customers.update(customer.id, { default_source: failing.id });
  return { customer, subscription };
}

describe('payment_behavior=error_if_incomplete', () => {
  it('creates nothing when the first payment declines', async () => {
    const customer = await stripe.customers.create({ source: 'tok_chargeCustomerFail' });
    await expect(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: SEED.prices.basicMonthly }],
        payment_behavior: 'error_if_incomplete',
      }),
    ).rejects.toMatchObject({ statusCode: 402, type: 'StripeCardError' });
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toEqual([]);
    expect((await stripe.invoices.list({ customer: customer.id })).data).toEqual([]);
    expect((await stripe.charges.list({ customer: customer.id })).data).toEqual([]);
  });

  it('leaves an update unmade when its invoice declines', async () => {
    const { customer, subscription } = await nowDeclining();
    const item = subscription.items.data[0]!;
    await expect(
      stripe.subscriptions.update(subscription.id, {
        items: [{ id: item.id, quantity: 3 }],
        proration_behavior: 'always_invoice',
        payment_behavior: 'error_if_incomplete',
      }),
    ).rejects.toMatchObject({ statusCode: 402 });
    const after = await stripe.subscriptions.retrieve(subscription.id);
    expect(after.items.data[0]!.quantity).toBe(1);
    expect(after.latest_invoice).toBe(subscription.latest_invoice);
    expect((await stripe.invoiceItems.list({ customer: customer.id })).data).toEqual([]);
  });
});

describe('an update whose always_invoice invoice is not paid', () => {
  /** A subscription whose card now declines, updated to three seats at once. */
  async function upgraded(params: Partial<Stripe.SubscriptionUpdateParams>) {
    const { customer, subscription } = await nowDeclining();
    const updated = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: subscription.items.data[0]!.id, quantity: 3 }],
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
      ...params,
    });
    return { customer, subscription, updated, invoice: invoiceOf(updated) };
  }

  it('makes the subscription past_due (allow_incomplete, the default), until it is paid', async () => {
    const { customer, subscription, updated, invoice } = await upgraded({});
    expect(invoice).toMatchObject({ status: 'open', billing_reason: 'subscription_update' });
    expect(invoice.id).not.toBe(subscription.latest_invoice);
    expect(updated).toMatchObject({
      status: 'past_due',
      latest_invoice: expect.objectContaining({ id: invoice.id }),
    });
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.invoices.pay(invoice.id, { payment_method: card.id });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });

  it('with default_incomplete, leaves its PaymentIntent to confirm and the subscription past_due', async () => {
    const { customer, updated, invoice } = await upgraded({ payment_behavior: 'default_incomplete' });
    expect(invoice.status).toBe('open');
    expect(updated.status).toBe('past_due');
    const charges = await stripe.charges.list({ customer: customer.id });
    expect(charges.data.map((c) => c.status)).toEqual(['succeeded']);
  });
});

describe('payment_behavior=default_incomplete', () => {
  it('leaves the first invoice open for the client to confirm', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
      payment_behavior: 'default_incomplete',
      expand: ['latest_invoice.payment_intent'],
    });
    expect(subscription.status).toBe('incomplete');
    const invoice = invoiceOf(subscription);
    expect(invoice).toMatchObject({ status: 'open', amount_due: 1000, amount_paid: 0 });
    expect(intentOf(invoice)).toMatchObject({ status: 'requires_payment_method', amount: 1000 });
    expect((await stripe.charges.list({ customer: customer.id })).data).toEqual([]);

    const confirmed = await stripe.paymentIntents.confirm(intentOf(invoice).id, {
      payment_method: 'pm_card_visa',
    });
    expect(confirmed.status).toBe('succeeded');
    expect((await stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    expect(await eventTypes(subscription.id)).toEqual([
      'customer.subscription.created',
      'customer.subscription.updated',
    ]);
  });

  it('starts a trial (nothing to pay) as trialing', async () => {
    const customer = await stripe.customers.create({});
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
      payment_behavior: 'default_incomplete',
      trial_period_days: 7,
    });
    expect(subscription.status).toBe('trialing');
  });
});

describe('trial_end=now', () => {
  it('starts the first paid period now and invoices it', async () => {
    const { clock, subscription: trialing } = await onClock(1_700_000_000, {
      items: [{ price: SEED.prices.basicMonthly, quantity: 2 }],
      trial_period_days: 14,
    });
    expect(trialing.current_period_end - trialing.current_period_start).toBe(14 * 86_400);
    const now = 1_700_000_000 + 3 * 86_400;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now });
    const ended = await stripe.subscriptions.update(trialing.id, {
      trial_end: 'now',
      expand: ['latest_invoice'],
    });
    expect(ended.status).toBe('active');
    expect(ended).toMatchObject({ trial_end: now, billing_cycle_anchor: now, current_period_start: now });
    const end = new Date(ended.current_period_end * 1000);
    const start = new Date(ended.current_period_start * 1000);
    expect(end.getUTCMonth()).toBe((start.getUTCMonth() + 1) % 12);
    const invoice = invoiceOf(ended);
    expect(invoice.id).not.toBe(trialing.latest_invoice);
    expect(invoice).toMatchObject({
      status: 'paid',
      amount_paid: 2000,
      billing_reason: 'subscription_update',
    });
    expect(invoice.lines.data.map((l) => [l.amount, l.period.start, l.period.end])).toEqual([
      [2000, ended.current_period_start, ended.current_period_end],
    ]);
  });
});

describe('trial_end set by an update', () => {
  const start = 1_700_000_000;
  const day = 86_400;
  /** A trial from `from` to `end`: its period, and the billing cycle that starts at its end. */
  const trial = (from: number, end: number) => ({
    status: 'trialing',
    trial_start: from,
    trial_end: end,
    current_period_start: from,
    current_period_end: end,
    billing_cycle_anchor: end,
  });

  it('extends a trial: its period and billing cycle end then, and it renews from there', async () => {
    const { clock, subscription: trialing } = await onClock(start, { trial_period_days: 7 });
    expect(trialing).toMatchObject(trial(start, start + 7 * day));
    const later = start + 20 * day;
    const extended = await stripe.subscriptions.update(trialing.id, { trial_end: later });
    expect(extended).toMatchObject(trial(start, later));
    // Past the old end it is still trialing; past the new one it is billed.
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 10 * day });
    expect((await stripe.subscriptions.retrieve(trialing.id)).status).toBe('trialing');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: later + day });
    const paid = await stripe.subscriptions.retrieve(trialing.id, { expand: ['latest_invoice'] });
    expect(paid).toMatchObject({ status: 'active', current_period_start: later });
    expect(invoiceOf(paid)).toMatchObject({ status: 'paid', amount_paid: 1000 });
  });

  it('adds a trial to an active subscription, crediting the unused rest of its period', async () => {
    const { clock, subscription: active } = await onClock(start);
    const now = start + 10 * day;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now });
    const trialEnd = now + 30 * day;
    const updated = await stripe.subscriptions.update(active.id, { trial_end: trialEnd });
    expect(updated).toMatchObject(trial(now, trialEnd));
    const pending = await stripe.invoiceItems.list({ customer: active.customer as string, pending: true });
    const { current_period_start: from, current_period_end: to } = active;
    expect(pending.data.map((i) => [i.amount, i.proration, i.period.start])).toEqual([
      [-Math.round((1000 * (to - now)) / (to - from)), true, now],
    ]);
    // proration_behavior=none credits nothing.
    const other = await onClock(start);
    await stripe.subscriptions.update(other.subscription.id, {
      trial_end: start + 5 * day,
      proration_behavior: 'none',
    });
    expect((await stripe.invoiceItems.list({ customer: other.customer.id, pending: true })).data).toEqual([]);
  });

  it('refuses a trial_end that is not in the future', async () => {
    const { subscription } = await onClock(start, { trial_period_days: 7 });
    await expect(
      stripe.subscriptions.update(subscription.id, { trial_end: start - day }),
    ).rejects.toMatchObject({
      statusCode: 400,
      param: 'trial_end',
    });
  });
});

describe('on a test clock', () => {
  it('the subscription and its invoices are made at the clock’s time', async () => {
    const start = 1_690_000_000;
    const { clock, subscription } = await onClock(start, { expand: ['latest_invoice'] });
    expect(subscription.created).toBe(start);
    expect(invoiceOf(subscription).created).toBe(start);
    await stripe.testHelpers.testClocks.advance(clock.id, {
      frozen_time: subscription.current_period_end + 3600,
    });
    const renewed = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(invoiceOf(renewed)).toMatchObject({
      billing_reason: 'subscription_cycle',
      created: subscription.current_period_end,
    });
  });

  it('invoices are finalized and paid, and their events sent, at the clock’s time', async () => {
    const start = 1_690_000_000;
    const { clock, subscription } = await onClock(start, { expand: ['latest_invoice'] });
    const first = invoiceOf(subscription);
    expect(first.status_transitions).toMatchObject({ finalized_at: start, paid_at: start });
    const end = subscription.current_period_end;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: end + 3600 });
    const renewed = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    const renewal = invoiceOf(renewed);
    expect(renewal.status_transitions).toMatchObject({ finalized_at: end, paid_at: end });
    const charge = (await stripe.charges.list({ customer: renewal.customer as string })).data[0]!;
    expect(charge.created).toBe(end);
    const events = (await stripe.events.list({ limit: 100 })).data;
    const about = (id: string) =>
      events.filter((e) => (e.data.object as { id?: string }).id === id).map((e) => [e.type, e.created]);
    expect(about(first.id)).toContainEqual(['invoice.paid', start]);
    expect(about(renewal.id)).toEqual(
      expect.arrayContaining([
        ['invoice.created', end],
        ['invoice.paid', end],
      ]),
    );
  });

  it('a subscription’s and its first invoice’s created events are dated at the clock’s time', async () => {
    const start = 1_690_000_000;
    const { subscription } = await onClock(start, { expand: ['latest_invoice'] });
    const events = (await stripe.events.list({ limit: 100 })).data;
    const created = (type: string, id: string) =>
      events.find((e) => e.type === type && (e.data.object as { id?: string }).id === id)?.created;
    expect(created('customer.subscription.created', subscription.id)).toBe(start);
    expect(created('invoice.created', invoiceOf(subscription).id)).toBe(start);
  });
});

describe('on a test clock, requests', () => {
  it('date what they do to its invoices at the clock’s time', async () => {
    const start = 1_690_000_000;
    const { clock, customer, subscription } = await onClock(start);
    const later = start + 10 * 86_400;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: later });
    const updated = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: subscription.items.data[0]!.id, quantity: 2 }],
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
    });
    expect(invoiceOf(updated)).toMatchObject({
      created: later,
      status: 'paid',
      status_transitions: { finalized_at: later, paid_at: later },
    });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 700, currency: 'usd' });
    const own = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    const paid = await stripe.invoices.pay((await stripe.invoices.finalizeInvoice(own.id)).id);
    expect(paid.status_transitions).toMatchObject({ finalized_at: later, paid_at: later });
  });
});

describe('the upcoming invoice on a test clock', () => {
  it('is previewed at the clock’s time, its prorations those the update makes', async () => {
    const start = 1_690_000_000;
    const { clock, customer, subscription } = await onClock(start);
    const later = start + 10 * 86_400;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: later });
    const change = [{ id: subscription.items.data[0]!.id, quantity: 2 }];
    const asked = { subscription: subscription.id, subscription_items: change };
    const upcoming = await stripe.invoices.retrieveUpcoming(asked);
    expect(upcoming).toMatchObject({
      next_payment_attempt: subscription.current_period_end,
      period_end: subscription.current_period_end,
      period_start: start,
      test_clock: clock.id,
    });
    const prorations = upcoming.lines.data.filter((line) => line.proration);
    expect(prorations.map((line) => line.period.start)).toEqual([later, later]);
    const lines = await stripe.invoices.listUpcomingLines(asked);
    expect(lines.data.filter((line) => line.proration)).toEqual(prorations);
    const preview = await stripe.invoices.createPreview({
      subscription: subscription.id,
      subscription_details: { items: change },
    });
    expect(preview.lines.data.filter((line) => line.proration).map((line) => line.amount)).toEqual(
      prorations.map((line) => line.amount),
    );
    await stripe.subscriptions.update(subscription.id, { items: change });
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(pending.data.map((item) => item.amount).sort()).toEqual(
      prorations.map((line) => line.amount).sort(),
    );
  });
});

describe('collection_method=send_invoice', () => {
  it('the subscription’s invoices are due days_until_due after they are made', async () => {
    const customer = await stripe.customers.create({});
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
      collection_method: 'send_invoice',
      days_until_due: 10,
      expand: ['latest_invoice'],
    });
    expect(subscription.status).toBe('active');
    const invoice = invoiceOf(subscription);
    expect(invoice).toMatchObject({ status: 'open', collection_method: 'send_invoice' });
    expect(invoice.due_date).toBe(invoice.created + 10 * 86_400);
  });

  it('a renewal waiting for payment leaves the subscription active', async () => {
    const { clock, subscription } = await onClock(1_690_000_000, {
      collection_method: 'send_invoice',
      days_until_due: 10,
    });
    await stripe.testHelpers.testClocks.advance(clock.id, {
      frozen_time: subscription.current_period_end + 3600,
    });
    const renewed = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(renewed.status).toBe('active');
    expect(invoiceOf(renewed)).toMatchObject({ billing_reason: 'subscription_cycle', status: 'open' });
  });
});

describe('pause_collection', () => {
  /** A subscription on a test clock, its collection paused by `pause`, renewed once. */
  async function renewedWhilePaused(pause: Stripe.SubscriptionUpdateParams.PauseCollection) {
    const { clock, customer, subscription } = await onClock(1_690_000_000);
    await stripe.subscriptions.update(subscription.id, { pause_collection: pause });
    await stripe.testHelpers.testClocks.advance(clock.id, {
      frozen_time: subscription.current_period_end + 2 * 3600,
    });
    const renewed = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    const charges = await stripe.charges.list({ customer: customer.id });
    return { subscription, renewed, invoice: invoiceOf(renewed), charges: charges.data };
  }

  it.each([
    ['void', 'void'],
    ['mark_uncollectible', 'uncollectible'],
  ] as const)('%s closes the renewal invoice uncharged', async (behavior, status) => {
    const { renewed, invoice, charges } = await renewedWhilePaused({ behavior });
    expect(invoice).toMatchObject({ billing_reason: 'subscription_cycle', status, amount_paid: 0 });
    expect(charges).toHaveLength(1);
    expect(renewed.status).toBe('active');
  });

  it('keep_as_draft leaves the renewal invoice a draft', async () => {
    const { renewed, invoice, charges } = await renewedWhilePaused({ behavior: 'keep_as_draft' });
    expect(invoice).toMatchObject({ status: 'draft', auto_advance: false });
    expect(charges).toHaveLength(1);
    expect(renewed.status).toBe('active');
  });

  it('collection resumes at resumes_at', async () => {
    const { renewed, invoice, charges } = await renewedWhilePaused({
      behavior: 'void',
      resumes_at: 1_690_000_000 + 86_400,
    });
    expect(invoice.status).toBe('paid');
    expect(charges).toHaveLength(2);
    expect(renewed.pause_collection).toBeNull();
  });
});

describe('customer.subscription.trial_will_end', () => {
  const warnings = async (id: string) =>
    (await eventTypes(id)).filter((type) => type === 'customer.subscription.trial_will_end');

  it('is sent once a test clock reaches three days before the trial ends', async () => {
    const start = 1_690_000_000;
    const { clock, subscription } = await onClock(start, { trial_period_days: 14 });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 10 * 86_400 });
    expect(await warnings(subscription.id)).toEqual([]);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 11 * 86_400 });
    expect(await warnings(subscription.id)).toEqual(['customer.subscription.trial_will_end']);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 12 * 86_400 });
    expect(await warnings(subscription.id)).toHaveLength(1);
  });

  it('is sent at once for a trial shorter than three days, and not again', async () => {
    const start = 1_690_000_000;
    const { clock, subscription } = await onClock(start, { trial_period_days: 2 });
    expect(await warnings(subscription.id)).toEqual(['customer.subscription.trial_will_end']);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 86_400 });
    expect(await warnings(subscription.id)).toHaveLength(1);
  });

  it('is sent at once when an update moves the trial’s end under three days away, and not again', async () => {
    const start = 1_690_000_000;
    const { subscription } = await onClock(start, { trial_period_days: 14 });
    await stripe.subscriptions.update(subscription.id, { trial_end: start + 5 * 86_400 });
    expect(await warnings(subscription.id)).toEqual([]);
    await stripe.subscriptions.update(subscription.id, { trial_end: start + 2 * 86_400 });
    expect(await warnings(subscription.id)).toEqual(['customer.subscription.trial_will_end']);
    await stripe.subscriptions.update(subscription.id, { trial_end: start + 86_400 });
    expect(await warnings(subscription.id)).toHaveLength(1);
  });

  it('is sent when the trial is ended now', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
      trial_period_days: 14,
    });
    await stripe.subscriptions.update(subscription.id, { trial_end: 'now' });
    expect(await warnings(subscription.id)).toEqual(['customer.subscription.trial_will_end']);
  });
});

describe('subscription items', () => {
  it('one added mid-period is prorated for the rest of the period', async () => {
    const start = 1_690_000_000;
    const { clock, customer, subscription } = await onClock(start);
    const half = Math.round((subscription.current_period_end - start) / 2);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + half });
    await stripe.subscriptionItems.create({ subscription: subscription.id, price: SEED.prices.proMonthly });
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    const total = subscription.current_period_end - start;
    expect(pending.data.map((i) => [i.proration, i.amount, i.period.start, i.period.end])).toEqual([
      [true, Math.round((2500 * (total - half)) / total), start + half, subscription.current_period_end],
    ]);
  });

  it('one added with proration_behavior=none is not', async () => {
    const { customer, subscription } = await onClock(1_690_000_000);
    await stripe.subscriptionItems.create({
      subscription: subscription.id,
      price: SEED.prices.proMonthly,
      proration_behavior: 'none',
    });
    expect((await stripe.invoiceItems.list({ customer: customer.id })).data).toEqual([]);
  });

  it('the last one cannot be removed', async () => {
    const { subscription } = await onClock(1_690_000_000);
    const only = subscription.items.data[0]!;
    await expect(stripe.subscriptionItems.del(only.id)).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      stripe.subscriptions.update(subscription.id, { items: [{ id: only.id, deleted: true }] }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'items' });
    const replaced = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: only.id, deleted: true }, { price: SEED.prices.proMonthly }],
    });
    expect(replaced.items.data.map((i) => i.price.id)).toEqual([SEED.prices.proMonthly]);
  });

  it('take a plan (a price’s id) where they take a price, on the subscription or on their own', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ plan: SEED.prices.basicMonthly }],
    });
    const first = subscription.items.data[0]!;
    expect([first.price.id, first.plan.id]).toEqual([SEED.prices.basicMonthly, SEED.prices.basicMonthly]);
    const updated = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: first.id, plan: SEED.prices.proMonthly }],
      proration_behavior: 'none',
    });
    expect(updated.items.data.map((i) => i.price.id)).toEqual([SEED.prices.proMonthly]);
    const added = await stripe.subscriptionItems.create({
      subscription: subscription.id,
      plan: SEED.prices.basicMonthly,
      proration_behavior: 'none',
    });
    expect(added.price.id).toBe(SEED.prices.basicMonthly);
    const other = await stripe.prices.create({
      currency: 'usd',
      product_data: { name: 'Other' },
      recurring: { interval: 'month' },
      unit_amount: 700,
    });
    const changed = await stripe.subscriptionItems.update(added.id, {
      plan: other.id,
      proration_behavior: 'none',
    });
    expect([changed.price.id, changed.plan.id]).toEqual([other.id, other.id]);
  });

  it('take a plan in the invoice preview and in a schedule’s phases', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const upcoming = await stripe.invoices.retrieveUpcoming({
      customer: customer.id,
      subscription_items: [{ plan: SEED.prices.basicMonthly, quantity: 2 }],
    });
    expect(upcoming.lines.data.map((l) => [l.price?.id, l.quantity])).toEqual([
      [SEED.prices.basicMonthly, 2],
    ]);
    const lines = await stripe.invoices.listUpcomingLines({
      customer: customer.id,
      subscription_details: { items: [{ plan: SEED.prices.proMonthly }] },
    });
    expect(lines.data.map((l) => l.price?.id)).toEqual([SEED.prices.proMonthly]);
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      phases: [{ items: [{ plan: SEED.prices.basicMonthly }], iterations: 1 }],
    });
    expect(schedule.phases[0]!.items.map((i) => i.price)).toEqual([SEED.prices.basicMonthly]);
    const updated = await stripe.subscriptionSchedules.update(schedule.id, {
      phases: [
        {
          items: [{ plan: SEED.prices.basicMonthly }],
          start_date: schedule.phases[0]!.start_date,
          end_date: schedule.phases[0]!.end_date,
        },
        { items: [{ plan: SEED.prices.proMonthly }], iterations: 1 },
      ],
    });
    expect(updated.phases.map((phase) => phase.items.map((i) => i.price))).toEqual([
      [SEED.prices.basicMonthly],
      [SEED.prices.proMonthly],
    ]);
  });

  it('refuse prices of another interval or currency than the others’', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const mismatch = (field: string) => ({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      message: expect.stringMatching(new RegExp(`must match across all plans.*mismatch in ${field} field`)),
    });
    await expect(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: SEED.prices.basicMonthly }, { price: SEED.prices.proYearly }],
      }),
    ).rejects.toMatchObject({ ...mismatch('interval'), param: 'items' });
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
    });
    await expect(
      stripe.subscriptions.update(subscription.id, { items: [{ price: SEED.prices.proYearly }] }),
    ).rejects.toMatchObject({ ...mismatch('interval'), param: 'items' });
    const quarterly = await stripe.prices.create({
      currency: 'usd',
      product_data: { name: 'Quarterly' },
      recurring: { interval: 'month', interval_count: 3 },
      unit_amount: 2500,
    });
    await expect(
      stripe.subscriptionItems.create({ subscription: subscription.id, price: quarterly.id }),
    ).rejects.toMatchObject({ ...mismatch('interval'), param: 'price' });
    await expect(
      stripe.subscriptionItems.create({
        subscription: subscription.id,
        price_data: {
          currency: 'eur',
          product: SEED.products.basic,
          recurring: { interval: 'month' },
          unit_amount: 900,
        },
      }),
    ).rejects.toMatchObject({ ...mismatch('currency'), param: 'price_data' });
    const only = subscription.items.data[0]!;
    await expect(stripe.subscriptionItems.update(only.id, { price: quarterly.id })).resolves.toMatchObject({
      price: { id: quarterly.id },
    });
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data.map((i) => i.price.id)).toEqual([
      quarterly.id,
    ]);
    await expect(
      stripe.subscriptionSchedules.create({
        customer: customer.id,
        start_date: 'now',
        phases: [{ items: [{ price: SEED.prices.basicMonthly }, { price: SEED.prices.proYearly }] }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'phases' });
  });

  it('refuse a plan given with a price', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    await expect(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ plan: SEED.prices.basicMonthly, price: SEED.prices.proMonthly }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'parameters_exclusive', param: 'items[0][plan]' });
    const { subscription } = await onClock(1_690_000_000);
    await expect(
      stripe.subscriptionItems.create({
        subscription: subscription.id,
        plan: SEED.prices.proMonthly,
        price: SEED.prices.proMonthly,
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'parameters_exclusive', param: 'plan' });
  });
});

describe('canceling', () => {
  /** A subscription on a test clock halfway through its first period, and its customer. */
  async function halfway() {
    const start = 1_690_000_000;
    const { clock, customer, subscription } = await onClock(start);
    const total = subscription.current_period_end - start;
    const at = start + Math.round(total / 2);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at });
    const unused = -Math.round((1000 * (subscription.current_period_end - at)) / total);
    return { customer, subscription, at, unused };
  }

  it('with prorate credits the unused time; with invoice_now invoices it at once', async () => {
    const { subscription, at, unused } = await halfway();
    const canceled = await stripe.subscriptions.cancel(subscription.id, {
      invoice_now: true,
      prorate: true,
      expand: ['latest_invoice'],
    });
    expect(canceled).toMatchObject({ status: 'canceled', canceled_at: at, ended_at: at });
    const final = canceled.latest_invoice as Stripe.Invoice;
    expect(final.id).not.toBe(subscription.latest_invoice);
    expect(final).toMatchObject({ subscription: subscription.id, total: unused, amount_due: 0, created: at });
    expect(final.lines.data.map((l) => [l.amount, l.proration, l.period.start])).toEqual([
      [unused, true, at],
    ]);
  });

  it('with prorate alone leaves the credit pending', async () => {
    const { customer, subscription, unused } = await halfway();
    await stripe.subscriptions.cancel(subscription.id, { prorate: true });
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(pending.data.map((i) => [i.amount, i.proration])).toEqual([[unused, true]]);
  });

  it('plainly settles nothing', async () => {
    const { customer, subscription } = await halfway();
    const canceled = await stripe.subscriptions.cancel(subscription.id);
    expect(canceled.latest_invoice).toBe(subscription.latest_invoice);
    expect((await stripe.invoiceItems.list({ customer: customer.id })).data).toEqual([]);
  });
});

describe('an incomplete subscription on a test clock', () => {
  it('expires 23 hours on with its first invoice unpaid, and that invoice is voided', async () => {
    const start = 1_690_000_000;
    const { clock, subscription } = await onClock(start, { payment_behavior: 'default_incomplete' });
    expect(subscription.status).toBe('incomplete');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 22 * 3600 });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('incomplete');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 23 * 3600 });
    const expired = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    const voided = expired.latest_invoice as Stripe.Invoice;
    expect(expired.status).toBe('incomplete_expired');
    expect(voided.status).toBe('void');
    await stripe.testHelpers.testClocks.advance(clock.id, {
      frozen_time: subscription.current_period_end + 3600,
    });
    const later = await stripe.subscriptions.retrieve(subscription.id);
    expect(later).toMatchObject({ status: 'incomplete_expired', latest_invoice: voided.id });
  });
});

describe('customer.subscription.updated for its items', () => {
  /** The `customer.subscription.updated` events about `id`, newest first. */
  const updates = async (id: string) =>
    (await stripe.events.list({ type: 'customer.subscription.updated', limit: 100 })).data.filter(
      (e) => (e.data.object as { id?: string }).id === id,
    );
  const quantities = (event: Stripe.Event | undefined) =>
    (event?.data.previous_attributes as { items?: Stripe.ApiList<Stripe.SubscriptionItem> })?.items?.data.map(
      (i) => i.quantity,
    );

  it('is sent once per change, through the subscription or its items', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
    });
    const item = subscription.items.data[0]!;
    await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, quantity: 2 }],
      proration_behavior: 'none',
    });
    let events = await updates(subscription.id);
    expect(events).toHaveLength(1);
    expect(quantities(events[0])).toEqual([1]);

    await stripe.subscriptionItems.update(item.id, { quantity: 3, proration_behavior: 'none' });
    events = await updates(subscription.id);
    expect(events).toHaveLength(2);
    expect(quantities(events[0])).toEqual([2]);

    const added = await stripe.subscriptionItems.create({
      subscription: subscription.id,
      price: SEED.prices.proMonthly,
      proration_behavior: 'none',
    });
    await stripe.subscriptionItems.del(added.id, { proration_behavior: 'none' });
    events = await updates(subscription.id);
    expect(events.map(quantities)).toEqual([[3, 1], [3], [2], [1]]);
  });

  it('a change that also invoices is one event', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
    });
    await stripe.subscriptions.update(subscription.id, {
      items: [{ id: subscription.items.data[0]!.id, quantity: 2 }],
      proration_behavior: 'always_invoice',
    });
    const events = await updates(subscription.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.data.previous_attributes).toHaveProperty('latest_invoice', subscription.latest_invoice);
  });
});
