/**
 * `/v1/invoices/upcoming` (and `create_preview`): the next invoice of one subscription, computed
 * and not stored. `subscription` names it; without it `subscription_items` preview a new
 * subscription, and neither previews the customer's subscription that renews first. Changed items
 * (`subscription_items` or `subscription_details[items]`) are previewed with their prorations
 * (at `subscription_proration_date`, unless the behavior is `none`) and bill the next period at
 * their new prices; a subscription that cancels at its period's end renews nothing, nor one
 * previewed canceling now or by then (`cancel_at`, which credits the time after it); a trial
 * previewed to end (`trial_end`) renews when it does, and one previewed on an active subscription
 * starts now, its unused time credited. The customer's pending invoice items are
 * added, and the lines discounted and taxed as the invoice's will be: by the previewed `coupon`/`discounts` (redeeming nothing) and tax rates (an item's
 * `tax_rates`, `subscription_default_tax_rates`) when given, or by Stripe Tax when `automatic_tax`
 * (previewed, or the subscription's) is enabled. A customer on a test clock is previewed at the
 * clock's time, not the request's.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';
import { discountFields, discountFor, invoiceDiscount } from './discounts.ts';
import {
  automaticTax,
  byRates,
  invoiceDefaults,
  itemLine,
  lineData,
  lineTotals,
  period,
  previewLineId,
  priceLines,
} from './invoice-lines.ts';
import { addInterval, clockTime } from './periods.ts';
import { findPrice, requireOneCycleOf } from './plans.ts';
import { priceAmount, unitAmountDecimal } from './pricing.ts';
import { type Billed, prorations } from './prorations.ts';
import { taxRatesParam } from './taxes.ts';

const RENEWING = ['active', 'trialing', 'past_due'];

/** A subscription item as previewed: its id (none for a new one) and what it bills. */
interface PreviewItem extends Billed {
  id: string | null;
  taxRates: Json;
}

/** The preview's subscription parameters, in either form (`subscription_x` or `subscription_details[x]`). */
function detailsOf(params: JsonObject): JsonObject {
  const details = isObject(params.subscription_details) ? params.subscription_details : {};
  const pick = (name: string): Json | undefined => params[`subscription_${name}`] ?? details[name];
  const out: JsonObject = {};
  for (const name of [
    'items',
    'proration_date',
    'proration_behavior',
    'cancel_at',
    'cancel_at_period_end',
    'cancel_now',
    'trial_end',
    'default_tax_rates',
  ]) {
    const value = pick(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The price a previewed item names (`price`, or legacy `plan`). */
function previewPrice(ctx: Ctx, item: JsonObject, param: string): JsonObject | undefined {
  const id =
    typeof item.price === 'string' ? item.price : typeof item.plan === 'string' ? item.plan : undefined;
  if (id === undefined) return undefined;
  const price = findPrice(ctx, id);
  if (!price)
    throw invalidRequest(`No such price: '${id}'`, { code: 'resource_missing', param: `${param}[price]` });
  return price.data;
}

/** The items after the previewed changes, and each change as a before/after pair. */
function applyItems(
  ctx: Ctx,
  current: PreviewItem[],
  changes: Json | undefined,
): { items: PreviewItem[]; changed: [Billed | undefined, Billed | undefined][] } {
  const items = [...current];
  const changed: [Billed | undefined, Billed | undefined][] = [];
  if (!Array.isArray(changes)) return { items, changed };
  changes.forEach((change, i) => {
    if (!isObject(change)) return;
    const param = `subscription_items[${i}]`;
    const price = previewPrice(ctx, change, param);
    const at = typeof change.id === 'string' ? items.findIndex((item) => item.id === change.id) : -1;
    if (typeof change.id === 'string' && at < 0)
      throw invalidRequest(`No such subscription item: '${change.id}'`, {
        code: 'resource_missing',
        param: `${param}[id]`,
      });
    const before = at >= 0 ? items[at] : undefined;
    if (before && change.deleted === true) {
      items.splice(at, 1);
      changed.push([before, undefined]);
      return;
    }
    const after: PreviewItem = {
      id: before?.id ?? null,
      taxRates: taxRatesParam(ctx, change.tax_rates, `${param}[tax_rates]`) ?? before?.taxRates ?? [],
      price: price ?? before?.price ?? {},
      quantity: typeof change.quantity === 'number' ? change.quantity : (before?.quantity ?? 1),
    };
    if (before) items[at] = after;
    else items.push(after);
    changed.push([before, after]);
  });
  // The items previewed are a subscription's: Stripe refuses them as it would the subscription's.
  requireOneCycleOf(
    items.map((item) => item.price),
    'subscription_items',
  );
  return { items, changed };
}

/** A period's `subscription` line for an item. */
function renewalLine(
  ctx: Ctx,
  item: PreviewItem,
  subscription: string | null,
  start: number,
  index: number,
): JsonObject {
  const recurring = isObject(item.price.recurring) ? item.price.recurring : {};
  const end = addInterval(
    start,
    String(recurring.interval ?? 'month'),
    Number(recurring.interval_count ?? 1),
  );
  return lineData(ctx, null, {
    id: previewLineId(item.id ?? `si_new${index}`),
    amount: priceAmount(item.price, item.quantity),
    currency: item.price.currency ?? 'usd',
    period: period(start, end),
    price: item.price,
    quantity: item.quantity,
    subscription,
    subscription_item: item.id,
    tax_rates: item.taxRates,
    type: 'subscription',
    unit_amount_excluding_tax: unitAmountDecimal(item.price, item.quantity),
  });
}

/** The customer's subscription that renews first: the one whose next invoice comes first. */
function nextRenewing(ctx: Ctx, customer: Entry): Entry | undefined {
  return ctx
    .children(customer, ['subscription'])
    .filter((s) => RENEWING.includes(String(s.data.status)) && s.data.cancel_at_period_end !== true)
    .sort((a, b) => Number(a.data.current_period_end) - Number(b.data.current_period_end))[0];
}

/**
 * When a trialing subscription's trial ends as previewed (`trial_end`: a time, or `now`): its
 * renewal starts then. Undefined when no trial end is previewed, or the subscription is not in one.
 */
function trialEnd(ctx: Ctx, subscription: Entry, previewed: Json | undefined): number | undefined {
  if (subscription.data.status !== 'trialing') return undefined;
  if (previewed === 'now') return ctx.now;
  return typeof previewed === 'number' ? previewed : undefined;
}

/**
 * When a trial previewed on an active subscription (`trial_end`, a time to come) ends: it starts
 * now, as an update's would, and the subscription renews at its end.
 */
function startedTrial(subscription: Entry, previewed: Json | undefined, now: number): number | undefined {
  return subscription.data.status === 'active' && typeof previewed === 'number' && previewed > now
    ? previewed
    : undefined;
}

export function upcomingInvoice(ctx: Ctx, params: JsonObject): JsonObject {
  if (typeof params.customer !== 'string' && typeof params.subscription !== 'string') {
    throw invalidRequest('Missing required param: customer.', {
      code: 'parameter_missing',
      param: 'customer',
    });
  }
  const named =
    typeof params.subscription === 'string'
      ? ctx.require(params.subscription, ['subscription'], 'subscription', 400)
      : undefined;
  const customer = ctx.require(
    String(params.customer ?? named?.data.customer),
    ['customer'],
    'customer',
    400,
  );
  // A test clock's customer is previewed at the clock's time: its periods, prorations and attempt.
  const time = clockTime(ctx, customer.data.test_clock);
  return time === undefined
    ? preview(ctx, params, customer, named)
    : ctx.at(time, () => preview(ctx, params, customer, named));
}

/** The preview of `customer`'s next invoice (of the `named` subscription, if one is), at `ctx.now`. */
function preview(ctx: Ctx, params: JsonObject, customer: Entry, named: Entry | undefined): JsonObject {
  const details = detailsOf(params);
  const subscription = named ?? (details.items === undefined ? nextRenewing(ctx, customer) : undefined);
  const lines: JsonObject[] = [];
  let periodStart = ctx.now;
  let periodEnd = ctx.now;
  if (subscription) {
    const current: PreviewItem[] = ctx
      .children(subscription, ['subscription_item'])
      .reverse()
      .map((item) => ({
        id: item.id,
        price: isObject(item.data.price) ? item.data.price : {},
        quantity: Number(item.data.quantity ?? 1),
        taxRates: item.data.tax_rates ?? [],
      }));
    const { items, changed } = applyItems(ctx, current, details.items);
    const start = Number(subscription.data.current_period_start ?? ctx.now);
    const end = Number(subscription.data.current_period_end ?? ctx.now);
    // A previewed `cancel_at` within the period credits the items' time after it, when prorating.
    const cancelAt = details.cancel_at === '' ? null : (details.cancel_at ?? subscription.data.cancel_at);
    const trial = startedTrial(subscription, details.trial_end, ctx.now);
    if (details.proration_behavior !== 'none' && subscription.data.status === 'active') {
      const at = typeof details.proration_date === 'number' ? details.proration_date : ctx.now;
      // A trial started credits the items' unused time; changed ones bill from its end.
      const pairs: [Billed | undefined, Billed | undefined][] = trial
        ? current.map((item) => [item, undefined])
        : changed;
      const changes = pairs.map(([before, after]) => ({ before, after, at }));
      if (typeof details.cancel_at === 'number')
        for (const item of items) changes.push({ before: item, after: undefined, at: details.cancel_at });
      for (const change of changes)
        for (const proration of prorations(ctx, { start, end }, change.before, change.after, change.at))
          lines.push(
            lineData(ctx, null, {
              id: previewLineId(`pr_${lines.length}${subscription.id}`),
              amount: proration.amount,
              currency: proration.price.currency ?? 'usd',
              description: proration.description,
              period: proration.period,
              price: proration.price,
              proration: true,
              quantity: proration.quantity,
              subscription: subscription.id,
              tax_rates: proration.taxRates ?? [],
            }),
          );
    }
    const cancels =
      details.cancel_now === true ||
      (details.cancel_at_period_end ?? subscription.data.cancel_at_period_end) === true ||
      (typeof cancelAt === 'number' && cancelAt <= end);
    const renewsAt = trial ?? trialEnd(ctx, subscription, details.trial_end) ?? end;
    if (RENEWING.includes(String(subscription.data.status)) && !cancels)
      items.forEach((item, i) => {
        lines.push(renewalLine(ctx, item, subscription.id, renewsAt, i));
      });
    // The renewal is invoiced when the current period (or the trial) ends, for the items pending until then.
    periodStart = start;
    periodEnd = renewsAt;
  } else if (Array.isArray(details.items)) {
    applyItems(ctx, [], details.items).items.forEach((item, i) => {
      lines.push(renewalLine(ctx, item, null, ctx.now, i));
    });
  }
  for (const item of ctx.children(customer, ['invoiceitem']).reverse())
    if (!item.data.invoice && (!item.data.subscription || item.data.subscription === subscription?.id))
      lines.push(itemLine(ctx, null, item));
  if (lines.length === 0)
    throw invalidRequest(`No upcoming invoices for customer: ${customer.id}`, {
      code: 'invoice_upcoming_none',
    });
  const fields: JsonObject = {
    ...invoiceDefaults(ctx, customer),
    billing_reason: subscription ? 'upcoming' : 'manual',
    created: ctx.now,
    customer: customer.id,
    default_tax_rates:
      taxRatesParam(ctx, details.default_tax_rates, 'subscription_default_tax_rates') ??
      subscription?.data.default_tax_rates ??
      [],
    subscription: subscription?.id ?? null,
    test_clock: customer.data.test_clock ?? null,
  };
  // Discounted and taxed as the invoice will be (money/invoice-lines.ts): by the `coupon` or
  // `discounts` previewed (redeeming nothing; `discounts=''` for none), else as it inherits them.
  const owner = { customer: customer.id, ...(subscription ? { subscription: subscription.id } : {}) };
  const asked = discountFor(ctx, params, owner, { preview: true });
  const discount =
    asked === undefined
      ? invoiceDiscount(ctx, { id: 'upcoming', key: 'upcoming', resource: 'invoice', seq: 0, data: fields })
      : isObject(asked)
        ? asked
        : undefined;
  const defaults = Array.isArray(fields.default_tax_rates) ? fields.default_tax_rates.filter(isObject) : [];
  // Taxed automatically when previewed so (`automatic_tax`), else as its subscription is.
  const taxing = isObject(params.automatic_tax) ? params.automatic_tax : subscription?.data.automatic_tax;
  const automatic = automaticTax(ctx, {
    automatic_tax: isObject(taxing)
      ? { ...taxing, enabled: taxing.enabled === true || taxing.enabled === 'true' }
      : null,
    customer: customer.id,
  });
  if (automatic) fields.automatic_tax = automatic.fields;
  const priced = priceLines(lines, automatic?.taxes ?? byRates(defaults), discount, fields.currency);
  const applied = priced.off > 0 ? discount : undefined;
  const totals = lineTotals(priced.lines, priced.off);
  const balance = Number(customer.data.balance ?? 0);
  const due = Math.max(0, Number(totals.total) + balance);
  const { id: _, ...computed } = ctx.build('invoice', {
    ...fields,
    ...totals,
    ...discountFields(applied ?? null),
    amount_due: due,
    amount_remaining: due,
    lines: {
      object: 'list',
      data: priced.lines,
      has_more: false,
      url: `/v1/invoices/upcoming/lines?customer=${customer.id}`,
    },
    next_payment_attempt: periodEnd,
    period_end: periodEnd,
    period_start: periodStart,
    starting_balance: balance,
    total_discount_amounts: applied ? [{ amount: priced.off, discount: String(applied.id) }] : [],
  });
  return computed;
}
