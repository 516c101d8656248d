/**
 * Prorations of an item's change mid-period, as Stripe makes them: a credit for the unused time at
 * the old price and quantity, a charge for the remaining time at the new ones, each over the rest of
 * the period (metered items are not prorated). Subscription updates store them as pending invoice
 * items; the upcoming invoice previews them as lines.
 */
import type { Ctx } from '../engine/context.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import { prorationDescription } from './invoice-lines.ts';
import { priceAmount } from './pricing.ts';

/**
 * What an item bills per period before or after a change, and the item's own tax rates (its
 * prorations carry them, so they are taxed as the item is rather than at the invoice's defaults).
 */
export interface Billed {
  price: JsonObject;
  quantity: number;
  taxRates?: Json;
}

export interface Proration extends Billed {
  amount: number;
  description: string;
  period: { start: number; end: number };
}

const metered = (side: Billed) =>
  isObject(side.price.recurring) && side.price.recurring.usage_type === 'metered';

/** The prorations of a change from `before` to `after` at `at`, within the period `start`–`end`. */
export function prorations(
  ctx: Ctx,
  period: { start: number; end: number },
  before: Billed | undefined,
  after: Billed | undefined,
  at: number,
): Proration[] {
  const { start, end } = period;
  if (!(end > start) || at >= end) return [];
  const same = before && after && before.price.id === after.price.id && before.quantity === after.quantity;
  if (same) return [];
  const fraction = (end - Math.max(at, start)) / (end - start);
  const sides: [Billed | undefined, number, 'unused' | 'remaining'][] = [
    [before, -1, 'unused'],
    [after, 1, 'remaining'],
  ];
  const out: Proration[] = [];
  for (const [side, sign, label] of sides) {
    if (!side || metered(side)) continue;
    const amount = sign * Math.round(priceAmount(side.price, side.quantity) * fraction);
    if (amount === 0) continue;
    out.push({
      ...side,
      amount,
      description: prorationDescription(ctx, label, side.price, side.quantity, at),
      period: { start: at, end },
    });
  }
  return out;
}
