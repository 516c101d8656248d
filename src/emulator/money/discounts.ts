/**
 * Discounts: `coupon=` or `promotion_code=` on a customer or subscription applies the coupon as a
 * `discount` (with its end for `repeating` coupons) and counts a redemption; `coupon=''` removes it.
 * An invoice takes its subscription's discount, else its customer's (`once` only on the first
 * invoice it could apply to, `repeating` until its end): a percentage of the discountable lines or
 * an amount off in the invoice's currency, never more than they come to.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';
import { addInterval } from './periods.ts';

/** The discount `params` ask for on `owner` (a customer or subscription), or undefined to leave it. */
export function discountFor(
  ctx: Ctx,
  params: JsonObject,
  owner: { customer: string; subscription?: string },
): Json | undefined {
  if (params.coupon === '' || params.promotion_code === '') return null;
  let couponId = typeof params.coupon === 'string' ? params.coupon : undefined;
  let promotion: string | null = null;
  if (typeof params.promotion_code === 'string') {
    const code = ctx.require(params.promotion_code, ['promotion_code'], 'promotion_code', 400);
    if (code.data.active !== true)
      throw invalidRequest(`This promotion code is not active: ${code.id}`, { param: 'promotion_code' });
    promotion = code.id;
    ctx.set(code, { times_redeemed: Number(code.data.times_redeemed ?? 0) + 1 });
    couponId = String((code.data.coupon as JsonObject).id);
  }
  if (!couponId) return undefined;
  const coupon = ctx.require(couponId, ['coupon'], params.coupon ? 'coupon' : 'promotion_code', 400);
  if (coupon.data.valid !== true) throw invalidRequest(`Coupon expired: ${coupon.id}`, { param: 'coupon' });
  const redeemed = ctx.set(coupon, { times_redeemed: Number(coupon.data.times_redeemed ?? 0) + 1 });
  // The promotion code shows its coupon as it is now.
  if (promotion) {
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
    invoice: null,
    invoice_item: null,
    promotion_code: promotion,
    start: ctx.now,
    subscription: owner.subscription ?? null,
  };
}

/** The discount an invoice gets from its subscription or customer, if one applies to it. */
export function invoiceDiscount(ctx: Ctx, invoice: Entry): JsonObject | undefined {
  const data = invoice.data;
  const subscription =
    typeof data.subscription === 'string' ? ctx.find(data.subscription, ['subscription']) : undefined;
  const customer = typeof data.customer === 'string' ? ctx.find(data.customer, ['customer']) : undefined;
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
