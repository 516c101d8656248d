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
});
