/**
 * Test clocks: a clock starts `ready` at its `frozen_time`; customers created on it
 * (`test_clock=`) start their subscriptions at the clock's time, and `advance` moves the clock
 * forward (`advancing`, then `ready`: `test_helpers.test_clock.advancing` and `.ready`), renewing
 * the subscriptions of its customers through every period that ended, with their invoices, and
 * retrying their failed payments (dunning.ts) and settling their ACH debits (bank-debits.ts); its
 * quotes are canceled at their `expires_at`.
 * A draft invoice of theirs with `auto_advance` is finalized an hour after it was created, as
 * Stripe does when no webhook holds it, and charged when it is `charge_automatically` (a decline
 * leaves it open, retried as dunning.ts says). What the advance does is dated at the clock's time
 * it happens (`Ctx.at`): a renewal at its period's end, a draft's collection an hour after it was made.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { settleBankDebits } from './bank-debits.ts';
import { afterFailedCollection, cardErrorCode, nextRetry, retryPayments } from './dunning.ts';
import { finalizeInvoice, payInvoice } from './invoices.ts';
import { expireQuotes } from './quotes.ts';
import { advanceSchedule, nextPhaseChange } from './schedules.ts';
import { renewSubscription, renewsAt } from './subscriptions.ts';

/** How long Stripe waits before finalizing a draft it advances automatically. */
const AUTO_FINALIZE_AFTER = 3600;

/** The customer's automatic drafts, each with the time Stripe finalizes it. */
function automaticDrafts(ctx: Ctx, customer: Entry): [Entry, number][] {
  const drafts: [Entry, number][] = [];
  for (const invoice of ctx.scope.referencing(customer.id)) {
    const data = invoice.data;
    if (invoice.resource !== 'invoice' || data.customer !== customer.id || data.status !== 'draft') continue;
    if (data.auto_advance === true) drafts.push([invoice, Number(data.created) + AUTO_FINALIZE_AFTER]);
  }
  return drafts;
}

/** Finalizes (and collects) the customer's automatic drafts an hour old by `to`. */
function advanceDrafts(ctx: Ctx, customer: Entry, to: number): void {
  for (const [invoice, at] of automaticDrafts(ctx, customer))
    if (at <= to) ctx.at(at, () => advanceDraft(ctx, invoice));
}

/**
 * Finalizes a draft Stripe advances, and charges it when it is `charge_automatically`: a decline
 * leaves it open, retried as a subscription's invoice is (dunning.ts).
 */
function advanceDraft(ctx: Ctx, invoice: Entry): void {
  if (invoice.data.collection_method === 'send_invoice') {
    finalizeInvoice(ctx, invoice);
    return;
  }
  try {
    payInvoice(ctx, invoice, {}, false);
  } catch (error) {
    const code = cardErrorCode(error);
    if (code === undefined) throw error;
    afterFailedCollection(ctx, invoice, code);
  }
}

/**
 * Plays what happens to a customer's billing up to `to`: its schedules' phases, its subscriptions'
 * renewals, trials and cancellations, its automatic drafts, the retries of its failed payments
 * (rules/dunning.ts). A test clock's advance runs it for the clock's customers; time passing
 * (rules/time.ts) for the customers on no clock. The phases' changes, the drafts, the retries and
 * the renewals are played in turn, in time order, however long the gap: a phase that starts
 * between two renewals changes what the later one bills, a retry's last failure ends a
 * subscription before its next renewal, and a draft's failed charge is retried within the gap.
 */
export function advanceCustomer(ctx: Ctx, customer: Entry, to: number): void {
  let played: number | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const next = nextChange(ctx, customer, to, played);
    if (next === undefined) break;
    playUntil(ctx, customer, next, played);
    played = next;
  }
  playUntil(ctx, customer, to, played);
}

/**
 * Plays the customer's schedules, drafts, retries and subscriptions up to `until`, from `after`
 * when an earlier step played them there. A schedule's new phase changes its subscription's items
 * before the period that starts with it is billed.
 */
function playUntil(ctx: Ctx, customer: Entry, until: number, after: number | undefined): void {
  for (const schedule of schedulesOf(ctx, customer)) advanceSchedule(ctx, schedule, until);
  advanceDrafts(ctx, customer, until);
  retryPayments(ctx, customer, until);
  for (const subscription of subscriptionsOf(ctx, customer))
    renewSubscription(ctx, subscription, until, after);
}

const schedulesOf = (ctx: Ctx, customer: Entry): Entry[] =>
  ctx.scope.referencing(customer.id).filter((entry) => entry.resource === 'subscription_schedule');

const subscriptionsOf = (ctx: Ctx, customer: Entry): Entry[] =>
  ctx.children(customer, ['subscription']).reverse();

/**
 * The time of the customer's next schedule change, draft finalized, payment retry or renewal by
 * `to`, after the time `played` reached.
 */
function nextChange(ctx: Ctx, customer: Entry, to: number, played: number | undefined): number | undefined {
  const times = [
    ...schedulesOf(ctx, customer).map(nextPhaseChange),
    ...automaticDrafts(ctx, customer).map(([, at]) => at),
    nextRetry(ctx, customer, to),
    ...subscriptionsOf(ctx, customer).map(renewsAt),
  ].filter((at): at is number => at !== undefined && at <= to && (played === undefined || at > played));
  return times.length > 0 ? Math.min(...times) : undefined;
}

const RESOURCE = 'test_helpers.test_clock';

export const testClockRules: RuleBook = {
  [RESOURCE]: {
    beforeCreate(ctx, draft) {
      const frozen = typeof draft.frozen_time === 'number' ? draft.frozen_time : ctx.now;
      Object.assign(draft, {
        deletes_after: frozen + 30 * 86_400,
        frozen_time: frozen,
        name: draft.name ?? null,
        status: 'ready',
      });
    },
    actions: {
      advance(ctx, entry, params) {
        const to = Number(params.frozen_time);
        const from = Number(entry.data.frozen_time);
        if (!(to > from)) {
          throw invalidRequest(
            `The frozen_time (${to}) must be after the clock's current frozen_time (${from}).`,
            { param: 'frozen_time' },
          );
        }
        ctx.set(entry, { status: 'advancing' });
        const customers: Entry[] = [];
        for (const customer of ctx.scope.all('customer'))
          if (customer.data.test_clock === entry.id) customers.push(customer);
        for (const customer of customers) advanceCustomer(ctx, customer, to);
        settleBankDebits(ctx, to, entry.id);
        expireQuotes(ctx, entry.id, to);
        return ctx.set(entry, { frozen_time: to, status: 'ready' });
      },
    },
  },
};
