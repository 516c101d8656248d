/**
 * Invoice lines (`line_item`): stored under their invoice (oldest first), built from invoice items
 * or subscription items, and the invoice totals they add up to. Lines change on drafts only.
 * A draft's lines are taxed by their tax rates, or by Stripe Tax when the invoice has
 * `automatic_tax[enabled]` (`automaticTax`).
 */
import type { Ctx } from '../engine/context.ts';
import { formatMoney } from '../engine/currency.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';
import { discountAmount, discountFields, discountFor, invoiceDiscount } from './discounts.ts';
import { isTiered } from './pricing.ts';
import { automaticTaxAmount, buyerOf, customerLocation, taxabilityAt, taxIdsOf } from './stripe-tax.ts';
import { taxAmounts, taxRatesParam, totalTaxAmounts } from './taxes.ts';

/** Lines of an invoice, oldest first. */
export function linesOf(ctx: Ctx, invoice: Entry): Entry[] {
  return ctx.children(invoice, ['line_item']).reverse();
}

export const period = (start: Json, end: Json): JsonObject => ({ end, start });

/** The name of a price's product, as Stripe writes it in line descriptions (the id if it is gone). */
export function productName(ctx: Ctx, price: JsonObject): string {
  const product = isObject(price.product)
    ? price.product
    : ctx.find(String(price.product ?? ''), ['product'])?.data;
  return String(product?.name ?? price.product ?? '');
}

/** `Pro plan`, `2 × Pro plan`: a price's product with the quantity when there are several. */
const counted = (ctx: Ctx, price: JsonObject, quantity: number): string =>
  `${quantity === 1 ? '' : `${quantity} × `}${productName(ctx, price)}`;

/**
 * A subscription item's line: `1 × Pro plan (at $250.00 / year)`. A tiered price has no one unit
 * amount to quote (money/pricing.ts), so its line names the quantity and product alone.
 */
export function subscriptionLineDescription(ctx: Ctx, price: JsonObject, quantity: number): string {
  const recurring = isObject(price.recurring) ? price.recurring : undefined;
  const count = Number(recurring?.interval_count ?? 1);
  const interval = recurring
    ? ` / ${count === 1 ? recurring.interval : `every ${count} ${recurring.interval}s`}`
    : '';
  const named = `${quantity} × ${productName(ctx, price)}`;
  if (isTiered(price)) return named;
  const unit = formatMoney(Number(price.unit_amount ?? 0), String(price.currency ?? 'usd'));
  return `${named} (at ${unit}${interval})`;
}

/** A proration line: `Unused time on Pro plan after 03 Dec 2026`. */
export function prorationDescription(
  ctx: Ctx,
  side: 'unused' | 'remaining',
  price: JsonObject,
  quantity: number,
  at: number,
): string {
  const day = new Date(at * 1000).toLocaleDateString('en-GB', {
    day: '2-digit',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  return `${side === 'unused' ? 'Unused' : 'Remaining'} time on ${counted(ctx, price, quantity)} after ${day}`;
}

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

/**
 * An invoice item's line; on a preview (no invoice) its id is the item's (`ii_1…` → `il_tmp_1…`,
 * as Stripe names it), so two reads of the same upcoming invoice agree on it.
 */
export function itemLine(ctx: Ctx, invoiceId: string | null, item: Entry): JsonObject {
  const quantity = Number(item.data.quantity ?? 1);
  return lineData(ctx, invoiceId, {
    ...(invoiceId === null ? { id: previewLineId(item.id) } : {}),
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
    tax_rates: item.data.tax_rates ?? [],
    type: 'invoiceitem',
    unit_amount_excluding_tax: String(Math.round(Number(item.data.amount ?? 0) / Math.max(quantity, 1))),
  });
}

/**
 * Recomputes an invoice's totals from its lines. On a draft each line gets its share of the
 * invoice's discount and its taxes (`priceLines`); a finalized invoice keeps the discounts and taxes
 * it was finalized with.
 */
export function recomputeTotals(ctx: Ctx, invoice: Entry): Entry {
  const current = ctx.current(invoice);
  const draft = current.data.status === 'draft';
  let lines = linesOf(ctx, current);
  let discounted: JsonObject = {};
  let taken = sumAmounts(current.data.total_discount_amounts);
  if (draft) {
    // A coupon of the invoice, its subscription or customer (money/discounts.ts).
    const discount = invoiceDiscount(ctx, current);
    const automatic = automaticTax(ctx, current.data);
    const priced = priceLines(
      lines.map((line) => ({ ...line.data, id: line.id })),
      automatic?.taxes ?? byRates(objectsOf(current.data.default_tax_rates)),
      discount,
      current.data.currency,
    );
    lines = lines.map((line, i) => ctx.set(line, priced.lines[i]!));
    const applied = priced.off > 0 ? discount : undefined;
    // The invoice's own discount stays on it while it takes nothing off (no lines yet).
    const shown = applied ?? (discount?.invoice === current.id ? discount : undefined);
    discounted = {
      ...(automatic ? { automatic_tax: automatic.fields } : {}),
      ...discountFields(shown ?? null),
      total_discount_amounts: applied ? [{ amount: priced.off, discount: String(applied.id) }] : [],
    };
    taken = priced.off;
  }
  const totals = lineTotals(
    lines.map((line) => line.data),
    taken,
  );
  const paid = Number(current.data.amount_paid ?? 0);
  const due = Math.max(0, Number(totals.total) + Number(current.data.starting_balance ?? 0));
  return ctx.set(current, {
    ...discounted,
    ...totals,
    amount_due: due,
    amount_remaining: current.data.paid === true ? 0 : Math.max(0, due - paid),
  });
}

const objectsOf = (rates: Json | undefined): JsonObject[] =>
  Array.isArray(rates) ? rates.filter(isObject) : [];

/** How a line is taxed on what it bills after its discounts: its `tax_amounts`. */
export type LineTaxes = (line: JsonObject, amount: number) => JsonObject[];

/** Taxes by the line's own `tax_rates`, else by `defaults` (money/taxes.ts). */
export const byRates =
  (defaults: readonly JsonObject[]): LineTaxes =>
  (line, amount) => {
    const own = objectsOf(line.tax_rates);
    return taxAmounts(own.length > 0 ? own : defaults, amount);
  };

/**
 * A draft's automatic tax, when `automatic_tax[enabled]`: `complete`, each line taxed by Stripe Tax
 * (money/stripe-tax.ts) inside or on top of its amount as its price's `tax_behavior` says, when
 * the customer's address places them; else `requires_location_inputs`, and no tax.
 */
export function automaticTax(
  ctx: Ctx,
  invoice: JsonObject,
): { fields: JsonObject; taxes: LineTaxes } | undefined {
  const given = isObject(invoice.automatic_tax) ? invoice.automatic_tax : {};
  if (given.enabled !== true) return undefined;
  const customer =
    typeof invoice.customer === 'string' ? ctx.find(invoice.customer, ['customer']) : undefined;
  const where = customerLocation(customer);
  const fields = {
    ...given,
    liability: given.liability ?? { type: 'self' },
    status: where ? 'complete' : 'requires_location_inputs',
  };
  if (!where) return { fields, taxes: () => [] };
  const verdict = taxabilityAt(ctx, where, buyerOf(ctx, customer?.id));
  const inclusive = (line: JsonObject) => isObject(line.price) && line.price.tax_behavior === 'inclusive';
  return {
    fields,
    taxes: (line, amount) => [automaticTaxAmount(ctx, where, verdict, amount, inclusive(line))],
  };
}

/**
 * Lines (a draft's, or a preview's) with their share of `discount` (what it takes off the
 * discountable lines, split by their amounts, the last taking the rounding) and their taxes on what
 * is left, as `taxes` says. `off` is what the discount takes.
 */
export function priceLines(
  lines: readonly JsonObject[],
  taxes: LineTaxes,
  discount: JsonObject | undefined,
  currency: Json | undefined,
): { lines: JsonObject[]; off: number } {
  const discountable = lines.filter((line) => line.discountable !== false && Number(line.amount ?? 0) > 0);
  const base = discountable.reduce((sum, line) => sum + Number(line.amount ?? 0), 0);
  const off = discount ? discountAmount(discount, base, currency) : 0;
  const shares = new Map<JsonObject, number>();
  let left = off;
  discountable.forEach((line, i) => {
    if (off <= 0) return;
    const share = i === discountable.length - 1 ? left : Math.round((off * Number(line.amount ?? 0)) / base);
    shares.set(line, share);
    left -= share;
  });
  const priced = lines.map((line) => {
    const amount = Number(line.amount ?? 0);
    const share = shares.get(line);
    const owed = taxes(line, amount - (share ?? 0));
    return {
      ...line,
      amount_excluding_tax: amount - sumAmounts(owed.filter((t) => t.inclusive === true)),
      discount_amounts:
        discount && share !== undefined ? [{ amount: share, discount: String(discount.id) }] : [],
      tax_amounts: owed,
    };
  });
  return { lines: priced, off };
}

/** The totals of priced lines, `taken` off by discounts: exclusive taxes add, inclusive ones are inside. */
export function lineTotals(lines: readonly JsonObject[], taken: number): JsonObject {
  const subtotal = lines.reduce((sum, line) => sum + Number(line.amount ?? 0), 0);
  const taxes = lines.flatMap((line) => objectsOf(line.tax_amounts));
  const tax = sumAmounts(taxes);
  const total = subtotal - taken + tax - sumAmounts(taxes.filter((t) => t.inclusive === true));
  return {
    subtotal,
    subtotal_excluding_tax: lines.reduce((sum, line) => sum + Number(line.amount_excluding_tax ?? 0), 0),
    tax: taxes.length > 0 ? tax : null,
    total,
    total_excluding_tax: total - tax,
    total_tax_amounts: totalTaxAmounts(taxes),
  };
}

const sumAmounts = (amounts: Json | undefined) =>
  Array.isArray(amounts)
    ? amounts.reduce<number>((sum, d) => sum + (isObject(d) ? Number(d.amount ?? 0) : 0), 0)
    : 0;

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

/**
 * An update of a draft's `default_tax_rates` or `discounts`: the rate objects and the invoice's own
 * discount (a redemption, as on create), refused once it is final; its totals are then recomputed
 * (`recomputeTotals`) after the update.
 */
export function repriceDraft(ctx: Ctx, draft: JsonObject, params: JsonObject, invoice: Entry): void {
  if (!repricesDraft(params)) return;
  requireDraft(invoice, 'change the tax rates or discounts of');
  const rates = taxRatesParam(ctx, params.default_tax_rates, 'default_tax_rates');
  if (rates) draft.default_tax_rates = rates;
  const owner = { customer: String(invoice.data.customer), invoice: invoice.id };
  const discount = discountFor(ctx, params, owner);
  if (discount !== undefined) Object.assign(draft, discountFields(discount));
}

/** Whether an invoice update changes what its lines are taxed or discounted by. */
export const repricesDraft = (params: JsonObject): boolean =>
  params.default_tax_rates !== undefined ||
  params.discounts !== undefined ||
  params.automatic_tax !== undefined;

/** Lines of a preview have stable ids derived from what they bill, so they can be paged. */
export const previewLineId = (source: string) => `il_tmp_${source.slice(source.indexOf('_') + 1)}`;

/** The fields every new invoice starts with. */
export function invoiceDefaults(ctx: Ctx, customer: Entry | undefined): JsonObject {
  return {
    account_country: 'US',
    account_name: 'Stripe Emulator',
    amount_due: 0,
    amount_paid: 0,
    amount_remaining: 0,
    application: null,
    application_fee_amount: null,
    automatic_tax: { enabled: false, liability: null, status: null },
    billing_reason: 'manual',
    charge: null,
    currency: customer?.data.currency ?? 'usd',
    custom_fields: null,
    customer_address: customer?.data.address ?? null,
    customer_email: customer?.data.email ?? null,
    customer_name: customer?.data.name ?? null,
    customer_phone: customer?.data.phone ?? null,
    customer_shipping: customer?.data.shipping ?? null,
    customer_tax_exempt: customer?.data.tax_exempt ?? 'none',
    customer_tax_ids: taxIdsOf(ctx, customer?.id),
    default_payment_method: null,
    default_source: null,
    description: null,
    discount: null,
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    number: null,
    paid: false,
    paid_out_of_band: false,
    payment_intent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: ctx.now,
    period_start: ctx.now,
    receipt_number: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subscription: null,
    subtotal: 0,
    subtotal_excluding_tax: 0,
    tax: null,
    test_clock: null,
    total: 0,
    total_excluding_tax: 0,
    webhooks_delivered_at: ctx.now,
  };
}
