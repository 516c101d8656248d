/**
 * The ledger: every movement of money is a balance transaction in the scope of the account whose
 * balance it moves, and `GET /v1/balance` is the sum of them, per currency: `available` once the
 * transaction's `available_on` has passed, `pending` before (a transaction's `status` is read the
 * same way). A charge's funds become available after the account's payout schedule's `delay_days`
 * (money/settlement.ts: 2 by default); every other movement at once.
 *
 * - Stripe's fees: 2.9% + 30 on card charges, $15 on a dispute; application fees move from the
 *   connected account to the platform.
 * - Destination charges (`transfer_data[destination]`, `application_fee_amount`): the charge's
 *   transfer to the destination (seen there as a `py_` payment, net of the application fee) and the
 *   application fee object, as Stripe makes them; a direct charge (on a connected account) with
 *   `application_fee_amount` pays its fee the same way.
 * - A top-up succeeds at once (its money available), so it can no longer be canceled.
 * - Transfers and payouts take only what is available (Stripe's `balance_insufficient`), but a
 *   transfer tied to a charge (`source_transaction`) draws on the charge's pending funds: it moves
 *   the money, on both sides, when the charge's funds become available. An application fee is
 *   available when the payment it is taken from is.
 * - Issuing spends from the Issuing balance, apart: its authorization holds and releases, its
 *   transactions and disputes are summed in the balance's `issuing.available`, not in
 *   `available` or `pending`, and are never what a transfer or payout takes. The seed funds it
 *   (`fundIssuing`): the 2024-04-10 API has no way to.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { emitEvent } from '../engine/events.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry, Scope } from '../engine/store.ts';
import { chargeFundsDelay } from './settlement.ts';

/** Stripe's fee for a card charge: 2.9% + 30. */
export const cardFee = (amount: number) => Math.round(amount * 0.029) + 30;

/** Stripe's fee for an ACH debit of a bank account: 0.8%, at most $5.00. */
export const achDebitFee = (amount: number) => Math.min(Math.round(amount * 0.008), 500);

/** Stripe's fee for a dispute, in the charge's currency's minor unit. */
export const DISPUTE_FEE = 1500;

/** The platform's application id, on the application fees it collects. */
export const PLATFORM_APPLICATION = 'ca_emulator';

export interface FeeLine {
  amount: number;
  type: 'stripe_fee' | 'application_fee' | 'tax';
  description: string;
  application?: string;
}

export interface Movement {
  amount: number;
  currency: Json;
  /** the balance transaction's `type` */
  type: string;
  /** the object that moved the money; null where the API's source union has no member for it */
  source: string | null;
  /** Stripe's processing fee (a `stripe_fee` line) */
  fee?: number;
  /** other fee lines (an application fee) */
  fees?: readonly FeeLine[];
  description?: Json;
  /** seconds until the money is available; 0 unless a card payment */
  delay?: number;
  /** the account's scope when not the request's (a destination account) */
  scope?: Scope;
}

/** The balance `source_types` key a transaction type counts under. */
const sourceType = (type: string): string =>
  type === 'topup' || type === 'topup_reversal' ? 'bank_account' : 'card';

/** Stores a balance transaction moving `movement.amount` (net of its fees) through a balance. */
export function balanceTransaction(ctx: Ctx, movement: Movement): Entry {
  const currency = movement.currency ?? 'usd';
  const lines: FeeLine[] = [...(movement.fees ?? [])];
  if (movement.fee && movement.fee > 0)
    lines.unshift({ amount: movement.fee, type: 'stripe_fee', description: 'Stripe processing fees' });
  const fee = lines.reduce((sum, line) => sum + line.amount, 0);
  const held = movement.type === 'charge' || movement.type === 'payment';
  const delay = movement.delay ?? (held ? chargeFundsDelay(ctx, movement.scope ?? ctx.scope) : 0);
  const data = ctx.build('balance_transaction', {
    amount: movement.amount,
    available_on: ctx.now + delay,
    currency,
    description: movement.description ?? null,
    exchange_rate: null,
    fee,
    fee_details: lines.map((line) => ({
      amount: line.amount,
      application: line.application ?? null,
      currency,
      description: line.description,
      type: line.type,
    })),
    net: movement.amount - fee,
    reporting_category: reportingCategory(movement.type),
    source: movement.source,
    status: delay > 0 ? 'pending' : 'available',
    type: movement.type,
  });
  if (!movement.scope || movement.scope === ctx.scope) return ctx.insert('balance_transaction', data);
  return insertIn(movement.scope, 'balance_transaction', data);
}

/** Stripe's `reporting_category` for a transaction type. */
function reportingCategory(type: string): string {
  switch (type) {
    case 'payment':
    case 'charge':
      return 'charge';
    case 'payment_refund':
      return 'refund';
    case 'application_fee':
      return 'platform_earning';
    case 'application_fee_refund':
      return 'platform_earning_refund';
    case 'transfer_refund':
      return 'transfer_reversal';
    case 'issuing_transaction':
    case 'issuing_authorization_hold':
    case 'issuing_authorization_release':
      return 'issuing_transaction';
    default:
      return type;
  }
}

/** Stores `data` (with its id) in another account's scope. */
export function insertIn(scope: Scope, resource: string, data: JsonObject): Entry {
  const id = String(data.id);
  return scope.put({ key: id, id, resource, seq: scope.nextSeq(), data });
}

/**
 * A transfer reversal (`reversal`, its id) seen from the destination: a refund (`pyr_…`) of the
 * transfer's payment in the destination account's scope, naming the reversal in
 * `source_transfer_reversal`, with the `payment_refund` balance transaction it names. Returns the
 * refund's id (the reversal's `destination_payment_refund`), or null without a payment.
 */
export function refundDestinationPayment(
  ctx: Ctx,
  transfer: Entry,
  amount: number,
  reversal: string,
): string | null {
  const destination = transfer.data.destination;
  const paymentId = transfer.data.destination_payment;
  if (typeof destination !== 'string' || typeof paymentId !== 'string') return null;
  const scope = ctx.store.scope(destination);
  const payment = scope.find(paymentId);
  const currency = String(transfer.data.currency ?? 'usd');
  const refund = ctx.build(
    'refund',
    {
      amount,
      charge: paymentId,
      currency,
      payment_intent: null,
      reason: null,
      receipt_number: null,
      source_transfer_reversal: reversal,
      status: 'succeeded',
      transfer_reversal: null,
    },
    `pyr_${ctx.random.string(24)}`,
  );
  refund.balance_transaction = balanceTransaction(ctx, {
    amount: -amount,
    currency,
    type: 'payment_refund',
    source: String(refund.id),
    scope,
  }).id;
  insertIn(scope, 'refund', refund);
  if (payment) {
    const refunded = Number(payment.data.amount_refunded ?? 0) + amount;
    scope.replace(payment, {
      ...payment.data,
      amount_refunded: refunded,
      refunded: refunded >= Number(payment.data.amount ?? 0),
    });
  }
  return String(refund.id);
}

/** A balance transaction's `status`, read from its `available_on`. */
export function withStatus(ctx: Ctx, data: JsonObject): JsonObject {
  const status = Number(data.available_on) <= ctx.now ? 'available' : 'pending';
  return data.status === status ? data : { ...data, status };
}

/** The balance transaction types that move the Issuing balance rather than the payments balance. */
const ISSUING_TYPES: ReadonlySet<string> = new Set([
  'issuing_authorization_hold',
  'issuing_authorization_release',
  'issuing_dispute',
  'issuing_transaction',
]);

/**
 * The stored mark of money that funds the Issuing balance (Stripe's later API versions send it as
 * the balance transaction's `balance_type`; 2024-04-10 does not, handlers/version.ts).
 */
const ISSUING_BALANCE = { balance_type: 'issuing' } as const;

/** Whether a balance transaction moves the Issuing balance. */
const movesIssuing = (data: JsonObject): boolean =>
  ISSUING_TYPES.has(String(data.type)) || data.balance_type === ISSUING_BALANCE.balance_type;

/**
 * Adds `amount` to the Issuing balance, as the seed funds it: the 2024-04-10 API has no way to
 * (no top-up to the Issuing balance, no funding test helper), so an adjustment (`id` fixed, no
 * random draw) that only the Issuing balance counts.
 */
export function fundIssuing(ctx: Ctx, amount: number, currency: string, id: string): Entry {
  return ctx.insert('balance_transaction', {
    ...ctx.build(
      'balance_transaction',
      {
        amount,
        available_on: ctx.now,
        currency,
        description: 'Issuing balance funding',
        exchange_rate: null,
        fee: 0,
        fee_details: [],
        net: amount,
        reporting_category: 'other_adjustment',
        source: null,
        status: 'available',
        type: 'adjustment',
      },
      id,
    ),
    ...ISSUING_BALANCE,
  });
}

interface Sums {
  available: Map<string, Map<string, number>>;
  pending: Map<string, Map<string, number>>;
  /** the Issuing balance, per currency */
  issuing: Map<string, number>;
}

function sums(ctx: Ctx, scope: Scope): Sums {
  const out: Sums = { available: new Map(), pending: new Map(), issuing: new Map() };
  for (const entry of scope.all('balance_transaction')) {
    const data = entry.data;
    if (movesIssuing(data)) {
      const currency = String(data.currency ?? 'usd');
      out.issuing.set(currency, (out.issuing.get(currency) ?? 0) + Number(data.net ?? 0));
      continue;
    }
    const bucket = Number(data.available_on) <= ctx.now ? out.available : out.pending;
    const currency = String(data.currency ?? 'usd');
    const byType = bucket.get(currency) ?? new Map<string, number>();
    const type = sourceType(String(data.type));
    byType.set(type, (byType.get(type) ?? 0) + Number(data.net ?? 0));
    bucket.set(currency, byType);
  }
  return out;
}

const total = (byType: Map<string, number> | undefined) =>
  [...(byType?.values() ?? [])].reduce((a, b) => a + b, 0);

/** The available balance of the scope in `currency`. */
export function available(ctx: Ctx, currency: string, scope: Scope = ctx.scope): number {
  return total(sums(ctx, scope).available.get(currency));
}

/** The Issuing balance of the scope in `currency` (what an Issuing authorization may hold). */
export function issuingAvailable(ctx: Ctx, currency: string, scope: Scope = ctx.scope): number {
  return sums(ctx, scope).issuing.get(currency) ?? 0;
}

/** `GET /v1/balance`: the sums of the scope's balance transactions. */
export function balanceOf(ctx: Ctx, scope: Scope = ctx.scope): JsonObject {
  const { available: ready, pending, issuing } = sums(ctx, scope);
  const currencies = [...new Set([...ready.keys(), ...pending.keys(), 'usd'])].sort();
  const amounts = (bucket: Map<string, Map<string, number>>) =>
    currencies.map((currency) => {
      const byType = bucket.get(currency);
      return {
        amount: total(byType),
        currency,
        source_types: Object.fromEntries(byType && byType.size > 0 ? byType : [['card', 0]]),
      };
    });
  const out: JsonObject = {
    object: 'balance',
    available: amounts(ready),
    livemode: false,
    pending: amounts(pending),
  };
  if (!scope.account) out.connect_reserved = currencies.map((currency) => ({ amount: 0, currency }));
  // An account that has used Issuing has an Issuing balance.
  if (issuing.size > 0)
    out.issuing = {
      available: [...issuing].sort().map(([currency, amount]) => ({ amount, currency })),
    };
  return out;
}

/** Refuses to take `amount` when the balance does not have it available, as Stripe does. */
export function requireAvailable(ctx: Ctx, amount: number, currency: string, kind: 'transfer' | 'payout') {
  const have = available(ctx, currency);
  if (amount <= have) return;
  throw invalidRequest(
    kind === 'payout'
      ? `You have insufficient funds in your Stripe account for this transfer. Your ${sourceType('charge')} balance is too low. You can use the /v1/balance endpoint to view your Stripe balance (for more details, see stripe.com/docs/api#balance).`
      : 'You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card. See: https://stripe.com/docs/testing#available-balance',
    { code: 'balance_insufficient', param: 'amount' },
  );
}

/**
 * A captured Connect charge. A destination charge (`transfer_data[destination]`): its transfer to
 * the destination (amount `transfer_data[amount]` up to what was captured, else all of that)
 * and, with `application_fee_amount`, the application fee the platform collects from the
 * destination's payment. A direct charge (made on a connected account) with `application_fee_amount`: the fee
 * the platform collects from it. Sets the charge's `transfer` and `application_fee`.
 */
export function settleDestinationCharge(ctx: Ctx, stored: Entry): void {
  const charge = ctx.current(stored).data;
  if (charge.captured !== true || charge.status !== 'succeeded' || charge.transfer) return;
  if (charge.application_fee) return;
  const feeAmount = typeof charge.application_fee_amount === 'number' ? charge.application_fee_amount : 0;
  const transferData = charge.transfer_data;
  if (!isObject(transferData) || typeof transferData.destination !== 'string') {
    if (ctx.scope.account && feeAmount > 0) collectApplicationFee(ctx, ctx.scope, stored, feeAmount, null);
    return;
  }
  const destination = transferData.destination;
  const amount = Number(charge.amount_captured ?? charge.amount ?? 0);
  // `transfer_data[amount]`, capped at what was captured.
  const transferAmount =
    typeof transferData.amount === 'number' ? Math.min(transferData.amount, amount) : amount;
  const transfer = ctx.ops.createResource(ctx, 'transfer', {
    amount: transferAmount,
    currency: charge.currency ?? 'usd',
    destination,
    source_transaction: String(charge.id),
    // In the charge's group, if it has one.
    ...(typeof charge.transfer_group === 'string' ? { transfer_group: charge.transfer_group } : {}),
  });
  ctx.set(stored, { transfer: transfer.id });
  if (feeAmount <= 0) return;
  // The destination's payment pays the application fee.
  const scope = ctx.store.scope(destination);
  const payment = scope.get(String(ctx.current(transfer).data.destination_payment));
  if (!payment) return;
  ctx.set(stored, { application_fee: collectApplicationFee(ctx, scope, payment, feeAmount, stored.id) });
}

/**
 * The application fee the platform collects from `charge`, a payment in the connected account of
 * `scope`: a fee line on the charge's balance transaction there, the `application_fee` (kept with
 * the platform's objects, `charge` naming the connected account's payment and
 * `originating_transaction` the platform's charge of a destination charge) with its balance
 * transaction, and the payment's `application_fee`. Returns the fee's id.
 */
function collectApplicationFee(
  ctx: Ctx,
  scope: Scope,
  charge: Entry,
  amount: number,
  originating: string | null,
): string {
  const account = String(scope.account);
  const currency = charge.data.currency ?? 'usd';
  const received = scope.get(String(charge.data.balance_transaction));
  if (received) {
    const fee = Number(received.data.fee ?? 0) + amount;
    const details = Array.isArray(received.data.fee_details) ? received.data.fee_details : [];
    const line = {
      amount,
      application: PLATFORM_APPLICATION,
      currency,
      description: 'Application fee',
      type: 'application_fee',
    };
    scope.replace(received, {
      ...received.data,
      fee,
      fee_details: [...details, line],
      net: Number(received.data.amount) - fee,
    });
  }
  const platform = ctx.store.platform;
  const fee = ctx.build('application_fee', {
    account,
    amount,
    amount_refunded: 0,
    application: PLATFORM_APPLICATION,
    charge: charge.id,
    currency,
    originating_transaction: originating,
    refunded: false,
  });
  fee.balance_transaction = balanceTransaction(ctx, {
    amount,
    currency,
    type: 'application_fee',
    source: String(fee.id),
    // Taken from the payment: available with it.
    delay: Math.max(0, Number(received?.data.available_on ?? ctx.now) - ctx.now),
    scope: platform,
  }).id;
  if (ctx.scope === platform) ctx.insert('application_fee', fee);
  else {
    // A direct charge's fee: the platform's object, and its event, from a connected account's request.
    emitEvent(
      ctx,
      'application_fee.created',
      insertIn(platform, 'application_fee', fee).data,
      undefined,
      platform,
    );
  }
  const paid = scope.get(charge.key) ?? charge;
  scope.replace(paid, { ...paid.data, application_fee: String(fee.id) });
  return String(fee.id);
}

/** Money per metric ton of a Climate product in `currency`. */
function perTon(ctx: Ctx, product: Json | undefined, currency: string): JsonObject | undefined {
  const entry = typeof product === 'string' ? ctx.find(product, ['climate.product']) : undefined;
  const prices = entry?.data.current_prices_per_metric_ton;
  const price = isObject(prices) ? prices[currency] : undefined;
  return isObject(price) ? price : undefined;
}

/** Rules of the objects whose only business is moving money. */
export const ledgerRules: RuleBook = {
  balance: {
    singleton: (ctx) => balanceOf(ctx),
  },
  topup: {
    beforeCreate(ctx, draft) {
      const amount = Number(draft.amount ?? 0);
      if (amount < 1)
        throw invalidRequest('This value must be greater than or equal to 1.', { param: 'amount' });
      draft.balance_transaction = balanceTransaction(ctx, {
        amount,
        currency: draft.currency ?? 'usd',
        type: 'topup',
        source: String(draft.id),
        description: draft.description ?? null,
      }).id;
      draft.expected_availability_date = ctx.now;
      draft.status = 'succeeded';
    },
    actions: {
      // Only a pending top-up can be canceled; the emulator's succeed at once, their money kept.
      cancel(ctx, entry) {
        if (entry.data.status !== 'pending') {
          throw invalidRequest(
            `Top-up ${entry.id} cannot be canceled because it has a status of ${String(entry.data.status)}.`,
          );
        }
        return ctx.set(entry, { status: 'canceled' });
      },
    },
  },
  'climate.order': {
    beforeCreate(ctx, draft, { params }) {
      const currency = String(draft.currency ?? 'usd');
      const price = perTon(ctx, draft.product, currency);
      if (!price)
        throw invalidRequest(`This product cannot be ordered in ${currency}.`, { param: 'currency' });
      const total = Number(price.amount_total);
      // By metric tons, or by the amount to spend.
      const tons =
        typeof params.amount === 'number'
          ? params.amount / total
          : Number(params.metric_tons ?? draft.metric_tons);
      if (!(tons > 0))
        throw invalidRequest('Either metric_tons or amount must be positive.', { param: 'metric_tons' });
      const subtotal = Math.round(Number(price.amount_subtotal) * tons);
      const fees = Math.round(Number(price.amount_fees) * tons);
      Object.assign(draft, {
        amount_fees: fees,
        amount_subtotal: subtotal,
        amount_total: subtotal + fees,
        currency,
        metric_tons: String(Math.round(tons * 1000) / 1000),
        status: 'confirmed',
        confirmed_at: ctx.now,
      });
      balanceTransaction(ctx, {
        amount: -(subtotal + fees),
        currency,
        type: 'climate_order_purchase',
        source: null,
        description: `Climate order ${String(draft.id)}`,
      });
    },
    actions: {
      cancel(ctx, entry) {
        if (entry.data.status !== 'open' && entry.data.status !== 'confirmed')
          throw invalidRequest(
            `Order ${entry.id} cannot be canceled because it is ${String(entry.data.status)}.`,
          );
        balanceTransaction(ctx, {
          amount: Number(entry.data.amount_total ?? 0),
          currency: entry.data.currency ?? 'usd',
          type: 'climate_order_refund',
          source: null,
          description: `Climate order ${entry.id}`,
        });
        return ctx.set(entry, { status: 'canceled', canceled_at: ctx.now, cancellation_reason: 'requested' });
      },
    },
  },
  'issuing.transaction': {
    beforeCreate(ctx, draft) {
      // A capture takes money from the balance (a negative amount); a refund gives it back.
      const sign = draft.type === 'refund' ? 1 : -1;
      const amount = sign * Math.abs(Number(draft.amount ?? 0));
      draft.type ??= 'capture';
      draft.amount = amount;
      draft.merchant_amount = sign * Math.abs(Number(draft.merchant_amount ?? amount));
      draft.balance_transaction = balanceTransaction(ctx, {
        amount,
        currency: draft.currency ?? 'usd',
        type: 'issuing_transaction',
        source: String(draft.id),
      }).id;
    },
  },
};
