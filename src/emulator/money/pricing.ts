/**
 * What a price bills for a quantity, the one place every invoice line, proration and preview asks:
 * `per_unit` prices bill the unit amount for each unit (after `transform_quantity` divides and
 * rounds the quantity); `tiered` prices bill by their tiers, `graduated` each tier the units that
 * fall in it (plus the flat amount of every tier reached), `volume` every unit at the tier the
 * whole quantity falls in (plus that tier's flat amount).
 */
import { isObject, type Json, type JsonObject } from '../engine/json.ts';

/** An amount and its decimal form (the decimal wins: it is the more precise). */
const amountOf = (whole: Json | undefined, decimal: Json | undefined): number =>
  decimal !== undefined && decimal !== null && decimal !== '' ? Number(decimal) : Number(whole ?? 0);

interface Tier {
  flat: number;
  unit: number;
  /** the last unit it holds; Infinity for the last tier (`up_to: inf`, stored as null) */
  upTo: number;
}

function tiersOf(price: JsonObject): Tier[] {
  const tiers = Array.isArray(price.tiers) ? price.tiers.filter(isObject) : [];
  return tiers.map((tier) => ({
    flat: amountOf(tier.flat_amount, tier.flat_amount_decimal),
    unit: amountOf(tier.unit_amount, tier.unit_amount_decimal),
    upTo: typeof tier.up_to === 'number' ? tier.up_to : Number.POSITIVE_INFINITY,
  }));
}

/** Whether a price bills by tiers. */
export const isTiered = (price: JsonObject): boolean => price.billing_scheme === 'tiered';

/** The quantity a `per_unit` price bills: divided and rounded by `transform_quantity`. */
export function billedQuantity(price: JsonObject, quantity: number): number {
  const transform = isObject(price.transform_quantity) ? price.transform_quantity : undefined;
  const divideBy = Number(transform?.divide_by ?? 1);
  if (!transform || !(divideBy > 0)) return quantity;
  const round = transform.round === 'down' ? Math.floor : Math.ceil;
  return round(quantity / divideBy);
}

/** What `price` bills for `quantity` (in the currency's minor unit, rounded). */
export function priceAmount(price: JsonObject, quantity: number): number {
  if (!isTiered(price))
    return Math.round(
      amountOf(price.unit_amount, price.unit_amount_decimal) * billedQuantity(price, quantity),
    );
  const tiers = tiersOf(price);
  if (price.tiers_mode === 'volume') {
    const tier = tiers.find((t) => quantity <= t.upTo) ?? tiers[tiers.length - 1];
    return tier ? Math.round(tier.flat + tier.unit * quantity) : 0;
  }
  let total = 0;
  let below = 0;
  for (const tier of tiers) {
    if (quantity <= below) break;
    total += tier.flat + tier.unit * (Math.min(quantity, tier.upTo) - below);
    below = tier.upTo;
  }
  return Math.round(total);
}

/** The amount per unit a line shows: the price's own, or for tiers what the quantity averages. */
export function unitAmountDecimal(price: JsonObject, quantity: number): string {
  if (!isTiered(price) && !isObject(price.transform_quantity))
    return String(amountOf(price.unit_amount, price.unit_amount_decimal));
  return quantity > 0 ? String(priceAmount(price, quantity) / quantity) : '0';
}
