/**
 * Events (`evt_…`) as Stripe emits them, derived from every state change a request makes.
 *
 * While a request runs, its scope reports each write (before → after) to an `EventRecorder`. A
 * write is turned into events by one table, `FLOWS` (object type → the events its transitions
 * emit, in Stripe's order: a confirmed PaymentIntent gives `payment_intent.created`,
 * `charge.succeeded`, `payment_intent.succeeded`; a subscription's first cycle
 * `customer.subscription.created`, `invoice.created`, `invoice.finalized`, `invoice.paid`,
 * `invoice.payment_succeeded`), and otherwise by the generic rules: `<prefix>.created`,
 * `<prefix>.deleted`, a status that became `x` → `<prefix>.x`, and one `<prefix>.updated` per
 * object and request with `previous_attributes`. Only the event types the spec lists (the
 * `enabled_events` enum of `/v1/webhook_endpoints`) are derived so; the prefix is the spec's
 * (`subscription` → `customer.subscription`, `issuing.card` → `issuing_card`). A rule may record
 * one Stripe sends although the spec omits it (a transfer's destination's `payment.created`).
 *
 * An event's `data.object` is the object as it stood when its next event on the same object was
 * recorded (or at the end of the request), so a `…created` event shows the object as created and
 * `…succeeded` as it succeeded. The events are stored when the request commits, listed at
 * `/v1/events` and delivered to webhook endpoints (webhooks.ts) and so to GraphQL subscriptions.
 */

import type { Model } from '../../spec/types.ts';
import type { Ctx } from './context.ts';
import { isObject, type Json, type JsonObject } from './json.ts';
import type { Entry, Scope, WriteObserver } from './store.ts';

/** Changed top-level fields, with their values before the change. */
export function previousAttributes(before: JsonObject, after: JsonObject): JsonObject | undefined {
  const previous: JsonObject = {};
  let changed = false;
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = before[key];
    if (old !== after[key] && JSON.stringify(old) !== JSON.stringify(after[key])) {
      previous[key] = old === undefined ? null : (old as Json);
      changed = true;
    }
  }
  return changed ? previous : undefined;
}

// ---------------------------------------------------------------------------------------------
// The table: flows → events

type Data = JsonObject;
/** Whether a write (before is undefined for a creation) emits an event. */
type When = (after: Data, before: Data | undefined) => boolean;
interface FlowRule {
  /** the event type's verb (after the prefix), or a full type when it has a dot */
  event: string;
  when: When;
}

const num = (value: Json | undefined) => (typeof value === 'number' ? value : 0);
const created: When = (_after, before) => before === undefined;
/** `field` took one of `values` in this write (or the object was created with it). */
const became =
  (field: string, ...values: Json[]): When =>
  (after, before) =>
    values.includes(after[field] ?? null) && (before === undefined || before[field] !== after[field]);
/** `field` became one of `values` on an existing object. */
const changedTo =
  (field: string, ...values: Json[]): When =>
  (after, before) =>
    before !== undefined && values.includes(after[field] ?? null) && before[field] !== after[field];
const increased =
  (field: string): When =>
  (after, before) =>
    num(after[field]) > num(before?.[field]);
/** `field` (an error) was set to a new non-null value. */
const errorSet =
  (field: string): When =>
  (after, before) =>
    (after[field] ?? null) !== null &&
    JSON.stringify(after[field]) !== JSON.stringify(before?.[field] ?? null);
const transition =
  (path: [string, string]): When =>
  (after, before) => {
    const value = (data: Data | undefined) => {
      const inner = data?.[path[0]];
      return inner && typeof inner === 'object' && !Array.isArray(inner)
        ? (inner as Data)[path[1]]
        : undefined;
    };
    return typeof value(after) === 'number' && typeof value(before) !== 'number';
  };
const finalized = transition(['status_transitions', 'finalized_at']);
/** A PaymentIntent came to hold funds, or holds more (an incremented authorization). */
const capturableUpdated: When = (after, before) =>
  changedTo('status', 'requires_capture')(after, before) ||
  (before?.status === 'requires_capture' &&
    after.status === 'requires_capture' &&
    increased('amount_capturable')(after, before));
/** A rule per status, each event named after its status, the status tested with `test` (`became`, `changedTo`). */
const byStatus = (test: (field: string, value: Json) => When, ...statuses: string[]): FlowRule[] =>
  statuses.map((status) => ({ event: status, when: test('status', status) }));
const all =
  (...whens: When[]): When =>
  (after, before) =>
    whens.every((w) => w(after, before));

/**
 * Per object type, the events its writes emit, in the order Stripe sends them. The generic rules
 * (created/deleted, a status → `<prefix>.<status>`, one `.updated`) apply where a type's entry
 * says `generic: true` or has no entry; a named event of a write suppresses the `.updated`.
 */
export const FLOWS: Readonly<Record<string, { rules: readonly FlowRule[]; statusEvents?: boolean }>> = {
  payment_intent: {
    rules: [
      { event: 'created', when: created },
      { event: 'payment_failed', when: errorSet('last_payment_error') },
      ...byStatus(changedTo, 'requires_action'),
      { event: 'amount_capturable_updated', when: capturableUpdated },
      ...byStatus(changedTo, 'processing', 'succeeded', 'canceled'),
    ],
  },
  setup_intent: {
    rules: [
      { event: 'created', when: created },
      { event: 'setup_failed', when: errorSet('last_setup_error') },
      ...byStatus(changedTo, 'requires_action', 'succeeded', 'canceled'),
    ],
  },
  charge: {
    rules: [
      { event: 'pending', when: all(created, became('status', 'pending')) },
      ...byStatus(became, 'succeeded', 'failed'),
      { event: 'captured', when: (a, b) => b !== undefined && b.captured === false && a.captured === true },
      // A partial capture releases the rest (`amount_refunded`) without a refund; a refund of an
      // uncaptured charge (its authorization released) is one.
      {
        event: 'refunded',
        when: (a, b) => b !== undefined && a.captured === b.captured && increased('amount_refunded')(a, b),
      },
    ],
  },
  invoice: {
    rules: [
      { event: 'created', when: created },
      { event: 'finalized', when: (a, b) => finalized(a, b) },
      { event: 'payment_failed', when: (a, b) => a.status !== 'paid' && increased('attempt_count')(a, b) },
      { event: 'paid', when: became('status', 'paid') },
      { event: 'payment_succeeded', when: became('status', 'paid') },
      { event: 'voided', when: became('status', 'void') },
      { event: 'marked_uncollectible', when: became('status', 'uncollectible') },
    ],
  },
  subscription: {
    rules: [
      { event: 'created', when: created },
      { event: 'deleted', when: changedTo('status', 'canceled') },
      { event: 'paused', when: changedTo('status', 'paused') },
      { event: 'resumed', when: (a, b) => b?.status === 'paused' && a.status === 'active' },
    ],
  },
  application_fee: {
    rules: [
      { event: 'created', when: created },
      { event: 'refunded', when: (a, b) => b !== undefined && increased('amount_refunded')(a, b) },
    ],
  },
  transfer: {
    rules: [
      { event: 'created', when: created },
      { event: 'reversed', when: (a, b) => b !== undefined && increased('amount_reversed')(a, b) },
    ],
  },
  'checkout.session': {
    rules: [{ event: 'completed', when: changedTo('status', 'complete') }, ...byStatus(changedTo, 'expired')],
  },
  quote: {
    rules: [
      { event: 'created', when: created },
      { event: 'finalized', when: changedTo('status', 'open') },
      ...byStatus(changedTo, 'accepted', 'canceled'),
    ],
  },
  credit_note: {
    rules: [
      { event: 'created', when: created },
      { event: 'voided', when: changedTo('status', 'void') },
    ],
  },
  review: {
    rules: [
      { event: 'opened', when: created },
      { event: 'closed', when: changedTo('open', false) },
    ],
  },
  dispute: {
    rules: [
      { event: 'created', when: created },
      { event: 'funds_withdrawn', when: created },
      { event: 'closed', when: changedTo('status', 'won', 'lost', 'warning_closed') },
      { event: 'funds_reinstated', when: changedTo('status', 'won') },
    ],
  },
  issuing_dispute: {
    rules: [
      { event: 'created', when: created },
      { event: 'submitted', when: changedTo('status', 'submitted') },
      { event: 'closed', when: changedTo('status', 'won', 'lost', 'expired') },
    ],
  },
  payment_method: {
    rules: [
      { event: 'attached', when: (a, b) => typeof a.customer === 'string' && (b?.customer ?? null) === null },
      { event: 'detached', when: (a, b) => a.customer === null && typeof b?.customer === 'string' },
    ],
  },
  'financial_connections.account': {
    statusEvents: true,
    rules: [
      { event: 'refreshed_balance', when: transitionOf('balance_refresh') },
      { event: 'refreshed_ownership', when: transitionOf('ownership_refresh') },
      { event: 'refreshed_transactions', when: transitionOf('transaction_refresh') },
    ],
  },
  'identity.verification_session': {
    statusEvents: true,
    rules: [
      {
        event: 'redacted',
        when: (a, b) =>
          isObject(a.redaction) && a.redaction.status === 'redacted' && !(b && isObject(b.redaction)),
      },
    ],
  },
  // A run finishes as it is created in the emulator.
  'reporting.report_run': {
    rules: [...byStatus(became, 'succeeded', 'failed')],
  },
  // A server-driven reader's action ends (present_payment_method, set_reader_display).
  'terminal.reader': {
    rules: [
      { event: 'action_succeeded', when: actionBecame('succeeded') },
      { event: 'action_failed', when: actionBecame('failed') },
    ],
  },
  // A debit reversal completes when it succeeds (`status_transitions.completed_at`); the generic
  // status rule would look for a `succeeded` event, which Stripe does not send.
  'treasury.debit_reversal': {
    rules: [
      { event: 'created', when: created },
      { event: 'completed', when: became('status', 'succeeded') },
    ],
  },
  'treasury.financial_account': {
    rules: [
      { event: 'created', when: created },
      { event: 'closed', when: changedTo('status', 'closed') },
      {
        event: 'features_status_updated',
        when: (a, b) => b !== undefined && JSON.stringify(a.features) !== JSON.stringify(b.features),
      },
    ],
  },
};

/** A reader's action came to `status` (a new action, or the one in progress ending so). */
function actionBecame(status: string): When {
  const of = (data: Data | undefined) => {
    const action = data?.action;
    return action && typeof action === 'object' && !Array.isArray(action) ? (action as Data) : undefined;
  };
  return (after, before) => {
    const now = of(after);
    const then = of(before);
    return now?.status === status && JSON.stringify(now) !== JSON.stringify(then);
  };
}

/** A refresh of a Financial Connections account that (again) `succeeded`. */
function transitionOf(field: string): When {
  return (after, before) => {
    const status = (data: Data | undefined) => {
      const value = data?.[field];
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as Data).status : undefined;
    };
    return status(after) === 'succeeded' && JSON.stringify(after[field]) !== JSON.stringify(before?.[field]);
  };
}

/** Bookkeeping fields whose change alone is no `.updated` (a customer's invoice numbering). */
const QUIET: Readonly<Record<string, readonly string[]>> = { customer: ['next_invoice_sequence'] };

/** Statuses whose event is named otherwise (`void` → `voided`), for the generic status rule. */
const STATUS_VERBS: Readonly<Record<string, string>> = { void: 'voided', complete: 'completed' };

// ---------------------------------------------------------------------------------------------
// Event types and prefixes, from the spec

const typesByModel = new WeakMap<Model, ReadonlySet<string>>();

/** Every event type the spec lists (the `enabled_events` enum of `/v1/webhook_endpoints`). */
export function specEventTypes(model: Model): ReadonlySet<string> {
  let types = typesByModel.get(model);
  if (types) return types;
  const set = new Set<string>();
  for (const op of model.operations) {
    if (op.kind !== 'create' || op.path !== '/v1/webhook_endpoints') continue;
    const param = op.body.find((p) => p.name === 'enabled_events');
    const type = param?.type.k === 'array' ? param.type.of : param?.type;
    if (type?.k === 'enum') for (const value of type.values) if (value !== '*') set.add(value);
  }
  types = set;
  typesByModel.set(model, types);
  return types;
}

/** Sources on a customer are `customer.source.*`; other objects' prefixes are looked up. */
const SOURCE_OBJECTS = new Set(['card', 'bank_account', 'source']);

/**
 * The event prefix of an object (`subscription` → `customer.subscription`, `dispute` →
 * `charge.dispute`), if it has events.
 */
function prefixOf(types: ReadonlySet<string>, object: string, data: Data): string | undefined {
  if (SOURCE_OBJECTS.has(object)) {
    if (typeof data.customer === 'string') return 'customer.source';
    // A connected account's bank account or debit card.
    return typeof data.account === 'string' && object !== 'source' ? 'account.external_account' : undefined;
  }
  const prefixes = new Set<string>();
  for (const type of types) prefixes.add(type.slice(0, type.lastIndexOf('.')));
  for (const candidate of [object, object.replaceAll('.', '_'), `customer.${object}`, `charge.${object}`])
    if (prefixes.has(candidate)) return candidate;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Recording

interface Pending {
  type: string;
  /** when it happened: the request's time, or the test clock's it was played at (`Ctx.at`) */
  created: number;
  key: string | undefined;
  object: JsonObject;
  /** where another account's object is read from when the events are stored (`emitEventAbout`) */
  latest?: { scope: Scope; key: string };
  /** the object before the request first changed it (`.updated` events) */
  before?: JsonObject;
  previous?: JsonObject;
  /** the account whose event it is, when not the request's (events.ts `emitEvent`) */
  scope?: Scope;
}

interface Touched {
  /** created in this request */
  created: boolean;
  /** a named event was recorded for it */
  named: boolean;
  /** the latest event about it: later writes update its object */
  last: Pending | undefined;
  /** its `.updated` event, once recorded */
  updated: Pending | undefined;
}

/** The events of one request, in order, until it commits. */
export class EventRecorder {
  private readonly pending: Pending[] = [];
  private readonly touched = new Map<string, Touched>();
  private readonly types: ReadonlySet<string>;
  private readonly prefixes = new Map<string, string | undefined>();

  constructor(private readonly ctx: Ctx) {
    this.types = specEventTypes(ctx.registry.model);
  }

  readonly observe: WriteObserver = (before, after) => {
    const entry = after ?? before;
    if (!entry || entry.resource === 'event' || entry.singleton || before === after) return;
    this.write(
      entry,
      before && !before.deleted ? before : undefined,
      after && !after.deleted ? after : undefined,
    );
  };

  /** An explicit event (one no state change implies), recorded in order. */
  push(type: string, object: JsonObject, previous?: JsonObject, scope?: Scope, latest?: Entry): void {
    this.pending.push({
      type,
      created: this.ctx.now,
      key: undefined,
      object,
      ...(previous ? { previous } : {}),
      ...(scope ? { scope } : {}),
      ...(scope && latest ? { latest: { scope, key: latest.key } } : {}),
    });
  }

  private prefix(object: string, data: Data): string | undefined {
    if (SOURCE_OBJECTS.has(object)) return prefixOf(this.types, object, data);
    if (!this.prefixes.has(object)) this.prefixes.set(object, prefixOf(this.types, object, data));
    return this.prefixes.get(object);
  }

  private write(entry: Entry, before: Entry | undefined, after: Entry | undefined): void {
    const data = (after ?? before)!.data;
    const object = typeof data.object === 'string' ? data.object : entry.resource;
    const prefix = this.prefix(object, after?.data ?? before?.data ?? {});
    if (!prefix) return;
    let touched = this.touched.get(entry.key);
    if (!touched) {
      touched = { created: before === undefined, named: false, last: undefined, updated: undefined };
      this.touched.set(entry.key, touched);
    }
    const record = (verb: string, object: JsonObject, named = true) => {
      const type = verb.includes('.') ? verb : `${prefix}.${verb}`;
      if (!this.types.has(type)) return false;
      const event: Pending = { type, created: this.ctx.now, key: entry.key, object };
      this.pending.push(event);
      touched.last = event;
      if (named) touched.named = true;
      return true;
    };
    if (!after) {
      record('deleted', before!.data);
      return;
    }
    const flow = FLOWS[object] ?? FLOWS[object.replaceAll('.', '_')];
    let any = false;
    if (flow) {
      for (const rule of flow.rules)
        if (rule.when(after.data, before?.data)) any = record(rule.event, after.data) || any;
    }
    if (!flow || flow.statusEvents) {
      if (!before) any = record('created', after.data) || any;
      else if (typeof after.data.status === 'string' && before.data.status !== after.data.status)
        any = record(STATUS_VERBS[after.data.status] ?? after.data.status, after.data) || any;
    }
    if (any) return;
    if (touched.last) {
      // A later adjustment of the same object: its latest event shows it.
      touched.last.object = after.data;
      return;
    }
    if (!before || touched.created) return;
    const updated: Pending = {
      type: `${prefix}.updated`,
      created: this.ctx.now,
      key: entry.key,
      object: after.data,
      before: before.data,
    };
    if (!this.types.has(updated.type)) return;
    this.pending.push(updated);
    touched.updated = updated;
    touched.last = updated;
  }

  /** Stores the events (`evt_…`) in order; they go to listeners once the request commits. */
  flush(): void {
    const ctx = this.ctx;
    for (const event of this.pending.splice(0)) {
      if (event.latest) event.object = event.latest.scope.get(event.latest.key)?.data ?? event.object;
      let previous = event.previous;
      if (event.before) {
        // An object that also had a named event (`invoice.finalized`) gets no `.updated` beside it.
        if (event.key !== undefined && this.touched.get(event.key)?.named) continue;
        previous = previousAttributes(event.before, event.object);
        const quiet = QUIET[String(event.object.object)] ?? [];
        if (!previous || Object.keys(previous).every((k) => quiet.includes(k))) continue;
      }
      store(ctx, event.type, event.object, previous, event.created, event.scope);
    }
    this.touched.clear();
  }
}

const recorders = new WeakMap<Ctx, EventRecorder>();

/** Starts recording a request's events; pass the result to the scope's `begin`. */
export function recordEvents(ctx: Ctx): WriteObserver {
  const recorder = new EventRecorder(ctx);
  recorders.set(ctx, recorder);
  return recorder.observe;
}

/** Stores the events recorded so far (call before the scope commits). */
export function flushEvents(ctx: Ctx): void {
  recorders.get(ctx)?.flush();
}

/**
 * An explicit event (not implied by a state change): recorded in order with the request's others.
 * It is another account's with `scope` (the platform's fee on a charge made as a connected account,
 * whose writes there no recorder observes).
 */
export function emitEvent(
  ctx: Ctx,
  type: string,
  object: JsonObject,
  previous?: JsonObject,
  scope?: Scope,
): void {
  if (object.object === 'event') return;
  const recorder = recorders.get(ctx);
  if (recorder) recorder.push(type, object, previous, scope);
  else store(ctx, type, object, previous, ctx.now, scope);
}

/**
 * A `.created` event (`type`) of an object another account keeps (`scope`), whose writes no
 * recorder observes: it shows the object as the request leaves it (a destination's payment, which
 * the charge's application fee changes after it is made).
 */
export function emitCreatedIn(ctx: Ctx, type: string, scope: Scope, entry: Entry): void {
  const recorder = recorders.get(ctx);
  if (recorder) recorder.push(type, entry.data, undefined, scope, entry);
  else store(ctx, type, entry.data, undefined, ctx.now, scope);
}

function store(
  ctx: Ctx,
  type: string,
  object: JsonObject,
  previous?: JsonObject,
  created = ctx.now,
  scope: Scope = ctx.scope,
): void {
  const data: JsonObject = { object };
  if (previous) data.previous_attributes = previous;
  const fields: JsonObject = {
    api_version: ctx.apiVersion,
    created,
    data,
    pending_webhooks: 0,
    request: { id: ctx.request?.id ?? null, idempotency_key: ctx.request?.idempotencyKey ?? null },
    type,
  };
  if (scope.account) fields.account = scope.account;
  const event = ctx.build('event', fields);
  if (scope === ctx.scope) ctx.events.push(ctx.insert('event', event).data);
  else {
    const id = String(event.id);
    ctx.events.push(scope.put({ key: id, id, resource: 'event', seq: scope.nextSeq(), data: event }).data);
  }
}
