/**
 * The escape suite: a caller whose JWT says `stripe_customer: A` tries every way into customer B's
 * data — by id, by node, through a charge, an invoice, a card, a payment intent, search, a list
 * filter, an alias storm, a reference primed from another response, a connected account — and
 * every write a customer may make, aimed at B. Each is FORBIDDEN, with the same error whether B's
 * object exists or not, nothing of B is in any response, and no write to B reaches the emulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScopePolicy, FORBIDDEN_MESSAGE } from '../../src/loaders/scope.ts';
import { UpstreamSession } from '../../src/loaders/session.ts';
import { bearer, customerByEmail, JWT_ENV, token, type Victim } from './auth-helpers.ts';
import { type GraphQLResponse, type Harness, sharedSchema, startHarness } from './harness.ts';

type Obj = Record<string, unknown> & { id: string };

let h: Harness;
let A: Victim;
let B: Victim;
/** B's payment method, and A's payment intent that (wrongly) points at it */
let pmB: string;
let crossIntent: string;
let asA: Record<string, string>;

beforeAll(async () => {
  h = await startHarness(JWT_ENV);
  A = await customerByEmail(h.admin, 'alan.turing@example.com');
  B = await customerByEmail(h.admin, 'jenny.rosen@example.com');
  const post = <T = Obj>(path: string, params: Record<string, unknown>) =>
    h.admin.request<T>({ method: 'POST', path, params });
  pmB = (await post('/v1/payment_methods', { type: 'card', card: { token: 'tok_visa' } })).id;
  await post(`/v1/payment_methods/${pmB}/attach`, { customer: B.customer });
  // Stripe lets a payment intent name a payment method of another customer until it is confirmed.
  crossIntent = (
    await post('/v1/payment_intents', {
      amount: 500,
      currency: 'usd',
      customer: A.customer,
      payment_method: pmB,
    })
  ).id;
  asA = bearer(await token({ stripe_customer: A.customer, sub: 'user-a' }));
});
afterAll(() => h.close());
beforeEach(() => {
  h.upstreamCalls();
});

/** Nothing that identifies B (ids, email) appears anywhere in the response. */
function expectNothingOfB(response: GraphQLResponse): void {
  const text = JSON.stringify(response.body);
  for (const secret of [B.customer, B.email, B.card, B.charge, B.invoice, B.paymentIntent, pmB]) {
    if (secret) expect(text).not.toContain(secret);
  }
}

/** Every error is the one FORBIDDEN error, and every aliased field is null. */
function expectForbidden(response: GraphQLResponse, fields: string[]): void {
  expect(response.status).toBe(200);
  expect(response.body.errors?.length).toBe(fields.length);
  for (const error of response.body.errors ?? []) {
    expect(error.extensions?.code).toBe('FORBIDDEN');
    expect(error.message).toBe(FORBIDDEN_MESSAGE);
  }
  for (const field of fields) expect(response.body.data?.[field] ?? null).toBeNull();
  expectNothingOfB(response);
}

const C = '... on Customer { id email name }';

describe('customer scope: own data', () => {
  it('reads its own customer, charges, invoices, card and payment intents through every path', async () => {
    const response = await h.query(
      `{
        me: customer(id: "${A.customer}") { ${C} defaultSource { ... on Card { id last4 customerId } } }
        node(id: "${A.customer}") { id }
        charge(id: "${A.charge}") { id customer { ${C} } }
        card(customer: "${A.customer}", id: "${A.card}") { id last4 }
        paymentIntent(id: "${A.paymentIntent}") { id customerId }
        charges(first: 10) { nodes { id customerId } }
        paymentIntents(first: 10) { nodes { id customerId } }
        searchCharges(query: "amount>0") { nodes { id customerId } }
        products(first: 2) { nodes { id } }
      }`,
      { headers: asA },
    );
    expect(response.body.errors).toBeUndefined();
    const data = response.body.data as Record<string, any>;
    expect(data.me.id).toBe(A.customer);
    expect(data.me.defaultSource).toMatchObject({ id: A.card, customerId: A.customer });
    expect(data.node.id).toBe(A.customer);
    expect(data.charge.customer.id).toBe(A.customer);
    expect(data.card.id).toBe(A.card);
    expect(data.paymentIntent.customerId).toBe(A.customer);
    // Lists and search are filtered to A by force, not merely checked.
    for (const list of [data.charges, data.paymentIntents, data.searchCharges]) {
      expect(list.nodes.length).toBeGreaterThan(0);
      for (const node of list.nodes) expect(node.customerId).toBe(A.customer);
    }
    expect(data.products.nodes).toHaveLength(2);
    expectNothingOfB(response);
  });
});

describe('customer scope: relations', () => {
  it('its own objects’ relations resolve (nested, reverse, inline first pages); the merchant’s do not', async () => {
    const response = await h.query(
      `{
        customer(id: "${A.customer}") {
          ... on Customer {
            charges { nodes { id customerId } }
            paymentIntents { nodes { id customerId } }
            cards { nodes { id customerId } }
            sources(first: 1) { nodes { ... on Card { id customerId } } }
          }
        }
        charge(id: "${A.charge}") { id refunds { nodes { id } } }
        merchant: charge(id: "${A.charge}") { id balanceTransactions { nodes { id } } }
      }`,
      { headers: asA },
    );
    expect(response.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['merchant.balanceTransactions', 'FORBIDDEN'],
    ]);
    const data = response.body.data as Record<string, any>;
    expect(data.merchant).toBeNull();
    expect(data.charge.refunds.nodes).toEqual([]);
    for (const list of ['charges', 'paymentIntents', 'cards', 'sources']) {
      expect(data.customer[list].nodes.length, list).toBeGreaterThan(0);
      for (const node of data.customer[list].nodes) expect(node.customerId).toBe(A.customer);
    }
    expectNothingOfB(response);
  });
});

describe('customer scope: every way into another customer is FORBIDDEN', () => {
  it('by id and by node, the same error whether B exists or not, without asking Stripe', async () => {
    const response = await h.query(
      `{
        b: customer(id: "${B.customer}") { ${C} }
        bNode: node(id: "${B.customer}") { id }
        ghost: customer(id: "cus_doesnotexist000000") { ${C} }
        ghostNode: node(id: "cus_doesnotexist000000") { id }
      }`,
      { headers: asA },
    );
    expectForbidden(response, ['b', 'bNode', 'ghost', 'ghostNode']);
    expect(h.upstreamCalls()).toBe(0);
  });

  it('through a charge, an invoice, a payment intent and a card (existing or not)', async () => {
    const response = await h.query(
      `{
        charge(id: "${B.charge}") { id customer { ${C} } }
        chargeNode: node(id: "${B.charge}") { id }
        invoice(id: "${B.invoice}") { id customerEmail }
        paymentIntent(id: "${B.paymentIntent}") { id clientSecret }
        ghostCharge: charge(id: "ch_doesnotexist0000000000") { id }
        cardOfB: card(customer: "${B.customer}", id: "${B.card}") { id last4 }
        cardOfBUnderA: card(customer: "${A.customer}", id: "${B.card}") { id last4 }
        sourceOfBUnderA: paymentSource(customer: "${A.customer}", id: "${B.card}") { ... on Card { id } }
        pmOfB: paymentMethod(id: "${pmB}") { id }
      }`,
      { headers: asA },
    );
    expectForbidden(response, [
      'charge',
      'chargeNode',
      'invoice',
      'paymentIntent',
      'ghostCharge',
      'cardOfB',
      'cardOfBUnderA',
      'sourceOfBUnderA',
      'pmOfB',
    ]);
  });

  it('through a reference in its own object: expanded inline (primed) or loaded by id', async () => {
    const response = await h.query(
      `{ paymentIntent(id: "${crossIntent}") { id customerId paymentMethod { id card { last4 } } } }`,
      { headers: asA },
    );
    expect(response.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['paymentIntent', 'paymentMethod'], 'FORBIDDEN'],
    ]);
    expect(response.body.data?.paymentIntent).toEqual({
      id: crossIntent,
      customerId: A.customer,
      paymentMethod: null,
    });
    expectNothingOfB(response);
  });

  it('through objects that belong to no customer (the merchant’s balance)', async () => {
    const response = await h.query(`{ charge(id: "${A.charge}") { id balanceTransaction { id amount } } }`, {
      headers: asA,
    });
    expect(response.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['charge.balanceTransaction', 'FORBIDDEN'],
    ]);
    expect(response.body.data?.charge).toEqual({ id: A.charge, balanceTransaction: null });
  });

  /** One request per connection field: root connections are non-null, so one denial nulls `data`. */
  async function expectDenied(fields: string[]): Promise<void> {
    for (const field of fields) {
      const response = await h.query(`{ ${field} { nodes { id } } }`, { headers: asA });
      expect(response.body.data, field).toBeNull();
      expect(
        response.body.errors?.map((e) => [e.extensions?.code, e.message]),
        field,
      ).toEqual([['FORBIDDEN', FORBIDDEN_MESSAGE]]);
      expectNothingOfB(response);
    }
  }

  it('through lists that cannot be narrowed to one customer', async () => {
    await expectDenied(['customers(first: 50)', 'refunds(first: 5)', 'balanceTransactions', 'events']);
    expect(h.upstreamCalls()).toBe(0);
  });

  it('through a list filter naming B', async () => {
    await expectDenied(
      ['charges', 'invoices', 'paymentIntents', 'setupIntents', 'paymentMethods', 'subscriptions'].map(
        (list) => `${list}(customer: "${B.customer}")`,
      ),
    );
    expect(h.upstreamCalls()).toBe(0);
  });

  it('through a list filtered by B’s object, or by A’s but of the merchant’s records', async () => {
    const own = await h.query(`{ refunds(charge: "${A.charge}") { nodes { id chargeId } } }`, {
      headers: asA,
    });
    expect(own.body.errors).toBeUndefined();
    await expectDenied([
      `refunds(charge: "${B.charge}")`,
      `refunds(paymentIntent: "${B.paymentIntent}")`,
      `refunds(charge: "${A.charge}", paymentIntent: "${B.paymentIntent}")`,
      `balanceTransactions(source: "${A.charge}")`,
    ]);
  });

  it('through a search query: narrowed to A, and OR or unbalanced quotes cannot widen it', async () => {
    const narrowed = await h.query(
      `{
        byCustomer: searchCharges(query: "customer:'${B.customer}'") { nodes { id customerId } }
        byAmount: searchPaymentIntents(query: "amount>0") { nodes { id customerId } }
      }`,
      { headers: asA },
    );
    expect(narrowed.body.errors).toBeUndefined();
    const data = narrowed.body.data as Record<string, { nodes: Obj[] }>;
    expect(data.byCustomer!.nodes).toEqual([]);
    expect(data.byAmount!.nodes.length).toBeGreaterThan(0);
    for (const node of data.byAmount!.nodes) expect(node.customerId).toBe(A.customer);
    expectNothingOfB(narrowed);

    await expectDenied([
      `searchCharges(query: "customer:'${B.customer}' OR amount>0")`,
      `searchCharges(query: "amount>0 AND metadata['x']:'")`,
      `searchCustomers(query: "email:'${B.email}'")`,
    ]);
  });

  it('an alias storm of B’s ids: every alias FORBIDDEN, nothing of B', async () => {
    const reads = [
      `node(id: "${B.customer}") { id }`,
      `customer(id: "${B.customer}") { ${C} }`,
      `charge(id: "${B.charge}") { id amount }`,
      `paymentIntent(id: "${B.paymentIntent}") { id clientSecret }`,
      `invoice(id: "${B.invoice}") { id customerEmail }`,
    ];
    const fields = Array.from({ length: 25 }, (_, i) => `a${i}: ${reads[i % reads.length]}`);
    const response = await h.query(`{ ${fields.join('\n')} }`, { headers: asA });
    expectForbidden(
      response,
      fields.map((_, i) => `a${i}`),
    );
  });

  it('through the Stripe-Account header or connectedAccount(id:)', async () => {
    const header = await h.query(`{ customer(id: "${A.customer}") { ${C} } }`, {
      headers: { ...asA, 'Stripe-Account': 'acct_1EmulatorConnect01' },
    });
    expect(header.status).toBe(403);
    expect(header.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(header.body.data ?? null).toBeNull();

    const scoped = await h.query(
      `{ connectedAccount(id: "acct_1EmulatorConnect01") { customers { nodes { id } } } }`,
      { headers: asA },
    );
    expectForbidden(scoped, ['connectedAccount']);
    expect(h.upstreamCalls()).toBe(0);
  });
});

describe('customer scope: writes', () => {
  const sessionAs = (customer: string) =>
    new UpstreamSession({
      rest: h.gateway.rest,
      retrievePathOf: (object) => sharedSchema().index.retrievePathOf(object),
      scope: createScopePolicy(sharedSchema().model, sharedSchema().index).forCustomer(customer),
    });
  const writes = () =>
    Object.entries(h.emulator.stats().byRoute)
      .filter(([route]) => !route.startsWith('GET '))
      .reduce((sum, [, count]) => sum + count, 0);
  const forbiddenOf = (promise: Promise<unknown>) =>
    expect(promise).rejects.toMatchObject({ message: FORBIDDEN_MESSAGE, extensions: { code: 'FORBIDDEN' } });

  it('every allowed write aimed at B is FORBIDDEN, and nothing reaches the emulator', async () => {
    const session = sessionAs(A.customer);
    const cardBefore = await h.admin.request<Obj>({
      method: 'GET',
      path: `/v1/customers/${B.customer}/sources/${B.card}`,
    });
    const intentsBefore = await h.admin.request<{ data: Obj[] }>({
      method: 'GET',
      path: '/v1/setup_intents',
      params: { customer: B.customer },
    });
    const before = writes();

    for (const customer of [B.customer, A.customer]) {
      for (const kind of ['sources', 'cards']) {
        await forbiddenOf(
          session.write({
            method: 'POST',
            path: `/v1/customers/{customer}/${kind}/{id}`,
            pathParams: [customer, B.card],
            params: { name: 'Mallory' },
          }),
        );
        await forbiddenOf(
          session.write({
            method: 'DELETE',
            path: `/v1/customers/{customer}/${kind}/{id}`,
            pathParams: [customer, B.card],
          }),
        );
      }
    }
    await forbiddenOf(
      session.write({
        method: 'POST',
        path: '/v1/payment_methods/{payment_method}/detach',
        pathParams: [pmB],
      }),
    );
    await forbiddenOf(
      session.write({
        method: 'POST',
        path: '/v1/setup_intents',
        params: { customer: B.customer, usage: 'off_session' },
      }),
    );
    // Parameters outside the allow-list could point at B's objects: refused.
    await forbiddenOf(
      session.write({
        method: 'POST',
        path: '/v1/setup_intents',
        params: { payment_method: pmB, confirm: true },
      }),
    );
    // Writes outside the allow-list, even to A's own objects.
    await forbiddenOf(
      session.write({
        method: 'POST',
        path: '/v1/customers/{customer}',
        pathParams: [A.customer],
        params: {},
      }),
    );
    await forbiddenOf(session.write({ method: 'POST', path: '/v1/refunds', params: { charge: B.charge } }));

    expect(writes()).toBe(before);
    const cardAfter = await h.admin.request<Obj>({
      method: 'GET',
      path: `/v1/customers/${B.customer}/sources/${B.card}`,
    });
    expect(cardAfter).toEqual(cardBefore);
    const pm = await h.admin.request<Obj>({ method: 'GET', path: `/v1/payment_methods/${pmB}` });
    expect(pm.customer).toBe(B.customer);
    const intentsAfter = await h.admin.request<{ data: Obj[] }>({
      method: 'GET',
      path: '/v1/setup_intents',
      params: { customer: B.customer },
    });
    expect(intentsAfter.data.map((i) => i.id)).toEqual(intentsBefore.data.map((i) => i.id));
  });

  it('the allowed writes work on A’s own objects, and their results are A’s', async () => {
    const session = sessionAs(A.customer);
    const card = await session.write<Obj>({
      method: 'POST',
      path: '/v1/customers/{customer}/sources/{id}',
      pathParams: [A.customer, A.card],
      params: { name: 'Alan M. Turing' },
    });
    expect(card).toMatchObject({ id: A.card, customer: A.customer, name: 'Alan M. Turing' });
    const intent = await session.write<Obj>({
      method: 'POST',
      path: '/v1/setup_intents',
      params: { usage: 'off_session' },
    });
    expect(intent.customer).toBe(A.customer);
    const stored = await h.admin.request<Obj>({ method: 'GET', path: `/v1/setup_intents/${intent.id}` });
    expect(stored.customer).toBe(A.customer);
    expect(session.calls).toEqual([
      `GET /v1/customers/${A.customer}/sources/${A.card}`,
      `POST /v1/customers/${A.customer}/sources/${A.card}`,
      'POST /v1/setup_intents',
    ]);
  });
});
