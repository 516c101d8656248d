/**
 * ACH debits (src/emulator/rules/bank-debits.ts) on an emulator whose clock the test moves: a
 * PaymentIntent paid with a `us_bank_account` is `processing`, its charge `pending` with no money
 * in the balance, until the fourth business day, when both succeed and the balance transaction is
 * made; on a test clock, its advance settles them. An invoice (a subscription's too) paid from a
 * bank account is open, its PaymentIntent processing, until then.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { seedId } from '../../src/emulator/seed/seed.ts';
import { startEmulatorHarness } from './helpers.ts';

const DAY = 86_400;
/** 2026-12-04T12:00:00Z, a Friday; the tests move `now` on from it. */
const BOOT = 1_796_385_600;
/** Four business days on: Monday to Thursday. */
const SETTLED = BOOT + 6 * DAY;
let now = BOOT;
const h = await startEmulatorHarness({ clock: () => now });
const stripe = h.stripe;
afterAll(() => h.close());

/**
 * A customer with one of Stripe's test bank accounts (routing 110000000; by default the one whose
 * debits succeed) as an ACH payment method.
 */
async function bankCustomer(params: Stripe.CustomerCreateParams = {}, account = '000123456789') {
  const customer = await stripe.customers.create(params);
  const method = await stripe.paymentMethods.create({
    type: 'us_bank_account',
    us_bank_account: {
      routing_number: '110000000',
      account_number: account,
      account_holder_type: 'individual',
    },
    billing_details: { name: 'Jenny Rosen' },
  });
  await stripe.paymentMethods.attach(method.id, { customer: customer.id });
  return { customer, method };
}

/** A new ACH PaymentIntent of `amount` for the customer, confirmed. */
function confirmed(customer: string, method: string, amount = 5000) {
  return stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    customer,
    payment_method: method,
    payment_method_types: ['us_bank_account'],
    confirm: true,
  });
}

/**
 * An ACH PaymentIntent of `amount` for the customer, confirmed and, its account entered by hand
 * and so verified first, its microdeposits verified with Stripe's test descriptor code.
 */
async function debit(customer: string, method: string, amount = 5000) {
  const intent = await confirmed(customer, method, amount);
  expect(intent).toMatchObject({
    status: 'requires_action',
    next_action: { type: 'verify_with_microdeposits' },
  });
  return stripe.paymentIntents.verifyMicrodeposits(intent.id, { descriptor_code: 'SM11AA' });
}

/** A SetupIntent saving `method`'s bank account for the customer, confirmed. */
const setUp = (customer: string, method: string) =>
  stripe.setupIntents.create({
    customer,
    payment_method: method,
    payment_method_types: ['us_bank_account'],
    confirm: true,
  });

/** The types of the events about `id` since `since`, oldest first, with their times. */
async function eventsAbout(id: string, since: number): Promise<[string, number][]> {
  const events = await stripe.events.list({ limit: 100, created: { gte: since } });
  return events.data
    .filter((e) => {
      const object = e.data.object as { id?: string; payment_intent?: string };
      return object.id === id || object.payment_intent === id;
    })
    .map((e): [string, number] => [e.type, e.created])
    .reverse();
}

describe('an ACH debit', () => {
  it('is processing, its charge pending with no money in the balance, until it settles', async () => {
    const { customer, method } = await bankCustomer();
    const intent = await debit(customer.id, method.id);
    expect(intent).toMatchObject({ status: 'processing', amount_received: 0, payment_method: method.id });
    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    expect(charge).toMatchObject({
      status: 'pending',
      paid: false,
      captured: true,
      balance_transaction: null,
      payment_method_details: {
        type: 'us_bank_account',
        us_bank_account: { bank_name: 'STRIPE TEST BANK', last4: '6789', routing_number: '110000000' },
      },
    });
    expect((await eventsAbout(intent.id, BOOT)).map(([type]) => type)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'charge.pending',
      'payment_intent.processing',
    ]);
    // Nothing to refund yet, and a debit under way cannot be called back.
    await expect(stripe.refunds.create({ payment_intent: intent.id })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(stripe.paymentIntents.cancel(intent.id)).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_intent_unexpected_state',
    });

    // The weekend does not count: on Wednesday it is still under way.
    now = SETTLED - DAY;
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('processing');

    now = SETTLED + 3600;
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({
      status: 'succeeded',
      amount_received: 5000,
    });
    const settled = await stripe.charges.retrieve(charge.id, { expand: ['balance_transaction'] });
    expect(settled).toMatchObject({ status: 'succeeded', paid: true });
    // The money reaches the balance as the debit settles, net of the ACH fee (0.8%).
    expect(settled.balance_transaction).toMatchObject({
      type: 'charge',
      amount: 5000,
      fee: 40,
      net: 4960,
      created: SETTLED,
      status: 'available',
    });
    expect(await eventsAbout(intent.id, BOOT + 1)).toEqual([
      ['charge.succeeded', SETTLED],
      ['payment_intent.succeeded', SETTLED],
    ]);
    // Now it can be refunded.
    expect(await stripe.refunds.create({ payment_intent: intent.id, amount: 1000 })).toMatchObject({
      amount: 1000,
      status: 'succeeded',
    });
  });

  it("of a test clock's customer settles as the clock advances", async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now });
    const { customer, method } = await bankCustomer({ test_clock: clock.id });
    const intent = await debit(customer.id, method.id, 2500);
    const made = intent.created;
    // Time passing on no clock leaves it alone.
    now = made + 10 * DAY;
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('processing');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: made + 10 * DAY });
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({
      status: 'succeeded',
      amount_received: 2500,
    });
  });

  it("of a failing test account fails when it would have settled: the bank's code, no money", async () => {
    // Three weeks after the boot (later than the tests before): a Friday too, so Thursday is the
    // fourth business day.
    now = BOOT + 21 * DAY;
    const start = now;
    const { customer, method } = await bankCustomer({}, '000222222227');
    const intent = await debit(customer.id, method.id, 3000);
    expect(intent.status).toBe('processing');
    const settles = intent.created + 6 * DAY;
    now = settles + 60;
    const failed = await stripe.paymentIntents.retrieve(intent.id);
    expect(failed).toMatchObject({
      status: 'requires_payment_method',
      amount_received: 0,
      payment_method: null,
      last_payment_error: { code: 'insufficient_funds', payment_method: { id: method.id } },
    });
    expect(await stripe.charges.retrieve(String(intent.latest_charge))).toMatchObject({
      status: 'failed',
      paid: false,
      failure_code: 'insufficient_funds',
      balance_transaction: null,
      outcome: { network_status: 'declined_by_network' },
    });
    expect(await eventsAbout(intent.id, start + 1)).toEqual([
      ['charge.failed', settles],
      ['payment_intent.payment_failed', settles],
    ]);
  });

  it('from an account entered by hand waits for its microdeposits to be verified, once', async () => {
    const { customer, method } = await bankCustomer();
    const intent = await confirmed(customer.id, method.id, 1200);
    expect(intent).toMatchObject({ status: 'requires_action', latest_charge: null });
    const verify = intent.next_action!.verify_with_microdeposits!;
    expect(verify.microdeposit_type).toBe('descriptor_code');
    expect(verify.arrival_date).toBeGreaterThan(intent.created);
    await expect(
      stripe.paymentIntents.verifyMicrodeposits(intent.id, { descriptor_code: 'SM00AA' }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_method_microdeposit_verification_descriptor_code_mismatch',
    });
    await expect(
      stripe.paymentIntents.verifyMicrodeposits(intent.id, { amounts: [32, 44] }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_method_microdeposit_verification_amounts_mismatch',
    });
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('requires_action');
    const verified = await stripe.paymentIntents.verifyMicrodeposits(intent.id, { amounts: [45, 32] });
    expect(verified).toMatchObject({ status: 'processing', next_action: null });
    // Verified once, the account is debited at once from then on.
    expect((await confirmed(customer.id, method.id, 1300)).status).toBe('processing');
    await expect(
      stripe.paymentIntents.verifyMicrodeposits(verified.id, { descriptor_code: 'SM11AA' }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });

  it('set up by a SetupIntent waits for its microdeposits too, then pays at once', async () => {
    const customer = await stripe.customers.create({});
    const method = await stripe.paymentMethods.create({
      type: 'us_bank_account',
      us_bank_account: { routing_number: '110000000', account_number: '000123456789' },
      billing_details: { name: 'Jenny Rosen' },
    });
    const setup = await setUp(customer.id, method.id);
    expect(setup).toMatchObject({
      status: 'requires_action',
      next_action: { type: 'verify_with_microdeposits' },
    });
    // Not saved until verified.
    expect((await stripe.customers.listPaymentMethods(customer.id)).data).toEqual([]);
    await expect(
      stripe.setupIntents.verifyMicrodeposits(setup.id, { descriptor_code: 'SM22BB' }),
    ).rejects.toMatchObject({ code: 'payment_method_microdeposit_verification_descriptor_code_mismatch' });
    const verified = await stripe.setupIntents.verifyMicrodeposits(setup.id, { descriptor_code: 'SM11AA' });
    expect(verified).toMatchObject({ status: 'succeeded', next_action: null });
    expect((await stripe.customers.listPaymentMethods(customer.id)).data.map((m) => m.id)).toEqual([
      method.id,
    ]);
    expect((await confirmed(customer.id, method.id, 1500)).status).toBe('processing');
  });

  it('from a Financial Connections account needs no microdeposits', async () => {
    const customer = await stripe.customers.create({});
    const method = await stripe.paymentMethods.create({
      type: 'us_bank_account',
      // The demo's linked account: Barbara's checking account.
      us_bank_account: {
        financial_connections_account: seedId('financial_connections.account', 'barbara-checking'),
      },
    });
    await stripe.paymentMethods.attach(method.id, { customer: customer.id });
    expect((await confirmed(customer.id, method.id, 1400)).status).toBe('processing');
  });

  it('can be made of payment_method_data, on creation or on confirmation', async () => {
    const data: Stripe.PaymentIntentCreateParams.PaymentMethodData = {
      type: 'us_bank_account',
      us_bank_account: { routing_number: '110000000', account_number: '000123456789' },
      billing_details: { name: 'Jenny Rosen' },
    };
    const intent = await stripe.paymentIntents.create({
      amount: 2200,
      currency: 'usd',
      payment_method_types: ['us_bank_account'],
      payment_method_data: data,
      confirm: true,
    });
    expect(intent).toMatchObject({
      status: 'requires_action',
      payment_method: expect.stringMatching(/^pm_/),
    });
    expect(intent).not.toHaveProperty('payment_method_data');
    expect(await stripe.paymentMethods.retrieve(String(intent.payment_method))).toMatchObject({
      type: 'us_bank_account',
      us_bank_account: { last4: '6789', bank_name: 'STRIPE TEST BANK' },
      billing_details: { name: 'Jenny Rosen' },
    });
    const later = await stripe.paymentIntents.create({
      amount: 2200,
      currency: 'usd',
      payment_method_types: ['us_bank_account'],
    });
    const confirmed = await stripe.paymentIntents.confirm(later.id, { payment_method_data: data });
    expect(confirmed.status).toBe('requires_action');
    const setup = await stripe.setupIntents.create({
      payment_method_types: ['us_bank_account'],
      payment_method_data: data,
    });
    expect(setup).toMatchObject({
      status: 'requires_confirmation',
      payment_method: expect.stringMatching(/^pm_/),
    });
  });

  it('is a payment method the PaymentIntent must take', async () => {
    const { customer, method } = await bankCustomer();
    const cards = await stripe.paymentIntents.create({
      amount: 5000,
      currency: 'usd',
      customer: customer.id,
      payment_method_types: ['card'],
    });
    await expect(
      stripe.paymentIntents.confirm(cards.id, { payment_method: method.id }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_intent_incompatible_payment_method',
      param: 'payment_method',
    });
    // ACH is in US dollars: a euro PaymentIntent's Dashboard payment methods leave it out.
    const euros = await stripe.paymentIntents.create({
      amount: 5000,
      currency: 'eur',
      customer: customer.id,
    });
    expect(euros.payment_method_types).not.toContain('us_bank_account');
    await expect(
      stripe.paymentIntents.confirm(euros.id, {
        payment_method: method.id,
        return_url: 'https://example.com',
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'payment_intent_incompatible_payment_method' });
  });
});

describe("a bank account source's debit (the Charges API)", () => {
  it('is pending, its balance transaction pending from the start, until it settles', async () => {
    // Four weeks after the boot (later than the tests before): a Friday.
    now = BOOT + 28 * DAY;
    const start = now;
    const customer = await stripe.customers.create({ source: 'btok_us_verified' });
    const charge = await stripe.charges.create({
      amount: 10_000,
      currency: 'usd',
      customer: customer.id,
      expand: ['balance_transaction'],
    });
    expect(charge.status).toBe('pending');
    // Counted at once, net of the ACH fee, and available six business days on (Friday week).
    const transaction = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(transaction).toMatchObject({
      status: 'pending',
      fee: 80,
      net: 9920,
      available_on: start + 10 * DAY,
    });
    now = start + 6 * DAY + 60;
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({
      status: 'succeeded',
      paid: true,
      balance_transaction: transaction.id,
    });
    expect(await eventsAbout(charge.id, start)).toEqual([
      ['charge.pending', start],
      ['charge.succeeded', start + 6 * DAY],
    ]);
  });

  it('of a failing test account fails as it settles, its balance transaction reversed', async () => {
    const start = now;
    const token = await stripe.tokens.create({
      bank_account: {
        country: 'US',
        currency: 'usd',
        account_holder_name: 'Jenny Rosen',
        account_holder_type: 'individual',
        routing_number: '110000000',
        account_number: '000111111113',
      },
    });
    const customer = await stripe.customers.create({ source: token.id });
    await stripe.customers.verifySource(customer.id, String(customer.default_source), { amounts: [32, 45] });
    const charge = await stripe.charges.create({ amount: 4000, currency: 'usd', customer: customer.id });
    expect(charge.status).toBe('pending');
    now = start + 7 * DAY;
    const failed = await stripe.charges.retrieve(charge.id, { expand: ['failure_balance_transaction'] });
    expect(failed).toMatchObject({ status: 'failed', failure_code: 'account_closed' });
    expect(failed.failure_balance_transaction).toMatchObject({
      type: 'payment_failure_refund',
      amount: -4000,
      source: charge.id,
    });
  });
});

/**
 * A customer whose default payment method for invoices is one of Stripe's test bank accounts,
 * saved by a SetupIntent and verified with the test microdeposit code.
 */
async function invoicingCustomer(account = '000123456789', params: Stripe.CustomerCreateParams = {}) {
  const { customer, method } = await bankCustomer(params, account);
  const setup = await setUp(customer.id, method.id);
  await stripe.setupIntents.verifyMicrodeposits(setup.id, { descriptor_code: 'SM11AA' });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: method.id } });
  return { customer, method };
}

/** An invoice of `amount` for the customer, finalized and paid (as `pay` does). */
async function paidInvoice(customer: string, amount: number) {
  await stripe.invoiceItems.create({ customer, amount, currency: 'usd' });
  const draft = await stripe.invoices.create({ customer, pending_invoice_items_behavior: 'include' });
  return stripe.invoices.pay(draft.id);
}

describe('an invoice paid from a bank account', () => {
  it('is open, its PaymentIntent processing, until the debit settles: then paid', async () => {
    now = BOOT + 70 * DAY;
    const { customer, method } = await invoicingCustomer();
    const invoice = await paidInvoice(customer.id, 4200);
    expect(invoice).toMatchObject({ status: 'open', paid: false, amount_paid: 0, amount_remaining: 4200 });
    const intent = await stripe.paymentIntents.retrieve(String(invoice.payment_intent));
    expect(intent).toMatchObject({ status: 'processing', payment_method: method.id, invoice: invoice.id });
    expect(intent.payment_method_types).toContain('us_bank_account');
    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    expect(charge).toMatchObject({
      status: 'pending',
      invoice: invoice.id,
      payment_method_details: { type: 'us_bank_account' },
    });
    // Another pay while the debit is under way does not debit the account again.
    await expect(stripe.invoices.pay(invoice.id)).rejects.toMatchObject({ statusCode: 400 });
    const since = now + 1;
    // Friday to Thursday: the fourth business day.
    const settles = charge.created + 6 * DAY;
    now = settles - 60;
    expect((await stripe.invoices.retrieve(invoice.id)).status).toBe('open');
    now = settles + 60;
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      status: 'paid',
      paid: true,
      amount_paid: 4200,
      amount_remaining: 0,
      charge: charge.id,
      status_transitions: { paid_at: settles },
    });
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');
    expect(await eventsAbout(invoice.id, since)).toEqual([
      ['invoice.paid', settles],
      ['invoice.payment_succeeded', settles],
    ]);
  });

  it("of a failing test account fails when the debit would have settled: the bank's code", async () => {
    now = BOOT + 84 * DAY;
    const { customer } = await invoicingCustomer('000222222227');
    const invoice = await paidInvoice(customer.id, 3100);
    expect(invoice.status).toBe('open');
    const since = now + 1;
    const settles = now + 6 * DAY;
    now = settles + 60;
    const failed = await stripe.invoices.retrieve(invoice.id);
    expect(failed).toMatchObject({ status: 'open', paid: false, attempted: true, attempt_count: 1 });
    expect(await stripe.paymentIntents.retrieve(String(invoice.payment_intent))).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'insufficient_funds' },
    });
    expect(await eventsAbout(invoice.id, since)).toEqual([['invoice.payment_failed', settles]]);
  });
});

/** A monthly price of `amount`. */
const monthly = (amount: number) =>
  stripe.prices.create({
    currency: 'usd',
    unit_amount: amount,
    recurring: { interval: 'month' },
    product_data: { name: 'Bank-debited plan' },
  });

describe('a subscription whose invoices are paid from a bank account', () => {
  it('is incomplete while the debit is processing, not expired after 23 hours, then active', async () => {
    now = BOOT + 98 * DAY;
    const { customer, method } = await invoicingCustomer();
    const price = await monthly(2000);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      expand: ['latest_invoice.payment_intent'],
    });
    expect(subscription.status).toBe('incomplete');
    const invoice = subscription.latest_invoice as Stripe.Invoice;
    expect(invoice.status).toBe('open');
    expect(invoice.payment_intent).toMatchObject({ status: 'processing', payment_method: method.id });
    // Past the 23 hours an unpaid first invoice has: the payment is under way, not missing.
    now += 2 * DAY;
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('incomplete');
    expect((await stripe.invoices.retrieve(invoice.id)).status).toBe('open');
    now = subscription.created + 6 * DAY + 60;
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    expect((await stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
  });

  it('stays active while a renewal is processing (not past due), its invoice paid when it settles', async () => {
    now = BOOT + 112 * DAY;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now });
    const { customer } = await invoicingCustomer('000123456789', { test_clock: clock.id });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthly(1500)).id }],
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now + 7 * DAY });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    // Past the renewal at the period's end: its invoice charged, the debit under way.
    const renewal = subscription.current_period_end + 2 * 3600;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: renewal });
    const renewed = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(renewed.status).toBe('active');
    const invoice = renewed.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ billing_reason: 'subscription_cycle', status: 'open', attempted: true });
    expect((await stripe.paymentIntents.retrieve(String(invoice.payment_intent))).status).toBe('processing');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: renewal + 7 * DAY });
    expect((await stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });

  it("is past due once a renewal's debit fails, its invoice's payment failed and retried", async () => {
    now = BOOT + 154 * DAY;
    const start = now;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now });
    const { customer } = await invoicingCustomer('000222222227', { test_clock: clock.id });
    // A day's trial: the first invoice is nothing to pay, the trial's end is the first debit.
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthly(1800)).id }],
      trial_period_days: 1,
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + DAY + 60 });
    const billed = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(billed.status).toBe('active');
    const invoice = billed.latest_invoice as Stripe.Invoice;
    expect(invoice.status).toBe('open');
    // Saturday's debit settles on the fourth business day: Thursday.
    const settles = start + 7 * DAY;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: settles + 60 });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    const failed = await stripe.invoices.retrieve(invoice.id);
    expect(failed).toMatchObject({ status: 'open', attempt_count: 1 });
    expect(failed.next_payment_attempt).toBeGreaterThan(settles);
    expect((await eventsAbout(invoice.id, start + DAY + 61)).map(([type]) => type)).toContain(
      'invoice.payment_failed',
    );
  });
});
