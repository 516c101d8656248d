/**
 * Issuing, as Stripe's test helpers run it.
 *
 * - A card embeds its cardholder and gets a Visa number (sent only when `number` is expanded, as
 *   is its `cvc`), its last4 and an expiry three years out; it starts `inactive` unless created
 *   `active`, and once `canceled` it stays so. A physical card's shipment starts `pending`
 *   (`standard`, `individual` unless asked otherwise); the shipping test helpers make it
 *   `shipped`, `delivered`, `returned` or `failure`.
 * - A replacement card (`replacement_for`) names the card it replaces, which names it back
 *   (`replaced_by`). An expired or damaged card's replacement keeps its number (a new CVC and
 *   expiry), and activating it cancels the original; a lost or stolen card is canceled before it
 *   is replaced, and its replacement gets a new number.
 * - A test authorization on an active card of an active cardholder (within the card's and the
 *   cardholder's spending controls, the Issuing balance covering it: else `insufficient_funds`) is
 *   approved and `pending`; otherwise it is declined and `closed`. A spending limit counts what
 *   the card (or all the cardholder's cards) spent in its categories since its period began (UTC
 *   days, weeks from Sunday, months, years; or ever): approved holds still pending, and captures.
 *   `approve`/`decline` settle a pending one; `capture` closes it into a `capture` transaction
 *   (or, `close_authorization` false, captures part and keeps it open), `reverse` and `expire`
 *   close it; `increment` raises its amount when the card still approves the new total.
 * - An approved authorization holds its amount on the Issuing balance
 *   (`issuing_authorization_hold`, and again for an increment) until it closes: a capture,
 *   reversal, expiry or decline gives the hold back (`issuing_authorization_release`), a capture
 *   then taking the captured amount (money/ledger.ts keeps that balance apart). Its `amount` and
 *   `merchant_amount` say what it still holds: a partial reversal or capture lowers both.
 * - A test helper's merchant gets its category's code (`category_code`, issuing-categories.ts).
 * - A force capture is a `capture` transaction without an authorization; `refund` (and an
 *   unlinked refund) is a `refund` transaction giving the amount back. A transaction keeps its
 *   authorization's `wallet` and the `purchase_details` its capture was given.
 * - A dispute on a transaction starts `unsubmitted` for the transaction's amount (or less); a
 *   transaction is disputed once. `submit` makes it `submitted` (`issuing_dispute.submitted`).
 */
import { createHash } from 'node:crypto';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { balanceTransaction, issuingAvailable } from '../money/ledger.ts';
import { DAY } from '../money/periods.ts';
import { luhn } from '../money/tokens.ts';
import { categoryCode } from './issuing-categories.ts';

const CARD = 'issuing.card';
const AUTHORIZATION = 'issuing.authorization';
const TRANSACTION = 'issuing.transaction';

/** The shipment status each card shipping test helper sets. */
const SHIPPING_STATUS: Readonly<Record<string, string>> = {
  'shipping/ship': 'shipped',
  'shipping/deliver': 'delivered',
  'shipping/return': 'returned',
  'shipping/fail': 'failure',
};

/**
 * A physical card's shipment as Stripe makes it: waiting to be sent (the test helpers move it
 * along), by `standard` service in `individual` packaging unless asked otherwise, a signature
 * required by default for the express and priority services only.
 */
function shipment(shipping: JsonObject, params: JsonObject): JsonObject {
  const given = isObject(params.shipping) ? params.shipping : {};
  const service = typeof given.service === 'string' ? given.service : 'standard';
  return {
    ...shipping,
    require_signature:
      typeof given.require_signature === 'boolean' ? given.require_signature : service !== 'standard',
    service,
    status: 'pending',
    type: typeof given.type === 'string' ? given.type : 'individual',
  };
}

/**
 * A card's full number and CVC, drawn from its id (no random draw, so the ids after it stay put):
 * a Luhn-valid Visa number ending in `last4`.
 */
function secrets(id: string, last4: string): { number: string; cvc: string } {
  const digits = createHash('sha256')
    .update(id)
    .digest()
    .subarray(0, 10)
    .map((byte) => byte % 10);
  const middle = Array.from(digits.subarray(0, 7)).join('');
  const cvc = Array.from(digits.subarray(7, 10)).join('');
  for (let check = 0; ; check++) {
    const number = `4000${middle}${check}${last4}`;
    if (luhn(number)) return { number, cvc };
  }
}

/**
 * The merchant a test helper was given (its params have no `category_code`), in Stripe's form: its
 * category's code goes with it.
 */
function merchant(params: JsonObject): JsonObject {
  const given = isObject(params.merchant_data) ? params.merchant_data : {};
  const category = given.category ?? 'miscellaneous';
  return {
    category,
    category_code: categoryCode(category),
    city: 'San Francisco',
    country: 'US',
    name: 'Emulator Merchant',
    network_id: '1234567890',
    postal_code: '94103',
    state: 'CA',
    terminal_id: null,
    url: null,
    ...given,
  };
}

/**
 * Issuing amounts are negative when money leaves the card (captures), positive for refunds. The
 * merchant's `purchase_details`, given to a capture or a force capture, are kept on it.
 */
function transaction(
  ctx: Ctx,
  card: Entry,
  type: 'capture' | 'refund',
  amount: number,
  fields: JsonObject,
  params: JsonObject = {},
): Entry {
  const cardholder = isObject(card.data.cardholder) ? card.data.cardholder.id : card.data.cardholder;
  const signed = type === 'capture' ? -Math.abs(amount) : Math.abs(amount);
  const draft = ctx.build(TRANSACTION, {
    amount: signed,
    amount_details: { atm_fee: null, cashback_amount: null },
    authorization: null,
    balance_transaction: null,
    card: card.id,
    cardholder: cardholder ?? null,
    currency: card.data.currency ?? 'usd',
    dispute: null,
    merchant_amount: signed,
    merchant_currency: card.data.currency ?? 'usd',
    merchant_data: merchant({}),
    type,
    wallet: null,
    ...fields,
  });
  if (isObject(params.purchase_details))
    ctx.apply(TRANSACTION, draft, { purchase_details: params.purchase_details }, false);
  const made = ctx.insert(TRANSACTION, draft);
  // The money moves on the balance as any Issuing transaction's does (src/emulator/money/ledger.ts).
  const moved = balanceTransaction(ctx, {
    amount: signed,
    currency: card.data.currency ?? 'usd',
    type: 'issuing_transaction',
    source: made.id,
  });
  return ctx.set(made, { balance_transaction: moved.id });
}

/** The card's cardholder as it is now (the card embeds it as it was). */
function cardholderOf(ctx: Ctx, card: Entry): Entry | undefined {
  const holder = card.data.cardholder;
  const id = isObject(holder) ? holder.id : holder;
  return typeof id === 'string' && id !== '' ? ctx.find(id, ['issuing.cardholder']) : undefined;
}

/** When a spending limit's current period began (UTC calendar periods, weeks from Sunday). */
function periodStart(interval: string, now: number): number | undefined {
  const date = new Date(now * 1000);
  const [year, month] = [date.getUTCFullYear(), date.getUTCMonth()];
  const day = Date.UTC(year, month, date.getUTCDate()) / 1000;
  switch (interval) {
    case 'daily':
      return day;
    case 'weekly':
      return day - date.getUTCDay() * DAY;
    case 'monthly':
      return Date.UTC(year, month, 1) / 1000;
    case 'yearly':
      return Date.UTC(year, 0, 1) / 1000;
    case 'all_time':
      return 0;
    default:
      return undefined; // per_authorization: the request's own total
  }
}

/** Which spending an owner's controls count: the card's own, or all its cardholder's cards'. */
type Owner = { field: 'card' | 'cardholder'; id: string };

/** An embedded object's id, or the id itself. */
const idOf = (value: Json | undefined): Json | undefined => (isObject(value) ? value.id : value);

/**
 * What `owner` spent since `since` in `categories` (all when null): what approved authorizations
 * still hold, and what captures took.
 */
function spent(ctx: Ctx, owner: Owner, since: number, categories: Json[] | null): number {
  const counts = (data: JsonObject) =>
    idOf(data[owner.field]) === owner.id &&
    Number(data.created) >= since &&
    (categories === null ||
      categories.includes((isObject(data.merchant_data) ? data.merchant_data.category : null) ?? null));
  let total = 0;
  for (const { data } of ctx.scope.all(AUTHORIZATION))
    if (data.status === 'pending' && counts(data)) total += Number(data.amount ?? 0);
  for (const { data } of ctx.scope.all(TRANSACTION))
    if (data.type === 'capture' && counts(data)) total += Math.abs(Number(data.amount ?? 0));
  return total;
}

/**
 * Whether `owner`'s spending controls let through a request for `amount` more at `merchant` (the
 * authorization's total so far `total`): an allowed and not blocked category and merchant
 * country, and every spending limit of that category kept, per authorization or over its period.
 */
function withinControls(
  ctx: Ctx,
  owner: Owner,
  controls: Json | undefined,
  merchantData: JsonObject,
  amount: number,
  total: number,
): boolean {
  if (!isObject(controls)) return true;
  const listed = (field: string) => (Array.isArray(controls[field]) ? (controls[field] as Json[]) : null);
  const category = merchantData.category ?? null;
  const country = merchantData.country ?? null;
  if (listed('allowed_categories')?.includes(category) === false) return false;
  if (listed('blocked_categories')?.includes(category)) return false;
  if (listed('allowed_merchant_countries')?.includes(country) === false) return false;
  if (listed('blocked_merchant_countries')?.includes(country)) return false;
  const limits = Array.isArray(controls.spending_limits) ? controls.spending_limits.filter(isObject) : [];
  return limits.every((limit) => {
    const categories =
      Array.isArray(limit.categories) && limit.categories.length > 0 ? limit.categories : null;
    if (categories !== null && !categories.includes(category)) return true;
    const since = periodStart(String(limit.interval), ctx.now);
    const asked = since === undefined ? total : spent(ctx, owner, since, categories) + amount;
    return asked <= Number(limit.amount);
  });
}

/**
 * An authorization request on `card` (the first, or an increment) for `amount` at `merchantData`,
 * as `request_history` records it: approved on an active card of an active cardholder, within the
 * card's and the cardholder's spending controls, when the Issuing balance covers the amount it
 * would hold.
 */
function decide(
  ctx: Ctx,
  card: Entry,
  merchantData: JsonObject,
  amount: number,
  total = amount,
): JsonObject & { approved: boolean } {
  const holder = cardholderOf(ctx, card);
  const currency = String(card.data.currency ?? 'usd');
  const owners: [Owner, Json | undefined][] = [[{ field: 'card', id: card.id }, card.data.spending_controls]];
  if (holder) owners.push([{ field: 'cardholder', id: holder.id }, holder.data.spending_controls]);
  const controlled = owners.every(([owner, controls]) =>
    withinControls(ctx, owner, controls, merchantData, amount, total),
  );
  const reason =
    card.data.status !== 'active'
      ? 'card_inactive'
      : holder && holder.data.status !== 'active'
        ? 'cardholder_inactive'
        : !controlled
          ? 'spending_controls'
          : amount > issuingAvailable(ctx, currency)
            ? 'insufficient_funds'
            : 'webhook_approved';
  const approved = reason === 'webhook_approved';
  return {
    amount,
    amount_details: { atm_fee: null, cashback_amount: null },
    approved,
    authorization_code: approved ? String(ctx.random.int(100000, 999999)) : null,
    created: ctx.now,
    currency: card.data.currency ?? 'usd',
    merchant_amount: amount,
    merchant_currency: card.data.currency ?? 'usd',
    reason,
    reason_message: null,
    requested_at: ctx.now,
  };
}

/**
 * Money an authorization holds (`issuing_authorization_hold`, `amount` positive) or gives back
 * (`issuing_authorization_release`, negative): a balance transaction naming it, listed in its
 * `balance_transactions`.
 */
function holdFunds(ctx: Ctx, authorization: JsonObject, amount: number): JsonObject[] {
  const held = Array.isArray(authorization.balance_transactions) ? authorization.balance_transactions : [];
  if (amount === 0) return held.filter(isObject);
  const moved = balanceTransaction(ctx, {
    amount: -amount,
    currency: authorization.currency ?? 'usd',
    type: amount > 0 ? 'issuing_authorization_hold' : 'issuing_authorization_release',
    source: String(authorization.id),
  });
  return [...held.filter(isObject), moved.data];
}

/**
 * What an authorization holds once it holds `amount` (in its `currency`): `amount`, and
 * `merchant_amount` the same money in the merchant's currency, at the rate the authorization was
 * made at (the two are equal when the currencies are).
 */
function holding(authorization: JsonObject, amount: number): JsonObject {
  const held = Number(authorization.amount ?? 0);
  const merchantHeld = Number(authorization.merchant_amount ?? held);
  const merchantAmount = held === 0 ? amount : Math.round((amount * merchantHeld) / held);
  return { amount, merchant_amount: merchantAmount };
}

/** Closes a pending authorization (`status`), its hold given back. */
function close(ctx: Ctx, entry: Entry, status: 'closed' | 'reversed', fields: JsonObject = {}): Entry {
  return ctx.set(entry, {
    ...holding(entry.data, 0),
    balance_transactions: holdFunds(ctx, entry.data, -Number(entry.data.amount)),
    status,
    ...fields,
  });
}

function requirePending(entry: Entry, verb: string): void {
  if (entry.data.status !== 'pending')
    throw invalidRequest(`You cannot ${verb} an authorization that is ${String(entry.data.status)}.`);
}

/** Refuses a second dispute of a transaction, or one for more than it moved. */
function disputable(made: Entry, amount: Json | undefined): void {
  if (typeof made.data.dispute === 'string')
    throw invalidRequest(`Transaction ${made.id} is already disputed (${made.data.dispute}).`, {
      param: 'transaction',
    });
  const whole = Math.abs(Number(made.data.amount ?? 0));
  if (typeof amount === 'number' && amount > whole)
    throw invalidRequest(`A dispute of transaction ${made.id} can be for at most its amount, ${whole}.`, {
      param: 'amount',
    });
}

/** The replacement reasons whose replacement card keeps the original's number. */
const KEEPS_NUMBER: ReadonlySet<Json> = new Set(['damaged', 'expired']);

/**
 * The card a new card replaces (`replacement_for`): a lost or stolen one must have been canceled
 * first, as its replacement gets a new number.
 */
function replaced(ctx: Ctx, params: JsonObject): Entry | undefined {
  if (typeof params.replacement_for !== 'string') return undefined;
  const original = ctx.require(params.replacement_for, [CARD], 'replacement_for', 400);
  const reason = params.replacement_reason ?? null;
  if ((reason === 'lost' || reason === 'stolen') && original.data.status !== 'canceled')
    throw invalidRequest(`Card ${original.id} must be canceled before it is replaced as ${String(reason)}.`, {
      param: 'replacement_for',
    });
  return original;
}

/**
 * Activating the replacement of an expired or damaged card (`before`: the replacement as it was;
 * undefined when it was created active) cancels the original, which was usable until then.
 */
function retireReplaced(ctx: Ctx, replacement: Entry, before: Entry | undefined): void {
  if (replacement.data.status !== 'active' || before?.data.status === 'active') return;
  if (!KEEPS_NUMBER.has(replacement.data.replacement_reason ?? null)) return;
  const original = ctx.find(String(replacement.data.replacement_for), [CARD]);
  if (original && original.data.status !== 'canceled') ctx.set(original, { status: 'canceled' });
}

export const issuingRules: RuleBook = {
  [CARD]: {
    beforeCreate(ctx, draft, { params }) {
      const original = replaced(ctx, params);
      const cardholder =
        typeof params.cardholder === 'string'
          ? ctx.require(params.cardholder, ['issuing.cardholder'], 'cardholder', 400)
          : original && cardholderOf(ctx, original);
      const year = new Date(ctx.now * 1000).getUTCFullYear() + 3;
      // Drawn in this order (expiry month, then last4) so the demo data stays as it was.
      const expMonth = 1 + ctx.random.int(0, 11);
      const last4 = String(ctx.random.int(0, 9999)).padStart(4, '0');
      const card = { last4, ...secrets(String(draft.id), last4) };
      // An expired or damaged card's replacement keeps its number, with a new CVC and expiry.
      if (original && KEEPS_NUMBER.has(params.replacement_reason ?? null))
        Object.assign(card, { last4: original.data.last4, number: original.data.number });
      Object.assign(draft, {
        brand: 'Visa',
        cancellation_reason: null,
        cardholder: cardholder?.data ?? draft.cardholder ?? null,
        exp_month: expMonth,
        exp_year: year,
        ...card,
        replaced_by: null,
        replacement_for: original?.id ?? null,
        replacement_reason: original ? (params.replacement_reason ?? null) : null,
        shipping: isObject(draft.shipping) ? shipment(draft.shipping, params) : null,
        status: typeof params.status === 'string' ? params.status : 'inactive',
      });
    },
    afterCreate(ctx, entry) {
      const original =
        typeof entry.data.replacement_for === 'string'
          ? ctx.find(entry.data.replacement_for, [CARD])
          : undefined;
      if (original) ctx.set(original, { replaced_by: entry.id });
      retireReplaced(ctx, entry, undefined);
    },
    beforeUpdate(_ctx, draft, params, entry) {
      if (entry.data.status === 'canceled' && params.status !== undefined && draft.status !== 'canceled')
        throw invalidRequest(`Card ${entry.id} is canceled: a canceled card cannot be reactivated.`, {
          param: 'status',
        });
    },
    afterUpdate(ctx, entry, _params, before) {
      retireReplaced(ctx, entry, before);
    },
    actions: Object.fromEntries(
      Object.entries(SHIPPING_STATUS).map(([verb, status]) => [
        verb,
        (ctx: Ctx, entry: Entry) => {
          if (!isObject(entry.data.shipping))
            throw invalidRequest(`Card ${entry.id} has no shipment: only a physical card is shipped.`);
          return ctx.set(entry, { shipping: { ...entry.data.shipping, status } });
        },
      ]),
    ),
  },
  [AUTHORIZATION]: {
    beforeCreate(ctx, draft, { params }) {
      const card = ctx.require(String(params.card), [CARD], 'card', 400);
      const amount = Number(params.amount ?? 0);
      const merchantData = merchant(params);
      const request = decide(ctx, card, merchantData, amount);
      Object.assign(draft, {
        amount: request.approved ? amount : 0,
        approved: request.approved,
        authorization_method: params.authorization_method ?? 'online',
        card: card.data,
        cardholder: isObject(card.data.cardholder) ? (card.data.cardholder.id ?? null) : null,
        currency: card.data.currency ?? 'usd',
        merchant_amount: amount,
        merchant_currency: card.data.currency ?? 'usd',
        merchant_data: merchantData,
        pending_request: null,
        request_history: [{ ...request, amount_details: draft.amount_details ?? request.amount_details }],
        status: request.approved ? 'pending' : 'closed',
        balance_transactions: request.approved
          ? holdFunds(ctx, { id: draft.id ?? null, currency: card.data.currency ?? 'usd' }, amount)
          : [],
        transactions: [],
        wallet: params.wallet ?? null,
      });
    },
    actions: {
      approve(ctx, entry) {
        requirePending(entry, 'approve');
        return ctx.set(entry, { approved: true });
      },
      decline(ctx, entry) {
        requirePending(entry, 'decline');
        return close(ctx, entry, 'closed', { approved: false });
      },
      /**
       * A capture of the amount held (or `capture_amount`) into a transaction, listed with the
       * authorization's earlier ones; it closes the authorization unless `close_authorization` is
       * false (a multi-capture), which gives back only the hold on what was captured.
       */
      capture(ctx, entry, params) {
        requirePending(entry, 'capture');
        const card = ctx.require(String((entry.data.card as JsonObject).id), [CARD]);
        const held = Number(entry.data.amount);
        const amount = typeof params.capture_amount === 'number' ? params.capture_amount : held;
        const made = transaction(
          ctx,
          card,
          'capture',
          amount,
          {
            authorization: entry.id,
            merchant_data: entry.data.merchant_data ?? merchant({}),
            wallet: entry.data.wallet ?? null,
          },
          params,
        );
        const before = Array.isArray(entry.data.transactions) ? entry.data.transactions : [];
        const transactions = [...before, made.data];
        if (params.close_authorization !== false) return close(ctx, entry, 'closed', { transactions });
        const released = Math.min(held, amount);
        return ctx.set(entry, {
          ...holding(entry.data, held - released),
          balance_transactions: holdFunds(ctx, entry.data, -released),
          transactions,
        });
      },
      reverse(ctx, entry, params) {
        requirePending(entry, 'reverse');
        const held = Number(entry.data.amount);
        const back = Math.min(held, Number(params.reverse_amount ?? held));
        if (back >= held) return close(ctx, entry, 'reversed');
        return ctx.set(entry, {
          ...holding(entry.data, held - back),
          balance_transactions: holdFunds(ctx, entry.data, -back),
        });
      },
      /**
       * The merchant asks for more: an approved increment raises the held amount, holding the
       * increment too; a declined one (over the card's limit, the card no longer active, or more
       * than the Issuing balance has) leaves it, recorded either way.
       */
      increment(ctx, entry, params) {
        requirePending(entry, 'increment');
        const card = ctx.require(String((entry.data.card as JsonObject).id), [CARD]);
        const more = Number(params.increment_amount ?? 0);
        const amount = Number(entry.data.amount) + more;
        const merchantData = isObject(entry.data.merchant_data) ? entry.data.merchant_data : merchant({});
        const request = decide(ctx, card, merchantData, more, amount);
        const history = Array.isArray(entry.data.request_history) ? entry.data.request_history : [];
        return ctx.set(entry, {
          request_history: [...history, request],
          ...(request.approved
            ? {
                ...holding(entry.data, amount),
                balance_transactions: holdFunds(ctx, entry.data, more),
              }
            : {}),
        });
      },
      expire(ctx, entry) {
        requirePending(entry, 'expire');
        return close(ctx, entry, 'closed');
      },
    },
  },
  [TRANSACTION]: {
    create(ctx, { params, route }) {
      const card = ctx.require(String(params.card), [CARD], 'card', 400);
      const refund = route?.op.path.endsWith('create_unlinked_refund') === true;
      const fields = { merchant_data: merchant(params) };
      return transaction(
        ctx,
        card,
        refund ? 'refund' : 'capture',
        Number(params.amount ?? 0),
        fields,
        params,
      );
    },
    actions: {
      refund(ctx, entry, params) {
        if (entry.data.type !== 'capture')
          throw invalidRequest('Only a capture transaction can be refunded.');
        const card = ctx.require(String(entry.data.card), [CARD]);
        const amount =
          typeof params.refund_amount === 'number'
            ? params.refund_amount
            : Math.abs(Number(entry.data.amount));
        return transaction(ctx, card, 'refund', amount, {
          authorization: entry.data.authorization ?? null,
          merchant_data: entry.data.merchant_data ?? merchant({}),
          wallet: entry.data.wallet ?? null,
        });
      },
    },
  },
  'issuing.dispute': {
    beforeCreate(ctx, draft, { params }) {
      const made =
        typeof params.transaction === 'string'
          ? ctx.require(params.transaction, [TRANSACTION], 'transaction', 400)
          : undefined;
      if (made) disputable(made, params.amount);
      Object.assign(draft, {
        amount: typeof params.amount === 'number' ? params.amount : Math.abs(Number(made?.data.amount ?? 0)),
        balance_transactions: [],
        currency: made?.data.currency ?? 'usd',
        status: 'unsubmitted',
        transaction: made?.id ?? draft.transaction ?? '',
      });
    },
    afterCreate(ctx, entry) {
      const made = ctx.find(String(entry.data.transaction), [TRANSACTION]);
      if (made) ctx.set(made, { dispute: entry.id });
    },
    actions: {
      submit(ctx, entry) {
        if (entry.data.status !== 'unsubmitted')
          throw invalidRequest(`This dispute is already ${String(entry.data.status)}.`);
        return ctx.set(entry, { status: 'submitted' });
      },
    },
  },
};
