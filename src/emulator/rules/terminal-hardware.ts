/**
 * Terminal hardware ordering (a preview API, src/spec/overlay.ts).
 *
 * - A new order prices its items from their SKUs (each must be available, orderable in that
 *   quantity and sold in the shipping country), embeds each SKU, adds the shipping method's cost
 *   and the tax of the shipping country, and starts `pending`.
 * - `cancel` works only while the order is `pending`. The test-mode helpers move it along:
 *   `mark_ready_to_ship` (from `pending`), `ship` (from `pending` or `ready_to_ship`, adding a
 *   tracking number), `deliver` and `mark_undeliverable` (from `shipped`).
 * - Products, SKUs and shipping methods list only `available` ones unless `status` is given.
 *
 * Shipping costs and tax rates are the emulator's demo prices, not Stripe's.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { ResourceRules, RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';

const ORDER = 'terminal.hardware_order';
const SKU = 'terminal.hardware_sku';
const SHIPPING_METHOD = 'terminal.hardware_shipping_method';

/** Demo shipping cost by shipping method name, in the smallest currency unit. */
const SHIPPING_COST: Readonly<Record<string, number>> = { standard: 800, express: 2000, priority: 3500 };
/** Demo tax by shipping country. */
const TAX_RATES: Readonly<
  Record<string, { display_name: string; jurisdiction: string; percentage: number }>
> = {
  US: { display_name: 'Sales Tax', jurisdiction: 'US', percentage: 8.25 },
  GB: { display_name: 'VAT', jurisdiction: 'GB', percentage: 20 },
};

interface Transition {
  from: readonly string[];
  to: string;
}

/** What each verb does to an order's status. */
const TRANSITIONS: Readonly<Record<string, Transition>> = {
  cancel: { from: ['pending'], to: 'canceled' },
  mark_ready_to_ship: { from: ['pending'], to: 'ready_to_ship' },
  ship: { from: ['pending', 'ready_to_ship'], to: 'shipped' },
  deliver: { from: ['shipped'], to: 'delivered' },
  mark_undeliverable: { from: ['shipped'], to: 'undeliverable' },
};

function transition(verb: string) {
  const { from, to } = TRANSITIONS[verb]!;
  return (ctx: Ctx, entry: Entry): Entry => {
    const status = String(entry.data.status);
    if (!from.includes(status)) {
      throw invalidRequest(
        `This hardware order is ${status}; it can be moved to ${to} only from ${from.join(' or ')}.`,
        { code: 'terminal_hardware_order_invalid_status' },
      );
    }
    const fields: JsonObject = { status: to, updated: ctx.now };
    if (to === 'shipped') {
      const tracking = Array.isArray(entry.data.shipment_tracking) ? entry.data.shipment_tracking : [];
      fields.shipment_tracking = [
        ...tracking,
        { carrier: 'ups', tracking_number: `1Z${ctx.random.upper(16)}` },
      ];
    }
    return ctx.set(entry, fields);
  };
}

/** The items of a new order, priced from their SKUs; throws Stripe-style errors for bad items. */
function orderItems(
  ctx: Ctx,
  items: Json | undefined,
  country: string,
): { items: JsonObject[]; total: number } {
  if (!Array.isArray(items) || items.length === 0) {
    throw invalidRequest('An order needs at least one item.', { param: 'hardware_order_items' });
  }
  let total = 0;
  const out = items.map((item, i) => {
    const param = `hardware_order_items[${i}]`;
    if (!isObject(item) || typeof item.terminal_hardware_sku !== 'string') {
      throw invalidRequest('Each item names a SKU.', { param: `${param}[terminal_hardware_sku]` });
    }
    const sku = ctx.require(item.terminal_hardware_sku, [SKU], `${param}[terminal_hardware_sku]`, 400);
    const quantity = Number(item.quantity);
    if (!Number.isInteger(quantity) || quantity < 1) {
      throw invalidRequest('The quantity must be a positive integer.', { param: `${param}[quantity]` });
    }
    if (sku.data.status !== 'available' || quantity > Number(sku.data.orderable)) {
      throw invalidRequest(`SKU ${sku.id} cannot be ordered in a quantity of ${quantity}.`, {
        code: 'terminal_hardware_sku_unavailable',
        param: `${param}[quantity]`,
      });
    }
    if (sku.data.country !== country) {
      throw invalidRequest(`SKU ${sku.id} is sold in ${String(sku.data.country)}, not ${country}.`, {
        param: `${param}[terminal_hardware_sku]`,
      });
    }
    const amount = Number(sku.data.amount) * quantity;
    total += amount;
    return { amount, currency: sku.data.currency ?? 'usd', quantity, terminal_hardware_sku: sku.data };
  });
  return { items: out, total };
}

/** Lists only available objects unless the request filters by status (Stripe's default). */
const availableByDefault: ResourceRules['defaultListFilter'] = (params) =>
  params.status === undefined ? (entry: Entry) => entry.data.status === 'available' : undefined;

export const terminalHardwareRules: RuleBook = {
  [ORDER]: {
    beforeCreate(ctx, draft, { params }) {
      const shippingParams = isObject(params.shipping) ? params.shipping : {};
      const address = isObject(shippingParams.address) ? shippingParams.address : {};
      const country = String(address.country ?? '');
      const method = ctx.require(String(params.shipping_method), [SHIPPING_METHOD], 'shipping_method', 400);
      if (method.data.status !== 'available' || method.data.country !== country) {
        throw invalidRequest(`Shipping method ${method.id} does not ship to ${country}.`, {
          param: 'shipping_method',
        });
      }
      const { items, total } = orderItems(ctx, params.hardware_order_items, country);
      const currency = String(items[0]!.currency);
      const shippingAmount = SHIPPING_COST[String(method.data.name)] ?? 0;
      const rate = TAX_RATES[country];
      const tax = rate ? Math.round(((total + shippingAmount) * rate.percentage) / 100) : 0;
      const shipping = isObject(draft.shipping) ? draft.shipping : {};
      Object.assign(draft, {
        amount: total + shippingAmount + tax,
        currency,
        hardware_order_items: items,
        po_number: draft.po_number ?? null,
        shipment_tracking: [],
        shipping: { ...shipping, amount: shippingAmount, company: shipping.company ?? null, currency },
        status: 'pending',
        tax,
        total_tax_amounts: rate ? [{ amount: tax, inclusive: false, rate }] : [],
        updated: null,
      });
    },
    actions: Object.fromEntries(Object.keys(TRANSITIONS).map((verb) => [verb, transition(verb)])),
  },
  'terminal.hardware_product': { defaultListFilter: availableByDefault },
  [SKU]: { defaultListFilter: availableByDefault },
  [SHIPPING_METHOD]: { defaultListFilter: availableByDefault },
};
