/**
 * PaymentIntents through their whole life: capture (and the charge's own capture), cancel, the
 * authorization's changes; what money each step records.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { paymentEventTypes, startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
afterAll(() => h.close());

/** A confirmed manual-capture PaymentIntent for `amount` (USD, Visa). */
function authorize(amount: number, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) {
  return stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    payment_method_types: ['card'],
    confirm: true,
    capture_method: 'manual',
    ...extra,
  });
}

/** The charge a PaymentIntent made, with its balance transaction expanded. */
async function chargeOf(intent: Stripe.PaymentIntent): Promise<Stripe.Charge> {
  return stripe.charges.retrieve(String(intent.latest_charge), { expand: ['balance_transaction'] });
}

/** Event types since `since` (exclusive), oldest first, about `object`. */
async function eventsAbout(object: string, since: number): Promise<string[]> {
  const events = await stripe.events.list({ limit: 100, created: { gte: since } });
  return events.data
    .filter((event) => (event.data.object as { id?: string }).id === object)
    .map((event) => event.type)
    .reverse();
}

describe("a PaymentIntent's payment methods (API 2023-08-16 on)", () => {
  const RETURN_URL = 'https://shop.example.com/orders/complete';
  /** A new PaymentIntent of 15.00 to pay with a Visa, given nothing of its payment methods. */
  const visa = (extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', ...extra });

  it("are the Dashboard's when neither payment_method_types nor automatic_payment_methods is given", async () => {
    const intent = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd' });
    expect(intent.automatic_payment_methods).toEqual({ enabled: true, allow_redirects: 'always' });
    expect(intent.payment_method_types).toContain('card');
    // Given, the list is the intent's own, and no Dashboard settings apply.
    const listed = await stripe.paymentIntents.create({
      amount: 1500,
      currency: 'usd',
      payment_method_types: ['card'],
    });
    expect(listed).toMatchObject({ automatic_payment_methods: null, payment_method_types: ['card'] });
    await expect(
      stripe.paymentIntents.create({
        amount: 1500,
        currency: 'usd',
        payment_method_types: ['card'],
        automatic_payment_methods: { enabled: true },
      }),
    ).rejects.toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
  });

  it('allowing redirects, a confirmation needs a return_url, even with a card', async () => {
    const intent = await visa();
    await expect(stripe.paymentIntents.confirm(intent.id)).rejects.toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      param: 'return_url',
    });
    // Refused, the intent is as it was: nothing was charged.
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({
      status: 'requires_confirmation',
      latest_charge: null,
    });
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { return_url: RETURN_URL });
    expect(confirmed.status).toBe('succeeded');
    // Created and confirmed at once, the same: no PaymentIntent is left behind.
    await expect(visa({ confirm: true })).rejects.toMatchObject({ statusCode: 400, param: 'return_url' });
    const [latest] = (await stripe.paymentIntents.list({ limit: 1 })).data;
    expect(latest!.id).toBe(intent.id);
  });

  it('off session, with redirects never allowed, or with error_on_requires_action, it does not', async () => {
    const customer = await stripe.customers.create({});
    const method = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const offSession = await stripe.paymentIntents.create({
      amount: 1500,
      currency: 'usd',
      customer: customer.id,
      payment_method: method.id,
      off_session: true,
      confirm: true,
    });
    expect(offSession.status).toBe('succeeded');
    const never = await visa({
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
    });
    expect(never).toMatchObject({
      status: 'succeeded',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    // error_on_requires_action is for an intent that lists its payment methods.
    await expect(
      visa({ confirm: true, return_url: RETURN_URL, error_on_requires_action: true }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'error_on_requires_action' });
  });
});

describe("a PaymentIntent's payment_method_types", () => {
  it('refuse a payment method of another type, and name it', async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 1500,
      currency: 'usd',
      payment_method_types: ['us_bank_account'],
    });
    await expect(
      stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_intent_incompatible_payment_method',
      param: 'payment_method',
    });
    // Nothing was charged: the PaymentIntent still waits for a payment method.
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({
      status: 'requires_payment_method',
      latest_charge: null,
    });
    // A saved card pays as a card.
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const paid = await authorize(1500, {
      customer: customer.id,
      payment_method: String(customer.default_source),
      capture_method: 'automatic',
    });
    expect(paid).toMatchObject({ status: 'succeeded', payment_method_types: ['card'] });
  });
});

describe('capturing a PaymentIntent', () => {
  it('records the captured money: a charge balance transaction net of the card fee', async () => {
    const intent = await authorize(5000);
    const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 3000 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 3000, amount_capturable: 0 });
    const charge = await chargeOf(intent);
    expect(charge).toMatchObject({ captured: true, amount_captured: 3000, amount_refunded: 2000 });
    expect(charge.balance_transaction).toMatchObject({
      type: 'charge',
      amount: 3000,
      fee: Math.round(3000 * 0.029) + 30,
      source: charge.id,
    });
  });

  it("a destination charge's capture makes its transfer", async () => {
    const intent = await authorize(4000, { transfer_data: { destination: SEED.connected.account } });
    expect((await chargeOf(intent)).transfer ?? null).toBeNull();
    await stripe.paymentIntents.capture(intent.id);
    const charge = await stripe.charges.retrieve(String(intent.latest_charge), { expand: ['transfer'] });
    expect(charge.transfer).toMatchObject({
      amount: 4000,
      destination: SEED.connected.account,
      source_transaction: charge.id,
    });
  });

  it("capturing the PaymentIntent's charge directly succeeds the PaymentIntent", async () => {
    const intent = await authorize(2500);
    const since = Math.floor(Date.now() / 1000) - 1;
    const charge = await stripe.charges.capture(String(intent.latest_charge), { amount: 2000 });
    expect(charge).toMatchObject({ captured: true, amount_captured: 2000 });
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({
      status: 'succeeded',
      amount_received: 2000,
      amount_capturable: 0,
    });
    expect(await eventsAbout(intent.id, since)).toContain('payment_intent.succeeded');
    await expect(stripe.paymentIntents.capture(intent.id)).rejects.toMatchObject({
      code: 'payment_intent_unexpected_state',
    });
  });
});

describe('releasing an authorization', () => {
  it('a refund of an uncaptured charge is charge.refunded', async () => {
    const charge = await stripe.charges.create({
      amount: 1500,
      currency: 'usd',
      source: 'tok_visa',
      capture: false,
    });
    const since = Math.floor(Date.now() / 1000) - 1;
    await stripe.refunds.create({ charge: charge.id });
    expect(await eventsAbout(charge.id, since)).toContain('charge.refunded');
  });
});

describe('cancelling a PaymentIntent', () => {
  it('a held one releases its authorization: the charge is refunded whole, no money moved', async () => {
    const intent = await authorize(3500);
    const since = Math.floor(Date.now() / 1000) - 1;
    const canceled = await stripe.paymentIntents.cancel(intent.id);
    expect(canceled).toMatchObject({ status: 'canceled', amount_capturable: 0, amount_received: 0 });
    const charge = await stripe.charges.retrieve(String(intent.latest_charge), { expand: ['refunds'] });
    expect(charge).toMatchObject({ captured: false, refunded: true, amount_refunded: 3500 });
    expect(charge.refunds?.data).toMatchObject([{ amount: 3500, balance_transaction: null }]);
    expect(await eventsAbout(charge.id, since)).toContain('charge.refunded');
  });
});

describe('confirming off session', () => {
  it('a card that needs authentication is declined authentication_required, no requires_action', async () => {
    const customer = await stripe.customers.create({});
    const error = await stripe.paymentIntents
      .create({
        amount: 1800,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_authenticationRequired',
        payment_method_types: ['card'],
        confirm: true,
        off_session: true,
      })
      .then(
        () => undefined,
        (reason: Stripe.errors.StripeError) => reason,
      );
    expect(error).toMatchObject({
      statusCode: 402,
      type: 'StripeCardError',
      code: 'authentication_required',
    });
    const intent = error?.payment_intent as Stripe.PaymentIntent;
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({
      status: 'requires_payment_method',
      next_action: null,
      last_payment_error: { type: 'card_error', code: 'authentication_required' },
    });
  });
});

describe('test cards', () => {
  /** Confirms a PaymentIntent with `payment_method`, answering Stripe's error. */
  function declineOf(payment_method: string): Promise<Stripe.errors.StripeError> {
    return stripe.paymentIntents
      .create({
        amount: 1200,
        currency: 'usd',
        payment_method,
        payment_method_types: ['card'],
        confirm: true,
      })
      .then(
        () => {
          throw new Error(`${payment_method} was not declined`);
        },
        (reason: Stripe.errors.StripeError) => reason,
      );
  }

  const declines: [string, string][] = [
    ['pm_card_visa_chargeDeclined', 'generic_decline'],
    ['pm_card_visa_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ['pm_card_visa_chargeDeclinedLostCard', 'lost_card'],
    ['pm_card_visa_chargeDeclinedStolenCard', 'stolen_card'],
    ['pm_card_visa_chargeDeclinedVelocityLimitExceeded', 'card_velocity_exceeded'],
  ];
  for (const [method, declineCode] of declines) {
    it(`${method} declines with ${declineCode}`, async () => {
      expect(await declineOf(method)).toMatchObject({
        statusCode: 402,
        code: 'card_declined',
        decline_code: declineCode,
      });
    });
  }

  for (const method of ['pm_card_radarBlock', 'pm_card_chargeDeclinedFraudulent']) {
    it(`${method} is blocked by Radar at the highest risk level, never sent to the network`, async () => {
      const error = await declineOf(method);
      expect(error).toMatchObject({ code: 'card_declined', decline_code: 'fraudulent' });
      expect(await stripe.charges.retrieve(String(error.charge))).toMatchObject({
        status: 'failed',
        outcome: { type: 'blocked', network_status: 'not_sent_to_network', risk_level: 'highest' },
      });
    });
  }
});

describe('payment method rules', () => {
  it('a declining card cannot be attached; the attachable one can', async () => {
    const customer = await stripe.customers.create({});
    await expect(
      stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id }),
    ).rejects.toMatchObject({ statusCode: 402, type: 'StripeCardError', code: 'card_declined' });
    const attachable = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
      customer: customer.id,
    });
    expect(attachable.customer).toBe(customer.id);
  });

  it("a payment method attached to one customer is not another's", async () => {
    const [a, b] = await Promise.all([stripe.customers.create({}), stripe.customers.create({})]);
    const method = await stripe.paymentMethods.attach('pm_card_visa', { customer: a.id });
    await expect(stripe.paymentMethods.attach(method.id, { customer: b.id })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(
      stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        customer: b.id,
        payment_method: method.id,
        payment_method_types: ['card'],
        confirm: true,
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'payment_method' });
    expect((await stripe.paymentMethods.retrieve(method.id)).customer).toBe(a.id);
  });

  it('a payment method used without a customer, or detached after use, cannot be used again', async () => {
    const method = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    const pay = (payment_method: string) =>
      stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method,
        payment_method_types: ['card'],
        confirm: true,
      });
    expect((await pay(method.id)).status).toBe('succeeded');
    await expect(pay(method.id)).rejects.toMatchObject({ statusCode: 400, param: 'payment_method' });
    const customer = await stripe.customers.create({});
    await expect(stripe.paymentMethods.attach(method.id, { customer: customer.id })).rejects.toMatchObject({
      statusCode: 400,
    });

    const saved = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      customer: customer.id,
      payment_method: saved.id,
      payment_method_types: ['card'],
      confirm: true,
    });
    await stripe.paymentMethods.detach(saved.id);
    await expect(pay(saved.id)).rejects.toMatchObject({ statusCode: 400, param: 'payment_method' });
  });
});

describe('incrementing an authorization', () => {
  it('raises what can be captured and the charge with the amount', async () => {
    const intent = await authorize(2000, {
      payment_method_options: { card: { request_incremental_authorization: 'if_available' } },
    });
    const incremented = await stripe.paymentIntents.incrementAuthorization(intent.id, {
      amount: 2600,
      metadata: { tip: '600' },
    });
    expect(incremented).toMatchObject({
      status: 'requires_capture',
      amount: 2600,
      amount_capturable: 2600,
      metadata: { tip: '600' },
    });
    expect(await chargeOf(intent)).toMatchObject({ amount: 2600, captured: false });
    // The raised hold is announced as the first one was.
    const types = await eventsAbout(intent.id, intent.created);
    expect(types.filter((type) => type === 'payment_intent.amount_capturable_updated')).toHaveLength(2);
    await expect(
      stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 2600 }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'amount' });
    const captured = await stripe.paymentIntents.capture(intent.id);
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 2600 });
    await expect(
      stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 3000 }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });
});

describe('updating a PaymentIntent', () => {
  it('its amount changes only before it is paid or held', async () => {
    const open = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    expect((await stripe.paymentIntents.update(open.id, { amount: 1500 })).amount).toBe(1500);
    const paid = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      payment_method_types: ['card'],
      confirm: true,
    });
    await expect(stripe.paymentIntents.update(paid.id, { amount: 1500 })).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_intent_unexpected_state',
    });
    const held = await authorize(1000);
    await expect(stripe.paymentIntents.update(held.id, { amount: 1500 })).rejects.toMatchObject({
      code: 'payment_intent_unexpected_state',
    });
    expect((await stripe.paymentIntents.update(paid.id, { metadata: { order: '7' } })).metadata).toEqual({
      order: '7',
    });
  });
});

describe('application fees on PaymentIntents', () => {
  const base = { amount: 1000, currency: 'usd' };

  it('need a connected account to go to, and cannot exceed the amount', async () => {
    await expect(
      stripe.paymentIntents.create({ ...base, application_fee_amount: 100 }),
    ).rejects.toMatchObject({
      statusCode: 400,
      param: 'application_fee_amount',
    });
    const transfer_data = { destination: SEED.connected.account };
    await expect(
      stripe.paymentIntents.create({ ...base, application_fee_amount: 1001, transfer_data }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'application_fee_amount' });
    const destination = await stripe.paymentIntents.create({
      ...base,
      application_fee_amount: 100,
      transfer_data,
    });
    expect(destination.application_fee_amount).toBe(100);
    await expect(stripe.paymentIntents.update(destination.id, { amount: 50 })).rejects.toMatchObject({
      param: 'application_fee_amount',
    });
    const direct = await stripe.paymentIntents.create(
      { ...base, application_fee_amount: 100 },
      { stripeAccount: SEED.connected.account },
    );
    expect(direct.application_fee_amount).toBe(100);
  });
});

describe('SetupIntents', () => {
  it('a card that needs 3D Secure asks for it, then sets up once authenticated', async () => {
    const customer = await stripe.customers.create({});
    const intent = await stripe.setupIntents.create({
      customer: customer.id,
      payment_method: 'pm_card_authenticationRequired',
      payment_method_types: ['card'],
      confirm: true,
      return_url: 'https://example.com/back',
    });
    expect(intent).toMatchObject({
      status: 'requires_action',
      next_action: { type: 'redirect_to_url', redirect_to_url: { return_url: 'https://example.com/back' } },
      latest_attempt: null,
    });
    const done = await stripe.setupIntents.confirm(intent.id, {
      payment_method: String(intent.payment_method),
    });
    expect(done).toMatchObject({ status: 'succeeded', next_action: null });
    const attempt = await stripe.setupAttempts.list({ setup_intent: intent.id });
    expect(attempt.data[0]?.payment_method_details.card?.three_d_secure).toMatchObject({
      result: 'authenticated',
    });
    expect((await stripe.paymentMethods.retrieve(String(done.payment_method))).customer).toBe(customer.id);
  });

  it('the setup attempt describes the card set up', async () => {
    const intent = await stripe.setupIntents.create({
      payment_method: 'pm_card_mastercard_debit',
      payment_method_types: ['card'],
      confirm: true,
    });
    const method = await stripe.paymentMethods.retrieve(String(intent.payment_method));
    const attempt = await stripe.setupAttempts.list({ setup_intent: intent.id });
    expect(attempt.data[0]?.payment_method_details).toMatchObject({
      type: 'card',
      card: {
        brand: 'mastercard',
        network: 'mastercard',
        last4: '8210',
        funding: 'debit',
        country: 'US',
        exp_month: method.card?.exp_month,
        exp_year: method.card?.exp_year,
        fingerprint: method.card?.fingerprint,
        three_d_secure: null,
      },
    });
  });
});

describe('pm_card_authenticationRequiredOnSetup', () => {
  it('authenticates a one-time payment and its set-up; once set up, pays off session without it', async () => {
    const customer = await stripe.customers.create({});
    const payment = (payment_method: string, off_session: boolean) =>
      stripe.paymentIntents.create({
        amount: 900,
        currency: 'eur',
        customer: customer.id,
        payment_method,
        payment_method_types: ['card'],
        confirm: true,
        ...(off_session ? { off_session } : {}),
      });
    expect((await payment('pm_card_authenticationRequiredOnSetup', false)).status).toBe('requires_action');
    await expect(payment('pm_card_authenticationRequiredOnSetup', true)).rejects.toMatchObject({
      code: 'authentication_required',
    });
    const setup = await stripe.setupIntents.create({
      customer: customer.id,
      payment_method: 'pm_card_authenticationRequiredOnSetup',
      payment_method_types: ['card'],
      confirm: true,
    });
    expect(setup.status).toBe('requires_action');
    const method = String(setup.payment_method);
    await expect(payment(method, true)).rejects.toMatchObject({ code: 'authentication_required' });
    await stripe.setupIntents.confirm(setup.id, { payment_method: method });
    const offSession = await payment(method, true);
    expect(offSession).toMatchObject({ status: 'succeeded', amount_received: 900 });
  });
});

describe("Radar's check cards", () => {
  const cases: [string, Partial<Stripe.PaymentMethod.Card.Checks>][] = [
    ['cvcCheckFail', { cvc_check: 'fail' }],
    ['avsFail', { address_line1_check: 'fail', address_postal_code_check: 'fail' }],
    ['avsLine1Fail', { address_line1_check: 'fail' }],
    ['avsZipFail', { address_postal_code_check: 'fail' }],
    ['avsUnchecked', { address_line1_check: 'unavailable', address_postal_code_check: 'unavailable' }],
  ];
  for (const [name, checks] of cases) {
    it(`pm_card_${name} carries its checks and still pays`, async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 700,
        currency: 'usd',
        payment_method: `pm_card_${name}`,
        payment_method_types: ['card'],
        confirm: true,
      });
      expect(intent.status).toBe('succeeded');
      const method = await stripe.paymentMethods.retrieve(String(intent.payment_method));
      expect(method.card?.checks).toMatchObject(checks);
      expect((await chargeOf(intent)).payment_method_details?.card?.checks).toMatchObject(checks);
    });
  }

  it('tok_avsFail pays with a card whose address checks fail', async () => {
    const charge = await stripe.charges.create({ amount: 700, currency: 'usd', source: 'tok_avsFail' });
    expect(charge.status).toBe('succeeded');
    expect(charge.source).toMatchObject({ address_line1_check: 'fail', address_zip_check: 'fail' });
  });
});

describe('pm_card_bypassPending', () => {
  /** The platform's available USD. */
  const availableUsd = async () =>
    (await stripe.balance.retrieve()).available.find((entry) => entry.currency === 'usd')?.amount ?? 0;

  it("a payment's funds are available at once, captured now or later", async () => {
    const before = await availableUsd();
    const paid = await stripe.paymentIntents.create({
      amount: 10000,
      currency: 'usd',
      payment_method: 'pm_card_bypassPending',
      payment_method_types: ['card'],
      confirm: true,
    });
    const paidCharge = await chargeOf(paid);
    expect(paidCharge.balance_transaction).toMatchObject({ status: 'available', net: 10000 - 320 });
    const held = await authorize(5000, { payment_method: 'pm_card_bypassPending' });
    await stripe.paymentIntents.capture(held.id);
    expect((await chargeOf(held)).balance_transaction).toMatchObject({
      status: 'available',
      net: 5000 - 175,
    });
    expect(await availableUsd()).toBe(before + 10000 - 320 + 5000 - 175);
    // Other cards' funds wait.
    const pending = await authorize(5000);
    await stripe.paymentIntents.capture(pending.id);
    expect((await chargeOf(pending)).balance_transaction).toMatchObject({ status: 'pending' });
  });
});

describe('dispute test cards', () => {
  /** The dispute opened on a payment with `payment_method`. */
  async function disputeOf(payment_method: string): Promise<Stripe.Dispute> {
    const intent = await stripe.paymentIntents.create({
      amount: 4200,
      currency: 'usd',
      payment_method,
      payment_method_types: ['card'],
      confirm: true,
    });
    const disputes = await stripe.disputes.list({ payment_intent: intent.id });
    expect(disputes.data).toHaveLength(1);
    return disputes.data[0]!;
  }

  it('pm_card_createDisputeProductNotReceived: a chargeback for a product not received', async () => {
    const dispute = await disputeOf('pm_card_createDisputeProductNotReceived');
    expect(dispute).toMatchObject({ reason: 'product_not_received', status: 'needs_response', amount: 4200 });
    expect(dispute.balance_transactions).toMatchObject([{ amount: -4200, fee: 1500 }]);
  });

  it('pm_card_createDispute: the payment succeeds first, then the dispute is opened', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const dispute = await disputeOf('pm_card_createDispute');
    const types = await paymentEventTypes(stripe, String(dispute.payment_intent), since);
    expect(types).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
    ]);
  });

  it('an authorization is disputed once it is captured', async () => {
    const intent = await authorize(4200, { payment_method: 'pm_card_createDispute' });
    expect((await stripe.disputes.list({ payment_intent: intent.id })).data).toHaveLength(0);
    await stripe.paymentIntents.capture(intent.id);
    const disputes = await stripe.disputes.list({ payment_intent: intent.id });
    expect(disputes.data).toMatchObject([{ amount: 4200, status: 'needs_response' }]);
    expect(await chargeOf(intent)).toMatchObject({ disputed: true, captured: true });
  });

  it('pm_card_createDisputeInquiry: an inquiry, no money moved, the charge still refundable', async () => {
    const dispute = await disputeOf('pm_card_createDisputeInquiry');
    expect(dispute).toMatchObject({
      status: 'warning_needs_response',
      balance_transactions: [],
      is_charge_refundable: true,
    });
  });

  it('an inquiry is resolved by a full refund of its charge (warning_closed), not by a partial one', async () => {
    const dispute = await disputeOf('pm_card_createDisputeInquiry');
    const intent = String(dispute.payment_intent);
    await stripe.refunds.create({ payment_intent: intent, amount: 1000 });
    expect(await stripe.disputes.retrieve(dispute.id)).toMatchObject({ status: 'warning_needs_response' });
    await stripe.refunds.create({ payment_intent: intent });
    expect(await stripe.disputes.retrieve(dispute.id)).toMatchObject({
      status: 'warning_closed',
      balance_transactions: [],
    });
    const closed = await stripe.events.list({ type: 'charge.dispute.closed', limit: 1 });
    expect(closed.data.map((event) => (event.data.object as Stripe.Dispute).id)).toEqual([dispute.id]);
  });
});

describe('a declined payment method', () => {
  it('is not spent: a retry with it declines again rather than being refused', async () => {
    const method = await stripe.paymentMethods.create({
      type: 'card',
      card: { token: 'tok_chargeDeclined' },
    });
    const attempt = () =>
      stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: method.id,
        payment_method_types: ['card'],
        confirm: true,
      });
    await expect(attempt()).rejects.toMatchObject({ statusCode: 402, code: 'card_declined' });
    await expect(attempt()).rejects.toMatchObject({ statusCode: 402, code: 'card_declined' });
  });
});
