/**
 * Connect: accounts, capabilities, external accounts, transfers and reversals, payouts, and
 * application fees.
 *
 * - Creating an account with `capabilities[card_payments][requested]=true` stores a `capability`
 *   (id = its name, `account`, `requested`, `status`) per named capability and mirrors their
 *   statuses in `account.capabilities`. A requested capability is `active` once the account has
 *   nothing due (`requirements.currently_due`: what onboarding or the API provides), `inactive`
 *   until then; so are charges (`charges_enabled`), unless `card_payments` is inactive. A
 *   capability the account has not requested reads as `inactive`.
 * - A new account's `default_currency` is its country's currency unless given; its `controller`
 *   (and `type`) follow its creation parameters (hosted/account-controller.ts).
 * - An account read by whoever controls it (the platform reading an account without the full
 *   dashboard, custom or express, an account reading itself) carries its `external_accounts`, a
 *   list, unasked.
 * - `/v1/account` is the platform's account, or the connected account under `Stripe-Account`.
 * - An account receives transfers and destination payments (charges, PaymentIntents,
 *   subscriptions, Checkout Sessions and payment links naming it) only while one of its transfer
 *   capabilities (`transfers`…) is active: Stripe refuses them otherwise
 *   (`insufficient_capabilities_for_transfer`), and refuses a destination naming no account
 *   (`No such destination`) when the payment, subscription or invoice naming it is created.
 * - A charge made as a connected account, or on its behalf (`on_behalf_of`), needs its charges
 *   enabled (nothing due, `card_payments` active, not rejected).
 * - A transfer to `destination=acct_…` (a destination charge's too) creates the destination's
 *   payment (`py_…`) in that account's scope, announced to it by `payment.created`; one tied to a
 *   charge (`source_transaction`) moves its money when the charge's funds are available; a reversal
 *   refunds that payment (`pyr_…`), announced by `charge.refunded` and `refund.created`, defaults
 *   to what remains, cannot exceed it, increments `amount_reversed` and sets `reversed`
 *   when full; the destination must have the amount available (a destination charge's transfer
 *   aside). With `refund_application_fee`, the reversal of a destination charge's transfer refunds
 *   its application fee in proportion to the amount reversed. A refund of a destination charge
 *   with `reverse_transfer` reverses its transfer in proportion to the amount refunded, and with
 *   `refund_application_fee` refunds its fee so.
 * - A payout goes to the account's default external account for its currency unless it names a
 *   `destination` (one of the account's own), and can be canceled while pending; application fee refunds work like charge
 *   refunds.
 */
import { DEFAULT_PAGE_SIZE } from '../../spec/stripe.ts';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest, noSuch } from '../engine/errors.ts';
import { emitCreatedIn, emitEvent } from '../engine/events.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import { type Entry, PLATFORM_ACCOUNT_KEY, type Scope } from '../engine/store.ts';
import { dashboardOf, SELF_CONTROLLED, typeAndController } from '../hosted/account-controller.ts';
import { isRejected, requirementsOf, trackRequirements } from '../hosted/connect.ts';
import {
  available,
  balanceTransaction,
  insertIn,
  refundDestinationPayment,
  requireAvailable,
} from '../money/ledger.ts';
import { payoutSettings } from '../money/settlement.ts';
import { externalAccountsOf, replaceExternalAccount } from './sources.ts';

/**
 * A country spec's `verification_fields`: what onboarding asks an individual or a company for (the
 * requirement names the emulator tracks on accounts, hosted/connect.ts), and what it may ask later.
 */
export function verificationFields(scope: Parameters<typeof requirementsOf>[0]): JsonObject {
  const fieldsOf = (business_type: string) => {
    const bare: Entry = {
      key: 'acct_spec',
      id: 'acct_spec',
      resource: 'account',
      seq: 0,
      data: { business_type },
    };
    return { minimum: [...requirementsOf(scope, bare), 'business_type'].sort(), additional: [] };
  };
  return {
    company: {
      ...fieldsOf('company'),
      additional: ['company.verification.document', 'relationship.representative'],
    },
    individual: {
      ...fieldsOf('individual'),
      additional: ['individual.id_number', 'individual.verification.document'],
    },
  };
}

const dollars = (amount: number) => `$${(amount / 100).toFixed(2)}`;

/**
 * Money leaving the balance (a transfer, a payout): the amount checked (at least 1, and available
 * if `fromAvailable`), and the id of its balance transaction, which moves the money in `delay`
 * seconds.
 */
function debit(
  ctx: Ctx,
  draft: JsonObject,
  type: 'transfer' | 'payout',
  fromAvailable: boolean,
  delay = 0,
): string {
  const amount = Number(draft.amount ?? 0);
  if (amount < 1) throw invalidRequest('This value must be greater than or equal to 1.', { param: 'amount' });
  const currency = String(draft.currency ?? 'usd');
  if (fromAvailable) requireAvailable(ctx, amount, currency, type);
  return balanceTransaction(ctx, { amount: -amount, currency, type, source: String(draft.id), delay }).id;
}

/**
 * Seconds until the funds of a transfer's `source_transaction` (a charge) are available: Stripe
 * makes such a transfer then, on both sides (the platform's debit, the destination's payment), so
 * it draws on the charge's pending funds and not on the available balance. 0 without one.
 */
function sourceDelay(ctx: Ctx, source: Json | undefined): number {
  const charge = typeof source === 'string' ? ctx.find(source, ['charge']) : undefined;
  const id = charge?.data.balance_transaction;
  const received = typeof id === 'string' ? ctx.find(id, ['balance_transaction']) : undefined;
  return Math.max(0, Number(received?.data.available_on ?? ctx.now) - ctx.now);
}

/** The currency an account of each country Stripe serves holds by default (its country's own). */
const COUNTRY_CURRENCY: Readonly<Record<string, string>> = {
  AE: 'aed',
  AU: 'aud',
  BG: 'bgn',
  BR: 'brl',
  CA: 'cad',
  CH: 'chf',
  CZ: 'czk',
  DK: 'dkk',
  GB: 'gbp',
  GI: 'gbp',
  HK: 'hkd',
  HU: 'huf',
  IN: 'inr',
  JP: 'jpy',
  LI: 'chf',
  MX: 'mxn',
  MY: 'myr',
  NO: 'nok',
  NZ: 'nzd',
  PL: 'pln',
  RO: 'ron',
  SE: 'sek',
  SG: 'sgd',
  TH: 'thb',
  US: 'usd',
  ...Object.fromEntries(
    'AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK'.split(' ').map((c) => [c, 'eur']),
  ),
};

/** What `accounts.reject` takes as its `reason`. */
const REJECT_REASONS = ['fraud', 'terms_of_service', 'other'];

const emptyRequirements = (): JsonObject => ({
  alternatives: [],
  current_deadline: null,
  currently_due: [],
  disabled_reason: null,
  errors: [],
  eventually_due: [],
  past_due: [],
  pending_verification: [],
});

/** Capability names the API knows: the props of `account.capabilities`. */
function knownCapability(ctx: Ctx, name: string): boolean {
  return ctx.registry.prop('account_capabilities', name) !== undefined;
}

/** Why an account is disabled: its `requirements.disabled_reason`. */
function disabledReason(account: Entry): Json {
  return isObject(account.data.requirements) ? (account.data.requirements.disabled_reason ?? null) : null;
}

/** What an account still has to provide: `requirements.currently_due` (kept by hosted/connect.ts). */
function dueOf(account: Entry | undefined): Json[] {
  const requirements = isObject(account?.data.requirements) ? account.data.requirements : {};
  return Array.isArray(requirements.currently_due) ? requirements.currently_due : [];
}

/**
 * A capability's status and requirements: a requested one is active once its account has nothing
 * due, and inactive until then, listing what is due, as Stripe keeps a custom account's until it
 * is onboarded; one not requested, or of a rejected account, is inactive. A rejected account's are
 * disabled for its rejection (`rejected.fraud`…), as the account is.
 */
function capabilityState(account: Entry | undefined, requested: boolean): JsonObject {
  const due = requested ? dueOf(account) : [];
  const rejected = account !== undefined && isRejected(account);
  const active = requested && account !== undefined && due.length === 0 && !rejected;
  return {
    status: active ? 'active' : 'inactive',
    requirements: {
      ...emptyRequirements(),
      currently_due: due,
      disabled_reason: rejected ? disabledReason(account) : due.length > 0 ? 'requirements.past_due' : null,
      eventually_due: due,
      past_due: due,
    },
  };
}

/**
 * Every capability of an account given the status its requirements allow, mirrored in
 * `account.capabilities`; `charges_enabled` once nothing is due, unless its `card_payments` is
 * inactive (not requested, or turned off) or the account was rejected.
 */
function syncCapabilities(ctx: Ctx, accountId: string): void {
  const account = ctx.find(accountId, ['account']);
  if (!account) return;
  const summary: JsonObject = {};
  for (const capability of ctx.children(account, ['capability'])) {
    const state = capabilityState(account, capability.data.requested === true);
    if (
      JSON.stringify(state) !==
      JSON.stringify({ status: capability.data.status, requirements: capability.data.requirements })
    )
      ctx.set(capability, state);
    summary[capability.id] = state.status ?? null;
  }
  const cardPayments = summary.card_payments ?? 'active';
  ctx.set(account, {
    capabilities: summary,
    charges_enabled: dueOf(account).length === 0 && cardPayments === 'active' && !isRejected(account),
  });
}

/** Stores or updates an account's capability; its status follows the account's requirements. */
export function setCapability(ctx: Ctx, accountId: string, name: string, requested: boolean): Entry {
  const existing = ctx.find(name, ['capability'], accountId);
  const capability = existing
    ? ctx.set(existing, {
        requested,
        requested_at: requested ? (existing.data.requested_at ?? ctx.now) : null,
      })
    : ctx.insert(
        'capability',
        ctx.build(
          'capability',
          {
            account: accountId,
            future_requirements: emptyRequirements(),
            requested,
            requested_at: requested ? ctx.now : null,
            ...capabilityState(ctx.find(accountId, ['account']), requested),
          },
          name,
        ),
        { parent: accountId, scopedToParent: true },
      );
  syncCapabilities(ctx, accountId);
  return ctx.current(capability);
}

function applyCapabilities(ctx: Ctx, accountId: string, capabilities: unknown): void {
  if (!isObject(capabilities)) return;
  for (const [name, value] of Object.entries(capabilities)) {
    if (!isObject(value) || typeof value.requested !== 'boolean') continue;
    if (!knownCapability(ctx, name))
      throw invalidRequest(`Received unknown parameter: capabilities[${name}]`, {
        code: 'parameter_unknown',
        param: `capabilities[${name}]`,
      });
    setCapability(ctx, accountId, name, value.requested);
  }
}

/**
 * `part` of `whole` of `amount`, in proportion (all of it for the whole), but no more than `left`:
 * what a refund or a reversal gives back of a transfer or an application fee.
 */
const inProportion = (amount: number, part: number, whole: number, left: number) =>
  whole > 0 ? Math.min(left, Math.round((amount * part) / whole)) : 0;

/**
 * Refunds the application fee `feeId` in proportion to what a refund or a reversal gives back. A
 * direct charge's fee, refunded under `Stripe-Account`, is the platform's: its refund is kept there.
 */
export function refundApplicationFee(ctx: Ctx, feeId: Json | undefined, part: number, whole: number): void {
  if (typeof feeId !== 'string') return;
  const platform = ctx.store.platform;
  const own = ctx.find(feeId, ['application_fee']);
  const fee = own ?? (ctx.scope.account ? platform.find(feeId) : undefined);
  if (fee?.resource !== 'application_fee') return;
  const amount = Number(fee.data.amount ?? 0);
  const refund = inProportion(amount, part, whole, amount - Number(fee.data.amount_refunded ?? 0));
  if (refund <= 0) return;
  if (own) {
    ctx.ops.createResource(ctx, 'fee_refund', { amount: refund }, fee);
    return;
  }
  const data = ctx.build('fee_refund', { amount: refund, currency: fee.data.currency ?? 'usd', fee: fee.id });
  data.balance_transaction = settleFeeRefund(ctx, platform, fee, refund, String(data.id));
  insertIn(platform, 'fee_refund', data);
}

/**
 * A fee refund (`id`) of `refund` from `fee`, kept in `scope`: the money back from that account to
 * the fee's account, and the fee's `amount_refunded`. Returns the id of the balance transaction of
 * `scope`'s account, the refund's `balance_transaction`.
 */
function settleFeeRefund(ctx: Ctx, scope: Scope, fee: Entry, refund: number, id: string): string {
  const currency = fee.data.currency ?? 'usd';
  const taken = balanceTransaction(ctx, {
    amount: -refund,
    currency,
    type: 'application_fee_refund',
    source: id,
    scope,
  });
  if (typeof fee.data.account === 'string')
    balanceTransaction(ctx, {
      amount: refund,
      currency,
      type: 'application_fee_refund',
      source: id,
      scope: ctx.store.scope(fee.data.account),
    });
  const current = scope.get(fee.key) ?? fee;
  const refunded = Number(current.data.amount_refunded ?? 0) + refund;
  const updated = scope.replace(current, {
    ...current.data,
    amount_refunded: refunded,
    refunded: refunded >= Number(current.data.amount ?? 0),
  });
  // Refunded from a connected account's request: the platform's event, which no recorder sees.
  if (scope !== ctx.scope) emitEvent(ctx, 'application_fee.refunded', updated.data, undefined, scope);
  return taken.id;
}

/**
 * What a refund (`refundId`, `amount` of what `charge` captured) gives back of a destination
 * charge's transfer with `reverse_transfer` and of its application fee with
 * `refund_application_fee`, each in proportion to the refund. Returns the reversal's id (the
 * refund's `transfer_reversal`), if any.
 */
export function refundConnectCharge(
  ctx: Ctx,
  refundId: string,
  charge: Entry,
  params: JsonObject,
  amount: number,
): string | null {
  const captured = Number(charge.data.amount_captured ?? 0);
  if (params.refund_application_fee === true)
    refundApplicationFee(ctx, charge.data.application_fee, amount, captured);
  const transferId = charge.data.transfer;
  const transfer = typeof transferId === 'string' ? ctx.find(transferId, ['transfer']) : undefined;
  if (params.reverse_transfer !== true || !transfer) return null;
  const whole = Number(transfer.data.amount ?? 0);
  const part = inProportion(whole, amount, captured, whole - Number(transfer.data.amount_reversed ?? 0));
  if (part <= 0) return null;
  const reversal = ctx.ops.createResource(ctx, 'transfer_reversal', { amount: part }, transfer);
  return ctx.set(reversal, { source_refund: refundId }).id;
}

/**
 * Tells a transfer's destination of the refund (`refundId`) of its payment, as Stripe does a
 * refund's account: `charge.refunded` (the payment as refunded), then `refund.created`. Returns the
 * refund's id.
 */
function announceRefund(ctx: Ctx, transfer: Entry, refundId: string | null): string | null {
  const destination = transfer.data.destination;
  if (refundId === null || typeof destination !== 'string') return refundId;
  const scope = ctx.store.scope(destination);
  const payment = scope.get(String(transfer.data.destination_payment));
  if (payment) emitEvent(ctx, 'charge.refunded', payment.data, undefined, scope);
  const refund = scope.get(refundId);
  if (refund) emitCreatedIn(ctx, 'refund.created', scope, refund);
  return refundId;
}

function createReversal(ctx: Ctx, draft: JsonObject, params: JsonObject, parent: Entry | undefined): void {
  const transfer = parent ?? ctx.require(String(draft.transfer), ['transfer'], 'transfer', 400);
  const amount = Number(transfer.data.amount ?? 0);
  const reversed = Number(transfer.data.amount_reversed ?? 0);
  const remaining = amount - reversed;
  if (remaining <= 0) {
    throw invalidRequest(`Transfer ${transfer.id} has already been fully reversed.`, {
      code: 'transfer_already_reversed',
    });
  }
  const reversal = typeof params.amount === 'number' ? params.amount : remaining;
  if (reversal > remaining) {
    throw invalidRequest(
      `Transfer reversal amount (${dollars(reversal)}) is greater than the amount that can be reversed (${dollars(remaining)}).`,
      { param: 'amount' },
    );
  }
  if (reversal < 1)
    throw invalidRequest('This value must be greater than or equal to 1.', { param: 'amount' });
  // The destination gives the money back, so it must have it (unless the transfer came from a
  // charge, whose reversal Stripe limits to the charge instead).
  const destination = transfer.data.destination;
  const currency = String(transfer.data.currency ?? 'usd');
  if (
    typeof destination === 'string' &&
    typeof transfer.data.source_transaction !== 'string' &&
    available(ctx, currency, ctx.store.scope(destination)) < reversal
  )
    throw invalidRequest(
      `The destination account ${destination} does not have enough available funds to reverse this transfer.`,
      { code: 'balance_insufficient', param: 'amount' },
    );
  Object.assign(draft, {
    amount: reversal,
    balance_transaction: balanceTransaction(ctx, {
      amount: reversal,
      currency: transfer.data.currency ?? 'usd',
      type: 'transfer_refund',
      source: String(draft.id),
    }).id,
    currency: transfer.data.currency ?? 'usd',
    // The destination gives the money back: a refund of its payment.
    destination_payment_refund: announceRefund(
      ctx,
      transfer,
      refundDestinationPayment(ctx, transfer, reversal, String(draft.id)),
    ),
    source_refund: null,
    transfer: transfer.id,
  });
  ctx.set(transfer, { amount_reversed: reversed + reversal, reversed: reversed + reversal >= amount });
  if (params.refund_application_fee === true) {
    const source = transfer.data.source_transaction;
    const charge = typeof source === 'string' ? ctx.find(source, ['charge']) : undefined;
    refundApplicationFee(ctx, charge?.data.application_fee, reversal, amount);
  }
}

/**
 * An account's external accounts, newest first: they are stored with the platform's objects (or
 * the request's account's, when it added them itself).
 */
function externalAccountsSeen(ctx: Ctx, account: string): Entry[] {
  const scopes: Scope[] = ctx.scope === ctx.store.platform ? [ctx.scope] : [ctx.scope, ctx.store.platform];
  return scopes.flatMap((scope) => externalAccountsOf(scope, account)).sort((a, b) => b.seq - a.seq);
}

/** The external accounts of the account paying out (the connected account under `Stripe-Account`, else the platform). */
function payingExternalAccounts(ctx: Ctx): Entry[] {
  const account: string | undefined = ctx.scope.account ?? ctx.store.platform.get(PLATFORM_ACCOUNT_KEY)?.id;
  return account === undefined ? [] : externalAccountsSeen(ctx, account);
}

/**
 * An account as a read shows it: with its `external_accounts` (a list's first page) when the reader
 * controls it, as Stripe sends them unasked: an account without the full Stripe dashboard (custom,
 * express) read by its platform, or an account reading itself (`/v1/account`). A standard account
 * read by the platform has none. The platform's own account controls itself (its `controller`).
 */
function withExternalAccounts(ctx: Ctx, entry: Entry): JsonObject {
  const platform = entry.key === PLATFORM_ACCOUNT_KEY;
  const data = platform
    ? { ...entry.data, controller: entry.data.controller ?? SELF_CONTROLLED }
    : entry.data;
  const own = platform || entry.id === ctx.scope.account;
  if (!own && dashboardOf(entry) === 'full') return data;
  const all = externalAccountsSeen(ctx, entry.id);
  return {
    ...data,
    external_accounts: {
      object: 'list',
      data: all.slice(0, DEFAULT_PAGE_SIZE).map((external) => external.data),
      has_more: all.length > DEFAULT_PAGE_SIZE,
      url: `/v1/accounts/${entry.id}/external_accounts`,
    },
  };
}

/**
 * Where a payout goes: the external account it names, which must be the paying account's own, else
 * that account's default for the payout's currency, which it must have.
 */
function payoutDestination(ctx: Ctx, named: Json | undefined, currency: string): Entry {
  const own = payingExternalAccounts(ctx);
  if (typeof named === 'string' && named !== '') {
    const found = own.find((entry) => entry.id === named);
    if (!found) throw noSuch('external account', named, 'destination', 400);
    return found;
  }
  const found = own.find(({ data }) => data.currency === currency && data.default_for_currency === true);
  if (!found)
    throw invalidRequest(`Sorry, you don't have any external accounts in that currency (${currency}).`);
  return found;
}

/** The capabilities that let an account receive transfers: any one of them, active, is enough. */
const TRANSFER_CAPABILITIES = ['transfers', 'crypto_transfers', 'legacy_payments'];

/**
 * Refuses money moved to `destination` (a transfer's, a destination payment's, named by `param`)
 * unless it is an account that can receive it: one that exists (`No such destination`,
 * `resource_missing`, when the payment or the invoice is created, not once it is paid), with one
 * of its transfer capabilities active. Stripe refuses so whatever the account's other
 * capabilities, with `insufficient_capabilities_for_transfer`. Returns the account.
 */
export function requireTransferCapability(
  ctx: Ctx,
  destination: string,
  param = 'transfer_data[destination]',
): Entry {
  const account = ctx.store.platform.find(destination);
  if (account?.resource !== 'account') throw noSuch('destination', destination, param, 400);
  const statuses = isObject(account.data.capabilities) ? account.data.capabilities : {};
  if (TRANSFER_CAPABILITIES.some((name) => statuses[name] === 'active')) return account;
  throw invalidRequest(
    `Your destination account needs to have at least one of the following capabilities enabled: ${TRANSFER_CAPABILITIES.join(', ')}`,
    { code: 'insufficient_capabilities_for_transfer' },
  );
}

/**
 * Refuses a charge whose merchant cannot take charges (`charges_enabled` false: requirements due,
 * `card_payments` inactive, rejected): the connected account it is made as (`Stripe-Account`), or
 * the one it is made on behalf of (`on_behalf_of`). Stripe refuses it when the charge is made (a
 * PaymentIntent is created, but its confirmation fails).
 */
export function requireChargesEnabled(ctx: Ctx, onBehalfOf: Json | undefined): void {
  const merchant = ctx.scope.account ?? (typeof onBehalfOf === 'string' ? onBehalfOf : undefined);
  const account = merchant === undefined ? undefined : ctx.store.platform.find(merchant);
  if (account?.resource !== 'account' || account.data.charges_enabled === true) return;
  throw invalidRequest(
    `Your account cannot currently make charges. Its \`requirements.disabled_reason\` (/v1/accounts/${account.id}) says why.`,
  );
}

/**
 * What an account's create or update does beyond its fields: capabilities requested, an external
 * account given (the new default for its currency), and the requirements and capabilities then.
 */
function applyAccountParams(ctx: Ctx, entry: Entry, params: JsonObject): void {
  applyCapabilities(ctx, entry.id, params.capabilities);
  if (params.external_account !== undefined && params.external_account !== '')
    replaceExternalAccount(ctx, entry.id, params.external_account);
  trackRequirements(ctx, ctx.current(entry), params);
  syncCapabilities(ctx, entry.id);
}

export const connectRules: RuleBook = {
  account: {
    reading: withExternalAccounts,
    singleton(ctx, route) {
      if (route.op.path !== '/v1/account') return undefined;
      if (ctx.scope.account) return ctx.store.platform.find(ctx.scope.account);
      // Without the demo dataset the platform still has an account.
      return (
        ctx.scope.get(PLATFORM_ACCOUNT_KEY) ??
        ctx.insert(
          'account',
          ctx.build('account', {
            charges_enabled: true,
            country: 'US',
            default_currency: 'usd',
            details_submitted: true,
            payouts_enabled: true,
            type: 'standard',
          }),
          { singleton: PLATFORM_ACCOUNT_KEY },
        )
      );
    },
    beforeCreate(ctx, draft, { params }) {
      const { type, controller } = typeAndController(params, 'custom');
      const country = typeof params.country === 'string' ? params.country : 'US';
      Object.assign(draft, {
        business_type: draft.business_type ?? null,
        capabilities: {},
        charges_enabled: false,
        controller,
        country,
        default_currency:
          typeof params.default_currency === 'string'
            ? params.default_currency
            : (COUNTRY_CURRENCY[country.toUpperCase()] ?? 'usd'),
        // Until the account is onboarded (src/emulator/hosted/connect.ts).
        details_submitted: false,
        email: draft.email ?? null,
        future_requirements: emptyRequirements(),
        payouts_enabled: true,
        requirements: emptyRequirements(),
        // As given, with Stripe's default payout schedule (money/settlement.ts).
        settings: payoutSettings(ctx, draft.settings, params.settings, { type }),
        tos_acceptance: {
          date: null,
          ip: null,
          user_agent: null,
          ...(isObject(draft.tos_acceptance) ? draft.tos_acceptance : {}),
        },
        type,
      });
    },
    beforeUpdate(ctx, draft, params) {
      if (params.settings !== undefined)
        draft.settings = payoutSettings(ctx, draft.settings, params.settings);
    },
    afterCreate: (ctx, entry, { params }) => applyAccountParams(ctx, entry, params),
    afterUpdate: applyAccountParams,
    beforeDelete(ctx, entry) {
      for (const child of ctx.scope.referencing(entry.id)) {
        if (['capability', 'bank_account', 'card', 'person'].includes(child.resource)) ctx.remove(child);
      }
      ctx.store.dropScope(entry.id);
    },
    actions: {
      reject(ctx, entry, params) {
        if (!REJECT_REASONS.includes(String(params.reason)))
          throw invalidRequest(`Invalid reason: must be one of ${REJECT_REASONS.join(', ')}`, {
            param: 'reason',
          });
        const requirements = isObject(entry.data.requirements)
          ? entry.data.requirements
          : emptyRequirements();
        ctx.set(entry, {
          payouts_enabled: false,
          requirements: { ...requirements, disabled_reason: `rejected.${String(params.reason)}` },
        });
        syncCapabilities(ctx, entry.id);
        return ctx.current(entry);
      },
    },
  },
  capability: {
    materialize(ctx, id, parent) {
      if (parent?.resource !== 'account' || !knownCapability(ctx, id)) return undefined;
      return setCapability(ctx, parent.id, id, false);
    },
    beforeUpdate(ctx, draft, params) {
      if (typeof params.requested === 'boolean') {
        Object.assign(draft, capabilityState(ctx.find(String(draft.account), ['account']), params.requested));
        draft.requested_at = params.requested ? (draft.requested_at ?? ctx.now) : null;
      }
    },
    afterUpdate(ctx, entry) {
      syncCapabilities(ctx, String(entry.data.account));
    },
  },
  transfer: {
    beforeCreate(ctx, draft) {
      if (typeof draft.destination === 'string')
        requireTransferCapability(ctx, draft.destination, 'destination');
      const tied = typeof draft.source_transaction === 'string';
      Object.assign(draft, {
        // A transfer tied to a charge uses the charge's pending funds, once they are available.
        balance_transaction: debit(ctx, draft, 'transfer', !tied, sourceDelay(ctx, draft.source_transaction)),
        description: draft.description ?? null,
        source_transaction: draft.source_transaction ?? null,
        source_type: 'card',
        transfer_group: draft.transfer_group ?? null,
      });
    },
    afterCreate(ctx, entry) {
      const destination = typeof entry.data.destination === 'string' ? entry.data.destination : undefined;
      if (!destination) return;
      // The destination account sees the money as a payment (`py_…`) in its own scope.
      const scope = ctx.store.scope(destination);
      const payment = ctx.build(
        'charge',
        {
          amount: entry.data.amount ?? 0,
          amount_captured: entry.data.amount ?? 0,
          amount_refunded: 0,
          billing_details: { address: null, email: null, name: null, phone: null },
          captured: true,
          currency: entry.data.currency ?? 'usd',
          disputed: false,
          paid: true,
          refunded: false,
          source_transfer: entry.id,
          status: 'succeeded',
        },
        `py_${ctx.random.string(24)}`,
      );
      payment.balance_transaction = balanceTransaction(ctx, {
        amount: Number(entry.data.amount ?? 0),
        currency: entry.data.currency ?? 'usd',
        type: 'payment',
        source: String(payment.id),
        delay: sourceDelay(ctx, entry.data.source_transaction),
        scope,
      }).id;
      // Stripe tells the destination of it with `payment.created` (an event its spec does not list).
      emitCreatedIn(ctx, 'payment.created', scope, insertIn(scope, 'charge', payment));
      ctx.set(entry, { destination_payment: String(payment.id) });
    },
  },
  transfer_reversal: {
    beforeCreate(ctx, draft, { params, parent }) {
      createReversal(ctx, draft, params, parent);
    },
  },
  payout: {
    beforeCreate(ctx, draft) {
      const destination = payoutDestination(ctx, draft.destination, String(draft.currency ?? 'usd'));
      draft.destination = destination.id;
      draft.type = destination.resource === 'card' ? 'card' : 'bank_account';
      Object.assign(draft, {
        arrival_date: ctx.now + 2 * 86_400,
        automatic: false,
        balance_transaction: debit(ctx, draft, 'payout', true),
        description: draft.description ?? null,
        failure_balance_transaction: null,
        failure_code: null,
        failure_message: null,
        original_payout: null,
        reconciliation_status: 'not_applicable',
        reversed_by: null,
        // (the builder fills an unset string with '')
        source_type: draft.source_type || 'card',
        statement_descriptor: draft.statement_descriptor ?? null,
      });
    },
    actions: {
      cancel(ctx, entry) {
        if (entry.data.status !== 'pending') {
          throw invalidRequest(
            `Payouts can only be canceled while they are pending. This payout is ${String(entry.data.status)}.`,
          );
        }
        const reversal = balanceTransaction(ctx, {
          amount: Number(entry.data.amount ?? 0),
          currency: entry.data.currency ?? 'usd',
          type: 'payout_cancel',
          source: entry.id,
        });
        return ctx.set(entry, { status: 'canceled', failure_balance_transaction: reversal.id });
      },
    },
  },
  fee_refund: {
    beforeCreate(ctx, draft, { params, parent }) {
      const fee = parent ?? ctx.require(String(draft.fee), ['application_fee'], 'id', 404);
      const amount = Number(fee.data.amount ?? 0);
      const refunded = Number(fee.data.amount_refunded ?? 0);
      const refund = typeof params.amount === 'number' ? params.amount : amount - refunded;
      if (refund <= 0 || refund > amount - refunded) {
        throw invalidRequest(
          `Refund amount (${dollars(refund)}) is greater than unrefunded amount on fee (${dollars(amount - refunded)})`,
          { param: 'amount' },
        );
      }
      Object.assign(draft, {
        amount: refund,
        currency: fee.data.currency ?? 'usd',
        fee: fee.id,
        balance_transaction: settleFeeRefund(ctx, ctx.scope, fee, refund, String(draft.id)),
      });
    },
  },
  application_fee: {
    actions: {
      refund(ctx, entry, params) {
        ctx.ops.createResource(ctx, 'fee_refund', { ...params, fee: entry.id }, entry);
        return ctx.current(entry);
      },
    },
  },
};
