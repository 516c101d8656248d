/**
 * The `Subscription` root, fed by Stripe's events (webhooks, through the server's pub/sub):
 * - `stripeEvents(types:)`: every event (or those whose type matches one of `types`, with Stripe's
 *   `customer.*` wildcard), with its id, type, time and the typed object it is about;
 * - one stream per resource that has events (derived from the model's event types, e.g.
 *   `customer.updated` → `customerUpdated(id:)`), whose payload is that object after each of its
 *   events, walkable like a query result.
 * Each event is resolved through a fresh upstream session acting as the event's account with the
 * subscriber's key and scope: the payload is adopted by it, so references below it are read as they
 * are now, through the same sessions, scope checks and limits as queries. A subscriber sees only the
 * events of the account it acts as, and a customer-scoped one only those whose object its scope
 * admits.
 */
import type { InterfaceRef } from '@pothos/core';
import type { StripeObject } from '../loaders/requests.ts';
import type { UpstreamSession } from '../loaders/session.ts';
import { camelCase, pascalCase } from '../spec/naming.ts';
import { rootFieldOverrides } from '../spec/overrides.ts';
import type { Model } from '../spec/types.ts';
import type { Builder, Types } from './builder.ts';
import type { GatewayContext } from './context.ts';
import { deletedError, userError } from './errors.ts';
import { isMerchantChosen, resourceOfId, unqualifyId } from './ids.ts';
import type { TypeRegistry } from './registry.ts';

/**
 * A Stripe event (`object: "event"`) as a webhook delivers it: what the intake checks, the pub/sub
 * carries between replicas and subscriptions resolve. Other keys of the event ride along.
 */
export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  account?: string | null;
  api_version?: string | null;
  data: { object: StripeObject; previous_attributes?: StripeObject | null };
  [key: string]: unknown;
}

/** Why no event can reach a subscriber: what to say, and the settings one of which would bring events. */
export interface Silence {
  message: string;
  missing: readonly string[];
}

/** What the server puts in the context for subscriptions. */
export interface LiveContext {
  /** Stripe's events as they arrive, on any replica; ends when the subscription does. */
  events(): AsyncIterable<StripeEvent>;
  /**
   * A new upstream session for one event, acting as `stripeAccount` (undefined: the platform) with
   * the subscriber's API key and scope.
   */
  session(stripeAccount: string | undefined): UpstreamSession;
  /** Whether the subscriber's scope may see an event's object (always, without a customer scope). */
  admits(object: StripeObject): boolean;
  /**
   * Why no event can reach a subscriber; undefined when events can arrive. Such a subscription is
   * refused (EVENTS_UNAVAILABLE), not left waiting for good.
   */
  silence?(): Silence | undefined;
}

/** Every event type Stripe can send, from the webhook endpoint's `enabled_events` parameter. */
export function eventTypes(model: Model): string[] {
  for (const op of model.operations) {
    if (op.kind !== 'create' || op.path !== '/v1/webhook_endpoints') continue;
    const param = op.body.find((p) => p.name === 'enabled_events');
    const type = param?.type.k === 'array' ? param.type.of : param?.type;
    if (type?.k === 'enum') return type.values.filter((v) => v !== '*');
  }
  return [];
}

/**
 * Refuses a type that cannot match: an exact type (no `*`) of a resource that has events, which is
 * none of them (`customer.create` for `customer.created`) would keep the subscriber waiting for
 * good. Types of other heads pass (the pinned spec may not list an event a newer Stripe sends).
 */
function checkEventTypes(patterns: readonly string[] | null | undefined, known: readonly string[]): void {
  for (const pattern of patterns ?? []) {
    if (pattern.includes('*') || known.includes(pattern)) continue;
    const head = pattern.slice(0, pattern.lastIndexOf('.') + 1);
    const siblings =
      head === ''
        ? []
        : known.filter((type) => type.startsWith(head) && !type.slice(head.length).includes('.'));
    if (siblings.length === 0) continue;
    throw userError(
      'BAD_USER_INPUT',
      `types: Stripe sends no ${pattern} event; its ${head}… events are ${siblings.join(', ')}`,
      {
        argument: 'types',
      },
    );
  }
}

/** Stripe's type filter: exact, or a prefix with `*` (`customer.*`). */
function typeMatcher(patterns: readonly string[] | null | undefined): (type: string) => boolean {
  if (!patterns || patterns.length === 0) return () => true;
  const tests = patterns.map((p) =>
    p.endsWith('*') ? (t: string) => t.startsWith(p.slice(0, -1)) : (t: string) => t === p,
  );
  return (type) => tests.some((test) => test(type));
}

/**
 * `source`'s values that `keep` admits. Not an async generator: a generator's `return()` waits for
 * the `next()` it is suspended in, which for a quiet stream is the next event, so a subscriber who
 * went away kept its pub/sub listener (and woke up to process that event) until one arrived. Here
 * `return()` reaches the source at once.
 */
function filtered<T>(source: AsyncIterable<T>, keep: (value: T) => boolean): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  return {
    async next() {
      for (;;) {
        const result = await iterator.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    async return() {
      return (await iterator.return?.()) ?? { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function liveContextOf(ctx: GatewayContext): LiveContext {
  if (!ctx.live)
    throw userError('LIVE_UNAVAILABLE', 'This server does not serve subscriptions to this caller');
  return ctx.live;
}

/**
 * The events of the account the subscriber acts as (its request's session: a platform subscriber
 * sees no connected account's), whose object the subscriber's scope admits.
 */
function eventsFor(ctx: GatewayContext, keep: (event: StripeEvent) => boolean): AsyncIterable<StripeEvent> {
  const live = liveContextOf(ctx);
  const silence = live.silence?.();
  if (silence) throw userError('EVENTS_UNAVAILABLE', silence.message, { missing: silence.missing });
  const account = ctx.session.stripeAccount;
  return filtered(
    live.events(),
    (e) => (e.account ?? undefined) === account && keep(e) && live.admits(e.data.object),
  );
}

/** A fresh session for one event (its account, the subscriber's key and scope), owning `value`. */
function adoptForEvent<T>(event: StripeEvent, ctx: GatewayContext, value: T): T {
  return liveContextOf(ctx)
    .session(event.account ?? undefined)
    .adopt(value);
}

export function addSubscriptions(builder: Builder, registry: TypeRegistry): void {
  const { model, index } = registry;
  const nodeTypes = new Set(
    Object.values(model.objects)
      .filter((s) => registry.isNode(s))
      .map((s) => s.gql),
  );
  /** The object as a `Node`, or null when its type is not one (a balance, say). */
  const asNode = (object: StripeObject): StripeObject | null => {
    try {
      return nodeTypes.has(registry.resolveObjectType(object)) ? object : null;
    } catch {
      return null;
    }
  };

  const knownEventTypes = eventTypes(model);
  // The registry's refs, typed over Stripe's objects.
  const node: InterfaceRef<Types, StripeObject> = registry.node;
  const liveEvent = builder.objectRef<StripeEvent>('StripeLiveEvent').implement({
    description: 'A Stripe event, as its webhook delivered it.',
    fields: (t) => ({
      id: t.id({ nullable: false, resolve: (e) => e.id }),
      type: t.string({ nullable: false, resolve: (e) => e.type }),
      created: t.field({
        type: 'DateTime',
        nullable: false,
        resolve: (e) => new Date(e.created * 1000),
      }),
      account: t.field({ type: 'ID', nullable: true, resolve: (e) => e.account ?? null }),
      object: t.field({
        type: node,
        nullable: true,
        description: 'The object the event is about, typed (null when it is not a Node).',
        resolve: (e) => asNode(e.data.object),
      }),
      data: t.field({
        type: 'JSON',
        nullable: false,
        description: 'The object as the event carried it.',
        resolve: (e) => e.data.object,
      }),
      previousAttributes: t.field({
        type: 'JSON',
        nullable: true,
        resolve: (e) => e.data.previous_attributes ?? null,
      }),
    }),
  });

  builder.subscriptionField('stripeEvents', (t) =>
    t.field({
      type: liveEvent,
      nullable: false,
      description: "Stripe's events as they arrive; `types` filters them (`customer.*` allowed).",
      args: { types: t.arg.stringList({ required: false }) },
      subscribe: (_root, args, ctx) => {
        checkEventTypes(args.types, knownEventTypes);
        const matches = typeMatcher(args.types);
        return eventsFor(ctx, (e) => matches(e.type));
      },
      resolve: (event, _args, ctx) => {
        // The event and its object are the fresh session's: `object { … }` resolves through it.
        adoptForEvent(event, ctx, event.data.object);
        return event;
      },
    }),
  );

  // The object an event type is about: what precedes its verb (`payment_intent.succeeded`,
  // `customer.subscription.updated`, `checkout.session.completed`).
  const objectsWithEvents = new Set(
    knownEventTypes.map((type) => {
      const head = type.slice(0, type.lastIndexOf('.'));
      return head.slice(head.lastIndexOf('.') + 1);
    }),
  );
  const headsWithEvents = new Set(knownEventTypes.map((type) => type.slice(0, type.lastIndexOf('.'))));
  // The resources Stripe deletes (a `deleted_x` form exists). Their `….deleted` event carries the
  // object as it was, without `deleted: true`; elsewhere (`customer.subscription.deleted`, a
  // cancellation) the object lives on.
  const deletable = new Set(Object.values(model.objects).flatMap((s) => (s.deletedOf ? [s.deletedOf] : [])));
  for (const schema of Object.values(model.objects)) {
    if (!schema.resource || !schema.object || schema.deletedOf) continue;
    if (!schema.props.some((p) => p.name === 'id' && p.type.k === 'string')) continue;
    const op = index.retrieveByIdOf(schema.name);
    if (!op) continue;
    const underscored = schema.object.replaceAll('.', '_');
    if (!headsWithEvents.has(schema.object) && !objectsWithEvents.has(underscored)) continue;
    const object = schema.object;
    const root = rootFieldOverrides[op.id] ?? camelCase(pascalCase(schema.name));
    const objectRef = registry.object(schema.name);
    const chosen = isMerchantChosen(model, schema.name);
    /**
     * The Stripe id a stream follows: a qualified id (`acct_1…/SUMMER25`, what `id` reads as a
     * connected account) is Stripe's id under it; an id of another resource, read as `node(id:)`
     * reads it (`customerUpdated(id: "pi_…")`, or `"card_payments"`, a capability's name), would
     * never have an event, and is refused rather than listened to forever.
     */
    const streamId = (argument: string): string => {
      const { id } = unqualifyId(argument);
      const match = resourceOfId(model, id);
      if (!chosen && match.kind === 'match' && match.resource !== schema.name) {
        const named = model.objects[match.resource]?.gql ?? match.resource;
        throw userError('BAD_USER_INPUT', `${id} is not a ${schema.gql} id: it is a ${named}'s`, {
          argument: 'id',
        });
      }
      return id;
    };
    const deletes = deletable.has(schema.name);
    const isDeletion = (event: StripeEvent) =>
      event.data.object.deleted === true || (deletes && event.type.endsWith('.deleted'));
    builder.subscriptionField(`${root}Updated`, (t) =>
      t.field({
        type: objectRef,
        nullable: false,
        description: `The ${schema.gql} after each of its events (created, updated, …); a DELETED error once deleted.`,
        args: { id: t.arg.id({ required: true }) },
        subscribe: (_root, args, ctx) => {
          const id = streamId(String(args.id));
          return eventsFor(ctx, (e) => e.data.object.id === id && e.data.object.object === object);
        },
        resolve: (event, _args, ctx) => {
          if (isDeletion(event)) throw deletedError(schema.gql, event.data.object);
          return adoptForEvent(event, ctx, event.data.object);
        },
      }),
    );
  }
}
