/** Every query limit: a clear error naming it, and no call to Stripe. */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    QUERY_MAX_DEPTH: '6',
    QUERY_MAX_ALIASES: '3',
    QUERY_MAX_TOKENS: '120',
    QUERY_MAX_PAGE_SIZE: '300',
    QUERY_MAX_COST: '50',
  });
});
afterAll(() => h.close());
beforeEach(() => {
  h.upstreamCalls();
});

async function rejected(query: string, code: string, variables?: Record<string, unknown>) {
  const response = await h.query(query, variables ? { variables } : {});
  expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  expect(response.body.data).toBeUndefined();
  // A request error: 400 for application/graphql-response+json clients.
  expect(response.status).toBe(400);
  expect(h.upstreamCalls()).toBe(0);
  return response;
}

describe('query limits', () => {
  it('admits a query within every limit and reports its cost', async () => {
    const response = await h.query('{ customers(first: 3) { nodes { id } } }');
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.extensions?.cost).toEqual({ estimatedUpstreamCalls: 1, actualUpstreamCalls: 1 });
    expect(h.upstreamCalls()).toBe(1);
  });

  it('rejects a query nested deeper than QUERY_MAX_DEPTH (DEPTH_LIMIT)', async () => {
    const response = await rejected(
      '{ charges { edges { node { customer { ... on Customer { defaultSource { ... on Card { customer { __typename } } } } } } } } }',
      'DEPTH_LIMIT',
    );
    expect(response.body.errors?.[0]?.message).toMatch(/nested 7 fields deep, more than the maximum of 6/);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ limit: 6, depth: 7 });
  });

  it('counts depth through fragments', async () => {
    await rejected(
      `{ charges { ...C } }
       fragment C on ChargeConnection { edges { node { customer { ... on Customer { defaultSource { ...S } } } } } }
       fragment S on Card { customer { ... on Customer { id } } }`,
      'DEPTH_LIMIT',
    );
  });

  it('rejects more aliases than QUERY_MAX_ALIASES (ALIAS_LIMIT), fragments expanded', async () => {
    const response = await rejected(
      '{ a: customers { ...F } b: customers { ...F } } fragment F on CustomerConnection { x: nodes { id } }',
      'ALIAS_LIMIT',
    );
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ limit: 3, aliases: 4 });
  });

  it('rejects documents over QUERY_MAX_TOKENS (TOKEN_LIMIT)', async () => {
    const fields = Array.from({ length: 130 }, () => 'id').join(' ');
    const response = await rejected(`{ customers { nodes { ${fields} } } }`, 'TOKEN_LIMIT');
    expect(response.body.errors?.[0]?.message).toMatch(/more than 120 tokens/);
  });

  it('rejects first/last above QUERY_MAX_PAGE_SIZE (PAGE_SIZE_LIMIT), literal or variable', async () => {
    const response = await rejected('{ customers(first: 301) { nodes { id } } }', 'PAGE_SIZE_LIMIT');
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      limit: 300,
      argument: 'first',
      value: 301,
    });
    await rejected(
      'query Q($n: Int) { invoices(last: $n, before: "in_1") { nodes { id } } }',
      'PAGE_SIZE_LIMIT',
      {
        n: 1000,
      },
    );
  });

  it('rejects queries estimated above QUERY_MAX_COST calls (QUERY_TOO_COMPLEX)', async () => {
    const response = await rejected(
      // Each customer's invoices are a call of their own (no list embeds them).
      '{ customers(first: 100) { nodes { invoices(first: 1) { nodes { id } } } } }',
      'QUERY_TOO_COMPLEX',
    );
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ limit: 50, estimatedUpstreamCalls: 101 });
    expect(response.body.extensions?.cost).toEqual({ estimatedUpstreamCalls: 101, actualUpstreamCalls: 0 });
  });

  it('answers 200 to application/json clients, as the GraphQL-over-HTTP spec says', async () => {
    const response = await h.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ customers(first: 5000) { nodes { id } } }' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('PAGE_SIZE_LIMIT');
    expect(h.upstreamCalls()).toBe(0);
  });

  it('lets GraphiQL introspect the schema under the default limits', async () => {
    const defaults = await startHarness();
    try {
      const response = await defaults.query(
        getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }),
      );
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.__schema).toBeDefined();
    } finally {
      await defaults.close();
    }
  });
});
