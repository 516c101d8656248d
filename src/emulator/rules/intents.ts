/**
 * PaymentIntents and SetupIntents: their state machines for card payments and ACH debits.
 *
 * - An intent given no `payment_method_types` takes the Dashboard's payment methods
 *   (`automatic_payment_methods`, the default since API 2023-08-16), which may redirect the
 *   customer: confirming it then needs a `return_url`, unless a payment off session or created
 *   with `allow_redirects: never` (`checkRedirects`). A PaymentIntent's payment method must be of
 *   one of its `payment_method_types`.
 * - Confirming one with a `us_bank_account` payment method debits the bank account, once its
 *   microdeposits are verified (`verify_microdeposits`) if it was entered by hand: the
 *   PaymentIntent is `processing` until the debit settles days later (bank-debits.ts), and cannot
 *   be canceled meanwhile.
 * - A PaymentIntent starts `requires_payment_method` (or `requires_confirmation` with a payment
 *   method, named or made of `payment_method_data`, on creation as on confirmation); `confirm`
 *   charges the card: `succeeded` (or `requires_capture` with manual capture),
 *   or, on a declining test card, back to `requires_payment_method` with `last_payment_error`, a
 *   failed charge and Stripe's 402. A 3D Secure test card (`pm_card_threeDSecure2Required`) goes
 *   to `requires_action` with a `next_action` first (`error_on_requires_action` fails instead);
 *   confirming again completes the authentication. Off session (`off_session`) nobody can
 *   authenticate: such a card is declined `authentication_required` at once. `cancel` and
 *   `capture` follow Stripe's allowed statuses: a capture is its charge's (charges.ts
 *   `captureCharge`), and cancelling a held PaymentIntent refunds its charge whole, releasing the
 *   authorization; `increment_authorization` raises a held one's amount, capturable and charge.
 * - A SetupIntent's `confirm` attaches the payment method and succeeds, or fails the same way (a
 *   card past its expiry too, `expired_card`); a 3D Secure card goes through `requires_action`
 *   first, as for a payment, and a bank account entered by hand waits for its microdeposits
 *   (`verify_microdeposits`). Its `setup_attempt` describes the card set up.
 */
import type { Ctx } from '../engine/context.ts';
import { ErrorReply, invalidRequest } from '../engine/errors.ts';
import { isObject, type JsonObject, nullUnlessSet } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import type { Decline } from '../money/tokens.ts';
import {
  bankDebitDetails,
  checkMicrodeposits,
  isBankDebit,
  microdepositAction,
  needsVerification,
} from './bank-debits.ts';
import {
  type ChargeInput,
  captureCharge,
  chargeDetails,
  checkApplicationFee,
  checkTransferDestination,
  destinationOf,
  recordCharge,
  testCardAftermath,
} from './charges.ts';
import { paidByIntent } from './invoices.ts';
import {
  declineError,
  expiryDecline,
  instrumentCard,
  resolvePaymentInstrument,
  saveInstrument,
  testCardOf,
} from './payment-sources.ts';

/**
 * The statuses a PaymentIntent can be canceled in. Not `processing`: Stripe cancels one there only
 * for a few payment methods, and a bank debit under way (the emulator's processing payments) is
 * not called back.
 */
const CANCELABLE = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
];

const PAST: Readonly<Record<string, string>> = {
  cancel: 'canceled',
  capture: 'captured',
  confirm: 'confirmed',
  increment_authorization: 'incremented',
};

/** How a verb reads in a sentence, where its name does not. */
const PHRASE: Readonly<Record<string, string>> = {
  increment_authorization: 'increment the authorization of',
};

function unexpectedState(
  kind: 'PaymentIntent' | 'SetupIntent',
  verb: string,
  status: unknown,
  allowed: string[],
): ErrorReply {
  return invalidRequest(
    `You cannot ${PHRASE[verb] ?? verb} this ${kind} because it has a status of ${String(status)}. Only a ${kind} with one of the following statuses may be ${PAST[verb] ?? verb}: ${allowed.join(', ')}.`,
    { code: kind === 'PaymentIntent' ? 'payment_intent_unexpected_state' : 'setup_intent_unexpected_state' },
  );
}

/** The payment method for a confirmation: the param (magic ids made real) or the intent's own. */
function paymentMethodFor(
  ctx: Ctx,
  intent: Entry,
  params: JsonObject,
  kind: 'PaymentIntent' | 'SetupIntent',
): Entry {
  const named = namedPaymentMethod(ctx, params);
  const id = named?.id ?? intent.data.payment_method;
  if (typeof id !== 'string') {
    throw invalidRequest(
      `You cannot confirm this ${kind} because it's missing a payment method. You can either update the ${kind} with a payment method and then confirm it again, or confirm it again directly with a payment method.`,
      {
        code: kind === 'PaymentIntent' ? 'payment_intent_unexpected_state' : 'setup_intent_unexpected_state',
      },
    );
  }
  return ownedBy(named ?? resolvePaymentInstrument(ctx, id, 'payment_method'), intent.data.customer);
}

/**
 * The payment method a request names: `payment_method` (magic ids made real), or a new one made of
 * `payment_method_data` (its type and details, billing details, metadata), as Stripe makes one.
 */
function namedPaymentMethod(ctx: Ctx, params: JsonObject): Entry | undefined {
  if (typeof params.payment_method === 'string' && params.payment_method !== '')
    return resolvePaymentInstrument(ctx, params.payment_method, 'payment_method');
  if (isObject(params.payment_method_data))
    return ctx.ops.createResource(ctx, 'payment_method', params.payment_method_data);
  return undefined;
}

/**
 * `method`, unless another customer holds it: an intent is confirmed only with its own customer's
 * (Stripe lets an unconfirmed intent name another's, and refuses at confirmation).
 */
function ownedBy(method: Entry, customer: unknown): Entry {
  const holder = method.data.customer;
  if (typeof holder === 'string' && typeof customer === 'string' && holder !== customer) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${method.id}. The payment method must be attached to the customer.`,
      { param: 'payment_method' },
    );
  }
  return method;
}

/**
 * The payment method types the emulator's account has on, as its Dashboard would: cards, the one
 * kind every account takes, and in US dollars ACH debits (`us_bank_account`), the other kind the
 * emulator can pay with. Neither redirects the customer.
 */
function dashboardPaymentMethodTypes(currency: unknown): string[] {
  return currency === 'usd' ? ['card', 'us_bank_account'] : ['card'];
}

/**
 * A new intent's payment method types (API 2023-08-16 on): given as `payment_method_types`, or
 * else those the Dashboard has on for `currency` (a SetupIntent's: the account's, US dollars),
 * `automatic_payment_methods` enabled (the default when neither is given), allowing redirects
 * unless told `never`. Both at once is refused.
 */
function choosePaymentMethodTypes(draft: JsonObject, params: JsonObject, currency: unknown): void {
  const automatic = isObject(params.automatic_payment_methods) ? params.automatic_payment_methods : undefined;
  if (automatic && params.payment_method_types !== undefined) {
    throw invalidRequest(
      'Only one of automatic_payment_methods and payment_method_types may be given: the former takes the payment methods on in the Dashboard, the latter lists them.',
      { param: 'automatic_payment_methods' },
    );
  }
  if (params.payment_method_types !== undefined || automatic?.enabled === false) {
    draft.automatic_payment_methods = null;
    return;
  }
  draft.automatic_payment_methods = {
    allow_redirects: automatic?.allow_redirects === 'never' ? 'never' : 'always',
    enabled: true,
  };
  draft.payment_method_types = dashboardPaymentMethodTypes(currency);
}

/**
 * A confirmation of an intent whose automatic payment methods allow redirects: some of them may
 * send the customer to another page, so Stripe wants the `return_url` to send them back to,
 * whatever the payment method (a card too), unless the customer is away (a payment's
 * `off_session`); nor does it take `error_on_requires_action` there. `allow_redirects: never`
 * lifts both.
 */
function checkRedirects(kind: 'PaymentIntent' | 'SetupIntent', intent: JsonObject, params: JsonObject): void {
  const automatic = isObject(intent.automatic_payment_methods) ? intent.automatic_payment_methods : {};
  if (automatic.enabled !== true || automatic.allow_redirects === 'never') return;
  if (params.error_on_requires_action === true) {
    throw invalidRequest(
      `error_on_requires_action cannot be used with a ${kind} whose automatic_payment_methods allow redirects: give it payment_method_types, or set automatic_payment_methods[allow_redirects] to never.`,
      { param: 'error_on_requires_action' },
    );
  }
  if ((typeof params.return_url === 'string' && params.return_url !== '') || isOffSession(params.off_session))
    return;
  throw invalidRequest(
    `This ${kind} takes the payment methods on in the Dashboard, and some of them may redirect the customer, so confirming it needs a return_url to bring them back. To take no redirect-based payment methods, create it with automatic_payment_methods[enabled]=true and automatic_payment_methods[allow_redirects]=never.`,
    { param: 'return_url' },
  );
}

function confirmPaymentIntent(ctx: Ctx, entry: Entry, params: JsonObject): Entry {
  const allowed = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
  if (!allowed.includes(String(entry.data.status)))
    throw unexpectedState('PaymentIntent', 'confirm', entry.data.status, allowed);
  const method = paymentMethodFor(ctx, entry, params, 'PaymentIntent');
  checkPaymentMethodType(entry, method);
  // A 3D Secure card first asks for authentication; confirming again from `requires_action` is
  // the customer having authenticated (the emulator's stand-in for Stripe.js), back from any
  // redirect already.
  const authenticated = entry.data.status === 'requires_action' && entry.data.payment_method === method.id;
  if (!authenticated) checkRedirects('PaymentIntent', entry.data, params);
  if (needsAuthentication(ctx, method) && !authenticated) {
    // Off session no customer is there to authenticate: the issuer's soft decline, at once.
    if (params.error_on_requires_action === true || isOffSession(params.off_session))
      return failConfirmation(ctx, entry, method, AUTHENTICATION_REQUIRED);
    return ctx.set(entry, {
      last_payment_error: null,
      next_action: nextAction(entry, params),
      payment_method: method.id,
      status: 'requires_action',
    });
  }
  if (isBankDebit(method)) return startBankDebit(ctx, entry, method, params);
  const manual = entry.data.capture_method === 'manual';
  const amount = Number(entry.data.amount);
  const { charge, decline } = recordCharge(ctx, {
    ...paymentCharge(ctx, entry, method),
    card: instrumentCard(method),
    capture: !manual,
    aftermathLater: true,
  });
  if (decline) return failConfirmation(ctx, entry, method, decline, charge.id);
  saveIfAsked(ctx, entry, method, params);
  const confirmed = ctx.set(entry, {
    amount_capturable: manual ? amount : 0,
    amount_received: manual ? 0 : amount,
    last_payment_error: null,
    latest_charge: charge.id,
    next_action: null,
    payment_method: method.id,
    review: charge.data.review ?? null,
    status: manual ? 'requires_capture' : 'succeeded',
  });
  // An invoice's PaymentIntent pays its invoice.
  if (!manual && typeof entry.data.invoice === 'string') paidByIntent(ctx, entry.data.invoice, charge.id);
  testCardAftermath(ctx, charge);
  return ctx.current(confirmed);
}

/** The charge a PaymentIntent's confirmation makes with `method`, as the intent describes it. */
function paymentCharge(ctx: Ctx, entry: Entry, method: Entry): Omit<ChargeInput, 'card'> {
  return {
    amount: Number(entry.data.amount),
    currency: entry.data.currency ?? null,
    customer: typeof entry.data.customer === 'string' ? entry.data.customer : null,
    paymentMethod: method.id,
    paymentIntent: entry.id,
    description: entry.data.description ?? null,
    metadata: entry.data.metadata ?? {},
    extra: { ...chargeDetails(entry.data), ...destinationOf(ctx, entry.data) },
    ...(typeof entry.data.invoice === 'string' ? { invoice: entry.data.invoice } : {}),
  };
}

/** Saves the payment method for the intent's customer when the payment asks to (`setup_future_usage`). */
function saveIfAsked(ctx: Ctx, entry: Entry, method: Entry, params: JsonObject): void {
  if (params.setup_future_usage === undefined && !entry.data.setup_future_usage) return;
  if (typeof entry.data.customer === 'string') saveInstrument(ctx, method, entry.data.customer);
}

/**
 * An ACH debit of `method`'s bank account: the PaymentIntent `processing`, its charge `pending`,
 * until the debit settles days later; first, for an account entered by hand, `requires_action`
 * until its microdeposits are verified (bank-debits.ts).
 */
function startBankDebit(ctx: Ctx, entry: Entry, method: Entry, params: JsonObject, verified = false): Entry {
  if (!verified && needsVerification(ctx, method)) {
    return ctx.set(entry, {
      last_payment_error: null,
      next_action: microdepositAction(ctx),
      payment_method: method.id,
      status: 'requires_action',
    });
  }
  const { charge } = recordCharge(ctx, {
    ...paymentCharge(ctx, entry, method),
    card: {},
    details: bankDebitDetails(ctx, method),
    pending: true,
  });
  saveIfAsked(ctx, entry, method, params);
  return ctx.set(entry, {
    last_payment_error: null,
    latest_charge: charge.id,
    next_action: null,
    payment_method: method.id,
    status: 'processing',
  });
}

/** A payment method's type: a saved card (`card_…`) pays as a card. */
const typeOfMethod = (method: Entry): string =>
  method.resource === 'card' ? 'card' : String(method.data.type ?? 'card');

/** The payment method must be of a type the PaymentIntent takes (its `payment_method_types`). */
function checkPaymentMethodType(entry: Entry, method: Entry): void {
  const types = Array.isArray(entry.data.payment_method_types) ? entry.data.payment_method_types : [];
  const type = typeOfMethod(method);
  if (types.length === 0 || types.includes(type)) return;
  throw invalidRequest(
    `The PaymentMethod ${method.id} is a ${type} payment method, which this PaymentIntent does not take: its payment_method_types are ${types.join(', ')}. Pay with one of those types, or update the PaymentIntent's payment_method_types to include ${type}.`,
    { code: 'payment_intent_incompatible_payment_method', param: 'payment_method' },
  );
}

/** A held PaymentIntent's charge refunded whole, as a refund of an uncaptured charge releases it. */
function releaseAuthorization(ctx: Ctx, entry: Entry): void {
  const charge = entry.data.latest_charge;
  if (typeof charge === 'string' && ctx.find(charge, ['charge']))
    ctx.ops.createResource(ctx, 'refund', { charge });
}

/**
 * Whether paying with `method` asks for 3D Secure: a card that needs it does, except one that needs
 * it only until set up, once it was (a SetupIntent, or a payment, authenticated).
 */
function needsAuthentication(ctx: Ctx, method: Entry): boolean {
  const test = testCardOf(method.data);
  if (!test?.threeDS) return false;
  if (!test.authenticatedBySetup) return true;
  const setUp = ctx.scope
    .referencing(method.id)
    .some(
      (entry) =>
        (entry.resource === 'setup_attempt' || entry.resource === 'charge') &&
        entry.data.status === 'succeeded',
    );
  return !setUp;
}

/** `off_session` on a confirmation: `true`, or a recurring/one-off kind (`recurring`, `one_off`). */
const isOffSession = (value: unknown) => value === true || value === 'recurring' || value === 'one_off';

const AUTHENTICATION_REQUIRED: Decline = {
  code: 'authentication_required',
  decline_code: 'authentication_required',
  message: 'Your card was declined. This transaction requires authentication.',
};

/** Back to `requires_payment_method` with `last_payment_error`; Stripe's 402 (changes kept). */
function failConfirmation(ctx: Ctx, entry: Entry, method: Entry, decline: Decline, charge?: string): never {
  const failed = ctx.set(entry, {
    status: 'requires_payment_method',
    payment_method: null,
    next_action: null,
    ...(charge ? { latest_charge: charge } : {}),
    last_payment_error: {
      ...(charge ? { charge } : {}),
      code: decline.code,
      decline_code: decline.decline_code,
      doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, '-')}`,
      message: decline.message,
      payment_method: method.data,
      type: 'card_error',
    },
  });
  throw declineError(decline, {
    ...(charge ? { charge } : {}),
    payment_intent: failed.data,
    payment_method: method.data,
  });
}

/** What the customer must do to authenticate: a redirect when there is a `return_url`. */
function nextAction(entry: Entry, params: JsonObject): JsonObject {
  const url = `https://hooks.stripe.com/3d_secure_2/hosted?${entry.resource}=${entry.id}`;
  const returnUrl = typeof params.return_url === 'string' ? params.return_url : null;
  if (returnUrl) return { type: 'redirect_to_url', redirect_to_url: { return_url: returnUrl, url } };
  return { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url } };
}

/** A SetupIntent's confirmation as Stripe keeps it: a `setup_attempt`, its `latest_attempt`. */
function recordSetupAttempt(
  ctx: Ctx,
  intent: Entry,
  method: Entry,
  error: JsonObject | null,
  authenticated = false,
): string {
  const type = method.resource === 'card' ? 'card' : String(method.data.type ?? 'card');
  const attempt = ctx.insert(
    'setup_attempt',
    ctx.build('setup_attempt', {
      application: intent.data.application ?? null,
      customer: intent.data.customer ?? null,
      on_behalf_of: intent.data.on_behalf_of ?? null,
      payment_method: method.id,
      payment_method_details: {
        type,
        [type]: type === 'card' ? setupAttemptCard(ctx, method, authenticated) : {},
      },
      setup_error: error,
      setup_intent: intent.id,
      status: error ? 'failed' : 'succeeded',
      usage: intent.data.usage ?? 'off_session',
    }),
  );
  return attempt.id;
}

/** `setup_attempt.payment_method_details.card`: the card set up, and its 3D Secure if it took one. */
function setupAttemptCard(ctx: Ctx, method: Entry, authenticated: boolean): JsonObject {
  const card = instrumentCard(method);
  const test = testCardOf(method.data);
  return ctx.sub('setup_attempt_payment_method_details_card', {
    brand: test?.network ?? (typeof card.brand === 'string' ? card.brand.toLowerCase() : null),
    checks: isObject(card.checks)
      ? card.checks
      : {
          address_line1_check: card.address_line1_check ?? null,
          address_postal_code_check: card.address_zip_check ?? null,
          cvc_check: card.cvc_check ?? null,
        },
    country: card.country ?? null,
    exp_month: card.exp_month ?? null,
    exp_year: card.exp_year ?? null,
    fingerprint: card.fingerprint ?? null,
    funding: card.funding ?? null,
    last4: card.last4 ?? null,
    network: test?.network ?? null,
    three_d_secure: authenticated
      ? {
          authentication_flow: 'challenge',
          electronic_commerce_indicator: '05',
          result: 'authenticated',
          result_reason: null,
          transaction_id: null,
          version: '2.2.0',
        }
      : null,
    wallet: null,
  });
}

/**
 * Why setting up `method` is declined, if it is: a card past its expiry (Stripe checks the card with
 * its issuer when setting it up), or a test card that declines before it can be saved.
 */
function setupDecline(ctx: Ctx, method: Entry): Decline | undefined {
  const test = testCardOf(method.data);
  return expiryDecline(ctx, method.data) ?? (test?.attachable ? undefined : test?.decline);
}

function confirmSetupIntent(ctx: Ctx, entry: Entry, params: JsonObject): Entry {
  const allowed = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
  if (!allowed.includes(String(entry.data.status)))
    throw unexpectedState('SetupIntent', 'confirm', entry.data.status, allowed);
  const method = paymentMethodFor(ctx, entry, params, 'SetupIntent');
  // A card that needs 3D Secure is authenticated when set up, as a payment's is.
  const authenticated = entry.data.status === 'requires_action' && entry.data.payment_method === method.id;
  if (!authenticated) checkRedirects('SetupIntent', entry.data, params);
  if (testCardOf(method.data)?.threeDS && !authenticated) {
    return ctx.set(entry, {
      last_setup_error: null,
      next_action: nextAction(entry, params),
      payment_method: method.id,
      status: 'requires_action',
    });
  }
  // A bank account entered by hand is set up once its microdeposits are verified.
  if (isBankDebit(method) && needsVerification(ctx, method)) {
    return ctx.set(entry, {
      last_setup_error: null,
      next_action: microdepositAction(ctx),
      payment_method: method.id,
      status: 'requires_action',
    });
  }
  const decline = setupDecline(ctx, method);
  if (decline) {
    const error = {
      code: decline.code,
      decline_code: decline.decline_code,
      message: decline.message,
      payment_method: method.data,
      type: 'card_error',
    };
    const failed = ctx.set(entry, {
      status: 'requires_payment_method',
      payment_method: null,
      last_setup_error: error,
      latest_attempt: recordSetupAttempt(ctx, entry, method, error),
    });
    throw new ErrorReply(
      402,
      'card_error',
      decline.message,
      {
        code: decline.code,
        decline_code: decline.decline_code,
        payment_method: method.data,
        setup_intent: failed.data,
      },
      true,
    );
  }
  return completeSetup(ctx, entry, method, authenticated);
}

/** A SetupIntent that succeeded: its payment method saved for its customer, its attempt recorded. */
function completeSetup(ctx: Ctx, entry: Entry, method: Entry, authenticated = false): Entry {
  if (typeof entry.data.customer === 'string') saveInstrument(ctx, method, entry.data.customer);
  return ctx.set(entry, {
    last_setup_error: null,
    latest_attempt: recordSetupAttempt(ctx, entry, method, null, authenticated),
    next_action: null,
    payment_method: method.id,
    status: 'succeeded',
  });
}

/**
 * `verify_microdeposits` of an intent whose bank account awaits them (`kind`): checked against
 * Stripe's test microdeposits, then `verified` goes on with the intent and its payment method.
 */
function verifyMicrodeposits(
  kind: 'PaymentIntent' | 'SetupIntent',
  verified: (ctx: Ctx, entry: Entry, method: Entry) => Entry,
) {
  return (ctx: Ctx, entry: Entry, params: JsonObject): Entry => {
    const next = isObject(entry.data.next_action) ? entry.data.next_action : {};
    if (entry.data.status !== 'requires_action' || next.type !== 'verify_with_microdeposits') {
      throw invalidRequest(
        `This ${kind} has no bank account awaiting verification: its status is ${String(entry.data.status)}, and only one whose next_action is verify_with_microdeposits can be verified.`,
        {
          code:
            kind === 'PaymentIntent' ? 'payment_intent_unexpected_state' : 'setup_intent_unexpected_state',
        },
      );
    }
    checkMicrodeposits(params);
    return verified(ctx, entry, ctx.require(String(entry.data.payment_method), ['payment_method']));
  };
}

/**
 * A held PaymentIntent's authorization raised to `amount`, the new total: what can be captured and
 * its charge's amount follow; the other parameters update the intent.
 */
function incrementAuthorization(ctx: Ctx, entry: Entry, params: JsonObject): Entry {
  if (entry.data.status !== 'requires_capture')
    throw unexpectedState('PaymentIntent', 'increment_authorization', entry.data.status, [
      'requires_capture',
    ]);
  const { amount, ...rest } = params;
  const current = Number(entry.data.amount);
  if (typeof amount !== 'number' || amount <= current) {
    throw invalidRequest(
      `The amount (${String(amount)}) must be greater than the currently authorized amount (${current}).`,
      { param: 'amount' },
    );
  }
  const chargeId = entry.data.latest_charge;
  const charge = typeof chargeId === 'string' ? ctx.find(chargeId, ['charge']) : undefined;
  if (charge) ctx.set(charge, { amount });
  const updated = ctx.ops.updateEntry(ctx, entry, rest);
  return ctx.set(updated, { amount, amount_capturable: amount });
}

const secret = (ctx: Ctx, id: unknown) => `${String(id)}_secret_${ctx.random.string(25)}`;

/** Props a new PaymentIntent has, null until set. */
const PAYMENT_INTENT_NULLS = [
  'canceled_at',
  'cancellation_reason',
  'customer',
  'description',
  'invoice',
  'last_payment_error',
  'latest_charge',
  'next_action',
  'payment_method',
  'receipt_email',
  'setup_future_usage',
  'shipping',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_data',
  'transfer_group',
  'application',
  'application_fee_amount',
  'on_behalf_of',
  'review',
  'processing',
];
/** Props a new SetupIntent has, null until set. */
const SETUP_INTENT_NULLS = [
  'cancellation_reason',
  'customer',
  'description',
  'last_setup_error',
  'latest_attempt',
  'mandate',
  'next_action',
  'payment_method',
  'single_use_mandate',
  'application',
  'on_behalf_of',
];

/** Sets an intent's `payment_method` from the params (`namedPaymentMethod`); whether one was given. */
function givePaymentMethod(ctx: Ctx, draft: JsonObject, params: JsonObject): boolean {
  const method = namedPaymentMethod(ctx, params);
  if (method) draft.payment_method = method.id;
  return method !== undefined;
}

/** A new intent: its client secret, `nulls` present, and with a payment method `requires_confirmation`. */
function draftIntent(ctx: Ctx, draft: JsonObject, params: JsonObject, nulls: readonly string[]): void {
  draft.client_secret = secret(ctx, draft.id);
  nullUnlessSet(draft, nulls);
  if (givePaymentMethod(ctx, draft, params)) draft.status = 'requires_confirmation';
}

export const intentRules: RuleBook = {
  payment_intent: {
    beforeCreate(ctx, draft, { params }) {
      checkApplicationFee(ctx, draft, "PaymentIntent's");
      checkTransferDestination(ctx, draft);
      draftIntent(ctx, draft, params, PAYMENT_INTENT_NULLS);
      choosePaymentMethodTypes(draft, params, draft.currency);
      if (params.confirm === true) checkRedirects('PaymentIntent', draft, params);
    },
    afterCreate(ctx, entry, { params }) {
      if (params.confirm !== true) return;
      const confirmation: JsonObject = {};
      for (const key of ['error_on_requires_action', 'return_url', 'off_session'])
        if (params[key] !== undefined) confirmation[key] = params[key];
      confirmPaymentIntent(ctx, entry, confirmation);
    },
    beforeUpdate(ctx, draft, params, entry) {
      const amendable = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
      if (params.amount !== undefined && !amendable.includes(String(entry.data.status))) {
        throw invalidRequest(
          `The amount of this PaymentIntent cannot change: its status is ${String(entry.data.status)}, and only a PaymentIntent with one of the following statuses takes a new amount: ${amendable.join(', ')}.`,
          { code: 'payment_intent_unexpected_state', param: 'amount' },
        );
      }
      if (params.application_fee_amount !== undefined || params.amount !== undefined)
        checkApplicationFee(ctx, draft, "PaymentIntent's");
      if (params.transfer_data !== undefined) checkTransferDestination(ctx, draft);
      if (givePaymentMethod(ctx, draft, params) && draft.status === 'requires_payment_method')
        draft.status = 'requires_confirmation';
    },
    actions: {
      confirm: confirmPaymentIntent,
      increment_authorization: incrementAuthorization,
      verify_microdeposits: verifyMicrodeposits('PaymentIntent', (ctx, entry, method) =>
        startBankDebit(ctx, entry, method, {}, true),
      ),
      cancel(ctx, entry, params) {
        if (!CANCELABLE.includes(String(entry.data.status)))
          throw unexpectedState('PaymentIntent', 'cancel', entry.data.status, CANCELABLE);
        if (entry.data.status === 'requires_capture') releaseAuthorization(ctx, entry);
        return ctx.set(entry, {
          status: 'canceled',
          canceled_at: ctx.now,
          cancellation_reason:
            typeof params.cancellation_reason === 'string' ? params.cancellation_reason : null,
          amount_capturable: 0,
        });
      },
      capture(ctx, entry, params) {
        if (entry.data.status !== 'requires_capture') {
          throw unexpectedState('PaymentIntent', 'capture', entry.data.status, ['requires_capture']);
        }
        const capturable = Number(entry.data.amount_capturable ?? entry.data.amount);
        const amount = typeof params.amount_to_capture === 'number' ? params.amount_to_capture : capturable;
        if (amount > capturable) {
          throw invalidRequest(
            `The amount to capture (${amount}) is greater than the amount capturable (${capturable}).`,
            {
              param: 'amount_to_capture',
            },
          );
        }
        const chargeId = entry.data.latest_charge;
        const charge = typeof chargeId === 'string' ? ctx.find(chargeId, ['charge']) : undefined;
        if (charge) captureCharge(ctx, charge, amount, params);
        else ctx.set(entry, { amount_capturable: 0, amount_received: amount, status: 'succeeded' });
        return ctx.current(entry);
      },
    },
  },
  setup_intent: {
    beforeCreate(ctx, draft, { params }) {
      draftIntent(ctx, draft, params, SETUP_INTENT_NULLS);
      choosePaymentMethodTypes(draft, params, 'usd');
      if (params.confirm === true) checkRedirects('SetupIntent', draft, params);
    },
    afterCreate(ctx, entry, { params }) {
      if (params.confirm !== true) return;
      confirmSetupIntent(
        ctx,
        entry,
        typeof params.return_url === 'string' ? { return_url: params.return_url } : {},
      );
    },
    actions: {
      confirm: confirmSetupIntent,
      verify_microdeposits: verifyMicrodeposits('SetupIntent', (ctx, entry, method) =>
        completeSetup(ctx, entry, method),
      ),
      cancel(ctx, entry, params) {
        const allowed = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
        if (!allowed.includes(String(entry.data.status)))
          throw unexpectedState('SetupIntent', 'cancel', entry.data.status, allowed);
        return ctx.set(entry, {
          status: 'canceled',
          cancellation_reason:
            typeof params.cancellation_reason === 'string' ? params.cancellation_reason : null,
        });
      },
    },
  },
};
