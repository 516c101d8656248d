/**
 * Discounts: `coupon=` or `promotion_code=` on a customer or subscription applies the coupon as a
 * `discount` (with its end for `repeating` coupons) and counts a redemption; `coupon=''` removes it.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import type { Json, JsonObject } from '../engine/json.ts';
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
