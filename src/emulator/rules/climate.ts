/**
 * Climate orders: the balance pays for an order as it is made (ledger.ts), so an order is
 * `confirmed` from the start and `cancel` refunds it (also ledger.ts). It expects delivery in its
 * product's `delivery_year`; Stripe's suppliers then deliver it (`delivered`, with its delivery
 * details per supplier). Stripe has no test helper for that step: the emulator's control endpoint
 * `POST /_emulator/climate/orders/<id>/deliver` plays the suppliers (server.ts).
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';

export const ORDER = 'climate.order';

function productOf(ctx: Ctx, order: Entry): Entry | undefined {
  return typeof order.data.product === 'string'
    ? ctx.find(order.data.product, ['climate.product'])
    : undefined;
}

/** Delivers a confirmed order, its tons split evenly between the product's suppliers. */
export function deliverOrder(ctx: Ctx, order: Entry): Entry {
  if (order.data.status !== 'confirmed')
    throw invalidRequest(`Order ${order.id} cannot be delivered because it is ${String(order.data.status)}.`);
  const suppliers = (productOf(ctx, order)?.data.suppliers ?? []) as Json[];
  const tons = Number(order.data.metric_tons ?? 0);
  const share = suppliers.length > 0 ? tons / suppliers.length : tons;
  return ctx.set(order, {
    delivered_at: ctx.now,
    delivery_details: suppliers.filter(isObject).map((supplier) => ({
      delivered_at: ctx.now,
      location: null,
      metric_tons: String(Math.round(share * 1000) / 1000),
      registry_url: null,
      supplier,
    })),
    status: 'delivered',
  });
}

export const climateRules: RuleBook = {
  [ORDER]: {
    afterCreate(ctx, entry) {
      const year = productOf(ctx, entry)?.data.delivery_year;
      if (typeof year === 'number') ctx.set(entry, { expected_delivery_year: year });
    },
  },
};
