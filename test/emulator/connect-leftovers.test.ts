/**
 * Connect, continued: what a destination's account hears of a destination charge, a direct charge's
 * fee when its request fails, external accounts given as hashes, and subscriptions made by Checkout
 * or a quote for a customer on a test clock.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
afterAll(() => h.close());

/** A new connected account (a custom one in the US). */
const newAccount = async () => (await stripe.accounts.create({ type: 'custom', country: 'US' })).id;

describe("a destination charge's payment", () => {
  it('is announced to the destination account by payment.created, fee included', async () => {
    const account = await newAccount();
    const made = await stripe.charges.create({
      amount: 5000,
      currency: 'usd',
      source: 'tok_visa',
      application_fee_amount: 500,
      transfer_data: { destination: account },
    });
    const charge = await stripe.charges.retrieve(made.id, { expand: ['transfer'] });
    const payment = (charge.transfer as Stripe.Transfer).destination_payment as string;
    const events = await stripe.events.list({ limit: 100 }, { stripeAccount: account });
    const created = events.data.filter((event) => event.type === ('payment.created' as string));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ account, request: { id: expect.stringMatching(/^req_/) } });
    expect(created[0]!.data.object).toMatchObject({
      id: payment,
      object: 'charge',
      amount: 5000,
      application_fee: charge.application_fee,
      source_transfer: (charge.transfer as Stripe.Transfer).id,
    });
    // The platform's own events do not carry it.
    const platform = await stripe.events.list({ limit: 100 });
    expect(platform.data.some((event) => (event.data.object as { id?: string }).id === payment)).toBe(false);
  });

  it("a plain transfer's payment is announced the same way", async () => {
    const account = await newAccount();
    await stripe.topups.create({ amount: 2000, currency: 'usd' });
    const transfer = await stripe.transfers.create({ amount: 700, currency: 'usd', destination: account });
    const events = await stripe.events.list({ limit: 100 }, { stripeAccount: account });
    const created = events.data.find((event) => event.type === ('payment.created' as string));
    expect(created?.data.object).toMatchObject({ id: transfer.destination_payment, amount: 700 });
  });
});
