/**
 * Billing behaviours checked against Stripe's: what a subscription item shows of its price once the
 * price changes, schedules' last phase, credit notes, payment links and the billing portal.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { startHarness } from '../server/harness.ts';
import { startEmulatorHarness } from './helpers.ts';
import { monthlyPrice, oneTimePrice } from './prices.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
const gateway = await startHarness();
afterAll(() => Promise.all([h.close(), gateway.close()]));

type Obj = Record<string, any>;
const post = <T = Obj>(path: string, params: Obj) =>
  gateway.admin.request<T>({ method: 'POST', path, params });

describe('a subscription item’s price', () => {
  it('reads as the price stands now once the price is archived or renamed', async () => {
    const product = await stripe.products.create({ name: 'Archived later' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1200,
      nickname: 'Old name',
      recurring: { interval: 'month' },
    });
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    await stripe.prices.update(price.id, { active: false, nickname: 'New name', metadata: { tier: 'b' } });

    const read = await stripe.subscriptions.retrieve(subscription.id);
    const item = read.items.data[0]!;
    expect(item.price).toMatchObject({
      id: price.id,
      active: false,
      nickname: 'New name',
      metadata: { tier: 'b' },
    });
    expect(item.plan).toMatchObject({ id: price.id, active: false, nickname: 'New name' });
    expect((await stripe.subscriptionItems.retrieve(item.id)).price).toMatchObject({
      active: false,
      nickname: 'New name',
    });
    const listed = await stripe.subscriptionItems.list({ subscription: subscription.id });
    expect(listed.data[0]!.price.active).toBe(false);
    // Still billed the same: the amount a price bills never changes.
    expect(item.price.unit_amount).toBe(1200);
  });
});

describe('a subscription’s add_invoice_items', () => {
  it('bills one-time prices once, on its first invoice or its next one', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const [plan, setup, extra] = [await monthly(1000), await oneTime(2500), await oneTime(300)];
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: plan.id }],
      add_invoice_items: [{ price: setup.id }],
      expand: ['latest_invoice'],
    });
    const first = subscription.latest_invoice as Stripe.Invoice;
    expect(first).toMatchObject({ total: 3500, status: 'paid' });
    expect(first.lines.data.map((line) => [line.price?.id, line.amount])).toContainEqual([setup.id, 2500]);

    await stripe.subscriptions.update(subscription.id, {
      add_invoice_items: [{ price: extra.id, quantity: 2 }],
    });
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(pending.data.map((item) => [item.price?.id, item.amount, item.subscription])).toEqual([
      [extra.id, 600, subscription.id],
    ]);
    await expect(
      stripe.subscriptions.update(subscription.id, { add_invoice_items: [{ price: 'price_missing' }] }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'add_invoice_items[0][price]' });
  });
});

describe('a scheduled cancellation', () => {
  it('ends the subscription at its cancel_at, dated by the request that set it', async () => {
    const start = 1_700_000_000;
    const { clock, customer } = await clockedCustomer(start);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthly(1000)).id }],
      cancel_at: start + 10 * 86_400,
    });
    expect(subscription).toMatchObject({ status: 'active', canceled_at: start });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 11 * 86_400 });
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: 'canceled',
      canceled_at: start,
      ended_at: start + 10 * 86_400,
      cancellation_details: { reason: 'cancellation_requested' },
    });
  });

  it('credits the time after a cancel_at set within the period, unless told not to prorate', async () => {
    const start = 1_700_000_000;
    const { clock, customer } = await clockedCustomer(start);
    const price = await monthly(3000);
    const [prorated, plain] = [
      await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] }),
      await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] }),
    ];
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 5 * 86_400 });
    const cancelAt = start + 20 * 86_400;
    await stripe.subscriptions.update(prorated.id, { cancel_at: cancelAt });
    await stripe.subscriptions.update(plain.id, { cancel_at: cancelAt, proration_behavior: 'none' });
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(pending.data.map((i) => [i.subscription, i.proration, i.period.start])).toEqual([
      [prorated.id, true, cancelAt],
    ]);
    expect(pending.data[0]!.amount).toBeLessThan(0);
  });

  it('at the period’s end keeps the date of the update that asked for it', async () => {
    const start = 1_700_000_000;
    const { clock, customer } = await clockedCustomer(start);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthly(1000)).id }],
    });
    const asked = start + 5 * 86_400;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: asked });
    const set = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    expect(set).toMatchObject({ status: 'active', canceled_at: asked });
    expect(
      (await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false })).canceled_at,
    ).toBeNull();
    await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });

    await stripe.testHelpers.testClocks.advance(clock.id, {
      frozen_time: subscription.current_period_end + 60,
    });
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: 'canceled',
      canceled_at: asked,
      ended_at: subscription.current_period_end,
      cancellation_details: { reason: 'cancellation_requested' },
    });
  });
});

describe('a subscription item’s price through GraphQL', () => {
  it('shows the price archived since', async () => {
    const price = await post('/v1/prices', {
      currency: 'usd',
      unit_amount: 900,
      product_data: { name: 'Archived in GraphQL' },
      recurring: { interval: 'month' },
    });
    const customer = await post('/v1/customers', { source: 'tok_visa' });
    const subscription = await post('/v1/subscriptions', {
      customer: customer.id,
      items: [{ price: price.id }],
    });
    await post(`/v1/prices/${price.id}`, { active: false, nickname: 'Retired' });
    const response = await gateway.query(
      'query($id: ID!) { subscription(id: $id) { items { nodes { price { id active nickname } } } } }',
      { variables: { id: subscription.id } },
    );
    expect(response.body.errors).toBeUndefined();
    expect((response.body.data as Obj).subscription.items.nodes).toEqual([
      { price: { id: price.id, active: false, nickname: 'Retired' } },
    ]);
  });
});

/** A test clock frozen at `time` and a customer with a card on it. */
async function clockedCustomer(time: number) {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: time });
  return { clock, customer: await stripe.customers.create({ source: 'tok_visa', test_clock: clock.id }) };
}

const monthly = (amount: number) => monthlyPrice(stripe, amount);
const oneTime = (amount: number) => oneTimePrice(stripe, amount);

describe('a schedule’s phases updated', () => {
  it('are laid end to end, and the subscription moves to the next one at its start', async () => {
    const start = 1_700_000_000;
    const { clock, customer } = await clockedCustomer(start);
    const [pro, basic] = [await monthly(4000), await monthly(1000)];
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: pro.id }],
    });
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    const [current] = schedule.phases;
    // The documented downgrade: keep the current phase, then one more on the cheaper price.
    const updated = await stripe.subscriptionSchedules.update(schedule.id, {
      phases: [
        { items: [{ price: pro.id }], start_date: current!.start_date, end_date: current!.end_date },
        { items: [{ price: basic.id, quantity: 2 }], iterations: 1 },
      ],
    });
    const [, next] = updated.phases;
    expect(next).toMatchObject({
      start_date: current!.end_date,
      items: [{ price: basic.id, quantity: 2 }],
      proration_behavior: 'create_prorations',
    });
    expect(next!.end_date).toBeGreaterThan(next!.start_date);
    expect(updated.current_phase).toEqual({ start_date: current!.start_date, end_date: current!.end_date });

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: current!.end_date + 3600 });
    const moved = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(moved.items.data.map((i) => [i.price.id, i.quantity])).toEqual([[basic.id, 2]]);
    expect(moved.latest_invoice).toMatchObject({ billing_reason: 'subscription_cycle', total: 2000 });
  });

  it('change the running phase’s items at once, prorated as the update says', async () => {
    const start = 1_700_000_000;
    const { clock, customer } = await clockedCustomer(start);
    const seat = await monthly(1000);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: seat.id }],
    });
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    const [current] = schedule.phases;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 10 * 86_400 });
    const running = (quantity: number) => [
      { items: [{ price: seat.id, quantity }], start_date: current!.start_date, end_date: current!.end_date },
    ];

    await stripe.subscriptionSchedules.update(schedule.id, { phases: running(3) });
    const items = async () =>
      (await stripe.subscriptions.retrieve(subscription.id)).items.data.map((i) => [i.price.id, i.quantity]);
    expect(await items()).toEqual([[seat.id, 3]]);
    const prorations = await stripe.invoiceItems.list({ customer: customer.id });
    expect(prorations.data.length).toBeGreaterThan(0);
    expect(prorations.data.every((i) => i.proration)).toBe(true);

    await stripe.subscriptionSchedules.update(schedule.id, {
      phases: running(4),
      proration_behavior: 'none',
    });
    expect(await items()).toEqual([[seat.id, 4]]);
    expect((await stripe.invoiceItems.list({ customer: customer.id })).data).toHaveLength(
      prorations.data.length,
    );
  });

  it('start a not-started schedule at once when the first phase starts now', async () => {
    const now = 1_700_000_000;
    const { customer } = await clockedCustomer(now);
    const price = await monthly(1200);
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: now + 10 * 86_400,
      phases: [{ items: [{ price: price.id }] }],
    });
    expect(schedule.status).toBe('not_started');
    const updated = await stripe.subscriptionSchedules.update(schedule.id, {
      phases: [{ items: [{ price: price.id }], start_date: 'now', iterations: 2 }],
    });
    expect(updated).toMatchObject({ status: 'active', current_phase: { start_date: now } });
    expect(await stripe.subscriptions.retrieve(updated.subscription as string)).toMatchObject({
      status: 'active',
      schedule: schedule.id,
    });
  });
});

describe('a schedule phase’s items', () => {
  it('may make their price with price_data', async () => {
    const product = await stripe.products.create({ name: 'Inline plan' });
    const schedule = await stripe.subscriptionSchedules.create({
      customer: (await stripe.customers.create({ source: 'tok_visa' })).id,
      start_date: 'now',
      phases: [
        {
          items: [
            {
              price_data: {
                currency: 'usd',
                product: product.id,
                unit_amount: 2200,
                recurring: { interval: 'month' },
              },
              quantity: 2,
            },
          ],
        },
      ],
    });
    const price = schedule.phases[0]!.items[0]!.price as string;
    expect(price).toMatch(/^price_/);
    const subscription = await stripe.subscriptions.retrieve(schedule.subscription as string, {
      expand: ['latest_invoice'],
    });
    expect(subscription.items.data[0]).toMatchObject({
      quantity: 2,
      price: { id: price, unit_amount: 2200, product: product.id },
    });
    expect(subscription.latest_invoice).toMatchObject({ total: 4400 });
  });
});

describe('a schedule phase’s metadata', () => {
  it('is added to its subscription’s as the phase is entered', async () => {
    const start = 1_700_000_000;
    const { clock, customer } = await clockedCustomer(start);
    const price = await monthly(800);
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      phases: [
        { items: [{ price: price.id }], metadata: { plan: 'intro', promo: 'spring' } },
        { items: [{ price: price.id }], metadata: { plan: 'standard', promo: '' } },
      ],
    });
    const subscription = schedule.subscription as string;
    expect((await stripe.subscriptions.retrieve(subscription)).metadata).toEqual({
      plan: 'intro',
      promo: 'spring',
    });
    await stripe.testHelpers.testClocks.advance(clock.id, {
      frozen_time: schedule.phases[1]!.start_date + 60,
    });
    expect((await stripe.subscriptions.retrieve(subscription)).metadata).toEqual({ plan: 'standard' });
  });
});

describe('a schedule phase’s add_invoice_items', () => {
  it('are billed once, on the phase’s first invoice', async () => {
    const start = 1_700_000_000;
    const { clock, customer } = await clockedCustomer(start);
    const [plan, fee] = [await monthly(1000), await oneTime(77)];
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      phases: [
        { items: [{ price: plan.id }], add_invoice_items: [{ price: fee.id }] },
        { items: [{ price: plan.id }], add_invoice_items: [{ price: fee.id, quantity: 2 }], iterations: 2 },
      ],
    });
    expect(schedule.phases[1]!.add_invoice_items).toEqual([
      { discounts: [], price: fee.id, quantity: 2, tax_rates: [] },
    ]);
    await stripe.testHelpers.testClocks.advance(clock.id, {
      frozen_time: schedule.phases[1]!.start_date + 3600,
    });
    const invoices = await stripe.invoices.list({ subscription: schedule.subscription as string });
    expect(invoices.data.map((i) => [i.billing_reason, i.total])).toEqual([
      ['subscription_cycle', 1154],
      ['subscription_create', 1077],
    ]);
  });
});

describe('a schedule’s trial phase', () => {
  it('starts its subscription trialing, then bills the next phase when it ends', async () => {
    const start = 1_700_000_000;
    const { clock, customer } = await clockedCustomer(start);
    const price = await monthly(1900);
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      phases: [
        { items: [{ price: price.id }], trial: true, description: 'Trial month' },
        { items: [{ price: price.id }], iterations: 2, proration_behavior: 'none' },
      ],
    });
    const [trial, paid] = schedule.phases;
    expect(trial).toMatchObject({ trial_end: trial!.end_date, description: 'Trial month' });
    expect(paid).toMatchObject({ trial_end: null, proration_behavior: 'none' });
    const subscription = await stripe.subscriptions.retrieve(schedule.subscription as string, {
      expand: ['latest_invoice'],
    });
    expect(subscription).toMatchObject({ status: 'trialing', trial_end: trial!.end_date });
    expect(subscription.latest_invoice).toMatchObject({ total: 0 });

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: paid!.start_date + 3600 });
    const billed = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(billed.status).toBe('active');
    expect(billed.latest_invoice).toMatchObject({ total: 1900, status: 'paid' });
  });
});

describe('a schedule canceled', () => {
  /** A schedule's subscription on a clock, ten days into its month. */
  async function scheduledMidPeriod() {
    const start = 1_700_000_000;
    const { clock, customer } = await clockedCustomer(start);
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      phases: [{ items: [{ price: (await monthly(3000)).id }], iterations: 3 }],
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 10 * 86_400 });
    return { schedule, subscription: schedule.subscription as string };
  }

  it('cancels its subscription crediting the unused time on a final invoice by default', async () => {
    const { schedule, subscription } = await scheduledMidPeriod();
    const before = (await stripe.subscriptions.retrieve(subscription)).latest_invoice;
    expect(await stripe.subscriptionSchedules.cancel(schedule.id)).toMatchObject({ status: 'canceled' });
    const canceled = await stripe.subscriptions.retrieve(subscription, { expand: ['latest_invoice'] });
    expect(canceled.status).toBe('canceled');
    const final = canceled.latest_invoice as Stripe.Invoice;
    expect(final.id).not.toBe(before);
    expect(final.lines.data.some((line) => line.proration && line.amount < 0)).toBe(true);
  });

  it('neither prorates nor invoices with prorate=false and invoice_now=false', async () => {
    const { schedule, subscription } = await scheduledMidPeriod();
    const before = (await stripe.subscriptions.retrieve(subscription)).latest_invoice;
    await stripe.subscriptionSchedules.cancel(schedule.id, { prorate: false, invoice_now: false });
    const canceled = await stripe.subscriptions.retrieve(subscription);
    expect(canceled).toMatchObject({ status: 'canceled', latest_invoice: before });
    expect((await stripe.invoiceItems.list({ customer: canceled.customer as string })).data).toEqual([]);
  });
});

describe('a schedule’s end_behavior', () => {
  it('takes `none` as `cancel`: at the last phase’s end its subscription is canceled', async () => {
    const now = 1_690_000_000;
    const { clock, customer } = await clockedCustomer(now);
    const price = await monthly(700);
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      end_behavior: 'none',
      phases: [{ items: [{ price: price.id }], iterations: 1 }],
    });
    expect(schedule.end_behavior).toBe('cancel');
    const end = schedule.phases[0]!.end_date;

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: end + 3600 });
    expect(await stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: 'completed',
      completed_at: end,
    });
    expect(await stripe.subscriptions.retrieve(schedule.subscription as string)).toMatchObject({
      status: 'canceled',
      ended_at: end,
    });
  });

  it('`cancel` sets its subscription’s cancel_at, which a release drops unless preserved', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const price = await monthly(600);
    const schedule = (end_behavior: 'cancel' | 'release') =>
      stripe.subscriptionSchedules.create({
        customer: customer.id,
        start_date: 'now',
        end_behavior,
        phases: [{ items: [{ price: price.id }], iterations: 2 }],
      });
    const cancelAt = async (id: unknown) => (await stripe.subscriptions.retrieve(id as string)).cancel_at;

    const kept = await schedule('cancel');
    const end = kept.phases[0]!.end_date;
    expect(await cancelAt(kept.subscription)).toBe(end);
    await stripe.subscriptionSchedules.release(kept.id, { preserve_cancel_date: true });
    expect(await cancelAt(kept.subscription)).toBe(end);

    const dropped = await schedule('cancel');
    await stripe.subscriptionSchedules.release(dropped.id);
    expect(await cancelAt(dropped.subscription)).toBeNull();

    const switched = await schedule('release');
    expect(await cancelAt(switched.subscription)).toBeNull();
    await stripe.subscriptionSchedules.update(switched.id, { end_behavior: 'cancel' });
    // (its own end: created a second later than `kept` under load, it ends a second later)
    expect(await cancelAt(switched.subscription)).toBe(switched.phases[0]!.end_date);
    await stripe.subscriptionSchedules.update(switched.id, { end_behavior: 'release' });
    expect(await cancelAt(switched.subscription)).toBeNull();
  });

  it('can be updated to `none` (read back as `cancel`) but never set to `renew`', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const price = await monthly(700);
    const phases = [{ items: [{ price: price.id }], iterations: 2 }];
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      phases,
    });
    const updated = await stripe.subscriptionSchedules.update(schedule.id, { end_behavior: 'none' });
    expect(updated.end_behavior).toBe('cancel');

    for (const attempt of [
      () => stripe.subscriptionSchedules.update(schedule.id, { end_behavior: 'renew' }),
      () =>
        stripe.subscriptionSchedules.create({
          customer: customer.id,
          start_date: 'now',
          end_behavior: 'renew',
          phases,
        }),
    ])
      await expect(attempt()).rejects.toMatchObject({ statusCode: 400, param: 'end_behavior' });
    expect((await stripe.subscriptionSchedules.retrieve(schedule.id)).end_behavior).toBe('cancel');
    const subscriptions = await stripe.subscriptions.list({ customer: customer.id });
    expect(subscriptions.data).toHaveLength(1);
  });
});

/** Opens a hosted page (a payment link's) and pays the Checkout page it leads to with the test card. */
async function buyThrough(url: string): Promise<string> {
  const opened = await h.emulator.fetch(new Request(url));
  const checkout = opened.headers.get('location')!;
  const form = new URLSearchParams([
    ['card', '4242 4242 4242 4242'],
    ['email', 'buyer@example.com'],
  ]);
  await h.emulator.fetch(new Request(checkout, { method: 'POST', body: form }));
  return checkout.split('/').pop()!;
}

describe('a payment link', () => {
  it('shows Stripe’s defaults, and its one-time purchase makes no Customer', async () => {
    const price = await oneTime(500);
    const link = await stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 1 }] });
    expect(link).toMatchObject({
      customer_creation: 'if_required',
      after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: null } },
      invoice_creation: {
        enabled: false,
        invoice_data: { description: null, footer: null, metadata: {}, custom_fields: null },
      },
    });

    const session = await stripe.checkout.sessions.retrieve(await buyThrough(link.url));
    expect(session).toMatchObject({
      status: 'complete',
      payment_link: link.id,
      customer_creation: 'if_required',
      customer: null,
      customer_details: { email: 'buyer@example.com' },
    });
  });

  it('counts its completed sessions toward its limit, and deactivates once it is met', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: (await oneTime(400)).id, quantity: 1 }],
      restrictions: { completed_sessions: { limit: 2 } },
      inactive_message: 'Sold out',
    });
    expect(link.restrictions).toEqual({ completed_sessions: { count: 0, limit: 2 } });
    await buyThrough(link.url);
    expect(await stripe.paymentLinks.retrieve(link.id)).toMatchObject({
      active: true,
      restrictions: { completed_sessions: { count: 1, limit: 2 } },
    });
    await buyThrough(link.url);
    expect(await stripe.paymentLinks.retrieve(link.id)).toMatchObject({
      active: false,
      restrictions: { completed_sessions: { count: 2, limit: 2 } },
    });
    const again = await h.emulator.fetch(new Request(link.url));
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('Sold out');
  });

  it('replaces its after_completion whole on update', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: (await oneTime(100)).id, quantity: 1 }],
    });
    const redirect = { type: 'redirect' as const, redirect: { url: 'https://example.com/thanks' } };
    expect(
      (await stripe.paymentLinks.update(link.id, { after_completion: redirect })).after_completion,
    ).toEqual(redirect);
    const back = await stripe.paymentLinks.update(link.id, {
      after_completion: { type: 'hosted_confirmation' },
    });
    expect(back.after_completion).toEqual({
      type: 'hosted_confirmation',
      hosted_confirmation: { custom_message: null },
    });
  });

  it('keeps what it was given, and a subscription link has no invoice creation', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: (await monthly(900)).id, quantity: 1 }],
      customer_creation: 'always',
      after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'Thanks!' } },
    });
    expect(link).toMatchObject({
      customer_creation: 'always',
      after_completion: { hosted_confirmation: { custom_message: 'Thanks!' } },
      invoice_creation: null,
    });
  });
});

describe('a billing portal configuration', () => {
  it('prorates nothing unless told, as Stripe defaults both proration behaviours to none', async () => {
    const configuration = await stripe.billingPortal.configurations.create({
      business_profile: { headline: 'Plans' },
      features: { subscription_cancel: { enabled: true, mode: 'immediately' } },
    });
    expect(configuration.features.subscription_cancel).toMatchObject({
      enabled: true,
      mode: 'immediately',
      proration_behavior: 'none',
    });
    expect(configuration.features.subscription_update.proration_behavior).toBe('none');
  });
});

describe('the hosted customer portal', () => {
  it('credits the unused time of a subscription it cancels at once with create_prorations', async () => {
    const start = 1_700_000_000;
    const { clock, customer } = await clockedCustomer(start);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthly(3000)).id }],
    });
    const midway = (subscription.current_period_start + subscription.current_period_end) / 2;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: Math.floor(midway) });
    const configuration = await stripe.billingPortal.configurations.create({
      business_profile: { headline: 'Plans' },
      features: {
        subscription_cancel: { enabled: true, mode: 'immediately', proration_behavior: 'create_prorations' },
      },
    });
    const session = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      configuration: configuration.id,
    });
    const form = new URLSearchParams([
      ['action', 'cancel'],
      ['subscription', subscription.id],
    ]);
    const page = await h.emulator.fetch(new Request(session.url, { method: 'POST', body: form }));
    expect(await page.text()).toContain('Subscription canceled.');

    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
    const credits = await stripe.invoiceItems.list({ customer: customer.id });
    expect(credits.data).toHaveLength(1);
    expect(credits.data[0]).toMatchObject({ proration: true, subscription: subscription.id });
    expect(credits.data[0]!.amount).toBeLessThan(0);
  });
});

describe('the hosted portal’s return link', () => {
  it('goes to the configuration’s default_return_url when the session sets none', async () => {
    const configuration = await stripe.billingPortal.configurations.create({
      business_profile: { headline: 'Plans' },
      default_return_url: 'https://example.com/account',
      features: { invoice_history: { enabled: true } },
    });
    const customer = (await stripe.customers.create({})).id;
    const page = async (return_url?: string) => {
      const session = await stripe.billingPortal.sessions.create({
        customer,
        configuration: configuration.id,
        ...(return_url ? { return_url } : {}),
      });
      return (await h.emulator.fetch(new Request(session.url))).text();
    };
    expect(await page()).toContain('href="https://example.com/account"');
    expect(await page('https://example.com/here')).toContain('href="https://example.com/here"');
  });
});

describe('a billing portal session', () => {
  it('shows the flow it deep-links into', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthly(1500)).id }],
    });
    const cancel = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      flow_data: { type: 'subscription_cancel', subscription_cancel: { subscription: subscription.id } },
    });
    expect(cancel.flow).toEqual({
      after_completion: { hosted_confirmation: null, redirect: null, type: 'portal_homepage' },
      subscription_cancel: { retention: null, subscription: subscription.id },
      subscription_update: null,
      subscription_update_confirm: null,
      type: 'subscription_cancel',
    });
    const update = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      flow_data: {
        type: 'payment_method_update',
        after_completion: { type: 'redirect', redirect: { return_url: 'https://example.com/done' } },
      },
    });
    expect(update.flow).toMatchObject({
      type: 'payment_method_update',
      after_completion: { type: 'redirect', redirect: { return_url: 'https://example.com/done' } },
      subscription_cancel: null,
    });
    expect((await stripe.billingPortal.sessions.create({ customer: customer.id })).flow).toBeNull();
    await expect(
      stripe.billingPortal.sessions.create({
        customer: customer.id,
        flow_data: { type: 'subscription_update' },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'flow_data[subscription_update]' });
  });
});

describe('a payment link’s one-time purchase', () => {
  it('makes its PaymentIntent with the link’s payment_intent_data', async () => {
    const price = await oneTime(1800);
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
      payment_intent_data: { description: 'Poster order', metadata: { order: 'p-1' } },
    });
    const session = await stripe.checkout.sessions.retrieve(await buyThrough(link.url), {
      expand: ['payment_intent'],
    });
    expect(session.payment_intent).toMatchObject({
      status: 'succeeded',
      amount: 1800,
      description: 'Poster order',
      metadata: { order: 'p-1' },
    });
  });
});

describe('a payment link selling a subscription', () => {
  it('starts it with the link’s trial, description and metadata', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: (await monthly(2500)).id, quantity: 1 }],
      subscription_data: { trial_period_days: 14, description: 'Team plan', metadata: { source: 'link' } },
    });
    const session = await stripe.checkout.sessions.retrieve(await buyThrough(link.url));
    expect(session).toMatchObject({ status: 'complete', payment_status: 'no_payment_required' });
    const subscription = await stripe.subscriptions.retrieve(session.subscription as string);
    expect(subscription).toMatchObject({
      status: 'trialing',
      description: 'Team plan',
      metadata: { source: 'link' },
    });
    expect(subscription.trial_end! - subscription.trial_start!).toBe(14 * 86_400);
  });
});
