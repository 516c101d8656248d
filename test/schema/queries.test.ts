/**
 * The schema end to end: GraphQL queries executed against the emulator through the real REST client,
 * counting the upstream calls each query makes.
 */
import { execute, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorDispatcher } from '../../src/emulator/dispatcher.ts';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { UpstreamSession } from '../../src/loaders/session.ts';
import { createRestClient, type RestClient } from '../../src/rest/client.ts';
import { buildSchema } from '../../src/schema/index.ts';

const { schema, index } = buildSchema();
let emulator: Emulator;
let rest: RestClient;
const ids: { customers: string[]; product: string; price: string; recurring: string } = {
  customers: [],
  product: '',
  price: '',
  recurring: '',
};
const TAG = `q${Date.now()}`;

async function gql(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  const invalid = validate(schema, document);
  if (invalid.length > 0) throw new Error(`invalid query: ${invalid.map((e) => e.message).join('; ')}`);
  const loaders = new UpstreamSession({ rest, retrievePathOf: index.retrievePathOf });
  const result = await execute({
    schema,
    document,
    contextValue: { session: loaders },
    ...(variables ? { variableValues: variables } : {}),
  });
  return { ...result, calls: loaders.upstreamCalls, paths: loaders.calls };
}

beforeAll(async () => {
  emulator = await createEmulator({ listen: false });
  rest = createRestClient({
    secretKey: emulator.key,
    apiBase: emulator.url,
    maxRetries: 0,
    dispatcher: new EmulatorDispatcher(emulator.service),
  });
  for (let i = 0; i < 105; i++) {
    const customer = await rest.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: { email: `${TAG}-${i}@example.com`, name: `Customer ${i}`, metadata: { tag: TAG, i } },
    });
    ids.customers.push(customer.id);
  }
  const product = await rest.request<{ id: string }>({
    method: 'POST',
    path: '/v1/products',
    params: { name: 'Gold' },
  });
  ids.product = product.id;
  const price = await rest.request<{ id: string }>({
    method: 'POST',
    path: '/v1/prices',
    params: { product: product.id, unit_amount: 5_000_000_000, currency: 'usd' },
  });
  ids.price = price.id;
  const recurring = await rest.request<{ id: string }>({
    method: 'POST',
    path: '/v1/prices',
    params: { product: product.id, unit_amount: 900, currency: 'eur', recurring: { interval: 'month' } },
  });
  ids.recurring = recurring.id;
});

afterAll(async () => {
  await rest?.close();
  await emulator?.close();
});

describe('retrieve fields', () => {
  it('reads a customer by id with camelCase fields, DateTime and JSON scalars', async () => {
    const id = ids.customers[0]!;
    const { data, errors, calls } = await gql(
      `query($id: ID!) { customer(id: $id) { id object email name created livemode metadata } }`,
      { id },
    );
    expect(errors).toBeUndefined();
    expect(calls).toBe(1);
    const customer = data!.customer as Record<string, unknown>;
    expect(customer).toMatchObject({
      id,
      object: 'customer',
      email: `${TAG}-0@example.com`,
      livemode: false,
    });
    expect(customer.metadata).toEqual({ tag: TAG, i: '0' });
    expect(new Date(customer.created as string).getTime()).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it('maps enums both ways and keeps integers beyond 32 bits', async () => {
    const { data, errors } = await gql(
      `query($a: ID!, $b: ID!) {
        a: price(id: $a) { unitAmount type currency }
        b: price(id: $b) { type recurring { interval intervalCount } }
      }`,
      { a: ids.price, b: ids.recurring },
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      a: { unitAmount: 5_000_000_000, type: 'ONE_TIME', currency: 'usd' },
      b: { type: 'RECURRING', recurring: { interval: 'MONTH', intervalCount: 1 } },
    });
  });

  it('reads a deleted customer as a typed DELETED error', async () => {
    const gone = await rest.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: { name: 'Gone' },
    });
    await rest.request({
      method: 'DELETE',
      path: '/v1/customers/{customer}',
      pathParams: { customer: gone.id },
    });
    const { data, errors } = await gql('query($id: ID!) { customer(id: $id) { id } }', { id: gone.id });
    expect(data).toEqual({ customer: null });
    expect(errors![0]!.extensions).toMatchObject({ code: 'DELETED', id: gone.id });
  });

  it('answers an unknown id with a typed NOT_FOUND error and a null field', async () => {
    const { data, errors } = await gql(`{ customer(id: "cus_doesnotexist") { id } }`);
    expect(data).toEqual({ customer: null });
    expect(errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', stripe: { statusCode: 404 } });
  });
});

describe('connections', () => {
  const page = `query($first: Int, $after: String, $last: Int, $before: String, $email: String) {
    customers(first: $first, after: $after, last: $last, before: $before, email: $email) {
      nodes { id }
      edges { cursor node { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;

  it('pages forward with first/after on Stripe cursors, newest first', async () => {
    const first = await gql(page, { first: 2 });
    expect(first.errors).toBeUndefined();
    const c1 = first.data!.customers as {
      nodes: { id: string }[];
      edges: { cursor: string; node: { id: string } }[];
      pageInfo: Record<string, unknown>;
    };
    expect(c1.nodes.map((n) => n.id)).toEqual([ids.customers[104], ids.customers[103]]);
    expect(c1.edges.map((e) => e.cursor)).toEqual(c1.nodes.map((n) => n.id));
    expect(c1.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
      endCursor: ids.customers[103],
    });
    const second = await gql(page, { first: 2, after: c1.pageInfo.endCursor });
    const c2 = second.data!.customers as { nodes: { id: string }[]; pageInfo: Record<string, unknown> };
    expect(c2.nodes.map((n) => n.id)).toEqual([ids.customers[102], ids.customers[101]]);
    expect(c2.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });

  it('pages backward with last/before', async () => {
    const { data, errors } = await gql(page, { last: 2, before: ids.customers[100] });
    expect(errors).toBeUndefined();
    const c = data!.customers as { nodes: { id: string }[]; pageInfo: Record<string, unknown> };
    expect(c.nodes.map((n) => n.id)).toEqual([ids.customers[102], ids.customers[101]]);
    expect(c.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('fetches more than 100 items page by page, each once, never asking Stripe for more than 100', async () => {
    const { data, errors, calls } = await gql(page, { first: 105 });
    expect(errors).toBeUndefined();
    const nodes = (data!.customers as { nodes: { id: string }[] }).nodes;
    expect(nodes).toHaveLength(105);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(105);
    expect(calls).toBe(2);
  });

  it('passes filters to Stripe', async () => {
    const { data } = await gql(page, { first: 5, email: `${TAG}-7@example.com` });
    expect((data!.customers as { nodes: { id: string }[] }).nodes.map((n) => n.id)).toEqual([
      ids.customers[7],
    ]);
    const prices = await gql(`query($p: ID) { prices(product: $p, first: 10) { nodes { id } } }`, {
      p: ids.product,
    });
    expect((prices.data!.prices as { nodes: { id: string }[] }).nodes.map((n) => n.id).sort()).toEqual(
      [ids.price, ids.recurring].sort(),
    );
  });

  it('filters on created to the instant, fractions of a second included, in every operator', async () => {
    const email = `${TAG}-9@example.com`;
    const read = await gql(`query($id: ID!) { customer(id: $id) { created } }`, { id: ids.customers[9] });
    const created = new Date((read.data!.customer as { created: string }).created).getTime();
    expect(created % 1000).toBe(0);
    const at = (ms: number) => new Date(created + ms).toISOString();
    const matches = async (range: Record<string, string>) => {
      const { data, errors } = await gql(
        `query($email: String, $created: DateTimeRange) {
          customers(first: 5, email: $email, created: $created) { nodes { id } }
        }`,
        { email, created: range },
      );
      expect(errors).toBeUndefined();
      return (data!.customers as { nodes: { id: string }[] }).nodes.length === 1;
    };
    expect(await matches({ gte: at(500) })).toBe(false);
    expect(await matches({ gte: at(-500) })).toBe(true);
    expect(await matches({ gt: at(-500) })).toBe(true);
    expect(await matches({ gt: at(500) })).toBe(false);
    expect(await matches({ lt: at(500) })).toBe(true);
    expect(await matches({ lt: at(-500) })).toBe(false);
    expect(await matches({ lte: at(-500) })).toBe(false);
    expect(await matches({ lte: at(500) })).toBe(true);
    expect(await matches({ eq: at(0) })).toBe(true);
    expect(await matches({ eq: at(500) })).toBe(false);
    expect(await matches({ eq: at(-500) })).toBe(false);
    expect(await matches({ gte: at(0), lte: at(0) })).toBe(true);
  });

  it('answers a cursor that names no object of the list as BAD_USER_INPUT on its argument', async () => {
    for (const [args, argument] of [
      [{ first: 2, after: 'garbage' }, 'after'],
      [{ last: 2, before: 'cus_doesNotExist' }, 'before'],
    ] as const) {
      const { data, errors } = await gql(page, args);
      expect(data).toEqual({ customers: null });
      expect(errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        argument,
        stripe: { code: 'resource_missing' },
      });
    }
  });

  it('refuses last without before, first with before, and negative counts, before calling Stripe', async () => {
    const { errors, calls } = await gql(page, { last: 2 });
    expect(errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(calls).toBe(0);
    // Relay's first-with-before is the list's first items up to the cursor, not Stripe's ending_before.
    const firstBefore = await gql(page, { first: 2, before: ids.customers[100] });
    expect(firstBefore.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(firstBefore.calls).toBe(0);
    const negative = await gql(page, { first: -1 });
    expect(negative.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('expandable references', () => {
  it('resolves a reference in the same request through expand[] (one upstream call)', async () => {
    const { data, errors, calls } = await gql(
      `query($id: ID!) { price(id: $id) { productId product { __typename ... on Product { id name } } } }`,
      { id: ids.price },
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      price: { productId: ids.product, product: { __typename: 'Product', id: ids.product, name: 'Gold' } },
    });
    expect(calls).toBe(1);
  });

  it('expands references of list items with data.x', async () => {
    const { data, errors, calls } = await gql(
      `query($p: ID) { prices(product: $p) { nodes { product { ... on Product { name } } } } }`,
      { p: ids.product },
    );
    expect(errors).toBeUndefined();
    expect((data!.prices as { nodes: unknown[] }).nodes).toEqual([
      { product: { name: 'Gold' } },
      { product: { name: 'Gold' } },
    ]);
    expect(calls).toBe(1);
  });
});

describe('node', () => {
  it('dispatches on the id prefix', async () => {
    const { data, errors } = await gql(
      `query($c: ID!, $p: ID!) {
        c: node(id: $c) { __typename id ... on Customer { email } }
        p: node(id: $p) { __typename ... on Product { name } }
      }`,
      { c: ids.customers[1], p: ids.product },
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      c: { __typename: 'Customer', id: ids.customers[1], email: `${TAG}-1@example.com` },
      p: { __typename: 'Product', name: 'Gold' },
    });
  });

  it('refuses an unknown prefix with a clear error and no upstream call', async () => {
    const { data, errors, calls } = await gql(`{ node(id: "zz_123") { id } }`);
    expect(data).toEqual({ node: null });
    expect(errors![0]!.extensions!.code).toBe('UNKNOWN_ID_PREFIX');
    expect(calls).toBe(0);
  });

  it('refuses a prefix two resources share, naming them', async () => {
    const { errors, calls } = await gql(`{ node(id: "tax_li_123") { id } }`);
    expect(errors![0]!.extensions).toMatchObject({
      code: 'AMBIGUOUS_ID_PREFIX',
      resources: ['tax.calculation_line_item', 'tax.transaction_line_item'],
    });
    expect(calls).toBe(0);
  });

  it('refuses a resource that has no retrieve by id alone', async () => {
    const { errors } = await gql(`{ node(id: "card_123") { id } }`);
    expect(errors![0]!.extensions!.code).toBe('NOT_RETRIEVABLE_BY_ID');
  });

  it('refuses what cannot be a Stripe id as every id argument does, before any call', async () => {
    for (const id of ['', '.', '..', '../x', 'x/y', 'acct_1A/..']) {
      const { data, errors, calls } = await gql(`query($id: ID!) { node(id: $id) { id } }`, { id });
      expect(data, id).toEqual({ node: null });
      expect(errors![0]!.extensions, id).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
      expect(calls).toBe(0);
    }
  });

  it('names a capability for a composite id under an account, whatever its tail’s prefix', async () => {
    const capability = await gql(`{ node(id: "acct_1A/card_1Abc") { id } }`);
    expect(capability.errors![0]!.extensions).toMatchObject({
      code: 'NOT_RETRIEVABLE_BY_ID',
      resources: ['card', 'capability'],
    });
    expect(capability.errors![0]!.message).toMatch(/^A Card or a Capability cannot be fetched/);
    // A capability's name is a capability's id, whatever prefix it begins with.
    const named = await gql(`{ node(id: "acct_1A/card_payments") { id } }`);
    expect(named.errors![0]!.extensions).toEqual({ code: 'NOT_RETRIEVABLE_BY_ID', resource: 'capability' });
    const transfers = await gql(`{ node(id: "acct_1A/transfers") { id } }`);
    expect(transfers.errors![0]!.extensions).toMatchObject({
      code: 'NOT_RETRIEVABLE_BY_ID',
      resource: 'capability',
    });
    expect(capability.calls + named.calls + transfers.calls).toBe(0);
  });
});
