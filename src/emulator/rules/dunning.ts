/**
 * Dunning: Stripe's retries of an invoice whose automatic payment failed, as a new account's
 * default revenue-recovery settings have them (Smart Retries, 8 retries within 2 weeks; once they
 * are all used, a subscription's is canceled and the invoice left open, past due). One-off
 * invoices Stripe collects automatically (`auto_advance`) go through the same retries.
 *
 * - A failed automatic charge of an invoice (a subscription's renewal or update, a one-off draft
 *   Stripe finalized and charged; not a subscription's first invoice, whose subscription is
 *   `incomplete` instead) sets the invoice's `next_payment_attempt`.
 *   Smart Retries picks its own times; the emulator spreads the retries evenly over the window,
 *   so a test clock can reach each of them.
 * - As time passes (a test clock's advance, or rules/time.ts) each retry charges the invoice's
 *   payment method as it stands then (a card updated meanwhile pays it): `invoice.payment_failed`
 *   again with a higher `attempt_count`, or paid (the subscription `active` again).
 * - A hard decline (the card lost, stolen, …) is not retried: `next_payment_attempt` is null.
 * - The last retry failing cancels a `past_due` subscription (`payment_failed`), and canceling a
 *   subscription stops the automatic collection of its open invoices (`auto_advance` false).
 */
import type { Ctx } from '../engine/context.ts';
import { ErrorReply } from '../engine/errors.ts';
import type { Json } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';
import { DAY } from '../money/periods.ts';
import { payInvoice, paymentProcessing } from './invoices.ts';

/** How many times Stripe retries, and within how long of the first failure. */
const RETRIES = 8;
const RETRY_WINDOW = 14 * DAY;
const RETRY_EVERY = RETRY_WINDOW / RETRIES;

/** Declines an issuer says will never be approved, which Stripe does not retry. */
const HARD_DECLINES: ReadonlySet<string> = new Set([
  'incorrect_number',
  'lost_card',
  'pickup_card',
  'stolen_card',
]);

/** The code of a card error (`decline_code`), if `error` is one. */
export function cardErrorCode(error: unknown): string | undefined {
  if (!(error instanceof ErrorReply) || error.type !== 'card_error') return undefined;
  return String(error.fields.decline_code ?? error.fields.code ?? '');
}

/**
 * After Stripe's automatic charge of an invoice failed (now, with `code`): its next retry, or none
 * when the decline is a hard one. The first invoice of a subscription is not retried.
 */
export function afterFailedCollection(ctx: Ctx, invoice: Entry, code: string): Entry {
  const entry = ctx.current(invoice);
  if (entry.data.billing_reason === 'subscription_create') return entry;
  const next = HARD_DECLINES.has(code) ? null : ctx.now + RETRY_EVERY;
  return ctx.set(entry, { next_payment_attempt: next });
}

/** The customer's invoices Stripe will retry, by `until`. */
function retrying(ctx: Ctx, customer: Entry, until: number): Entry[] {
  return ctx.scope
    .referencing(customer.id)
    .filter(
      (invoice) =>
        invoice.resource === 'invoice' &&
        invoice.data.customer === customer.id &&
        invoice.data.status === 'open' &&
        typeof invoice.data.next_payment_attempt === 'number' &&
        invoice.data.next_payment_attempt <= until,
    );
}

/** The time of the customer's next retry by `until`, if one falls by then. */
export function nextRetry(ctx: Ctx, customer: Entry, until: number): number | undefined {
  const times = retrying(ctx, customer, until).map((invoice) => Number(invoice.data.next_payment_attempt));
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Plays the customer's retries due by `until`, each at its time. */
export function retryPayments(ctx: Ctx, customer: Entry, until: number): void {
  for (const invoice of retrying(ctx, customer, until))
    ctx.at(Number(invoice.data.next_payment_attempt), () => retry(ctx, invoice));
}

/**
 * One retry: paid, a bank debit started (its outcome decides), or failed again (the next retry,
 * or the last one's end of the subscription).
 */
function retry(ctx: Ctx, invoice: Entry): void {
  let code: string | undefined;
  try {
    const paid = payInvoice(ctx, invoice, {}, false);
    if (paid.data.status === 'paid') return;
    // A bank debit under way: its outcome, days on, pays the invoice or fails it (bank-debits.ts).
    if (paymentProcessing(ctx, paid)) {
      ctx.set(paid, { next_payment_attempt: null });
      return;
    }
    // Nothing left to charge: a failed attempt as far as the schedule goes.
    code = '';
    ctx.set(paid, { attempted: true, attempt_count: Number(paid.data.attempt_count ?? 0) + 1 });
  } catch (error) {
    code = cardErrorCode(error);
    if (code === undefined) throw error;
  }
  const failed = ctx.current(invoice);
  if (Number(failed.data.attempt_count ?? 0) <= RETRIES && !HARD_DECLINES.has(code)) {
    ctx.set(failed, { next_payment_attempt: ctx.now + RETRY_EVERY });
    return;
  }
  ctx.set(failed, { next_payment_attempt: null });
  exhausted(ctx, failed);
}

/** The retries of a subscription's invoice all failed: a `past_due` subscription is canceled. */
function exhausted(ctx: Ctx, invoice: Entry): void {
  const id = invoice.data.subscription;
  const subscription = typeof id === 'string' ? ctx.find(id, ['subscription']) : undefined;
  if (subscription?.data.status !== 'past_due') return;
  ctx.ops.updateEntry(ctx, subscription, {
    cancellation_details: { comment: null, feedback: null, reason: 'payment_failed' },
    canceled_at: ctx.now,
    ended_at: ctx.now,
    status: 'canceled',
  });
  stopCollection(ctx, subscription.id);
}

/** A canceled subscription's open invoices are no longer collected automatically (nor retried). */
export function stopCollection(ctx: Ctx, subscription: Json | undefined): void {
  if (typeof subscription !== 'string') return;
  for (const invoice of ctx.scope.referencing(subscription)) {
    if (invoice.resource !== 'invoice' || invoice.data.subscription !== subscription) continue;
    if (invoice.data.status === 'open') ctx.set(invoice, { auto_advance: false, next_payment_attempt: null });
  }
}
