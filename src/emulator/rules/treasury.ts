/**
 * Treasury: a credit or debit reversal reverses the whole received credit or debit it names, in its
 * financial account, amount, currency and network.
 */
import type { Ctx } from '../context.ts';
import type { JsonObject } from '../json.ts';
import type { RuleBook } from './types.ts';

function reverse(ctx: Ctx, draft: JsonObject, params: JsonObject, name: string, resource: string): void {
  const received = ctx.require(String(params[name]), [resource], name, 400);
  for (const prop of ['financial_account', 'amount', 'currency', 'network'])
    draft[prop] = received.data[prop] ?? null;
}

export const treasuryRules: RuleBook = {
  'treasury.credit_reversal': {
    beforeCreate(ctx, draft, { params }) {
      reverse(ctx, draft, params, 'received_credit', 'treasury.received_credit');
    },
  },
  'treasury.debit_reversal': {
    beforeCreate(ctx, draft, { params }) {
      reverse(ctx, draft, params, 'received_debit', 'treasury.received_debit');
    },
  },
};
