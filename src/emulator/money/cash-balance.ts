/**
 * A customer's cash balance (bank transfers the customer sent, not yet applied) and the refunds
 * that return it, as Stripe runs them in test mode:
 *
 * - `POST /v1/customers/{customer}/funding_instructions` gives the bank details to send money to
 *   (for `us_bank_transfer` an ABA account and routing number over ACH and domestic wires, for
 *   `eu_bank_transfer` an IBAN), the same for a customer every time;
 * - `POST /v1/test_helpers/customers/{customer}/fund_cash_balance` adds a `funded` transaction (a
 *   bank transfer of the currency's kind) and raises `cash_balance.available` in its currency;
 * - a refund with `origin=customer_balance` takes money out of the cash balance (a
 *   `return_initiated` transaction) and waits for the customer: Stripe emails them for the bank
 *   details to send it to, so the refund is `requires_action`, with the email in `next_action`;
 * - such a refund can be canceled while it waits: the money goes back to the cash balance (a
 *   `return_canceled` transaction). Refunds in other states cannot be canceled.
 */
import { createHash } from 'node:crypto';
import { blankParams } from '../../spec/paths.ts';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest, missingParameter } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';

/** How long the customer has to give their bank details before Stripe cancels the refund. */
const INSTRUCTIONS_TTL = 45 * 24 * 60 * 60;

/** The store key of a customer's `cash_balance` (`GET /v1/customers/{customer}/cash_balance`). */
const keyOf = (customer: string) =>
  `singleton:${blankParams('/v1/customers/{customer}/cash_balance')}:${customer}`;

/** The customer's `cash_balance` as `expand[]=cash_balance` shows it: stored, or as it starts. */
export function cashBalanceView(ctx: Ctx, customer: string): JsonObject {
  return ctx.scope.get(keyOf(customer))?.data ?? ctx.build('cash_balance', { customer });
}

/** The customer's `cash_balance`, stored when first moved. */
function cashBalanceOf(ctx: Ctx, customer: Entry): Entry {
  const key = keyOf(customer.id);
  return (
    ctx.scope.get(key) ??
    ctx.insert('cash_balance', ctx.build('cash_balance', { customer: customer.id }), {
      singleton: key,
      parent: customer.id,
    })
  );
}

/** What the customer's cash balance holds in `currency`. */
function availableIn(ctx: Ctx, customer: Entry, currency: string): number {
  const available = cashBalanceOf(ctx, customer).data.available;
  return isObject(available) ? Number(available[currency] ?? 0) : 0;
}

/** Moves the cash balance by `amount`; returns the balance after. */
function moveCash(ctx: Ctx, customer: Entry, currency: string, amount: number): number {
  const balance = cashBalanceOf(ctx, customer);
  const available = isObject(balance.data.available) ? balance.data.available : {};
  const after = Number(available[currency] ?? 0) + amount;
  ctx.set(balance, { available: { ...available, [currency]: after } });
  return after;
}

/** The id of the transaction that returns refund `id`'s money: the refund's own, re-prefixed. */
const returnOf = (refund: string) => `ccsbtxn_${refund.slice(refund.indexOf('_') + 1)}`;

/** A cash balance transaction the emulator records (a refund's return, its cancellation). */
function record(
  ctx: Ctx,
  customer: Entry,
  currency: string,
  amount: number,
  type: string,
  id?: string,
): void {
  const ending = moveCash(ctx, customer, currency, amount);
  const fields = { currency, customer: customer.id, ending_balance: ending, net_amount: amount, type };
  ctx.insert(
    'customer_cash_balance_transaction',
    ctx.build('customer_cash_balance_transaction', fields, id),
    { parent: customer.id },
  );
}

/** A refund of the customer's cash balance (`origin=customer_balance`): it waits for the customer. */
export function cashBalanceRefund(ctx: Ctx, draft: JsonObject, params: JsonObject): void {
  if (typeof params.customer !== 'string') throw missingParameter('customer');
  if (typeof params.currency !== 'string') throw missingParameter('currency');
  if (typeof params.amount !== 'number') throw missingParameter('amount');
  const customer = ctx.require(params.customer, ['customer'], 'customer', 400);
  const currency = params.currency.toLowerCase();
  const email = params.instructions_email ?? customer.data.email;
  if (typeof email !== 'string' || email === '')
    throw invalidRequest(
      'A refund of a cash balance needs an email to ask the customer for their bank details: the customer has none, and no instructions_email was given.',
      { param: 'instructions_email' },
    );
  const available = availableIn(ctx, customer, currency);
  if (params.amount > available)
    throw invalidRequest(
      `The refund amount (${params.amount}) is greater than the customer's cash balance in ${currency} (${available}).`,
      { param: 'amount' },
    );
  // The return is named after the refund: a cancel finds the customer through it.
  record(ctx, customer, currency, -params.amount, 'return_initiated', returnOf(String(draft.id)));
  Object.assign(draft, {
    amount: params.amount,
    balance_transaction: null,
    charge: null,
    currency,
    instructions_email: email,
    next_action: {
      display_details: {
        email_sent: { email_sent_at: ctx.now, email_sent_to: email },
        expires_at: ctx.now + INSTRUCTIONS_TTL,
      },
      type: 'display_details',
    },
    payment_intent: null,
    reason: params.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'requires_action',
    transfer_reversal: null,
  });
}

/** `POST /v1/refunds/{refund}/cancel`: only a refund that waits for the customer. */
export function cancelRefund(ctx: Ctx, entry: Entry): Entry {
  if (entry.data.status !== 'requires_action')
    throw invalidRequest(
      `Refund ${entry.id} cannot be canceled because it has a status of ${String(entry.data.status)}.`,
      { code: 'refund_unexpected_state' },
    );
  const returned = ctx.find(returnOf(entry.id), ['customer_cash_balance_transaction']);
  const customer = returned && ctx.find(String(returned.data.customer), ['customer']);
  if (customer)
    record(ctx, customer, String(entry.data.currency), Number(entry.data.amount), 'return_canceled');
  const { next_action: _waiting, ...rest } = ctx.current(entry).data;
  return ctx.scope.replace(ctx.current(entry), {
    ...rest,
    failure_reason: 'merchant_request',
    status: 'canceled',
  });
}

/** The bank transfer type of a currency, as Stripe names them. */
const TRANSFER_TYPES: Readonly<Record<string, string>> = {
  usd: 'us_bank_transfer',
  eur: 'eu_bank_transfer',
  gbp: 'gb_bank_transfer',
  jpy: 'jp_bank_transfer',
  mxn: 'mx_bank_transfer',
};

/** Digits that stay the same for a customer (their virtual account number). */
const digits = (seed: string, length: number) =>
  BigInt(`0x${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`)
    .toString()
    .padStart(length, '0')
    .slice(-length);

function financialAddresses(ctx: Ctx, customer: string, type: string): JsonObject[] {
  if (type === 'us_bank_transfer')
    return [
      ctx.sub('funding_instructions_bank_transfer_financial_address', {
        aba: ctx.sub('funding_instructions_bank_transfer_aba_record', {
          account_number: digits(customer, 12),
          bank_name: 'STRIPE TEST BANK',
          routing_number: '110000000',
        }),
        supported_networks: ['ach', 'domestic_wire_us'],
        type: 'aba',
      }),
    ];
  if (type === 'eu_bank_transfer')
    return [
      ctx.sub('funding_instructions_bank_transfer_financial_address', {
        iban: ctx.sub('funding_instructions_bank_transfer_iban_record', {
          account_holder_name: 'Stripe Technology Europe Limited',
          bic: 'SXPYDEHH',
          country: 'DE',
          iban: `DE${digits(customer, 20)}`,
        }),
        supported_networks: ['sepa'],
        type: 'iban',
      }),
    ];
  return [];
}

/** The country of an EU bank transfer's instructions (`bank_transfer[eu_bank_transfer][country]`). */
function euCountry(transfer: JsonObject): string {
  const eu = transfer.eu_bank_transfer;
  return isObject(eu) && typeof eu.country === 'string' ? eu.country : 'DE';
}

export const cashBalanceRules: RuleBook = {
  funding_instructions: {
    beforeCreate(ctx, draft, { params, parent }) {
      const transfer = isObject(params.bank_transfer) ? params.bank_transfer : {};
      const type = String(transfer.type ?? TRANSFER_TYPES[String(params.currency)] ?? 'us_bank_transfer');
      draft.bank_transfer = ctx.sub('funding_instructions_bank_transfer', {
        country: type === 'eu_bank_transfer' ? euCountry(transfer) : 'US',
        financial_addresses: financialAddresses(ctx, parent?.id ?? '', type),
        type,
      });
    },
  },
  customer_cash_balance_transaction: {
    // The test helper's funding: a bank transfer of the currency's kind into the cash balance.
    beforeCreate(ctx, draft, { params, parent }) {
      if (!parent) return;
      const amount = Number(params.amount ?? 0);
      if (!(amount > 0))
        throw invalidRequest('This value must be greater than or equal to 1.', { param: 'amount' });
      const currency = String(params.currency ?? 'usd').toLowerCase();
      const type = TRANSFER_TYPES[currency] ?? 'us_bank_transfer';
      const details: Record<string, Json> = {
        reference:
          typeof params.reference === 'string'
            ? params.reference
            : `REF-${ctx.random.string(10).toUpperCase()}`,
        type,
      };
      if (type === 'us_bank_transfer')
        details.us_bank_transfer = { network: 'ach', sender_name: 'Jenny Rosen' };
      Object.assign(draft, {
        currency,
        customer: parent.id,
        ending_balance: moveCash(ctx, parent, currency, amount),
        funded: { bank_transfer: details },
        net_amount: amount,
        type: 'funded',
      });
      for (const key of [
        'adjusted_for_overdraft',
        'applied_to_payment',
        'refunded_from_payment',
        'transferred_to_balance',
        'unapplied_from_payment',
      ])
        delete draft[key];
    },
  },
};
