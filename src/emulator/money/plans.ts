/**
 * Plans and prices are one store, as in Stripe's API: a plan is a recurring price seen through the
 * older API. `GET /v1/prices/<plan id>` answers the plan as a price, `GET /v1/plans/<price id>` a
 * recurring price as a plan, and objects that embed a recurring price (subscription items, invoice
 * lines) carry its plan form beside it.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';

const str = (value: Json | undefined): Json => value ?? null;

/** The plan form of a recurring price; null for a one-time price. */
export function planOfPrice(price: Json | undefined): Json {
  if (!isObject(price) || !isObject(price.recurring)) return null;
  const recurring = price.recurring;
  return {
    id: str(price.id),
    object: 'plan',
    active: price.active ?? true,
    aggregate_usage: str(recurring.aggregate_usage),
    amount: str(price.unit_amount),
    amount_decimal: str(price.unit_amount_decimal),
    billing_scheme: price.billing_scheme ?? 'per_unit',
    created: str(price.created),
    currency: str(price.currency),
    interval: str(recurring.interval),
    interval_count: recurring.interval_count ?? 1,
    livemode: price.livemode ?? false,
    metadata: price.metadata ?? {},
    meter: str(recurring.meter),
    nickname: str(price.nickname),
    product: str(price.product),
    tiers_mode: str(price.tiers_mode),
    transform_usage: isObject(price.transform_quantity)
      ? { divide_by: price.transform_quantity.divide_by ?? 1, round: price.transform_quantity.round ?? 'up' }
      : null,
    trial_period_days: str(recurring.trial_period_days),
    usage_type: recurring.usage_type ?? 'licensed',
    ...(price.tiers !== undefined ? { tiers: price.tiers } : {}),
  };
}

/** The price form of a plan. */
export function priceOfPlan(plan: JsonObject): JsonObject {
  return {
    id: str(plan.id),
    object: 'price',
    active: plan.active ?? true,
    billing_scheme: plan.billing_scheme ?? 'per_unit',
    created: str(plan.created),
    currency: str(plan.currency),
    custom_unit_amount: null,
    livemode: plan.livemode ?? false,
    lookup_key: null,
    metadata: plan.metadata ?? {},
    nickname: str(plan.nickname),
    product: str(plan.product),
    recurring: {
      aggregate_usage: str(plan.aggregate_usage),
      interval: str(plan.interval),
      interval_count: plan.interval_count ?? 1,
      meter: str(plan.meter),
      trial_period_days: str(plan.trial_period_days),
      usage_type: plan.usage_type ?? 'licensed',
    },
    tax_behavior: 'unspecified',
    tiers_mode: str(plan.tiers_mode),
    transform_quantity: isObject(plan.transform_usage)
      ? { divide_by: plan.transform_usage.divide_by ?? 1, round: plan.transform_usage.round ?? 'up' }
      : null,
    type: 'recurring',
    unit_amount: str(plan.amount),
    unit_amount_decimal: str(plan.amount_decimal),
    ...(plan.tiers !== undefined ? { tiers: plan.tiers } : {}),
  };
}

const VIEW = 'view:';

/** A view (not stored, under a key of its own) of another resource's entry as `resource`. */
function view(entry: Entry, resource: string, data: JsonObject): Entry {
  return { key: `${VIEW}${resource}:${entry.key}`, id: entry.id, resource, seq: entry.seq, data };
}

/** Whether an entry is such a view: a write must go through the API of the stored object. */
export const isView = (entry: Entry): boolean => entry.key.startsWith(VIEW);

/** `GET /v1/prices/<plan id>`: the plan as a price. */
export function priceFromPlan(ctx: Ctx, id: string): Entry | undefined {
  const plan = ctx.find(id, ['plan']);
  return plan ? view(plan, 'price', priceOfPlan(plan.data)) : undefined;
}

/**
 * The price an id names: a stored price, or a plan seen as one. Stripe takes a plan's id wherever it
 * takes a price's (a subscription's, a schedule phase's or a quote's items, an invoice item, a
 * Checkout line), as plans and prices are one store.
 */
export function findPrice(ctx: Ctx, id: string): Entry | undefined {
  return ctx.find(id, ['price']) ?? priceFromPlan(ctx, id);
}

/** Like `findPrice`; none is Stripe's `No such price` for `param` (400: a body parameter's). */
export function requirePrice(ctx: Ctx, id: string, param: string, status = 400): Entry {
  return findPrice(ctx, id) ?? ctx.require(id, ['price'], param, status);
}

/**
 * The requests billing prices an object of Stripe's already holds (a completed Checkout Session's
 * lines, an accepted quote's, a schedule's phases): its own inline prices, archived from the start
 * (rules/catalog.ts `createPrice`), are billed all the same.
 */
const billingHeld = new WeakSet<Ctx>();

/** Runs `run` billing prices an object already holds, archived ones included (`requireActive`). */
export function billHeldPrices<T>(ctx: Ctx, run: () => T): T {
  if (billingHeld.has(ctx)) return run();
  billingHeld.add(ctx);
  try {
    return run();
  } finally {
    billingHeld.delete(ctx);
  }
}

/**
 * Refuses an archived price (`active: false`) where a new subscription item or invoice item takes
 * one, unless Stripe bills a price an object already holds (`billHeldPrices`).
 */
export function requireActive(ctx: Ctx, price: Entry, param: string): Entry {
  if (price.data.active === false && !billingHeld.has(ctx))
    throw invalidRequest('The price specified is inactive. This field only accepts active prices.', {
      param,
    });
  return price;
}

/** `GET /v1/plans/<price id>`: a recurring price as a plan. */
export function planFromPrice(ctx: Ctx, id: string): Entry | undefined {
  const price = ctx.find(id, ['price']);
  const plan = price ? planOfPrice(price.data) : null;
  return price && isObject(plan) ? view(price, 'plan', plan) : undefined;
}

/**
 * What sets recurring prices apart so they cannot bill on one invoice per period: `currency`, or
 * `interval` (the unit or its count); undefined when they all share both. A subscription's items,
 * and a schedule phase's, bill together, so Stripe refuses prices that differ (API 2024-04-10 has
 * no mixed-interval subscriptions).
 */
export function cycleMismatch(prices: readonly (Json | undefined)[]): 'currency' | 'interval' | undefined {
  const [first, ...rest] = prices.filter(isObject);
  if (!first) return undefined;
  const cycle = (price: JsonObject) => {
    const recurring = isObject(price.recurring) ? price.recurring : {};
    return `${recurring.interval ?? 'month'}/${recurring.interval_count ?? 1}`;
  };
  if (rest.some((price) => price.currency !== first.currency)) return 'currency';
  if (rest.some((price) => cycle(price) !== cycle(first))) return 'interval';
  return undefined;
}

/** Refuses recurring `prices` that could not bill as one subscription's items (`cycleMismatch`). */
export function requireOneCycleOf(prices: readonly (Json | undefined)[], param: string): void {
  const mismatch = cycleMismatch(prices);
  if (mismatch)
    throw invalidRequest(
      `Currency and interval fields must match across all plans on this subscription. Found mismatch in ${mismatch} field.`,
      { param },
    );
}
