/**
 * Subscriptions and subscription items.
 *
 * - Creating a subscription with `items[0][price]=…` (or `price_data`, or `plan`) stores a
 *   `subscription_item` per item embedding its price (and plan), sets the period from the price's
 *   recurring interval (a future `billing_cycle_anchor` ends the first one early, billed prorated,
 *   or free with `proration_behavior=none`), status `active` (`trialing` with a trial), and
 *   creates the first invoice (lines of type `subscription`, plus pending invoice items),
 *   finalized and paid: charged to the subscription's or the customer's default payment method
 *   (a declining card, or none at all, leaves the subscription `incomplete` and the invoice
 *   open; a decline is a 402 that keeps nothing with `payment_behavior=error_if_incomplete`).
 *   With `payment_behavior=default_incomplete` the invoice is only finalized: the subscription is
 *   `incomplete` until its PaymentIntent is confirmed or the invoice paid (invoices.ts makes it
 *   `active` then); 23 hours unpaid (as time passes, a test clock's or the wall clock's: see
 *   rules/time.ts) make it `incomplete_expired` and void the invoice. A first invoice paid from a
 *   bank account (ACH) leaves it `incomplete` while the debit is processing (not expired: the
 *   payment is under way), `active` once it settles; a renewal's processing debit keeps it
 *   `active`, not `past_due` (invoices.ts `paymentProcessing`).
 * - `add_invoice_items` (on create or update) bills one-time prices once, on the next invoice (the
 *   first at creation), as pending invoice items of the subscription's customer.
 * - Its items bill together, so their prices share one currency and interval (unit and count):
 *   a create, an update or an item's own create or change that would mix them is refused.
 * - An item's price reads as the price stands now (archived, renamed); the copy the item took
 *   when it was set is what bills it.
 * - Updating `items` adds, changes (`id`) or removes (`deleted`) items; a change of price or
 *   quantity mid-period is prorated by `proration_behavior` (see `billChanges`). A change of items
 *   (here or through `/v1/subscription_items`) is a `customer.subscription.updated`.
 * - `billing_cycle_anchor=now` starts a new period now, invoiced at once, the old one's unused
 *   time credited on it (`proration_behavior`; see `resetCycle`).
 * - A trial's billing cycle starts at its end. `trial_end=now` ends a trial: the first paid period
 *   (and billing cycle) starts then, invoiced and collected at once. An update's future
 *   `trial_end` moves a trial's end (its period's, its cycle's), or starts a trial on an active
 *   subscription, its unused time credited (see `moveTrial`).
 *   `customer.subscription.trial_will_end` warns of a trial's end three days before it (as time
 *   passes), as a trial shorter than that starts or an update moves its end that close, or as it
 *   is ended now.
 * - A trial that ends with no payment method to charge is canceled or paused instead of invoiced
 *   when its `trial_settings.end_behavior.missing_payment_method` says so. A paused one resumes
 *   into a new period from now, invoiced at once, or with `billing_cycle_anchor=unchanged` into
 *   its cycle's period that holds now, the rest of it prorated (see `resumeUnchanged`).
 * - While `pause_collection` holds, new invoices are left drafts, voided or marked uncollectible
 *   (its `behavior`), until `resumes_at`.
 * - A metered item (`usage_type=metered`) bills the usage reported for the period that ended.
 * - `DELETE /v1/subscriptions/{id}` cancels: status `canceled`, `canceled_at`, `ended_at`
 *   (`prorate` credits the unused time, `invoice_now` invoices what is pending at once).
 * - `cancel_at_period_end` or `cancel_at` schedules a cancellation, dated by its request
 *   (`canceled_at`); the time reaching `cancel_at` (or the period's end) ends the subscription.
 *   An update's `cancel_at` within the period credits the time after it (`proration_behavior`);
 *   one within the first period at creation bills that period only up to it, and one within a
 *   later period bills that period's invoice so (see `billedPeriod`).
 * - Connect terms (`transfer_data`, `on_behalf_of`, `application_fee_percent`) are kept as given
 *   on create and update (see `connectTerms`), and shown on its invoices (`invoiceConnect`): its
 *   periods', and those of what an update or a cancellation invoices at once.
 * - A renewal (or update) whose payment fails leaves the subscription `past_due`, its invoice
 *   retried on Stripe's default schedule until paid, or the subscription canceled (dunning.ts).
 * - Lists hide canceled subscriptions unless `status` asks for them.
 */
import type { Ctx } from '../engine/context.ts';
import { ErrorReply, invalidRequest, missingParameter, requireAtMostOne } from '../engine/errors.ts';
import { emitEvent } from '../engine/events.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { discountFields, discountFor } from '../money/discounts.ts';
import {
  addLine,
  invoiceDefaults,
  lineFromItem,
  recomputeTotals,
  subscriptionLineDescription,
} from '../money/invoice-lines.ts';
import { addInterval, DAY } from '../money/periods.ts';
import { billHeldPrices, findPrice, requireActive, requireOneCycleOf, requirePrice } from '../money/plans.ts';
import { priceAmount, unitAmountDecimal } from '../money/pricing.ts';
import { type Billed, prorations } from '../money/prorations.ts';
import { automaticTaxParam } from '../money/stripe-tax.ts';
import { taxRatesParam } from '../money/taxes.ts';
import { createPrice } from './catalog.ts';
import { requireTransferCapability } from './connect.ts';
import { afterFailedCollection, cardErrorCode, stopCollection } from './dunning.ts';
import { syncEntitlements } from './entitlements.ts';
import { closeInvoice, finalizeInvoice, payInvoice, paymentProcessing } from './invoices.ts';

/** The parameters that name an item's price, of which it gives one. */
const ITEM_PRICE = ['plan', 'price', 'price_data'] as const;

/**
 * The recurring price an item names: `price`, `price_data` or legacy `plan` (a plan's id is its
 * price's), one of them; `at` is where a subscription's item is (`items[0]`), none for an item's own.
 */
function priceForItem(ctx: Ctx, item: JsonObject, at?: string): Entry {
  const param = (name: string) => (at === undefined ? name : `${at}[${name}]`);
  requireAtMostOne(item, ITEM_PRICE, at);
  let price: Entry | undefined;
  if (typeof item.price === 'string' && item.price !== '')
    price = requireActive(ctx, requirePrice(ctx, item.price, param('price')), param('price'));
  else if (isObject(item.price_data)) price = createPrice(ctx, item.price_data);
  else if (typeof item.plan === 'string' && item.plan !== '') {
    price = findPrice(ctx, item.plan);
    if (!price)
      throw invalidRequest(`No such plan: '${item.plan}'`, {
        code: 'resource_missing',
        param: param('plan'),
      });
    requireActive(ctx, price, param('plan'));
  }
  if (!price) throw missingParameter(param('price'));
  if (price.data.type !== 'recurring') {
    throw invalidRequest(
      'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
      { param: param('price') },
    );
  }
  return price;
}

/** Whether an item's parameters name its price (a change of price, on an update). */
const namesPrice = (item: JsonObject): boolean => ITEM_PRICE.some((name) => item[name] !== undefined);

/** The parameter that named an item's price (`price` when none did). */
const itemPriceParam = (item: JsonObject): string =>
  ITEM_PRICE.find((name) => item[name] !== undefined) ?? 'price';

function itemsOf(ctx: Ctx, subscription: Entry): Entry[] {
  return ctx.children(subscription, ['subscription_item']).reverse();
}

/**
 * A period's invoice (the first one, `subscription_create`, or a renewal, `subscription_cycle`):
 * one `subscription` line per item, then pending items, finalized and paid.
 */
function periodInvoice(
  ctx: Ctx,
  subscription: Entry,
  params: JsonObject,
  reason = 'subscription_create',
  ended?: { start: number; end: number },
): Entry {
  const customer = ctx.require(String(subscription.data.customer), ['customer'], 'customer', 400);
  // Dated at the subscription's time (its test clock's); a renewal at the end of the period that ended.
  const created = ended?.end ?? timeOf(ctx, subscription);
  const collection = String(subscription.data.collection_method ?? 'charge_automatically');
  const fields: JsonObject = {
    ...invoiceDefaults(ctx, customer),
    billing_reason: reason,
    collection_method: collection,
    created,
    currency: subscription.data.currency ?? 'usd',
    customer: customer.id,
    // Taxed automatically as the subscription is (money/invoice-lines.ts fills the status).
    ...(isObject(subscription.data.automatic_tax) && subscription.data.automatic_tax.enabled === true
      ? { automatic_tax: { ...subscription.data.automatic_tax, status: null } }
      : {}),
    default_tax_rates: subscription.data.default_tax_rates ?? [],
    // The period whose pending items it collects: the one that ended for a renewal, none (the
    // start) for the first invoice.
    period_end: ended?.end ?? subscription.data.current_period_start ?? ctx.now,
    period_start: ended?.start ?? subscription.data.current_period_start ?? ctx.now,
    subscription: subscription.id,
    subscription_details: { metadata: subscription.data.metadata ?? {} },
    test_clock: subscription.data.test_clock ?? null,
  };
  // Sent invoices are due the subscription's `days_until_due` after they are made.
  if (collection === 'send_invoice' && typeof subscription.data.days_until_due === 'number')
    fields.due_date = created + subscription.data.days_until_due * DAY;
  let invoice = ctx.insert('invoice', ctx.build('invoice', fields));
  const trialing = subscription.data.status === 'trialing';
  const billing = billedPeriod(ctx, subscription, params, ended);
  for (const item of itemsOf(ctx, subscription)) {
    const price = isObject(item.data.price) ? item.data.price : {};
    // A metered item bills the usage of the period that ended (nothing on the first invoice).
    const metered = isObject(price.recurring) && price.recurring.usage_type === 'metered';
    const quantity = metered ? usageOf(ctx, item, ended, invoice.id) : Number(item.data.quantity ?? 1);
    const amount = trialing ? 0 : Math.round(priceAmount(price, quantity) * (metered ? 1 : billing.share));
    // A prorated line's unit amount is its share of the price's.
    const unit =
      billing.share === 1 || metered
        ? unitAmountDecimal(price, quantity)
        : String(Math.round(amount / Math.max(quantity, 1)));
    addLine(ctx, invoice.id, {
      amount,
      currency: price.currency ?? 'usd',
      description: subscriptionLineDescription(ctx, price, quantity),
      period: metered && ended ? ended : billing.period,
      price,
      quantity,
      subscription: subscription.id,
      subscription_item: item.id,
      tax_rates: item.data.tax_rates ?? [],
      type: 'subscription',
      unit_amount_excluding_tax: trialing ? '0' : unit,
    });
  }
  for (const pending of ctx.children(customer, ['invoiceitem']).reverse()) {
    if (pending.data.invoice) continue;
    lineFromItem(ctx, invoice.id, ctx.set(pending, { invoice: invoice.id }));
  }
  invoice = recomputeTotals(ctx, invoice);
  invoice = ctx.set(invoice, invoiceConnect(subscription, invoice));
  const paused = pausedCollection(ctx, subscription, created);
  if (paused) return paused(invoice);
  // `default_incomplete` leaves the first invoice's PaymentIntent for the client to confirm.
  if (collection === 'send_invoice' || params.payment_behavior === 'default_incomplete')
    return finalizeInvoice(ctx, invoice);
  return collect(ctx, invoice, params);
}

/**
 * A subscription's invoice's Connect terms (a period's, or an update's or a cancellation's of what
 * is pending), its subscription's: `on_behalf_of`, and the shares of its total its
 * `application_fee_percent` (the fee) and `transfer_data[amount_percent]` (the transfer, all of it
 * without one) make, rounded to the currency's smallest unit; a credit (a total below zero) pays
 * nothing, so it shares none.
 */
function invoiceConnect(subscription: Entry, invoice: Entry): JsonObject {
  const { application_fee_percent: fee, on_behalf_of, transfer_data: transfer } = subscription.data;
  const total = Math.max(0, Number(invoice.data.total ?? 0));
  const share = (percent: Json | undefined) =>
    typeof percent === 'number' ? Math.round((total * percent) / 100) : null;
  return {
    application_fee_amount: share(fee),
    on_behalf_of: on_behalf_of ?? null,
    transfer_data: isObject(transfer)
      ? { amount: share(transfer.amount_percent), destination: transfer.destination ?? null }
      : null,
  };
}

/**
 * The time a period's invoice bills its items for, and the share of their price that is (Stripe's
 * prorations of a period cut short). A first period that ends at a future `billing_cycle_anchor`
 * bills the share of a whole period it lasts, or nothing with `proration_behavior=none` (the time
 * up to the anchor is then free). A `cancel_at` within a period ends what it bills there, prorated:
 * a first period's unless its request says `none` (it is billed whole then), a later one's always.
 */
function billedPeriod(
  ctx: Ctx,
  subscription: Entry,
  params: JsonObject,
  ended: { start: number; end: number } | undefined,
): { period: { start: number; end: number }; share: number } {
  const { current_period_start, current_period_end, cancel_at: cancelAt } = subscription.data;
  const [start, end] = [Number(current_period_start), Number(current_period_end)];
  const first = ended === undefined;
  const prorating = !first || params.proration_behavior !== 'none';
  const anchored =
    first && subscription.data.status !== 'trialing' && subscription.data.billing_cycle_anchor === end;
  const stop =
    typeof cancelAt === 'number' && start < cancelAt && cancelAt < end && prorating ? cancelAt : end;
  const whole = anchored ? end - periodStartBefore(ctx, subscription, end) : end - start;
  const share = anchored && !prorating ? 0 : (stop - start) / whole;
  return { period: { start, end: stop }, share: whole > 0 ? share : 1 };
}

/**
 * How a new invoice is handled while the subscription's collection is paused
 * (`pause_collection[behavior]`): left a draft that is not advanced, voided or marked
 * uncollectible once finalized. None once `resumes_at` has come (the pause is then lifted).
 */
function pausedCollection(
  ctx: Ctx,
  subscription: Entry,
  at: number,
): ((invoice: Entry) => Entry) | undefined {
  const pause = subscription.data.pause_collection;
  if (!isObject(pause)) return undefined;
  if (typeof pause.resumes_at === 'number' && pause.resumes_at <= at) {
    ctx.set(subscription, { pause_collection: null });
    return undefined;
  }
  if (pause.behavior === 'keep_as_draft') return (invoice) => ctx.set(invoice, { auto_advance: false });
  const status = pause.behavior === 'void' ? 'void' : 'uncollectible';
  return (invoice) => {
    const finalized = finalizeInvoice(ctx, invoice);
    return finalized.data.status === 'open' ? closeInvoice(ctx, finalized, status) : finalized;
  };
}

/**
 * Charges a subscription's invoice. A decline leaves it open, to be retried (rules/dunning.ts),
 * unless `payment_behavior` is `error_if_incomplete`: then the 402 undoes the whole request (no
 * subscription, invoice, charge or change is left), where a decline otherwise keeps its failed
 * charge.
 */
function collect(ctx: Ctx, invoice: Entry, params: JsonObject): Entry {
  const strict = params.payment_behavior === 'error_if_incomplete';
  try {
    // With nothing to charge the invoice stays open, or, when strict, the request fails.
    return payInvoice(ctx, invoice, {}, strict);
  } catch (error) {
    const code = cardErrorCode(error);
    if (code === undefined || !(error instanceof ErrorReply)) throw error;
    if (strict) {
      const { charge: _undone, ...fields } = error.fields;
      throw new ErrorReply(error.status, error.type, error.message, fields);
    }
    return afterFailedCollection(ctx, invoice, code);
  }
}

/**
 * The usage a metered item reported for the period that ended (its usage record summary, then
 * marked as invoiced), 0 on a first invoice.
 */
function usageOf(ctx: Ctx, item: Entry, ended: { start: number } | undefined, invoice: string): number {
  if (!ended) return 0;
  const summary = ctx
    .children(item, ['usage_record_summary'])
    .find((s) => isObject(s.data.period) && s.data.period.start === ended.start);
  if (!summary) return 0;
  ctx.set(summary, { invoice });
  return Number(summary.data.total_usage ?? 0);
}

/**
 * The time a change plays at while a test clock's advance plays it between the clock's old time
 * and its new one (a schedule's phase starting): what `timeOf` answers meanwhile.
 */
const playedAt = new WeakMap<Ctx, number>();

/** Runs `change` to a clock's subscription as of `at`, a time its clock's advance reached. */
export function playAt<T>(ctx: Ctx, at: number, change: () => T): T {
  const outer = playedAt.get(ctx);
  playedAt.set(ctx, at);
  try {
    return ctx.at(at, change);
  } finally {
    if (outer === undefined) playedAt.delete(ctx);
    else playedAt.set(ctx, outer);
  }
}

/** The time a subscription lives at: its test clock's (or the time played on it), or now. */
function timeOf(ctx: Ctx, subscription: Entry): number {
  const played = playedAt.get(ctx);
  if (played !== undefined) return played;
  const clock =
    typeof subscription.data.test_clock === 'string'
      ? ctx.find(subscription.data.test_clock, ['test_helpers.test_clock'])
      : undefined;
  return typeof clock?.data.frozen_time === 'number' ? clock.data.frozen_time : ctx.now;
}

/** Runs `run` at the subscription's time (on a test clock, what it stamps and records is dated then). */
function atTimeOf<T>(ctx: Ctx, subscription: Entry, run: () => T): T {
  return ctx.at(timeOf(ctx, subscription), run);
}

const billed = (item: Entry | undefined): Billed | undefined =>
  item && isObject(item.data.price)
    ? {
        price: item.data.price,
        quantity: Number(item.data.quantity ?? 1),
        taxRates: item.data.tax_rates ?? [],
      }
    : undefined;

/** Stores the prorations (money/prorations.ts) of an active subscription's item change as pending items. */
function prorate(
  ctx: Ctx,
  subscription: Entry,
  before: Billed | undefined,
  after: Billed | undefined,
  at: number,
): void {
  if (subscription.data.status !== 'active') return;
  const period = {
    start: Number(subscription.data.current_period_start),
    end: Number(subscription.data.current_period_end),
  };
  for (const proration of prorations(ctx, period, before, after, at)) {
    const item = ctx.ops.createResource(ctx, 'invoiceitem', {
      amount: proration.amount,
      currency: String(proration.price.currency ?? 'usd'),
      customer: String(subscription.data.customer),
      description: proration.description,
      period: proration.period,
      subscription: subscription.id,
    });
    ctx.set(item, {
      price: proration.price,
      proration: true,
      quantity: proration.quantity,
      tax_rates: proration.taxRates ?? [],
      test_clock: subscription.data.test_clock ?? null,
    });
  }
}

/** The test clock a customer is on, if any. */
export function clockOf(ctx: Ctx, customerId: string): Entry | undefined {
  const customer = ctx.find(customerId, ['customer']);
  const clock = customer?.data.test_clock;
  return typeof clock === 'string' ? ctx.find(clock, ['test_helpers.test_clock']) : undefined;
}

/** Now for a customer: its test clock's frozen time, else the request's. */
export function customerNow(ctx: Ctx, customerId: string): number {
  const clock = clockOf(ctx, customerId);
  return typeof clock?.data.frozen_time === 'number' ? clock.data.frozen_time : ctx.now;
}

/**
 * A scheduled cancellation (`cancel_at_period_end`, `cancel_at`) is dated by the request that set
 * it (`canceled_at`, Stripe's "most recent update request"), and undated once unset.
 */
function scheduleCancel(ctx: Ctx, draft: JsonObject, params: JsonObject, entry: Entry): void {
  if (entry.data.status === 'canceled') return;
  if (params.cancel_at_period_end === true || typeof params.cancel_at === 'number')
    draft.canceled_at = timeOf(ctx, entry);
  else if (
    (params.cancel_at_period_end !== undefined || params.cancel_at !== undefined) &&
    draft.cancel_at_period_end !== true &&
    typeof draft.cancel_at !== 'number'
  )
    draft.canceled_at = null;
}

/**
 * Ends a subscription whose cancellation was scheduled, at `at` (its `cancel_at`, or its period's
 * end): `canceled`, dated by the request that scheduled it, for `cancellation_requested`.
 */
function endScheduled(ctx: Ctx, subscription: Entry, at: number): void {
  const details = isObject(subscription.data.cancellation_details)
    ? subscription.data.cancellation_details
    : {};
  ctx.at(at, () =>
    ctx.ops.updateEntry(ctx, subscription, {
      canceled_at: subscription.data.canceled_at ?? at,
      cancellation_details: {
        comment: details.comment ?? null,
        feedback: details.feedback ?? null,
        reason: 'cancellation_requested',
      },
      ended_at: at,
      status: 'canceled',
    }),
  );
}

/**
 * Moves a subscription through the periods that ended by `until` (a test clock's new time, or the
 * time played for a subscription on none: rules/time.ts), from `after` (where a longer advance
 * played it to last; the subscription's time by default): a
 * trial that ended becomes `active`, a subscription set to cancel (at the period's end, or at a
 * `cancel_at` the clock reached) is canceled, and every other period that ends renews it with a
 * `subscription_cycle` invoice.
 */
export function renewSubscription(ctx: Ctx, subscription: Entry, until: number, after?: number): void {
  let entry = ctx.current(subscription);
  expireIncomplete(ctx, entry, until);
  warnTrialEnd(ctx, entry, after ?? timeOf(ctx, entry), until);
  for (let guard = 0; guard < 120; guard++) {
    const status = String(entry.data.status);
    const end = renewsAt(entry);
    if (end === undefined) return;
    const cancelAt = typeof entry.data.cancel_at === 'number' ? entry.data.cancel_at : undefined;
    if (cancelAt !== undefined && cancelAt < end && cancelAt <= until) {
      endScheduled(ctx, entry, cancelAt);
      return;
    }
    if (!(end <= until)) return;
    if (entry.data.cancel_at_period_end === true || (cancelAt !== undefined && cancelAt <= end)) {
      endScheduled(ctx, entry, end);
      return;
    }
    if (status === 'trialing' && endTrialUnpayable(ctx, entry, end)) return;
    entry = ctx.at(end, () => renew(ctx, ctx.current(entry), status, end));
  }
}

/** When a subscription's period ends and it renews (or ends), while it is live. */
export function renewsAt(subscription: Entry): number | undefined {
  const live = ['active', 'trialing', 'past_due'].includes(String(subscription.data.status));
  return live ? Number(subscription.data.current_period_end) : undefined;
}

/** Whether a subscription has a way to pay: its own default payment method or source, or its customer's. */
function hasPaymentMethod(ctx: Ctx, subscription: Entry): boolean {
  const customer = ctx.find(String(subscription.data.customer), ['customer']);
  const settings = isObject(customer?.data.invoice_settings) ? customer.data.invoice_settings : {};
  const candidates = [
    subscription.data.default_payment_method,
    subscription.data.default_source,
    customer?.data.default_source,
    settings.default_payment_method,
  ];
  return candidates.some((id) => typeof id === 'string' && id !== '');
}

/**
 * A trial ending (at `end`) with no way to pay, as its `trial_settings.end_behavior.
 * missing_payment_method` says: `cancel` cancels the subscription, `pause` pauses it (`paused`,
 * until resumed), both then with no invoice; `create_invoice`, the default, invoices as usual
 * (false: the trial ends the usual way).
 */
function endTrialUnpayable(ctx: Ctx, subscription: Entry, end: number): boolean {
  const settings = isObject(subscription.data.trial_settings) ? subscription.data.trial_settings : {};
  const behavior = isObject(settings.end_behavior) ? settings.end_behavior.missing_payment_method : null;
  if ((behavior !== 'cancel' && behavior !== 'pause') || hasPaymentMethod(ctx, subscription)) return false;
  const fields: JsonObject =
    behavior === 'cancel' ? { canceled_at: end, ended_at: end, status: 'canceled' } : { status: 'paused' };
  ctx.at(end, () => ctx.ops.updateEntry(ctx, subscription, fields));
  return true;
}

/** Starts the period after the one that ended at `end`, with its invoice (played at `end`). */
function renew(ctx: Ctx, subscription: Entry, status: string, end: number): Entry {
  const ended = { start: Number(subscription.data.current_period_start), end };
  const entry = ctx.set(subscription, { ...periodFrom(ctx, subscription, end), status: 'active' });
  const invoice = periodInvoice(
    ctx,
    entry,
    {},
    status === 'trialing' ? 'subscription_update' : 'subscription_cycle',
    ended,
  );
  return ctx.set(entry, billedBy(ctx, invoice));
}

/** How long an `incomplete` subscription's first invoice has to be paid. */
const INCOMPLETE_FOR = 23 * 3600;

/**
 * An `incomplete` subscription whose first invoice is still unpaid 23 hours after it was made
 * (by `until`) is `incomplete_expired`, for good, and that invoice is voided.
 */
function expireIncomplete(ctx: Ctx, subscription: Entry, until: number): void {
  if (subscription.data.status !== 'incomplete') return;
  const at = Number(subscription.data.created) + INCOMPLETE_FOR;
  if (at > until) return;
  const id = subscription.data.latest_invoice;
  const invoice = typeof id === 'string' ? ctx.find(id, ['invoice']) : undefined;
  // A bank debit paying it is a payment under way: the subscription waits for its outcome.
  if (invoice && paymentProcessing(ctx, invoice)) return;
  ctx.at(at, () => {
    if (invoice?.data.status === 'open') closeInvoice(ctx, invoice, 'void');
    ctx.set(subscription, { status: 'incomplete_expired' });
  });
}

/** How long before a trial's end Stripe warns of it (`customer.subscription.trial_will_end`). */
const TRIAL_WARNING = 3 * DAY;

/** Warns that a trial will end when its warning time falls after `after` and by `until`. */
function warnTrialEnd(ctx: Ctx, subscription: Entry, after: number, until: number): void {
  const end = subscription.data.trial_end;
  if (subscription.data.status !== 'trialing' || typeof end !== 'number') return;
  const at = end - TRIAL_WARNING;
  if (at > after && at <= until)
    ctx.at(at, () => emitEvent(ctx, 'customer.subscription.trial_will_end', subscription.data));
}

/** A trial shorter than the warning's three days is warned of as it starts (at its creation). */
function warnShortTrial(ctx: Ctx, subscription: Entry): void {
  const end = subscription.data.trial_end;
  if (subscription.data.status !== 'trialing' || typeof end !== 'number') return;
  const now = timeOf(ctx, subscription);
  if (end - TRIAL_WARNING <= now)
    ctx.at(now, () => emitEvent(ctx, 'customer.subscription.trial_will_end', subscription.data));
}

/**
 * A trial an update moves (`trial_end`) to end within the warning's three days is warned of at
 * once, as a short trial is at its creation, unless its old end had already been warned of.
 */
function warnShortenedTrial(ctx: Ctx, subscription: Entry, before: Entry): void {
  const old = before.data.trial_end;
  if (typeof old === 'number' && old - TRIAL_WARNING <= timeOf(ctx, before)) return;
  warnShortTrial(ctx, subscription);
}

/** `at` moved by `periods` of the subscription's (first) price's interval. */
function byIntervals(ctx: Ctx, subscription: Entry, at: number, periods: number): number {
  const item = itemsOf(ctx, subscription)[0];
  const price = isObject(item?.data.price) ? item.data.price : {};
  const recurring = isObject(price.recurring) ? price.recurring : {};
  return addInterval(
    at,
    String(recurring.interval ?? 'month'),
    periods * Number(recurring.interval_count ?? 1),
  );
}

/** The period that starts at `start`, as long as the subscription's (first) price's interval. */
function periodFrom(ctx: Ctx, subscription: Entry, start: number): JsonObject {
  return { current_period_start: start, current_period_end: byIntervals(ctx, subscription, start, 1) };
}

/** Where a whole period that ends at `end` starts. */
const periodStartBefore = (ctx: Ctx, subscription: Entry, end: number): number =>
  byIntervals(ctx, subscription, end, -1);

/**
 * An invoice Stripe tried to charge and could not (a sent invoice is not late before its due date,
 * nor one whose bank debit is still processing).
 */
const unpaid = (ctx: Ctx, invoice: Entry): boolean =>
  invoice.data.status === 'open' &&
  invoice.data.collection_method !== 'send_invoice' &&
  !paymentProcessing(ctx, invoice);

/** A subscription after a new period's invoice: `past_due` when charging it failed, `active` otherwise. */
const billedBy = (ctx: Ctx, invoice: Entry): JsonObject => ({
  latest_invoice: invoice.id,
  status: unpaid(ctx, invoice) ? 'past_due' : 'active',
});

/**
 * Ends a trial now (`trial_end=now`), as Stripe does: the first paid period starts now (so does
 * the billing cycle) and its invoice is made and collected at once.
 */
function endTrialNow(ctx: Ctx, subscription: Entry, params: JsonObject): void {
  const now = timeOf(ctx, subscription);
  ctx.at(now, () => {
    emitEvent(ctx, 'customer.subscription.trial_will_end', subscription.data);
    const entry = ctx.set(subscription, {
      ...periodFrom(ctx, subscription, now),
      billing_cycle_anchor: now,
      status: 'active',
      trial_end: now,
    });
    ctx.set(entry, billedBy(ctx, periodInvoice(ctx, entry, params, 'subscription_update')));
  });
}

/**
 * A trial an update sets to end at `end` (`trial_end`, a future time), as Stripe's: a trialing
 * subscription's trial (its period, and the billing cycle that starts at its end) now ends then;
 * an active one starts a trial now, its unused time of the period credited by the update's
 * `proration_behavior` (see `billChanges`).
 */
function moveTrial(ctx: Ctx, subscription: Entry, end: number, params: JsonObject): void {
  const trial = { billing_cycle_anchor: end, current_period_end: end, trial_end: end };
  if (subscription.data.status === 'trialing') {
    ctx.set(subscription, trial);
    return;
  }
  const now = timeOf(ctx, subscription);
  const unused = itemsOf(ctx, subscription).map((item): [Billed | undefined, undefined] => [
    billed(item),
    undefined,
  ]);
  billChanges(ctx, subscription, unused, { proration_date: now, ...params });
  ctx.set(ctx.current(subscription), {
    ...trial,
    current_period_start: now,
    status: 'trialing',
    trial_start: now,
  });
}

/** Refuses a `trial_end` an update sets that is not after the subscription's now. */
function requireFutureTrialEnd(ctx: Ctx, params: JsonObject, subscription: Entry): void {
  if (typeof params.trial_end === 'number' && params.trial_end <= timeOf(ctx, subscription))
    throw invalidRequest('Invalid timestamp: must be an integer Unix timestamp in the future.', {
      param: 'trial_end',
    });
}

/**
 * `billing_cycle_anchor=now` on an active subscription: a new period starts now (so does its
 * billing cycle), invoiced and collected at once, with a credit for the unused rest of the old
 * period of the items it had (`previous`) unless `proration_behavior` is `none`. The new items
 * are billed for the new period whole, so an item change in the same update is not prorated.
 */
function resetCycle(ctx: Ctx, subscription: Entry, params: JsonObject, previous: readonly Entry[]): void {
  const now = timeOf(ctx, subscription);
  if (params.proration_behavior !== 'none')
    for (const item of previous) prorate(ctx, subscription, billed(item), undefined, now);
  ctx.at(now, () => {
    const entry = ctx.set(subscription, { ...periodFrom(ctx, subscription, now), billing_cycle_anchor: now });
    ctx.set(entry, billedBy(ctx, periodInvoice(ctx, entry, params, 'subscription_update')));
  });
}

/**
 * Resumes a paused subscription with its billing cycle anchored now (`billing_cycle_anchor`'s
 * default): a new period starts at its time, invoiced and collected at once; it is `active` once
 * paid, `past_due` when the payment fails.
 */
function resumeNow(ctx: Ctx, subscription: Entry, params: JsonObject): Entry {
  const now = timeOf(ctx, subscription);
  return ctx.at(now, () => {
    const resumed = ctx.set(subscription, {
      ...periodFrom(ctx, subscription, now),
      billing_cycle_anchor: now,
      pause_collection: null,
      status: 'active',
    });
    return ctx.set(resumed, billedBy(ctx, periodInvoice(ctx, resumed, params, 'subscription_update')));
  });
}

/**
 * Resumes a paused subscription on its billing cycle (`billing_cycle_anchor=unchanged`): it moves
 * to the period of its cycle that holds its now, `active`, the rest of that period billed from
 * then by `proration_behavior` (`proration_date`, else now; see `billChanges`).
 */
function resumeUnchanged(ctx: Ctx, subscription: Entry, params: JsonObject): Entry {
  const now = timeOf(ctx, subscription);
  const anchor = Number(subscription.data.billing_cycle_anchor ?? subscription.data.current_period_start);
  let periods = 0;
  while (periods < 1200 && byIntervals(ctx, subscription, anchor, periods + 1) <= now) periods++;
  const resumed = ctx.set(subscription, {
    current_period_end: byIntervals(ctx, subscription, anchor, periods + 1),
    current_period_start: byIntervals(ctx, subscription, anchor, periods),
    pause_collection: null,
    status: 'active',
  });
  const remaining = itemsOf(ctx, resumed).map((item): [undefined, Billed | undefined] => [
    undefined,
    billed(item),
  ]);
  billChanges(ctx, resumed, remaining, { proration_date: now, ...params });
  return ctx.current(resumed);
}

/**
 * Bills item changes by `proration_behavior`: `create_prorations` (the default) leaves the
 * prorations pending for the next invoice, `always_invoice` invoices (and charges) them now,
 * `none` makes none. `proration_date` sets when the change counts from. An invoice left unpaid
 * makes the subscription `past_due` (`payment_behavior` `allow_incomplete` or
 * `default_incomplete`; `error_if_incomplete` fails the request instead).
 */
function billChanges(
  ctx: Ctx,
  subscription: Entry,
  changes: readonly [Billed | undefined, Billed | undefined][],
  params: JsonObject,
): void {
  const behavior =
    typeof params.proration_behavior === 'string' ? params.proration_behavior : 'create_prorations';
  if (behavior === 'none') return;
  const at = typeof params.proration_date === 'number' ? params.proration_date : timeOf(ctx, subscription);
  for (const [before, after] of changes) prorate(ctx, subscription, before, after, at);
  if (behavior !== 'always_invoice') return;
  atTimeOf(ctx, subscription, () => {
    // Dated when the change took effect (a schedule's phase start, played on its test clock).
    const billing = ctx.set(pendingInvoice(ctx, subscription), {
      billing_reason: 'subscription_update',
      created: timeOf(ctx, subscription),
    });
    // `default_incomplete` leaves the invoice's PaymentIntent for the client to confirm.
    const billed =
      params.payment_behavior === 'default_incomplete'
        ? finalizeInvoice(ctx, billing)
        : collect(ctx, billing, params);
    ctx.set(subscription, { latest_invoice: billed.id, ...unpaidUpdate(ctx, subscription, billed) });
  });
}

/**
 * A `cancel_at` set within the current period credits each item's time after it, by the update's
 * `proration_behavior` (Stripe prorates it when prorations are enabled).
 */
function creditAfterCancel(ctx: Ctx, subscription: Entry, at: number, params: JsonObject): void {
  const { current_period_start: start, current_period_end: end } = subscription.data;
  if (!(typeof start === 'number' && typeof end === 'number' && start < at && at < end)) return;
  const ending = itemsOf(ctx, subscription).map((item): [Billed | undefined, undefined] => [
    billed(item),
    undefined,
  ]);
  billChanges(ctx, subscription, ending, { ...params, proration_date: at });
}

/**
 * A new invoice of what is pending for the subscription (its customer's items for it), with the
 * subscription's Connect terms as its period invoices have them.
 */
function pendingInvoice(ctx: Ctx, subscription: Entry): Entry {
  const invoice = ctx.ops.createResource(ctx, 'invoice', {
    customer: String(subscription.data.customer),
    pending_invoice_items_behavior: 'include',
    subscription: subscription.id,
  });
  return ctx.set(invoice, invoiceConnect(subscription, invoice));
}

/**
 * An active subscription whose update invoice was left unpaid (a decline, nothing to charge, or a
 * PaymentIntent left to confirm) is `past_due` until it is paid (invoices.ts makes it `active`).
 */
function unpaidUpdate(ctx: Ctx, subscription: Entry, invoice: Entry): JsonObject {
  return unpaid(ctx, invoice) && subscription.data.status === 'active' ? { status: 'past_due' } : {};
}

/**
 * Tells of a change of the subscription's items: `customer.subscription.updated` with the items
 * as they were (`previous`), unless the request changed the subscription itself since `before`
 * (its own `.updated` then tells of it).
 */
function itemsChanged(ctx: Ctx, subscription: Entry, before: Entry, previous: readonly Entry[]): void {
  const now = ctx.current(subscription);
  if (JSON.stringify(now.data) !== JSON.stringify(before.data)) return;
  const data = (items: readonly Entry[]) => items.map((item) => item.data);
  if (JSON.stringify(data(itemsOf(ctx, now))) === JSON.stringify(data(previous))) return;
  emitEvent(ctx, 'customer.subscription.updated', now.data, {
    items: {
      object: 'list',
      data: data(previous),
      has_more: false,
      url: `/v1/subscription_items?subscription=${subscription.id}`,
    },
  });
}

/**
 * What canceling settles now: with `prorate`, a credit for the unused rest of the period (left
 * pending); with `invoice_now`, a final invoice of what is pending for the subscription, collected
 * at once (returned).
 */
function settleCancel(ctx: Ctx, subscription: Entry, params: JsonObject): Entry | undefined {
  if (params.prorate === true) {
    const at = timeOf(ctx, subscription);
    for (const item of itemsOf(ctx, subscription)) prorate(ctx, subscription, billed(item), undefined, at);
  }
  if (params.invoice_now !== true) return undefined;
  return atTimeOf(ctx, subscription, () => collect(ctx, pendingInvoice(ctx, subscription), {}));
}

/**
 * A subscription's Connect terms from a create's or an update's parameters (only those it gives on
 * an update; `''` clears one): `on_behalf_of`, `transfer_data` (replaced whole, its
 * `amount_percent` null when not given) and `application_fee_percent`. A fee needs a payment that
 * goes to a connected account: a destination (`transfer_data[destination]`, given or kept) or a
 * subscription made as the account (the Stripe-Account header).
 */
function connectTerms(ctx: Ctx, params: JsonObject, entry?: Entry): JsonObject {
  const out: JsonObject = {};
  for (const key of ['application_fee_percent', 'on_behalf_of'])
    if (params[key] !== undefined || !entry) out[key] = params[key] === '' ? null : (params[key] ?? null);
  const transfer = params.transfer_data;
  if (isObject(transfer)) {
    const account = requireTransferCapability(ctx, String(transfer.destination));
    out.transfer_data = { amount_percent: transfer.amount_percent ?? null, destination: account.id };
  } else if (transfer === '' || !entry) out.transfer_data = null;
  const destination = out.transfer_data !== undefined ? out.transfer_data : entry?.data.transfer_data;
  requireFeeDestination(ctx, out.application_fee_percent, destination);
  return out;
}

/**
 * A subscription's `application_fee_percent` (a session's or a link's for the subscription it
 * starts, named `param`) needs a payment that goes to a connected account: a destination
 * (`transfer_data`, given or kept) or one made as the account (the Stripe-Account header), as
 * Stripe's does.
 */
export function requireFeeDestination(
  ctx: Ctx,
  fee: Json | undefined,
  transfer: Json | undefined,
  param = 'application_fee_percent',
): void {
  if (typeof fee === 'number' && !isObject(transfer) && !ctx.scope.account)
    throw invalidRequest(
      'An application_fee_percent applies only to a subscription with a destination (`transfer_data[destination]`) or one made as a connected account (the Stripe-Account header).',
      { param },
    );
}

/**
 * Requests changing a subscription's items through the subscription itself (its create or
 * update): the items' own rules then bill nothing and leave the checks to the subscription.
 */
const updatingItems = new WeakSet<Ctx>();

/** Runs `change` as the subscription's own change of its items. */
function asSubscription(ctx: Ctx, change: () => void): void {
  updatingItems.add(ctx);
  try {
    change();
  } finally {
    updatingItems.delete(ctx);
  }
}

/** Stripe keeps at least one item on a subscription: ending them all is canceling it. */
function requireAnItem(remaining: readonly Entry[], param?: string): void {
  if (remaining.length > 0) return;
  throw invalidRequest(
    'A subscription must have at least one active plan. To cancel a subscription, please use the cancel API endpoint on /v1/subscriptions.',
    param ? { param } : {},
  );
}

/**
 * A subscription's items bill on one invoice per period: Stripe refuses items whose prices differ
 * in currency or interval (`param` names what brought the one that differs).
 */
function requireOneCycle(ctx: Ctx, subscription: Entry, param: string): void {
  requireOneCycleOf(
    itemsOf(ctx, subscription).map((item) => item.data.price),
    param,
  );
}

/** Applies `items[]` of a subscription update, collecting each change for billing. */
function updateItems(
  ctx: Ctx,
  entry: Entry,
  items: readonly Json[],
  changes: [Billed | undefined, Billed | undefined][],
): void {
  items.forEach((item, i) => {
    if (!isObject(item)) return;
    const param = `items[${i}]`;
    if (typeof item.id === 'string') {
      const existing = ctx.find(item.id, ['subscription_item']);
      if (!existing || existing.data.subscription !== entry.id) {
        throw invalidRequest(`No such subscription item: '${item.id}'`, {
          code: 'resource_missing',
          param: `${param}[id]`,
        });
      }
      if (item.deleted === true) {
        changes.push([billed(existing), undefined]);
        ctx.ops.deleteEntry(ctx, existing);
        return;
      }
      const change: JsonObject = {};
      if (namesPrice(item)) change.price = priceForItem(ctx, item, param).id;
      if (item.quantity !== undefined) change.quantity = item.quantity;
      if (item.metadata !== undefined) change.metadata = item.metadata;
      if (item.tax_rates !== undefined) change.tax_rates = item.tax_rates;
      // The price resolved here is the item's to take, an inline (archived) one too.
      const updated = billHeldPrices(ctx, () => ctx.ops.updateEntry(ctx, existing, change));
      changes.push([billed(existing), billed(updated)]);
    } else changes.push([undefined, billed(createItem(ctx, entry.id, item, param))]);
  });
  requireAnItem(itemsOf(ctx, entry), 'items');
  requireOneCycle(ctx, entry, 'items');
}

/**
 * `add_invoice_items`: one-time prices (`price` or `price_data`, `quantity`) billed once, on the
 * subscription's next invoice (its first at creation): pending invoice items of its customer.
 */
function addInvoiceItems(ctx: Ctx, subscription: Entry, items: Json | undefined): void {
  if (!Array.isArray(items)) return;
  items.filter(isObject).forEach((item, i) => {
    const param = `add_invoice_items[${i}]`;
    const price =
      typeof item.price === 'string'
        ? requireActive(ctx, requirePrice(ctx, item.price, `${param}[price]`), `${param}[price]`).id
        : undefined;
    if (!price && !isObject(item.price_data))
      throw invalidRequest(`Missing required param: ${param}[price].`, {
        code: 'parameter_missing',
        param: `${param}[price]`,
      });
    ctx.ops.createResource(ctx, 'invoiceitem', {
      customer: String(subscription.data.customer),
      subscription: subscription.id,
      ...(price ? { price } : { price_data: item.price_data! }),
      quantity: typeof item.quantity === 'number' ? item.quantity : 1,
      ...(item.tax_rates !== undefined ? { tax_rates: item.tax_rates } : {}),
    });
  });
}

/**
 * The prices a new subscription's items name, as its create resolved them before storing it: its
 * items take them, rather than make their inline prices (`price_data`) a second time.
 */
const createdPrices = new WeakMap<Ctx, Entry[]>();

/**
 * A subscription's new item, of the price `item` names (an inline, archived, one too), or of
 * `resolved` when its subscription's create resolved it already.
 */
function createItem(
  ctx: Ctx,
  subscription: string,
  item: JsonObject,
  param: string,
  resolved?: Entry,
): Entry {
  const price = resolved ?? priceForItem(ctx, item, param);
  const fields: JsonObject = { subscription, price: price.id, quantity: item.quantity ?? 1 };
  if (isObject(item.metadata)) fields.metadata = item.metadata;
  if (item.tax_rates !== undefined) fields.tax_rates = item.tax_rates;
  return billHeldPrices(ctx, () => ctx.ops.createResource(ctx, 'subscription_item', fields));
}

/**
 * The generic create of a subscription (its route's, Checkout's, an accepted quote's), at the
 * clock's time for a customer on a test clock: the subscription, its first invoice and the events
 * recorded as they are stored are all dated then.
 */
export function createSubscription(ctx: Ctx, params: JsonObject, parent?: Entry): Entry {
  return ctx.at(customerNow(ctx, String(params.customer)), () =>
    ctx.ops.createResource(ctx, 'subscription', params, parent),
  );
}

export const subscriptionRules: RuleBook = {
  subscription: {
    create: (ctx, { params, parent }) => createSubscription(ctx, params, parent),
    beforeCreate(ctx, draft, { params }) {
      const items = Array.isArray(params.items) ? params.items.filter(isObject) : [];
      if (items.length === 0)
        throw invalidRequest('Missing required param: items.', { code: 'parameter_missing', param: 'items' });
      const prices = items.map((item, i) => priceForItem(ctx, item, `items[${i}]`));
      createdPrices.set(ctx, prices);
      const first = prices[0]!;
      const recurring = isObject(first.data.recurring) ? first.data.recurring : {};
      const clock = clockOf(ctx, String(draft.customer));
      const now = typeof clock?.data.frozen_time === 'number' ? clock.data.frozen_time : ctx.now;
      const start = typeof params.backdate_start_date === 'number' ? params.backdate_start_date : now;
      let end = addInterval(
        start,
        String(recurring.interval ?? 'month'),
        Number(recurring.interval_count ?? 1),
      );
      let status = 'active';
      let trialStart: Json = null;
      let trialEnd: Json = null;
      const trialDays = typeof params.trial_period_days === 'number' ? params.trial_period_days : undefined;
      if (params.trial_end === 'now') trialEnd = null;
      else if (typeof params.trial_end === 'number') trialEnd = params.trial_end;
      else if (trialDays) trialEnd = start + trialDays * DAY;
      if (typeof trialEnd === 'number' && trialEnd > start) {
        status = 'trialing';
        trialStart = start;
        end = trialEnd;
      } else if (typeof params.billing_cycle_anchor === 'number' && params.billing_cycle_anchor > start) {
        // A future anchor ends the first period early (see `billedPeriod`), within the natural one.
        if (params.billing_cycle_anchor > end)
          throw invalidRequest(
            `billing_cycle_anchor cannot be later than next natural billing date (${end}) for plan`,
            { param: 'billing_cycle_anchor' },
          );
        end = params.billing_cycle_anchor;
      }
      Object.assign(draft, {
        application: null,
        ...connectTerms(ctx, params),
        automatic_tax: automaticTaxParam(ctx, params.automatic_tax, String(draft.customer)) ?? {
          enabled: false,
          liability: null,
        },
        // A trial's billing cycle starts at its end.
        billing_cycle_anchor:
          typeof params.billing_cycle_anchor === 'number'
            ? params.billing_cycle_anchor
            : status === 'trialing'
              ? trialEnd
              : start,
        billing_thresholds: null,
        // Stripe sets `cancel_at` to the period's end while `cancel_at_period_end` holds.
        cancel_at: params.cancel_at_period_end === true ? end : (draft.cancel_at ?? null),
        cancel_at_period_end: params.cancel_at_period_end === true,
        // A cancellation scheduled at creation is dated then (see `scheduleCancel`).
        canceled_at:
          params.cancel_at_period_end === true || typeof params.cancel_at === 'number' ? now : null,
        cancellation_details: { comment: null, feedback: null, reason: null },
        currency: first.data.currency ?? 'usd',
        current_period_end: end,
        current_period_start: start,
        days_until_due: draft.days_until_due ?? null,
        default_payment_method: draft.default_payment_method ?? null,
        default_source: draft.default_source ?? null,
        default_tax_rates: taxRatesParam(ctx, params.default_tax_rates, 'default_tax_rates') ?? [],
        description: draft.description ?? null,
        ...discountFields(
          discountFor(ctx, params, { customer: String(draft.customer), subscription: String(draft.id) }) ??
            null,
        ),
        ended_at: null,
        latest_invoice: null,
        next_pending_invoice_item_invoice: null,
        pause_collection: null,
        pending_invoice_item_interval: null,
        pending_setup_intent: null,
        pending_update: null,
        schedule: null,
        start_date: start,
        status,
        test_clock: clock?.id ?? null,
        // A test clock's subscription is made at the clock's time.
        ...(clock ? { created: now } : {}),
        trial_end: trialEnd,
        trial_start: trialStart,
      });
    },
    afterCreate(ctx, entry, { params }) {
      const items = Array.isArray(params.items) ? params.items.filter(isObject) : [];
      const prices = createdPrices.get(ctx);
      createdPrices.delete(ctx);
      asSubscription(ctx, () =>
        items.forEach((item, i) => {
          createItem(ctx, entry.id, item, `items[${i}]`, prices?.[i]);
        }),
      );
      requireOneCycle(ctx, entry, 'items');
      addInvoiceItems(ctx, entry, params.add_invoice_items);
      // On a test clock, the first invoice is made, finalized and paid at the clock's time.
      const invoice = atTimeOf(ctx, entry, () => periodInvoice(ctx, ctx.current(entry), params));
      const paid = invoice.data.status === 'paid' || invoice.data.collection_method === 'send_invoice';
      warnShortTrial(
        ctx,
        ctx.set(entry, {
          latest_invoice: invoice.id,
          ...(paid ? {} : { status: 'incomplete' }),
        }),
      );
      syncEntitlements(ctx, String(entry.data.customer));
    },
    beforeUpdate(ctx, draft, params, entry) {
      if (entry.data.status === 'canceled') {
        const allowed = ['cancellation_details', 'metadata'];
        if (Object.keys(params).some((k) => !allowed.includes(k))) {
          throw invalidRequest(
            'A canceled subscription can only update its cancellation_details and metadata.',
          );
        }
      }
      // `now` ends a trial after the update (`endTrialNow`); the timestamp is set there, and a
      // time's trial is set there too (`moveTrial`), after its credit for the period as it was.
      if (params.trial_end === 'now') draft.trial_end = entry.data.trial_end ?? null;
      requireFutureTrialEnd(ctx, params, entry);
      if (typeof params.trial_end === 'number') draft.trial_end = entry.data.trial_end ?? null;
      // `now` resets the cycle after the update (`resetCycle`), `unchanged` keeps it.
      if (typeof params.billing_cycle_anchor === 'string')
        draft.billing_cycle_anchor = entry.data.billing_cycle_anchor ?? null;
      if (params.pause_collection === '') draft.pause_collection = null;
      // `cancel_at` follows `cancel_at_period_end`: the period's end while it holds, none once unset.
      if (params.cancel_at_period_end === true) draft.cancel_at = entry.data.current_period_end ?? null;
      else if (params.cancel_at_period_end === false && entry.data.cancel_at_period_end === true)
        draft.cancel_at = null;
      scheduleCancel(ctx, draft, params, entry);
      const discount = discountFor(ctx, params, {
        customer: String(entry.data.customer),
        subscription: entry.id,
      });
      if (discount !== undefined) Object.assign(draft, discountFields(discount));
      const rates = taxRatesParam(ctx, params.default_tax_rates, 'default_tax_rates');
      if (rates) draft.default_tax_rates = rates;
      const automatic = automaticTaxParam(ctx, params.automatic_tax, String(entry.data.customer));
      if (automatic) draft.automatic_tax = automatic;
      Object.assign(draft, connectTerms(ctx, params, entry));
    },
    afterUpdate(ctx, entry, params, before) {
      addInvoiceItems(ctx, entry, params.add_invoice_items);
      if (typeof params.cancel_at === 'number') creditAfterCancel(ctx, entry, params.cancel_at, params);
      if (params.trial_end === 'now' && before.data.status === 'trialing') endTrialNow(ctx, entry, params);
      else if (
        typeof params.trial_end === 'number' &&
        ['active', 'trialing'].includes(String(entry.data.status))
      ) {
        moveTrial(ctx, entry, params.trial_end, params);
        warnShortenedTrial(ctx, ctx.current(entry), before);
      }
      const resetting = params.billing_cycle_anchor === 'now' && before.data.status === 'active';
      const previous = itemsOf(ctx, entry);
      if (!Array.isArray(params.items)) {
        if (resetting) resetCycle(ctx, entry, params, previous);
        syncEntitlements(ctx, String(entry.data.customer));
        return;
      }
      const changes: [Billed | undefined, Billed | undefined][] = [];
      const items = params.items;
      // The items' own rule leaves these changes to this one, which bills them together.
      asSubscription(ctx, () => updateItems(ctx, entry, items, changes));
      if (resetting) resetCycle(ctx, ctx.current(entry), params, previous);
      else billChanges(ctx, ctx.current(entry), changes, params);
      itemsChanged(ctx, entry, before, previous);
      syncEntitlements(ctx, String(entry.data.customer));
    },
    cancel(ctx, entry, params) {
      if (entry.data.status === 'canceled') {
        throw invalidRequest(
          `No such subscription: '${entry.id}'`,
          { code: 'resource_missing', param: 'id' },
          404,
        );
      }
      const details = isObject(params.cancellation_details) ? params.cancellation_details : {};
      const final = settleCancel(ctx, entry, params);
      stopCollection(ctx, entry.id);
      return ctx.ops.updateEntry(ctx, entry, {
        ...(final ? { latest_invoice: final.id } : {}),
        cancellation_details: {
          comment: details.comment ?? null,
          feedback: details.feedback ?? null,
          reason: 'cancellation_requested',
        },
        canceled_at: timeOf(ctx, entry),
        ended_at: timeOf(ctx, entry),
        status: 'canceled',
      });
    },
    actions: {
      resume(ctx, entry, params) {
        if (entry.data.status !== 'paused') {
          throw invalidRequest('Only a paused subscription can be resumed.');
        }
        if (params.billing_cycle_anchor === 'unchanged') return resumeUnchanged(ctx, entry, params);
        return resumeNow(ctx, entry, params);
      },
    },
    listFilter(name, value, ctx) {
      if (name === 'status') {
        if (value === 'all') return () => true;
        if (value === 'ended')
          return (e) => e.data.status === 'canceled' || e.data.status === 'incomplete_expired';
        return undefined;
      }
      if (name === 'price' && typeof value === 'string') {
        return (e) =>
          ctx
            .children(e, ['subscription_item'])
            .some((i) => isObject(i.data.price) && i.data.price.id === value);
      }
      return undefined;
    },
    defaultListFilter(params) {
      return params.status === undefined
        ? (e) => e.data.status !== 'canceled' && e.data.status !== 'incomplete_expired'
        : undefined;
    },
  },
  subscription_item: {
    ascending: true,
    /**
     * Its price as the price stands now (archived, renamed, new metadata), as Stripe embeds it; the
     * copy taken when the item was set stays what bills it (a price's amounts never change).
     */
    reading(ctx, entry) {
      const copy = entry.data.price;
      const price = isObject(copy) && typeof copy.id === 'string' ? findPrice(ctx, copy.id) : undefined;
      return price ? { ...entry.data, price: price.data } : entry.data;
    },
    // An item added or removed on its own changes what its customer is entitled to; one added
    // mid-period is prorated (`proration_behavior`, as a subscription update's).
    afterCreate(ctx, entry, { params }) {
      const subscription = ctx.find(String(entry.data.subscription), ['subscription']);
      if (!subscription) return;
      syncEntitlements(ctx, String(subscription.data.customer));
      if (updatingItems.has(ctx)) return;
      requireOneCycle(ctx, subscription, itemPriceParam(params));
      billChanges(ctx, subscription, [[undefined, billed(entry)]], params);
      itemsChanged(
        ctx,
        subscription,
        subscription,
        itemsOf(ctx, subscription).filter((item) => item.id !== entry.id),
      );
    },
    beforeDelete(ctx, entry) {
      const subscription = ctx.find(String(entry.data.subscription), ['subscription']);
      if (subscription && !updatingItems.has(ctx))
        requireAnItem(itemsOf(ctx, subscription).filter((item) => item.id !== entry.id));
    },
    afterDelete(ctx, entry) {
      const subscription = ctx.find(String(entry.data.subscription), ['subscription']);
      if (!subscription) return;
      syncEntitlements(ctx, String(subscription.data.customer));
      if (!updatingItems.has(ctx))
        itemsChanged(ctx, subscription, subscription, [...itemsOf(ctx, subscription), entry]);
    },
    beforeCreate(ctx, draft, { params }) {
      const subscription = ctx.require(String(params.subscription), ['subscription'], 'subscription', 400);
      const price = priceForItem(ctx, params);
      // One item per price on a subscription, as Stripe allows.
      if (
        itemsOf(ctx, subscription).some(
          (item) => isObject(item.data.price) && item.data.price.id === price.id,
        )
      )
        throw invalidRequest(`Cannot add multiple subscription items with the same plan: ${price.id}`, {
          param: 'price',
        });
      draft.subscription = subscription.id;
      draft.price = price.data;
      draft.quantity = typeof params.quantity === 'number' ? params.quantity : 1;
      draft.billing_thresholds = null;
      draft.tax_rates = taxRatesParam(ctx, params.tax_rates, 'tax_rates') ?? [];
      draft.discounts = [];
    },
    beforeUpdate(ctx, draft, params) {
      if (namesPrice(params)) draft.price = priceForItem(ctx, params).data;
      const rates = taxRatesParam(ctx, params.tax_rates, 'tax_rates');
      if (rates) draft.tax_rates = rates;
    },
    afterUpdate(ctx, entry, params, before) {
      // `POST /v1/subscription_items/{id}` bills its change (its subscription's update bills its own).
      if (updatingItems.has(ctx)) return;
      const subscription = ctx.find(String(entry.data.subscription), ['subscription']);
      if (!subscription) return;
      if (namesPrice(params)) requireOneCycle(ctx, subscription, itemPriceParam(params));
      billChanges(ctx, subscription, [[billed(before), billed(entry)]], params);
      const previous = itemsOf(ctx, subscription).map((item) => (item.id === entry.id ? before : item));
      itemsChanged(ctx, subscription, subscription, previous);
    },
  },
};
