/**
 * The flows a developer following Stripe's docs runs in the less travelled families: Issuing's
 * test-helper authorizations and cards, Terminal's server-driven payments, Tax calculations and
 * transactions; each answer checked against what Stripe does.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { ISSUING_FUNDING } from '../../src/emulator/seed/families.ts';
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
    // The increment is held too, so the capture's release gives back what was held.
    expect(raised.balance_transactions.map((bt) => [bt.type, bt.amount])).toEqual([
      ['issuing_authorization_hold', -500],
      ['issuing_authorization_hold', -200],
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

describe('Issuing authorizations hold funds', () => {
  /** The Issuing balance in USD (Issuing spends from it, not from the payments balance). */
  const available = async () =>
    (await stripe.balance.retrieve()).issuing?.available.find((b) => b.currency === 'usd')?.amount ?? 0;
  /** The payments balance in USD, available and pending. */
  const payments = async () => {
    const balance = await stripe.balance.retrieve();
    return [balance.available, balance.pending].map((b) => b.find((a) => a.currency === 'usd')?.amount);
  };
  const kinds = (auth: Stripe.Issuing.Authorization) =>
    auth.balance_transactions.map((bt) => [bt.type, bt.amount, bt.source]);

  it('an approved authorization holds its amount until a capture takes what it captures', async () => {
    const card = await activeCard();
    const before = await available();
    const paymentsBefore = await payments();
    const auth = await stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 3000 });
    expect(kinds(auth)).toEqual([['issuing_authorization_hold', -3000, auth.id]]);
    expect(await available()).toBe(before - 3000);

    const captured = await stripe.testHelpers.issuing.authorizations.capture(auth.id, {
      capture_amount: 2500,
    });
    expect(kinds(captured)).toEqual([
      ['issuing_authorization_hold', -3000, auth.id],
      ['issuing_authorization_release', 3000, auth.id],
    ]);
    expect(await available()).toBe(before - 2500);
    expect(await payments()).toEqual(paymentsBefore);
  });

  it('a reversal, an expiry or a decline gives the hold back', async () => {
    const card = await activeCard();
    const before = await available();
    const auth = await stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 1000 });
    const partly = await stripe.testHelpers.issuing.authorizations.reverse(auth.id, { reverse_amount: 400 });
    expect(partly).toMatchObject({ status: 'pending', amount: 600 });
    expect(await available()).toBe(before - 600);
    const expired = await stripe.testHelpers.issuing.authorizations.expire(auth.id);
    expect(kinds(expired).map(([type, amount]) => [type, amount])).toEqual([
      ['issuing_authorization_hold', -1000],
      ['issuing_authorization_release', 400],
      ['issuing_authorization_release', 600],
    ]);
    const declined = await stripe.issuing.authorizations.decline(
      (await stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 700 })).id,
    );
    expect(declined).toMatchObject({ status: 'closed', approved: false, amount: 0 });
    expect(await available()).toBe(before);
  });

  it("the demo's Issuing balance is funded: its purchases leave it above zero", async () => {
    const funding = await stripe.balanceTransactions.retrieve(ISSUING_FUNDING);
    expect(funding).toMatchObject({ type: 'adjustment', currency: 'usd', status: 'available' });
    expect(funding.amount).toBeGreaterThan(0);
    // 2024-04-10 sends no `balance_type` (later versions do).
    expect(funding).not.toHaveProperty('balance_type');
    // The Issuing balance is the funding less what the demo's cards spent, and still has money.
    let spent = 0;
    for await (const txn of stripe.balanceTransactions.list({ limit: 100 }))
      if (txn.type.startsWith('issuing_') && txn.currency === 'usd') spent += txn.net;
    expect(spent).toBeLessThan(0);
    expect(await available()).toBe(funding.amount + spent);
    expect(await available()).toBeGreaterThan(0);
  });

  it('an authorization or increment the Issuing balance cannot cover is declined', async () => {
    const card = await activeCard();
    const before = await available();
    const created = new Date();
    const auth = await stripe.testHelpers.issuing.authorizations.create({
      card: card.id,
      amount: before + 1,
    });
    expect(auth).toMatchObject({ approved: false, status: 'closed', amount: 0, balance_transactions: [] });
    expect(auth.request_history).toMatchObject([
      { amount: before + 1, approved: false, reason: 'insufficient_funds' },
    ]);
    expect(await available()).toBe(before);
    // Stripe announces it as any authorization, declined.
    const events = await stripe.events.list({
      type: 'issuing_authorization.created',
      created: { gte: Math.floor(created.getTime() / 1000) - 1 },
    });
    const announced = events.data.find((e) => (e.data.object as { id: string }).id === auth.id);
    expect(announced?.data.object).toMatchObject({ approved: false, status: 'closed' });

    // An increment past what is left is declined, and the authorization keeps its hold.
    const held = await stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 1000 });
    expect(held).toMatchObject({ approved: true, status: 'pending' });
    const more = await stripe.testHelpers.issuing.authorizations.increment(held.id, {
      increment_amount: (await available()) + 1,
    });
    expect(more).toMatchObject({ status: 'pending', amount: 1000 });
    expect(more.request_history.at(-1)).toMatchObject({ approved: false, reason: 'insufficient_funds' });
    expect(await available()).toBe(before - 1000);
    await stripe.testHelpers.issuing.authorizations.reverse(held.id);
  });

  it('a declined authorization holds nothing', async () => {
    const card = await activeCard(100);
    const auth = await stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 500 });
    expect(auth).toMatchObject({ approved: false, status: 'closed', balance_transactions: [] });
  });
});

describe('Issuing physical cards (test helpers)', () => {
  /** A physical card of a new cardholder, shipped with `shipping` besides a name and address. */
  const physicalCard = async (shipping: Partial<Stripe.Issuing.CardCreateParams.Shipping> = {}) =>
    stripe.issuing.cards.create({
      cardholder: (await activeCard()).cardholder.id,
      currency: 'usd',
      type: 'physical',
      shipping: {
        name: 'Jenny Rosen',
        address: { line1: '1 Main St', city: 'SF', state: 'CA', postal_code: '94111', country: 'US' },
        ...shipping,
      },
    });

  it('a shipment starts pending and the shipping helpers move it along', async () => {
    const card = await physicalCard();
    // Standard service in individual packaging by default, no signature asked for.
    expect(card.shipping).toMatchObject({
      status: 'pending',
      service: 'standard',
      type: 'individual',
      require_signature: false,
    });
    const cards = stripe.testHelpers.issuing.cards;
    expect((await cards.shipCard(card.id)).shipping?.status).toBe('shipped');
    expect((await cards.deliverCard(card.id)).shipping?.status).toBe('delivered');
    expect((await cards.returnCard(card.id)).shipping?.status).toBe('returned');
    expect((await cards.failCard(card.id)).shipping?.status).toBe('failure');
    expect((await stripe.issuing.cards.retrieve(card.id)).shipping?.status).toBe('failure');
  });

  it('an express shipment asks for a signature unless told otherwise', async () => {
    expect((await physicalCard({ service: 'express', type: 'bulk' })).shipping).toMatchObject({
      service: 'express',
      type: 'bulk',
      require_signature: true,
    });
    expect((await physicalCard({ service: 'priority', require_signature: false })).shipping).toMatchObject({
      service: 'priority',
      type: 'individual',
      require_signature: false,
    });
  });

  it('a virtual card has no shipment to move', async () => {
    const card = await activeCard();
    await expect(stripe.testHelpers.issuing.cards.shipCard(card.id)).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});

describe('Tax calculations and transactions', () => {
  const seattle = {
    line1: '920 5th Ave',
    city: 'Seattle',
    state: 'WA',
    postal_code: '98104',
    country: 'US',
  };

  /** A calculation of two lines and shipping for a Seattle address, where nothing is registered. */
  const calculate = () =>
    stripe.tax.calculations.create({
      currency: 'usd',
      line_items: [
        { amount: 1000, reference: 'shirt', tax_code: 'txcd_99999999' },
        { amount: 500, quantity: 2, reference: 'socks' },
      ],
      shipping_cost: { amount: 300 },
      customer_details: { address: seattle, address_source: 'shipping' },
    });

  it('a calculation totals its lines and shipping and lists its line items', async () => {
    const calculation = await calculate();
    expect(calculation).toMatchObject({
      amount_total: 1800,
      tax_amount_exclusive: 0,
      tax_amount_inclusive: 0,
      customer_details: { address_source: 'shipping', taxability_override: 'none', address: { state: 'WA' } },
      shipping_cost: { amount: 300, amount_tax: 0, tax_behavior: 'exclusive' },
    });
    // No registration in Washington: Stripe collects nothing there and says so.
    expect(calculation.tax_breakdown).toEqual([
      {
        amount: 0,
        inclusive: false,
        tax_rate_details: { country: 'US', percentage_decimal: '0.0', state: 'WA', tax_type: 'sales_tax' },
        taxability_reason: 'not_collecting',
        taxable_amount: 0,
      },
    ]);
    const lines = await stripe.tax.calculations.listLineItems(calculation.id!);
    expect(lines.data.map((l) => [l.reference, l.amount, l.quantity, l.amount_tax, l.tax_code])).toEqual([
      ['shirt', 1000, 1, 0, 'txcd_99999999'],
      ['socks', 500, 2, 0, 'txcd_10000000'],
    ]);
  });

  it('a calculation needs an address to tax', async () => {
    await expect(
      stripe.tax.calculations.create({ currency: 'usd', line_items: [{ amount: 1000 }] }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'customer_tax_location_invalid' });
  });

  it('a transaction records a calculation once, and a full reversal negates it', async () => {
    const calculation = await calculate();
    const recorded = await stripe.tax.transactions.createFromCalculation({
      calculation: calculation.id!,
      reference: 'order-1',
    });
    expect(recorded).toMatchObject({
      type: 'transaction',
      reference: 'order-1',
      reversal: null,
      customer_details: { address: { state: 'WA' } },
      shipping_cost: { amount: 300 },
    });
    const lines = await stripe.tax.transactions.listLineItems(recorded.id);
    expect(lines.data.map((l) => [l.type, l.reference, l.amount])).toEqual([
      ['transaction', 'shirt', 1000],
      ['transaction', 'socks', 500],
    ]);
    await expect(
      stripe.tax.transactions.createFromCalculation({ calculation: calculation.id!, reference: 'order-1' }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'reference' });

    const reversal = await stripe.tax.transactions.createReversal({
      original_transaction: recorded.id,
      reference: 'order-1-refund',
      mode: 'full',
    });
    expect(reversal).toMatchObject({
      type: 'reversal',
      reversal: { original_transaction: recorded.id },
      shipping_cost: { amount: -300 },
    });
    const back = await stripe.tax.transactions.listLineItems(reversal.id);
    expect(back.data.map((l) => [l.type, l.amount, l.reversal?.original_line_item])).toEqual([
      ['reversal', -1000, lines.data[0]!.id],
      ['reversal', -500, lines.data[1]!.id],
    ]);
  });
});

describe('Terminal server-driven payments (simulated reader)', () => {
  /** A simulated WisePOS E at a new location. */
  async function reader(): Promise<Stripe.Terminal.Reader> {
    const location = await stripe.terminal.locations.create({
      display_name: 'HQ',
      address: { line1: '1 Main St', city: 'SF', state: 'CA', postal_code: '94111', country: 'US' },
    });
    return stripe.terminal.readers.create({ registration_code: 'simulated-wpe', location: location.id });
  }

  /** The reader's events since `since`, oldest first. */
  async function readerEvents(device: string, since: number): Promise<string[]> {
    const events = await stripe.events.list({ type: 'terminal.reader.*', created: { gte: since } });
    return events.data
      .filter((event) => (event.data.object as Stripe.Terminal.Reader).id === device)
      .map((event) => event.type)
      .reverse();
  }

  /** A new PaymentIntent for a card on a reader. */
  const cardPresentIntent = (amount: number, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      payment_method_types: ['card_present'],
      ...extra,
    });

  it('an unknown registration code is refused and registers nothing', async () => {
    const count = async () => (await stripe.terminal.readers.list({ limit: 100 })).data.length;
    const before = await count();
    await expect(
      stripe.terminal.readers.create({ registration_code: 'puppies-plug-could', label: 'Till' }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'registration_code' });
    expect(await count()).toBe(before);
  });

  it('processes a PaymentIntent: in progress, then the presented card authorizes it', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const device = await reader();
    const intent = await cardPresentIntent(1234, { capture_method: 'manual' });
    const processing = await stripe.terminal.readers.processPaymentIntent(device.id, {
      payment_intent: intent.id,
    });
    expect(processing.action).toEqual({
      failure_code: null,
      failure_message: null,
      process_payment_intent: { payment_intent: intent.id },
      status: 'in_progress',
      type: 'process_payment_intent',
    });
    await expect(
      stripe.terminal.readers.processPaymentIntent(device.id, { payment_intent: intent.id }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'terminal_reader_busy' });
    const online = await stripe.paymentIntents.create({
      amount: 1234,
      currency: 'usd',
      payment_method_types: ['card'],
    });
    await expect(
      stripe.terminal.readers.processPaymentIntent((await reader()).id, { payment_intent: online.id }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'payment_intent' });

    const presented = await stripe.testHelpers.terminal.readers.presentPaymentMethod(device.id);
    expect(presented.action).toMatchObject({ status: 'succeeded', type: 'process_payment_intent' });
    const held = await stripe.paymentIntents.retrieve(intent.id, {
      expand: ['latest_charge', 'payment_method'],
    });
    expect(held).toMatchObject({ status: 'requires_capture', amount_capturable: 1234 });
    expect(held.payment_method).toMatchObject({ type: 'card_present', card_present: { last4: '4242' } });
    expect((held.latest_charge as Stripe.Charge).payment_method_details).toMatchObject({
      type: 'card_present',
      card_present: { brand: 'visa', last4: '4242', amount_authorized: 1234 },
    });
    expect((await stripe.paymentIntents.capture(intent.id)).status).toBe('succeeded');
    expect(await readerEvents(device.id, since)).toEqual(['terminal.reader.action_succeeded']);
  });

  it('a declined card fails the action and leaves the PaymentIntent to retry', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const device = await reader();
    const intent = await cardPresentIntent(500);
    await stripe.terminal.readers.processPaymentIntent(device.id, { payment_intent: intent.id });
    const declined = await stripe.testHelpers.terminal.readers.presentPaymentMethod(device.id, {
      card_present: { number: '4000000000000002' },
    });
    expect(declined.action).toMatchObject({ status: 'failed', failure_code: 'card_declined' });
    const after = await stripe.paymentIntents.retrieve(intent.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error).toMatchObject({ code: 'card_declined' });
    expect(await readerEvents(device.id, since)).toEqual(['terminal.reader.action_failed']);

    // The same PaymentIntent goes to the reader again, and a good card pays it.
    await stripe.terminal.readers.processPaymentIntent(device.id, { payment_intent: intent.id });
    await stripe.testHelpers.terminal.readers.presentPaymentMethod(device.id);
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');
  });

  it('a reader refunds a payment, and cancel_action clears what it was doing', async () => {
    const device = await reader();
    const intent = await cardPresentIntent(900);
    await stripe.terminal.readers.processPaymentIntent(device.id, { payment_intent: intent.id });
    await stripe.testHelpers.terminal.readers.presentPaymentMethod(device.id);
    await stripe.terminal.readers.refundPayment(device.id, { payment_intent: intent.id, amount: 200 });
    const refunded = await stripe.testHelpers.terminal.readers.presentPaymentMethod(device.id);
    expect(refunded.action).toMatchObject({ status: 'succeeded', type: 'refund_payment' });
    const refund = await stripe.refunds.retrieve(String(refunded.action?.refund_payment?.refund));
    expect(refund).toMatchObject({ amount: 200, payment_intent: intent.id, status: 'succeeded' });

    const other = await cardPresentIntent(100);
    await stripe.terminal.readers.processPaymentIntent(device.id, { payment_intent: other.id });
    expect((await stripe.terminal.readers.cancelAction(device.id)).action).toBeNull();
    await expect(stripe.testHelpers.terminal.readers.presentPaymentMethod(device.id)).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});

describe('Treasury returns and failures (test helpers)', () => {
  /** A financial account holding `cash` (a received credit), and a verified bank account to move money with. */
  async function fundedAccount(cash: number) {
    const account = await stripe.treasury.financialAccounts.create({
      supported_currencies: ['usd'],
      features: {
        inbound_transfers: { ach: { requested: true } },
        outbound_transfers: { ach: { requested: true } },
      },
    });
    await stripe.testHelpers.treasury.receivedCredits.create({
      financial_account: account.id,
      amount: cash,
      currency: 'usd',
      network: 'ach',
    });
    return account.id;
  }
  const cashOf = async (account: string) =>
    (await stripe.treasury.financialAccounts.retrieve(account)).balance.cash.usd;
  /** An inbound transfer of `amount` from the test bank account. */
  const pull = (account: string, amount: number) =>
    stripe.treasury.inboundTransfers.create({
      financial_account: account,
      amount,
      currency: 'usd',
      origin_payment_method: 'pm_usBankAccount',
    });

  it('a returned inbound transfer gives its money back through a linked received debit', async () => {
    const account = await fundedAccount(1000);
    const inbound = await pull(account, 3000);
    await expect(
      stripe.testHelpers.treasury.inboundTransfers.returnInboundTransfer(inbound.id),
    ).rejects.toMatchObject({ statusCode: 400 });
    await stripe.testHelpers.treasury.inboundTransfers.succeed(inbound.id);
    expect(await cashOf(account)).toBe(4000);

    const returned = await stripe.testHelpers.treasury.inboundTransfers.returnInboundTransfer(inbound.id);
    expect(returned).toMatchObject({ status: 'succeeded', returned: true });
    const debit = await stripe.treasury.receivedDebits.retrieve(String(returned.linked_flows.received_debit));
    expect(debit).toMatchObject({
      amount: 3000,
      financial_account: account,
      status: 'succeeded',
      linked_flows: { inbound_transfer: inbound.id },
    });
    expect(await cashOf(account)).toBe(1000);
  });

  it("an inbound transfer's money lands when it succeeds, not before", async () => {
    const account = await fundedAccount(1000);
    const balance = async () => (await stripe.treasury.financialAccounts.retrieve(account)).balance;
    const transaction = async (id: string) =>
      stripe.treasury.transactions.retrieve(
        String((await stripe.treasury.inboundTransfers.retrieve(id)).transaction),
      );
    const landing = await pull(account, 3000);
    expect(await balance()).toMatchObject({ cash: { usd: 1000 }, inbound_pending: { usd: 0 } });
    expect(await transaction(landing.id)).toMatchObject({
      amount: 3000,
      status: 'open',
      balance_impact: { cash: 0, inbound_pending: 0, outbound_pending: 0 },
    });
    await stripe.testHelpers.treasury.inboundTransfers.succeed(landing.id);
    expect((await balance()).cash.usd).toBe(4000);
    const posted = await transaction(landing.id);
    expect(posted).toMatchObject({ status: 'posted', balance_impact: { cash: 3000 } });
    expect(posted.status_transitions.posted_at).toEqual(expect.any(Number));

    const failing = await pull(account, 500);
    await stripe.testHelpers.treasury.inboundTransfers.fail(failing.id);
    expect((await balance()).cash.usd).toBe(4000);
    expect(await transaction(failing.id)).toMatchObject({ status: 'void', balance_impact: { cash: 0 } });
  });

  it('an inbound transfer shows the bank account it pulls from', async () => {
    const account = await fundedAccount(0);
    expect(await pull(account, 100)).toMatchObject({
      returned: false,
      origin_payment_method_details: {
        type: 'us_bank_account',
        us_bank_account: { bank_name: 'STRIPE TEST BANK', last4: '6789', network: 'ach' },
      },
    });
    const method = await stripe.paymentMethods.create({
      type: 'us_bank_account',
      us_bank_account: {
        routing_number: '110000000',
        account_number: '000111111116',
        account_holder_type: 'company',
      },
      billing_details: { name: 'Ada Co' },
    });
    const own = await stripe.treasury.inboundTransfers.create({
      financial_account: account,
      amount: 100,
      currency: 'usd',
      origin_payment_method: method.id,
    });
    expect(own.origin_payment_method_details).toMatchObject({
      billing_details: { name: 'Ada Co' },
      us_bank_account: {
        account_holder_type: 'company',
        bank_name: 'STRIPE TEST BANK',
        fingerprint: method.us_bank_account!.fingerprint,
        last4: '1116',
        network: 'ach',
        routing_number: '110000000',
      },
    });
  });

  it('a US bank account payment method made from its numbers has its bank details', async () => {
    const bank = (account_number: string, account_type?: 'savings') =>
      stripe.paymentMethods.create({
        type: 'us_bank_account',
        us_bank_account: {
          routing_number: '110000000',
          account_number,
          account_holder_type: 'individual',
          ...(account_type ? { account_type } : {}),
        },
        billing_details: { name: 'Jenny Rosen' },
      });
    const method = await bank('000123456789');
    expect(method.us_bank_account).toMatchObject({
      account_holder_type: 'individual',
      account_type: 'checking',
      bank_name: 'STRIPE TEST BANK',
      financial_connections_account: null,
      last4: '6789',
      networks: { preferred: 'ach', supported: ['ach'] },
      routing_number: '110000000',
      status_details: {},
    });
    expect(method.us_bank_account).not.toHaveProperty('account_number');
    // The same account has the same fingerprint; another account another.
    const fingerprint = method.us_bank_account!.fingerprint;
    expect(fingerprint).toMatch(/^\w{16}$/);
    const again = await bank('000123456789', 'savings');
    expect(again.us_bank_account).toMatchObject({ account_type: 'savings', fingerprint });
    expect((await bank('000111111116')).us_bank_account).toMatchObject({ last4: '1116' });
    expect((await bank('000111111116')).us_bank_account!.fingerprint).not.toBe(fingerprint);
  });

  it('a credit reversal posts and a debit reversal succeeds as they are made', async () => {
    const account = await fundedAccount(5000);
    const received = await stripe.treasury.receivedCredits.list({ financial_account: account });
    const credit = await stripe.treasury.creditReversals.create({
      received_credit: received.data[0]!.id,
      expand: ['transaction'],
    });
    expect(credit).toMatchObject({ status: 'posted', transaction: { status: 'posted', amount: -5000 } });
    expect(credit.status_transitions.posted_at).toEqual(expect.any(Number));
    const debit = await stripe.testHelpers.treasury.receivedDebits.create({
      financial_account: account,
      amount: 700,
      currency: 'usd',
      network: 'ach',
    });
    const back = await stripe.treasury.debitReversals.create({ received_debit: debit.id });
    expect(back.status).toBe('succeeded');
    expect(back.status_transitions.completed_at).toEqual(expect.any(Number));
    // Created, then completed: both announced, the second with the reversal as it completed.
    const announced = (await stripe.events.list({ limit: 20 })).data.filter(
      (e) => (e.data.object as { id?: string }).id === back.id,
    );
    expect(announced.map((e) => e.type).reverse()).toEqual([
      'treasury.debit_reversal.created',
      'treasury.debit_reversal.completed',
    ]);
    expect(announced[0]!.data.object).toMatchObject({ status: 'succeeded' });
    expect(announced[1]!.data.object).toMatchObject({ status: 'processing' });
    expect(await stripe.treasury.financialAccounts.retrieve(account)).toMatchObject({
      balance: { cash: { usd: 0 }, outbound_pending: { usd: 0 } },
    });
  });

  it('a failure or a return says why', async () => {
    const account = await fundedAccount(5000);
    const inbound = await pull(account, 700);
    const failed = await stripe.testHelpers.treasury.inboundTransfers.fail(inbound.id, {
      failure_details: { code: 'account_closed' },
    });
    expect(failed).toMatchObject({ status: 'failed', failure_details: { code: 'account_closed' } });

    const outbound = await stripe.treasury.outboundTransfers.create({
      financial_account: account,
      amount: 2000,
      currency: 'usd',
      destination_payment_method: 'pm_usBankAccount',
    });
    await stripe.testHelpers.treasury.outboundTransfers.post(outbound.id);
    const back = await stripe.testHelpers.treasury.outboundTransfers.returnOutboundTransfer(outbound.id, {
      returned_details: { code: 'no_account' },
    });
    expect(back).toMatchObject({
      status: 'returned',
      returned_details: { code: 'no_account', transaction: outbound.transaction },
    });
  });
});

describe('Treasury reversals', () => {
  const account = async () =>
    (await stripe.treasury.financialAccounts.create({ supported_currencies: ['usd'] })).id;
  const credit = async (network: 'ach' | 'us_domestic_wire') =>
    stripe.testHelpers.treasury.receivedCredits.create({
      financial_account: await account(),
      amount: 900,
      currency: 'usd',
      network,
    });

  it('a reversed credit says so, and cannot be reversed again', async () => {
    const received = await credit('ach');
    await stripe.treasury.creditReversals.create({ received_credit: received.id });
    expect((await stripe.treasury.receivedCredits.retrieve(received.id)).reversal_details).toMatchObject({
      restricted_reason: 'already_reversed',
    });
    await expect(
      stripe.treasury.creditReversals.create({ received_credit: received.id }),
    ).rejects.toMatchObject({
      statusCode: 400,
      param: 'received_credit',
    });
  });

  it('a wire cannot be reversed', async () => {
    const wire = await credit('us_domestic_wire');
    expect(wire.reversal_details).toEqual({ deadline: null, restricted_reason: 'network_restricted' });
    await expect(stripe.treasury.creditReversals.create({ received_credit: wire.id })).rejects.toMatchObject({
      statusCode: 400,
      param: 'received_credit',
    });
  });
});

describe('Treasury financial addresses', () => {
  const aba = { financial_addresses: { aba: { requested: true } } };

  it('an account with the ABA feature active has an ABA address', async () => {
    const account = await stripe.treasury.financialAccounts.create({
      supported_currencies: ['usd'],
      features: aba,
    });
    expect(account.financial_addresses).toEqual([
      {
        type: 'aba',
        supported_networks: ['ach', 'us_domestic_wire'],
        aba: {
          account_holder_name: expect.any(String),
          account_number: null,
          account_number_last4: expect.stringMatching(/^\d{4}$/),
          bank_name: 'STRIPE TEST BANK',
          routing_number: expect.stringMatching(/^\d{9}$/),
        },
      },
    ]);
  });

  it('an account gets its address once the feature is requested', async () => {
    const account = await stripe.treasury.financialAccounts.create({ supported_currencies: ['usd'] });
    expect(account.financial_addresses).toEqual([]);
    await stripe.treasury.financialAccounts.updateFeatures(account.id, aba);
    const updated = await stripe.treasury.financialAccounts.retrieve(account.id);
    expect(updated.financial_addresses.map((address) => address.type)).toEqual(['aba']);
  });
});

describe('Issuing cards and cardholders that may not spend', () => {
  it("an inactive cardholder's card is declined", async () => {
    const card = await activeCard();
    await stripe.issuing.cardholders.update(card.cardholder.id, { status: 'inactive' });
    const auth = await stripe.testHelpers.issuing.authorizations.create({ card: card.id, amount: 500 });
    expect(auth).toMatchObject({ approved: false, status: 'closed' });
    expect(auth.request_history[0]).toMatchObject({ approved: false, reason: 'cardholder_inactive' });
  });

  it('a canceled card cannot be reactivated', async () => {
    const card = await activeCard();
    await stripe.issuing.cards.update(card.id, { status: 'canceled' });
    await expect(stripe.issuing.cards.update(card.id, { status: 'active' })).rejects.toMatchObject({
      statusCode: 400,
      param: 'status',
    });
    expect((await stripe.issuing.cards.update(card.id, { metadata: { note: 'lost' } })).status).toBe(
      'canceled',
    );
  });
});

describe('File links', () => {
  const upload = (purpose: Stripe.FileCreateParams.Purpose) =>
    stripe.files.create({
      purpose,
      file: { data: Buffer.from('receipt'), name: 'receipt.txt', type: 'text/plain' },
    });

  it('a link expired now reads expired, and an expiry must be in the future', async () => {
    const file = await upload('dispute_evidence');
    const link = await stripe.fileLinks.create({ file: file.id });
    expect(link).toMatchObject({ expired: false, expires_at: null });
    const expired = await stripe.fileLinks.update(link.id, { expires_at: 'now' });
    expect(expired.expired).toBe(true);
    expect((await stripe.fileLinks.retrieve(link.id)).expired).toBe(true);
    await expect(stripe.fileLinks.create({ file: file.id, expires_at: 1_000_000 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'expires_at',
    });
  });

  it("an upload with file_link_data gets its link, listed in the file's links", async () => {
    const file = await stripe.files.create({
      purpose: 'dispute_evidence',
      file: { data: Buffer.from('receipt'), name: 'receipt.txt', type: 'text/plain' },
      file_link_data: { create: true, metadata: { order: '7' } },
    });
    expect(file.links?.data).toHaveLength(1);
    const link = file.links!.data[0]!;
    expect(link).toMatchObject({ object: 'file_link', file: file.id, metadata: { order: '7' } });
    expect((await stripe.fileLinks.retrieve(link.id)).file).toBe(file.id);
    const plain = await upload('dispute_evidence');
    expect(plain.links).toMatchObject({ data: [], url: `/v1/file_links?file=${plain.id}` });
  });

  it('an identity document cannot be linked', async () => {
    const file = await upload('identity_document');
    await expect(stripe.fileLinks.create({ file: file.id })).rejects.toMatchObject({
      statusCode: 400,
      param: 'file',
    });
  });
});

describe('Radar value lists', () => {
  it("an item's value must be of its list's item type", async () => {
    const ips = await stripe.radar.valueLists.create({
      alias: 'custom_ip_blocklist',
      name: 'Blocked IPs',
      item_type: 'ip_address',
    });
    const item = await stripe.radar.valueListItems.create({ value_list: ips.id, value: '203.0.113.7' });
    expect(item.value).toBe('203.0.113.7');
    await expect(
      stripe.radar.valueListItems.create({ value_list: ips.id, value: 'jenny@example.com' }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'value' });

    const emails = await stripe.radar.valueLists.create({
      alias: 'custom_email_blocklist',
      name: 'Blocked emails',
      item_type: 'email',
    });
    await expect(
      stripe.radar.valueListItems.create({ value_list: emails.id, value: '203.0.113.7' }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'value' });
    const words = await stripe.radar.valueLists.create({ alias: 'custom_words', name: 'Words' });
    expect(
      (await stripe.radar.valueListItems.create({ value_list: words.id, value: 'anything' })).value,
    ).toBe('anything');
  });
});

describe('Identity verification sessions', () => {
  it('only a session requiring input changes its check, and a redacted one nothing', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const changed = await stripe.identity.verificationSessions.update(session.id, { type: 'id_number' });
    expect(changed.type).toBe('id_number');
    await stripe.identity.verificationSessions.cancel(session.id);
    await expect(
      stripe.identity.verificationSessions.update(session.id, { type: 'document' }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'type' });
    const noted = await stripe.identity.verificationSessions.update(session.id, { metadata: { order: '7' } });
    expect(noted.metadata).toEqual({ order: '7' });
    await stripe.identity.verificationSessions.redact(session.id);
    await expect(
      stripe.identity.verificationSessions.update(session.id, { metadata: { order: '8' } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('Issuing disputes', () => {
  it('a transaction is disputed once, for at most its amount', async () => {
    const card = await activeCard();
    const purchase = await stripe.testHelpers.issuing.transactions.createForceCapture({
      card: card.id,
      amount: 900,
    });
    await expect(
      stripe.issuing.disputes.create({ transaction: purchase.id, amount: 901 }),
    ).rejects.toMatchObject({
      statusCode: 400,
      param: 'amount',
    });
    const dispute = await stripe.issuing.disputes.create({ transaction: purchase.id, amount: 400 });
    expect(dispute).toMatchObject({ status: 'unsubmitted', amount: 400 });
    expect((await stripe.issuing.transactions.retrieve(purchase.id)).dispute).toBe(dispute.id);
    await expect(stripe.issuing.disputes.create({ transaction: purchase.id })).rejects.toMatchObject({
      statusCode: 400,
      param: 'transaction',
    });
  });
});
