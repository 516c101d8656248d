/**
 * The flows a developer following Stripe's docs runs in the less travelled families: Issuing's
 * test-helper authorizations and cards, Terminal's server-driven payments, Tax calculations and
 * transactions; each answer checked against what Stripe does.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
afterAll(() => h.close());

/** An active virtual card of a new cardholder, with `limit` a per-authorization spending limit. */
async function activeCard(limit?: number): Promise<Stripe.Issuing.Card> {
  const holder = await stripe.issuing.cardholders.create({
    name: 'Jenny Rosen',
    type: 'individual',
    billing: {
      address: { line1: '1 Main St', city: 'SF', state: 'CA', postal_code: '94111', country: 'US' },
    },
  });
  return stripe.issuing.cards.create({
    cardholder: holder.id,
    currency: 'usd',
    type: 'virtual',
    status: 'active',
    ...(limit
      ? { spending_controls: { spending_limits: [{ amount: limit, interval: 'per_authorization' }] } }
      : {}),
  });
}

describe('Issuing authorizations (test helpers)', () => {
  it('an increment raises the held amount, and a capture takes the new total', async () => {
    const card = await activeCard();
    const auth = await stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 500 });
    const raised = await stripe.testHelpers.issuing.authorizations.increment(auth.id, {
      increment_amount: 200,
    });
    expect(raised).toMatchObject({ status: 'pending', amount: 700, merchant_amount: 700, approved: true });
    expect(raised.request_history.map((r) => [r.amount, r.approved])).toEqual([
      [500, true],
      [200, true],
    ]);
    const captured = await stripe.testHelpers.issuing.authorizations.capture(auth.id);
    expect(captured.transactions.map((t) => t.amount)).toEqual([-700]);
  });

  it('an increment past the spending limit is declined and leaves the amount', async () => {
    const card = await activeCard(1000);
    const auth = await stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 800 });
    const declined = await stripe.testHelpers.issuing.authorizations.increment(auth.id, {
      increment_amount: 300,
    });
    expect(declined).toMatchObject({ status: 'pending', amount: 800 });
    expect(declined.request_history.at(-1)).toMatchObject({ approved: false, reason: 'spending_controls' });
  });
});

describe('Issuing physical cards (test helpers)', () => {
  it('a shipment starts pending and the shipping helpers move it along', async () => {
    const holder = (await activeCard()).cardholder;
    const card = await stripe.issuing.cards.create({
      cardholder: holder.id,
      currency: 'usd',
      type: 'physical',
      shipping: {
        name: 'Jenny Rosen',
        address: { line1: '1 Main St', city: 'SF', state: 'CA', postal_code: '94111', country: 'US' },
      },
    });
    expect(card.shipping?.status).toBe('pending');
    const cards = stripe.testHelpers.issuing.cards;
    expect((await cards.shipCard(card.id)).shipping?.status).toBe('shipped');
    expect((await cards.deliverCard(card.id)).shipping?.status).toBe('delivered');
    expect((await cards.returnCard(card.id)).shipping?.status).toBe('returned');
    expect((await cards.failCard(card.id)).shipping?.status).toBe('failure');
    expect((await stripe.issuing.cards.retrieve(card.id)).shipping?.status).toBe('failure');
  });

  it('a virtual card has no shipment to move', async () => {
    const card = await activeCard();
    await expect(stripe.testHelpers.issuing.cards.shipCard(card.id)).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});
