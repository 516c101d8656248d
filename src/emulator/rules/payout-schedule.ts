/**
 * Automatic payouts: an account whose `settings.payouts.schedule.interval` is `daily`, `weekly` or
 * `monthly` is paid out by Stripe, as time passes (rules/time.ts), on each day its schedule names:
 * every day, its `weekly_anchor` weekday (Monday unless set), or its `monthly_anchor` day of the
 * month (the 1st unless set; a month's last day when it has fewer days). Each payout takes all that
 * is available in a currency the account has an external account for, made at the day's start (UTC)
 * with `automatic: true`, and is paid on its arrival date as a manual one is. A new Custom or
 * Express account is on Stripe's default daily schedule (money/settlement.ts); an account with no
 * schedule (the demo's, the emulator's platform) or a `manual` one is paid out only on request.
 */
import type { Ctx } from '../engine/context.ts';
import { ErrorReply } from '../engine/errors.ts';
import { isObject, type JsonObject } from '../engine/json.ts';
import { balanceOf } from '../money/ledger.ts';
import { DAY } from '../money/periods.ts';
import { scheduleOf } from '../money/settlement.ts';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** The payout schedule of the account whose scope `ctx` is in, when it pays out automatically. */
function automaticSchedule(ctx: Ctx): JsonObject | undefined {
  const schedule = scheduleOf(ctx, ctx.scope);
  return ['daily', 'weekly', 'monthly'].includes(String(schedule.interval)) ? schedule : undefined;
}

/** Whether the day starting at `day` (a UTC midnight) is one `schedule` pays out on. */
function paysOutOn(schedule: JsonObject, day: number): boolean {
  const date = new Date(day * 1000);
  if (schedule.interval === 'weekly')
    return WEEKDAYS[date.getUTCDay()] === String(schedule.weekly_anchor ?? 'monday');
  if (schedule.interval === 'monthly') {
    const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    return date.getUTCDate() === Math.min(Number(schedule.monthly_anchor ?? 1), last);
  }
  return true;
}

/** Makes the account's automatic payouts of the days that start after `from` and by `to`. */
export function payOutOnSchedule(ctx: Ctx, from: number, to: number): void {
  const schedule = automaticSchedule(ctx);
  if (!schedule) return;
  for (let day = Math.floor(from / DAY) * DAY + DAY; day <= to; day += DAY)
    if (paysOutOn(schedule, day)) ctx.at(day, () => payOutAvailable(ctx));
}

/** A payout of each currency's available balance (those the account has somewhere to send to). */
function payOutAvailable(ctx: Ctx): void {
  const available = balanceOf(ctx).available;
  for (const { amount, currency } of Array.isArray(available) ? available.filter(isObject) : []) {
    if (!(Number(amount) > 0)) continue;
    try {
      const payout = ctx.ops.createResource(ctx, 'payout', {
        amount: Number(amount),
        currency: String(currency),
      });
      ctx.set(payout, { automatic: true });
    } catch (error) {
      // No external account for the currency: Stripe keeps the money until there is one.
      if (!(error instanceof ErrorReply) || error.type !== 'invalid_request_error') throw error;
    }
  }
}
