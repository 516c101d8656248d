/**
 * What a frontend developer meets at the gateway's edges, end to end on the emulator: cursors and
 * counts on the lists Stripe answers in one page, and the other surfaces these tests name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import type { StripeEvent } from '../../src/schema/subscriptions.ts';
import { EVENTS_TOPIC } from '../../src/server/pubsub.ts';
import { GATEWAY_URL, type Harness, startHarness } from './harness.ts';
import { listening, subscribeOver } from './sse.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('a list Stripe answers in one page', () => {
  const capabilities = (args: string) =>
    h.query(`{ account(id: "${SEED.connected.account}") {
      capabilities${args ? `(${args})` : ''} { edges { cursor } pageInfo { hasPreviousPage } } } }`);

  it('refuses an after that names none of its items, as a paged list does', async () => {
    const paged = await h.query('{ customers(first: 2, after: "cus_NoSuchCustomer") { nodes { id } } }');
    const onePage = await capabilities('first: 2, after: "no_such_capability"');
    for (const { body } of [paged, onePage]) {
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    }
    expect(onePage.body.errors?.[0]?.message).toMatch(/^after is not a cursor of this list/);
    const report = await h.query('{ reportingReportTypes(after: "no.such.report") { nodes { id } } }');
    expect(report.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  });

  it('pages from an after that names one of its items', async () => {
    const all = await capabilities('');
    type Capabilities = { account: { capabilities: { edges: { cursor: string }[] } } };
    const { edges } = (all.body.data as Capabilities).account.capabilities;
    expect(edges.length).toBeGreaterThan(1);
    const rest = await capabilities(`after: "${edges[0]!.cursor}"`);
    expect(rest.body.errors).toBeUndefined();
    expect(rest.body.data?.account).toEqual({
      capabilities: { edges: edges.slice(1), pageInfo: { hasPreviousPage: true } },
    });
  });

  it('refuses a negative first, as a paged list does', async () => {
    const { body } = await capabilities('first: -1');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(body.errors?.[0]?.message).toBe('first must not be negative');
  });
});

describe('an empty cursor', () => {
  it('is refused as naming no item, not read as the list’s start, on every kind of list', async () => {
    const cases = [
      ['{ customers(first: 1, after: "") { nodes { id } } }', 'after'],
      ['{ customers(last: 1, before: "") { nodes { id } } }', 'before'],
      ['{ reportingReportTypes(after: "") { nodes { id } } }', 'after'],
      ['{ searchCustomers(query: "name~\'a\'", first: 1, after: "") { nodes { id } } }', 'after'],
      [`{ customer(id: "${SEED.jenny.customer}") { subscriptions(after: "") { nodes { id } } } }`, 'after'],
      [
        `{ upcomingInvoice(customer: "${SEED.jenny.customer}") { lines(after: "") { nodes { id } } } }`,
        'after',
      ],
    ] as const;
    for (const [query, argument] of cases) {
      const { body } = await h.query(query);
      expect(body.errors, query).toHaveLength(1);
      expect(body.errors?.[0]?.extensions, query).toEqual({ code: 'BAD_USER_INPUT', argument });
      expect(body.errors?.[0]?.message, query).toBe(`${argument} is not a cursor of this list: it is empty`);
    }
  });
});

describe('a search', () => {
  it('refuses an after that is none of its page tokens, as a list refuses an unknown cursor', async () => {
    const query =
      'query($after: String) { searchCustomers(query: "name~\'a\'", first: 1, after: $after) { pageInfo { endCursor } } }';
    const first = await h.query(query);
    expect(first.body.errors).toBeUndefined();
    const token = (first.body.data as { searchCustomers: { pageInfo: { endCursor: string } } })
      .searchCustomers.pageInfo.endCursor;
    expect(token).toEqual(expect.any(String));
    expect((await h.query(query, { variables: { after: token } })).body.errors).toBeUndefined();
    const { body } = await h.query(query, { variables: { after: 'not-a-page-token' } });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    expect(body.errors?.[0]?.message).toMatch(/^after is not a cursor of this list/);
  });
});

describe('a page without first or last (README, Paging)', () => {
  type Page = {
    customers: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean } };
  };
  const page = async (args: string) => {
    const { body } = await h.query(
      `{ customers${args ? `(${args})` : ''} { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }`,
    );
    expect(body.errors).toBeUndefined();
    return (body.data as Page).customers;
  };

  it('is Stripe’s default of 10 items, forward from after or backward to before', async () => {
    for (let i = 0; i < 15; i++) {
      await h.admin.request({ method: 'POST', path: '/v1/customers', params: { name: `Paging ${i}` } });
    }
    const all = (await page('first: 100')).nodes.map((c) => c.id);
    expect(all.length).toBeGreaterThan(23);
    expect((await page('')).nodes.map((c) => c.id)).toEqual(all.slice(0, 10));
    expect((await page(`after: "${all[1]}"`)).nodes.map((c) => c.id)).toEqual(all.slice(2, 12));
    const backward = await page(`before: "${all[22]}"`);
    expect(backward.nodes.map((c) => c.id)).toEqual(all.slice(12, 22));
    expect(backward.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: true });
  });

  it('refuses a before that names no item of the list', async () => {
    const { body } = await h.query('{ customers(before: "cus_NoSuchCustomer") { nodes { id } } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'before' });
  });
});

describe('a per-object subscription fed by the emulator’s webhooks', () => {
  let live: Harness;
  beforeAll(async () => {
    live = await startHarness({ STRIPE_WEBHOOK_SECRET: 'whsec_replaced_below' });
    // The gateway as its own webhook endpoint, as `npm start` registers it on the emulator.
    const endpoint = await live.admin.request<{ secret: string }>({
      method: 'POST',
      path: '/v1/webhook_endpoints',
      params: { url: `${GATEWAY_URL}/webhooks/stripe`, enabled_events: ['*'] },
    });
    live.gateway.live.acceptWebhookSecret(endpoint.secret);
  });
  afterAll(() => live.close());

  let published = 0;
  /** An event published to the subscribers as the intake would (a new id each). */
  const publish = (type: string, object: StripeEvent['data']['object'], account?: string) =>
    live.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, {
      id: `evt_edges_${++published}`,
      object: 'event',
      type,
      created: 1,
      ...(account ? { account } : {}),
      data: { object },
    });

  it('stripeEvents refuses a type Stripe never sends of a resource it has events for', async () => {
    const typo = await subscribeOver(
      live.gateway.yoga,
      'subscription { stripeEvents(types: ["customer.created", "customer.create"]) { id } }',
    );
    const result = await typo.next();
    typo.close();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'types' });
    expect(result.errors?.[0]?.message).toMatch(
      /no customer\.create event; .*customer\.created, customer\.deleted/,
    );
    // A type the pinned spec does not know of any head it has events for still listens.
    const other = await subscribeOver(
      live.gateway.yoga,
      'subscription { stripeEvents(types: ["customer.*", "edges.custom"]) { type } }',
    );
    await listening(
      other,
      () => publish('edges.custom', { id: 'x', object: 'x' }),
      () => undefined,
    );
    other.close();
  });

  it('refuses an id of another resource, read as node(id:) reads it, rather than wait forever', async () => {
    // A capability's name (`card_payments`) is a Capability's id, whatever its `card_` prefix says.
    for (const [id, named] of [
      [SEED.alan.paymentIntent, 'PaymentIntent'],
      ['card_payments', 'Capability'],
    ]) {
      const stream = await subscribeOver(
        live.gateway.yoga,
        'subscription($id: ID!) { customerUpdated(id: $id) { id } }',
        { variables: { id } },
      );
      const result = await stream.next();
      stream.close();
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
      expect(result.errors?.[0]?.message).toBe(`${id} is not a Customer id: it is a ${named}'s`);
    }
  });

  it('follows the qualified id a connected account reads (acct_…/EDGES10)', async () => {
    const account = SEED.connected.account;
    const headers = { 'stripe-account': account };
    await live.admin.request({
      method: 'POST',
      path: '/v1/coupons',
      params: { id: 'EDGES10', percent_off: 10, duration: 'once' },
      stripeAccount: account,
    });
    const read = await live.query('{ coupon(id: "EDGES10") { id } }', { headers });
    const { id } = (read.body.data as { coupon: { id: string } }).coupon;
    expect(id).toBe(`${account}/EDGES10`);
    const stream = await subscribeOver(
      live.gateway.yoga,
      'subscription($id: ID!) { couponUpdated(id: $id) { id percentOff } }',
      { variables: { id }, headers },
    );
    const update = () =>
      publish('coupon.updated', { id: 'EDGES10', object: 'coupon', percent_off: 10 }, account);
    await listening(stream, update, () => undefined);
    update();
    const result = await stream.next();
    stream.close();
    expect(result).toEqual({ data: { couponUpdated: { id, percentOff: 10 } } });
  });

  it('answers DELETED once its object is deleted, not the object as if it were updated', async () => {
    const { id } = await live.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: { name: 'Soon Gone' },
    });
    const stream = await subscribeOver(
      live.gateway.yoga,
      `subscription { customerUpdated(id: "${id}") { id name } }`,
    );
    const ping = () => publish('customer.ping', { id, object: 'customer', name: 'ping' });
    await listening(stream, ping, () => undefined);

    const updated = await live.query(
      `mutation { updateCustomer(id: "${id}", input: { name: "Still Here" }) { id } }`,
    );
    expect(updated.body.errors).toBeUndefined();
    const deleted = await live.query(`mutation { deleteCustomer(id: "${id}") { deletedId } }`);
    expect(deleted.body.errors).toBeUndefined();
    const payloads: Awaited<ReturnType<typeof stream.next>>[] = [];
    // The update (and the creation, if its delivery came late), then the deletion.
    while (!payloads.at(-1)?.errors) payloads.push(await stream.next());
    stream.close();
    expect(payloads.at(-2)?.data).toEqual({ customerUpdated: { id, name: 'Still Here' } });
    expect(payloads.at(-1)?.data ?? null).toBeNull();
    expect(payloads.at(-1)?.errors?.[0]?.extensions).toMatchObject({ code: 'DELETED', id });
  });
});

describe('an id argument that cannot be a Stripe id', () => {
  it('is refused naming the GraphQL argument, not Stripe’s path parameter, before any call', async () => {
    const cases = [
      ['{ customer(id: "") { id } }', 'id'],
      ['mutation { updateCustomer(id: "..", input: { name: "x" }) { id } }', 'id'],
      [`{ customerBalanceTransaction(customer: "${SEED.jenny.customer}", id: "a/b") { id } }`, 'id'],
      ['mutation { deleteCustomerCard(customer: ".", id: "card_x") { __typename } }', 'customer'],
      ['{ node(id: "") { id } }', 'id'],
    ] as const;
    h.upstreamCalls();
    for (const [query, argument] of cases) {
      const { body } = await h.query(query);
      expect(body.errors?.[0]?.extensions, query).toEqual({ code: 'BAD_USER_INPUT', argument });
      expect(body.errors?.[0]?.message, query).toMatch(
        new RegExp(`^Not a valid Stripe id for ${argument}: `),
      );
      expect(body.extensions?.cost, query).toMatchObject({ actualUpstreamCalls: 0 });
    }
    expect(h.upstreamCalls()).toBe(0);
  });
});

describe('node(id:) with a capability’s name', () => {
  it('names a capability, not the resource its prefix would (card_, link_), and reads nothing', async () => {
    h.upstreamCalls();
    for (const id of ['card_payments', 'link_payments', `${SEED.connected.account}/card_payments`]) {
      const { body } = await h.query(`{ node(id: "${id}") { __typename id } }`);
      expect(body.data, id).toEqual({ node: null });
      expect(body.errors?.[0]?.extensions, id).toEqual({
        code: 'NOT_RETRIEVABLE_BY_ID',
        resource: 'capability',
      });
      expect(body.errors?.[0]?.message, id).toMatch(/^A Capability cannot be fetched by id alone/);
    }
    expect(h.upstreamCalls()).toBe(0);
    // A card's id is still a card's.
    const card = await h.query('{ node(id: "card_1Abc") { id } }');
    expect(card.body.errors?.[0]?.extensions).toEqual({ code: 'NOT_RETRIEVABLE_BY_ID', resource: 'card' });
  });
});

/** Subscribes to stripeEvents over SSE and waits until it hears an event published to it. */
async function hearsEvents(harness: Harness): Promise<void> {
  const stream = await subscribeOver(harness.gateway.yoga, 'subscription { stripeEvents { id } }');
  const ping = () =>
    harness.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, {
      id: 'evt_edges_ping',
      object: 'event',
      type: 'edges.ping',
      created: 1,
      data: { object: { id: 'ping', object: 'ping' } },
    });
  await listening(stream, ping, () => undefined);
  stream.close();
}

describe('a subscription on a gateway no event can reach (no webhook secret, no Redis)', () => {
  it('is refused at subscribe time naming the settings, until a secret is accepted', async () => {
    const quiet = await startHarness();
    try {
      for (const query of [
        'subscription { stripeEvents { id } }',
        `subscription { customerUpdated(id: "${SEED.jenny.customer}") { id } }`,
      ]) {
        const stream = await subscribeOver(quiet.gateway.yoga, query);
        const result = await stream.next();
        expect(
          result.errors?.map((e) => e.extensions),
          query,
        ).toEqual([{ code: 'EVENTS_UNAVAILABLE', missing: ['STRIPE_WEBHOOK_SECRET', 'REDIS_URL'] }]);
        expect(result.errors?.[0]?.message).toMatch(/webhook intake is off/);
        stream.close();
      }
      expect(quiet.gateway.live.subscribers).toBe(0);
      // An endpoint registered at start-up (`npm start` on the emulator) brings its events.
      quiet.gateway.live.acceptWebhookSecret('whsec_registered_at_start');
      await hearsEvents(quiet);
    } finally {
      await quiet.close();
    }
  });
});

describe('a subscription asked for without an event stream in Accept', () => {
  let small: Harness;
  beforeAll(async () => {
    small = await startHarness({ STRIPE_WEBHOOK_SECRET: 'whsec_unused', MAX_SUBSCRIPTIONS: '2' });
  });
  afterAll(() => small.close());

  it('is 406 saying how subscriptions are served, and holds no slot', async () => {
    const accepts = [
      'application/json',
      'application/graphql-response+json, application/json',
      // Apollo Client's HttpLink for a subscription
      'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json',
    ];
    for (const accept of [...accepts, ...accepts]) {
      const response = await small.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ query: 'subscription { stripeEvents { id } }' }),
      });
      expect(response.status, accept).toBe(406);
      const body = (await response.json()) as { errors: { message: string; extensions: unknown }[] };
      expect(body.errors[0]?.extensions).toEqual({ code: 'NOT_ACCEPTABLE' });
      expect(body.errors[0]?.message).toMatch(/text\/event-stream/);
    }
    // Six refused, two allowed: an event stream still subscribes and hears its events.
    await hearsEvents(small);
  });
});
