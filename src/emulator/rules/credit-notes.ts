/**
 * Credit notes: only on open or paid invoices. The lines (`invoice_line_item` lines credit part
 * or all of an invoice line, `custom_line_item` lines an amount of their own), or `amount`, make
 * the total; the note takes the invoice's customer and currency and a number after the invoice's.
 * On an open invoice (`pre_payment`) it lowers what is due; on a paid one (`post_payment`) it goes
 * to the customer's credit balance (`credit_amount`, the rest unless refunded or out of band; the
 * three add up to the total); `refund_amount` refunds that much of the invoice's charge, the note
 * naming the refund.
 * `void` voids an issued note (`credit_note.voided`), giving back what it took off.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { creditNotePdfUrl } from '../hosted/credit-note.ts';
import { linesOf } from '../money/invoice-lines.ts';

interface NoteLine {
  fields: JsonObject;
  amount: number;
}

function noteLines(ctx: Ctx, invoice: Entry, params: JsonObject): NoteLine[] {
  const lines = Array.isArray(params.lines) ? params.lines.filter(isObject) : [];
  const invoiceLines = linesOf(ctx, invoice);
  return lines.map((line, i) => {
    const quantity = typeof line.quantity === 'number' ? line.quantity : 1;
    if (line.type === 'custom_line_item') {
      const unit = Number(line.unit_amount ?? 0);
      const amount = unit * quantity;
      return {
        amount,
        fields: {
          description: line.description ?? null,
          invoice_line_item: null,
          quantity,
          type: 'custom_line_item',
          unit_amount: unit,
          unit_amount_decimal: String(unit),
        },
      };
    }
    const source = invoiceLines.find((l) => l.id === line.invoice_line_item);
    if (!source) {
      throw invalidRequest(`Invalid invoice line item: ${String(line.invoice_line_item)}`, {
        param: `lines[${i}][invoice_line_item]`,
      });
    }
    const sourceQuantity = Number(source.data.quantity ?? 1) || 1;
    const unit = Math.round(Number(source.data.amount ?? 0) / sourceQuantity);
    const amount = typeof line.amount === 'number' ? line.amount : unit * quantity;
    return {
      amount,
      fields: {
        description: source.data.description ?? null,
        invoice_line_item: source.id,
        quantity,
        type: 'invoice_line_item',
        unit_amount: unit,
        unit_amount_decimal: String(unit),
      },
    };
  });
}

/**
 * What a note on `params.invoice` comes to (its fields and lines), refused when it credits nothing
 * (but as a `preview` asking for nothing yet) or past what the invoice can still be credited: what remains due on an open invoice, what was paid less the notes already
 * issued on a paid one.
 */
function composeNote(
  ctx: Ctx,
  params: JsonObject,
  id: string,
  preview = false,
): { fields: JsonObject; lines: NoteLine[] } {
  const invoice = ctx.require(String(params.invoice), ['invoice'], 'invoice', 400);
  const status = String(invoice.data.status);
  if (status !== 'open' && status !== 'paid') {
    throw invalidRequest(
      `You can only create credit notes on open or paid invoices. This invoice is ${status}.`,
      { param: 'invoice' },
    );
  }
  const lines = noteLines(ctx, invoice, params);
  const total = lines.length > 0 ? lines.reduce((sum, l) => sum + l.amount, 0) : Number(params.amount ?? 0);
  const limit =
    status === 'open'
      ? Number(invoice.data.amount_remaining ?? 0)
      : Number(invoice.data.amount_paid ?? 0) - Number(invoice.data.post_payment_credit_notes_amount ?? 0);
  // A preview that asks for nothing yet (no lines, no amount) comes to nothing.
  const empty = preview && lines.length === 0 && params.amount === undefined;
  if ((total <= 0 && !empty) || total > limit) {
    throw invalidRequest(
      `The credit note's total (${total}) must be positive and at most what the invoice can still be credited: its ${status === 'open' ? 'amount remaining' : 'amount paid less its credit notes'} (${limit}).`,
      { param: lines.length > 0 ? 'lines' : 'amount' },
    );
  }
  if (status === 'paid' && !empty) requireSettled(params, total);
  const count = ctx.children(invoice, ['credit_note']).length;
  const fields: JsonObject = {
    amount: total,
    amount_shipping: 0,
    currency: invoice.data.currency ?? 'usd',
    customer: invoice.data.customer ?? null,
    customer_balance_transaction: null,
    discount_amount: 0,
    discount_amounts: [],
    // When the note takes effect: as given (it dates the PDF), else when it is issued.
    effective_at: typeof params.effective_at === 'number' ? params.effective_at : ctx.now,
    invoice: invoice.id,
    memo: params.memo ?? null,
    number: `${String(invoice.data.number ?? invoice.id)}-CN-${String(count + 1).padStart(2, '0')}`,
    out_of_band_amount: typeof params.out_of_band_amount === 'number' ? params.out_of_band_amount : null,
    pdf: creditNotePdfUrl(ctx, id),
    reason: params.reason ?? null,
    refund: params.refund ?? null,
    shipping_cost: null,
    status: 'issued',
    subtotal: total,
    subtotal_excluding_tax: total,
    tax_amounts: [],
    total,
    total_excluding_tax: total,
    type: status === 'open' ? 'pre_payment' : 'post_payment',
    voided_at: null,
  };
  return { fields, lines };
}

/**
 * A paid invoice's note settles its total as refund (`refund_amount`), customer balance credit
 * (`credit_amount`, else the rest) and credit outside Stripe (`out_of_band_amount`): Stripe
 * requires the three to add up to the total.
 */
function requireSettled(params: JsonObject, total: number): void {
  const amount = (name: string) => (typeof params[name] === 'number' ? Number(params[name]) : 0);
  const [refund, outside] = [amount('refund_amount'), amount('out_of_band_amount')];
  const credit = typeof params.credit_amount === 'number' ? params.credit_amount : total - refund - outside;
  if (credit >= 0 && refund + credit + outside === total) return;
  throw invalidRequest(
    `The refund (${refund}), credit (${credit}) and out of band (${outside}) amounts of a paid invoice's credit note must add up to its total (${total}).`,
    { param: typeof params.credit_amount === 'number' ? 'credit_amount' : 'refund_amount' },
  );
}

/** A note's line (not stored). */
const lineOf = (ctx: Ctx, line: NoteLine): JsonObject =>
  ctx.build('credit_note_line_item', {
    amount: line.amount,
    amount_excluding_tax: line.amount,
    discount_amount: 0,
    discount_amounts: [],
    tax_amounts: [],
    tax_rates: [],
    unit_amount_excluding_tax: String(line.fields.unit_amount ?? line.amount),
    ...line.fields,
  });

/** `/v1/credit_notes/preview`: the note `params` would issue, with its lines, stored nowhere. */
function previewNote(ctx: Ctx, params: JsonObject): JsonObject {
  const draft = ctx.build('credit_note');
  ctx.apply('credit_note', draft, params, false);
  const { fields, lines } = composeNote(ctx, params, String(draft.id), true);
  const url = '/v1/credit_notes/preview/lines';
  return {
    ...draft,
    ...fields,
    lines: { object: 'list', data: lines.map((line) => lineOf(ctx, line)), has_more: false, url },
  };
}

export const creditNoteRules: RuleBook = {
  credit_note: {
    beforeCreate(ctx, draft, { params }) {
      const { fields, lines } = composeNote(ctx, params, String(draft.id));
      Object.assign(draft, fields);
      pendingLines.set(String(draft.id), lines);
    },
    singleton(ctx, route, _parents, params) {
      return route.op.path === '/v1/credit_notes/preview' ? previewNote(ctx, params) : undefined;
    },
    afterCreate(ctx, entry, { params }) {
      refundPart(ctx, entry, params);
      const lines = pendingLines.get(entry.id) ?? [];
      pendingLines.delete(entry.id);
      for (const line of lines) ctx.insert('credit_note_line_item', lineOf(ctx, line), { parent: entry.id });
      adjust(ctx, ctx.current(entry), 1);
    },
    actions: {
      void(ctx, entry) {
        if (entry.data.status !== 'issued')
          throw invalidRequest(`This credit note is already ${String(entry.data.status)}.`);
        adjust(ctx, entry, -1);
        return ctx.set(entry, { status: 'void', voided_at: ctx.now });
      },
    },
  },
};

/**
 * `refund_amount` on a paid invoice's note without a `refund` to link: the money goes back to the
 * card, a refund of the invoice's charge, which the note names.
 */
function refundPart(ctx: Ctx, note: Entry, params: JsonObject): void {
  const amount = typeof params.refund_amount === 'number' ? params.refund_amount : 0;
  if (note.data.type !== 'post_payment' || amount <= 0 || typeof params.refund === 'string') return;
  const invoice = ctx.find(String(note.data.invoice), ['invoice']);
  const charge = invoice?.data.charge;
  if (typeof charge !== 'string')
    throw invalidRequest('This invoice was not paid by a charge, so there is nothing to refund.', {
      param: 'refund_amount',
    });
  const refund = ctx.ops.createResource(ctx, 'refund', { charge, amount });
  ctx.set(note, { refund: refund.id });
}

/** Lines parsed in `beforeCreate`, stored once the note has its entry. */
const pendingLines = new Map<string, NoteLine[]>();

/** What a note takes off its invoice (`sign` 1) or gives back when voided (-1). */
function adjust(ctx: Ctx, note: Entry, sign: 1 | -1): void {
  const invoice = ctx.find(String(note.data.invoice), ['invoice']);
  if (!invoice) return;
  const total = Number(note.data.total ?? 0) * sign;
  const credited = Number(invoice.data.post_payment_credit_notes_amount ?? 0);
  const pre = Number(invoice.data.pre_payment_credit_notes_amount ?? 0);
  if (note.data.type === 'pre_payment') {
    ctx.set(invoice, {
      amount_due: Math.max(0, Number(invoice.data.amount_due ?? 0) - total),
      amount_remaining: Math.max(0, Number(invoice.data.amount_remaining ?? 0) - total),
      pre_payment_credit_notes_amount: pre + total,
    });
    return;
  }
  ctx.set(invoice, { post_payment_credit_notes_amount: credited + total });
  const refund = typeof note.data.refund === 'string' ? ctx.find(note.data.refund, ['refund']) : undefined;
  const refunded = note.data.refund
    ? Math.min(Number(refund?.data.amount ?? note.data.total ?? 0), Number(note.data.total ?? 0))
    : 0;
  const credit = (Number(note.data.total ?? 0) - refunded - Number(note.data.out_of_band_amount ?? 0)) * sign;
  const customer = ctx.find(String(note.data.customer), ['customer']);
  if (!customer || credit === 0) return;
  const balance = Number(customer.data.balance ?? 0) - credit;
  ctx.set(customer, { balance });
  const transaction = ctx.insert(
    'customer_balance_transaction',
    ctx.build('customer_balance_transaction', {
      amount: -credit,
      credit_note: note.id,
      currency: note.data.currency ?? 'usd',
      customer: customer.id,
      description: null,
      ending_balance: balance,
      invoice: invoice.id,
      metadata: {},
      type: 'credit_note',
    }),
    { parent: customer.id },
  );
  if (sign === 1) ctx.set(note, { customer_balance_transaction: transaction.id });
}
