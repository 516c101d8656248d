/**
 * The answer-size budget (src/server/answer-budget.ts): estimated before execution (objects ×
 * fields from page sizes, fragments counted once) and enforced during it (each connection charges
 * what it brings), with ANSWER_TOO_LARGE either way.
 */
import {
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  getOperationAST,
  parse,
} from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRAPPER } from '../../src/schema/connections.ts';
import { estimateAnswer, useAnswerBudget } from '../../src/server/answer-budget.ts';
import { type Harness, sharedSchema, startHarness } from './harness.ts';

const estimate = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  return estimateAnswer(sharedSchema().schema, document, getOperationAST(document)!, variables);
};

/** The Charge fields an abuser would select: every scalar one, up to 35. */
function chargeLeaves(count: number): string[] {
  const charge = sharedSchema().schema.getType('Charge') as GraphQLObjectType;
  const leaves = Object.values(charge.getFields())
    .filter((f) => /^(String|ID|Int|SafeInt|Boolean|DateTime|Float)!?$/.test(String(f.type)))
    .filter((f) => f.args.length === 0)
    .map((f) => f.name);
  expect(leaves.length).toBeGreaterThanOrEqual(count);
  return leaves.slice(0, count);
}

describe('the estimate', () => {
  it('counts objects × fields from first/last, nodes and edges per item, the rest once', () => {
    // customers 1 + nodes 1 + 5 × (id, email) + pageInfo 1 + hasNextPage 1
    expect(estimate('{ customers(first: 5) { nodes { id email } pageInfo { hasNextPage } } }')).toBe(14);
    // edges 1 + 3 × (edge 1 + cursor 1 + node 1 + id 1)
    expect(estimate('{ customers(first: 3) { edges { cursor node { id } } } }')).toBe(1 + 1 + 3 * 4);
    // Stripe's default page (10) without first; a variable's value with one.
    expect(estimate('{ charges { nodes { id } } }')).toBe(1 + 1 + 10);
    expect(estimate('query($n: Int) { charges(first: $n) { nodes { id } } }', { n: 40 })).toBe(1 + 1 + 40);
    // Nested connections multiply.
    expect(
      estimate('{ customers(first: 10) { nodes { id charges(first: 20) { nodes { id amount } } } } }'),
    ).toBe(1 + 1 + 10 * (1 + 1 + 1 + 20 * 2));
  });

  it('counts fields by response key as graphql-js merges them, each fragment walked once per selection', () => {
    expect(estimate('{ customers(first: 2) { nodes { id id ... on Customer { id email } } } }')).toBe(
      1 + 1 + 2 * 2,
    );
    const spreads = Array.from({ length: 25 }, (_, i) => `a${i}: customers(first: 2) { nodes { ...F } }`);
    expect(estimate(`{ ${spreads.join(' ')} } fragment F on Customer { id email name }`)).toBe(
      25 * (2 + 2 * 3),
    );
    // Fragments that spread each other twice over: 2^20 copies of one field, which is one field.
    const chain = Array.from(
      { length: 20 },
      (_, i) => `fragment F${i} on Customer { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    expect(estimate(`{ customer(id: "cus_1") { ...F0 } } ${chain} fragment F20 on Customer { id }`)).toBe(2);
  });
});

describe('through the gateway', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ QUERY_MAX_ALIASES: '30' });
  });
  afterAll(() => h.close());

  it('refuses the issue’s query (19 aliases × charges(first: 1000) × 35 fields) before any call', async () => {
    const fields = chargeLeaves(35).join(' ');
    const aliases = Array.from(
      { length: 19 },
      (_, i) => `c${i}: charges(first: 1000) { nodes { ${fields} } }`,
    );
    const query = `{ ${aliases.join('\n')} }`;
    expect(query.length).toBeLessThan(10_000);
    h.upstreamCalls();
    const response = await h.query(query);
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['ANSWER_TOO_LARGE']);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      limit: 100_000,
      estimated: 19 * (2 + 1000 * 35),
    });
    expect(response.body.errors?.[0]?.message).toMatch(/ask for fewer items/);
    expect(h.upstreamCalls()).toBe(0);
    // One alias of it is well within the budget, and answers.
    const one = await h.query(`{ charges(first: 1000) { nodes { ${fields} } } }`);
    expect(one.body.errors).toBeUndefined();
  });

  it('ANSWER_MAX_FIELDS sets the budget', async () => {
    const small = await startHarness({ ANSWER_MAX_FIELDS: '100' });
    try {
      const refused = await small.query('{ customers(first: 50) { nodes { id email } } }');
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'ANSWER_TOO_LARGE', limit: 100 });
      const fits = await small.query('{ customers(first: 20) { nodes { id email } } }');
      expect(fits.body.errors).toBeUndefined();
    } finally {
      await small.close();
    }
  });
});

describe('during execution', () => {
  /** A connection whose resolver answers 50 items whatever `first` says (as a one-page list can). */
  function overAnswering() {
    const item = new GraphQLObjectType({
      name: 'Item',
      fields: { id: { type: GraphQLString }, name: { type: GraphQLString } },
    });
    const connection = new GraphQLObjectType({
      name: 'ItemConnection',
      extensions: WRAPPER,
      fields: {
        nodes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(item))) },
        count: { type: GraphQLInt },
      },
    });
    let resolved = 0;
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          items: {
            type: connection,
            args: { first: { type: GraphQLInt } },
            resolve: () => {
              resolved++;
              const nodes = Array.from({ length: 50 }, (_, i) => ({ id: `it_${i}`, name: 'x' }));
              return { nodes, count: nodes.length };
            },
          },
        },
      }),
    });
    const yoga = createYoga({ schema, plugins: [useAnswerBudget({ maxFields: 250 })], maskedErrors: false });
    return { yoga, resolved: () => resolved };
  }

  it('a connection that brings more than estimated is ANSWER_TOO_LARGE, and so is every one after', async () => {
    const { yoga, resolved } = overAnswering();
    const run = async (query: string) =>
      (await (
        await yoga.fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        })
      ).json()) as { data?: Record<string, unknown>; errors?: { path?: string[]; extensions?: object }[] };
    // Estimated 3 × (1 + 1 + 2 × 2) = 18 fields; answered 3 × (2 + 50 × 2) = 306.
    const answer = await run(
      '{ a: items(first: 2) { nodes { id name } } b: items(first: 2) { nodes { id name } } c: items(first: 2) { nodes { id name } } }',
    );
    expect(resolved()).toBe(3);
    expect(answer.data?.a).toMatchObject({ nodes: expect.any(Array) });
    expect(answer.data?.b).toMatchObject({ nodes: expect.any(Array) });
    expect(answer.data?.c).toBeNull();
    expect(answer.errors?.map((e) => [e.path?.join('.'), (e.extensions as { code: string }).code])).toEqual([
      ['c', 'ANSWER_TOO_LARGE'],
    ]);
    // Within the budget, the same connection answers whole.
    const fits = await run('{ items(first: 2) { nodes { id } } }');
    expect(fits.errors).toBeUndefined();
  });
});
