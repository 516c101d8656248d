/**
 * Invoice lines (`line_item`): stored under their invoice (oldest first), built from invoice items
 * or subscription items, and the invoice totals they add up to. Lines change on drafts only.
 */
import type { Ctx } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import type { Json, JsonObject } from '../json.ts';
import type { Entry } from '../store.ts';

/** Lines of an invoice, oldest first. */
export function linesOf(ctx: Ctx, invoice: Entry): Entry[] {
  return ctx.children(invoice, ['line_item']).reverse();
}

export const period = (start: Json, end: Json): JsonObject => ({ end, start });

/** Stores a line on an invoice. */
export function addLine(ctx: Ctx, invoiceId: string, fields: JsonObject): Entry {
  return ctx.insert('line_item', lineData(ctx, invoiceId, fields), { parent: invoiceId });
}

/** A line's data (not stored). */
export function lineData(ctx: Ctx, invoiceId: string | null, input: JsonObject): JsonObject {
  const { id, ...fields } = input;
  const amount = Number(fields.amount ?? 0);
  return ctx.build(
    'line_item',
    {
      amount,
      amount_excluding_tax: amount,
      currency: 'usd',
      description: null,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: invoiceId,
      period: period(ctx.now, ctx.now),
      price: null,
      proration: false,
      proration_details: { credited_items: null },
      quantity: 1,
      subscription: null,
      tax_amounts: [],
      tax_rates: [],
      type: 'invoiceitem',
      unit_amount_excluding_tax: String(amount),
      ...fields,
    },
    typeof id === 'string' ? id : undefined,
  );
}

/** The line an invoice item becomes. */
export function lineFromItem(ctx: Ctx, invoiceId: string, item: Entry): Entry {
  return ctx.insert('line_item', itemLine(ctx, invoiceId, item), { parent: invoiceId });
}

export function itemLine(ctx: Ctx, invoiceId: string | null, item: Entry): JsonObject {
  const quantity = Number(item.data.quantity ?? 1);
  return lineData(ctx, invoiceId, {
    amount: item.data.amount ?? 0,
    currency: item.data.currency ?? 'usd',
    description: item.data.description ?? null,
    discountable: item.data.discountable ?? true,
    invoice_item: item.id,
    metadata: item.data.metadata ?? {},
    period: item.data.period ?? period(ctx.now, ctx.now),
    price: item.data.price ?? null,
    proration: item.data.proration ?? false,
    quantity,
    subscription: item.data.subscription ?? null,
    type: 'invoiceitem',
    unit_amount_excluding_tax: String(Math.round(Number(item.data.amount ?? 0) / Math.max(quantity, 1))),
  });
}

/** Recomputes an invoice's totals from its lines. */
export function recomputeTotals(ctx: Ctx, invoice: Entry): Entry {
  const current = ctx.current(invoice);
  const subtotal = linesOf(ctx, current).reduce((sum, line) => sum + Number(line.data.amount ?? 0), 0);
  const paid = Number(current.data.amount_paid ?? 0);
  const due = Math.max(0, subtotal + Number(current.data.starting_balance ?? 0));
  return ctx.set(current, {
    amount_due: due,
    amount_remaining: current.data.paid === true ? 0 : Math.max(0, due - paid),
    subtotal,
    subtotal_excluding_tax: subtotal,
    total: subtotal,
    total_excluding_tax: subtotal,
  });
}

/** Refuses changes to an invoice that is no longer a draft. */
export function requireDraft(invoice: Entry, what: string): void {
  if (invoice.data.status !== 'draft') {
    throw invalidRequest(
      `You can only ${what} draft invoices. This invoice is ${String(invoice.data.status)}.`,
      {
        code: 'invoice_not_editable',
      },
    );
  }
}

/** Lines of a preview have stable ids derived from what they bill, so they can be paged. */
export const previewLineId = (source: string) => `il_tmp_${source.slice(source.indexOf('_') + 1)}`;
