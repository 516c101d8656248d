/**
 * Invoices (their items: `invoice-items.ts`; their lines and totals: money/invoice-lines.ts).
 *
 * - A new invoice pulls in the customer's pending invoice items as `line_item` lines when asked
 *   (`pending_invoice_items_behavior=include`; Stripe's default is `exclude`); `subtotal`,
 *   `total`, `amount_due` and `amount_remaining` follow the lines.
 * - `finalize` moves a draft to `open` (numbered from the customer's prefix; a zero invoice is
 *   paid at once; otherwise it gets its PaymentIntent), `pay` charges the customer's default
 *   source through that PaymentIntent (a declining card is Stripe's 402, the invoice stays open
 *   and the PaymentIntent returns to `requires_payment_method`; no source at all is a 400), `void` and `mark_uncollectible` close an open invoice (an
 *   uncollectible one can still be paid or voided); only drafts can be deleted.
 * - Paid from a bank account (a `us_bank_account` PaymentMethod: ACH), the invoice's PaymentIntent
 *   is confirmed with it and `processing`, and the invoice stays `open` (attempted) until the debit
 *   settles on its fourth business day (rules/bank-debits.ts): then `paid`, or, the debit failed,
 *   an attempt that failed (`invoice.payment_failed`), retried as a card's decline is (dunning.ts).
 * - Paying a subscription's latest invoice (or confirming its PaymentIntent) makes an `incomplete`
 *   or `past_due` subscription `active`.
 * - A destination (`transfer_data[destination]`) given on create or update must be able to receive
 *   transfers then (`checkTransferDestination`), as a destination charge's.
 * - With `automatic_tax[enabled]` Stripe Tax taxes the lines (money/invoice-lines.ts); a draft
 *   whose customer it cannot place (`requires_location_inputs`) cannot be finalized or paid.
 */

import type { Ctx } from '../engine/context.ts';
import { minimumCharge } from '../engine/currency.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { invoicePageUrl, invoicePdfUrl } from '../hosted/invoice.ts';
import { discountFields, discountFor } from '../money/discounts.ts';
import {
  invoiceDefaults,
  lineFromItem,
  recomputeTotals,
  repriceDraft,
  repricesDraft,
  requireDraft,
} from '../money/invoice-lines.ts';
import { clockTime } from '../money/periods.ts';
import { taxRatesParam } from '../money/taxes.ts';
import type { Decline } from '../money/tokens.ts';
import { upcomingInvoice } from '../money/upcoming-invoice.ts';
import { isBankDebit } from './bank-debits.ts';
import { checkTransferDestination, destinationOf, recordCharge } from './charges.ts';
import { declineError } from './payment-sources.ts';

/**
 * Refuses to finalize (or pay) a draft whose automatic tax cannot place its customer, as Stripe
 * does (its code, `customer_tax_location_invalid`): there is no tax to charge until the address
 * does. (A subscription's invoices are refused earlier: the subscription cannot enable automatic
 * tax for such a customer.)
 */
function requireTaxLocation(ctx: Ctx, invoice: Entry): Entry {
  if (invoice.data.status !== 'draft') return invoice;
  const entry = recomputeTotals(ctx, invoice);
  const automatic = isObject(entry.data.automatic_tax) ? entry.data.automatic_tax : {};
  if (automatic.enabled !== true || automatic.status !== 'requires_location_inputs') return entry;
  throw invalidRequest(
    "Automatic tax cannot be calculated: the customer's address does not say where they are taxed (a country, and a postal code in the US). Update the customer's address, or disable automatic tax on this invoice.",
    { code: 'customer_tax_location_invalid' },
  );
}

/**
 * Finalizes a draft: number, URLs, status `open` (or `paid` when nothing is due). `paidBy`, a
 * payment already made for it (Checkout's invoice of a payment), pays it at once, as it is: no
 * balance applied, no PaymentIntent of its own.
 */
export function finalizeInvoice(ctx: Ctx, invoice: Entry, paidBy?: Entry): Entry {
  if (invoice.data.status !== 'draft') {
    throw invalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.", {
      code: 'invoice_not_editable',
    });
  }
  let entry = recomputeTotals(ctx, invoice);
  let number: Json = null;
  const customerId = entry.data.customer;
  const customer = typeof customerId === 'string' ? ctx.find(customerId, ['customer']) : undefined;
  if (customer) {
    const sequence = Number(customer.data.next_invoice_sequence ?? 1);
    number = `${String(customer.data.invoice_prefix ?? 'INV')}-${String(sequence).padStart(4, '0')}`;
    ctx.set(customer, { next_invoice_sequence: sequence + 1 });
    if (!paidBy) entry = applyBalance(ctx, entry, ctx.current(customer));
  }
  const transitions = isObject(entry.data.status_transitions) ? entry.data.status_transitions : {};
  entry = ctx.set(entry, {
    effective_at: ctx.now,
    hosted_invoice_url: invoicePageUrl(ctx, entry.id),
    invoice_pdf: invoicePdfUrl(ctx, entry.id),
    number,
    status: 'open',
    status_transitions: { ...transitions, finalized_at: ctx.now },
  });
  if (paidBy) {
    const charge = paidBy.data.latest_charge;
    return markPaid(
      ctx,
      ctx.set(entry, { payment_intent: paidBy.id }),
      typeof charge === 'string' ? charge : null,
    );
  }
  const due = Number(entry.data.amount_due);
  if (due === 0) entry = markPaid(ctx, entry, null);
  else if (
    due < minimumCharge(String(entry.data.currency ?? 'usd')) &&
    entry.data.collection_method !== 'send_invoice' &&
    customer
  ) {
    // Below the minimum charge: paid now, the amount carried to the customer's balance.
    carry(ctx, ctx.current(customer), entry, due);
    entry = ctx.set(markPaid(ctx, entry, null), {
      amount_paid: 0,
      ending_balance: Number(entry.data.ending_balance ?? 0) + due,
    });
  }
  if (entry.data.status === 'open') entry = withPaymentIntent(ctx, entry);
  return entry;
}

/**
 * The PaymentIntent a finalized invoice is paid through (Stripe makes one for every open invoice
 * with an amount due): paying the invoice confirms it, voiding or paying out of band cancels it.
 */
function withPaymentIntent(ctx: Ctx, invoice: Entry): Entry {
  const amount = Number(invoice.data.amount_due);
  const intent = ctx.ops.createResource(ctx, 'payment_intent', {
    amount,
    currency: String(invoice.data.currency ?? 'usd'),
    ...(typeof invoice.data.customer === 'string' ? { customer: invoice.data.customer } : {}),
    description: `Payment for Invoice ${String(invoice.data.number ?? invoice.id)}`,
    payment_method_types: ['card'],
    ...paymentConnectTerms(invoice, amount),
  });
  ctx.set(intent, { invoice: invoice.id });
  return ctx.set(invoice, { payment_intent: intent.id });
}

/**
 * What a Connect invoice (a subscription's `transfer_data`, `on_behalf_of`, fee) asks of its
 * payment: a destination charge, whose transfer and application fee the charge's rules make when
 * it is paid. The transfer's amount and the fee are at most what is due (a balance applied may
 * have lowered it below the total they were computed from).
 */
function paymentConnectTerms(invoice: Entry, due: number): JsonObject {
  const { on_behalf_of: onBehalfOf, transfer_data: transfer, application_fee_amount: fee } = invoice.data;
  const terms: JsonObject = {};
  if (typeof onBehalfOf === 'string') terms.on_behalf_of = onBehalfOf;
  if (isObject(transfer) && typeof transfer.destination === 'string') {
    terms.transfer_data = {
      destination: transfer.destination,
      ...(typeof transfer.amount === 'number' ? { amount: Math.min(transfer.amount, due) } : {}),
    };
  }
  if (typeof fee === 'number' && fee > 0) terms.application_fee_amount = Math.min(fee, due);
  return terms;
}

/** The invoice's PaymentIntent while it can still be confirmed or canceled. */
function openIntent(ctx: Ctx, invoice: Entry): Entry | undefined {
  const id = invoice.data.payment_intent;
  const intent = typeof id === 'string' ? ctx.find(id, ['payment_intent']) : undefined;
  return intent && !['succeeded', 'canceled'].includes(String(intent.data.status)) ? intent : undefined;
}

/** Cancels the invoice's PaymentIntent once nothing will be paid through it. */
function cancelIntent(ctx: Ctx, invoice: Entry): void {
  const intent = openIntent(ctx, invoice);
  if (intent)
    ctx.set(intent, { status: 'canceled', canceled_at: ctx.now, cancellation_reason: 'void_invoice' });
}

/**
 * The customer's balance at finalization: a credit (negative) reduces the amount due, a debit adds
 * to it; `starting_balance`/`ending_balance` record it and the customer keeps what is left.
 */
function applyBalance(ctx: Ctx, invoice: Entry, customer: Entry): Entry {
  const balance = Number(customer.data.balance ?? 0);
  if (balance === 0) return ctx.set(invoice, { starting_balance: 0, ending_balance: 0 });
  const total = Number(invoice.data.total ?? 0);
  const applied = balance < 0 ? Math.max(balance, -total) : balance;
  const entry = recomputeTotals(ctx, ctx.set(invoice, { starting_balance: applied }));
  const ending = balance - applied;
  carry(ctx, customer, entry, -applied, 'applied_to_invoice');
  return ctx.set(entry, { starting_balance: balance, ending_balance: ending });
}

/** Moves `amount` to the customer's balance, recorded as a customer balance transaction. */
function carry(ctx: Ctx, customer: Entry, invoice: Entry, amount: number, type = 'applied_to_invoice'): void {
  if (amount === 0) return;
  const ending = Number(customer.data.balance ?? 0) + amount;
  ctx.set(customer, { balance: ending });
  ctx.insert(
    'customer_balance_transaction',
    ctx.build('customer_balance_transaction', {
      amount,
      credit_note: null,
      currency: invoice.data.currency ?? 'usd',
      customer: customer.id,
      description: null,
      ending_balance: ending,
      invoice: invoice.id,
      metadata: {},
      type,
    }),
    { parent: customer.id },
  );
}

function markPaid(ctx: Ctx, invoice: Entry, charge: string | null, outOfBand = false): Entry {
  const transitions = isObject(invoice.data.status_transitions) ? invoice.data.status_transitions : {};
  const entry = ctx.set(invoice, {
    amount_paid: invoice.data.amount_due ?? 0,
    amount_remaining: 0,
    attempt_count: Number(invoice.data.attempt_count ?? 0) + (charge ? 1 : 0),
    attempted: true,
    charge,
    next_payment_attempt: null,
    paid: true,
    paid_out_of_band: outOfBand,
    status: 'paid',
    status_transitions: { ...transitions, paid_at: ctx.now },
  });
  activateSubscription(ctx, entry);
  return entry;
}

/**
 * A subscription waiting on this invoice (its latest) is `active` once it is paid: an `incomplete`
 * one whose first payment failed or was left to the client, or a `past_due` one.
 */
function activateSubscription(ctx: Ctx, invoice: Entry): void {
  const id = invoice.data.subscription;
  const subscription = typeof id === 'string' ? ctx.find(id, ['subscription']) : undefined;
  if (!subscription || subscription.data.latest_invoice !== invoice.id) return;
  if (['incomplete', 'past_due'].includes(String(subscription.data.status)))
    ctx.set(subscription, { status: 'active' });
}

/**
 * An invoice whose PaymentIntent was confirmed directly (as the hosted invoice page or a client
 * does) is paid by that PaymentIntent's charge.
 */
export function paidByIntent(ctx: Ctx, invoiceId: string, charge: string): void {
  const invoice = ctx.find(invoiceId, ['invoice']);
  if (invoice?.data.status === 'open') markPaid(ctx, invoice, charge);
}

/**
 * What an invoice is paid with: `source` or `payment_method`, else the default of the invoice, its
 * subscription or its customer; a card (`card` its details), or a bank account to debit.
 */
function paymentInstrument(
  ctx: Ctx,
  invoice: Entry,
  params: JsonObject,
): { card: JsonObject; id: string; method: Entry } | undefined {
  const customer =
    typeof invoice.data.customer === 'string' ? ctx.find(invoice.data.customer, ['customer']) : undefined;
  // A source or PaymentMethod named in the request must exist: Stripe never falls back from it.
  if (typeof params.payment_method === 'string' && params.payment_method !== '')
    ctx.require(params.payment_method, ['payment_method'], 'payment_method', 400);
  if (typeof params.source === 'string' && params.source !== '')
    ctx.require(params.source, ['source', 'card', 'payment_method'], 'source', 400);
  const subscription =
    typeof invoice.data.subscription === 'string'
      ? ctx.find(invoice.data.subscription, ['subscription'])
      : undefined;
  const candidates = [
    params.source,
    params.payment_method,
    invoice.data.default_source,
    invoice.data.default_payment_method,
    subscription?.data.default_payment_method,
    subscription?.data.default_source,
    customer?.data.default_source,
    isObject(customer?.data.invoice_settings)
      ? customer.data.invoice_settings.default_payment_method
      : undefined,
  ];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string' || candidate === '') continue;
    const found = ctx.find(candidate, ['card', 'payment_method', 'source']);
    if (!found) continue;
    if (isBankDebit(found)) return { card: {}, id: found.id, method: found };
    const card = found.resource === 'payment_method' ? found.data.card : found.data;
    if (isObject(card)) return { card, id: found.id, method: found };
  }
  return undefined;
}

/**
 * Pays an open invoice: out of band, or by charging its payment source. With nothing to charge,
 * `pay` is an error; Stripe's own collection (`requireSource` false: a subscription's invoice, a
 * draft it advances) leaves the invoice open, unpaid, for the customer to pay later.
 */
export function payInvoice(ctx: Ctx, invoice: Entry, params: JsonObject, requireSource = true): Entry {
  let entry = invoice;
  if (entry.data.status === 'draft') entry = finalizeInvoice(ctx, entry);
  if (entry.data.status === 'paid') {
    if (entry.id !== invoice.id || invoice.data.status === 'draft') return entry;
    throw invalidRequest('Invoice is already paid');
  }
  // An invoice written off as uncollectible can still be paid.
  if (!['open', 'uncollectible'].includes(String(entry.data.status))) {
    throw invalidRequest(
      `You can only pay open or uncollectible invoices. This invoice is ${String(entry.data.status)}.`,
    );
  }
  if (params.paid_out_of_band === true) {
    cancelIntent(ctx, entry);
    return markPaid(ctx, entry, null, true);
  }
  const amount = Number(entry.data.amount_due ?? 0);
  const payment = paymentInstrument(ctx, entry, params);
  if (!payment) {
    if (!requireSource) return entry;
    throw invalidRequest(
      'This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://stripe.com/docs/billing/migration/invoice-api-v1-payment-methods.',
    );
  }
  const intent = openIntent(ctx, entry);
  if (intent && isBankDebit(payment.method)) return startDebit(ctx, entry, intent, payment.method);
  const { charge, decline } = recordCharge(ctx, {
    amount,
    currency: entry.data.currency ?? 'usd',
    customer: typeof entry.data.customer === 'string' ? entry.data.customer : null,
    card: payment.card,
    paymentMethod: payment.id,
    invoice: entry.id,
    description: `Payment for Invoice ${String(entry.data.number ?? entry.id)}`,
    ...(intent ? { paymentIntent: intent.id } : {}),
    // A Connect invoice's payment is a destination charge (its transfer and fee made with it).
    extra: destinationOf(ctx, intent ? intent.data : paymentConnectTerms(entry, amount)),
  });
  if (intent) settleIntent(ctx, intent, charge, payment.id, decline);
  if (decline) {
    ctx.set(entry, {
      attempted: true,
      attempt_count: Number(entry.data.attempt_count ?? 0) + 1,
      charge: charge.id,
    });
    throw declineError(decline, { charge: charge.id });
  }
  return markPaid(ctx, entry, charge.id);
}

/** The invoice's PaymentIntent after its charge: succeeded, or back to a payment method with the error. */
function settleIntent(
  ctx: Ctx,
  intent: Entry,
  charge: Entry,
  method: string,
  decline: Decline | undefined,
): void {
  if (!decline) {
    ctx.set(intent, {
      amount_received: Number(charge.data.amount ?? 0),
      last_payment_error: null,
      latest_charge: charge.id,
      payment_method: method,
      status: 'succeeded',
    });
    return;
  }
  ctx.set(intent, {
    latest_charge: charge.id,
    last_payment_error: {
      charge: charge.id,
      code: decline.code,
      decline_code: decline.decline_code,
      message: decline.message,
      type: 'card_error',
    },
    payment_method: null,
    status: 'requires_payment_method',
  });
}

/**
 * An invoice paid from a bank account (ACH) is paid by its PaymentIntent's debit: the intent
 * confirmed with it is `processing` (or waits for the account's microdeposits) and the invoice
 * stays `open` until the debit settles (rules/bank-debits.ts pays it then, or fails it).
 */
function startDebit(ctx: Ctx, invoice: Entry, intent: Entry, method: Entry): Entry {
  const types = Array.isArray(intent.data.payment_method_types) ? intent.data.payment_method_types : [];
  if (!types.includes('us_bank_account') && !restrictsTypes(invoice))
    ctx.set(intent, { payment_method_types: [...types, 'us_bank_account'] });
  ctx.ops.runAction(ctx, ctx.current(intent), 'confirm', { payment_method: method.id, off_session: true });
  return ctx.set(ctx.current(invoice), { attempted: true });
}

/** Whether the invoice names the payment method types it takes (`payment_settings`). */
function restrictsTypes(invoice: Entry): boolean {
  const settings = isObject(invoice.data.payment_settings) ? invoice.data.payment_settings : {};
  return Array.isArray(settings.payment_method_types);
}

/** Whether the invoice's payment is under way: its PaymentIntent's debit not settled yet. */
export function paymentProcessing(ctx: Ctx, invoice: Entry): boolean {
  return openIntent(ctx, invoice)?.data.status === 'processing';
}

/**
 * The debit paying an invoice failed: an attempt that failed (`invoice.payment_failed`), the
 * invoice still open; an `active` subscription it renews is `past_due`.
 */
export function debitFailed(ctx: Ctx, invoiceId: string, charge: string): Entry | undefined {
  const invoice = ctx.find(invoiceId, ['invoice']);
  if (invoice?.data.status !== 'open') return undefined;
  const failed = ctx.set(invoice, {
    attempted: true,
    attempt_count: Number(invoice.data.attempt_count ?? 0) + 1,
    charge,
  });
  const id = failed.data.subscription;
  const subscription = typeof id === 'string' ? ctx.find(id, ['subscription']) : undefined;
  if (subscription?.data.latest_invoice === failed.id && subscription.data.status === 'active')
    ctx.set(subscription, { status: 'past_due' });
  return failed;
}

/** Voids an invoice or marks it uncollectible, by Stripe's rules for each. */
export function closeInvoice(ctx: Ctx, entry: Entry, status: 'void' | 'uncollectible'): Entry {
  // An uncollectible invoice can still be voided (Stripe's rule); only open ones become uncollectible.
  const allowed = status === 'void' ? ['open', 'uncollectible'] : ['open'];
  if (!allowed.includes(String(entry.data.status))) {
    throw invalidRequest(
      status === 'void'
        ? `You can only void open or uncollectible invoices. This invoice is ${String(entry.data.status)}.`
        : `You can only mark open invoices as uncollectible. This invoice is ${String(entry.data.status)}.`,
    );
  }
  const transitions = isObject(entry.data.status_transitions) ? entry.data.status_transitions : {};
  const at = status === 'void' ? 'voided_at' : 'marked_uncollectible_at';
  const closed = ctx.set(entry, {
    amount_remaining: status === 'void' ? 0 : (entry.data.amount_remaining ?? 0),
    // Closed: no retry of its payment (rules/dunning.ts) is left.
    next_payment_attempt: null,
    status,
    status_transitions: { ...transitions, [at]: ctx.now },
  });
  if (status === 'void') cancelIntent(ctx, closed);
  return closed;
}

/**
 * Runs an action on a test clock's invoice (or quote) at the clock's time (what it stamps and
 * records).
 */
export function atClock(ctx: Ctx, invoice: Entry, run: () => Entry): Entry {
  const time = clockTime(ctx, invoice.data.test_clock);
  return time === undefined ? run() : ctx.at(time, run);
}

/** Puts the customer's pending invoice items (of the invoice's subscription, if any) on a new invoice. */
function pullPending(ctx: Ctx, entry: Entry, customer: Entry): void {
  const pending = ctx
    .children(customer, ['invoiceitem'])
    .filter((item) => item.data.invoice === null || item.data.invoice === undefined)
    .filter(
      (item) =>
        !entry.data.subscription ||
        !item.data.subscription ||
        item.data.subscription === entry.data.subscription,
    )
    .reverse();
  for (const item of pending) {
    const attached = ctx.set(item, { invoice: entry.id });
    lineFromItem(ctx, entry.id, attached);
  }
}

export const invoiceRules: RuleBook = {
  invoice: {
    beforeCreate(ctx, draft, { params }) {
      const customerId = typeof params.customer === 'string' ? params.customer : undefined;
      const subscription =
        typeof params.subscription === 'string'
          ? ctx.require(params.subscription, ['subscription'], 'subscription', 400)
          : undefined;
      const resolvedCustomer =
        customerId ??
        (typeof subscription?.data.customer === 'string' ? subscription.data.customer : undefined);
      if (!resolvedCustomer)
        throw invalidRequest('Missing required param: customer.', {
          code: 'parameter_missing',
          param: 'customer',
        });
      const customer = ctx.require(resolvedCustomer, ['customer'], 'customer', 400);
      // Its destination must be able to take the transfer now, as a destination charge's, not
      // once the invoice is paid.
      checkTransferDestination(ctx, params);
      const given = { ...draft };
      Object.assign(draft, invoiceDefaults(ctx, customer), given, { customer: customer.id, status: 'draft' });
      // A test clock's customer lives at the clock's time.
      const clocked = clockTime(ctx, customer.data.test_clock);
      const now = clocked ?? ctx.now;
      if (clocked !== undefined) Object.assign(draft, { created: now, test_clock: customer.data.test_clock });
      if (draft.collection_method === 'send_invoice') {
        const days = typeof params.days_until_due === 'number' ? params.days_until_due : 30;
        draft.due_date = typeof params.due_date === 'number' ? params.due_date : now + days * 86_400;
      }
      if (subscription) draft.subscription = subscription.id;
      draft.default_tax_rates = taxRatesParam(ctx, params.default_tax_rates, 'default_tax_rates') ?? [];
      Object.assign(
        draft,
        discountFields(
          discountFor(ctx, params, { customer: customer.id, invoice: String(draft.id) }) ?? null,
        ),
      );
      if (params.auto_advance === undefined) draft.auto_advance = draft.collection_method !== 'send_invoice';
    },
    // Pending items join when asked; the totals (and automatic tax's status) follow.
    afterCreate(ctx, entry, { params }) {
      const customer = ctx.find(String(entry.data.customer), ['customer']);
      if (params.pending_invoice_items_behavior === 'include' && customer) pullPending(ctx, entry, customer);
      if (params.pending_invoice_items_behavior === 'include' || params.automatic_tax !== undefined)
        recomputeTotals(ctx, entry);
    },
    // A draft's new tax rates or discount re-price its lines, as on create; a new destination is
    // checked as on create.
    beforeUpdate(ctx, draft, params, entry) {
      checkTransferDestination(ctx, params);
      repriceDraft(ctx, draft, params, entry);
    },
    afterUpdate(ctx, entry, params) {
      if (repricesDraft(params)) recomputeTotals(ctx, entry);
    },
    beforeDelete(ctx, entry) {
      requireDraft(entry, 'delete');
      for (const line of ctx.children(entry, ['line_item'])) ctx.remove(line);
      for (const item of ctx.scope.referencing(entry.id)) {
        if (item.resource === 'invoiceitem' && item.data.invoice === entry.id)
          ctx.set(item, { invoice: null });
      }
    },
    singleton(ctx, route, _parents, params) {
      if (!route.op.path.endsWith('/upcoming')) return undefined;
      return upcomingInvoice(ctx, params);
    },
    actions: {
      finalize: (ctx, entry) =>
        atClock(ctx, entry, () => finalizeInvoice(ctx, requireTaxLocation(ctx, entry))),
      pay: (ctx, entry, params) =>
        atClock(ctx, entry, () => payInvoice(ctx, requireTaxLocation(ctx, entry), params)),
      void: (ctx, entry) => atClock(ctx, entry, () => closeInvoice(ctx, entry, 'void')),
      mark_uncollectible: (ctx, entry) =>
        atClock(ctx, entry, () => closeInvoice(ctx, entry, 'uncollectible')),
      send(_ctx, entry) {
        if (entry.data.status !== 'open') throw invalidRequest('You can only send open invoices.');
        return entry;
      },
    },
  },
};
