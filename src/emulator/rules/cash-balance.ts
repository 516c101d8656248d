/**
 * A customer's cash balance, funded by bank transfer:
 *
 * - `POST /v1/customers/{customer}/funding_instructions` gives the bank details to send money to
 *   (for `us_bank_transfer` an ABA account and routing number over ACH and domestic wires, for
 *   `eu_bank_transfer` an IBAN), the same for a customer every time;
 * - the test helper `POST /v1/test_helpers/customers/{customer}/fund_cash_balance` is a transfer
 *   arriving: a `funded` cash balance transaction of the amount, its `ending_balance` the new
 *   balance in that currency;
 * - `GET /v1/customers/{customer}/cash_balance` shows what is `available`, per currency.
 */
import { createHash } from 'node:crypto';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';

const TRANSACTION = 'customer_cash_balance_transaction';

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

/** The customer's cash balance in each currency: its latest transaction's `ending_balance`. */
function available(ctx: Ctx, customer: Entry): JsonObject {
  const out: JsonObject = {};
  // Newest first: the first seen per currency is the balance.
  for (const txn of ctx.children(customer, [TRANSACTION])) {
    const currency = String(txn.data.currency);
    if (!(currency in out)) out[currency] = Number(txn.data.ending_balance ?? 0);
  }
  return out;
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
  [TRANSACTION]: {
    beforeCreate(ctx, draft, { params, parent }) {
      if (!parent) return;
      const amount = Number(params.amount ?? 0);
      if (!(amount > 0))
        throw invalidRequest('This value must be greater than or equal to 1.', { param: 'amount' });
      const currency = String(params.currency ?? 'usd');
      const type = TRANSFER_TYPES[currency] ?? 'us_bank_transfer';
      const before = Number(available(ctx, parent)[currency] ?? 0);
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
        ending_balance: before + amount,
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
  cash_balance: {
    // Path-addressed under its customer: stored beside it, `available` read from its transactions.
    singleton(ctx, _route, parents) {
      const customer = parents.at(-1);
      if (customer?.resource !== 'customer') return undefined;
      const key = `singleton:cash_balance:${customer.id}`;
      const funds = available(ctx, customer);
      const stored = ctx.scope.get(key);
      const data: JsonObject = {
        object: 'cash_balance',
        available: Object.keys(funds).length > 0 ? funds : null,
        customer: customer.id,
        livemode: false,
        settings: isObject(stored?.data.settings)
          ? stored.data.settings
          : { reconciliation_mode: 'automatic', using_merchant_default: true },
      };
      if (stored) return ctx.scope.replace(stored, data);
      return ctx.insert('cash_balance', data, { singleton: key, parent: customer.id });
    },
  },
};
