/** The upstream-call estimate, computed from the real schema's `extensions.stripeCost`. */
import { type FragmentDefinitionNode, getIntrospectionQuery, getOperationAST, Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/index.ts';
import { estimateCost } from '../../src/server/cost.ts';
import { DEFAULT_QUERY } from '../../src/server/default-query.ts';

const { schema } = buildSchema({ descriptions: false });

function estimate(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return estimateCost(schema, getOperationAST(document)!, fragments, variables);
}

const calls = (query: string, variables?: Record<string, unknown>) =>
  estimate(query, variables).upstreamCalls;

describe('estimateCost', () => {
  it('counts a retrieve as one call and its scalar fields as none', () => {
    expect(calls('{ customer(id: "cus_1") { ... on Customer { id email name created } } }')).toBe(1);
  });

  it('counts a connection as ceil(size / 100) pages, 10 items by default', () => {
    expect(calls('{ customers { nodes { id } } }')).toBe(1);
    expect(calls('{ customers(first: 100) { nodes { id } } }')).toBe(1);
    expect(calls('{ customers(first: 250) { edges { node { id } } } }')).toBe(3);
    expect(calls('{ customers(first: 0) { nodes { id } } }')).toBe(0);
    expect(calls('{ customers(last: 150, before: "cus_1") { nodes { id } } }')).toBe(2);
  });

  it('multiplies references below edges and nodes by the page size', () => {
    expect(calls('{ customers(first: 100) { nodes { defaultSource { __typename } } } }')).toBe(101);
    expect(calls('{ customers { edges { node { defaultSource { __typename } } } } }')).toBe(11);
    expect(
      calls(
        '{ charges(first: 20) { nodes { customer { ... on Customer { defaultSource { __typename } } } } } }',
      ),
    ).toBe(1 + 20 + 20);
  });

  it('counts every alias, fragment and variable', () => {
    const query = `query Q($n: Int, $skip: Boolean!) {
      a: customers(first: $n) { ...C }
      b: customers(first: 5) @skip(if: $skip) { ...C }
    }
    fragment C on CustomerConnection { nodes { defaultSource { __typename } } }`;
    expect(calls(query, { n: 300, skip: false })).toBe(3 + 300 + 1 + 5);
    expect(calls(query, { n: 300, skip: true })).toBe(3 + 300);
    expect(estimate(query, { n: 300, skip: false }).pageSizes).toEqual([
      { path: 'a', argument: 'first', value: 300 },
      { path: 'b', argument: 'first', value: 5 },
    ]);
  });

  it('counts fields under connectedAccount like root fields', () => {
    expect(
      calls('{ connectedAccount(id: "acct_1") { stripeAccount customers(first: 200) { nodes { id } } } }'),
    ).toBe(2);
  });

  it('counts introspection as free', () => {
    expect(calls(getIntrospectionQuery())).toBe(0);
  });

  it('keeps the GraphiQL default query well under the default limit', () => {
    const result = calls(DEFAULT_QUERY);
    expect(result).toBeGreaterThan(0);
    // The tour walks relations (cards, invoices and their lines, capabilities, transfers and their
    // reversals); the default limit is 200.
    expect(result).toBeLessThanOrEqual(40);
  });
});
