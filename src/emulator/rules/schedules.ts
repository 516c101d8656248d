/**
 * Subscription schedules and usage records.
 *
 * - `from_subscription` makes a schedule of a subscription: its customer, one phase of its current
 *   period and items, status `active`, and `subscription.schedule` pointing back; `release` leaves
 *   the subscription on its own (`released`), `cancel` cancels both (the subscription's unused
 *   time credited and invoiced at once unless `prorate` or `invoice_now` is false).
 * - `phases` with a `start_date` (`now` or a time) lay the phases end to end: each starts where the
 *   last ended and runs for its `end_date`, or `iterations` (default 1) of its first price's
 *   interval (a phase's prices share one currency and interval, as a subscription's items do). A
 *   schedule that starts now (its customer's test clock's now) is `active` with its
 *   subscription made of the first phase's items; one that starts later is `not_started`.
 * - A test clock's advance (or time passing) starts a `not_started` schedule whose start it
 *   reached, moves an active schedule through the phases it reached, in turn with its
 *   subscription's renewals (its subscription takes each phase's items as of its start,
 *   prorated by the phase's `proration_behavior`, its description, collection method, default
 *   payment method and tax rates, and its metadata on top of its own, as when a phase starts it)
 *   and, past the last phase, releases it
 *   (`end_behavior=release`, the default) or cancels its subscription (`cancel`: the schedule is
 *   then `completed`). `none`, the older versions' `cancel`, is taken as `cancel`; `renew` can no
 *   longer be set. While a schedule will cancel, its subscription's `cancel_at` is the last phase's
 *   end (a release drops it unless `preserve_cancel_date`).
 * - An update's `phases` are laid out the same way, from its first phase's `start_date` (else the
 *   schedule's first phase's start), and take effect at once: the schedule starts, moves or ends
 *   as a test clock's advance would, and its subscription takes the running phase's items when
 *   they changed (prorated by the update's `proration_behavior`).
 * - A usage record on a subscription item (`action=increment`, the default, or `set`) adds to (or
 *   sets) the total of the item's usage record summary for its current period.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { addInterval } from '../money/periods.ts';
import { billHeldPrices, cycleMismatch, requirePrice } from '../money/plans.ts';
import { taxRatesParam } from '../money/taxes.ts';
import { createPrice } from './catalog.ts';
import { clockOf, playAt, subscriptionRules } from './subscriptions.ts';

function phaseOf(ctx: Ctx, subscription: Entry): JsonObject {
  const items = ctx
    .children(subscription, ['subscription_item'])
    .reverse()
    .map((item) => ({
      billing_thresholds: null,
      discounts: [],
      metadata: {},
      plan: isObject(item.data.price) ? (item.data.price.id ?? null) : null,
      price: isObject(item.data.price) ? (item.data.price.id ?? null) : (item.data.price ?? null),
      quantity: item.data.quantity ?? 1,
      tax_rates: [],
    }));
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: subscription.data.collection_method ?? null,
    coupon: null,
    currency: subscription.data.currency ?? 'usd',
    default_payment_method: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    end_date: subscription.data.current_period_end ?? null,
    invoice_settings: null,
    items,
    metadata: {},
    on_behalf_of: null,
    proration_behavior: 'create_prorations',
    start_date: subscription.data.current_period_start ?? null,
    transfer_data: null,
    trial_end: null,
  };
}

/** One phase of `phases[n]` params, from `start`, as the schedule shows it. */
function phaseFromParams(ctx: Ctx, params: JsonObject, start: number, currency: string): JsonObject {
  const items = (Array.isArray(params.items) ? params.items : []).filter(isObject).map((item, i) => {
    // A new price of its own (`price_data`), as a subscription item's.
    const price = isObject(item.price_data)
      ? createPrice(ctx, item.price_data)
      : requirePrice(ctx, String(item.price ?? item.plan ?? ''), `phases[items][${i}][price]`);
    return { price, quantity: typeof item.quantity === 'number' ? item.quantity : 1 };
  });
  // A phase's items are a subscription's: they bill together, on one currency and interval.
  if (cycleMismatch(items.map(({ price }) => price.data)))
    throw invalidRequest(
      'For a particular phase, all of its `plans` must have the same `interval`, `interval_count`, and `currency`.',
      { param: 'phases' },
    );
  const recurring = isObject(items[0]?.price.data.recurring) ? items[0].price.data.recurring : {};
  const iterations = typeof params.iterations === 'number' ? params.iterations : 1;
  const end =
    typeof params.end_date === 'number'
      ? params.end_date
      : addInterval(
          start,
          String(recurring.interval ?? 'month'),
          iterations * Number(recurring.interval_count ?? 1),
        );
  return {
    add_invoice_items: (Array.isArray(params.add_invoice_items) ? params.add_invoice_items : [])
      .filter(isObject)
      .map((item, i) => ({
        discounts: [],
        price: requirePrice(ctx, String(item.price ?? ''), `phases[add_invoice_items][${i}][price]`).id,
        quantity: typeof item.quantity === 'number' ? item.quantity : 1,
        tax_rates: [],
      })),
    application_fee_percent: null,
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: typeof params.collection_method === 'string' ? params.collection_method : null,
    coupon: null,
    currency: String(items[0]?.price.data.currency ?? currency),
    default_payment_method:
      typeof params.default_payment_method === 'string' && params.default_payment_method !== ''
        ? params.default_payment_method
        : null,
    default_tax_rates: taxRatesParam(ctx, params.default_tax_rates, 'phases[default_tax_rates]') ?? [],
    description:
      typeof params.description === 'string' && params.description !== '' ? params.description : null,
    discounts: [],
    end_date: end,
    invoice_settings: null,
    items: items.map(({ price, quantity }) => ({
      billing_thresholds: null,
      discounts: [],
      metadata: {},
      plan: price.id,
      price: price.id,
      quantity,
      tax_rates: [],
    })),
    metadata: isObject(params.metadata) ? params.metadata : {},
    on_behalf_of: null,
    proration_behavior:
      typeof params.proration_behavior === 'string' ? params.proration_behavior : 'create_prorations',
    start_date: start,
    transfer_data: null,
    // `trial` makes the whole phase a trial.
    trial_end: typeof params.trial_end === 'number' ? params.trial_end : params.trial === true ? end : null,
  };
}

/** `phases` params laid end to end from `start`: each starts where the last ended. */
function layPhases(ctx: Ctx, params: readonly Json[], start: number): JsonObject[] {
  const phases: JsonObject[] = [];
  let next = start;
  for (const phase of params.filter(isObject)) {
    const laid = phaseFromParams(ctx, phase, next, 'usd');
    phases.push(laid);
    next = Number(laid.end_date);
  }
  return phases;
}

/** The time of a schedule's customer: its test clock's, else now. */
function customerNow(ctx: Ctx, customer: Json | undefined): number {
  const clock = clockOf(ctx, String(customer));
  return typeof clock?.data.frozen_time === 'number' ? clock.data.frozen_time : ctx.now;
}

/** Lays out `phases` params from `start_date`; a schedule starting now starts its subscription. */
function schedulePhases(ctx: Ctx, draft: JsonObject, params: JsonObject): void {
  if (!Array.isArray(params.phases) || params.phases.length === 0) {
    draft.status = 'not_started';
    return;
  }
  const clock = clockOf(ctx, String(draft.customer));
  const now = customerNow(ctx, draft.customer);
  draft.test_clock = clock?.id ?? null;
  const start = typeof params.start_date === 'number' ? params.start_date : now;
  const phases = layPhases(ctx, params.phases, start);
  draft.phases = phases;
  if (start > now) {
    draft.status = 'not_started';
    return;
  }
  const first = phases[0]!;
  draft.status = 'active';
  draft.current_phase = { end_date: first.end_date ?? null, start_date: first.start_date ?? null };
  draft.subscription = phaseSubscription(ctx, String(draft.customer), first).id;
}

/**
 * The subscription a schedule starts: its first phase's items, for `customer` (the phase's own
 * prices, its inline ones too: `billHeldPrices`).
 */
function phaseSubscription(ctx: Ctx, customer: string, phase: JsonObject, fields: JsonObject = {}): Entry {
  return billHeldPrices(ctx, () =>
    ctx.ops.createResource(ctx, 'subscription', {
      ...fields,
      ...enteredPhase(phase),
      // A first phase that is (or starts with) a trial starts its subscription trialing.
      ...(typeof phase.trial_end === 'number' ? { trial_end: phase.trial_end } : {}),
      customer,
      items: (Array.isArray(phase.items) ? phase.items.filter(isObject) : []).map((item) => ({
        price: item.price ?? null,
        quantity: item.quantity ?? 1,
      })),
    }),
  );
}

/**
 * What a subscription takes from a phase it enters besides its items: the phase's metadata, added
 * to its own (an empty value unsets a key), as Stripe's phase `metadata` does, its
 * `add_invoice_items`, billed once on the phase's first invoice, and the settings the phase sets
 * for its time (`description`, `collection_method`, `default_payment_method`, `default_tax_rates`).
 */
function enteredPhase(phase: JsonObject): JsonObject {
  const fields: JsonObject = {};
  for (const setting of ['collection_method', 'default_payment_method', 'description'])
    if (typeof phase[setting] === 'string') fields[setting] = phase[setting];
  const rates = Array.isArray(phase.default_tax_rates) ? phase.default_tax_rates.filter(isObject) : [];
  if (rates.length > 0) fields.default_tax_rates = rates.map((rate) => String(rate.id));
  if (isObject(phase.metadata) && Object.keys(phase.metadata).length > 0) fields.metadata = phase.metadata;
  const extras = Array.isArray(phase.add_invoice_items) ? phase.add_invoice_items.filter(isObject) : [];
  if (extras.length > 0)
    fields.add_invoice_items = extras.map((item) => ({
      price: item.price ?? null,
      quantity: item.quantity ?? 1,
    }));
  return fields;
}

/** When a schedule that cancels at its end (`end_behavior=cancel`) cancels: its last phase's end. */
function scheduledCancel(schedule: Entry): number | null {
  if (schedule.data.end_behavior !== 'cancel' || !Array.isArray(schedule.data.phases)) return null;
  const last = schedule.data.phases.filter(isObject).at(-1);
  return typeof last?.end_date === 'number' ? last.end_date : null;
}

/**
 * Keeps the `cancel_at` of a schedule's subscription on the schedule's cancellation, as Stripe's
 * schedules set it (released, it goes unless `preserve_cancel_date`): the cancellation the schedule
 * had set before (`previous`) goes when it has none now.
 */
function syncCancelAt(ctx: Ctx, schedule: Entry, previous: number | null = null): void {
  const subscription = ctx.find(String(schedule.data.subscription), ['subscription']);
  if (!subscription || subscription.data.status === 'canceled') return;
  const at = scheduledCancel(schedule);
  if (at !== null) ctx.set(subscription, { cancel_at: at });
  else dropCancelAt(ctx, subscription, previous);
}

/** Unsets a subscription's `cancel_at` when it is the one a schedule set (`at`). */
function dropCancelAt(ctx: Ctx, subscription: Entry, at: number | null): void {
  if (at !== null && subscription.data.cancel_at === at) ctx.set(subscription, { cancel_at: null });
}

/** Lets the schedule's subscription go on alone (`released`), at `at`. */
function release(ctx: Ctx, schedule: Entry, at: number): Entry {
  const subscription = ctx.find(String(schedule.data.subscription), ['subscription']);
  if (subscription) ctx.set(subscription, { schedule: null });
  return ctx.set(schedule, {
    current_phase: null,
    released_at: at,
    released_subscription: schedule.data.subscription ?? null,
    status: 'released',
    subscription: null,
  });
}

/**
 * Ends a schedule past its last phase, at `at`: `end_behavior=release` releases it, `cancel`
 * cancels its subscription and leaves the schedule `completed`.
 */
function complete(ctx: Ctx, schedule: Entry, at: number): void {
  if (schedule.data.end_behavior === 'release') {
    release(ctx, schedule, at);
    return;
  }
  if (schedule.data.end_behavior !== 'cancel') return;
  const subscription = ctx.find(String(schedule.data.subscription), ['subscription']);
  ctx.at(at, () => {
    if (subscription && subscription.data.status !== 'canceled')
      ctx.ops.updateEntry(ctx, subscription, { canceled_at: at, ended_at: at, status: 'canceled' });
    ctx.set(schedule, { completed_at: at, current_phase: null, status: 'completed' });
  });
}

/**
 * A `not_started` schedule whose start a test clock reached (by `until`) starts: `active`, with
 * its subscription made of its first phase's items from the phase's start.
 */
function start(ctx: Ctx, schedule: Entry, until: number): Entry {
  const phases = Array.isArray(schedule.data.phases) ? schedule.data.phases.filter(isObject) : [];
  const first = phases[0];
  if (schedule.data.status !== 'not_started' || !first || Number(first.start_date) > until) return schedule;
  const subscription = phaseSubscription(ctx, String(schedule.data.customer), first, {
    backdate_start_date: Number(first.start_date),
  });
  ctx.set(subscription, { schedule: schedule.id });
  const started = ctx.set(schedule, {
    current_phase: { end_date: first.end_date ?? null, start_date: first.start_date ?? null },
    status: 'active',
    subscription: subscription.id,
  });
  syncCancelAt(ctx, started);
  return started;
}

/**
 * Moves a schedule to the phase it is in at `until` (a test clock's new time): one not started
 * starts, its subscription takes that phase's items, and past its last phase it ends (`complete`).
 */
export function advanceSchedule(ctx: Ctx, entry: Entry, until: number): void {
  const schedule = start(ctx, entry, until);
  if (schedule.data.status !== 'active') return;
  const phases = Array.isArray(schedule.data.phases) ? schedule.data.phases.filter(isObject) : [];
  const last = phases.at(-1);
  if (last && Number(last.end_date) <= until) {
    complete(ctx, schedule, Number(last.end_date));
    return;
  }
  const phase = phases.find((p) => Number(p.start_date) <= until && until < Number(p.end_date));
  const current = isObject(schedule.data.current_phase) ? schedule.data.current_phase : {};
  if (!phase || phase.start_date === current.start_date) return;
  const subscription = ctx.find(String(schedule.data.subscription), ['subscription']);
  // As of the phase's start, prorated by the phase's own `proration_behavior`.
  if (subscription)
    playAt(ctx, Number(phase.start_date), () =>
      takeItems(ctx, subscription, phase, String(phase.proration_behavior ?? 'create_prorations'), {
        ...enteredPhase(phase),
        proration_date: Number(phase.start_date),
      }),
    );
  ctx.set(schedule, {
    current_phase: { end_date: phase.end_date ?? null, start_date: phase.start_date ?? null },
  });
}

/**
 * When the schedule next changes (its start, or the end of the phase it is in), if it still
 * will: what a long advance plays in turn with its subscription's renewals.
 */
export function nextPhaseChange(schedule: Entry): number | undefined {
  const phases = Array.isArray(schedule.data.phases) ? schedule.data.phases.filter(isObject) : [];
  const current = isObject(schedule.data.current_phase) ? schedule.data.current_phase : {};
  const at =
    schedule.data.status === 'not_started'
      ? phases[0]?.start_date
      : schedule.data.status === 'active'
        ? current.end_date
        : undefined;
  return typeof at === 'number' ? at : undefined;
}

const phaseItemsOf = (phase: JsonObject): JsonObject[] =>
  Array.isArray(phase.items) ? phase.items.filter(isObject) : [];

/**
 * A schedule's subscription takes `phase`'s items in place of its own, prorated by `proration`
 * (and `fields`): the phase's own prices, its inline ones too (`billHeldPrices`).
 */
function takeItems(
  ctx: Ctx,
  subscription: Entry,
  phase: JsonObject,
  proration: string,
  fields: JsonObject = {},
): void {
  const before = ctx.children(subscription, ['subscription_item']).map((item) => ({
    id: item.id,
    deleted: true,
  }));
  const after = phaseItemsOf(phase).map((item) => ({
    price: item.price ?? null,
    quantity: item.quantity ?? 1,
  }));
  billHeldPrices(ctx, () =>
    ctx.ops.updateEntry(ctx, subscription, {
      ...fields,
      items: [...before, ...after],
      proration_behavior: proration,
    }),
  );
}

/**
 * After an update, the subscription of an active schedule takes the items the phase running `now`
 * asks for when they differ from its own, at once, prorated by the update's `proration_behavior`
 * (`create_prorations` unless set).
 */
function followRunningPhase(ctx: Ctx, schedule: Entry, now: number, proration: Json | undefined): void {
  if (schedule.data.status !== 'active') return;
  const phases = Array.isArray(schedule.data.phases) ? schedule.data.phases.filter(isObject) : [];
  const phase = phases.find((p) => Number(p.start_date) <= now && now < Number(p.end_date));
  const subscription = ctx.find(String(schedule.data.subscription), ['subscription']);
  if (!phase || !subscription) return;
  const has = ctx
    .children(subscription, ['subscription_item'])
    .map(
      (item) =>
        `${isObject(item.data.price) ? String(item.data.price.id) : ''} ${String(item.data.quantity ?? 1)}`,
    );
  const wants = phaseItemsOf(phase).map((item) => `${String(item.price)} ${String(item.quantity ?? 1)}`);
  if (has.sort().join() === wants.sort().join()) return;
  takeItems(ctx, subscription, phase, typeof proration === 'string' ? proration : 'create_prorations');
}

/**
 * The `end_behavior` a create or update sets: `none`, the older versions' name for cancelling at the
 * end, is kept (and read back) as `cancel`; `renew` is read-only since 2019-10-17 (a schedule
 * renewed under an older version shows it), so it is refused. Both per Stripe's changelog.
 */
function endBehaviorParam(value: Json | undefined): string | undefined {
  if (value === 'renew')
    throw invalidRequest(
      'A subscription schedule cannot be set to `end_behavior=renew` any more: use `release` or `cancel`.',
      { param: 'end_behavior' },
    );
  if (value === 'none') return 'cancel';
  return typeof value === 'string' ? value : undefined;
}

/**
 * The phases an update sets, laid end to end as at creation: from the first one's `start_date`
 * (`now`, or a time), else where the schedule's first phase started (a started schedule's first
 * phase keeps its start).
 */
function updatedPhases(ctx: Ctx, schedule: Entry, params: readonly Json[]): JsonObject[] {
  const now = customerNow(ctx, schedule.data.customer);
  const first = isObject(params[0]) ? params[0].start_date : undefined;
  const current = Array.isArray(schedule.data.phases) ? schedule.data.phases.find(isObject) : undefined;
  const start =
    typeof first === 'number'
      ? first
      : first === 'now'
        ? now
        : typeof current?.start_date === 'number'
          ? current.start_date
          : now;
  return layPhases(ctx, params, start);
}

function requireActive(schedule: Entry, verb: string): void {
  if (!['active', 'not_started'].includes(String(schedule.data.status)))
    throw invalidRequest(
      `You cannot ${verb} a subscription schedule that is ${String(schedule.data.status)}.`,
    );
}

function currentPeriod(ctx: Ctx, item: Entry): { start: number; end: number } {
  const subscription = ctx.find(String(item.data.subscription), ['subscription']);
  return {
    start: Number(subscription?.data.current_period_start ?? ctx.now),
    end: Number(subscription?.data.current_period_end ?? ctx.now),
  };
}

export const scheduleRules: RuleBook = {
  subscription_schedule: {
    // Made at its customer's time (a test clock's): its `created` and events are dated then.
    create: (ctx, { params, parent }) => {
      const from =
        typeof params.from_subscription === 'string' ? ctx.find(params.from_subscription) : undefined;
      return ctx.at(customerNow(ctx, params.customer ?? from?.data.customer), () =>
        ctx.ops.createResource(ctx, 'subscription_schedule', params, parent),
      );
    },
    beforeCreate(ctx, draft, { params }) {
      Object.assign(draft, {
        application: null,
        canceled_at: null,
        completed_at: null,
        current_phase: null,
        // Stripe's default is `release` (the draft's default is the enum's first value).
        end_behavior: endBehaviorParam(params.end_behavior) ?? 'release',
        released_at: null,
        released_subscription: null,
        subscription: null,
        test_clock: null,
      });
      if (typeof params.from_subscription !== 'string') {
        schedulePhases(ctx, draft, params);
        return;
      }
      const subscription = ctx.require(params.from_subscription, ['subscription'], 'from_subscription', 400);
      if (subscription.data.schedule)
        throw invalidRequest(`The subscription ${subscription.id} is already managed by a schedule.`, {
          param: 'from_subscription',
        });
      const phase = phaseOf(ctx, subscription);
      Object.assign(draft, {
        current_phase: { end_date: phase.end_date, start_date: phase.start_date },
        customer: subscription.data.customer,
        phases: [phase],
        status: 'active',
        subscription: subscription.id,
        test_clock: subscription.data.test_clock ?? null,
      });
    },
    beforeUpdate(ctx, draft, params, entry) {
      const behavior = endBehaviorParam(params.end_behavior);
      if (behavior) draft.end_behavior = behavior;
      if (Array.isArray(params.phases)) draft.phases = updatedPhases(ctx, entry, params.phases);
    },
    // New phases take effect at once: the subscription moves to the phase it is in now (or the
    // schedule starts or ends), as a test clock's advance would move it, and takes the running
    // phase's items if they changed.
    afterUpdate(ctx, entry, params, before) {
      syncCancelAt(ctx, entry, scheduledCancel(before));
      if (!Array.isArray(params.phases)) return;
      const now = customerNow(ctx, entry.data.customer);
      advanceSchedule(ctx, entry, now);
      followRunningPhase(ctx, ctx.current(entry), now, params.proration_behavior);
    },
    afterCreate(ctx, entry) {
      const subscription =
        typeof entry.data.subscription === 'string'
          ? ctx.find(entry.data.subscription, ['subscription'])
          : undefined;
      if (subscription) ctx.set(subscription, { schedule: entry.id });
      syncCancelAt(ctx, entry);
    },
    actions: {
      // The cancellation the schedule set on its subscription goes, unless `preserve_cancel_date`.
      release(ctx, entry, params) {
        requireActive(entry, 'release');
        const subscription = ctx.find(String(entry.data.subscription), ['subscription']);
        if (subscription && params.preserve_cancel_date !== true)
          dropCancelAt(ctx, subscription, scheduledCancel(entry));
        return release(ctx, entry, ctx.now);
      },
      // Its subscription is canceled as `DELETE /v1/subscriptions/{id}` cancels one, but prorated
      // and invoiced at once unless `prorate` or `invoice_now` is false (both default to true here).
      cancel(ctx, entry, params) {
        requireActive(entry, 'cancel');
        const subscription = ctx.find(String(entry.data.subscription), ['subscription']);
        if (subscription && subscription.data.status !== 'canceled')
          subscriptionRules.subscription!.cancel!(ctx, subscription, {
            invoice_now: params.invoice_now !== false,
            prorate: params.prorate !== false,
          });
        return ctx.set(entry, { canceled_at: customerNow(ctx, entry.data.customer), status: 'canceled' });
      },
    },
  },
  usage_record: {
    beforeCreate(ctx, draft, { parent }) {
      if (parent) draft.subscription_item = parent.id;
      draft.timestamp = typeof draft.timestamp === 'number' ? draft.timestamp : ctx.now;
    },
    afterCreate(ctx, record, { params, parent }) {
      const item = parent ?? ctx.find(String(record.data.subscription_item), ['subscription_item']);
      if (!item) return;
      const quantity = Number(record.data.quantity ?? 0);
      const { start, end } = currentPeriod(ctx, item);
      const summary = ctx
        .children(item, ['usage_record_summary'])
        .find((s) => isObject(s.data.period) && s.data.period.start === start);
      const total = params.action === 'set' ? quantity : Number(summary?.data.total_usage ?? 0) + quantity;
      if (summary) ctx.set(summary, { total_usage: total });
      else
        ctx.insert(
          'usage_record_summary',
          ctx.build('usage_record_summary', {
            invoice: null,
            period: { end, start },
            subscription_item: item.id,
            total_usage: total,
          }),
          { parent: item.id },
        );
    },
  },
};
