/**
 * Cards, bank accounts, tokens and payment methods made from Stripe's test tokens and numbers:
 * `tok_visa` or `card[number]=4242…` become a `card` with the right brand, last4, funding, expiry,
 * country and fingerprint; `pm_card_visa` a payment method; `btok_us_verified` a bank account.
 * Also the rules for `POST /v1/tokens` and payment methods (create, attach, detach): a declining
 * card is not attached, one customer's payment method is not another's, and one that paid without
 * a customer (or was detached after paying) is spent. A `us_bank_account` payment method made from
 * its account and routing numbers gets its bank's details (`usBankAccount`). A card's expiry is
 * checked wherever one is given (`readExpiry`), and a card past it is declined when charged
 * (`expiryDecline`).
 */
import type { Ctx } from '../engine/context.ts';
import { ErrorReply, invalidRequest, noSuch } from '../engine/errors.ts';
import { ID_SUFFIX_LENGTH } from '../engine/ids.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import { TOKEN_PREFIXES } from '../engine/prefixes.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import {
  type CardChecks,
  cardChecks,
  cardForNumber,
  cardForPaymentMethod,
  cardForToken,
  type Decline,
  EXPIRED,
  fingerprintOf,
  INCORRECT_NUMBER,
  TEST_BANK_TOKENS,
  type TestCard,
  testCardByFingerprint,
} from '../money/tokens.ts';

/** Test tokens' cards expire in August of next year, like Stripe's. */
export function testExpiry(ctx: Ctx): { exp_month: number; exp_year: number } {
  return { exp_month: 8, exp_year: new Date(ctx.now * 1000).getUTCFullYear() + 1 };
}

/** A `card` object (not stored) for a test card. */
export function cardObject(ctx: Ctx, test: TestCard, fields: JsonObject = {}, id?: string): JsonObject {
  const checks = cardChecks(test);
  return ctx.build(
    'card',
    {
      address_city: null,
      address_country: null,
      address_line1: null,
      address_line1_check: checks.address_line1_check,
      address_line2: null,
      address_state: null,
      address_zip: null,
      address_zip_check: checks.address_postal_code_check,
      brand: test.brand,
      country: test.country,
      customer: null,
      cvc_check: checks.cvc_check,
      dynamic_last4: null,
      fingerprint: fingerprintOf(test.number),
      funding: test.funding,
      last4: test.number.slice(-4),
      name: null,
      tokenization_method: null,
      ...testExpiry(ctx),
      ...fields,
    },
    id,
  );
}

/** A `bank_account` object (not stored). */
export function bankAccountObject(ctx: Ctx, fields: JsonObject): JsonObject {
  const number = typeof fields.account_number === 'string' ? fields.account_number : '000123456789';
  const { account_number: _, ...rest } = fields;
  return ctx.build('bank_account', {
    account_holder_name: null,
    account_holder_type: 'individual',
    account_type: null,
    bank_name: 'STRIPE TEST BANK',
    country: 'US',
    currency: 'usd',
    customer: null,
    fingerprint: fingerprintOf(`bank:${number}`),
    last4: number.slice(-4),
    routing_number: '110000000',
    status: 'new',
    ...rest,
  });
}

/** The banks of the routing numbers the emulator knows: Stripe's test routing number's. */
const BANK_NAMES: Readonly<Record<string, string>> = { '110000000': 'STRIPE TEST BANK' };

/**
 * A `us_bank_account` payment method's details for a bank account given by its numbers, as Stripe
 * fills them: a checking account unless told, its bank's name, the account number's last four
 * digits and a fingerprint of the account (its `bank_account`'s), ACH its network, nothing blocked.
 * The account number itself is not kept. Details given otherwise (a Financial Connections
 * account) stay as given.
 */
function usBankAccount(given: JsonObject): JsonObject {
  const { account_number: number, ...rest } = given;
  if (typeof number !== 'string' || number === '') return rest;
  const routing = typeof given.routing_number === 'string' ? given.routing_number : null;
  return {
    account_type: 'checking',
    ...rest,
    bank_name: routing ? (BANK_NAMES[routing] ?? null) : null,
    fingerprint: fingerprintOf(`bank:${number}`),
    last4: number.slice(-4),
    networks: { preferred: 'ach', supported: ['ach'] },
    routing_number: routing,
    status_details: {},
  };
}

/** The page of Stripe's error codes that explains `code`. */
const docUrl = (code: string): string => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;

/** Stripe's 402 for a declined card, naming the charge when there is one. */
export function declineError(
  decline: Decline,
  fields: { charge?: string; payment_intent?: JsonObject; payment_method?: JsonObject } = {},
): ErrorReply {
  return new ErrorReply(
    402,
    'card_error',
    decline.message,
    {
      code: decline.code,
      decline_code: decline.decline_code,
      ...(decline.param ? { param: decline.param } : {}),
      ...fields,
      doc_url: docUrl(decline.code),
    },
    true,
  );
}

/** Stripe's 402 for a card detail it refuses itself, before any issuer sees the card. */
function invalidCardDetail(code: string, message: string, param: string): ErrorReply {
  return new ErrorReply(402, 'card_error', message, { code, param, doc_url: docUrl(code) });
}

export interface CardExpiry {
  exp_month?: number;
  exp_year?: number;
}

/**
 * A card's expiry as a request gives it (`exp_month` and `exp_year` of a card hash, or of a card's
 * or a card payment method's update), read as Stripe reads it: a month from 1 to 12, else the card
 * error `invalid_expiry_month`; a year that is no whole number is `invalid_expiry_year`, and one of
 * two digits is this century's (Stripe takes `30` for 2030). `hash` names the parameter the fields
 * are under (`card`), for the error's `param`. An absent field stays absent.
 */
export function readExpiry(given: JsonObject, hash?: string): CardExpiry {
  const param = (field: string) => (hash ? `${hash}[${field}]` : field);
  const expiry: CardExpiry = {};
  if (given.exp_month !== undefined && given.exp_month !== null) {
    const month = Number(given.exp_month);
    if (!Number.isInteger(month) || month < 1 || month > 12)
      throw invalidCardDetail(
        'invalid_expiry_month',
        "Your card's expiration month is invalid.",
        param('exp_month'),
      );
    expiry.exp_month = month;
  }
  if (given.exp_year !== undefined && given.exp_year !== null) {
    const year = Number(given.exp_year);
    if (given.exp_year === '' || !Number.isInteger(year) || year < 0)
      throw invalidCardDetail(
        'invalid_expiry_year',
        "Your card's expiration year is invalid.",
        param('exp_year'),
      );
    expiry.exp_year = year < 100 ? 2000 + year : year;
  }
  return expiry;
}

/**
 * The decline of charging a card past its expiry (`expired_card`): a card is good through the last
 * day of its expiry month (UTC). A card without an expiry, or a bank account, is not declined.
 * `data` is a card, a card payment method (its `card`) or a card source.
 */
export function expiryDecline(ctx: Ctx, data: JsonObject): Decline | undefined {
  const card = isObject(data.card) ? data.card : data;
  const { exp_month: month, exp_year: year } = card;
  if (typeof month !== 'number' || typeof year !== 'number') return undefined;
  const today = new Date(ctx.now * 1000);
  const current = today.getUTCFullYear() * 12 + today.getUTCMonth();
  return year * 12 + (month - 1) < current ? EXPIRED : undefined;
}

function cardFromHash(ctx: Ctx, hash: JsonObject, param: string): JsonObject {
  const number = String(hash.number ?? '');
  const test = cardForNumber(number);
  if (!test) throw declineError({ ...INCORRECT_NUMBER, param: `${param}[number]` });
  const fields: JsonObject = { ...readExpiry(hash, param) };
  for (const key of [
    'name',
    'address_city',
    'address_country',
    'address_line1',
    'address_line2',
    'address_state',
    'address_zip',
  ]) {
    if (typeof hash[key] === 'string') fields[key] = hash[key];
  }
  // A check is of what was given (none without a CVC), made later: as the card is attached to a
  // customer (`verifiedChecks`).
  fields.cvc_check = typeof hash.cvc === 'string' ? (test.checks?.cvc_check ?? 'unchecked') : null;
  if (typeof hash.address_line1 === 'string') fields.address_line1_check = 'unchecked';
  if (typeof hash.address_zip === 'string') fields.address_zip_check = 'unchecked';
  if (isObject(hash.metadata)) fields.metadata = hash.metadata;
  return cardObject(ctx, test, fields);
}

/** A `card`'s check fields, by the name of the check in `CardChecks`. */
const CARD_CHECK_FIELDS = [
  ['cvc_check', 'cvc_check'],
  ['address_line1_check', 'address_line1_check'],
  ['address_zip_check', 'address_postal_code_check'],
] as const;

/**
 * The checks of a card its issuer has just verified (Stripe checks a card as it is attached to a
 * customer, stripe-node's `Card.cvc_check`): each one still `unchecked` (a CVC or an address given,
 * not yet checked) takes the test card's result, `pass` where the card has none of its own. A check
 * of what was never given stays null.
 */
export function verifiedChecks(card: JsonObject, test: TestCard | undefined): JsonObject {
  const results: CardChecks = {
    address_line1_check: 'pass',
    address_postal_code_check: 'pass',
    cvc_check: 'pass',
    ...test?.checks,
  };
  const verified: JsonObject = {};
  for (const [field, check] of CARD_CHECK_FIELDS)
    if (card[field] === 'unchecked') verified[field] = results[check];
  return verified;
}

export interface ResolvedSource {
  /** a new object to store, or the stored one */
  data: JsonObject;
  resource: string;
  stored?: Entry;
}

/**
 * A payment source from a request parameter: a magic test token, a token from `POST /v1/tokens`
 * (used once), a stored source/card/bank account id, or a card hash. Unknown ids are 400s.
 */
export function resolveSource(ctx: Ctx, value: Json, param: string): ResolvedSource {
  if (isObject(value)) {
    if (value.object === 'bank_account' || 'account_number' in value) {
      return { data: bankAccountObject(ctx, value), resource: 'bank_account' };
    }
    return { data: cardFromHash(ctx, value, param), resource: 'card' };
  }
  const id = String(value);
  const test = cardForToken(id);
  if (test) return { data: cardObject(ctx, test), resource: 'card' };
  const bank = TEST_BANK_TOKENS[id];
  if (bank) {
    const { routing_number, last4, status, country, currency } = bank;
    return {
      data: bankAccountObject(ctx, {
        routing_number,
        account_number: `00012345${last4}`,
        status,
        country,
        currency,
      }),
      resource: 'bank_account',
    };
  }
  const stored = ctx.find(id);
  if (stored?.resource === 'token') {
    if (stored.data.used === true) {
      throw invalidRequest(`You cannot use a Stripe token more than once: ${id}.`, {
        code: 'token_already_used',
        param,
      });
    }
    ctx.set(stored, { used: true });
    const inner = isObject(stored.data.card)
      ? stored.data.card
      : isObject(stored.data.bank_account)
        ? stored.data.bank_account
        : undefined;
    if (!inner) throw invalidRequest(`The token ${id} cannot be used as a payment source.`, { param });
    return { data: { ...inner }, resource: inner.object === 'bank_account' ? 'bank_account' : 'card' };
  }
  if (stored && ['card', 'bank_account', 'source'].includes(stored.resource)) {
    return { data: stored.data, resource: stored.resource, stored };
  }
  throw noSuch(id.startsWith('src_') ? 'source' : 'token', id, param, 400);
}

/** The test card behind a card or payment method object. */
export function testCardOf(data: JsonObject): TestCard | undefined {
  const card = isObject(data.card) ? data.card : data;
  return testCardByFingerprint(card.fingerprint);
}

/** `payment_method.card` for a test card. */
function paymentMethodCard(ctx: Ctx, test: TestCard, fields: JsonObject = {}): JsonObject {
  return ctx.sub('payment_method_card', {
    brand: test.network,
    checks: { ...cardChecks(test) },
    country: test.country,
    display_brand: test.network,
    fingerprint: fingerprintOf(test.number),
    funding: test.funding,
    generated_from: null,
    last4: test.number.slice(-4),
    networks: { available: [test.network], preferred: null },
    three_d_secure_usage: { supported: true },
    wallet: null,
    ...testExpiry(ctx),
    ...fields,
  });
}

const emptyBillingDetails = (): JsonObject => ({
  address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
  email: null,
  name: null,
  phone: null,
});

/** Stores a new card payment method for a test card. */
export function createCardPaymentMethod(ctx: Ctx, test: TestCard, fields: JsonObject = {}): Entry {
  const data = ctx.build('payment_method', {
    billing_details: emptyBillingDetails(),
    card: paymentMethodCard(ctx, test),
    customer: null,
    type: 'card',
    ...fields,
  });
  return ctx.insert('payment_method', data);
}

/**
 * A payment method no customer holds that already paid (used without a customer, or detached after
 * use): Stripe refuses it from then on, to attach or to pay with.
 */
function spent(ctx: Ctx, method: Entry): boolean {
  if (method.data.customer) return false;
  return ctx.scope
    .referencing(method.id)
    .some((entry) => entry.resource === 'charge' && entry.data.status === 'succeeded');
}

function refuseSpent(ctx: Ctx, method: Entry, param: string): void {
  if (!spent(ctx, method)) return;
  throw invalidRequest(
    `The PaymentMethod ${method.id} was used before without being attached to a Customer, or was detached from one; it cannot be used again. Attach a PaymentMethod to a Customer to use it more than once.`,
    { param },
  );
}

/** A payment method parameter: a stored one, or a magic `pm_card_*` id made into a new one. */
export function resolvePaymentMethod(ctx: Ctx, id: string, param: string): Entry {
  const stored = ctx.find(id, ['payment_method']);
  if (stored) {
    refuseSpent(ctx, stored, param);
    return stored;
  }
  const test = cardForPaymentMethod(id);
  if (test) return createCardPaymentMethod(ctx, test);
  const source = ctx.find(id, ['card', 'source']);
  if (source && source.resource === 'card') {
    const fingerprint = source.data.fingerprint;
    const card = testCardByFingerprint(fingerprint);
    if (card) return createCardPaymentMethod(ctx, card, { customer: source.data.customer ?? null });
  }
  throw noSuch('payment_method', id, param, 400);
}

/**
 * What a payment is made with: a saved card (`card_…`) is used as itself, as Stripe uses a Card
 * wherever a PaymentMethod id is (the intent's and charge's `payment_method` is the card's id, and
 * nothing new is attached to its customer); anything else as `resolvePaymentMethod`.
 */
export function resolvePaymentInstrument(ctx: Ctx, id: string, param: string): Entry {
  const saved = id.startsWith('card_') ? ctx.find(id, ['card']) : undefined;
  return saved ?? resolvePaymentMethod(ctx, id, param);
}

/** The card data of a payment instrument: a saved card's own, a payment method's `card`. */
export function instrumentCard(method: Entry): JsonObject {
  if (method.resource === 'card') return method.data;
  return isObject(method.data.card) ? method.data.card : {};
}

/**
 * `GET /v1/payment_methods/card_…`: a saved card seen as a card payment method (not stored, keyed as
 * a view; src/emulator/money/plans.ts), as Stripe answers it, so a payment's `payment_method` that
 * names a card reads as one.
 */
function paymentMethodOfCard(ctx: Ctx, id: string): Entry | undefined {
  const card = id.startsWith('card_') ? ctx.find(id, ['card']) : undefined;
  const test = card && testCardByFingerprint(card.data.fingerprint);
  if (!card || !test) return undefined;
  const { exp_month, exp_year } = card.data;
  const data = ctx.build(
    'payment_method',
    {
      billing_details: emptyBillingDetails(),
      card: paymentMethodCard(ctx, test, { exp_month: exp_month ?? null, exp_year: exp_year ?? null }),
      created: card.data.created ?? ctx.now,
      customer: card.data.customer ?? null,
      metadata: card.data.metadata ?? {},
      type: 'card',
    },
    card.id,
  );
  return {
    key: `view:payment_method:${card.key}`,
    id: card.id,
    resource: 'payment_method',
    seq: card.seq,
    data,
  };
}

/** Saves a payment instrument for `customer`: a payment method is attached; a saved card already is. */
export function saveInstrument(ctx: Ctx, method: Entry, customer: string): void {
  if (method.resource === 'payment_method') ctx.set(method, { customer });
}

export const paymentSourceRules: RuleBook = {
  token: {
    beforeCreate(ctx, draft, { params }) {
      let type: string | undefined;
      if (params.card !== undefined) {
        type = 'card';
        const card = isObject(params.card)
          ? cardFromHash(ctx, params.card, 'card')
          : (resolveSource(ctx, params.card, 'card').data as JsonObject);
        draft.card = card;
      } else if (params.bank_account !== undefined && isObject(params.bank_account)) {
        type = 'bank_account';
        draft.bank_account = bankAccountObject(ctx, params.bank_account);
      } else if (params.pii !== undefined) type = 'pii';
      else if (params.account !== undefined) type = 'account';
      else if (params.person !== undefined) type = 'person';
      else if (params.cvc_update !== undefined) type = 'cvc_update';
      if (!type)
        throw invalidRequest(
          'You must supply either a card, customer, PII data, bank account, or account legal entity to create a token.',
        );
      draft.id = `${TOKEN_PREFIXES[type] ?? 'tok'}_${ctx.random.string(ID_SUFFIX_LENGTH)}`;
      draft.type = type;
      draft.used = false;
      draft.client_ip = '127.0.0.1';
    },
  },
  payment_method: {
    materialize(ctx, id) {
      const test = cardForPaymentMethod(id);
      return test ? createCardPaymentMethod(ctx, test) : undefined;
    },
    view: paymentMethodOfCard,
    // Stripe lists a customer's saved cards among its payment methods (as it retrieves each as one).
    viewsOwnedBy(ctx, owner) {
      if (owner.resource !== 'customer') return [];
      const views: Entry[] = [];
      for (const card of ctx.children(owner, ['card'])) {
        const view = paymentMethodOfCard(ctx, card.id);
        if (view) views.push(view);
      }
      return views;
    },
    beforeCreate(ctx, draft, { params }) {
      const type = String(params.type ?? (params.card !== undefined ? 'card' : ''));
      if (!type)
        throw invalidRequest('Missing required param: type.', { code: 'parameter_missing', param: 'type' });
      draft.type = type;
      if (!isObject(draft.billing_details) || Object.keys(draft.billing_details).length === 0) {
        draft.billing_details = {
          ...emptyBillingDetails(),
          ...(isObject(draft.billing_details) ? draft.billing_details : {}),
        };
      }
      draft.customer ??= null;
      if (type === 'card') {
        const card = params.card;
        let test: TestCard | undefined;
        if (isObject(card) && typeof card.token === 'string')
          test = testCardOf(resolveSource(ctx, card.token, 'card[token]').data);
        else if (isObject(card)) {
          test = cardForNumber(String(card.number ?? ''));
          if (!test) throw declineError({ ...INCORRECT_NUMBER, param: 'card[number]' });
        }
        if (!test)
          throw invalidRequest('Missing required param: card.', { code: 'parameter_missing', param: 'card' });
        draft.card = paymentMethodCard(ctx, test, isObject(card) ? { ...readExpiry(card, 'card') } : {});
      }
      if (type === 'us_bank_account' && isObject(params.us_bank_account))
        draft.us_bank_account = usBankAccount(params.us_bank_account);
    },
    // A card's new expiry is read as on create.
    beforeUpdate(_ctx, draft, params) {
      if (isObject(params.card) && isObject(draft.card))
        draft.card = { ...draft.card, ...readExpiry(params.card, 'card') };
    },
    actions: {
      attach(ctx, entry, params) {
        const customer = ctx.require(String(params.customer), ['customer'], 'customer', 400);
        if (entry.data.customer && entry.data.customer !== customer.id) {
          throw invalidRequest('The payment method you provided has already been attached to a customer.');
        }
        refuseSpent(ctx, entry, 'payment_method');
        // Attaching checks the card with its issuer: a declining card is refused (not the one test
        // card made to attach and then fail its charges).
        const test = testCardOf(entry.data);
        if (test?.decline && !test.attachable) throw declineError(test.decline);
        return ctx.set(entry, { customer: customer.id });
      },
      detach(ctx, entry) {
        if (!entry.data.customer) {
          throw invalidRequest(
            `The payment method you provided is not attached to a customer so detachment is impossible.`,
            {
              code: 'payment_method_unexpected_state',
            },
          );
        }
        return ctx.set(entry, { customer: null });
      },
    },
  },
};
