/**
 * Invoice items: an amount from `amount`, or `price` (what it bills for `quantity`), or
 * `price_data`, or `unit_amount`; `invoice=` puts the item on a draft invoice as a line, and
 * changes to the item follow on its line and the invoice's totals.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { lineFromItem, period, recomputeTotals, requireDraft } from '../money/invoice-lines.ts';
import { requireActive, requirePrice } from '../money/plans.ts';
import { priceAmount } from '../money/pricing.ts';
import { taxRatesParam } from '../money/taxes.ts';
import { createPrice } from './catalog.ts';

/**
 * Sets an invoice item's amount from `price`, `price_data`, `unit_amount` or `amount`. A price bills
 * what it bills for the quantity (`transform_quantity` and tiers included); a new quantity alone
 * re-prices an item that has a price.
 */
function priceInvoiceItem(ctx: Ctx, draft: JsonObject, params: JsonObject, existing?: Entry): void {
  const quantity =
    typeof params.quantity === 'number' ? params.quantity : Number(existing?.data.quantity ?? 1);
  let price: JsonObject | undefined;
  if (typeof params.price === 'string' && params.price !== '')
    price = requireActive(ctx, requirePrice(ctx, params.price, 'price'), 'price').data;
  else if (isObject(params.price_data)) price = createPrice(ctx, params.price_data).data;
  else if (params.unit_amount === undefined && params.amount === undefined && isObject(existing?.data.price))
    price = existing.data.price;
  let unitAmount: number | undefined;
  if (price) {
    draft.price = price;
    draft.currency = price.currency ?? null;
    unitAmount = Number(price.unit_amount ?? 0);
    draft.amount = priceAmount(price, quantity);
  } else if (typeof params.unit_amount === 'number') {
    unitAmount = params.unit_amount;
    draft.amount = unitAmount * quantity;
  } else if (typeof params.amount === 'number')
    unitAmount = Math.round(params.amount / Math.max(quantity, 1));
  else if (existing) {
    unitAmount = Number(existing.data.unit_amount ?? 0);
    if (params.quantity !== undefined) draft.amount = unitAmount * quantity;
  }
  if (unitAmount === undefined) {
    throw invalidRequest(
      'You must specify either `amount`, `price`, `price_data`, `unit_amount`, or `unit_amount_decimal`.',
      {
        code: 'parameter_missing',
        param: 'amount',
      },
    );
  }
  draft.quantity = quantity;
  draft.unit_amount = unitAmount;
  draft.unit_amount_decimal = String(unitAmount);
}

/** The invoice an invoice item belongs to, when it is attached to one. */
function invoiceOf(ctx: Ctx, item: Entry): Entry | undefined {
  const invoice = item.data.invoice;
  return typeof invoice === 'string' ? ctx.find(invoice, ['invoice']) : undefined;
}

/**
 * Refuses tax rates on an item of an invoice taxed automatically, as Stripe does: Stripe Tax, not
 * the item's rates, taxes such an invoice's lines (money/invoice-lines.ts `automaticTax`).
 */
function refuseRatesUnderAutomaticTax(invoice: Entry, rates: Json | undefined): void {
  const automatic = isObject(invoice.data.automatic_tax) ? invoice.data.automatic_tax : {};
  if (automatic.enabled === true && Array.isArray(rates) && rates.length > 0)
    throw invalidRequest(
      `Invoice ${invoice.id} is taxed automatically (automatic_tax[enabled]): its items cannot have tax rates.`,
      { param: 'tax_rates' },
    );
}

export const invoiceItemRules: RuleBook = {
  invoiceitem: {
    // `pending=true`: the items no invoice has taken yet (`false`: the others).
    listFilter(name, value) {
      if (name !== 'pending' || typeof value !== 'boolean') return undefined;
      return (entry) => (typeof entry.data.invoice !== 'string') === value;
    },
    beforeCreate(ctx, draft, { params }) {
      const customer = ctx.require(String(params.customer), ['customer'], 'customer', 400);
      priceInvoiceItem(ctx, draft, params);
      if (typeof params.currency !== 'string' && typeof draft.price !== 'object')
        draft.currency = customer.data.currency ?? 'usd';
      if (draft.currency === null || draft.currency === '') draft.currency = 'usd';
      draft.date = ctx.now;
      draft.period ??= period(ctx.now, ctx.now);
      draft.discountable = params.discountable ?? true;
      for (const key of [
        'description',
        'discounts',
        'invoice',
        'price',
        'subscription',
        'tax_rates',
        'test_clock',
      ]) {
        draft[key] ??= key === 'discounts' || key === 'tax_rates' ? [] : null;
      }
      draft.tax_rates = taxRatesParam(ctx, params.tax_rates, 'tax_rates') ?? [];
      if (typeof params.invoice === 'string') {
        const invoice = ctx.require(params.invoice, ['invoice'], 'invoice', 400);
        requireDraft(invoice, 'add items to');
        refuseRatesUnderAutomaticTax(invoice, draft.tax_rates);
      }
    },
    afterCreate(ctx, entry) {
      const invoice = invoiceOf(ctx, entry);
      if (!invoice) return;
      lineFromItem(ctx, invoice.id, entry);
      recomputeTotals(ctx, invoice);
    },
    beforeUpdate(ctx, draft, params, entry) {
      const invoice = invoiceOf(ctx, entry);
      if (invoice) requireDraft(invoice, 'update items on');
      const rates = taxRatesParam(ctx, params.tax_rates, 'tax_rates');
      if (rates) draft.tax_rates = rates;
      if (invoice && rates) refuseRatesUnderAutomaticTax(invoice, rates);
      if (['amount', 'price', 'price_data', 'quantity', 'unit_amount'].some((k) => params[k] !== undefined)) {
        priceInvoiceItem(ctx, draft, params, entry);
      }
    },
    afterUpdate(ctx, entry) {
      const invoice = invoiceOf(ctx, entry);
      if (!invoice) return;
      for (const line of ctx.children(invoice, ['line_item']))
        if (line.data.invoice_item === entry.id) ctx.remove(line);
      lineFromItem(ctx, invoice.id, entry);
      recomputeTotals(ctx, invoice);
    },
    beforeDelete(ctx, entry) {
      const invoice = invoiceOf(ctx, entry);
      if (!invoice) return;
      requireDraft(invoice, 'delete items from');
      for (const line of ctx.children(invoice, ['line_item']))
        if (line.data.invoice_item === entry.id) ctx.remove(line);
      recomputeTotals(ctx, invoice);
    },
  },
  line_item: { ascending: true },
};
