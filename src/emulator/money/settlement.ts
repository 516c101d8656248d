/**
 * An account's payout schedule (`settings.payouts.schedule`): how many days its charges' funds are
 * held before they are available (`delay_days`, money/ledger.ts), and how often Stripe pays out what
 * is available (`interval`, rules/payout-schedule.ts).
 *
 * - A new Custom or Express account gets Stripe's default: paid out `daily`, its charges held the
 *   minimum for its country (the `minimum` a schedule's `delay_days` may also be set to).
 * - An account with no schedule (the emulator's platform, the demo's) holds its charges that
 *   minimum too, and is paid out only on request.
 * - Stripe's minimum is 2 days for a US account. Other countries' minimums vary (with the
 *   country and the industry) and are not modelled: every account's is the US one.
 */
import type { Ctx } from '../engine/context.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Entry, Scope } from '../engine/store.ts';
import { PLATFORM_ACCOUNT_KEY } from '../engine/store.ts';
import { DAY } from './periods.ts';

/** The fewest days Stripe holds a (US) account's charge funds: its default `delay_days`. */
export const MINIMUM_DELAY_DAYS = 2;

/** The account whose balance `scope` holds: a connected account, or the platform's own. */
export function accountOf(ctx: Ctx, scope: Scope): Entry | undefined {
  return scope.account ? ctx.store.platform.find(scope.account) : scope.get(PLATFORM_ACCOUNT_KEY);
}

/** The payout schedule of the account whose balance `scope` holds (empty when it has none). */
export function scheduleOf(ctx: Ctx, scope: Scope): JsonObject {
  const settings = accountOf(ctx, scope)?.data.settings;
  const payouts = isObject(settings) && isObject(settings.payouts) ? settings.payouts : {};
  return isObject(payouts.schedule) ? payouts.schedule : {};
}

/** Seconds a charge's funds are held in `scope`'s balance before they are available. */
export function chargeFundsDelay(ctx: Ctx, scope: Scope): number {
  const days = scheduleOf(ctx, scope).delay_days;
  return (typeof days === 'number' ? days : MINIMUM_DELAY_DAYS) * DAY;
}

/** A schedule's anchors, but the one its `interval` has no use for (Stripe shows only its own). */
function anchored(schedule: JsonObject, interval: string): JsonObject {
  const { weekly_anchor: weekly, monthly_anchor: monthly, ...rest } = schedule;
  return {
    ...rest,
    ...(interval === 'weekly' && weekly !== undefined ? { weekly_anchor: weekly } : {}),
    ...(interval === 'monthly' && monthly !== undefined ? { monthly_anchor: monthly } : {}),
  };
}

/** A `delay_days` param's days: a number as given, else (`minimum`, or none) `fallback`. */
function delayDays(param: Json | undefined, fallback: number): number {
  if (typeof param === 'number') return param;
  if (typeof param === 'string' && param !== 'minimum' && Number.isFinite(Number(param)))
    return Number(param);
  return param === 'minimum' ? MINIMUM_DELAY_DAYS : fallback;
}

/**
 * An account's settings once its params (`given`) are applied to them (`settings`): a schedule
 * asked for resolved (`interval` daily and `delay_days` the minimum unless given; `minimum` is
 * that number), and a new Custom or Express account (`created`, its type) given Stripe's default
 * schedule. An update's schedule keeps the `delay_days` it had unless given.
 */
export function payoutSettings(
  ctx: Ctx,
  settings: Json | undefined,
  given: Json | undefined,
  created?: { type: string },
): Json {
  const asked = isObject(given) && isObject(given.payouts) ? given.payouts : {};
  const askedSchedule = isObject(asked.schedule) ? asked.schedule : undefined;
  const byDefault = created !== undefined && ['custom', 'express'].includes(created.type);
  if (!byDefault && !askedSchedule) return settings ?? null;
  const base = isObject(settings) ? settings : {};
  const payouts = isObject(base.payouts) ? base.payouts : {};
  const had = isObject(payouts.schedule) ? payouts.schedule : {};
  const kept =
    created === undefined && typeof had.delay_days === 'number' ? had.delay_days : MINIMUM_DELAY_DAYS;
  // An interval not given is built empty from the params: the one it had, else daily.
  const interval =
    [askedSchedule?.interval, had.interval].find((value) => typeof value === 'string' && value !== '') ??
    'daily';
  const negative =
    typeof asked.debit_negative_balances === 'boolean'
      ? asked.debit_negative_balances
      : created
        ? created.type !== 'custom'
        : (payouts.debit_negative_balances ?? false);
  return ctx.sub('account_settings', {
    ...base,
    payouts: ctx.sub('account_payout_settings', {
      statement_descriptor: null,
      ...payouts,
      debit_negative_balances: negative,
      schedule: ctx.sub('transfer_schedule', {
        ...anchored(had, String(interval)),
        interval,
        delay_days: delayDays(askedSchedule?.delay_days, kept),
      }),
    }),
  });
}
