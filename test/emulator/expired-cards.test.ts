/**
 * A card past its expiry is declined `expired_card` (402) when charged, directly or through a
 * PaymentIntent, or when set up through a SetupIntent; it is good through the last day of its
 * expiry month. The cards are saved while valid and expire as the emulator's clock moves past
 * their month.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulatorHarness } from './helpers.ts';

const DAY = 86_400;
/** Two days before the end of January 2031: the cards below expire with the month. */
const START = Date.UTC(2031, 0, 30, 12) / 1000;
let now = START;
const h = await startEmulatorHarness({ clock: () => now });
const stripe = h.stripe;
afterAll(() => h.close());

const card = (exp_month: number) => ({ number: '4242424242424242', exp_month, exp_year: 2031, cvc: '123' });

/** What `promise` settles with, its rejection as Stripe's error (a resolution fails the matchers). */
const settled = (promise: Promise<unknown>) =>
  promise.catch((error: unknown) => error) as Promise<Stripe.errors.StripeError>;

describe('a card past its expiry', () => {
  it('charges until its month ends, then is declined expired_card', async () => {
    now = START;
    const token = await stripe.tokens.create({ card: card(1) as never });
    const customer = await stripe.customers.create({ source: token.id });
    const paid = await stripe.charges.create({ amount: 1500, currency: 'usd', customer: customer.id });
    expect(paid.status).toBe('succeeded');

    now = START + 3 * DAY;
    const error = await settled(
      stripe.charges.create({ amount: 1500, currency: 'usd', customer: customer.id }),
    );
    expect(error).toMatchObject({
      type: 'StripeCardError',
      statusCode: 402,
      code: 'expired_card',
      decline_code: 'expired_card',
      message: 'Your card has expired.',
    });
    const charge = await stripe.charges.retrieve(String((error.raw as { charge?: string }).charge));
    expect(charge).toMatchObject({
      status: 'failed',
      paid: false,
      failure_code: 'expired_card',
      outcome: { reason: 'expired_card' },
    });
  });

  it('fails a PaymentIntent confirmation, which asks for another payment method', async () => {
    now = START;
    const customer = await stripe.customers.create({});
    const method = await stripe.paymentMethods.create({ type: 'card', card: card(1) });
    await stripe.paymentMethods.attach(method.id, { customer: customer.id });

    now = START + 3 * DAY;
    const intent = await stripe.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      customer: customer.id,
      payment_method: method.id,
      payment_method_types: ['card'],
    });
    const error = await settled(stripe.paymentIntents.confirm(intent.id));
    expect(error).toMatchObject({ statusCode: 402, code: 'expired_card', decline_code: 'expired_card' });
    const after = await stripe.paymentIntents.retrieve(intent.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error).toMatchObject({ code: 'expired_card', type: 'card_error' });
  });

  it('is good through the last day of its expiry month', async () => {
    now = START + 3 * DAY;
    const method = await stripe.paymentMethods.create({ type: 'card', card: card(2) });
    const intent = await stripe.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      payment_method: method.id,
      confirm: true,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    expect(intent.status).toBe('succeeded');
  });

  it('fails a SetupIntent confirmation, which saves nothing', async () => {
    now = START;
    const customer = await stripe.customers.create({});
    const method = await stripe.paymentMethods.create({ type: 'card', card: card(1) });

    now = START + 3 * DAY;
    const intent = await stripe.setupIntents.create({
      customer: customer.id,
      payment_method: method.id,
      payment_method_types: ['card'],
    });
    const error = await settled(stripe.setupIntents.confirm(intent.id));
    expect(error).toMatchObject({
      type: 'StripeCardError',
      statusCode: 402,
      code: 'expired_card',
      decline_code: 'expired_card',
    });
    const after = await stripe.setupIntents.retrieve(intent.id);
    expect(after).toMatchObject({ status: 'requires_payment_method', payment_method: null });
    expect(after.last_setup_error).toMatchObject({ code: 'expired_card', type: 'card_error' });
    const saved = await stripe.customers.listPaymentMethods(customer.id);
    expect(saved.data).toHaveLength(0);
  });

  it('sets up a card still in its expiry month', async () => {
    now = START;
    const method = await stripe.paymentMethods.create({ type: 'card', card: card(1) });
    const intent = await stripe.setupIntents.create({
      payment_method: method.id,
      payment_method_types: ['card'],
    });
    expect((await stripe.setupIntents.confirm(intent.id)).status).toBe('succeeded');
  });
});
