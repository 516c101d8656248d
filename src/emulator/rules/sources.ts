/**
 * Customer payment sources and connected accounts' external accounts.
 *
 * - Attaching (`POST /v1/customers/{c}/sources` with `source=tok_visa`, or `source=` on customer
 *   create/update) stores a card (or bank account) with `customer` set; the first one attached
 *   becomes the customer's `default_source`. Updating a customer with `source=` makes the new
 *   source the default and deletes the old default, as Stripe documents.
 * - Deleting the default source makes the most recently added remaining source the default;
 *   deleting the last one sets `default_source` to null (Stripe's documented rule).
 * - A card that always declines fails to attach, except `tok_chargeCustomerFail`. Attaching checks
 *   the card: the CVC and address it was given are `unchecked` no more. A card's update
 *   checks its expiry as a card hash's is checked (src/emulator/rules/payment-sources.ts).
 * - A connected account's first external account per currency is its default for it; another made
 *   `default_for_currency` (added or updated) takes over, and the default cannot be deleted while
 *   others share its currency. One given on the account (`external_account` of its create or
 *   update) takes over as the default and the old default is deleted. Adding or removing one updates the account's requirements
 *   (`external_account`). A card added so is `new`, as a bank account is.
 * - A customer's bank account is `verified` by the amounts of its two test micro-deposits (32 and 45
 *   cents); until then it cannot be charged (rules/charges.ts).
 * - A `card` Source made from a token (`type=card&token=tok_visa`) carries the card's details under
 *   `card`, and needs no redirect or receiver (`flow: none`).
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest, noSuch } from '../engine/errors.ts';
import { emitEvent } from '../engine/events.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { CreateInput, ResourceRules, RuleBook } from '../engine/rule-book.ts';
import type { Entry, Scope } from '../engine/store.ts';
import { trackRequirements } from '../hosted/connect.ts';
import { areTestMicrodeposits } from './bank-debits.ts';
import { declineError, readExpiry, resolveSource, testCardOf, verifiedChecks } from './payment-sources.ts';

export const SOURCE_RESOURCES = ['bank_account', 'card', 'source'] as const;

/** The customer's sources, newest first. */
export function sourcesOf(ctx: Ctx, customer: Entry): Entry[] {
  return ctx.children(customer, SOURCE_RESOURCES);
}

/**
 * Stores the source a token or id names as the customer's (`customerId` may not be stored yet,
 * during customer create). Returns the stored source.
 */
export function attachSource(
  ctx: Ctx,
  customerId: string,
  value: Json,
  param: string,
  metadata?: Json,
): Entry {
  const resolved = resolveSource(ctx, value, param);
  const test = testCardOf(resolved.data);
  if (resolved.resource === 'card' && test?.decline && !test.attachable) throw declineError(test.decline);
  if (resolved.stored) {
    const owner = resolved.stored.data.customer;
    if (owner && owner !== customerId) {
      throw invalidRequest(`The source ${resolved.stored.id} is already attached to another customer.`, {
        param,
      });
    }
    return ctx.set(resolved.stored, { customer: customerId });
  }
  const data: JsonObject = { ...resolved.data, customer: customerId };
  if (resolved.resource === 'card') Object.assign(data, verifiedChecks(resolved.data, test));
  if (isObject(metadata)) data.metadata = metadata;
  return ctx.insert(resolved.resource, data);
}

/** After a source is gone: the newest remaining source becomes the default, or none. */
function afterSourceRemoved(ctx: Ctx, source: Entry): void {
  const customerId = source.data.customer;
  if (typeof customerId !== 'string') return;
  const customer = ctx.find(customerId, ['customer']);
  if (!customer || customer.data.default_source !== source.id) return;
  const next = sourcesOf(ctx, customer).find((s) => s.id !== source.id);
  ctx.set(customer, { default_source: next?.id ?? null });
}

/**
 * Detaching a Source from its customer (`DELETE /v1/customers/{customer}/sources/src_…`): Stripe
 * answers with the Source itself, now `consumed` and no longer the customer's (it can still be
 * retrieved, not used again), and sends `customer.source.deleted`.
 */
function detachSource(ctx: Ctx, source: Entry): Entry {
  afterSourceRemoved(ctx, source);
  const detached = ctx.set(source, { customer: null, status: 'consumed' });
  // No longer a customer's source, so the recorder gives it no `customer.source.*` event itself.
  emitEvent(ctx, 'customer.source.deleted', detached.data);
  return detached;
}

function createCustomerSource(ctx: Ctx, { params, parent }: CreateInput): Entry {
  if (!parent) throw invalidRequest('A customer is required to attach a source.');
  const value = params.source ?? params.card ?? params.bank_account ?? params.alipay_account;
  if (value === undefined || value === '') {
    throw invalidRequest('Missing required param: source.', { code: 'parameter_missing', param: 'source' });
  }
  const param = params.source !== undefined ? 'source' : params.card !== undefined ? 'card' : 'bank_account';
  const source = attachSource(ctx, parent.id, value, param, params.metadata);
  if (!ctx.current(parent).data.default_source) ctx.set(parent, { default_source: source.id });
  return source;
}

const sourceRules: ResourceRules = { afterDelete: afterSourceRemoved };

/**
 * Verifying a customer's bank account with the amounts of its two micro-deposits: the test amounts
 * make it `verified`; other amounts are refused, and so is verifying it again.
 */
function verifyBankAccount(ctx: Ctx, entry: Entry, params: JsonObject): Entry {
  if (entry.data.status === 'verified')
    throw invalidRequest('This bank account has already been verified.', {
      code: 'payment_method_bank_account_already_verified',
    });
  if (!areTestMicrodeposits(params.amounts))
    throw invalidRequest(
      'The amounts provided do not match the amounts that were sent to the bank account.',
      {
        code: 'bank_account_verification_failed',
        param: 'amounts',
      },
    );
  return ctx.set(entry, { status: 'verified' });
}

/** The `card` hash of a card Source from the card its token names. */
function cardSource(ctx: Ctx, source: Entry, params: JsonObject): void {
  if (params.type !== 'card' || typeof params.token !== 'string') return;
  const card = resolveSource(ctx, params.token, 'token').data;
  const details: JsonObject = { three_d_secure: 'optional' };
  for (const key of [
    'address_line1_check',
    'address_zip_check',
    'brand',
    'country',
    'cvc_check',
    'dynamic_last4',
    'exp_month',
    'exp_year',
    'fingerprint',
    'funding',
    'last4',
    'name',
    'tokenization_method',
  ])
    if (card[key] !== undefined) details[key] = card[key];
  ctx.set(source, { card: ctx.sub('source_type_card', details), flow: 'none' });
}

/** Checks that `default_source` names one of the customer's sources. */
export function checkDefaultSource(ctx: Ctx, customerId: string, sourceId: Json | undefined): void {
  if (typeof sourceId !== 'string' || sourceId === '') return;
  const source = ctx.find(sourceId, SOURCE_RESOURCES);
  if (!source || source.data.customer !== customerId) throw noSuch('source', sourceId, 'default_source', 400);
}

function createExternalAccount(ctx: Ctx, { params, parent }: CreateInput): Entry {
  if (!parent) throw invalidRequest('An account is required to add an external account.');
  const value = params.external_account ?? params.bank_account;
  if (value === undefined || value === '') {
    throw invalidRequest('Missing required param: external_account.', {
      code: 'parameter_missing',
      param: 'external_account',
    });
  }
  const added = addExternalAccount(ctx, parent.id, value, params);
  refreshRequirements(ctx, parent.id);
  return added;
}

/** An account's requirements once an external account came or went (`external_account` is one). */
function refreshRequirements(ctx: Ctx, accountId: Json | undefined): void {
  const account = typeof accountId === 'string' ? ctx.find(accountId, ['account']) : undefined;
  if (account) trackRequirements(ctx, account, {});
}

/** Cards and bank accounts: a customer's sources, or an account's external accounts. */
const cardOrBankRules: ResourceRules = {
  beforeDelete: refuseDefaultExternalAccount,
  afterDelete(ctx, entry) {
    afterSourceRemoved(ctx, entry);
    refreshRequirements(ctx, entry.data.account);
  },
  afterUpdate: afterExternalAccountUpdate,
};

/** An account's external accounts (bank accounts and debit cards) that `scope` holds. */
export function externalAccountsOf(scope: Scope, accountId: string): Entry[] {
  return scope
    .referencing(accountId)
    .filter((e) => (e.resource === 'bank_account' || e.resource === 'card') && e.data.account === accountId);
}

/** The account's other external accounts in `currency` are no longer its default for it. */
function clearDefault(ctx: Ctx, accountId: string, currency: Json | undefined, except?: string): void {
  for (const sibling of externalAccountsOf(ctx.scope, accountId))
    if (
      sibling.id !== except &&
      sibling.data.currency === currency &&
      sibling.data.default_for_currency === true
    )
      ctx.set(sibling, { default_for_currency: false });
}

/** An external account made its currency's default by an update. */
function afterExternalAccountUpdate(ctx: Ctx, entry: Entry, params: JsonObject): void {
  if (params.default_for_currency !== true || typeof entry.data.account !== 'string') return;
  clearDefault(ctx, entry.data.account, entry.data.currency, entry.id);
}

/**
 * Stores an external account for a connected account; the first per currency is its default. It
 * is given as a token or an id, or as a hash: a bank account's or a card's details, or a card token
 * (`token`), with the currency it pays out in (and for a card, `default_for_currency`).
 */
export function addExternalAccount(ctx: Ctx, accountId: string, value: Json, params: JsonObject = {}): Entry {
  const given = isObject(value) ? value : {};
  const resolved = resolveSource(
    ctx,
    typeof given.token === 'string' ? given.token : value,
    'external_account',
  );
  const currency = String(resolved.data.currency ?? given.currency ?? 'usd');
  const siblings = externalAccountsOf(ctx.scope, accountId);
  const isFirst = !siblings.some((s) => s.data.currency === currency && s.data.default_for_currency === true);
  const data: JsonObject = {
    ...resolved.data,
    account: accountId,
    currency,
    customer: null,
    default_for_currency:
      isFirst || params.default_for_currency === true || given.default_for_currency === true,
  };
  // A card paid out to is `new` until a payout to it fails (as a bank account is).
  if (resolved.resource === 'card') data.status = resolved.data.status ?? 'new';
  if (isObject(params.metadata)) data.metadata = params.metadata;
  if (data.default_for_currency === true && !isFirst) clearDefault(ctx, accountId, currency);
  return ctx.insert(resolved.resource, data);
}

/**
 * An external account given on the account itself (`external_account` of its create or update):
 * the new default for its currency, and the old default in that currency is deleted.
 */
export function replaceExternalAccount(ctx: Ctx, accountId: string, value: Json): Entry {
  const defaults = externalAccountsOf(ctx.scope, accountId).filter(
    (e) => e.data.default_for_currency === true,
  );
  const added = addExternalAccount(ctx, accountId, value, { default_for_currency: true });
  for (const old of defaults)
    if (old.data.currency === added.data.currency) ctx.ops.deleteEntry(ctx, ctx.current(old));
  return ctx.current(added);
}

function refuseDefaultExternalAccount(ctx: Ctx, entry: Entry): void {
  if (typeof entry.data.account !== 'string' || entry.data.default_for_currency !== true) return;
  const others = externalAccountsOf(ctx.scope, entry.data.account).filter((e) => e.id !== entry.id);
  if (others.some((o) => o.data.currency === entry.data.currency)) {
    throw invalidRequest(
      'You cannot delete the default external account for your default currency. Please make another external account the default using the `default_for_currency` param, and then delete this one.',
    );
  }
}

export const sourceRulesBook: RuleBook = {
  payment_source: { create: createCustomerSource },
  external_account: { create: createExternalAccount },
  // A card's new expiry (a customer's card, or an account's debit card) is read as on create.
  card: {
    ...cardOrBankRules,
    beforeUpdate: (_ctx, draft, params) => Object.assign(draft, readExpiry(params)),
  },
  bank_account: { ...cardOrBankRules, actions: { verify: verifyBankAccount } },
  source: {
    ...sourceRules,
    detach: detachSource,
    afterCreate: (ctx, entry, { params }) => cardSource(ctx, entry, params),
  },
};
