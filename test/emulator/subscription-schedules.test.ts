/**
 * Subscription schedules over time: a test clock starts them, moves them through their phases
 * and ends them (released, or completed with their subscription canceled).
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
afterAll(() => h.close());

const start = 1_690_000_000;

/** A schedule of `phases` starting now, for a customer with a card on a test clock at `start`. */
async function clockedSchedule(phases: Stripe.SubscriptionScheduleCreateParams.Phase[]) {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await stripe.customers.create({ source: 'tok_visa', test_clock: clock.id });
  const schedule = await stripe.subscriptionSchedules.create({
    customer: customer.id,
    start_date: 'now',
    phases,
  });
  return { clock, schedule };
}

describe('a schedule on a test clock', () => {
  it('moves its subscription to the next phase’s items, then releases it', async () => {
    const { clock, schedule } = await clockedSchedule([
      { items: [{ price: SEED.prices.basicMonthly }], iterations: 1 },
      { items: [{ price: SEED.prices.proMonthly, quantity: 2 }], iterations: 1 },
    ]);
    expect(schedule).toMatchObject({ status: 'active', end_behavior: 'release' });
    const [first, second] = schedule.phases;
    expect(schedule.current_phase).toEqual({ start_date: start, end_date: first!.end_date });
    const subscription = schedule.subscription as string;

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: second!.start_date + 3600 });
    const moved = await stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(moved.current_phase).toEqual({ start_date: second!.start_date, end_date: second!.end_date });
    const renewed = await stripe.subscriptions.retrieve(subscription, { expand: ['latest_invoice'] });
    expect(renewed.items.data.map((i) => [i.price.id, i.quantity])).toEqual([[SEED.prices.proMonthly, 2]]);
    expect(renewed.latest_invoice as Stripe.Invoice).toMatchObject({
      billing_reason: 'subscription_cycle',
      total: 5000,
    });

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: second!.end_date + 3600 });
    expect(await stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: 'released',
      released_at: second!.end_date,
      released_subscription: subscription,
      subscription: null,
      current_phase: null,
    });
    expect(await stripe.subscriptions.retrieve(subscription)).toMatchObject({
      status: 'active',
      schedule: null,
    });
  });
});

describe('a long advance over a schedule’s phases', () => {
  it('plays the phases’ changes and the renewals in turn, each renewal billing its phase', async () => {
    const { clock, schedule } = await clockedSchedule([
      { items: [{ price: SEED.prices.basicMonthly }], iterations: 2 },
      { items: [{ price: SEED.prices.proMonthly, quantity: 2 }], iterations: 1 },
      { items: [{ price: SEED.prices.basicMonthly }], iterations: 1 },
    ]);
    const last = schedule.phases.at(-1)!;
    // One advance over all three phases and the release.
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: last.end_date + 3600 });
    const invoices = await stripe.invoices.list({ subscription: schedule.subscription as string });
    const billed = invoices.data.reverse().map((i) => [i.billing_reason, i.created, i.total]);
    const [second, third] = [schedule.phases[1]!, last];
    expect(billed).toEqual([
      ['subscription_create', start, 1000],
      ['subscription_cycle', expect.any(Number), 1000],
      ['subscription_cycle', second.start_date, 5000],
      ['subscription_cycle', third.start_date, 1000],
      ['subscription_cycle', third.end_date, 1000],
    ]);
    expect(await stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: 'released',
      released_at: third.end_date,
    });
  });
});

describe('a schedule with end_behavior=cancel', () => {
  it('starts when the clock reaches its start_date, and at its end cancels the subscription', async () => {
    const now = 1_690_000_000;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now });
    const customer = await stripe.customers.create({ source: 'tok_visa', test_clock: clock.id });
    const begins = now + 5 * 86_400;
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: begins,
      end_behavior: 'cancel',
      phases: [{ items: [{ price: SEED.prices.basicMonthly }], iterations: 1 }],
    });
    expect(schedule).toMatchObject({ status: 'not_started', subscription: null });
    const [phase] = schedule.phases;

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: begins + 3600 });
    const started = await stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(started).toMatchObject({
      status: 'active',
      current_phase: { start_date: begins, end_date: phase!.end_date },
    });
    const subscription = await stripe.subscriptions.retrieve(started.subscription as string);
    expect(subscription).toMatchObject({
      status: 'active',
      schedule: schedule.id,
      current_period_start: begins,
      current_period_end: phase!.end_date,
    });
    expect(subscription.items.data.map((i) => i.price.id)).toEqual([SEED.prices.basicMonthly]);

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: phase!.end_date + 3600 });
    expect(await stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: 'completed',
      completed_at: phase!.end_date,
      current_phase: null,
    });
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: 'canceled',
      canceled_at: phase!.end_date,
      ended_at: phase!.end_date,
    });
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => i.billing_reason)).toEqual(['subscription_create']);
  });
});

describe('a schedule from a subscription', () => {
  it('releases it at its end by default', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
    });
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    expect(schedule.end_behavior).toBe('release');
  });
});
