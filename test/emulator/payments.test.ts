/**
 * Charges, declines, refunds, payment intents, setup intents and payment methods.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type EmulatorHarness, paymentEventTypes, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;
let stripe: Stripe;

beforeAll(async () => {
  h = await startEmulatorHarness();
  stripe = h.stripe;
});
afterAll(() => h.close());

/** The rejection of `promise` as Stripe's error fields. */
async function failure(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('expected the request to fail');
}

describe('declines', () => {
  const declines: [string, string, string, string][] = [
    ['tok_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.'],
    [
      'tok_chargeDeclinedInsufficientFunds',
      'card_declined',
      'insufficient_funds',
      'Your card has insufficient funds.',
    ],
    ['tok_chargeDeclinedLostCard', 'card_declined', 'lost_card', 'Your card was declined.'],
    ['tok_chargeDeclinedStolenCard', 'card_declined', 'stolen_card', 'Your card was declined.'],
    ['tok_chargeDeclinedExpiredCard', 'expired_card', 'expired_card', 'Your card has expired.'],
    [
      'tok_chargeDeclinedIncorrectCvc',
      'incorrect_cvc',
      'incorrect_cvc',
      "Your card's security code is incorrect.",
    ],
    [
      'tok_chargeDeclinedProcessingError',
      'processing_error',
      'processing_error',
      'An error occurred while processing your card. Try again in a little bit.',
    ],
  ];
  for (const [token, code, declineCode, message] of declines) {
    it(`${token} fails the charge with ${code}/${declineCode} and stores it as failed`, async () => {
      const response = await h.request('POST', '/v1/charges', {
        body: `amount=2000&currency=usd&source=${token}`,
      });
      expect(response.status).toBe(402);
      expect(response.body.error).toMatchObject({
        type: 'card_error',
        code,
        decline_code: declineCode,
        message,
      });
      expect(response.body.error.charge).toMatch(/^ch_/);
      const charge = await stripe.charges.retrieve(response.body.error.charge);
      expect(charge).toMatchObject({
        status: 'failed',
        paid: false,
        captured: false,
        failure_code: code,
        outcome: { reason: declineCode },
      });
    });
  }

  it('the SDK raises a StripeCardError', async () => {
    const error = await failure(
      stripe.charges.create({ amount: 2000, currency: 'usd', source: 'tok_chargeDeclined' }),
    );
    expect(error.type).toBe('StripeCardError');
    expect(error.statusCode).toBe(402);
    expect(error.decline_code).toBe('generic_decline');
  });

  it('pm_card_chargeDeclined… fails a payment intent confirmation', async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      payment_method: 'pm_card_chargeDeclinedInsufficientFunds',
      payment_method_types: ['card'],
    });
    expect(intent.status).toBe('requires_confirmation');
    const error = await failure(stripe.paymentIntents.confirm(intent.id));
    expect(error).toMatchObject({
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'insufficient_funds',
    });
    expect(error.payment_intent).toMatchObject({ id: intent.id, status: 'requires_payment_method' });
    const after = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error).toMatchObject({
      decline_code: 'insufficient_funds',
      type: 'card_error',
    });
    expect(after.latest_charge).toMatchObject({ status: 'failed', payment_intent: intent.id });
  });
});

describe('charges', () => {
  it('charge a customer’s default card', async () => {
    const charge = await stripe.charges.create({
      amount: 1500,
      currency: 'usd',
      customer: SEED.jenny.customer,
    });
    expect(charge).toMatchObject({
      customer: SEED.jenny.customer,
      payment_method: SEED.jenny.card,
      status: 'succeeded',
    });
    expect(charge.payment_method_details?.card).toMatchObject({
      brand: 'visa',
      last4: '4242',
      exp_month: 8,
      exp_year: new Date().getUTCFullYear() + 4,
    });
    // Stripe shows the card charged as the charge's source.
    expect(charge.source).toMatchObject({
      id: SEED.jenny.card,
      object: 'card',
      customer: SEED.jenny.customer,
      last4: '4242',
    });
  });

  it('a charge made with a token has the new card as its source', async () => {
    const charge = await stripe.charges.create({ amount: 1500, currency: 'usd', source: 'tok_mastercard' });
    expect(charge.source).toMatchObject({ id: charge.payment_method, object: 'card', brand: 'MasterCard' });
  });

  it('needs a source or a customer with one', async () => {
    await expect(stripe.charges.create({ amount: 1500, currency: 'usd' })).rejects.toMatchObject({
      statusCode: 400,
    });
    const bare = await stripe.customers.create({ name: 'No card yet' });
    await expect(
      stripe.charges.create({ amount: 1500, currency: 'usd', customer: bare.id }),
    ).rejects.toMatchObject({
      statusCode: 400,
      param: 'card',
    });
    await expect(
      stripe.charges.create({ amount: 20, currency: 'usd', source: 'tok_visa' }),
    ).rejects.toMatchObject({
      code: 'amount_too_small',
    });
  });

  it('authorize then capture', async () => {
    const charge = await stripe.charges.create({
      amount: 8000,
      currency: 'usd',
      source: 'tok_visa',
      capture: false,
    });
    expect(charge).toMatchObject({ captured: false, amount_captured: 0, balance_transaction: null });
    const captured = await stripe.charges.capture(charge.id, { amount: 6000 });
    expect(captured).toMatchObject({ captured: true, amount_captured: 6000, amount_refunded: 2000 });
    await expect(stripe.charges.capture(charge.id)).rejects.toMatchObject({
      code: 'charge_already_captured',
    });
    // What was captured can be refunded, and no more: the released 2,000 already counts as refunded.
    await expect(stripe.refunds.create({ charge: charge.id, amount: 6001 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'amount',
    });
    const refund = await stripe.refunds.create({ charge: charge.id });
    expect(refund).toMatchObject({ amount: 6000, status: 'succeeded' });
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 8000, refunded: true });
    await expect(stripe.refunds.create({ charge: charge.id })).rejects.toMatchObject({
      code: 'charge_already_refunded',
    });
  });

  it('an uncaptured charge is refunded whole, releasing the authorization; then it cannot be captured', async () => {
    const charge = await stripe.charges.create({
      amount: 4000,
      currency: 'usd',
      source: 'tok_visa',
      capture: false,
    });
    await expect(stripe.refunds.create({ charge: charge.id, amount: 1000 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'amount',
    });
    const refund = await stripe.refunds.create({ charge: charge.id });
    expect(refund).toMatchObject({ amount: 4000, status: 'succeeded', balance_transaction: null });
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({
      captured: false,
      amount_refunded: 4000,
      refunded: true,
    });
    await expect(stripe.charges.capture(charge.id)).rejects.toMatchObject({
      code: 'charge_already_refunded',
    });
  });

  it('the seeded declined charge of Tim is stored as failed', async () => {
    expect((await stripe.charges.retrieve(SEED.tim.declinedCharge)).status).toBe('failed');
  });

  it("keeps the receipt email, shipping and descriptor it is made with, or its PaymentIntent's", async () => {
    const shipping = {
      name: 'Jenny Rosen',
      address: {
        line1: '1 Main St',
        city: 'San Francisco',
        country: 'US',
        postal_code: '94111',
        state: 'CA',
      },
    };
    const details = { receipt_email: 'jenny@example.com', shipping, statement_descriptor_suffix: 'ORDER 12' };
    const charge = await stripe.charges.create({
      amount: 1000,
      currency: 'usd',
      source: 'tok_visa',
      ...details,
    });
    expect(charge).toMatchObject(details);
    const intent = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      payment_method_types: ['card'],
      confirm: true,
      ...details,
    });
    expect(await stripe.charges.retrieve(intent.latest_charge as string)).toMatchObject(details);
  });
});

describe('refunds', () => {
  it('increment amount_refunded, set refunded when full, and never exceed the charge', async () => {
    const charge = await stripe.charges.create({ amount: 3000, currency: 'usd', source: 'tok_visa' });
    const first = await stripe.refunds.create({ charge: charge.id, amount: 1000 });
    expect(first.balance_transaction).toMatch(/^txn_/);
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({
      amount_refunded: 1000,
      refunded: false,
    });
    await expect(stripe.refunds.create({ charge: charge.id, amount: 2500 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'amount',
    });
    const rest = await stripe.refunds.create({ charge: charge.id });
    expect(rest.amount).toBe(2000);
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 3000, refunded: true });
    await expect(stripe.refunds.create({ charge: charge.id })).rejects.toMatchObject({
      code: 'charge_already_refunded',
    });
  });

  it('a failed charge has nothing to refund, and was not refunded', async () => {
    const declined = await h.request('POST', '/v1/charges', {
      body: 'amount=2000&currency=usd&source=tok_chargeDeclined',
    });
    const error = await failure(stripe.refunds.create({ charge: declined.body.error.charge }));
    expect(error).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    expect(error.code).not.toBe('charge_already_refunded');
    expect(error.message).toContain('failed');
  });

  it('nested refunds under a charge, and charge.refunds when expanded', async () => {
    const charge = await stripe.charges.create({ amount: 3000, currency: 'usd', source: 'tok_visa' });
    const refund = await h.request('POST', `/v1/charges/${charge.id}/refunds`, { body: 'amount=500' });
    expect(refund.body).toMatchObject({ object: 'refund', charge: charge.id, amount: 500 });
    const nested = await h.request('GET', `/v1/charges/${charge.id}/refunds`);
    expect(nested.body.data.map((r: { id: string }) => r.id)).toEqual([refund.body.id]);
    const expanded = await stripe.charges.retrieve(charge.id, { expand: ['refunds'] });
    expect(expanded.refunds).toMatchObject({
      object: 'list',
      url: `/v1/charges/${charge.id}/refunds`,
      data: [{ id: refund.body.id }],
    });
    const legacy = await h.request('POST', `/v1/charges/${charge.id}/refund`, { body: 'amount=500' });
    expect(legacy.body).toMatchObject({ object: 'charge', amount_refunded: 1000 });
  });

  it('refund a payment intent', async () => {
    const refund = await stripe.refunds.create({ payment_intent: SEED.alan.paymentIntent, amount: 2000 });
    expect(refund.payment_intent).toBe(SEED.alan.paymentIntent);
    const intent = await stripe.paymentIntents.retrieve(SEED.alan.paymentIntent, {
      expand: ['latest_charge'],
    });
    expect((intent.latest_charge as Stripe.Charge).amount_refunded).toBe(2000);
  });
});

describe('payment intents', () => {
  it('confirm succeeds with a test payment method', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd' });
    expect(intent).toMatchObject({ status: 'requires_payment_method', amount_received: 0 });
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_`));
    // Its payment methods are the Dashboard's, some of which redirect: a return_url comes with it.
    const confirmed = await stripe.paymentIntents.confirm(intent.id, {
      payment_method: 'pm_card_mastercard',
      return_url: 'https://shop.example.com/orders/complete',
    });
    expect(confirmed).toMatchObject({ status: 'succeeded', amount_received: 2500 });
    expect(confirmed.payment_method).toMatch(/^pm_/);
    const charges = await stripe.charges.list({ payment_intent: intent.id });
    expect(charges.data).toHaveLength(1);
    expect(charges.data[0]!.payment_method_details?.card?.brand).toBe('mastercard');
    await expect(stripe.paymentIntents.cancel(intent.id)).rejects.toMatchObject({
      code: 'payment_intent_unexpected_state',
    });
  });

  it('manual capture, then capture', async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 5000,
      currency: 'usd',
      capture_method: 'manual',
      payment_method: 'pm_card_visa',
      payment_method_types: ['card'],
      confirm: true,
    });
    expect(intent).toMatchObject({ status: 'requires_capture', amount_capturable: 5000 });
    const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 4000 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 4000 });
    // Refunded by the intent: what was captured.
    expect(await stripe.refunds.create({ payment_intent: intent.id })).toMatchObject({ amount: 4000 });
  });

  it('cancel', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
  });

  it('confirm without a payment method is refused', async () => {
    await expect(stripe.paymentIntents.confirm(SEED.alan.openPaymentIntent)).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_intent_unexpected_state',
    });
  });
});

describe('setup intents and payment methods', () => {
  it('a setup intent attaches its payment method to the customer', async () => {
    const customer = await stripe.customers.create({});
    const intent = await stripe.setupIntents.create({ customer: customer.id });
    expect(intent.automatic_payment_methods).toEqual({ enabled: true, allow_redirects: 'always' });
    // The Dashboard's payment methods, some redirecting: confirming it needs a return_url.
    await expect(
      stripe.setupIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'return_url' });
    expect((await stripe.customers.listPaymentMethods(customer.id)).data).toEqual([]);
    const confirmed = await stripe.setupIntents.confirm(intent.id, {
      payment_method: 'pm_card_visa',
      return_url: 'https://shop.example.com/cards/saved',
    });
    expect(confirmed.status).toBe('succeeded');
    const methods = await stripe.customers.listPaymentMethods(customer.id);
    expect(methods.data.map((m) => m.id)).toEqual([confirmed.payment_method]);
    expect(methods.data[0]!.card).toMatchObject({ brand: 'visa', last4: '4242' });
  });

  it('attach and detach; magic ids become new payment methods', async () => {
    const customer = await stripe.customers.create({});
    const attached = await stripe.paymentMethods.attach('pm_card_amex', { customer: customer.id });
    expect(attached.id).toMatch(/^pm_/);
    expect(attached.id).not.toBe('pm_card_amex');
    expect(attached).toMatchObject({ customer: customer.id, card: { brand: 'amex', last4: '8431' } });
    expect((await stripe.paymentMethods.list({ customer: customer.id, type: 'card' })).data).toHaveLength(1);
    expect((await stripe.paymentMethods.detach(attached.id)).customer).toBeNull();
    const created = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '6011111111111117', exp_month: 1, exp_year: 2032 },
    });
    expect(created.card).toMatchObject({ brand: 'discover', last4: '1117', exp_month: 1, exp_year: 2032 });
  });

  it('a saved card is the invoices’ default payment method as itself, no copy attached', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const cardId = ((await stripe.customers.retrieve(customer.id)) as Stripe.Customer)
      .default_source as string;
    const updated = await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: cardId },
    });
    expect(updated.invoice_settings.default_payment_method).toBe(cardId);
    expect((await stripe.customers.listPaymentMethods(customer.id)).data.map((m) => m.id)).toEqual([cardId]);
    // A card that does not exist is refused, as a payment method that does not.
    await expect(
      stripe.customers.create({ invoice_settings: { default_payment_method: 'card_unknown' } }),
    ).rejects.toMatchObject({ statusCode: 400 });
    // Another customer's card is not this one's.
    const other = await stripe.customers.create({});
    await expect(
      stripe.customers.update(other.id, { invoice_settings: { default_payment_method: cardId } }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'invoice_settings[default_payment_method]' });
    expect((await stripe.customers.listPaymentMethods(other.id)).data).toEqual([]);
    expect((await stripe.customers.listPaymentMethods(customer.id)).data.map((m) => m.id)).toEqual([cardId]);
    // Its invoices are paid with the card.
    await stripe.invoiceItems.create({ customer: customer.id, amount: 1500, currency: 'usd' });
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    const paid = await stripe.invoices.pay(invoice.id, { expand: ['charge'] });
    expect(paid.status).toBe('paid');
    expect((paid.charge as Stripe.Charge).payment_method).toBe(cardId);
  });

  it("a customer's saved cards are among its payment methods, newest first, paged and filtered", async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const card = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    const cardId = card.default_source as string;
    const attached = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    const listed = await stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
    expect(listed.data.map((m) => [m.id, m.object, m.type, m.customer])).toEqual([
      [attached.id, 'payment_method', 'card', customer.id],
      [cardId, 'payment_method', 'card', customer.id],
    ]);
    // The card reads as its own retrieve as a payment method answers it.
    expect(listed.data[1]).toEqual(await stripe.paymentMethods.retrieve(cardId));
    expect(listed.data[1]!.card).toMatchObject({ brand: 'visa', last4: '4242' });
    // The same through GET /v1/payment_methods?customer=, and paged by the card's id.
    const byCustomer = await stripe.paymentMethods.list({ customer: customer.id, limit: 1 });
    expect(byCustomer.data.map((m) => m.id)).toEqual([attached.id]);
    expect(byCustomer.has_more).toBe(true);
    const next = await stripe.paymentMethods.list({ customer: customer.id, starting_after: attached.id });
    expect(next.data.map((m) => m.id)).toEqual([cardId]);
    expect(next.has_more).toBe(false);
    // Another type, another customer, a deleted card: not there.
    expect((await stripe.customers.listPaymentMethods(customer.id, { type: 'sepa_debit' })).data).toEqual([]);
    const other = await stripe.customers.create({});
    expect((await stripe.customers.listPaymentMethods(other.id)).data).toEqual([]);
    await stripe.customers.deleteSource(customer.id, cardId);
    expect((await stripe.customers.listPaymentMethods(customer.id)).data.map((m) => m.id)).toEqual([
      attached.id,
    ]);
  });
});

describe('disputes', () => {
  const disputed = async (amount: number) => {
    const charge = await stripe.charges.create({ amount, currency: 'usd', source: 'tok_createDispute' });
    return (await stripe.disputes.list({ charge: charge.id })).data[0]!;
  };

  it('evidence staged, then submitted: winning_evidence wins and reinstates the amount', async () => {
    const dispute = await disputed(5000);
    expect(dispute).toMatchObject({ status: 'needs_response', evidence_details: { submission_count: 0 } });
    const staged = await stripe.disputes.update(dispute.id, {
      evidence: { customer_name: 'Jo' },
      submit: false,
    });
    expect(staged).toMatchObject({
      status: 'needs_response',
      evidence: { customer_name: 'Jo' },
      evidence_details: { has_evidence: true, submission_count: 0 },
    });
    const won = await stripe.disputes.update(dispute.id, {
      evidence: { uncategorized_text: 'winning_evidence' },
    });
    expect(won).toMatchObject({
      status: 'won',
      evidence: { customer_name: 'Jo', uncategorized_text: 'winning_evidence' },
      evidence_details: { has_evidence: true, submission_count: 1 },
    });
    expect(won.balance_transactions.map((txn) => txn.amount)).toEqual([-5000, 5000]);
    await expect(
      stripe.disputes.update(dispute.id, { evidence: { customer_name: 'late' } }),
    ).rejects.toMatchObject({ statusCode: 400 });
    const types = (await stripe.events.list({ limit: 20 })).data
      .filter((event) => (event.data.object as { id?: string }).id === dispute.id)
      .map((event) => event.type)
      .reverse();
    expect(types).toEqual([
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
      'charge.dispute.updated',
      'charge.dispute.closed',
      'charge.dispute.funds_reinstated',
    ]);
  });

  it('a charged-back charge cannot be refunded as well', async () => {
    const dispute = await disputed(2500);
    await expect(stripe.refunds.create({ charge: dispute.charge as string })).rejects.toMatchObject({
      statusCode: 400,
      code: 'charge_disputed',
    });
    expect((await stripe.charges.retrieve(dispute.charge as string)).amount_refunded).toBe(0);
  });

  it("a disputed payment's events: the charge's first, then the dispute's", async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 1800,
      currency: 'usd',
      payment_method: 'pm_card_createDispute',
      confirm: true,
      payment_method_types: ['card'],
    });
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge.disputed).toBe(true);
    const ours = new Set([intent.id, charge.id]);
    const types = (await stripe.events.list({ limit: 20 })).data
      .filter((event) => {
        const object = event.data.object as { id?: string; charge?: string };
        return ours.has(object.id ?? '') || ours.has(object.charge ?? '');
      })
      .map((event) => event.type)
      .reverse();
    expect(types.indexOf('charge.succeeded')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('charge.succeeded')).toBeLessThan(types.indexOf('charge.dispute.created'));
    expect(types.indexOf('charge.dispute.created')).toBeLessThan(
      types.indexOf('charge.dispute.funds_withdrawn'),
    );
  });

  it('losing_evidence loses; other evidence goes under review; closing accepts, once', async () => {
    expect(
      await stripe.disputes.update((await disputed(3000)).id, {
        evidence: { uncategorized_text: 'losing_evidence' },
      }),
    ).toMatchObject({ status: 'lost' });
    expect(
      await stripe.disputes.update((await disputed(3000)).id, { evidence: { product_description: 'A mug' } }),
    ).toMatchObject({ status: 'under_review', evidence_details: { submission_count: 1 } });
    const open = await disputed(3000);
    expect((await stripe.disputes.close(open.id)).status).toBe('lost');
    await expect(stripe.disputes.close(open.id)).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('early fraud warnings', () => {
  it('pm_card_createIssuerFraudRecord: the payment succeeds, then the issuer warns of fraud', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const intent = await stripe.paymentIntents.create({
      amount: 3100,
      currency: 'usd',
      payment_method: 'pm_card_createIssuerFraudRecord',
      payment_method_types: ['card'],
      confirm: true,
    });
    expect(intent.status).toBe('succeeded');
    const warnings = await stripe.radar.earlyFraudWarnings.list({ payment_intent: intent.id });
    expect(warnings.data).toMatchObject([
      {
        charge: intent.latest_charge,
        payment_intent: intent.id,
        actionable: true,
        fraud_type: 'made_with_stolen_card',
      },
    ]);
    const types = await paymentEventTypes(stripe, String(intent.id), since);
    expect(types).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'radar.early_fraud_warning.created',
    ]);
  });

  it('tok_createIssuerFraudRecord: a charge gets its warning too', async () => {
    const charge = await stripe.charges.create({
      amount: 2200,
      currency: 'usd',
      source: 'tok_createIssuerFraudRecord',
    });
    const warnings = await stripe.radar.earlyFraudWarnings.list({ charge: charge.id });
    expect(warnings.data).toMatchObject([{ charge: charge.id, actionable: true }]);
  });
});
