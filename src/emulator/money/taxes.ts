/**
 * Tax rates on invoices: a line is taxed by its own `tax_rates`, else by its invoice's
 * `default_tax_rates`, on what it bills after its share of the discounts. An exclusive rate adds
 * its percentage on top; inclusive rates are already inside the amount, which holds the taxable
 * amount plus their percentages of it. Each rate gives the line a `tax_amounts` entry.
 */
import type { Ctx } from '../engine/context.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';

/**
 * The tax rates a parameter names (ids, as Stripe takes them) as the objects it embeds; `''`
 * clears them; undefined when the parameter is absent.
 */
export function taxRatesParam(ctx: Ctx, value: Json | undefined, param: string): JsonObject[] | undefined {
  if (value === '') return [];
  if (!Array.isArray(value)) return undefined;
  return value.map((rate, i) => {
    const id = isObject(rate) ? String(rate.id) : String(rate);
    return ctx.require(id, ['tax_rate'], `${param}[${i}]`, 400).data;
  });
}

const percentOf = (rate: JsonObject): number => Number(rate.effective_percentage ?? rate.percentage ?? 0);

/** The `tax_amounts` of a line taxed by `rates` on `amount` (after discounts). */
export function taxAmounts(rates: readonly JsonObject[], amount: number): JsonObject[] {
  const inclusive = rates.filter((rate) => rate.inclusive === true);
  const inclusivePercent = inclusive.reduce((sum, rate) => sum + percentOf(rate), 0);
  const taxable = Math.round(amount / (1 + inclusivePercent / 100));
  // Inclusive taxes split what the amount holds above the taxable amount, the last taking the rest.
  let inside = amount - taxable;
  return rates.map((rate) => {
    const isInclusive = rate.inclusive === true;
    let tax = Math.round((taxable * percentOf(rate)) / 100);
    if (isInclusive) {
      tax = rate === inclusive[inclusive.length - 1] ? inside : Math.min(tax, inside);
      inside -= tax;
    }
    return {
      amount: tax,
      inclusive: isInclusive,
      tax_rate: String(rate.id),
      taxability_reason: null,
      taxable_amount: taxable,
    };
  });
}

/** `tax_amounts` summed per rate (and inclusiveness): an invoice's `total_tax_amounts`. */
export function totalTaxAmounts(amounts: readonly JsonObject[]): JsonObject[] {
  const byRate = new Map<string, JsonObject>();
  for (const amount of amounts) {
    const key = `${amount.tax_rate}:${amount.inclusive}`;
    const sum = byRate.get(key);
    if (!sum) byRate.set(key, { ...amount });
    else {
      sum.amount = Number(sum.amount) + Number(amount.amount);
      sum.taxable_amount = Number(sum.taxable_amount) + Number(amount.taxable_amount);
    }
  }
  return [...byRate.values()];
}
