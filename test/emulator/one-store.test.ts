/**
 * Plans and prices share one store as in Stripe's API (src/emulator/money/plans.ts), and an invoice
 * preview (`POST /v1/invoices/create_preview`) stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type EmulatorHarness, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await startEmulatorHarness();
});
afterAll(() => h.close());

describe('plans and prices', () => {
  it('a plan is retrieved through the prices API, and a recurring price through the plans API', async () => {
    const plan = await h.stripe.plans.create({
      amount: 1500,
      currency: 'usd',
      interval: 'month',
      product: SEED.products.basic,
      nickname: 'Basic monthly',
    });
    const asPrice = await h.stripe.prices.retrieve(plan.id);
    expect(asPrice).toMatchObject({
      id: plan.id,
      object: 'price',
      unit_amount: 1500,
      currency: 'usd',
      type: 'recurring',
      recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
      nickname: 'Basic monthly',
      product: SEED.products.basic,
    });

    const price = await h.stripe.prices.create({
      unit_amount: 900,
      currency: 'usd',
      recurring: { interval: 'year' },
      product: SEED.products.basic,
    });
    const asPlan = await h.stripe.plans.retrieve(price.id);
    expect(asPlan).toMatchObject({ id: price.id, object: 'plan', amount: 900, interval: 'year' });

    // A one-time price has no plan form.
    const oneTime = await h.stripe.prices.create({
      unit_amount: 900,
      currency: 'usd',
      product: SEED.products.basic,
    });
    await expect(h.stripe.plans.retrieve(oneTime.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('a subscription item shows its price’s plan', async () => {
    const subscription = await h.stripe.subscriptions.retrieve(SEED.jenny.subscription);
    const item = subscription.items.data[0]!;
    expect(item.plan).toMatchObject({ id: item.price.id, object: 'plan', amount: item.price.unit_amount });
  });
});

describe('invoice previews', () => {
  it('POST /v1/invoices/create_preview answers the invoice and stores nothing', async () => {
    const before = h.emulator.store.platform.size;
    const draftsBefore = (await h.stripe.invoices.list({ customer: SEED.jenny.customer, limit: 100 })).data
      .length;
    const response = await h.request('POST', '/v1/invoices/create_preview', {
      body: `customer=${SEED.jenny.customer}`,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ object: 'invoice', customer: SEED.jenny.customer });
    expect(h.emulator.store.platform.size).toBe(before);
    expect((await h.stripe.invoices.list({ customer: SEED.jenny.customer, limit: 100 })).data).toHaveLength(
      draftsBefore,
    );
  });
});
