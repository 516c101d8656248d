/**
 * Checkout sessions and payment links: a hosted URL, an expiry, and their line items (`item`
 * objects) from `line_items[n][price]` (or an inline price made of its `price_data`) and `quantity`,
 * each billing what its price bills for that quantity (tiers and `transform_quantity` included).
 * What a completed session makes takes its `subscription_data`, `payment_intent_data` or
 * `setup_intent_data` (a payment link's session, its link's); a payment with `invoice_creation`
 * enabled is invoiced too, paid. Its prices fit its mode (`requireModePrices`); a subscription's
 * one-time ones bill once, on its first invoice. With `automatic_tax[enabled]` Stripe Tax taxes its
 * line items for a customer it can place (`sessionTax`), and the subscription it starts.
 */

import { BesideStore } from '../engine/beside.ts';
import type { Ctx } from '../engine/context.ts';
import { ErrorReply, invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { HOSTED_PREFIX, withLinks } from '../hosted/index.ts';
import { paymentLinkUrl } from '../hosted/payment-link.ts';
import { productName } from '../money/invoice-lines.ts';
import { billHeldPrices, findPrice, requireOneCycleOf, requirePrice } from '../money/plans.ts';
import { priceAmount } from '../money/pricing.ts';
import {
  automaticTaxAmount,
  buyerOf,
  customerLocation,
  type TaxLocation,
  taxabilityAt,
  taxLocation,
} from '../money/stripe-tax.ts';
import { createPrice } from './catalog.ts';
import { checkTransferDestination } from './charges.ts';
import { finalizeInvoice } from './invoices.ts';
import { resolvePaymentMethod } from './payment-sources.ts';
import { createSubscription, requireFeeDestination } from './subscriptions.ts';

/**
 * The price line item `i` bills: the one it names (`price`), or a new one made of its `price_data`
 * (an inline price, as Stripe makes one for it; a subscription's item and an invoice's lines then
 * bill it by its id). A line item with neither bills nothing: Stripe refuses it.
 */
function linePrice(ctx: Ctx, line: JsonObject, i: number): Entry {
  if (typeof line.price === 'string') return requirePrice(ctx, line.price, `line_items[${i}][price]`);
  if (isObject(line.price_data)) return createPrice(ctx, line.price_data);
  throw invalidRequest('Each line item needs either a `price` or `price_data`.', {
    param: `line_items[${i}]`,
  });
}

/**
 * Stores `item`s under `parent` for `line_items` params (checkout, payment links, quotes): their
 * subtotal, currency, and whether one bills a recurring price.
 */
export function storeLineItems(
  ctx: Ctx,
  parent: string,
  lineItems: Json | undefined,
): { subtotal: number; currency: Json; recurring: boolean; items: Entry[] } {
  let subtotal = 0;
  let currency: Json = null;
  let recurring = false;
  const items: Entry[] = [];
  if (!Array.isArray(lineItems)) return { subtotal, currency, recurring, items };
  for (const [i, line] of lineItems.entries()) {
    if (!isObject(line)) continue;
    const price = linePrice(ctx, line, i);
    const quantity = typeof line.quantity === 'number' ? line.quantity : 1;
    const amount = priceAmount(price.data, quantity);
    subtotal += amount;
    currency ??= price.data.currency ?? null;
    recurring ||= isObject(price.data.recurring);
    items.push(
      ctx.insert(
        'item',
        ctx.build('item', {
          amount_discount: 0,
          amount_subtotal: amount,
          amount_tax: 0,
          amount_total: amount,
          currency: price.data.currency ?? 'usd',
          description: productName(ctx, price.data),
          price: price.data,
          quantity,
        }),
        { parent },
      ),
    );
  }
  return { subtotal, currency, recurring, items };
}

/**
 * A session's automatic tax (`automatic_tax[enabled]`). A customer whose address places them is
 * taxed by Stripe Tax at once (status `complete`): each line item's `amount_tax` and `taxes`,
 * inside its amount or on top as its price's `tax_behavior` says. Otherwise the address is to be
 * entered on the page (`requires_location_inputs`), which for an existing customer Checkout
 * only takes when it may save it to them (`customer_update[address]` or `[shipping]` `auto`).
 * Returns the tax added on top of the line items, and all the tax.
 */
function sessionTax(
  ctx: Ctx,
  draft: JsonObject,
  params: JsonObject,
  items: readonly Entry[],
): { added: number; total: number } {
  const none = { added: 0, total: 0 };
  const asked = isObject(params.automatic_tax) ? params.automatic_tax : {};
  if (asked.enabled !== true && asked.enabled !== 'true') return none;
  const customer = typeof params.customer === 'string' ? ctx.find(params.customer, ['customer']) : undefined;
  const where = customerLocation(customer);
  const update = isObject(params.customer_update) ? params.customer_update : {};
  if (customer && !where && update.address !== 'auto' && update.shipping !== 'auto')
    throw invalidRequest(
      "Automatic tax needs to know where the customer is taxed, and this customer's address does not say: give the customer a valid address, or set `customer_update[address]` (or `customer_update[shipping]`) to `auto` so the address entered in Checkout is saved to them.",
      { param: 'automatic_tax[enabled]' },
    );
  draft.automatic_tax = {
    enabled: true,
    liability: isObject(asked.liability) ? asked.liability : { type: 'self' },
    status: where ? 'complete' : 'requires_location_inputs',
  };
  return where ? taxItems(ctx, items, where, customer?.id) : none;
}

/**
 * Taxes a session's line items for a customer at `where` (Stripe Tax's verdict, money/stripe-tax.ts):
 * each item's `amount_tax`, `amount_total` and `taxes`. Returns the tax added on top of the items,
 * and all the tax.
 */
function taxItems(
  ctx: Ctx,
  items: readonly Entry[],
  where: TaxLocation,
  customer: string | undefined,
): { added: number; total: number } {
  const verdict = taxabilityAt(ctx, where, buyerOf(ctx, customer));
  const owed = { added: 0, total: 0 };
  for (const item of items) {
    const price = isObject(item.data.price) ? item.data.price : {};
    const subtotal = Number(item.data.amount_subtotal ?? 0);
    const tax = automaticTaxAmount(ctx, where, verdict, subtotal, price.tax_behavior === 'inclusive');
    const added = tax.inclusive ? 0 : tax.amount;
    ctx.set(item, {
      amount_tax: tax.amount,
      amount_total: subtotal + added,
      taxes: [
        {
          amount: tax.amount,
          rate: ctx.find(tax.tax_rate, ['tax_rate'])?.data ?? null,
          taxability_reason: tax.taxability_reason,
          taxable_amount: tax.taxable_amount,
        },
      ],
    });
    owed.added += added;
    owed.total += tax.amount;
  }
  return owed;
}

/**
 * A session waiting for the customer's address (`requires_location_inputs`) taxed at the one
 * entered on the page, as Checkout does before it charges: its items, `amount_total`,
 * `total_details` and `automatic_tax.status`. The address is refused when it cannot place them.
 * Saved to the session's customer when it may (`customer_update[address]=auto`).
 */
function taxAtEnteredAddress(ctx: Ctx, session: Entry, address: JsonObject | null | undefined): Entry {
  const automatic = isObject(session.data.automatic_tax) ? session.data.automatic_tax : {};
  if (automatic.status !== 'requires_location_inputs') return session;
  const where = taxLocation(address ?? undefined);
  if (!where || !address)
    throw invalidRequest('Enter an address with its country (and a ZIP code in the US) to calculate tax.', {
      param: 'address',
    });
  const customer = typeof session.data.customer === 'string' ? session.data.customer : undefined;
  const update = createTerms.get(ctx.store, session.id)?.customer_update;
  if (customer && isObject(update) && (update.address === 'auto' || update.shipping === 'auto'))
    ctx.ops.updateEntry(ctx, ctx.require(customer, ['customer']), { address });
  const tax = taxItems(ctx, ctx.children(session, ['item']), where, customer);
  return ctx.set(session, {
    amount_total: Number(session.data.amount_subtotal ?? 0) + tax.added,
    automatic_tax: { ...automatic, status: 'complete' },
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: tax.total },
  });
}

/** What the customer entered on the payment page. */
export interface Buyer {
  email?: string | null;
  name?: string | null;
  /** the billing address, which a session taxed automatically asks for when it has none */
  address?: JsonObject | null;
}

/**
 * Completes an open session as its customer paying with `paymentMethod` would (the hosted page's
 * `complete` action and the seed's way): `payment` mode confirms a PaymentIntent for the total,
 * `subscription` mode starts the subscription of its recurring line items (its first invoice paid
 * with the card; at the customer's test clock's time), `setup` mode a confirmed SetupIntent. Each
 * takes the session's terms for it (`sessionTerms`). The session becomes `complete`
 * (`checkout.session.completed`) with the customer's details. A Customer is created in
 * `subscription` and `setup` mode, and in `payment` mode when `customer_creation` is `always` or
 * the payment is invoiced (`invoice_creation`: a paid invoice of its line items, the session's
 * `invoice`).
 * Its `url` is then null, as once it expires: Stripe sends it only while the session is open.
 */
export function completeSession(
  ctx: Ctx,
  session: Entry,
  paymentMethod = 'pm_card_visa',
  buyer: Buyer = {},
): Entry {
  if (session.data.status !== 'open')
    throw invalidRequest(`This Checkout Session is ${String(session.data.status)}, not open.`);
  session = taxAtEnteredAddress(ctx, session, buyer.address);
  let customer = typeof session.data.customer === 'string' ? session.data.customer : undefined;
  const mode = String(session.data.mode);
  const email =
    buyer.email ?? (typeof session.data.customer_email === 'string' ? session.data.customer_email : null);
  const name = buyer.name ?? null;
  // A payment's invoice needs a customer (`customer_creation=if_required` makes one then).
  const creates =
    mode !== 'payment' || session.data.customer_creation === 'always' || invoicesPayment(session);
  if (!customer && creates) {
    customer = ctx.ops.createResource(ctx, 'customer', {
      ...(email ? { email } : {}),
      ...(name ? { name } : {}),
      ...(buyer.address ? { address: buyer.address } : {}),
    }).id;
  }
  const fields: JsonObject = {
    status: 'complete',
    // Stripe keeps a session's `url` only while it is open.
    url: null,
    customer: customer ?? null,
    customer_details: {
      address: buyer.address ? ctx.sub('address', buyer.address) : null,
      email,
      name,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    },
  };
  if (mode === 'subscription') {
    // The card the customer entered is saved to them and becomes the subscription's own default
    // (`default_payment_method`), as Checkout's: the customer's invoice default stays as it was.
    const method = ctx.set(resolvePaymentMethod(ctx, paymentMethod, 'payment_method'), {
      customer: customer ?? null,
    });
    // Its recurring prices are the subscription's items; its one-time ones bill once, on its first
    // invoice.
    const lines = ctx.children(session, ['item']).reverse();
    const ordered = (recurring: boolean) =>
      lines
        .filter((item) => isObject((item.data.price as JsonObject).recurring) === recurring)
        .map((item) => ({
          price: String((item.data.price as JsonObject).id),
          quantity: Number(item.data.quantity ?? 1),
        }));
    const once = ordered(false);
    // The session's own prices, its inline (archived) ones too.
    const subscription = billHeldPrices(ctx, () =>
      createSubscription(ctx, {
        ...sessionTerms(ctx, session, 'subscription_data', SUBSCRIPTION_TERMS),
        ...(once.length > 0 ? { add_invoice_items: once } : {}),
        customer: String(customer),
        default_payment_method: method.id,
        items: ordered(true),
        // Taxed as the session was, once it could place the customer.
        ...(isObject(session.data.automatic_tax) && session.data.automatic_tax.status === 'complete'
          ? { automatic_tax: { enabled: true } }
          : {}),
        // A declined card fails the payment page (the session stays open), as Checkout's does,
        // rather than leaving an `incomplete` subscription behind a completed session.
        payment_behavior: 'error_if_incomplete',
      }),
    );
    fields.subscription = subscription.id;
    fields.invoice = (subscription.data.latest_invoice as Json) ?? null;
    // A first invoice of nothing (a trial, a first period free up to its anchor) defers payment.
    const first =
      typeof subscription.data.latest_invoice === 'string'
        ? ctx.find(subscription.data.latest_invoice, ['invoice'])
        : undefined;
    fields.payment_status = Number(first?.data.amount_due ?? 0) > 0 ? 'paid' : 'no_payment_required';
  } else if (mode === 'setup') {
    fields.setup_intent = ctx.ops.createResource(ctx, 'setup_intent', {
      ...sessionTerms(ctx, session, 'setup_intent_data', ['description', 'metadata', 'on_behalf_of']),
      payment_method_types: sessionPaymentMethodTypes(session),
      confirm: true,
      payment_method: paymentMethod,
      ...(customer ? { customer } : {}),
    }).id;
    fields.payment_status = 'no_payment_required';
  } else {
    const total = Number(session.data.amount_total ?? 0);
    let intent: Entry | undefined;
    if (total > 0) {
      // A retry after a decline confirms the same PaymentIntent again.
      const earlier =
        typeof session.data.payment_intent === 'string'
          ? ctx.find(session.data.payment_intent, ['payment_intent'])
          : undefined;
      try {
        intent = earlier
          ? ctx.ops.runAction(ctx, earlier, 'confirm', { payment_method: paymentMethod })
          : ctx.ops.createResource(ctx, 'payment_intent', {
              ...(email ? { receipt_email: email } : {}),
              ...sessionTerms(ctx, session, 'payment_intent_data', PAYMENT_TERMS),
              amount: total,
              currency: String(session.data.currency ?? 'usd'),
              payment_method_types: sessionPaymentMethodTypes(session),
              confirm: true,
              payment_method: paymentMethod,
              ...(customer ? { customer } : {}),
            });
      } catch (error) {
        // A declined card: the session stays open with its failed PaymentIntent, as Checkout's.
        const failed = error instanceof ErrorReply ? error.fields.payment_intent : undefined;
        if (isObject(failed) && typeof failed.id === 'string')
          ctx.set(session, { payment_intent: failed.id });
        throw error;
      }
    }
    fields.payment_intent = intent?.id ?? null;
    if (intent?.data.status === 'succeeded' && customer && invoicesPayment(session))
      fields.invoice = billHeldPrices(ctx, () => purchaseInvoice(ctx, session, customer, intent)).id;
    // A held payment (`capture_method=manual`) is not paid until it is captured.
    if (!intent) fields.payment_status = 'no_payment_required';
    else fields.payment_status = intent.data.status === 'succeeded' ? 'paid' : 'unpaid';
  }
  countLinkSale(ctx, session);
  return ctx.set(session, fields);
}

/** The payment link a session was opened from, if any. */
const linkOf = (ctx: Ctx, session: Entry): Entry | undefined =>
  typeof session.data.payment_link === 'string'
    ? ctx.find(session.data.payment_link, ['payment_link'])
    : undefined;

/** The `completed_sessions` restriction of a link, when it has one. */
function completedSessions(link: Entry): JsonObject | undefined {
  const restrictions = link.data.restrictions;
  return isObject(restrictions) && isObject(restrictions.completed_sessions)
    ? restrictions.completed_sessions
    : undefined;
}

/**
 * A session completed through a payment link counts toward the link's `completed_sessions`; the
 * one that reaches its limit deactivates the link (`active` false), as Stripe's do.
 */
function countLinkSale(ctx: Ctx, session: Entry): void {
  const link = linkOf(ctx, session);
  const completed = link && completedSessions(link);
  if (!link || !completed) return;
  const count = Number(completed.count ?? 0) + 1;
  ctx.set(link, {
    restrictions: { completed_sessions: { ...completed, count } },
    ...(count >= Number(completed.limit) ? { active: false } : {}),
  });
}

/**
 * The `payment_intent_data`, `setup_intent_data`, `subscription_data` and `customer_update` each
 * session was created with (a payment link's session, its link's): create parameters a session
 * does not show, so they are kept beside the store, by session id, for what its completion makes.
 */
const createTerms = new BesideStore<JsonObject>();

/** Keeps what a new session's `params` ask of the object it makes (or forgets it: none asked). */
function keepTerms(ctx: Ctx, session: string, params: JsonObject): void {
  const kept = createTerms.of(ctx.store);
  const terms: JsonObject = {};
  for (const setting of ['customer_update', 'payment_intent_data', 'setup_intent_data', 'subscription_data'])
    if (isObject(params[setting])) terms[setting] = params[setting];
  if (Object.keys(terms).length > 0) kept.set(session, terms);
  else kept.delete(session);
}

/**
 * A session's line items fit its mode, as Stripe's: a payment's are one-time prices; a
 * subscription's hold a recurring price, and its recurring prices could bill as one subscription's
 * items (its one-time prices are billed once, on its first invoice).
 */
function requireModePrices(ctx: Ctx, params: JsonObject): void {
  const lines = Array.isArray(params.line_items) ? params.line_items.filter(isObject) : [];
  const prices = lines.map((line) =>
    typeof line.price === 'string'
      ? findPrice(ctx, line.price)?.data
      : isObject(line.price_data)
        ? line.price_data
        : undefined,
  );
  const recurring = prices.filter((price) => isObject(price?.recurring));
  if (params.mode === 'payment' && recurring.length > 0)
    throw invalidRequest(
      'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
      { param: `line_items[${prices.indexOf(recurring[0])}]` },
    );
  if (params.mode !== 'subscription' || lines.length === 0) return;
  if (recurring.length === 0)
    throw invalidRequest(
      'You must provide at least one recurring price in `subscription` mode when using prices.',
      { param: 'line_items' },
    );
  requireOneCycleOf(recurring, 'line_items');
}

/** Session parameters only some modes take, and those modes (stripe-node's SessionCreateParams). */
const MODE_ONLY: Readonly<Record<string, readonly string[]>> = {
  customer_creation: ['payment', 'setup'],
  invoice_creation: ['payment'],
  payment_intent_data: ['payment'],
  payment_method_collection: ['subscription'],
  submit_type: ['payment'],
  subscription_data: ['subscription'],
};

/**
 * Refuses what a session's mode does not take (`MODE_ONLY`: Stripe refuses `payment_intent_data`
 * outside `payment` mode, and so on), and `customer_update` without a `customer` to update.
 */
function requireModeTerms(params: JsonObject): void {
  const mode = params.mode;
  for (const [param, modes] of Object.entries(MODE_ONLY))
    if (params[param] !== undefined && typeof mode === 'string' && !modes.includes(mode))
      throw invalidRequest(`You can not pass \`${param}\` in \`${mode}\` mode.`, { param });
  if (params.customer_update !== undefined && params.customer === undefined)
    throw invalidRequest('`customer_update` can only be used with `customer`.', {
      param: 'customer_update',
    });
}

/**
 * Refuses a session or a link whose payments would go to an account that cannot receive them: the
 * destination (`transfer_data[destination]`) its own, its `payment_intent_data`'s or its
 * `subscription_data`'s names; and a subscription's fee (a link's `application_fee_percent`, a
 * session's `subscription_data`'s) with no account to take it from, as Stripe does when it is
 * created, not once it is paid.
 */
function checkDestinations(ctx: Ctx, params: JsonObject): void {
  checkTransferDestination(ctx, params);
  requireFeeDestination(ctx, params.application_fee_percent, params.transfer_data);
  for (const setting of ['payment_intent_data', 'subscription_data'])
    if (isObject(params[setting])) checkTransferDestination(ctx, params[setting], setting);
  const terms = params.subscription_data;
  if (isObject(terms))
    requireFeeDestination(
      ctx,
      terms.application_fee_percent,
      terms.transfer_data,
      'subscription_data[application_fee_percent]',
    );
}

/** The set ones of `keys` in the session's `setting` (what the object its completion makes takes). */
/**
 * The payment method types a session's page offers: its own, cards unless it names others. What
 * the session makes (its PaymentIntent, its SetupIntent) lists them.
 */
function sessionPaymentMethodTypes(session: Entry): Json {
  const types = session.data.payment_method_types;
  return Array.isArray(types) && types.length > 0 ? types : ['card'];
}

function sessionTerms(ctx: Ctx, session: Entry, setting: string, keys: readonly string[]): JsonObject {
  const given = createTerms.get(ctx.store, session.id)?.[setting];
  return isObject(given) ? setOnes(given, keys) : {};
}

/** The set (neither null nor absent) ones of `keys` in `data`. */
function setOnes(data: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) if (data[key] !== undefined && data[key] !== null) out[key] = data[key];
  return out;
}

/**
 * What a session's subscription takes from its `subscription_data`: its Connect terms too
 * (`application_fee_percent`, `on_behalf_of`, `transfer_data`), which its invoices then carry.
 */
const SUBSCRIPTION_TERMS = [
  'application_fee_percent',
  'billing_cycle_anchor',
  'default_tax_rates',
  'description',
  'metadata',
  'on_behalf_of',
  'proration_behavior',
  'transfer_data',
  'trial_end',
  'trial_period_days',
  'trial_settings',
] as const;

/** What a one-time payment takes from Connect settings: a destination, its fee, a settlement account. */
const CONNECT_TERMS = ['application_fee_amount', 'on_behalf_of', 'transfer_data'] as const;

/** What a session's one-time payment (its PaymentIntent) takes from its `payment_intent_data`. */
const PAYMENT_TERMS = [
  'capture_method',
  'description',
  'metadata',
  'receipt_email',
  'setup_future_usage',
  'shipping',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_group',
  ...CONNECT_TERMS,
] as const;

/**
 * The settings a payment link's session is created with, as a session created directly would be
 * given them: its `subscription_data` for a subscription, with the link's Connect settings for one
 * (`application_fee_percent`, `on_behalf_of`, `transfer_data[destination]`), else its
 * `payment_intent_data` with those for a payment (`application_fee_amount`, `on_behalf_of`,
 * `transfer_data`).
 */
function linkSessionTerms(link: Entry, recurring: boolean): JsonObject {
  const setting = (name: string) => (isObject(link.data[name]) ? link.data[name] : {});
  if (recurring) {
    const connect = setOnes(link.data, ['application_fee_percent', 'on_behalf_of', 'transfer_data']);
    if (isObject(connect.transfer_data))
      connect.transfer_data = setOnes(connect.transfer_data, ['destination']);
    return {
      subscription_data: { ...setOnes(setting('subscription_data'), SUBSCRIPTION_TERMS), ...connect },
    };
  }
  const connect = setOnes(link.data, CONNECT_TERMS);
  // A link shows its `transfer_data[amount]` null when it has none: a PaymentIntent takes none.
  if (isObject(connect.transfer_data))
    connect.transfer_data = setOnes(connect.transfer_data, ['amount', 'destination']);
  return { payment_intent_data: { ...setOnes(setting('payment_intent_data'), PAYMENT_TERMS), ...connect } };
}

/**
 * A Checkout Session for a customer opening a payment link: its line items, `subscription` mode
 * when one is recurring, back to the link's redirect (or the emulator's landing page) once paid.
 */
function openPaymentLink(ctx: Ctx, link: Entry): Entry {
  if (link.data.active === false) throw invalidRequest(`The payment link ${link.id} is not active.`);
  // A link whose `completed_sessions` limit is met takes no more purchases.
  const completed = completedSessions(link);
  if (completed && Number(completed.count ?? 0) >= Number(completed.limit))
    throw invalidRequest(`The payment link ${link.id} has reached its limit of completed sessions.`);
  const items = ctx.children(link, ['item']).reverse();
  const recurring = items.some((item) => isObject(item.data.price) && isObject(item.data.price.recurring));
  const after = isObject(link.data.after_completion) ? link.data.after_completion : {};
  const redirect =
    isObject(after.redirect) && typeof after.redirect.url === 'string' ? after.redirect.url : null;
  const session = ctx.ops.createResource(ctx, 'checkout.session', {
    mode: recurring ? 'subscription' : 'payment',
    line_items: items.map((item) => ({
      price: String((item.data.price as JsonObject).id),
      quantity: Number(item.data.quantity ?? 1),
    })),
    success_url: redirect ?? `${ctx.publicUrl ?? 'https://checkout.stripe.com'}${HOSTED_PREFIX}success`,
    metadata: isObject(link.data.metadata) ? link.data.metadata : {},
    // A subscription's session always makes a Customer: it takes no `customer_creation`.
    ...(typeof link.data.customer_creation === 'string' && !recurring
      ? { customer_creation: link.data.customer_creation }
      : {}),
    ...linkSessionTerms(link, recurring),
    // Taxed automatically as the link is: at the address the buyer enters (`sessionTax`).
    ...(isObject(link.data.automatic_tax) && link.data.automatic_tax.enabled === true
      ? { automatic_tax: { enabled: true } }
      : {}),
    // A one-time link's invoice of the payment, when it makes one.
    ...(!recurring && invoicesPayment(link) ? { invoice_creation: link.data.invoice_creation } : {}),
  });
  return ctx.set(session, { payment_link: link.id });
}

/**
 * What Stripe shows of a payment link's settings it was not given: its confirmation page with no
 * custom message and, on a one-time link, invoice creation off with default invoice settings (a
 * link with a recurring price invoices through its subscription: it has none).
 */
function linkSettings(draft: JsonObject, recurring: boolean): void {
  if (isObject(draft.after_completion)) draft.after_completion = afterCompletion(draft.after_completion);
  if (recurring) return;
  draft.invoice_creation = invoiceCreation(draft.invoice_creation);
}

/** `invoice_creation` as Stripe shows it: off unless enabled, its invoice's metadata none unless given. */
function invoiceCreation(given: Json | undefined): JsonObject {
  const creation = isObject(given) ? given : { enabled: false };
  const data = isObject(creation.invoice_data) ? creation.invoice_data : {};
  return { ...creation, invoice_data: { metadata: {}, ...data } };
}

/** Whether a session makes an invoice of its payment (`invoice_creation[enabled]`). */
const invoicesPayment = (session: Entry): boolean =>
  isObject(session.data.invoice_creation) && session.data.invoice_creation.enabled === true;

/**
 * A payment's post-purchase invoice: the session's line items on an invoice of the customer's with
 * the session's `invoice_data`, finalized as paid by the session's PaymentIntent (`intent`).
 */
function purchaseInvoice(ctx: Ctx, session: Entry, customer: string, intent: Entry): Entry {
  const creation = session.data.invoice_creation as JsonObject;
  const data = isObject(creation.invoice_data) ? creation.invoice_data : {};
  const invoice = ctx.ops.createResource(ctx, 'invoice', {
    ...setOnes(data, ['custom_fields', 'description', 'footer', 'metadata', 'rendering_options']),
    currency: String(session.data.currency ?? 'usd'),
    customer,
  });
  for (const item of ctx.children(session, ['item']).reverse())
    ctx.ops.createResource(ctx, 'invoiceitem', {
      customer,
      invoice: invoice.id,
      price: String((item.data.price as JsonObject).id),
      quantity: Number(item.data.quantity ?? 1),
    });
  return finalizeInvoice(ctx, ctx.current(invoice), intent);
}

/**
 * A link's `after_completion` as given, whole (an update replaces it: the other type's settings go),
 * with the confirmation page's settings (no custom message) when it shows one and none were given.
 */
function afterCompletion(given: JsonObject): JsonObject {
  const type = given.type ?? 'hosted_confirmation';
  if (type === 'redirect') return { redirect: given.redirect ?? null, type };
  return {
    hosted_confirmation: isObject(given.hosted_confirmation)
      ? given.hosted_confirmation
      : { custom_message: null },
    type,
  };
}

/**
 * A link update's `line_items`: each names one of the link's line items (`id`) and sets its
 * `quantity`, which it then sells (and bills, as `storeLineItems` does).
 */
function updateLinkItems(ctx: Ctx, link: Entry, lines: readonly Json[]): void {
  const items = ctx.children(link, ['item']);
  lines.forEach((line, i) => {
    if (!isObject(line)) return;
    const item = items.find((candidate) => candidate.id === line.id);
    if (!item)
      throw invalidRequest(`No such line item on this payment link: '${String(line.id)}'`, {
        param: `line_items[${i}][id]`,
      });
    if (typeof line.quantity !== 'number') return;
    const amount = priceAmount(isObject(item.data.price) ? item.data.price : {}, line.quantity);
    ctx.set(item, { amount_subtotal: amount, amount_total: amount, quantity: line.quantity });
  });
}

/** How long a session may stay open, from its creation: Stripe's bounds, the longest its default. */
const OPEN_FOR = { min: 30 * 60, max: 24 * 3600 };

/** When a new session expires: its `expires_at`, within `OPEN_FOR` of now, else the longest. */
function expiry(ctx: Ctx, given: Json | undefined): number {
  if (given === undefined) return ctx.now + OPEN_FOR.max;
  const at = Number(given);
  if (!(at >= ctx.now + OPEN_FOR.min && at <= ctx.now + OPEN_FOR.max))
    throw invalidRequest(
      'The `expires_at` timestamp must be between 30 minutes and 24 hours after the Checkout Session is created.',
      { param: 'expires_at' },
    );
  return at;
}

const text = (value: Json | undefined) => (typeof value === 'string' && value !== '' ? value : null);

export const checkoutRules: RuleBook = {
  'checkout.session': {
    beforeCreate(ctx, draft, { params }) {
      requireModeTerms(params);
      requireModePrices(ctx, params);
      checkDestinations(ctx, params);
      const { subtotal, currency, items } = storeLineItems(ctx, String(draft.id), params.line_items);
      // A payment's session shows whether it invoices the payment (off unless asked).
      if (params.mode === 'payment') draft.invoice_creation = invoiceCreation(params.invoice_creation);
      const tax = sessionTax(ctx, draft, params, items);
      // What a payment or subscription totals to: the tax taken (no discounts or shipping here).
      if (params.mode !== 'setup')
        draft.total_details = { amount_discount: 0, amount_shipping: 0, amount_tax: tax.total };
      Object.assign(draft, {
        amount_subtotal: subtotal,
        amount_total: subtotal + tax.added,
        currency: draft.currency ?? currency ?? 'usd',
        expires_at: expiry(ctx, params.expires_at),
        payment_status: 'unpaid',
        status: 'open',
        // The emulator's own hosted page when it serves HTTP (src/emulator/hosted/index.ts).
        url: ctx.publicUrl
          ? `${ctx.publicUrl}${HOSTED_PREFIX}${String(draft.id)}`
          : `https://checkout.stripe.com/c/pay/${String(draft.id)}`,
      });
      withLinks(ctx, 'checkout.session', draft);
      keepTerms(ctx, String(draft.id), params);
    },
    actions: {
      // The hosted page's payment (hosted/index.ts), in-process only: Stripe has no such route.
      complete: (ctx, entry, params) =>
        completeSession(ctx, entry, text(params.payment_method) ?? undefined, {
          email: text(params.email),
          name: text(params.name),
          address: isObject(params.address) ? params.address : null,
        }),
      // Not once complete; its `url` goes with it, as when it completes (expiring again: no change).
      expire: (ctx, entry) => {
        if (entry.data.status === 'complete')
          throw invalidRequest('This Checkout Session is complete, not open.');
        return ctx.set(entry, { status: 'expired', url: null });
      },
    },
  },
  payment_link: {
    beforeCreate(ctx, draft, { params }) {
      const { recurring } = storeLineItems(ctx, String(draft.id), params.line_items);
      checkDestinations(ctx, params);
      // A link's `subscription_data` is for the subscription a recurring price starts.
      if (params.subscription_data !== undefined && !recurring)
        throw invalidRequest(
          'A payment link needs a line item with a recurring price to use `subscription_data`.',
          {
            param: 'subscription_data',
          },
        );
      // Its sessions' mode follows its prices: a subscription's must bill as one.
      requireModePrices(ctx, { ...params, mode: recurring ? 'subscription' : 'payment' });
      linkSettings(draft, recurring);
      draft.url = paymentLinkUrl(ctx, String(draft.id));
    },
    beforeUpdate(ctx, draft, params, entry) {
      if (isObject(params.after_completion))
        draft.after_completion = afterCompletion(params.after_completion);
      if (Array.isArray(params.line_items)) updateLinkItems(ctx, entry, params.line_items);
    },
    actions: {
      // Opening the link (its page, src/emulator/hosted/payment-link.ts): a new Checkout Session.
      open: (ctx, link) => openPaymentLink(ctx, link),
    },
  },
  item: { ascending: true },
};
