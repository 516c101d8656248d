/**
 * ACH debits: a PaymentIntent paid with a `us_bank_account` payment method, on the emulator's clock.
 *
 * - A bank account entered by hand (its account and routing numbers, not a Financial Connections
 *   account) is verified first, with microdeposits: the first confirmation leaves the
 *   PaymentIntent `requires_action` with a `verify_with_microdeposits` next action (a descriptor
 *   code, arriving two business days on), and `verify_microdeposits` with Stripe's test code
 *   `SM11AA` or test amounts 32 and 45 starts the debit; a wrong code or wrong amounts are
 *   refused. Once a debit was made from it, the account is verified: later payments start at once.
 *   A SetupIntent saving such an account waits for its microdeposits the same way, and an account
 *   it set up is verified.
 * - Confirming it debits the bank account, which takes days: the PaymentIntent is `processing`,
 *   its charge `pending` (`charge.pending`, `payment_intent.processing`), and no money has reached
 *   the balance (the charge has no balance transaction yet).
 * - The debit settles on the fourth business day after it was made, Stripe's standard ACH
 *   settlement for PaymentIntents (weekends skipped; bank holidays are not known here), as time
 *   passes (rules/time.ts) or, for a test clock's customer, as its clock advances: the charge
 *   `succeeded` with its balance transaction, net of the ACH fee and available at once (the money
 *   settled), then the PaymentIntent `succeeded` with the amount received (`charge.succeeded`,
 *   `payment_intent.succeeded`); a destination charge's transfer is made then, and an invoice the
 *   PaymentIntent pays is paid then.
 * - A bank account source's debit (the Charges API's ACH) is `pending` too and settles the same
 *   way, but its balance transaction is made at once, pending six business days (Stripe's
 *   settlement for the Charges API), as Stripe's ACH guide for that API had it.
 * - A debit of one of Stripe's failing test accounts (`FAILING_ACCOUNTS`: closed, not found, short
 *   of funds, debits not authorized) fails then instead: the charge `failed` with its failure code,
 *   no money moved (a source's balance transaction reversed: its `failure_balance_transaction`), and
 *   the PaymentIntent back at `requires_payment_method` with the failure as its
 *   `last_payment_error` (`charge.failed`, `payment_intent.payment_failed`); an invoice it was to
 *   pay has a failed attempt (`invoice.payment_failed`), retried as a declined card's (dunning.ts).
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type JsonObject } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';
import { balanceTransaction, settleDestinationCharge } from '../money/ledger.ts';
import { businessDaysAfter } from '../money/periods.ts';
import { fingerprintOf } from '../money/tokens.ts';
import { chargeTransaction } from './charges.ts';
import { afterFailedCollection } from './dunning.ts';
import { debitFailed, paidByIntent } from './invoices.ts';
import { clockOf } from './subscriptions.ts';

/** How many business days an ACH debit takes to settle. */
const SETTLEMENT_DAYS = 4;

/** What a bank account's debit shows of it, each field as its payment method has it. */
const SHOWN_FIELDS = [
  'account_holder_type',
  'account_type',
  'bank_name',
  'fingerprint',
  'last4',
  'routing_number',
];

interface Failure {
  code: string;
  message: string;
}

/** Stripe's test bank accounts (routing 110000000) whose debits fail, by account number. */
const FAILING_ACCOUNTS: Readonly<Record<string, Failure>> = {
  '000111111113': { code: 'account_closed', message: 'The bank account has been closed.' },
  '000111111116': { code: 'no_account', message: 'No bank account could be found with these details.' },
  '000222222227': {
    code: 'insufficient_funds',
    message: 'The bank account does not hold enough money for this debit.',
  },
  '000333333335': {
    code: 'debit_not_authorized',
    message: 'The account holder told their bank that this debit was not authorized.',
  },
};

/** The failure a debit of the bank account with `fingerprint` meets, if it is a failing test account. */
function failureOf(fingerprint: unknown): Failure | undefined {
  for (const [number, failure] of Object.entries(FAILING_ACCOUNTS))
    if (fingerprint === fingerprintOf(`bank:${number}`)) return failure;
  return undefined;
}

/** Whether paying with `method` debits a bank account (ACH). */
export const isBankDebit = (method: Entry): boolean =>
  method.resource === 'payment_method' && method.data.type === 'us_bank_account';

/** A charge's `payment_method_details` for a debit of `method`'s bank account. */
export function bankDebitDetails(ctx: Ctx, method: Entry): JsonObject {
  const account = isObject(method.data.us_bank_account) ? method.data.us_bank_account : {};
  const shown: JsonObject = { payment_reference: null };
  for (const field of SHOWN_FIELDS) shown[field] = account[field] ?? null;
  return ctx.sub('payment_method_details', {
    type: 'us_bank_account',
    us_bank_account: ctx.sub('payment_method_details_us_bank_account', shown),
  });
}

/** When a debit made at `made` settles: that time of day, `SETTLEMENT_DAYS` weekdays (UTC) on. */
export const settlesAt = (made: number): number => businessDaysAfter(made, SETTLEMENT_DAYS);

/** How many business days microdeposits take to reach the bank account. */
const MICRODEPOSIT_DAYS = 2;

/** Stripe's test microdeposits: the descriptor code, or the two amounts, that verify an account. */
const TEST_DESCRIPTOR_CODE = 'SM11AA';
const TEST_AMOUNTS = [32, 45];

/**
 * Whether `amounts` are Stripe's two test microdeposits (in either order): what verifies a bank
 * account in test mode, a PaymentMethod's here and a customer's bank account source
 * (rules/sources.ts) alike.
 */
export function areTestMicrodeposits(amounts: unknown): boolean {
  if (!Array.isArray(amounts) || amounts.length !== TEST_AMOUNTS.length) return false;
  const given = amounts.map(Number).sort((a, b) => a - b);
  return given.every((amount, i) => amount === TEST_AMOUNTS[i]);
}

/**
 * Whether debiting (or setting up) `method` waits for its bank account to be verified with
 * microdeposits: an account entered by hand, neither debited nor set up yet.
 */
export function needsVerification(ctx: Ctx, method: Entry): boolean {
  const account = isObject(method.data.us_bank_account) ? method.data.us_bank_account : {};
  if (typeof account.financial_connections_account === 'string') return false;
  return !ctx.scope
    .referencing(method.id)
    .some(
      (entry) =>
        entry.resource === 'charge' ||
        (entry.resource === 'setup_attempt' && entry.data.status === 'succeeded'),
    );
}

/** The next action of an intent whose bank account awaits its microdeposits. */
export function microdepositAction(ctx: Ctx): JsonObject {
  return {
    type: 'verify_with_microdeposits',
    verify_with_microdeposits: {
      arrival_date: businessDaysAfter(ctx.now, MICRODEPOSIT_DAYS),
      hosted_verification_url: `https://payments.stripe.com/microdeposit/pacs_test_${ctx.random.string(24)}`,
      microdeposit_type: 'descriptor_code',
    },
  };
}

/**
 * Checks what `verify_microdeposits` was given against Stripe's test microdeposits: the descriptor
 * code, else the two amounts (in either order).
 */
export function checkMicrodeposits(params: JsonObject): void {
  if (typeof params.descriptor_code === 'string') {
    if (params.descriptor_code === TEST_DESCRIPTOR_CODE) return;
    throw invalidRequest('The descriptor code does not match the one of the microdeposit sent.', {
      code: 'payment_method_microdeposit_verification_descriptor_code_mismatch',
      param: 'descriptor_code',
    });
  }
  if (!Array.isArray(params.amounts))
    throw invalidRequest('Give the descriptor code of the microdeposit, or the amounts of the two.', {
      code: 'parameter_missing',
      param: 'descriptor_code',
    });
  if (areTestMicrodeposits(params.amounts)) return;
  throw invalidRequest('The amounts do not match those of the microdeposits sent.', {
    code: 'payment_method_microdeposit_verification_amounts_mismatch',
    param: 'amounts',
  });
}

/** The test clock of a charge's customer, null for none (or no customer). */
function clockOfCharge(ctx: Ctx, charge: Entry): string | null {
  const customer = charge.data.customer;
  return typeof customer === 'string' ? (clockOf(ctx, customer)?.id ?? null) : null;
}

/**
 * Settles the pending debits due by `to`, each at its time: those of the customers on `clock` (a
 * test clock's advance), or of none (time passing, `clock` null).
 */
export function settleBankDebits(ctx: Ctx, to: number, clock: string | null): void {
  for (const charge of [...ctx.scope.all('charge')]) {
    const details = charge.data.payment_method_details;
    if (charge.data.status !== 'pending' || !isObject(details) || !DEBIT_TYPES.includes(String(details.type)))
      continue;
    const at = settlesAt(Number(charge.data.created));
    if (at <= to && clockOfCharge(ctx, charge) === clock) ctx.at(at, () => settle(ctx, charge, details));
  }
}

/** A debit's `payment_method_details` type: a PaymentIntent's, or a bank account source's (Charges API). */
const DEBIT_TYPES = ['us_bank_account', 'ach_debit'];

/** The PaymentIntent a debit pays, while it is processing. */
function processingIntent(ctx: Ctx, charge: Entry): Entry | undefined {
  const id = charge.data.payment_intent;
  const intent = typeof id === 'string' ? ctx.find(id, ['payment_intent']) : undefined;
  return intent?.data.status === 'processing' ? intent : undefined;
}

/**
 * A debit's outcome arrived: its money (the charge succeeds with its balance transaction, then its
 * PaymentIntent), or the bank's refusal.
 */
function settle(ctx: Ctx, charge: Entry, details: JsonObject): void {
  const account = details[String(details.type)];
  const failure = failureOf(isObject(account) ? account.fingerprint : undefined);
  if (failure) {
    fail(ctx, charge, failure);
    return;
  }
  const amount = Number(charge.data.amount);
  // A bank account source's debit has its balance transaction already (pending until then).
  const transaction =
    typeof charge.data.balance_transaction === 'string'
      ? charge.data.balance_transaction
      : chargeTransaction(ctx, charge.data, amount, undefined, true).id;
  const settled = ctx.set(charge, { balance_transaction: transaction, paid: true, status: 'succeeded' });
  settleDestinationCharge(ctx, settled);
  const intent = processingIntent(ctx, charge);
  if (!intent) return;
  ctx.set(intent, { amount_received: amount, status: 'succeeded' });
  if (typeof intent.data.invoice === 'string') paidByIntent(ctx, intent.data.invoice, charge.id);
}

/** The bank refused the debit: the charge fails, and its PaymentIntent wants another payment method. */
function fail(ctx: Ctx, charge: Entry, failure: Failure): void {
  const outcome = isObject(charge.data.outcome) ? charge.data.outcome : {};
  // A bank account source's debit gives back the money its balance transaction counted.
  const credited = charge.data.balance_transaction;
  const reversal =
    typeof credited === 'string'
      ? balanceTransaction(ctx, {
          amount: -Number(charge.data.amount),
          currency: charge.data.currency ?? 'usd',
          type: 'payment_failure_refund',
          source: charge.id,
        }).id
      : null;
  ctx.set(charge, {
    failure_balance_transaction: reversal,
    failure_code: failure.code,
    failure_message: failure.message,
    outcome: {
      ...outcome,
      network_status: 'declined_by_network',
      seller_message: failure.message,
      type: 'issuer_declined',
    },
    status: 'failed',
  });
  const intent = processingIntent(ctx, charge);
  if (!intent) return;
  const method = ctx.find(String(charge.data.payment_method), ['payment_method']);
  ctx.set(intent, {
    last_payment_error: {
      charge: charge.id,
      code: failure.code,
      message: failure.message,
      payment_method: method?.data ?? null,
      type: 'invalid_request_error',
    },
    payment_method: null,
    status: 'requires_payment_method',
  });
  if (typeof intent.data.invoice !== 'string') return;
  const invoice = debitFailed(ctx, intent.data.invoice, charge.id);
  if (invoice) afterFailedCollection(ctx, invoice, failure.code);
}
