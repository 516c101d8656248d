/**
 * Billing periods: `start` plus a price's recurring interval, calendar-aware for months and years;
 * and the time they are counted at for a customer on a test clock, the clock's.
 */
import type { Ctx } from '../engine/context.ts';
import type { Json } from '../engine/json.ts';

export const DAY = 86_400;

/** `time` plus `days` weekdays (UTC), as banks count days: Saturdays and Sundays do not count. */
export function businessDaysAfter(time: number, days: number): number {
  let at = time;
  for (let left = days; left > 0; ) {
    at += DAY;
    const weekday = new Date(at * 1000).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return at;
}

export function addInterval(start: number, interval: string, count: number): number {
  const date = new Date(start * 1000);
  switch (interval) {
    case 'day':
      return start + count * DAY;
    case 'week':
      return start + count * 7 * DAY;
    case 'year':
      date.setUTCFullYear(date.getUTCFullYear() + count);
      return Math.floor(date.getTime() / 1000);
    default:
      date.setUTCMonth(date.getUTCMonth() + count);
      return Math.floor(date.getTime() / 1000);
  }
}

/** The time of the test clock `id` names, if it names one. */
export function clockTime(ctx: Ctx, id: Json | undefined): number | undefined {
  const clock = typeof id === 'string' ? ctx.find(id, ['test_helpers.test_clock']) : undefined;
  return typeof clock?.data.frozen_time === 'number' ? clock.data.frozen_time : undefined;
}
