/**
 * Compiled execution (src/server/jit.ts) answers exactly as graphql-js does, including where
 * graphql-jit alone would not: a JSON literal holding a variable, and filtered subscriptions (in
 * webhooks.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { itemFragmentFanOut } from '../net/abuse.ts';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ LOG_LEVEL: 'silent' });
});
afterAll(() => h.close());

describe('compiled execution', () => {
  it('keeps a variable inside a JSON literal', async () => {
    const { body } = await h.query(
      `mutation ($plan: String!, $email: String!) {
        createCustomer(input: { email: $email, metadata: { plan: $plan, source: "jit-test" } }) {
          email metadata
        }
      }`,
      { variables: { plan: 'gold', email: 'jit@example.com' } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      createCustomer: { email: 'jit@example.com', metadata: { plan: 'gold', source: 'jit-test' } },
    });
  });

  it('answers a compiled query as graphql-js does: variables, fragments, aliases, abstract types, errors', async () => {
    const query = `query ($id: ID!, $first: Int) {
      me: customer(id: $id) { ...Who cards(first: $first) { nodes { __typename brand } } }
      missing: customer(id: "cus_doesNotExist") { id }
      node(id: $id) { __typename ... on Customer { email } }
    }
    fragment Who on Customer { id email created }`;
    const variables = { id: SEED.jenny.customer, first: 2 };
    // The first run is graphql-js's; the second compiles the document and runs it, as does the third.
    const first = await h.query(query, { variables });
    const second = await h.query(query, { variables });
    const third = await h.query(query, { variables });
    expect(third.body.data).toEqual(second.body.data);
    expect(second.body.data).toEqual(first.body.data);
    // Where in the document each error is, too (graphql-jit's errors carry no AST nodes).
    const codes = (r: typeof first) =>
      r.body.errors?.map((e) => [e.path, e.extensions?.code, e.message, e.locations]);
    expect(codes(second)).toEqual(codes(first));
    expect(codes(third)).toEqual(codes(first));
    expect(first.body.data).toMatchObject({
      me: { id: SEED.jenny.customer, email: SEED.jenny.email, created: expect.any(String) },
      missing: null,
      node: { __typename: 'Customer', email: SEED.jenny.email },
    });
    expect(first.body.data).toMatchObject({ me: { cards: { nodes: [{ __typename: 'Card' }] } } });
    expect(first.body.errors).toEqual([
      expect.objectContaining({
        path: ['missing'],
        locations: [{ line: 3, column: 7 }],
        extensions: expect.objectContaining({ code: 'NOT_FOUND' }),
      }),
    ]);
  });

  it('leaves fragments that spread each other twice over (2^40 copies) to graphql-js, which visits each once', async () => {
    await h.query(itemFragmentFanOut(40));
    const { body } = await h.query(itemFragmentFanOut(40));
    expect(body.errors).toBeUndefined();
    const nodes = (body.data as { customers: { nodes: Record<string, unknown>[] } }).customers.nodes;
    expect(nodes).toHaveLength(3);
    for (const node of nodes) expect(Object.keys(node).sort()).toEqual(['email', 'id']);
  });

  it('answers in the document order on every run, fragments and all', async () => {
    // graphql-jit 0.8.7 (what @envelop/graphql-jit asks for) wrote a set's own fields before its
    // fragments' and its fragments last one first; package.json pins 0.8.9, which keeps the order.
    const documents = [
      '{ account { ...G email } } fragment G on Account { id type }',
      '{ account { ... on Account { id } email } }',
      '{ ...F balance { livemode } } fragment F on Query { account { id } }',
      '{ account { ...G ...H } } fragment G on Account { id } fragment H on Account { email }',
      'query ($s: Boolean!) { account { id @skip(if: $s) ...G } } fragment G on Account { email id }',
      '{ account { id ...G } } fragment G on Account { type email }',
      'query ($id: ID!) { node(id: $id) { ... on Customer { email } ... on Charge { amount } ... on Node { id } } }',
    ];
    const text = async (query: string, variables: Record<string, unknown>) => {
      const response = await h.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      return response.text();
    };
    for (const query of documents) {
      for (const s of [false, true]) {
        const variables = { s, id: SEED.jenny.customer };
        // The first run is graphql-js's; the second and third run compiled.
        const runs = [
          await text(query, variables),
          await text(query, variables),
          await text(query, variables),
        ];
        expect(runs[1], query).toBe(runs[0]);
        expect(runs[2], query).toBe(runs[0]);
        expect(runs[0]).not.toContain('"errors"');
      }
    }
  });
});
