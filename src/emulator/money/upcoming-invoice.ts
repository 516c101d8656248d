/** `/v1/invoices/upcoming`: the next invoice of a customer, computed and not stored. */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type JsonObject } from '../engine/json.ts';
import { invoiceDefaults, itemLine, lineData, period, previewLineId } from './invoice-lines.ts';
import { addInterval } from './periods.ts';
import { priceAmount, unitAmountDecimal } from './pricing.ts';

/**
 * The next invoice of a customer (not stored, no id): its pending invoice items and the next
 * period of its active subscriptions (or of `subscription`).
 */
export function upcomingInvoice(ctx: Ctx, params: JsonObject): JsonObject {
  if (typeof params.customer !== 'string' && typeof params.subscription !== 'string') {
    throw invalidRequest('Missing required param: customer.', {
      code: 'parameter_missing',
      param: 'customer',
    });
  }
  const only =
    typeof params.subscription === 'string'
      ? ctx.require(params.subscription, ['subscription'], 'subscription', 400)
      : undefined;
  const customer = ctx.require(String(params.customer ?? only?.data.customer), ['customer'], 'customer', 400);
  const lines: JsonObject[] = [];
  const subscriptions = only ? [only] : ctx.children(customer, ['subscription']);
  let periodEnd = ctx.now;
  for (const subscription of subscriptions) {
    if (!['active', 'trialing', 'past_due'].includes(String(subscription.data.status))) continue;
    const start = Number(subscription.data.current_period_end ?? ctx.now);
    for (const item of ctx.children(subscription, ['subscription_item']).reverse()) {
      const price = isObject(item.data.price) ? item.data.price : {};
      const recurring = isObject(price.recurring) ? price.recurring : {};
      const end = addInterval(
        start,
        String(recurring.interval ?? 'month'),
        Number(recurring.interval_count ?? 1),
      );
      periodEnd = Math.max(periodEnd, end);
      const quantity = Number(item.data.quantity ?? 1);
      lines.push(
        lineData(ctx, null, {
          id: previewLineId(item.id),
          amount: priceAmount(price, quantity),
          currency: price.currency ?? 'usd',
          period: period(start, end),
          price,
          quantity,
          subscription: subscription.id,
          subscription_item: item.id,
          type: 'subscription',
          unit_amount_excluding_tax: unitAmountDecimal(price, quantity),
        }),
      );
    }
  }
  for (const item of ctx.children(customer, ['invoiceitem']).reverse())
    if (!item.data.invoice) lines.push(itemLine(ctx, null, item));
  if (lines.length === 0)
    throw invalidRequest(`No upcoming invoices for customer: ${customer.id}`, {
      code: 'invoice_upcoming_none',
    });
  const subtotal = lines.reduce((sum, line) => sum + Number(line.amount ?? 0), 0);
  const { id: _, ...preview } = ctx.build('invoice', {
    ...invoiceDefaults(ctx, customer),
    amount_due: subtotal,
    amount_remaining: subtotal,
    billing_reason: subscriptions.length > 0 ? 'upcoming' : 'manual',
    customer: customer.id,
    lines: {
      object: 'list',
      data: lines,
      has_more: false,
      url: `/v1/invoices/upcoming/lines?customer=${customer.id}`,
    },
    next_payment_attempt: periodEnd,
    period_end: periodEnd,
    subscription: only?.id ?? null,
    subtotal,
    subtotal_excluding_tax: subtotal,
    total: subtotal,
    total_excluding_tax: subtotal,
  });
  return preview;
}
