/** Billing periods: `start` plus a price's recurring interval, calendar-aware for months and years. */

export const DAY = 86_400;

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
