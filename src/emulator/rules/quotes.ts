/**
 * Quotes: their line items (`price` or `price_data` and a quantity) make `amount_subtotal` and
 * `amount_total` (and `computed.upfront`, with `computed.recurring` for recurring prices).
 * `finalize` moves a draft to `open` with a number; `accept` an open quote to `accepted`, creating
 * the subscription its recurring prices ask for (at the customer's test clock's time; a
 * subscription schedule starting on `subscription_data[effective_date]` when that is later), its
 * one-time prices billed once on its first invoice (recurring prices of different intervals are
 * refused at creation, as a subscription's), or else a draft invoice of its items; `cancel` cancels a draft or open one. A quote for a customer
 * on a test clock belongs to that clock (`test_clock`), and lives at its time: it is created,
 * finalized, accepted and canceled then (its dates and events), and that time says whether its
 * effective date is still to come. A draft or open quote is canceled at its `expires_at` (30 days
 * on by default) as that time comes: its clock's advance, or time passing (rules/time.ts).
 * With `automatic_tax[enabled]` its totals carry Stripe Tax's tax for its customer (`quoteTax`),
 * and what its acceptance makes is taxed automatically too.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { clockTime } from '../money/periods.ts';
import { billHeldPrices, requireOneCycleOf, requirePrice } from '../money/plans.ts';
import { priceAmount } from '../money/pricing.ts';
import { buyerOf, customerLocation, taxabilityAt, taxOn } from '../money/stripe-tax.ts';
import { createPrice } from './catalog.ts';
import { storeLineItems } from './checkout.ts';
import { atClock } from './invoices.ts';
import { clockOf, createSubscription, customerNow } from './subscriptions.ts';

interface QuoteLine {
  price: Entry;
  quantity: number;
}

function quoteLines(ctx: Ctx, params: JsonObject, draft: JsonObject): QuoteLine[] {
  const items = Array.isArray(params.line_items) ? params.line_items.filter(isObject) : [];
  return items.map((item, i) => {
    let price: Entry;
    if (typeof item.price === 'string') price = requirePrice(ctx, item.price, `line_items[${i}][price]`);
    else if (isObject(item.price_data)) {
      price = createPrice(ctx, { currency: draft.currency ?? 'usd', ...item.price_data });
    } else {
      throw invalidRequest('Each line item needs a price or price_data.', { param: `line_items[${i}]` });
    }
    return { price, quantity: typeof item.quantity === 'number' ? item.quantity : 1 };
  });
}

const zeroDetails = () => ({ amount_discount: 0, amount_shipping: 0, amount_tax: 0 });

/** The tax on a line's amount: what it adds on top, and all of it (inclusive prices hold theirs). */
type LineTax = (line: QuoteLine, amount: number) => { added: number; tax: number };

const untaxed: LineTax = () => ({ added: 0, tax: 0 });

/**
 * A quote's automatic tax (`automatic_tax[enabled]`): `complete`, its lines taxed by Stripe Tax
 * (money/stripe-tax.ts) when its customer's address places them; else `requires_location_inputs`
 * and no tax. Undefined when not asked.
 */
function quoteTax(ctx: Ctx, params: JsonObject, customer: Json | undefined) {
  const asked = isObject(params.automatic_tax) ? params.automatic_tax : {};
  if (asked.enabled !== true && asked.enabled !== 'true') return undefined;
  const where = customerLocation(typeof customer === 'string' ? ctx.find(customer, ['customer']) : undefined);
  const fields = {
    enabled: true,
    liability: isObject(asked.liability) ? asked.liability : { type: 'self' },
    status: where ? 'complete' : 'requires_location_inputs',
  };
  if (!where) return { fields, tax: untaxed };
  const verdict = taxabilityAt(ctx, where, buyerOf(ctx, String(customer)));
  const tax: LineTax = (line, amount) => {
    const inclusive = line.price.data.tax_behavior === 'inclusive';
    const owed = taxOn(amount, verdict.percentage, inclusive).tax;
    return { added: inclusive ? 0 : owed, tax: owed };
  };
  return { fields, tax };
}

/**
 * Totals of a quote's lines: all of them upfront, the recurring ones per interval as well, each
 * with the tax `taxOf` says.
 */
function totals(lines: readonly QuoteLine[], taxOf: LineTax = untaxed): JsonObject {
  const sum = (of: readonly QuoteLine[]) => {
    let subtotal = 0;
    let added = 0;
    let tax = 0;
    for (const line of of) {
      const amount = priceAmount(line.price.data, line.quantity);
      const owed = taxOf(line, amount);
      subtotal += amount;
      added += owed.added;
      tax += owed.tax;
    }
    return {
      amount_subtotal: subtotal,
      amount_total: subtotal + added,
      total_details: { ...zeroDetails(), amount_tax: tax },
    };
  };
  const recurringLines = lines.filter((l) => isObject(l.price.data.recurring));
  const first = recurringLines[0]?.price.data.recurring as JsonObject | undefined;
  const upfront = sum(lines);
  return {
    ...upfront,
    computed: {
      recurring: first
        ? {
            ...sum(recurringLines),
            interval: first.interval ?? 'month',
            interval_count: first.interval_count ?? 1,
          }
        : null,
      upfront,
    },
  };
}

const pending = new Map<string, QuoteLine[]>();

function linesOfQuote(ctx: Ctx, quote: Entry): QuoteLine[] {
  return ctx
    .children(quote, ['item'])
    .reverse()
    .map((item) => ({
      price: requirePrice(
        ctx,
        String((item.data.price as JsonObject | null)?.id ?? item.data.price),
        'id',
        404,
      ),
      quantity: Number(item.data.quantity ?? 1),
    }));
}

/** What an accepted quote taxed automatically asks of the subscription or invoice it makes. */
const taxedAsQuoted = (quote: Entry): JsonObject =>
  isObject(quote.data.automatic_tax) && quote.data.automatic_tax.enabled === true
    ? { automatic_tax: { enabled: true } }
    : {};

/** A quote's action, run at the time of the quote's test clock. */
const onClock =
  (action: (ctx: Ctx, entry: Entry) => Entry) =>
  (ctx: Ctx, entry: Entry): Entry =>
    atClock(ctx, entry, () => action(ctx, entry));

function requireStatus(quote: Entry, verb: string, allowed: readonly string[]): void {
  if (!allowed.includes(String(quote.data.status)))
    throw invalidRequest(
      `You cannot ${verb} a quote with status ${String(quote.data.status)}; it must be ${allowed.join(' or ')}.`,
    );
}

/**
 * Accepts an open quote: its recurring prices start a subscription (or a schedule starting it on
 * the effective date), its one-time ones bill on the subscription's first invoice, or, with none
 * recurring, on an invoice of their own.
 */
function acceptQuote(ctx: Ctx, entry: Entry): Entry {
  requireStatus(entry, 'accept', ['open']);
  const lines = linesOfQuote(ctx, entry);
  const customer = String(entry.data.customer);
  const transitions = { ...(entry.data.status_transitions as JsonObject), accepted_at: ctx.now };
  // Its recurring prices are the subscription's items; its one-time ones bill once, on the
  // subscription's first invoice.
  const billed = (recurring: boolean) =>
    lines
      .filter((l) => isObject(l.price.data.recurring) === recurring)
      .map((l) => ({ price: l.price.id, quantity: l.quantity }));
  const [items, once] = [billed(true), billed(false)];
  const settings = isObject(entry.data.subscription_data) ? entry.data.subscription_data : {};
  const effective = typeof settings.effective_date === 'number' ? settings.effective_date : undefined;
  if (
    lines.some((l) => isObject(l.price.data.recurring)) &&
    effective !== undefined &&
    effective > customerNow(ctx, customer)
  ) {
    // Starting later: a schedule that starts the subscription on the effective date.
    const schedule = ctx.ops.createResource(ctx, 'subscription_schedule', {
      customer,
      start_date: effective,
      end_behavior: 'release',
      phases: [{ items, iterations: 1, ...(once.length > 0 ? { add_invoice_items: once } : {}) }],
    });
    return ctx.set(entry, {
      status: 'accepted',
      status_transitions: transitions,
      subscription_schedule: schedule.id,
    });
  }
  if (lines.some((l) => isObject(l.price.data.recurring))) {
    const subscription = createSubscription(ctx, {
      ...taxedAsQuoted(entry),
      customer,
      collection_method: String(entry.data.collection_method ?? 'charge_automatically'),
      ...(entry.data.collection_method === 'send_invoice' ? { days_until_due: 30 } : {}),
      ...(once.length > 0 ? { add_invoice_items: once } : {}),
      items,
    });
    return ctx.set(entry, {
      status: 'accepted',
      status_transitions: transitions,
      subscription: subscription.id,
    });
  }
  for (const line of lines)
    ctx.ops.createResource(ctx, 'invoiceitem', {
      customer,
      price: line.price.id,
      quantity: line.quantity,
    });
  const invoice = ctx.ops.createResource(ctx, 'invoice', {
    ...taxedAsQuoted(entry),
    customer,
    pending_invoice_items_behavior: 'include',
    collection_method: String(entry.data.collection_method ?? 'charge_automatically'),
  });
  ctx.set(invoice, { quote: entry.id });
  return ctx.set(entry, { invoice: invoice.id, status: 'accepted', status_transitions: transitions });
}

/** A quote canceled now (`quote.canceled`). */
function cancelQuote(ctx: Ctx, quote: Entry): Entry {
  return ctx.set(quote, {
    status: 'canceled',
    status_transitions: { ...(quote.data.status_transitions as JsonObject), canceled_at: ctx.now },
  });
}

/**
 * Cancels the draft and open quotes of the test clock `clock` (none: the quotes on no clock) whose
 * `expires_at` came by `to`, each then: what a clock's advance and time passing do to them.
 */
export function expireQuotes(ctx: Ctx, clock: string | null, to: number): void {
  for (const quote of [...ctx.scope.all('quote')]) {
    const expiry = Number(quote.data.expires_at);
    if ((quote.data.test_clock ?? null) !== clock || !['draft', 'open'].includes(String(quote.data.status)))
      continue;
    if (expiry <= to) ctx.at(expiry, () => cancelQuote(ctx, quote));
  }
}

export const quoteRules: RuleBook = {
  quote: {
    // At the time of the clock the quote belongs to: its customer's, or the one it is made for.
    create: (ctx, { params, parent }) => {
      const time = clockTime(ctx, params.test_clock ?? clockOf(ctx, String(params.customer))?.id);
      const create = () => ctx.ops.createResource(ctx, 'quote', params, parent);
      return time === undefined ? create() : ctx.at(time, create);
    },
    beforeCreate(ctx, draft, { params }) {
      const lines = quoteLines(ctx, params, draft);
      const automatic = quoteTax(ctx, params, draft.customer);
      // Its recurring prices make one subscription: they bill on one cycle.
      requireOneCycleOf(
        lines.filter((l) => isObject(l.price.data.recurring)).map((l) => l.price.data),
        'line_items',
      );
      Object.assign(draft, {
        application: null,
        application_fee_amount: null,
        application_fee_percent: null,
        automatic_tax: automatic?.fields ?? { enabled: false, liability: null, status: null },
        collection_method: draft.collection_method ?? 'charge_automatically',
        currency: lines[0]?.price.data.currency ?? draft.currency ?? 'usd',
        customer: draft.customer ?? null,
        default_tax_rates: [],
        description: draft.description ?? null,
        discounts: [],
        // As asked, else Stripe's default quote settings: 30 days.
        expires_at: typeof params.expires_at === 'number' ? params.expires_at : ctx.now + 30 * 86_400,
        footer: draft.footer ?? null,
        from_quote: null,
        header: draft.header ?? null,
        invoice: null,
        number: null,
        on_behalf_of: null,
        status: 'draft',
        status_transitions: { accepted_at: null, canceled_at: null, finalized_at: null },
        subscription: null,
        subscription_schedule: null,
        // The customer's clock, when it is on one (or the clock the quote is made for).
        test_clock: draft.test_clock ?? clockOf(ctx, String(draft.customer))?.id ?? null,
        transfer_data: null,
        ...totals(lines, automatic?.tax),
      });
      pending.set(String(draft.id), lines);
    },
    afterCreate(ctx, entry) {
      const lines = pending.get(entry.id) ?? [];
      pending.delete(entry.id);
      storeLineItems(
        ctx,
        entry.id,
        lines.map((line) => ({ price: line.price.id, quantity: line.quantity })),
      );
    },
    actions: {
      finalize: onClock((ctx, entry) => {
        requireStatus(entry, 'finalize', ['draft']);
        if (typeof entry.data.customer !== 'string')
          throw invalidRequest('A quote needs a customer before it is finalized.', { param: 'customer' });
        const count = [...ctx.scope.all('quote')].filter((q) => q.data.number !== null).length;
        return ctx.set(entry, {
          number: `QT-${String(count + 1).padStart(4, '0')}`,
          status: 'open',
          status_transitions: { ...(entry.data.status_transitions as JsonObject), finalized_at: ctx.now },
        });
      }),
      // What it bills are the quote's own prices, its inline (archived) ones too.
      accept: onClock((ctx, entry) => billHeldPrices(ctx, () => acceptQuote(ctx, entry))),
      cancel: onClock((ctx, entry) => {
        requireStatus(entry, 'cancel', ['draft', 'open']);
        return cancelQuote(ctx, entry);
      }),
    },
  },
};
