/**
 * Treasury's ledger: every money movement of a financial account (received credits and debits,
 * their reversals, inbound transfers, outbound payments and transfers) is a Treasury Transaction
 * with its Transaction Entry, and the financial account's `balance` is the sum of the entries'
 * balance impacts, per currency. Money moves when the movement is created: credits and inbound
 * transfers add to `cash`, debits and outbound flows take from it (an outbound payment or transfer
 * only what `cash` holds: Stripe refuses more).
 */
import type { Ctx } from './context.ts';
import { invalidRequest } from './errors.ts';
import type { JsonObject } from './json.ts';
import type { ResourceRules, RuleBook } from './rules/types.ts';
import type { Entry } from './store.ts';

/** Flows by resource: the flow type, and whether money comes in (+1) or goes out (-1). */
const FLOWS: Readonly<Record<string, { type: string; sign: 1 | -1 }>> = {
  'treasury.received_credit': { type: 'received_credit', sign: 1 },
  'treasury.received_debit': { type: 'received_debit', sign: -1 },
  'treasury.credit_reversal': { type: 'credit_reversal', sign: -1 },
  'treasury.debit_reversal': { type: 'debit_reversal', sign: 1 },
  'treasury.inbound_transfer': { type: 'inbound_transfer', sign: 1 },
  'treasury.outbound_payment': { type: 'outbound_payment', sign: -1 },
  'treasury.outbound_transfer': { type: 'outbound_transfer', sign: -1 },
};

/** The `cash` of a financial account in `currency`: the sum of its entries. */
export function cashOf(ctx: Ctx, account: string, currency: string): number {
  let cash = 0;
  for (const entry of ctx.scope.all('treasury.transaction_entry')) {
    if (entry.data.financial_account !== account || entry.data.currency !== currency) continue;
    const impact = entry.data.balance_impact as JsonObject;
    cash += Number(impact.cash ?? 0);
  }
  return cash;
}

/** A financial account's `balance`: its entries' impacts summed per currency. */
export function financialBalance(ctx: Ctx, account: JsonObject): JsonObject {
  const balance: Record<string, Record<string, number>> = {
    cash: {},
    inbound_pending: {},
    outbound_pending: {},
  };
  const currencies = Array.isArray(account.supported_currencies) ? account.supported_currencies : ['usd'];
  for (const kind of Object.keys(balance))
    for (const currency of currencies) balance[kind]![String(currency)] = 0;
  for (const entry of ctx.scope.all('treasury.transaction_entry')) {
    if (entry.data.financial_account !== account.id) continue;
    const impact = entry.data.balance_impact as JsonObject;
    const currency = String(entry.data.currency);
    for (const kind of Object.keys(balance))
      balance[kind]![currency] = (balance[kind]![currency] ?? 0) + Number(impact[kind] ?? 0);
  }
  return balance;
}

/** Records the Transaction and its Entry for a stored flow; returns the transaction. */
function record(ctx: Ctx, flow: Entry, type: string, sign: 1 | -1): Entry {
  const amount = sign * Math.abs(Number(flow.data.amount ?? 0));
  const impact = { cash: amount, inbound_pending: 0, outbound_pending: 0 };
  const common = {
    balance_impact: impact,
    currency: flow.data.currency ?? 'usd',
    financial_account: String(flow.data.financial_account),
    flow: flow.id,
    flow_details: null,
    flow_type: type,
  };
  const transaction = ctx.insert(
    'treasury.transaction',
    ctx.build('treasury.transaction', {
      ...common,
      amount,
      description:
        typeof flow.data.description === 'string' ? flow.data.description : type.replace(/_/g, ' '),
      status: 'posted',
      status_transitions: { posted_at: ctx.now, void_at: null },
    }),
  );
  ctx.insert(
    'treasury.transaction_entry',
    ctx.build('treasury.transaction_entry', {
      ...common,
      effective_at: ctx.now,
      transaction: transaction.id,
      type,
    }),
  );
  return transaction;
}

function rulesFor(type: string, sign: 1 | -1): ResourceRules {
  return {
    afterCreate(ctx, entry) {
      const account = String(entry.data.financial_account);
      if (type === 'outbound_payment' || type === 'outbound_transfer') {
        const cash = cashOf(ctx, account, String(entry.data.currency ?? 'usd'));
        if (Number(entry.data.amount ?? 0) > cash)
          throw invalidRequest(
            `The financial account ${account} does not have enough funds for this ${type.replace(/_/g, ' ')}.`,
            { code: 'insufficient_funds', param: 'amount' },
          );
      }
      const transaction = record(ctx, entry, type, sign);
      ctx.set(entry, { transaction: transaction.id });
    },
  };
}

export const treasuryLedgerRules: RuleBook = Object.fromEntries(
  Object.entries(FLOWS).map(([resource, { type, sign }]) => [resource, rulesFor(type, sign)]),
);
