/**
 * The ledger (src/emulator/money/ledger.ts): a day of mixed activity on the demo data (payments, a
 * refund, a dispute, Connect transfers and a reversal, a destination charge with an application
 * fee and its refund, a payout, a top-up, a Climate order, an Issuing capture and refunds (on the
 * Issuing balance), a payment in another currency), then every balance of every account and
 * currency checked against the sum of its balance transactions, every balance transaction against
 * the object it names, and each movement's effect on the balances checked against what Stripe
 * does. Then Treasury's ledger, and a customer's cash balance (money/cash-balance.ts) with the
 * refund that waits for the customer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadApi } from '../../src/emulator/engine/api.ts';
import { ErrorReply } from '../../src/emulator/engine/errors.ts';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import { ISSUING_FUNDING, TEST_US_BANK_ACCOUNT } from '../../src/emulator/seed/families.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { EmulatorService } from '../../src/emulator/service.ts';

let service: EmulatorService;
const connected = SEED.connected.account;

const call = (method: string, path: string, params: JsonObject = {}, account?: string) =>
  service.call(method, path, params, account ? { account } : {});

/** Every balance transaction of the account, all pages. */
function transactions(account?: string): JsonObject[] {
  const out: JsonObject[] = [];
  let after: string | undefined;
  for (;;) {
    const page = call(
      'GET',
      '/v1/balance_transactions',
      { limit: 100, ...(after ? { starting_after: after } : {}) },
      account,
    );
    const data = page.data as JsonObject[];
    out.push(...data);
    if (!page.has_more) return out;
    after = String(data.at(-1)!.id);
  }
}

/**
 * Whether a balance transaction moves the Issuing balance (apart from the payments balance): the
 * Issuing types, and the demo's funding of it.
 */
const isIssuing = (txn: JsonObject) => String(txn.type).startsWith('issuing_') || txn.id === ISSUING_FUNDING;

/** The Issuing balance in USD, summed from its balance transactions or as the balance says. */
const issuingSummed = () =>
  transactions()
    .filter((txn) => isIssuing(txn) && txn.currency === 'usd')
    .reduce((sum, txn) => sum + Number(txn.net), 0);
const issuingBalance = () =>
  Number(
    (
      (call('GET', '/v1/balance').issuing as JsonObject | undefined)?.available as JsonObject[] | undefined
    )?.find((a) => a.currency === 'usd')?.amount ?? 0,
  );

/** available and pending per currency, summed from the payments balance's transactions. */
function summed(account?: string): Record<string, { available: number; pending: number }> {
  const out: Record<string, { available: number; pending: number }> = {};
  for (const txn of transactions(account)) {
    if (isIssuing(txn)) continue;
    out[String(txn.currency)] ??= { available: 0, pending: 0 };
    const bucket = out[String(txn.currency)]!;
    bucket[txn.status === 'available' ? 'available' : 'pending'] += Number(txn.net);
  }
  return out;
}

function balance(account?: string): Record<string, { available: number; pending: number }> {
  const body = call('GET', '/v1/balance', {}, account);
  const out: Record<string, { available: number; pending: number }> = {};
  for (const kind of ['available', 'pending'] as const)
    for (const amount of body[kind] as JsonObject[]) {
      out[String(amount.currency)] ??= { available: 0, pending: 0 };
      const bucket = out[String(amount.currency)]!;
      bucket[kind] += Number(amount.amount);
    }
  return out;
}

const totalOf = (b: Record<string, { available: number; pending: number }>) =>
  (b.usd?.available ?? 0) + (b.usd?.pending ?? 0);

function txnOf(id: unknown, account?: string): JsonObject {
  return call('GET', `/v1/balance_transactions/${String(id)}`, {}, account);
}

/**
 * The object a balance transaction's `source` names (rendered where it has a retrieve of its own),
 * and whether it is the account's own: the platform's objects move a connected account's money too
 * (an application fee refund), and then name the platform's side only.
 */
function sourceOf(id: string, account?: string): { object: JsonObject; own: boolean } {
  const store = service.store;
  const own = (account ? store.scope(account) : store.platform).find(id);
  const entry = own ?? store.platform.find(id);
  if (!entry) throw new Error(`no object ${id}`);
  const route = loadApi().routes.find(
    (r) =>
      r.op.kind === 'retrieve' &&
      !r.op.singleton &&
      r.resources.includes(entry.resource) &&
      r.params.length === 1,
  );
  const object = route
    ? call('GET', route.op.path.replace(/\{[^}]+\}/, id), {}, own ? account : undefined)
    : entry.data; // a nested object (an application fee refund), as stored
  return { object, own: own !== undefined };
}

function refused(fn: () => unknown): ErrorReply {
  try {
    fn();
  } catch (error) {
    if (error instanceof ErrorReply) return error;
    throw error;
  }
  throw new Error('expected a Stripe error');
}

beforeAll(() => {
  service = new EmulatorService({ faults: {} });
});

describe('the ledger', () => {
  it('a day of mixed activity: every balance is the sum of its balance transactions', () => {
    const platformBefore = totalOf(balance());
    const connectedBefore = totalOf(balance(connected));
    const issuingBefore = issuingBalance();
    let platform = 0;
    let account = 0;
    let issuing = 0;

    // A card payment: the amount less Stripe's 2.9% + 30, pending for two days.
    const charge = call('POST', '/v1/charges', { amount: 10_000, currency: 'usd', source: 'tok_visa' });
    const chargeTxn = txnOf(charge.balance_transaction);
    expect(chargeTxn).toMatchObject({
      amount: 10_000,
      fee: 320,
      net: 9680,
      type: 'charge',
      status: 'pending',
    });
    platform += 9680;

    // A partial refund.
    const refund = call('POST', '/v1/refunds', { charge: String(charge.id), amount: 2000 });
    expect(txnOf(refund.balance_transaction)).toMatchObject({ amount: -2000, net: -2000, type: 'refund' });
    platform -= 2000;

    // A dispute: the amount and Stripe's $15 fee withdrawn.
    const disputed = call('POST', '/v1/charges', {
      amount: 4000,
      currency: 'usd',
      source: 'tok_createDispute',
    });
    platform += 4000 - (Math.round(4000 * 0.029) + 30);
    const dispute = (call('GET', '/v1/disputes', { charge: String(disputed.id) }).data as JsonObject[])[0]!;
    const withdrawal = (dispute.balance_transactions as JsonObject[])[0]!;
    expect(withdrawal).toMatchObject({ amount: -4000, fee: 1500, net: -5500, type: 'adjustment' });
    platform -= 5500;

    // A transfer to the connected account, and a partial reversal.
    const transfer = call('POST', '/v1/transfers', { amount: 3000, currency: 'usd', destination: connected });
    expect(txnOf(transfer.balance_transaction)).toMatchObject({ amount: -3000, type: 'transfer' });
    const payment = call('GET', `/v1/charges/${String(transfer.destination_payment)}`, {}, connected);
    expect(txnOf(payment.balance_transaction, connected)).toMatchObject({ amount: 3000, type: 'payment' });
    platform -= 3000;
    account += 3000;
    const reversal = call('POST', `/v1/transfers/${String(transfer.id)}/reversals`, { amount: 1000 });
    expect(txnOf(reversal.balance_transaction)).toMatchObject({ amount: 1000, type: 'transfer_refund' });
    // The destination gives it back as a refund of its payment.
    const paymentRefund = call(
      'GET',
      `/v1/refunds/${String(reversal.destination_payment_refund)}`,
      {},
      connected,
    );
    expect(paymentRefund).toMatchObject({ amount: 1000, charge: payment.id });
    expect(txnOf(paymentRefund.balance_transaction, connected)).toMatchObject({
      amount: -1000,
      type: 'payment_refund',
      source: paymentRefund.id,
    });
    platform += 1000;
    account -= 1000;

    // A destination charge with an application fee: the transfer and the fee are made with it.
    const destination = call('POST', '/v1/charges', {
      amount: 8000,
      currency: 'usd',
      source: 'tok_visa',
      transfer_data: { destination: connected },
      application_fee_amount: 500,
    });
    expect(destination.transfer).toMatch(/^tr_/);
    expect(destination.application_fee).toMatch(/^fee_/);
    const fee = call('GET', `/v1/application_fees/${String(destination.application_fee)}`);
    expect(fee).toMatchObject({ amount: 500, account: connected, originating_transaction: destination.id });
    expect(txnOf(fee.balance_transaction)).toMatchObject({ amount: 500, type: 'application_fee' });
    const destTransfer = call('GET', `/v1/transfers/${String(destination.transfer)}`);
    expect(destTransfer).toMatchObject({
      amount: 8000,
      destination: connected,
      source_transaction: destination.id,
    });
    const destPayment = call('GET', `/v1/charges/${String(destTransfer.destination_payment)}`, {}, connected);
    expect(txnOf(destPayment.balance_transaction, connected)).toMatchObject({
      amount: 8000,
      fee: 500,
      net: 7500,
      fee_details: [expect.objectContaining({ type: 'application_fee', amount: 500 })],
    });
    // The fee is taken from the destination's payment.
    expect(fee.charge).toBe(destPayment.id);
    expect(destPayment.application_fee).toBe(fee.id);
    platform += 8000 - (Math.round(8000 * 0.029) + 30) - 8000 + 500;
    account += 7500;

    // The application fee partly refunded to the connected account.
    const feeRefund = call('POST', `/v1/application_fees/${String(fee.id)}/refunds`, { amount: 200 });
    expect(txnOf(feeRefund.balance_transaction)).toMatchObject({
      amount: -200,
      type: 'application_fee_refund',
    });
    platform -= 200;
    account += 200;

    // A top-up, a Climate order and an Issuing capture (from the Issuing balance).
    const topup = call('POST', '/v1/topups', { amount: 20_000, currency: 'usd' });
    expect(txnOf(topup.balance_transaction)).toMatchObject({
      amount: 20_000,
      type: 'topup',
      status: 'available',
    });
    platform += 20_000;
    // Succeeded, it can no longer be canceled: the money stays.
    const cancel = refused(() => call('POST', `/v1/topups/${String(topup.id)}/cancel`));
    expect(cancel).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(call('GET', `/v1/topups/${String(topup.id)}`).status).toBe('succeeded');
    const order = call('POST', '/v1/climate/orders', { product: SEED.climate.product, metric_tons: '0.1' });
    expect(order).toMatchObject({ amount_subtotal: 5000, amount_fees: 330, amount_total: 5330 });
    platform -= 5330;
    const card = (call('GET', '/v1/issuing/cards').data as JsonObject[])[0]!;
    const capture = call('POST', '/v1/test_helpers/issuing/transactions/create_force_capture', {
      card: String(card.id),
      amount: 1200,
    });
    expect(capture).toMatchObject({ amount: -1200, type: 'capture' });
    expect(txnOf(capture.balance_transaction)).toMatchObject({ amount: -1200, type: 'issuing_transaction' });
    issuing -= 1200;
    // Issuing refunds are new transactions that give money back: of a capture, and unlinked.
    const issuingRefund = call('POST', `/v1/test_helpers/issuing/transactions/${String(capture.id)}/refund`, {
      refund_amount: 200,
    });
    expect(issuingRefund).toMatchObject({ amount: 200, type: 'refund' });
    expect(issuingRefund.id).not.toBe(capture.id);
    expect(txnOf(issuingRefund.balance_transaction)).toMatchObject({
      amount: 200,
      type: 'issuing_transaction',
      source: issuingRefund.id,
    });
    issuing += 200;
    const unlinked = call('POST', '/v1/test_helpers/issuing/transactions/create_unlinked_refund', {
      card: String(card.id),
      amount: 300,
    });
    expect(unlinked).toMatchObject({ amount: 300, type: 'refund' });
    expect(txnOf(unlinked.balance_transaction)).toMatchObject({ amount: 300, type: 'issuing_transaction' });
    issuing += 300;

    // Another currency keeps its own balance: a euro payment and its refund.
    const euros = call('POST', '/v1/charges', { amount: 5000, currency: 'eur', source: 'tok_visa' });
    expect(txnOf(euros.balance_transaction)).toMatchObject({
      currency: 'eur',
      amount: 5000,
      fee: 175,
      net: 4825,
    });
    const euroRefund = call('POST', '/v1/refunds', { charge: String(euros.id), amount: 1000 });
    expect(txnOf(euroRefund.balance_transaction)).toMatchObject({ currency: 'eur', amount: -1000 });
    // The payment waits two days; the refund is drawn on the available balance at once.
    expect(balance().eur).toEqual({ available: -1000, pending: 4825 });

    // A payout takes only what is available; not 0, not more than there is.
    const available = balance().usd!.available;
    const payout = call('POST', '/v1/payouts', { amount: 5000, currency: 'usd' });
    expect(txnOf(payout.balance_transaction)).toMatchObject({ amount: -5000, type: 'payout' });
    platform -= 5000;
    expect(balance().usd!.available).toBe(available - 5000);
    const zero = refused(() => call('POST', '/v1/payouts', { amount: 0, currency: 'usd' }));
    expect(zero).toMatchObject({ type: 'invalid_request_error', fields: { param: 'amount' } });
    const tooMuch = refused(() => call('POST', '/v1/payouts', { amount: available, currency: 'usd' }));
    expect(tooMuch.fields).toMatchObject({ code: 'balance_insufficient', param: 'amount' });
    const tooMuchTransfer = refused(() =>
      call('POST', '/v1/transfers', { amount: available * 2, currency: 'usd', destination: connected }),
    );
    expect(tooMuchTransfer.fields).toMatchObject({ code: 'balance_insufficient' });

    // Every balance of every account is the sum of its balance transactions.
    expect(balance()).toEqual(summed());
    expect(balance(connected)).toEqual(summed(connected));
    expect(issuingBalance()).toBe(issuingSummed());
    expect(issuingBalance() - issuingBefore).toBe(issuing);
    // And the balance transactions agree with the objects: each names an object, which names it back.
    for (const [scope, txns] of [
      [undefined, transactions()],
      [connected, transactions(connected)],
    ] as const)
      for (const txn of txns) {
        // Climate orders are no balance transaction source in 2024-04-10; nor is the demo's opening.
        if (txn.source === null) {
          expect(['climate_order_purchase', 'adjustment']).toContain(txn.type);
          continue;
        }
        const { object, own } = sourceOf(String(txn.source), scope);
        if (!own) continue;
        const named = [object.balance_transaction, ...((object.balance_transactions as JsonObject[]) ?? [])];
        expect(
          named.map((t) => (typeof t === 'string' ? t : (t as JsonObject | null)?.id)),
          `${String(txn.id)} of ${String(object.id)}`,
        ).toContain(txn.id);
      }
    expect(totalOf(balance()) - platformBefore).toBe(platform);
    expect(totalOf(balance(connected)) - connectedBefore).toBe(account);
  });

  it('Treasury: a Transaction and its Entry for every movement; the balance is their sum', () => {
    const account = (call('GET', '/v1/treasury/financial_accounts').data as JsonObject[])[0]!;
    const fa = String(account.id);
    const cash = () =>
      (call('GET', `/v1/treasury/financial_accounts/${fa}`).balance as JsonObject).cash as JsonObject;
    const before = Number(cash().usd);
    const credit = call('POST', '/v1/test_helpers/treasury/received_credits', {
      financial_account: fa,
      amount: 7000,
      currency: 'usd',
      network: 'ach',
    });
    expect(credit.transaction).toMatch(/^trxn_/);
    const txn = call('GET', `/v1/treasury/transactions/${String(credit.transaction)}`);
    expect(txn).toMatchObject({
      amount: 7000,
      flow: credit.id,
      flow_type: 'received_credit',
      status: 'posted',
    });
    expect(Number(cash().usd)).toBe(before + 7000);
    const out = call('POST', '/v1/treasury/outbound_transfers', {
      financial_account: fa,
      amount: 2500,
      currency: 'usd',
      destination_payment_method: 'pm_usBankAccount',
    });
    const outTxn = () => call('GET', `/v1/treasury/transactions/${String(out.transaction)}`);
    const held = () =>
      Number(
        (
          (call('GET', `/v1/treasury/financial_accounts/${fa}`).balance as JsonObject)
            .outbound_pending as JsonObject
        ).usd,
      );
    // What an outbound flow sends leaves `cash` at once and is held in `outbound_pending` until it posts.
    expect(outTxn()).toMatchObject({
      amount: -2500,
      balance_impact: { cash: -2500, inbound_pending: 0, outbound_pending: 2500 },
      flow_type: 'outbound_transfer',
      status: 'open',
    });
    expect(Number(cash().usd)).toBe(before + 4500);
    const heldBefore = held();
    call('POST', `/v1/test_helpers/treasury/outbound_transfers/${String(out.id)}/post`);
    expect(outTxn()).toMatchObject({
      balance_impact: { cash: -2500, inbound_pending: 0, outbound_pending: 0 },
      status: 'posted',
    });
    expect(held()).toBe(heldBefore - 2500);
    expect(Number(cash().usd)).toBe(before + 4500);
    // Returned after it posted: the money comes back to `cash`, nothing more is held.
    call('POST', `/v1/test_helpers/treasury/outbound_transfers/${String(out.id)}/return`);
    expect(held()).toBe(heldBefore - 2500);
    expect(Number(cash().usd)).toBe(before + 7000);
    call('POST', '/v1/treasury/outbound_transfers', {
      financial_account: fa,
      amount: 2500,
      currency: 'usd',
      destination_payment_method: 'pm_usBankAccount',
    });
    const tooMuch = refused(() =>
      call('POST', '/v1/treasury/outbound_transfers', {
        financial_account: fa,
        amount: before + 10_000,
        currency: 'usd',
        destination_payment_method: 'pm_usBankAccount',
      }),
    );
    expect(tooMuch.fields).toMatchObject({ code: 'insufficient_funds' });
    // An inbound transfer, an outbound payment and a received debit move money too.
    const inbound = call('POST', '/v1/treasury/inbound_transfers', {
      financial_account: fa,
      amount: 1000,
      currency: 'usd',
      origin_payment_method: 'pm_usBankAccount',
    });
    const payment = call('POST', '/v1/treasury/outbound_payments', {
      financial_account: fa,
      amount: 300,
      currency: 'usd',
      destination_payment_method_data: {
        type: 'us_bank_account',
        us_bank_account: { ...TEST_US_BANK_ACCOUNT, account_holder_type: 'company' },
      },
    });
    const debit = call('POST', '/v1/test_helpers/treasury/received_debits', {
      financial_account: fa,
      amount: 200,
      currency: 'usd',
      network: 'ach',
    });
    for (const [flow, amount] of [
      [inbound, 1000],
      [payment, -300],
      [debit, -200],
    ] as const)
      expect(call('GET', `/v1/treasury/transactions/${String(flow.transaction)}`)).toMatchObject({
        amount,
        flow: flow.id,
      });
    // An inbound transfer's money lands when it succeeds, not before (`inbound_pending` stays 0).
    expect(Number(cash().usd)).toBe(before + 4500 - 300 - 200);
    call('POST', `/v1/test_helpers/treasury/inbound_transfers/${String(inbound.id)}/succeed`);
    expect(Number(cash().usd)).toBe(before + 4500 + 1000 - 300 - 200);
    // The balance is the sum of the account's transactions; each has its entries, which sum to its impact.
    const all = call('GET', '/v1/treasury/transactions', { financial_account: fa, limit: 100 })
      .data as JsonObject[];
    // (A voided transaction keeps its amount; its impact is nothing.)
    expect(all.reduce((sum, t) => sum + Number((t.balance_impact as JsonObject).cash), 0)).toBe(
      Number(cash().usd),
    );
    const entries = call('GET', '/v1/treasury/transaction_entries', { financial_account: fa, limit: 100 })
      .data as JsonObject[];
    expect([...new Set(entries.map((e) => e.transaction))].sort()).toEqual(all.map((t) => t.id).sort());
    for (const t of all) {
      const own = entries.filter((e) => e.transaction === t.id);
      for (const part of ['cash', 'inbound_pending', 'outbound_pending'])
        expect(
          own.reduce((sum, e) => sum + Number((e.balance_impact as JsonObject)[part]), 0),
          `${String(t.id)} ${part}`,
        ).toBe((t.balance_impact as JsonObject)[part]);
    }
    // Every part of the balance is the sum of the entries' impacts on it.
    const balance = call('GET', `/v1/treasury/financial_accounts/${fa}`).balance as JsonObject;
    for (const part of ['cash', 'inbound_pending', 'outbound_pending'])
      expect(Number((balance[part] as JsonObject).usd), part).toBe(
        entries.reduce((sum, e) => sum + Number((e.balance_impact as JsonObject)[part]), 0),
      );
  });

  it("a customer's cash balance: funded, refunded to the customer, the refund canceled", () => {
    const customer = String(call('POST', '/v1/customers', { email: 'cash@example.com' }).id);
    const available = () =>
      (call('GET', `/v1/customers/${customer}/cash_balance`).available as JsonObject | null)?.usd;
    const funded = call('POST', `/v1/test_helpers/customers/${customer}/fund_cash_balance`, {
      amount: 5000,
      currency: 'usd',
    });
    expect(funded).toMatchObject({ type: 'funded', net_amount: 5000, ending_balance: 5000 });
    expect(available()).toBe(5000);
    const expanded = service.call('GET', `/v1/customers/${customer}`, {}, { expand: ['cash_balance'] });
    expect(expanded.cash_balance).toMatchObject({ object: 'cash_balance', available: { usd: 5000 } });
    // More than the cash balance holds is refused; a refund waits for the customer's bank details.
    const tooMuch = refused(() =>
      call('POST', '/v1/refunds', { customer, origin: 'customer_balance', amount: 6000, currency: 'usd' }),
    );
    expect(tooMuch.fields).toMatchObject({ param: 'amount' });
    const refund = call('POST', '/v1/refunds', {
      customer,
      origin: 'customer_balance',
      amount: 2000,
      currency: 'usd',
    });
    expect(refund).toMatchObject({
      status: 'requires_action',
      charge: null,
      next_action: {
        type: 'display_details',
        display_details: { email_sent: { email_sent_to: 'cash@example.com' } },
      },
    });
    expect(available()).toBe(3000);
    const canceled = call('POST', `/v1/refunds/${String(refund.id)}/cancel`);
    expect(canceled).toMatchObject({ status: 'canceled', failure_reason: 'merchant_request' });
    expect(canceled).not.toHaveProperty('next_action');
    expect(available()).toBe(5000);
    // Only a waiting refund is canceled: not twice, not a card refund.
    for (const id of [String(refund.id), SEED.grace.refund])
      expect(refused(() => call('POST', `/v1/refunds/${id}/cancel`)).fields).toMatchObject({
        code: 'refund_unexpected_state',
      });
    // The cash balance is the sum of its transactions.
    const transactions = call('GET', `/v1/customers/${customer}/cash_balance_transactions`)
      .data as JsonObject[];
    expect(transactions.map((t) => t.type)).toEqual(['return_canceled', 'return_initiated', 'funded']);
    expect(transactions.reduce((sum, t) => sum + Number(t.net_amount), 0)).toBe(available());
  });
});
