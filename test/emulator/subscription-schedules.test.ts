/**
 * Subscription schedules over time: a test clock moves them through their phases and releases
 * them at their end.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
afterAll(() => h.close());

describe('a schedule on a test clock', () => {
  it('moves its subscription to the next phase’s items, then releases it', async () => {
    const start = 1_690_000_000;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ source: 'tok_visa', test_clock: clock.id });
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      phases: [
        { items: [{ price: SEED.prices.basicMonthly }], iterations: 1 },
        { items: [{ price: SEED.prices.proMonthly, quantity: 2 }], iterations: 1 },
      ],
    });
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
