/**
 * Discounts: `discounts[0][coupon]=` (or `[promotion_code]`, or the deprecated `coupon=` and
 * `promotion_code=`) on a customer, subscription or invoice applies the coupon as a `discount`
 * (with its end for `repeating` coupons) and counts a redemption; `coupon=''` removes it.
 * An invoice takes its own discount, else its subscription's, else its customer's (`once` only on the first
 * invoice it could apply to, `repeating` until its end): a percentage of the discountable lines or
 * an amount off in the invoice's currency, never more than they come to.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';
import { addInterval } from './periods.ts';

/**
 * What `params` ask to redeem: `discounts[0]` (`{coupon}` or `{promotion_code}`, the current form;
 * one discount per object here), else the deprecated `coupon` or `promotion_code`; `discounts=''`
 * or `[]` asks for none.
 */
function redeeming(params: JsonObject): { asked: JsonObject; prefix: string } | null | undefined {
  if (params.discounts === '' || (Array.isArray(params.discounts) && params.discounts.length === 0))
    return null;
  const listed = Array.isArray(params.discounts) ? params.discounts[0] : undefined;
  if (isObject(listed)) return { asked: listed, prefix: 'discounts[0]' };
  if (params.coupon === '' || params.promotion_code === '') return null;
  return params.coupon !== undefined || params.promotion_code !== undefined
    ? { asked: params, prefix: '' }
    : undefined;
}

/** `param` under `prefix`: `coupon`, `discounts[0][coupon]`. */
const under = (prefix: string, param: string) => (prefix ? `${prefix}[${param}]` : param);

/**
 * The discount `params` ask for on `owner` (a customer, subscription or invoice), or undefined to
 * leave it. A `preview` (the upcoming invoice's) redeems nothing: the coupon and promotion code keep
 * their `times_redeemed`.
 */
export function discountFor(
  ctx: Ctx,
  params: JsonObject,
  owner: { customer: string; subscription?: string; invoice?: string },
  { preview = false } = {},
): Json | undefined {
  const wanted = redeeming(params);
  if (!wanted) return wanted;
  const { asked, prefix } = wanted;
  let couponId = typeof asked.coupon === 'string' ? asked.coupon : undefined;
  let promotion: string | null = null;
  if (typeof asked.promotion_code === 'string') {
    const param = under(prefix, 'promotion_code');
    const code = ctx.require(asked.promotion_code, ['promotion_code'], param, 400);
    if (code.data.active !== true)
      throw invalidRequest(`This promotion code is not active: ${code.id}`, { param });
    promotion = code.id;
    if (!preview) ctx.set(code, { times_redeemed: Number(code.data.times_redeemed ?? 0) + 1 });
    couponId = String((code.data.coupon as JsonObject).id);
  }
  if (!couponId) return undefined;
  const param = under(prefix, asked.coupon ? 'coupon' : 'promotion_code');
  const coupon = ctx.require(couponId, ['coupon'], param, 400);
  if (coupon.data.valid !== true) throw invalidRequest(`Coupon expired: ${coupon.id}`, { param });
  const redeemed = preview
    ? coupon
    : ctx.set(coupon, { times_redeemed: Number(coupon.data.times_redeemed ?? 0) + 1 });
  // The promotion code shows its coupon as it is now.
  if (promotion && !preview) {
    const code = ctx.find(promotion, ['promotion_code']);
    if (code) ctx.set(code, { coupon: redeemed.data });
  }
  const months = Number(coupon.data.duration_in_months ?? 0);
  return {
    id: `di_${ctx.random.string(24)}`,
    object: 'discount',
    checkout_session: null,
    coupon: redeemed.data,
    customer: owner.customer,
    end: coupon.data.duration === 'repeating' && months > 0 ? addInterval(ctx.now, 'month', months) : null,
    invoice: owner.invoice ?? null,
    invoice_item: null,
    promotion_code: promotion,
    start: ctx.now,
    subscription: owner.subscription ?? null,
  };
}

/** An object's `discount` (deprecated, its one discount) and `discounts` (their ids). */
export const discountFields = (discount: Json): JsonObject => ({
  discount,
  discounts: isObject(discount) ? [String(discount.id)] : [],
});

/** The discount an invoice gets from its subscription or customer, if one applies to it. */
export function invoiceDiscount(ctx: Ctx, invoice: Entry): JsonObject | undefined {
  const data = invoice.data;
  const subscription =
    typeof data.subscription === 'string' ? ctx.find(data.subscription, ['subscription']) : undefined;
  const customer = typeof data.customer === 'string' ? ctx.find(data.customer, ['customer']) : undefined;
  // The invoice's own discount first (`discounts` when it was created), then its subscription's.
  const own = isObject(data.discount) && data.discount.invoice === invoice.id ? data.discount : undefined;
  if (own) return own;
  const discount = [subscription?.data.discount, customer?.data.discount].find(isObject);
  if (!discount || !isObject(discount.coupon)) return undefined;
  const created = Number(data.created ?? ctx.now);
  if (typeof discount.end === 'number' && created >= discount.end) return undefined;
  if (discount.coupon.duration === 'once') {
    // Only the first invoice it could apply to: the subscription's first, or the customer's first since.
    if (subscription && discount.subscription === subscription.id)
      return data.billing_reason === 'subscription_create' ? discount : undefined;
    const earlier = ctx.scope
      .referencing(String(data.customer))
      .some(
        (e) =>
          e.resource === 'invoice' &&
          e.id !== invoice.id &&
          Array.isArray(e.data.total_discount_amounts) &&
          e.data.total_discount_amounts.some((d) => isObject(d) && d.discount === discount.id),
      );
    return earlier ? undefined : discount;
  }
  return discount;
}

/** What `discount` takes off `discountable` (in `currency`): a percentage, or an amount off. */
export function discountAmount(
  discount: JsonObject,
  discountable: number,
  currency: Json | undefined,
): number {
  const coupon = isObject(discount.coupon) ? discount.coupon : {};
  if (typeof coupon.percent_off === 'number') return Math.round((discountable * coupon.percent_off) / 100);
  if (typeof coupon.amount_off === 'number' && (coupon.currency ?? currency) === currency)
    return Math.min(coupon.amount_off, discountable);
  return 0;
}
