/**
 * Subscriptions under access control (AUTH_MODE=jwt): a customer-scoped subscriber receives only the
 * events whose object its scope admits, and walks them through a session bound to that scope; an
 * account-scoped subscriber receives only its account's events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeObject } from '../../src/loaders/requests.ts';
import type { StripeEvent } from '../../src/schema/subscriptions.ts';
import { EVENTS_TOPIC } from '../../src/server/pubsub.ts';
import { bearer, JWT_ENV, token } from './auth-helpers.ts';
import { type Harness, startHarness } from './harness.ts';
import { listening, type ResultStream, subscribeOver } from './sse.ts';

let h: Harness;
let me: StripeObject;
let other: StripeObject;
let myCharge: StripeObject;
let theirCharge: StripeObject;

const get = <T = StripeObject>(path: string, params?: Record<string, string | number>) =>
  h.admin.request<T>({ method: 'GET', path, ...(params ? { params } : {}) });

beforeAll(async () => {
  h = await startHarness({ ...JWT_ENV, STRIPE_WEBHOOK_SECRET: 'whsec_live_scope' });
  const customers = (await get<{ data: StripeObject[] }>('/v1/customers', { limit: 50 })).data;
  const withCharge = async (c: StripeObject) =>
    (await get<{ data: StripeObject[] }>('/v1/charges', { customer: String(c.id), limit: 1 })).data[0];
  const picked: [StripeObject, StripeObject][] = [];
  for (const c of customers) {
    if (typeof c.default_source !== 'string') continue;
    const charge = await withCharge(c);
    if (charge) picked.push([c, charge]);
    if (picked.length === 2) break;
  }
  expect(picked).toHaveLength(2);
  [[me, myCharge], [other, theirCharge]] = picked as [
    [StripeObject, StripeObject],
    [StripeObject, StripeObject],
  ];
});
afterAll(() => h.close());

let events = 0;
const eventOf = (object: StripeObject, type: string, account?: string): StripeEvent => ({
  id: `evt_scope_${++events}`,
  object: 'event',
  type,
  created: 1,
  ...(account === undefined ? {} : { account }),
  data: { object },
});

const subscribe = (jwt: string, query: string, variables?: Record<string, unknown>) =>
  subscribeOver(h.gateway.yoga, query, { headers: bearer(jwt), ...(variables ? { variables } : {}) });
const publish = (event: StripeEvent) => h.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, event);

const SENTINEL = 'Sentinel';
/** A sentinel event (see `listening`): about `object`, marked by its name. */
const sentinelOf = (object: StripeObject, type: string, account?: string) => () =>
  eventOf({ ...object, name: SENTINEL }, type, account);
/** The next result that is not a late sentinel (`listening` may have published a few). */
async function nextReal(stream: ResultStream) {
  for (;;) {
    const result = await stream.next();
    if (!JSON.stringify(result.data ?? null).includes(`"${SENTINEL}"`)) return result;
  }
}

/** Waits until nothing more arrives, and says how many results were left unread. */
async function drained(stream: ResultStream): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  return stream.pending;
}

describe('a customer-scoped subscriber', () => {
  it('gets only the events of its own objects, walked through its scope', async () => {
    const jwt = await token({ stripe_customer: me.id });
    const stream = await subscribe(
      jwt,
      `subscription {
        stripeEvents(types: ["customer.*", "charge.*"]) {
          id type data
          object { id ... on Customer { name defaultSource { ... on Card { id last4 } } } ... on Charge { amount } }
        }
      }`,
    );
    await listening(stream, publish, sentinelOf(me, 'customer.updated'));

    const published = [
      eventOf({ ...other }, 'customer.updated'),
      eventOf({ ...theirCharge }, 'charge.succeeded'),
      eventOf({ ...myCharge }, 'charge.succeeded'),
      eventOf({ id: 'ping', object: 'ping' }, 'customer.sentinel'),
      eventOf({ ...me, name: 'Mine' }, 'customer.updated'),
    ];
    for (const event of published) h.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, event);

    const charge = await nextReal(stream);
    expect(charge.errors).toBeUndefined();
    expect(charge.data).toMatchObject({
      stripeEvents: { id: published[2]!.id, object: { id: myCharge.id, amount: myCharge.amount } },
    });
    const customer = await nextReal(stream);
    expect(customer.errors).toBeUndefined();
    // The nested card is read through a session with the subscriber's scope (it is theirs).
    expect(customer.data).toMatchObject({
      stripeEvents: {
        id: published[4]!.id,
        object: {
          id: me.id,
          name: 'Mine',
          defaultSource: { id: me.default_source, last4: expect.any(String) },
        },
      },
    });
    expect(await drained(stream)).toBe(0);
    stream.close();
  });

  it('cannot follow a stream of another customer’s object', async () => {
    const jwt = await token({ stripe_customer: me.id });
    const stream = await subscribe(jwt, 'subscription($id: ID!) { customerUpdated(id: $id) { id name } }', {
      id: other.id,
    });
    const mine = await subscribe(jwt, 'subscription($id: ID!) { customerUpdated(id: $id) { id name } }', {
      id: me.id,
    });
    await listening(mine, publish, sentinelOf(me, 'customer.updated'));
    h.gateway.live.shared.pubsub.publish(
      EVENTS_TOPIC,
      eventOf({ ...other, name: 'Theirs' }, 'customer.updated'),
    );
    h.gateway.live.shared.pubsub.publish(
      EVENTS_TOPIC,
      eventOf({ ...me, name: 'Mine again' }, 'customer.updated'),
    );
    expect((await nextReal(mine)).data).toEqual({ customerUpdated: { id: me.id, name: 'Mine again' } });
    expect(await drained(stream)).toBe(0);
    stream.close();
    mine.close();
  });
});

describe('subscribers of one event', () => {
  it('each walk it through their own session: the merchant’s view and the customer’s do not mix', async () => {
    // A customer with a charge that has a balance transaction: the merchant's books.
    const charges = (await get<{ data: StripeObject[] }>('/v1/charges', { limit: 100 })).data;
    const booked = charges.find(
      (c) => typeof c.balance_transaction === 'string' && typeof c.customer === 'string',
    )!;
    const customer = await get(`/v1/customers/${String(booked.customer)}`);
    const query = `subscription($id: ID!) { customerUpdated(id: $id) {
      id charges(first: 100) { nodes { id balanceTransaction { id } } }
    } }`;
    const variables = { id: customer.id };
    const scopedToken = await token({ stripe_customer: customer.id });
    const first = await subscribe(scopedToken, query, variables);
    const merchant = await subscribe(
      await token({ sub: 'merchant', scope: 'stripe:admin' }),
      query,
      variables,
    );
    const last = await subscribe(scopedToken, query, variables);
    const streams = [first, merchant, last];
    for (const stream of streams) await listening(stream, publish, sentinelOf(customer, 'customer.updated'));
    publish(eventOf({ ...customer, name: 'Shared' }, 'customer.updated'));
    const [a, m, b] = await Promise.all(streams.map(nextReal));
    type Nodes = { customerUpdated: { charges: { nodes: { balanceTransaction: unknown }[] } } };
    const books = (result: typeof a) =>
      (result!.data as Nodes).customerUpdated.charges.nodes.filter((n) => n.balanceTransaction !== null);
    // The merchant sees the balance transaction; to the customer it is FORBIDDEN, whoever else listens.
    expect(m!.errors).toBeUndefined();
    expect(books(m)).not.toHaveLength(0);
    for (const scoped of [a, b]) {
      expect(new Set(scoped!.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['FORBIDDEN']));
      expect(books(scoped)).toHaveLength(0);
    }
    for (const stream of streams) stream.close();
  });
});

describe('an account-scoped subscriber', () => {
  it('gets only its account’s events', async () => {
    const jwt = await token({ stripe_account: 'acct_scopedOne' });
    const stream = await subscribe(
      jwt,
      'subscription { stripeEvents(types: ["customer.*"]) { id account data } }',
    );
    await listening(
      stream,
      publish,
      sentinelOf({ id: 'ping', object: 'ping' }, 'customer.sentinel', 'acct_scopedOne'),
    );
    const published = [
      eventOf({ id: 'ping', object: 'ping' }, 'customer.sentinel'),
      eventOf({ id: 'ping', object: 'ping' }, 'customer.sentinel', 'acct_someoneElse'),
      eventOf({ id: 'ping', object: 'ping' }, 'customer.sentinel', 'acct_scopedOne'),
    ];
    for (const event of published) h.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, event);
    expect((await nextReal(stream)).data).toMatchObject({
      stripeEvents: { id: published[2]!.id, account: 'acct_scopedOne' },
    });
    expect(await drained(stream)).toBe(0);
    stream.close();
  });
});
