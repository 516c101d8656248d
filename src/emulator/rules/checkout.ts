/**
 * Checkout sessions and payment links: a hosted URL, an expiry, and their line items (`item`
 * objects) from `line_items[n][price]` and `quantity`.
 */
import type { Ctx } from '../context.ts';
import { isObject, type Json } from '../json.ts';
import type { RuleBook } from './types.ts';

/** Stores `item`s under `parent` for `line_items` params (checkout, payment links, quotes). */
export function storeLineItems(
  ctx: Ctx,
  parent: string,
  lineItems: Json | undefined,
): { subtotal: number; currency: Json } {
  let subtotal = 0;
  let currency: Json = null;
  if (!Array.isArray(lineItems)) return { subtotal, currency };
  for (const line of lineItems) {
    if (!isObject(line)) continue;
    const price =
      typeof line.price === 'string'
        ? ctx.require(line.price, ['price'], 'line_items[price]', 400)
        : undefined;
    const quantity = typeof line.quantity === 'number' ? line.quantity : 1;
    const amount = Number(price?.data.unit_amount ?? 0) * quantity;
    subtotal += amount;
    currency ??= price?.data.currency ?? null;
    ctx.insert(
      'item',
      ctx.build('item', {
        amount_discount: 0,
        amount_subtotal: amount,
        amount_tax: 0,
        amount_total: amount,
        currency: price?.data.currency ?? 'usd',
        description: price ? String(price.data.nickname ?? price.data.product ?? '') : '',
        price: price?.data ?? null,
        quantity,
      }),
      { parent },
    );
  }
  return { subtotal, currency };
}

export const checkoutRules: RuleBook = {
  'checkout.session': {
    beforeCreate(ctx, draft, { params }) {
      const { subtotal, currency } = storeLineItems(ctx, String(draft.id), params.line_items);
      Object.assign(draft, {
        amount_subtotal: subtotal,
        amount_total: subtotal,
        currency: draft.currency ?? currency ?? 'usd',
        expires_at: ctx.now + 24 * 3600,
        payment_status: 'unpaid',
        status: 'open',
        url: `https://checkout.stripe.com/c/pay/${String(draft.id)}`,
      });
    },
  },
  payment_link: {
    beforeCreate(ctx, draft, { params }) {
      storeLineItems(ctx, String(draft.id), params.line_items);
      draft.url = `https://buy.stripe.com/test_${ctx.random.string(14)}`;
    },
  },
  item: { ascending: true },
};
