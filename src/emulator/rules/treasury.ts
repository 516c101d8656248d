/**
 * Treasury, as Stripe's test helpers run it.
 *
 * - A received credit or debit (test helper) `succeeded`, with its `treasury.transaction` posted.
 * - Outbound transfers and payments start `processing` (cancelable) with an open transaction
 *   holding their amount (`cash` to `outbound_pending`); the test helpers `post`, `fail` and
 *   `return` them (`posted`, `failed`, `returned`), `cancel` cancels a processing one. Inbound
 *   transfers start `processing` with an open transaction that moves nothing yet: the money
 *   reaches `cash` when `succeed` posts it (`inbound_pending` stays 0, as Stripe keeps it), and
 *   `fail` voids it. A failure or return records its reason (`failure_details`,
 *   `returned_details`, `other` unless given); a returned inbound transfer (succeeded first) gives
 *   its money back through a received debit it links. An inbound transfer shows the bank account it
 *   pulls from (`origin_payment_method_details`: a stored payment method's, or Stripe's test bank's
 *   for `pm_usBankAccount`).
 * - A credit or debit reversal reverses the whole received credit or debit it names, in its
 *   financial account, amount, currency and network, once (its `reversal_details` then say
 *   `already_reversed`); a wire, or a credit between financial accounts, cannot be reversed. It
 *   is made `processing` and settles within the request (no test helper moves one): a credit
 *   reversal is `posted`, its money held then posted (`credit_reversal`,
 *   `credit_reversal_posting`), a debit reversal `succeeded`.
 * - A financial account opens `open`, with the features it requested `active`; with
 *   `financial_addresses.aba` active it has an ABA address (the account number itself hidden, as
 *   Stripe sends it unless expanded).
 * - `POST /v1/treasury/financial_accounts/{id}/features` updates the account's features (each
 *   requested one `active`), and `active_features` with them.
 */
import { createHash } from 'node:crypto';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import { type Entry, PLATFORM_ACCOUNT_KEY } from '../engine/store.ts';
import { fingerprintOf } from '../money/tokens.ts';
import { type BalanceImpact, checkFunds, recordEntry } from '../money/treasury-ledger.ts';

/**
 * A money movement's transaction: `open` while it is under way, `posted` once it is final, with
 * what the flow moved when it was made (`moved`: its Entry, src/emulator/money/treasury-ledger.ts):
 * an outbound flow's amount held in `outbound_pending`, nothing yet for an inbound transfer.
 */
function openTransaction(
  ctx: Ctx,
  flow: JsonObject,
  flowType: string,
  signed: number,
  status: 'open' | 'posted',
  moved: BalanceImpact = { cash: signed },
): Entry {
  return ctx.insert(
    'treasury.transaction',
    ctx.build('treasury.transaction', {
      amount: signed,
      // A void gives back what was moved; a posting releases what was held or moves what was not.
      balance_impact: {
        cash: moved.cash ?? 0,
        inbound_pending: 0,
        outbound_pending: moved.outbound_pending ?? 0,
      },
      currency: flow.currency ?? 'usd',
      description: flow.description ?? flowType.replaceAll('_', ' '),
      financial_account: flow.financial_account ?? null,
      flow: String(flow.id),
      flow_type: flowType,
      status,
      status_transitions: { posted_at: status === 'posted' ? ctx.now : null, void_at: null },
    }),
  );
}

/** The entry type Stripe names for a step of a flow (`outbound_payment_posting`), else the flow's. */
function entryType(ctx: Ctx, flowType: string, step: string): string {
  const types = ctx.registry.model.enums['treasury.transaction_entry.type']?.values ?? [];
  return types.includes(`${flowType}_${step}`) ? `${flowType}_${step}` : flowType;
}

/**
 * Settles a flow's transaction: `posted` releases what was pending (a `…_posting` entry), or moves
 * the money of a flow that moved none when made (an inbound transfer landing); `void` gives back
 * what was moved (a `…_failure`, `…_cancellation` or `…_return` entry, by `step`).
 */
function settleTransaction(ctx: Ctx, flow: Entry, status: 'posted' | 'void', step = 'failure'): void {
  const id = flow.data.transaction;
  const made = typeof id === 'string' ? ctx.find(id, ['treasury.transaction']) : undefined;
  if (!made) return;
  const amount = Number(made.data.amount);
  const impact = isObject(made.data.balance_impact) ? made.data.balance_impact : {};
  const moved = Number(impact.cash ?? 0);
  const pending = Number(impact.outbound_pending ?? 0);
  const flowType = String(made.data.flow_type);
  if (status === 'posted' && pending !== 0)
    recordEntry(ctx, flow, made, entryType(ctx, flowType, 'posting'), { outbound_pending: -pending });
  if (status === 'posted' && moved === 0) recordEntry(ctx, flow, made, flowType, { cash: amount });
  if (status === 'void' && (moved !== 0 || pending !== 0))
    recordEntry(ctx, flow, made, entryType(ctx, flowType, step), {
      cash: -moved,
      outbound_pending: -pending,
    });
  ctx.set(made, {
    balance_impact: { cash: status === 'posted' ? amount : 0, inbound_pending: 0, outbound_pending: 0 },
    status,
    status_transitions: {
      posted_at: status === 'posted' ? ctx.now : null,
      void_at: status === 'void' ? ctx.now : null,
    },
  });
}

/**
 * Why Stripe lets no one reverse a received credit of a network (Stripe's `reversal_details`): a
 * wire cannot be, nor a transfer between financial accounts not made by an outbound payment (the
 * test helpers make none so).
 */
const CREDIT_RESTRICTED: Readonly<Record<string, string>> = {
  stripe: 'source_flow_restricted',
  us_domestic_wire: 'network_restricted',
};

/** The reason a received credit or debit cannot be reversed, if it cannot. */
function restriction(received: Entry): string | undefined {
  const details = isObject(received.data.reversal_details) ? received.data.reversal_details : {};
  return typeof details.restricted_reason === 'string' ? details.restricted_reason : undefined;
}

function reverse(ctx: Ctx, draft: JsonObject, params: JsonObject, name: string, resource: string): void {
  const received = ctx.require(String(params[name]), [resource], name, 400);
  const flows = isObject(received.data.linked_flows) ? received.data.linked_flows : {};
  const key = name === 'received_credit' ? 'credit_reversal' : 'debit_reversal';
  const label = name.replace('_', ' ');
  const reason = restriction(received);
  if (reason === 'already_reversed')
    throw invalidRequest(`This ${label} has already been reversed (${String(flows[key])}).`, {
      param: name,
    });
  if (reason) throw invalidRequest(`This ${label} cannot be reversed (${reason}).`, { param: name });
  for (const prop of ['financial_account', 'amount', 'currency', 'network'])
    draft[prop] = received.data[prop] ?? null;
  draft.status = 'processing';
}

/** Links a reversal to the flow it reversed, which can then be reversed no more. */
function linkReversal(ctx: Ctx, reversal: Entry, name: string, resource: string): void {
  const received = ctx.find(String(reversal.data[name]), [resource]);
  if (!received) return;
  const flows = isObject(received.data.linked_flows) ? received.data.linked_flows : {};
  const details = isObject(received.data.reversal_details) ? received.data.reversal_details : {};
  ctx.set(received, {
    linked_flows: {
      ...flows,
      [name === 'received_credit' ? 'credit_reversal' : 'debit_reversal']: reversal.id,
    },
    reversal_details: { deadline: details.deadline ?? null, restricted_reason: 'already_reversed' },
  });
}

/** A received credit or debit: it succeeded, and its transaction is posted. */
function received(flowType: string, sign: 1 | -1) {
  return {
    beforeCreate(_ctx: Ctx, draft: JsonObject) {
      const restricted = sign > 0 ? CREDIT_RESTRICTED[String(draft.network)] : undefined;
      Object.assign(draft, {
        failure_code: null,
        status: 'succeeded',
        ...(restricted ? { reversal_details: { deadline: null, restricted_reason: restricted } } : {}),
      });
    },
    afterCreate(ctx: Ctx, entry: Entry) {
      const made = openTransaction(ctx, entry.data, flowType, sign * Number(entry.data.amount), 'posted');
      recordEntry(ctx, entry, made, flowType);
      ctx.set(entry, { transaction: made.id });
    },
  };
}

/**
 * A credit or debit reversal: the whole received flow back, once. Made `processing`, it settles
 * within the request: the money a credit reversal takes is held, then posted (`posted`); a debit
 * reversal's comes back (`succeeded`, `completed_at`).
 */
function reversal(name: 'received_credit' | 'received_debit', flowType: string, sign: 1 | -1) {
  const resource = `treasury.${name}`;
  return {
    beforeCreate(ctx: Ctx, draft: JsonObject, { params }: { params: JsonObject }) {
      reverse(ctx, draft, params, name, resource);
    },
    afterCreate(ctx: Ctx, entry: Entry) {
      linkReversal(ctx, entry, name, resource);
      const signed = sign * Number(entry.data.amount);
      const moved = outboundHold(signed);
      const made = openTransaction(ctx, entry.data, flowType, signed, 'open', moved);
      recordEntry(ctx, entry, made, flowType, moved);
      const flow = ctx.set(entry, { transaction: made.id });
      if (sign < 0) finish(ctx, flow, 'posted');
      else finish(ctx, flow, 'succeeded', ['processing'], 'completed_at');
    },
  };
}

/** What a flow moves when made: money leaving is held (`cash` to `outbound_pending`) until it posts. */
const outboundHold = (signed: number): BalanceImpact =>
  signed < 0 ? { cash: signed, outbound_pending: -signed } : { cash: signed };

const TRANSITION_AT: Readonly<Record<string, string>> = {
  posted: 'posted_at',
  failed: 'failed_at',
  returned: 'returned_at',
  canceled: 'canceled_at',
  succeeded: 'succeeded_at',
};

/** The entry step of a void, by the flow's new status. */
const VOID_STEP: Readonly<Record<string, string>> = {
  failed: 'failure',
  canceled: 'cancellation',
  returned: 'return',
};

/**
 * Moves a flow from `processing` to `status`, settling its transaction; `at` the timestamp of
 * `status_transitions` it sets (by the status unless the flow names it otherwise).
 */
function finish(
  ctx: Ctx,
  entry: Entry,
  status: string,
  from: readonly string[] = ['processing'],
  at = TRANSITION_AT[status],
): Entry {
  if (!from.includes(String(entry.data.status)))
    throw invalidRequest(
      `You cannot move a ${String(entry.data.status)} ${String(entry.data.object)} to ${status}.`,
    );
  settleTransaction(
    ctx,
    entry,
    status === 'posted' || status === 'succeeded' ? 'posted' : 'void',
    VOID_STEP[status],
  );
  const transitions = isObject(entry.data.status_transitions) ? entry.data.status_transitions : {};
  return ctx.set(entry, {
    // Only the flows a user may cancel say whether they still can.
    ...('cancelable' in entry.data ? { cancelable: false } : {}),
    status,
    ...(at ? { status_transitions: { ...transitions, [at]: ctx.now } } : {}),
  });
}

/** The reason a test helper gives for a failure or return (`…_details[code]`), `other` by default. */
const detailCode = (details: Json | undefined): string =>
  isObject(details) && typeof details.code === 'string' ? details.code : 'other';

/**
 * A succeeded inbound transfer returned: it stays `succeeded`, marked `returned`, and the bank takes
 * the money back with a received debit linked to it.
 */
function returnInbound(ctx: Ctx, entry: Entry): Entry {
  if (entry.data.status !== 'succeeded')
    throw invalidRequest(
      `You cannot return a ${String(entry.data.status)} treasury.inbound_transfer: only a succeeded one can be returned.`,
    );
  if (entry.data.returned === true)
    throw invalidRequest(`InboundTransfer ${entry.id} has already been returned.`);
  const debit = ctx.ops.createResource(ctx, 'treasury.received_debit', {
    amount: entry.data.amount ?? 0,
    currency: entry.data.currency ?? 'usd',
    description: `Return of ${entry.id}`,
    financial_account: entry.data.financial_account ?? '',
    network: 'ach',
  });
  const debitFlows = isObject(debit.data.linked_flows) ? debit.data.linked_flows : {};
  ctx.set(debit, { linked_flows: { ...debitFlows, inbound_transfer: entry.id } });
  const flows = isObject(entry.data.linked_flows) ? entry.data.linked_flows : {};
  return ctx.set(entry, { linked_flows: { ...flows, received_debit: debit.id }, returned: true });
}

/** An outbound (or inbound) flow: `processing` with an open transaction, then the helpers. */
function outbound(flowType: string, sign: 1 | -1, done: 'posted' | 'succeeded') {
  return {
    beforeCreate(_ctx: Ctx, draft: JsonObject) {
      Object.assign(draft, { cancelable: true, status: 'processing' });
    },
    afterCreate(ctx: Ctx, entry: Entry) {
      checkFunds(ctx, entry, flowType);
      const signed = sign * Number(entry.data.amount);
      // Money on its way out leaves `cash` for `outbound_pending` until the flow posts; money on
      // its way in moves nothing until it lands.
      const moved = sign < 0 ? outboundHold(signed) : undefined;
      const made = openTransaction(ctx, entry.data, flowType, signed, 'open', moved ?? {});
      if (moved) recordEntry(ctx, entry, made, flowType, moved);
      ctx.set(entry, { transaction: made.id });
    },
    actions: {
      [done === 'posted' ? 'post' : 'succeed']: (ctx: Ctx, entry: Entry) => finish(ctx, entry, done),
      fail: (ctx: Ctx, entry: Entry, params: JsonObject) => {
        const failed = finish(ctx, entry, 'failed');
        if (flowType !== 'inbound_transfer') return failed;
        return ctx.set(failed, { failure_details: { code: detailCode(params.failure_details) } });
      },
      return: (ctx: Ctx, entry: Entry, params: JsonObject) =>
        flowType === 'inbound_transfer'
          ? returnInbound(ctx, entry)
          : ctx.set(finish(ctx, entry, 'returned', [done]), {
              returned_details: {
                code: detailCode(params.returned_details),
                transaction: entry.data.transaction ?? null,
              },
            }),
      cancel: (ctx: Ctx, entry: Entry) => finish(ctx, entry, 'canceled'),
    },
  };
}

/** The bank account behind Stripe's test payment methods (`pm_usBankAccount`, `pm_usBankAccount_…`). */
const TEST_BANK: JsonObject = {
  account_holder_type: 'individual',
  account_type: 'checking',
  bank_name: 'STRIPE TEST BANK',
  fingerprint: fingerprintOf('bank:000123456789'),
  last4: '6789',
  routing_number: '110000000',
};

/**
 * The bank account an inbound transfer pulls from, as its `origin_payment_method_details` show it:
 * a stored US bank account payment method's, or the test bank's; null for anything else.
 */
function originDetails(ctx: Ctx, id: string): JsonObject | null {
  const stored = ctx.find(id, ['payment_method']);
  const bank = stored ? stored.data.us_bank_account : id.startsWith('pm_usBankAccount') ? TEST_BANK : null;
  if (!isObject(bank)) return null;
  const billing = stored && isObject(stored.data.billing_details) ? stored.data.billing_details : {};
  const field = (name: string) => bank[name] ?? null;
  return {
    billing_details: {
      address: billing.address ?? ctx.sub('address', {}),
      email: billing.email ?? null,
      name: billing.name ?? null,
    },
    type: 'us_bank_account',
    us_bank_account: {
      account_holder_type: field('account_holder_type'),
      account_type: field('account_type'),
      bank_name: field('bank_name'),
      fingerprint: field('fingerprint'),
      last4: field('last4'),
      network: 'ach',
      routing_number: field('routing_number'),
    },
  };
}

/** An inbound transfer: an incoming flow, not returned yet, showing the bank account it pulls from. */
function inbound() {
  const flow = outbound('inbound_transfer', 1, 'succeeded');
  return {
    ...flow,
    beforeCreate(ctx: Ctx, draft: JsonObject) {
      flow.beforeCreate(ctx, draft);
      Object.assign(draft, {
        origin_payment_method_details: originDetails(ctx, String(draft.origin_payment_method ?? '')),
        returned: false,
      });
    },
  };
}

const FEATURES = 'treasury.financial_account_features';

/** A requested feature (or one of its networks) is `active` at once in test mode. */
function activate(value: unknown): unknown {
  if (!isObject(value)) return value;
  if (typeof value.requested === 'boolean')
    return { ...value, status: value.requested ? 'active' : 'restricted', status_details: [] };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, activate(v)]));
}

/** The names of the active features, nested ones as `outbound_payments.ach`. */
function activeNames(features: JsonObject, prefix = ''): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(features)) {
    if (!isObject(value)) continue;
    if (value.status === 'active') out.push(`${prefix}${name}`);
    else out.push(...activeNames(value, `${prefix}${name}.`));
  }
  return out;
}

/** The name on a financial account's address: its owner's business name. */
function holderName(ctx: Ctx): string {
  const owner = ctx.scope.account
    ? ctx.store.platform.find(ctx.scope.account)
    : ctx.scope.get(PLATFORM_ACCOUNT_KEY);
  const profile = isObject(owner?.data.business_profile) ? owner.data.business_profile : {};
  return typeof profile.name === 'string' && profile.name !== '' ? profile.name : 'Emulator account';
}

/**
 * A financial account's `financial_addresses`: an ABA address once `financial_addresses.aba` is
 * active, on Stripe's test bank. Its account number is drawn from the account's id (no random
 * draw, so the ids after it stay put) and only its last four digits are sent: Stripe hides the
 * number unless it is expanded.
 */
function financialAddresses(ctx: Ctx, account: string, active: readonly string[]): JsonObject[] {
  if (!active.includes('financial_addresses.aba')) return [];
  const digits = createHash('sha256').update(account).digest().subarray(0, 4);
  const last4 = Array.from(digits, (byte) => byte % 10).join('');
  return [
    {
      aba: {
        account_holder_name: holderName(ctx),
        account_number: null,
        account_number_last4: last4,
        bank_name: 'STRIPE TEST BANK',
        routing_number: '000000001',
      },
      supported_networks: ['ach', 'us_domestic_wire'],
      type: 'aba',
    },
  ];
}

/** An account's features (each requested one `active`) and what follows from them. */
function withFeatures(ctx: Ctx, account: string, features: JsonObject): JsonObject {
  const active = activeNames(features);
  return {
    active_features: active,
    features: { ...features, object: FEATURES },
    financial_addresses: financialAddresses(ctx, account, active),
  };
}

export const treasuryRules: RuleBook = {
  'treasury.financial_account': {
    beforeCreate(ctx, draft) {
      const features = isObject(draft.features) ? (activate(draft.features) as JsonObject) : undefined;
      Object.assign(draft, {
        status: 'open',
        status_details: { closed: null },
        ...(features ? withFeatures(ctx, String(draft.id), features) : {}),
      });
    },
  },
  [FEATURES]: {
    // The features live on the account; the update works on a stored copy and writes them back.
    singleton(ctx, _route, parents) {
      const account = parents.at(-1);
      if (account?.resource !== 'treasury.financial_account') return undefined;
      const key = `singleton:features:${account.id}`;
      const stored = ctx.scope.get(key);
      const features = isObject(account.data.features) ? account.data.features : {};
      const data = { object: 'treasury.financial_account_features', ...features };
      if (stored) return ctx.scope.replace(stored, data);
      return ctx.insert(FEATURES, data, { singleton: key, parent: account.id });
    },
    beforeUpdate(_ctx, draft) {
      for (const [name, value] of Object.entries(draft))
        if (name !== 'object') draft[name] = activate(value) as never;
    },
    afterUpdate(ctx, entry) {
      const account = entry.parent ? ctx.find(entry.parent, ['treasury.financial_account']) : undefined;
      if (!account) return;
      const { object: _, ...features } = entry.data;
      ctx.set(account, withFeatures(ctx, account.id, features));
    },
  },
  'treasury.received_credit': received('received_credit', 1),
  'treasury.received_debit': received('received_debit', -1),
  'treasury.outbound_transfer': outbound('outbound_transfer', -1, 'posted'),
  'treasury.outbound_payment': outbound('outbound_payment', -1, 'posted'),
  'treasury.inbound_transfer': inbound(),
  'treasury.credit_reversal': reversal('received_credit', 'credit_reversal', -1),
  'treasury.debit_reversal': reversal('received_debit', 'debit_reversal', 1),
};
