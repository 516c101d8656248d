/**
 * Charges, refunds and the balance transactions they leave.
 *
 * - A charge takes `source` (a test token, a card hash, the customer's card) or the customer's
 *   default source; a bank account not yet verified is refused, a verified one is debited (ACH:
 *   `ach_debit` details and fee; `pending`, its balance transaction pending six business days, until
 *   the debit settles: rules/bank-debits.ts). A card past its expiry (`expired_card`) or a declining test card
 *   stores the charge with status `failed` and answers Stripe's 402 `card_error` naming it;
 *   otherwise the charge succeeds, captured unless
 *   `capture=false`, with a balance transaction (fee 2.9% + 30). It keeps the receipt email,
 *   shipping and statement descriptors it is made with (a PaymentIntent's charge, the intent's).
 *   A PaymentIntent's debit of a `us_bank_account` is `pending` instead, its balance transaction
 *   made as it settles (bank-debits.ts).
 * - A refund (`/v1/refunds`, `/v1/charges/{charge}/refunds`, the legacy `/refund` action) defaults
 *   to what remains, cannot exceed it, increments `amount_refunded` and sets `refunded` when full;
 *   an uncaptured charge is refunded whole (the authorization released, no balance transaction); a
 *   charged-back one (its dispute not `is_charge_refundable`) is refused (`charge_disputed`).
 *   A destination charge's refund may reverse its transfer and refund its application fee
 *   (`reverse_transfer`, `refund_application_fee`; rules/connect.ts).
 * - A dispute's evidence is submitted with an update (`submit` defaults to true): the dispute goes
 *   `under_review` (`warning_under_review` for an inquiry) and counts the submission; Stripe's test
 *   evidence decides it at once, `uncategorized_text=winning_evidence` won (the amount reinstated)
 *   and `losing_evidence` lost. Evidence is refused once the dispute is under review or closed.
 *   Closing one that awaits a response accepts it (`lost`; an inquiry `warning_closed`); refunding
 *   an inquiry's charge in full resolves the inquiry too (`warning_closed`).
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest, noSuch } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { receiptUrl } from '../hosted/receipt.ts';
import { cancelRefund, cashBalanceRefund } from '../money/cash-balance.ts';
import {
  achDebitFee,
  balanceTransaction,
  cardFee,
  DISPUTE_FEE,
  settleDestinationCharge,
} from '../money/ledger.ts';
import { businessDaysAfter } from '../money/periods.ts';
import { cardChecks, type Decline, type TestCard } from '../money/tokens.ts';
import { refundConnectCharge, requireChargesEnabled, requireTransferCapability } from './connect.ts';
import { declineError, expiryDecline, resolveSource, testCardOf } from './payment-sources.ts';
import { openReview, riskOutcome, warnOfFraud } from './radar.ts';

const dollars = (amount: number) => `$${(amount / 100).toFixed(2)}`;

export { balanceTransaction, cardFee };

const billingDetails = (name: Json = null): JsonObject => ({
  address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
  email: null,
  name,
  phone: null,
});

/** `payment_method_details` for a card charge. */
function cardDetails(ctx: Ctx, card: JsonObject, test: TestCard | undefined): JsonObject {
  const network = test?.network ?? String(card.brand ?? 'unknown').toLowerCase();
  return ctx.sub('payment_method_details', {
    card: ctx.sub('payment_method_details_card', {
      amount_authorized: null,
      brand: network,
      checks: { ...cardChecks(test) },
      country: card.country ?? test?.country ?? null,
      exp_month: card.exp_month ?? 8,
      exp_year: card.exp_year ?? 2030,
      fingerprint: card.fingerprint ?? null,
      funding: card.funding ?? test?.funding ?? null,
      last4: card.last4 ?? null,
      mandate: null,
      network,
      network_token: { used: false },
      three_d_secure: null,
      wallet: null,
    }),
    type: 'card',
  });
}

/** What an ACH debit's `payment_method_details` shows of the bank account, each as the account says it. */
const ACH_DEBIT_FIELDS = [
  'account_holder_type',
  'bank_name',
  'country',
  'fingerprint',
  'last4',
  'routing_number',
] as const;

/** `payment_method_details` for a charge of a customer's bank account: an ACH debit. */
function achDebitDetails(ctx: Ctx, account: JsonObject): JsonObject {
  const shown: JsonObject = {};
  for (const field of ACH_DEBIT_FIELDS) shown[field] = account[field] ?? null;
  return ctx.sub('payment_method_details', {
    ach_debit: ctx.sub('payment_method_details_ach_debit', shown),
    type: 'ach_debit',
  });
}

/** Whether a charge debits a bank account by ACH (a bank account source, a `us_bank_account`), not a card. */
const isAchDebit = (charge: JsonObject): boolean =>
  isObject(charge.payment_method_details) &&
  ['ach_debit', 'us_bank_account'].includes(String(charge.payment_method_details.type));

export interface ChargeInput {
  amount: number;
  currency: Json;
  customer?: string | null;
  /** the card or payment method's card, as data (`{}` for a payment method with `details`) */
  card: JsonObject;
  /** the `payment_method_details` of a payment method that is no card (a bank debit) */
  details?: JsonObject;
  /**
   * a payment that settles later (a bank debit): the charge is `pending`, its money not yet in the
   * balance (no balance transaction) until it settles (rules/bank-debits.ts)
   */
  pending?: boolean;
  /** the id recorded as `payment_method` */
  paymentMethod: string;
  capture?: boolean;
  paymentIntent?: string;
  invoice?: string;
  description?: Json;
  metadata?: Json;
  extra?: JsonObject;
  /**
   * a test card's dispute or fraud warning is left to the caller (`testCardAftermath`), to come once
   * the charge's PaymentIntent has succeeded, whose event comes first
   */
  aftermathLater?: boolean;
}

/**
 * Fills a charge's data (`data` has its id) for `input`; a card past its expiry or a declining test
 * card gives a `failed` charge and returns its decline. A captured charge gets its balance transaction.
 */
function fillCharge(ctx: Ctx, input: ChargeInput, data: JsonObject): Decline | undefined {
  requireChargesEnabled(ctx, input.extra?.on_behalf_of);
  const test = testCardOf(input.card);
  const decline = expiryDecline(ctx, input.card) ?? test?.decline;
  const capture = decline ? false : input.capture !== false;
  // A bank debit is pending until it settles (rules/bank-debits.ts); a bank account source's (the
  // Charges API's ACH) has its balance transaction at once, pending too.
  const bankSource = input.card.object === 'bank_account';
  const pending = !decline && (input.pending === true || bankSource);
  Object.assign(data, {
    amount: input.amount,
    amount_captured: capture ? input.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: billingDetails(input.card.name ?? input.card.account_holder_name ?? null),
    calculated_statement_descriptor: 'STRIPE EMULATOR',
    captured: capture,
    currency: input.currency,
    customer: input.customer ?? null,
    description: input.description ?? null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: decline ? decline.code : null,
    failure_message: decline ? decline.message : null,
    fraud_details: {},
    invoice: input.invoice ?? null,
    metadata: isObject(input.metadata) ? input.metadata : (data.metadata ?? {}),
    on_behalf_of: null,
    outcome: ctx.sub('charge_outcome', {
      network_status: decline ? 'declined_by_network' : 'approved_by_network',
      reason: decline ? decline.decline_code : null,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: decline
        ? 'The bank did not return any further details with this decline.'
        : 'Payment complete.',
      type: decline ? 'issuer_declined' : 'authorized',
      ...riskOutcome(test, decline),
    }),
    paid: !decline && !pending,
    payment_intent: input.paymentIntent ?? null,
    payment_method: input.paymentMethod,
    payment_method_details:
      input.details ??
      (input.card.object === 'bank_account'
        ? achDebitDetails(ctx, input.card)
        : cardDetails(ctx, input.card, test)),
    receipt_email: null,
    receipt_number: null,
    receipt_url: receiptUrl(ctx, String(data.id)),
    refunded: false,
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: decline ? 'failed' : pending ? 'pending' : 'succeeded',
    transfer_data: null,
    transfer_group: null,
    ...input.extra,
  });
  if (capture && input.pending !== true)
    data.balance_transaction = chargeTransaction(ctx, data, input.amount, test).id;
  return decline;
}

/**
 * The balance transaction of `amount` captured on a charge, net of the card fee (an ACH debit's
 * own): pending for two days (a bank account source's debit, for the business days its money takes
 * to settle), or available at once for a `bypassPending` test card or a bank debit that has settled
 * (`settled`: its money reached the balance as it succeeded).
 */
export function chargeTransaction(
  ctx: Ctx,
  charge: JsonObject,
  amount: number,
  test: TestCard | undefined,
  settled = false,
): Entry {
  return balanceTransaction(ctx, {
    amount,
    currency: charge.currency ?? 'usd',
    type: 'charge',
    source: String(charge.id),
    fee: isAchDebit(charge) ? achDebitFee(amount) : cardFee(amount),
    ...(test?.bypassPending || settled
      ? { delay: 0 }
      : isSourceDebit(charge)
        ? { delay: sourceDebitDelay(ctx) }
        : {}),
  });
}

/** Whether a charge debits a bank account source (the Charges API's ACH). */
const isSourceDebit = (charge: JsonObject): boolean =>
  isObject(charge.payment_method_details) && charge.payment_method_details.type === 'ach_debit';

/** How many business days a bank account source's debit takes to reach the available balance. */
const SOURCE_DEBIT_SETTLEMENT_DAYS = 6;

/** How long a bank account source's debit is pending in the balance, from now. */
const sourceDebitDelay = (ctx: Ctx): number =>
  businessDaysAfter(ctx.now, SOURCE_DEBIT_SETTLEMENT_DAYS) - ctx.now;

/**
 * What befalls a captured charge of a test card once it is stored and its payment has succeeded, so
 * that its events follow the payment's, as Stripe sends them: a dispute test card's dispute
 * (`tok_createDispute`; a chargeback withdraws the amount and the dispute fee, an inquiry,
 * `warning_needs_response`, moves no money and leaves the charge refundable), or the issuer's early
 * fraud warning (`tok_createIssuerFraudRecord`). An authorization meets it once captured.
 */
export function testCardAftermath(ctx: Ctx, stored: Entry): void {
  const charge = ctx.current(stored).data;
  if (charge.status !== 'succeeded' || charge.captured !== true || !isObject(charge.payment_method_details))
    return;
  const test = testCardOf(charge.payment_method_details);
  if (test?.earlyFraudWarning) warnOfFraud(ctx, ctx.current(stored));
  if (!test?.dispute) return;
  openDispute(ctx, charge, test.dispute);
  ctx.set(stored, { disputed: true });
}

function openDispute(ctx: Ctx, charge: JsonObject, kind: NonNullable<TestCard['dispute']>): void {
  const dispute = ctx.build('dispute');
  const withdrawals = kind.inquiry
    ? []
    : [
        balanceTransaction(ctx, {
          amount: -Number(charge.amount ?? 0),
          currency: charge.currency ?? null,
          type: 'adjustment',
          source: String(dispute.id),
          fees: [{ amount: DISPUTE_FEE, type: 'stripe_fee', description: 'Dispute fee' }],
          description: `Chargeback withdrawal for ${String(charge.id)}`,
        }).data,
      ];
  ctx.insert(
    'dispute',
    ctx.build(
      'dispute',
      {
        amount: charge.amount ?? 0,
        balance_transactions: withdrawals,
        charge: String(charge.id),
        currency: charge.currency ?? 'usd',
        evidence_details: {
          due_by: ctx.now + 7 * 86_400,
          has_evidence: false,
          past_due: false,
          submission_count: 0,
        },
        is_charge_refundable: kind.inquiry === true,
        payment_intent: charge.payment_intent ?? null,
        reason: kind.reason,
        status: kind.inquiry ? 'warning_needs_response' : 'needs_response',
      },
      String(dispute.id),
    ),
  );
}

/** Stores a charge for `input`, returning it and its decline, if any; callers report the decline. */
export function recordCharge(ctx: Ctx, input: ChargeInput): { charge: Entry; decline?: Decline } {
  const data = ctx.build('charge');
  const decline = fillCharge(ctx, input, data);
  const charge = ctx.insert('charge', data);
  if (decline) return { charge, decline };
  if (testCardOf(input.card)?.risk === 'elevated') openReview(ctx, charge);
  settleDestinationCharge(ctx, charge);
  if (!input.aftermathLater) testCardAftermath(ctx, charge);
  return { charge: ctx.current(charge) };
}

/** A bank account is charged (an ACH debit) only once verified, as Stripe's ACH guide says. */
function refuseUnverifiedBankAccount(source: JsonObject): void {
  if (source.object === 'bank_account' && source.status !== 'verified')
    throw invalidRequest("The customer's bank account must be verified in order to create an ACH payment.");
}

/** The card a charge request pays with: `source`, else the customer's default source. */
function chargeCard(ctx: Ctx, params: JsonObject): { card: JsonObject; id: string } {
  const customerId = typeof params.customer === 'string' ? params.customer : undefined;
  const customer = customerId ? ctx.require(customerId, ['customer'], 'customer', 400) : undefined;
  if (params.source !== undefined && params.source !== '') {
    const resolved = resolveSource(ctx, params.source, 'source');
    if (resolved.stored?.data.customer && resolved.stored.data.customer !== customerId) {
      throw noSuch('source', resolved.stored.id, 'source', 400);
    }
    refuseUnverifiedBankAccount(resolved.data);
    const id = resolved.stored?.id ?? String(resolved.data.id);
    if (!resolved.stored && resolved.resource === 'card') ctx.insert('card', resolved.data);
    return { card: resolved.data, id };
  }
  if (!customer) throw invalidRequest('Must provide source or customer.', { code: 'missing' });
  const defaultSource = customer.data.default_source;
  const source = typeof defaultSource === 'string' ? ctx.find(defaultSource) : undefined;
  if (!source)
    throw invalidRequest('Cannot charge a customer that has no active card', {
      code: 'missing',
      param: 'card',
    });
  refuseUnverifiedBankAccount(source.data);
  return { card: source.data, id: source.id };
}

/** Whether a dispute of the charge leaves it no longer refundable (a chargeback, not an inquiry). */
function chargedBack(ctx: Ctx, charge: Entry): boolean {
  return ctx.scope
    .referencing(charge.id)
    .some((entry) => entry.resource === 'dispute' && entry.data.is_charge_refundable === false);
}

function createRefund(ctx: Ctx, draft: JsonObject, params: JsonObject, parent: Entry | undefined): void {
  if (params.origin === 'customer_balance') {
    cashBalanceRefund(ctx, draft, params);
    return;
  }
  let charge: Entry | undefined;
  if (parent?.resource === 'charge') charge = parent;
  else if (typeof params.charge === 'string') charge = ctx.require(params.charge, ['charge'], 'charge', 400);
  else if (typeof params.payment_intent === 'string') {
    const intent = ctx.require(params.payment_intent, ['payment_intent'], 'payment_intent', 400);
    const latest = intent.data.latest_charge;
    charge = typeof latest === 'string' ? ctx.find(latest, ['charge']) : undefined;
    if (!charge || intent.data.status !== 'succeeded') {
      throw invalidRequest(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, {
        code: 'charge_not_refundable',
        param: 'payment_intent',
      });
    }
  }
  if (!charge) {
    throw invalidRequest(
      'One of the following params should be provided for this request: payment_intent or charge.',
      {
        code: 'parameter_missing',
      },
    );
  }
  // What a charge can give back is its amount less `amount_refunded`, which already holds the part
  // a partial capture released (as Stripe counts it): 2,000 authorized and 500 captured reads
  // `amount_refunded: 1500`, and 500 is left to refund. An uncaptured charge is refunded whole,
  // which releases the authorization: no money moved, so no balance transaction.
  const whole = Number(charge.data.amount ?? 0);
  const uncaptured = charge.data.captured !== true;
  const refunded = Number(charge.data.amount_refunded ?? 0);
  const remaining = whole - refunded;
  if (chargedBack(ctx, charge)) {
    throw invalidRequest(`Charge ${charge.id} has been charged back: its dispute holds the money.`, {
      code: 'charge_disputed',
    });
  }
  // A failed charge moved no money: nothing to refund (it was not refunded).
  if (charge.data.status !== 'succeeded') {
    throw invalidRequest(
      `Charge ${charge.id} cannot be refunded because it has a status of ${String(charge.data.status)}.`,
    );
  }
  if (remaining <= 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {
      code: 'charge_already_refunded',
    });
  }
  if (uncaptured && typeof params.amount === 'number' && params.amount !== remaining) {
    throw invalidRequest(
      'You cannot partially refund an uncaptured charge. Instead, capture the charge for an amount less than the original amount',
      { param: 'amount' },
    );
  }
  const amount = typeof params.amount === 'number' ? params.amount : remaining;
  if (amount > remaining) {
    throw invalidRequest(
      `Refund amount (${dollars(amount)}) is greater than unrefunded amount on charge (${dollars(remaining)})`,
      { param: 'amount' },
    );
  }
  if (amount < 1) throw invalidRequest('This value must be greater than or equal to 1.', { param: 'amount' });
  Object.assign(draft, {
    amount,
    charge: charge.id,
    currency: charge.data.currency,
    payment_intent: charge.data.payment_intent ?? null,
    reason: params.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
    balance_transaction: uncaptured
      ? null
      : balanceTransaction(ctx, {
          amount: -amount,
          currency: charge.data.currency ?? 'usd',
          type: 'refund',
          source: String(draft.id),
        }).id,
  });
  ctx.set(charge, { amount_refunded: refunded + amount, refunded: refunded + amount >= whole });
  if (refunded + amount >= whole) resolveInquiries(ctx, charge);
  draft.transfer_reversal = refundConnectCharge(ctx, String(draft.id), charge, params, amount);
}

/** An inquiry still open, awaiting a response or reviewing one. */
const OPEN_INQUIRY = new Set(['warning_needs_response', 'warning_under_review']);

/**
 * A charge refunded in full resolves its inquiry, as evidence would (Stripe's disputes guide: submit
 * evidence or refund the payment in full): it reads `warning_closed`, and no chargeback follows.
 */
function resolveInquiries(ctx: Ctx, charge: Entry): void {
  for (const dispute of ctx.scope.referencing(charge.id))
    if (dispute.resource === 'dispute' && OPEN_INQUIRY.has(String(dispute.data.status)))
      ctx.set(dispute, { status: 'warning_closed' });
}

/** What a charge keeps of the request (or PaymentIntent) that makes it, as given. */
const KEPT_DETAILS = ['receipt_email', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix'];

/**
 * A charge's details from the parameters (or the PaymentIntent) that make it: its receipt email,
 * shipping and statement descriptors, those set.
 */
export function chargeDetails(payment: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of KEPT_DETAILS) {
    const value = payment[key];
    if (value !== undefined && value !== null && value !== '') out[key] = value;
  }
  return out;
}

/**
 * A payment's application fee (a charge's or a PaymentIntent's, `noun`): it is taken from a
 * payment that goes to a connected account, a destination charge (`transfer_data[destination]`)
 * or a direct one (made as the account), and is at most the payment's amount.
 */
export function checkApplicationFee(ctx: Ctx, payment: JsonObject, noun: string): void {
  const fee = payment.application_fee_amount;
  if (typeof fee !== 'number') return;
  const transfer = isObject(payment.transfer_data) ? payment.transfer_data : undefined;
  if (typeof transfer?.destination !== 'string' && ctx.scope.account === undefined) {
    throw invalidRequest(
      'An application_fee_amount applies only to a destination payment (`transfer_data[destination]`) or a direct payment made as a connected account (the Stripe-Account header).',
      { param: 'application_fee_amount' },
    );
  }
  const amount = Number(payment.amount);
  if (fee > amount) {
    throw invalidRequest(
      `The application_fee_amount (${fee}) cannot be greater than the ${noun} amount (${amount}).`,
      { param: 'application_fee_amount' },
    );
  }
}

/**
 * A destination payment's (`transfer_data[destination]`, within the parameter `within` if given)
 * account must exist and be able to receive its transfer.
 */
export function checkTransferDestination(ctx: Ctx, payment: JsonObject, within?: string): void {
  const transfer = isObject(payment.transfer_data) ? payment.transfer_data : undefined;
  const param = within ? `${within}[transfer_data][destination]` : 'transfer_data[destination]';
  if (typeof transfer?.destination === 'string') requireTransferCapability(ctx, transfer.destination, param);
}

/**
 * A charge's Connect amounts: its application fee, and what it transfers to its destination
 * (`transfer_data[amount]`), at most its amount (a PaymentIntent's is capped instead).
 */
function checkChargeConnect(ctx: Ctx, params: JsonObject, amount: number): void {
  checkApplicationFee(ctx, { ...params, amount }, "charge's");
  checkTransferDestination(ctx, params);
  const transfer = isObject(params.transfer_data) ? params.transfer_data : undefined;
  if (typeof transfer?.amount === 'number' && transfer.amount > amount) {
    throw invalidRequest(
      `The transfer_data[amount] (${transfer.amount}) cannot be greater than the charge's amount (${amount}).`,
      { param: 'transfer_data[amount]' },
    );
  }
}

/**
 * A Connect charge's fields from request parameters (or its PaymentIntent): `on_behalf_of`,
 * `transfer_group`, and `transfer_data` and `application_fee_amount` of a destination charge, or a
 * direct charge's (made on a connected account) fee.
 */
export function destinationOf(ctx: Ctx, params: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of ['on_behalf_of', 'transfer_group'])
    if (typeof params[key] === 'string' && params[key] !== '') out[key] = params[key];
  const fee = typeof params.application_fee_amount === 'number' ? params.application_fee_amount : null;
  const transfer = params.transfer_data;
  if (!isObject(transfer) || typeof transfer.destination !== 'string') {
    if (ctx.scope.account && fee !== null) out.application_fee_amount = fee;
    return out;
  }
  ctx.require(transfer.destination, ['account'], 'transfer_data[destination]', 400);
  return {
    ...out,
    transfer_data: { amount: transfer.amount ?? null, destination: transfer.destination },
    application_fee_amount: fee,
  };
}

/**
 * Captures `amount` of an authorized charge, however it is asked (`/v1/charges/{charge}/capture` or
 * its PaymentIntent's capture): the captured money's balance transaction, the rest released
 * (`amount_refunded`), a destination charge's transfer and application fee (the capture's
 * `application_fee_amount`, if it gives one, replacing the authorization's, capped at the amount
 * captured), and the charge's PaymentIntent succeeded with what was received.
 */
export function captureCharge(ctx: Ctx, entry: Entry, amount: number, params: JsonObject = {}): Entry {
  const details = isObject(entry.data.payment_method_details) ? entry.data.payment_method_details : {};
  const test = testCardOf(isObject(details.card) ? details.card : {});
  const transaction = chargeTransaction(ctx, entry.data, amount, test);
  const fee =
    typeof params.application_fee_amount === 'number'
      ? { application_fee_amount: Math.min(params.application_fee_amount, amount) }
      : {};
  const updated = ctx.set(entry, {
    amount_captured: amount,
    amount_refunded: Number(entry.data.amount) - amount,
    balance_transaction: transaction.id,
    captured: true,
    refunded: amount === 0,
    ...fee,
  });
  settleDestinationCharge(ctx, updated);
  const intentId = entry.data.payment_intent;
  const intent = typeof intentId === 'string' ? ctx.find(intentId, ['payment_intent']) : undefined;
  if (intent) ctx.set(intent, { amount_capturable: 0, amount_received: amount, status: 'succeeded', ...fee });
  testCardAftermath(ctx, updated);
  return ctx.current(updated);
}

export const chargeRules: RuleBook = {
  charge: {
    afterCreate(ctx, entry) {
      settleDestinationCharge(ctx, entry);
      testCardAftermath(ctx, entry);
    },
    beforeCreate(ctx, draft, { params }) {
      const amount = Number(params.amount);
      if (params.currency === 'usd' && amount < 50) {
        throw invalidRequest('Amount must be at least $0.50 usd', {
          code: 'amount_too_small',
          param: 'amount',
        });
      }
      checkChargeConnect(ctx, params, amount);
      const { card, id } = chargeCard(ctx, params);
      const input: ChargeInput = {
        amount,
        currency: params.currency ?? 'usd',
        customer: typeof params.customer === 'string' ? params.customer : null,
        card,
        paymentMethod: id,
        capture: params.capture !== false,
        description: params.description ?? null,
        metadata: params.metadata ?? {},
        // The card charged, as Stripe shows it on a charge made with a source or a default source.
        extra: { source: card, ...chargeDetails(draft), ...destinationOf(ctx, params) },
      };
      const decline = fillCharge(ctx, input, draft);
      if (decline) {
        // A declined charge is kept (status failed) although the request fails.
        ctx.insert('charge', draft);
        throw declineError(decline, { charge: String(draft.id) });
      }
    },
    actions: {
      capture(ctx, entry, params) {
        if (entry.data.status !== 'succeeded') {
          throw invalidRequest(
            `Charge ${entry.id} cannot be captured because it has a status of ${String(entry.data.status)}.`,
          );
        }
        if (entry.data.captured === true) {
          throw invalidRequest(`Charge ${entry.id} has already been captured.`, {
            code: 'charge_already_captured',
          });
        }
        // Refunded before its capture: the authorization was released.
        if (entry.data.refunded === true) {
          throw invalidRequest(`Charge ${entry.id} has already been refunded.`, {
            code: 'charge_already_refunded',
          });
        }
        const amount = Number(entry.data.amount);
        const captured = typeof params.amount === 'number' ? params.amount : amount;
        if (captured > amount) {
          throw invalidRequest(`You cannot capture more than the authorized amount (${dollars(amount)}).`, {
            param: 'amount',
          });
        }
        return captureCharge(ctx, entry, captured, params);
      },
      refund(ctx, entry, params) {
        ctx.ops.createResource(ctx, 'refund', { ...params, charge: entry.id });
        return ctx.current(entry);
      },
    },
  },
  refund: {
    beforeCreate(ctx, draft, { params, parent }) {
      createRefund(ctx, draft, params, parent);
    },
    actions: { cancel: cancelRefund },
  },
  dispute: {
    beforeUpdate(ctx, draft, params, entry) {
      if (params.evidence === undefined && params.submit === undefined) return;
      const status = String(entry.data.status);
      const inquiry = status === 'warning_needs_response';
      if (status !== 'needs_response' && !inquiry) {
        throw invalidRequest(
          `This dispute is ${status.replaceAll('_', ' ')}: its evidence can no longer be changed or submitted.`,
        );
      }
      const details = isObject(entry.data.evidence_details) ? entry.data.evidence_details : {};
      const evidence = isObject(draft.evidence) ? draft.evidence : {};
      const hasEvidence = Object.values(evidence).some((value) => value !== null && value !== '');
      if (params.submit === false) {
        draft.evidence_details = { ...details, has_evidence: hasEvidence };
        return;
      }
      draft.evidence_details = {
        ...details,
        has_evidence: hasEvidence,
        submission_count: Number(details.submission_count ?? 0) + 1,
      };
      // Stripe's test evidence decides the dispute on submission (an inquiry's outcome is a close).
      const text = evidence.uncategorized_text;
      if (text === 'winning_evidence') {
        draft.status = inquiry ? 'warning_closed' : 'won';
        if (!inquiry)
          draft.balance_transactions = [...balanceTransactionsOf(entry), reinstate(ctx, entry).data];
      } else if (text === 'losing_evidence') draft.status = inquiry ? 'warning_closed' : 'lost';
      else draft.status = inquiry ? 'warning_under_review' : 'under_review';
    },
    actions: {
      // Closing is accepting the dispute: lost (an inquiry closes), only while it awaits a response.
      close(ctx, entry) {
        const status = String(entry.data.status);
        if (status !== 'needs_response' && status !== 'warning_needs_response') {
          throw invalidRequest(`This dispute is ${status.replaceAll('_', ' ')} and cannot be closed.`);
        }
        return ctx.set(entry, { status: status === 'needs_response' ? 'lost' : 'warning_closed' });
      },
    },
  },
};

function balanceTransactionsOf(dispute: Entry): Json[] {
  return Array.isArray(dispute.data.balance_transactions) ? dispute.data.balance_transactions : [];
}

/** The disputed amount given back to the balance when the dispute is won. */
function reinstate(ctx: Ctx, dispute: Entry): Entry {
  return balanceTransaction(ctx, {
    amount: Number(dispute.data.amount ?? 0),
    currency: dispute.data.currency ?? 'usd',
    type: 'adjustment',
    source: dispute.id,
    description: `Chargeback reversal for ${String(dispute.data.charge)}`,
  });
}
