/**
 * Time passing for the objects on no test clock, as it does on Stripe: the service plays the time
 * from the last request to this one (`EmulatorService.catchUp`, before a request is served), and
 * the seed plays its demo data's up to the boot time. What a test clock's advance does for its
 * customers happens to the others' then (test-clocks.ts `advanceCustomer`: schedules' phases,
 * subscriptions' renewals with their invoices and payments, failed payments' retries (dunning.ts),
 * trials' and scheduled cancellations' ends, automatic drafts finalized an hour on), and so does
 * what it does to its quotes (canceled at their `expires_at`: quotes.ts `expireQuotes`); an
 * account on an automatic payout schedule is paid out on its days (payout-schedule.ts), an ACH
 * debit settles on its fourth business day (bank-debits.ts), a pending
 * payout is paid on its `arrival_date`, and an open Checkout Session expires at its `expires_at`
 * (checkout.ts's `expire`). Each is dated when it happens (`Ctx.at`), with its events, so what a
 * user sees does not depend on when it was looked at.
 */
import type { Ctx } from '../engine/context.ts';
import { settleBankDebits } from './bank-debits.ts';
import { payOutOnSchedule } from './payout-schedule.ts';
import { expireQuotes } from './quotes.ts';
import { advanceCustomer } from './test-clocks.ts';

/** Plays the time from `ctx.now` (when it was last played) to `to` in the context's scope. */
export function passTime(ctx: Ctx, to: number): void {
  for (const customer of [...ctx.scope.all('customer')])
    if (typeof customer.data.test_clock !== 'string') advanceCustomer(ctx, customer, to);
  settleBankDebits(ctx, to, null);
  payOutOnSchedule(ctx, ctx.now, to);
  for (const payout of [...ctx.scope.all('payout')]) {
    const arrival = Number(payout.data.arrival_date);
    if (payout.data.status === 'pending' && arrival <= to)
      ctx.at(arrival, () => ctx.set(payout, { status: 'paid' }));
  }
  expireQuotes(ctx, null, to);
  for (const session of [...ctx.scope.all('checkout.session')]) {
    const expiry = Number(session.data.expires_at);
    if (session.data.status === 'open' && expiry <= to)
      ctx.at(expiry, () => ctx.ops.runAction(ctx, session, 'expire', {}));
  }
}
