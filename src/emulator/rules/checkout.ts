/**
 * Checkout sessions and payment links: a hosted URL, an expiry, and their line items (`item`
 * objects) from `line_items[n][price]` and `quantity`.
 */

import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { HOSTED_PREFIX, withLinks } from '../hosted/index.ts';
import { paymentLinkUrl } from '../hosted/payment-link.ts';
import { productName } from '../money/invoice-lines.ts';
import { resolvePaymentMethod } from './payment-sources.ts';

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
        description: price ? productName(ctx, price.data) : '',
        price: price?.data ?? null,
        quantity,
      }),
      { parent },
    );
  }
  return { subtotal, currency };
}

/**
 * Completes an open session as its customer paying with `paymentMethod` would (the hosted page's
 * and the seed's way): `payment` mode confirms a PaymentIntent for the total, `subscription` mode
 * starts the subscription of its recurring line items, `setup` mode a confirmed SetupIntent; the
 * session becomes `complete` (`checkout.session.completed`).
 */
export function completeSession(ctx: Ctx, session: Entry, paymentMethod = 'pm_card_visa'): Entry {
  if (session.data.status !== 'open')
    throw invalidRequest(`This Checkout Session is ${String(session.data.status)}, not open.`);
  let customer = typeof session.data.customer === 'string' ? session.data.customer : undefined;
  const mode = String(session.data.mode);
  if (!customer && mode !== 'payment') {
    const email = typeof session.data.customer_email === 'string' ? session.data.customer_email : null;
    customer = ctx.ops.createResource(ctx, 'customer', email ? { email } : {}).id;
  }
  const fields: JsonObject = { status: 'complete', customer: customer ?? null };
  if (mode === 'subscription') {
    // The card the customer entered becomes their default for the subscription's invoices.
    const method = ctx.set(resolvePaymentMethod(ctx, paymentMethod, 'payment_method'), {
      customer: customer ?? null,
    });
    const buyer = ctx.require(String(customer), ['customer']);
    const settings = isObject(buyer.data.invoice_settings) ? buyer.data.invoice_settings : {};
    ctx.set(buyer, { invoice_settings: { ...settings, default_payment_method: method.id } });
    const items = ctx
      .children(session, ['item'])
      .reverse()
      .map((item) => ({
        price: String((item.data.price as JsonObject).id),
        quantity: Number(item.data.quantity ?? 1),
      }));
    fields.subscription = ctx.ops.createResource(ctx, 'subscription', {
      customer: String(customer),
      items,
    }).id;
    fields.payment_status = 'paid';
  } else if (mode === 'setup') {
    fields.setup_intent = ctx.ops.createResource(ctx, 'setup_intent', {
      confirm: true,
      payment_method: paymentMethod,
      ...(customer ? { customer } : {}),
    }).id;
    fields.payment_status = 'no_payment_required';
  } else {
    fields.payment_intent = ctx.ops.createResource(ctx, 'payment_intent', {
      amount: Number(session.data.amount_total ?? 0),
      currency: String(session.data.currency ?? 'usd'),
      confirm: true,
      payment_method: paymentMethod,
      ...(customer ? { customer } : {}),
    }).id;
    fields.payment_status = 'paid';
  }
  return ctx.set(session, fields);
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
        // The emulator's own hosted page when it serves HTTP (src/emulator/hosted/index.ts).
        url: ctx.publicUrl
          ? `${ctx.publicUrl}${HOSTED_PREFIX}${String(draft.id)}`
          : `https://checkout.stripe.com/c/pay/${String(draft.id)}`,
      });
      withLinks(ctx, 'checkout.session', draft);
    },
  },
  payment_link: {
    beforeCreate(ctx, draft, { params }) {
      storeLineItems(ctx, String(draft.id), params.line_items);
      draft.url = paymentLinkUrl(ctx, String(draft.id));
    },
  },
  item: { ascending: true },
};
