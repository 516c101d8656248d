/**
 * Treasury's ledger: every money movement of a financial account (received credits and debits,
 * their reversals, inbound transfers, outbound payments and transfers) is a Treasury Transaction
 * with its Transaction Entry, and the financial account's `balance` is the sum of the entries'
 * balance impacts, per currency. Money moves when the movement is created: credits add to `cash`,
 * debits and outbound flows take from it (an outbound payment or transfer only what `cash` holds:
 * Stripe refuses more); an inbound transfer adds to it once it succeeds.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import type { JsonObject } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';

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

/** Refuses an outbound payment or transfer above the cash of its financial account, as Stripe does. */
export function checkFunds(ctx: Ctx, flow: Entry, type: string): void {
  if (type !== 'outbound_payment' && type !== 'outbound_transfer') return;
  const account = String(flow.data.financial_account);
  if (Number(flow.data.amount ?? 0) > cashOf(ctx, account, String(flow.data.currency ?? 'usd')))
    throw invalidRequest(
      `The financial account ${account} does not have enough funds for this ${type.replace(/_/g, ' ')}.`,
      { code: 'insufficient_funds', param: 'amount' },
    );
}

/** What an entry moves: `cash`, and money on its way in or out. */
export interface BalanceImpact {
  cash?: number;
  inbound_pending?: number;
  outbound_pending?: number;
}

/**
 * A Transaction Entry of a flow's transaction, of entry type `type`: by default the flow's whole
 * amount moves `cash` when the flow is made (the transaction itself follows the flow's lifecycle:
 * src/emulator/rules/treasury.ts, which also records the postings, failures and returns).
 */
export function recordEntry(
  ctx: Ctx,
  flow: Entry,
  transaction: Entry,
  type: string,
  impact: BalanceImpact = { cash: Number(transaction.data.amount) },
): void {
  ctx.insert(
    'treasury.transaction_entry',
    ctx.build('treasury.transaction_entry', {
      balance_impact: {
        cash: impact.cash ?? 0,
        inbound_pending: impact.inbound_pending ?? 0,
        outbound_pending: impact.outbound_pending ?? 0,
      },
      currency: flow.data.currency ?? 'usd',
      effective_at: ctx.now,
      financial_account: String(flow.data.financial_account),
      flow: flow.id,
      flow_details: null,
      flow_type: transaction.data.flow_type ?? type,
      transaction: transaction.id,
      type,
    }),
  );
}

/** A Treasury Transaction's `balance_impact`: the sum of its entries' impacts. */
export function transactionImpact(ctx: Ctx, transaction: JsonObject): JsonObject {
  const impact = { cash: 0, inbound_pending: 0, outbound_pending: 0 };
  for (const entry of ctx.scope.all('treasury.transaction_entry')) {
    if (entry.data.transaction !== transaction.id) continue;
    const each = entry.data.balance_impact as JsonObject;
    for (const part of Object.keys(impact) as (keyof typeof impact)[])
      impact[part] += Number(each[part] ?? 0);
  }
  return impact;
}
