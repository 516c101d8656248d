/**
 * Products, prices, plans, coupons, promotion codes and tax rates.
 *
 * - A price is billed by an amount (`unit_amount`, `unit_amount_decimal` or `custom_unit_amount`),
 *   or, `billing_scheme=tiered`, by its `tiers` and `tiers_mode`; one without is refused.
 * - A price is `recurring` when it has `recurring`, else `one_time`; `product_data` creates its
 *   product; recurring details get Stripe's defaults (`interval_count` 1, `licensed`); its amounts,
 *   its tiers' too, read as decimals as well; a lookup key is one price's (`transfer_lookup_key`
 *   moves it).
 * - A product's `default_price_data` creates its default price; `updated` follows changes; a
 *   product with prices cannot be deleted. A price made inline (`price_data` on another object) is
 *   created archived, that object's alone (`createPrice`).
 * - A coupon needs `percent_off` or `amount_off` (with `currency`); a promotion code embeds its
 *   coupon and gets an upper-case code unless given one; an active code is unique.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest, missingParameter } from '../engine/errors.ts';
import { isObject, type JsonObject, nullUnlessSet } from '../engine/json.ts';
import type { ResourceRules, RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { isView, planFromPrice, priceFromPlan } from '../money/plans.ts';

/** Recurring details with Stripe's defaults. */
function recurringOf(ctx: Ctx, recurring: JsonObject): JsonObject {
  return ctx.sub('recurring', {
    aggregate_usage: null,
    interval_count: 1,
    meter: null,
    trial_period_days: null,
    usage_type: 'licensed',
    ...recurring,
  });
}

/**
 * A price tier as Stripe answers it: each amount given also as its decimal string (`unit_amount: 500`
 * reads `unit_amount_decimal: "500"`, as a price's own amount does), a whole decimal also as its
 * amount, and what was not given null.
 */
function tierOf(tier: JsonObject): JsonObject {
  const out: JsonObject = {
    flat_amount: null,
    flat_amount_decimal: null,
    unit_amount: null,
    unit_amount_decimal: null,
    ...tier,
  };
  for (const amount of ['flat_amount', 'unit_amount']) {
    const decimal = `${amount}_decimal`;
    if (typeof out[amount] === 'number') out[decimal] = String(out[amount]);
    else if (typeof out[decimal] === 'string' && /^\d+$/.test(out[decimal]))
      out[amount] = Number(out[decimal]);
  }
  return out;
}

/**
 * What a price is billed by, as Stripe requires it: a tiered price its `tiers` and `tiers_mode`;
 * any other an amount (`unit_amount`, `unit_amount_decimal` or `custom_unit_amount`), and no tiers.
 */
function requirePricing(params: JsonObject): void {
  if (params.billing_scheme === 'tiered') {
    for (const name of ['tiers', 'tiers_mode']) if (params[name] === undefined) throw missingParameter(name);
    return;
  }
  if (params.tiers !== undefined)
    throw invalidRequest('`tiers` can only be given with `billing_scheme=tiered`.', { param: 'tiers' });
  if (
    ['unit_amount', 'unit_amount_decimal', 'custom_unit_amount'].every((name) => params[name] === undefined)
  )
    throw missingParameter('unit_amount');
}

/**
 * A price made inline from `price_data` (a subscription's or a schedule's item, an invoice item, a
 * Checkout or quote line): archived from the start (`active: false`), as Stripe makes them, so no
 * other object can take it (money/plans.ts `requireActive`).
 */
export function createPrice(ctx: Ctx, params: JsonObject): Entry {
  return ctx.ops.createResource(ctx, 'price', { ...params, active: false });
}

/**
 * Gives price `id` the lookup key `key`, one price's at a time: a price that holds it already
 * refuses it, unless `transfer_lookup_key` moves it from that price.
 */
function claimLookupKey(ctx: Ctx, id: string, key: unknown, transfer: unknown): void {
  if (typeof key !== 'string' || key === '') return;
  for (const other of ctx.scope.all('price')) {
    if (other.id === id || other.data.lookup_key !== key) continue;
    if (transfer !== true)
      throw invalidRequest(`A price (\`${other.id}\`) already uses that lookup key.`, {
        param: 'lookup_key',
      });
    ctx.set(other, { lookup_key: null });
  }
}

/**
 * A price and a plan are views of one another (money/plans.ts): an id of either type resolves as
 * the other (`view`), and an object is updated through the type it was created as.
 */
function viewRules(
  name: 'Price' | 'Plan',
  other: 'plan' | 'price',
  view: (ctx: Ctx, id: string) => Entry | undefined,
): Pick<ResourceRules, 'view' | 'beforeUpdate'> {
  return {
    view: (ctx, id) => view(ctx, id),
    beforeUpdate(_ctx, _draft, _params, entry) {
      if (isView(entry))
        throw invalidRequest(
          `${name} ${entry.id} is a ${other}: update it with POST /v1/${other}s/${entry.id}.`,
        );
    },
  };
}

const priceViewRules = viewRules('Price', 'plan', priceFromPlan);

export const catalogRules: RuleBook = {
  product: {
    beforeCreate(ctx, draft) {
      nullUnlessSet(draft, [
        'default_price',
        'description',
        'package_dimensions',
        'shippable',
        'statement_descriptor',
        'tax_code',
        'unit_label',
        'url',
      ]);
      draft.updated = ctx.now;
    },
    afterCreate(ctx, entry, { params }) {
      if (!isObject(params.default_price_data)) return;
      // The product's own price, for sale as any other: not an inline one.
      const price = ctx.ops.createResource(ctx, 'price', { ...params.default_price_data, product: entry.id });
      ctx.set(entry, { default_price: price.id });
    },
    beforeUpdate(ctx, draft) {
      draft.updated = ctx.now;
    },
    beforeDelete(ctx, entry) {
      if (
        ctx.scope.referencing(entry.id).some((e) => e.resource === 'price' && e.data.product === entry.id)
      ) {
        throw invalidRequest(
          'This product cannot be deleted because it has one or more user-created prices.',
          {
            code: 'resource_in_use',
          },
        );
      }
    },
  },
  price: {
    ...priceViewRules,
    beforeCreate(ctx, draft, { params }) {
      if (isObject(params.product_data)) {
        const product = ctx.ops.createResource(ctx, 'product', params.product_data);
        draft.product = product.id;
      } else if (typeof params.product !== 'string') {
        throw invalidRequest('You must specify either `product` or `product_data` when creating a price.', {
          code: 'parameter_missing',
          param: 'product',
        });
      }
      requirePricing(params);
      if (isObject(params.recurring)) {
        draft.type = 'recurring';
        draft.recurring = recurringOf(ctx, params.recurring);
      } else draft.recurring = null;
      if (typeof draft.unit_amount === 'number') draft.unit_amount_decimal = String(draft.unit_amount);
      else if (typeof params.unit_amount_decimal === 'string')
        draft.unit_amount = Math.round(Number(params.unit_amount_decimal));
      if (Array.isArray(draft.tiers)) draft.tiers = draft.tiers.map((t) => (isObject(t) ? tierOf(t) : t));
      nullUnlessSet(draft, [
        'custom_unit_amount',
        'lookup_key',
        'nickname',
        'tiers_mode',
        'transform_quantity',
        'unit_amount',
        'unit_amount_decimal',
      ]);
      claimLookupKey(ctx, String(draft.id), params.lookup_key, params.transfer_lookup_key);
    },
    beforeUpdate(ctx, draft, params, entry) {
      priceViewRules.beforeUpdate?.(ctx, draft, params, entry);
      claimLookupKey(ctx, entry.id, params.lookup_key, params.transfer_lookup_key);
    },
  },
  plan: {
    ...viewRules('Plan', 'price', planFromPrice),
    beforeCreate(ctx, draft, { params }) {
      if (isObject(params.product)) draft.product = ctx.ops.createResource(ctx, 'product', params.product).id;
      else if (typeof params.product !== 'string') {
        throw invalidRequest('Missing required param: product.', {
          code: 'parameter_missing',
          param: 'product',
        });
      }
      if (typeof draft.amount === 'number') draft.amount_decimal = String(draft.amount);
      if (!params.interval_count) draft.interval_count = 1;
      nullUnlessSet(draft, [
        'aggregate_usage',
        'amount',
        'amount_decimal',
        'meter',
        'nickname',
        'tiers_mode',
        'transform_usage',
        'trial_period_days',
      ]);
    },
  },
  coupon: {
    beforeCreate(_ctx, draft, { params }) {
      if (params.percent_off === undefined && params.amount_off === undefined) {
        throw invalidRequest('Coupons require either amount_off or percent_off.', { param: 'percent_off' });
      }
      if (params.amount_off !== undefined && typeof params.currency !== 'string') {
        throw invalidRequest('You must pass currency when passing amount_off.', { param: 'currency' });
      }
      draft.duration = params.duration ?? 'once';
      nullUnlessSet(draft, [
        'amount_off',
        'currency',
        'duration_in_months',
        'max_redemptions',
        'name',
        'percent_off',
        'redeem_by',
      ]);
    },
  },
  promotion_code: {
    beforeCreate(ctx, draft, { params }) {
      const coupon = ctx.require(String(params.coupon), ['coupon'], 'coupon', 400);
      draft.coupon = coupon.data;
      const code = typeof params.code === 'string' && params.code !== '' ? params.code : ctx.random.upper(8);
      const taken = [...ctx.scope.all('promotion_code')].some(
        (e) => e.data.active === true && String(e.data.code).toUpperCase() === code.toUpperCase(),
      );
      if (taken)
        throw invalidRequest(`An active promotion code with \`code: ${code}\` already exists.`, {
          param: 'code',
        });
      draft.code = code;
      draft.restrictions = ctx.sub('promotion_codes_resource_restrictions', {
        first_time_transaction: false,
        minimum_amount: null,
        minimum_amount_currency: null,
        ...(isObject(draft.restrictions) ? draft.restrictions : {}),
      });
      nullUnlessSet(draft, ['customer', 'expires_at', 'max_redemptions']);
    },
  },
  tax_rate: {
    beforeCreate(_ctx, draft) {
      draft.effective_percentage = draft.percentage ?? null;
      nullUnlessSet(draft, [
        'country',
        'description',
        'jurisdiction',
        'jurisdiction_level',
        'state',
        'tax_type',
      ]);
    },
  },
};
