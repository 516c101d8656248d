/** The upstream-call estimate, computed from the real schema's fetch plans (`extensions.stripePlan`). */
import { type FragmentDefinitionNode, getIntrospectionQuery, getOperationAST, Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/index.ts';
import { planOperation } from '../../src/schema/operation-plan.ts';
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

/** The operation's plan: its estimate and each call, by response path, with its expand[]. */
function plan(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const planned = planOperation(schema, getOperationAST(document)!, fragments, variables);
  return {
    estimate: planned.estimate.upstreamCalls,
    calls: Object.fromEntries([...planned.calls.values()].map((c) => [c.path, c.expand])),
  };
}

describe('planOperation: the estimate and every call’s expand[] from one walk', () => {
  it('folds a reference under an inline list under a list: four levels, one call', () => {
    expect(
      plan(
        'query ($a: ID) { transfers(destination: $a, first: 100) { nodes { reversals { nodes { balanceTransaction { id } } } } } }',
        { a: 'acct_1' },
      ),
    ).toEqual({ estimate: 1, calls: { transfers: ['data.reversals.data.balance_transaction'] } });
    expect(plan('{ subscription(id: "sub_1") { items { nodes { price { product { name } } } } } }')).toEqual({
      estimate: 1,
      calls: { subscription: ['items.data.price.product'] },
    });
  });

  it('stops at Stripe’s four levels, where the loaders read what is left', () => {
    // The price is inline in its item (not a reference); its product would be
    // data.items.data.price.product, five levels: a batched read by ids[].
    expect(
      plan('{ subscriptions(first: 10) { nodes { items { nodes { price { product { name } } } } } } }'),
    ).toEqual({
      estimate: 2,
      calls: {
        subscriptions: [],
        'subscriptions.nodes.items.nodes.price.product': [],
      },
    });
  });

  it('folds an inline list only when its embedded page answers the arguments', () => {
    expect(plan('{ customer(id: "cus_1") { sources(first: 5) { nodes { __typename } } } }')).toEqual({
      estimate: 1,
      calls: { customer: ['sources'] },
    });
    // Past the ten items Stripe embeds: the list is read, and the customer is not asked for it.
    expect(plan('{ customer(id: "cus_1") { sources(first: 50) { nodes { __typename } } } }')).toEqual({
      estimate: 2,
      calls: { customer: [], 'customer.sources': [] },
    });
    expect(
      plan('query ($n: Int) { customer(id: "cus_1") { sources(first: $n) { nodes { __typename } } } }', {
        n: 50,
      }).calls.customer,
    ).toEqual([]);
  });

  it('asks for a reference with no retrieve of its own, and counts the re-read it may need', () => {
    expect(
      plan('{ creditNotes(first: 2) { nodes { customerBalanceTransaction { description } } } }'),
    ).toEqual({
      estimate: 1 + 2,
      calls: { creditNotes: ['data.customer_balance_transaction'] },
    });
  });

  it('keeps a fragment’s paths relative to each spread', () => {
    expect(
      plan(`{ charge(id: "ch_1") { ...C invoice { charge { ...C } } } }
        fragment C on Charge { customer { ... on Customer { email } } }`).calls,
    ).toEqual({ charge: ['customer', 'invoice', 'invoice.charge', 'invoice.charge.customer'] });
  });

  it('folds nothing below a union with several members, in the plan as in the estimate', () => {
    expect(
      plan('{ customer(id: "cus_1") { defaultSource { ... on Card { customer { email } } } } }'),
    ).toEqual({
      estimate: 2,
      calls: { customer: ['default_source'], 'customer.defaultSource.customer': [] },
    });
  });
});

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

  it('counts a reference folded into its parent’s request as no call', () => {
    expect(calls('{ customers(first: 100) { nodes { defaultSource { __typename } } } }')).toBe(1);
    expect(calls('{ customers { edges { node { defaultSource { __typename } } } } }')).toBe(1);
    expect(
      calls('{ charges(first: 100) { edges { node { invoice { number } balanceTransaction { fee } } } } }'),
    ).toBe(1);
    // data.customer.default_source: three levels, within Stripe's four.
    expect(calls('{ charges(first: 20) { nodes { customer { defaultSource { __typename } } } } }')).toBe(1);
    // An inline list folds too (customer.sources), and its items' references below it.
    expect(calls('{ customer(id: "cus_1") { sources { nodes { ... on Card { last4 } } } } }')).toBe(1);
  });

  it('multiplies references that cannot be folded by the page size', () => {
    // Below a union with several members, nothing is folded (Stripe refuses paths that are not
    // valid for every member): each card's customer is a call.
    expect(
      calls('{ customers(first: 20) { nodes { defaultSource { ... on Card { customer { email } } } } } }'),
    ).toBe(1 + 20);
    // node(id:) picks its retrieve per id: nothing below it is assumed folded.
    expect(calls('{ node(id: "cus_1") { ... on Customer { defaultSource { __typename } } } }')).toBe(2);
    // Past Stripe's four expand levels, references are loaded.
    expect(
      calls(
        '{ charges(first: 10) { nodes { customer { invoiceSettings { defaultPaymentMethod { customer { email } } } } } } }',
      ),
    ).toBe(1 + 10);
    // A list that is not embedded in its parent is its own call per parent.
    expect(calls('{ customers(first: 5) { nodes { invoices { nodes { id } } } } }')).toBe(1 + 5);
  });

  it('counts batched reads (products, by ids[]) as a list call per 100 parents of each response', () => {
    const products = (first: number) =>
      `{ customers(first: ${first}) { nodes { subscriptions { nodes { items { nodes { price { product { __typename } } } } } } } } }`;
    // 10 × 10 × 10 prices from one response: ten pages of ids, not a thousand reads.
    expect(calls(products(10))).toBe(1 + 10);
    expect(calls(products(1))).toBe(1 + 1);
    // Prices that arrive in five responses (a page of invoices per customer, lines inline) load
    // per response: at most ceil(500 / 100) + 5 - 1 list calls.
    expect(
      calls(
        '{ customers(first: 5) { nodes { invoices { nodes { lines { nodes { price { product { __typename } } } } } } } } }',
      ),
    ).toBe(1 + 5 + (5 + 5 - 1));
    // Never more calls than parents.
    expect(calls('{ price(id: "price_1") { product { __typename } } }')).toBe(1);
    // The same inside fragments, as Relay and Apollo clients write it.
    expect(
      calls(`{ customers(first: 10) { nodes { ...Subscriptions } } }
        fragment Subscriptions on Customer { subscriptions { nodes { items { nodes { ...Price } } } } }
        fragment Price on SubscriptionItem { price { product { __typename } } }`),
    ).toBe(1 + 10);
  });

  it('counts every alias, fragment and variable', () => {
    const query = `query Q($n: Int, $skip: Boolean!) {
      a: customers(first: $n) { ...C }
      b: customers(first: 5) @skip(if: $skip) { ...C }
    }
    fragment C on CustomerConnection { nodes { defaultSource { __typename } } }`;
    // defaultSource is folded into each page's request.
    expect(calls(query, { n: 300, skip: false })).toBe(3 + 1);
    expect(calls(query, { n: 300, skip: true })).toBe(3);
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

  it('counts identical plain reads once, as the session’s loader makes them', () => {
    expect(calls('{ a: customer(id: "cus_1") { email } b: customer(id: "cus_1") { name } }')).toBe(1);
    // Different arguments, or a reference folded below (another expand[]), are other requests.
    expect(calls('{ a: customer(id: "cus_1") { email } b: customer(id: "cus_2") { name } }')).toBe(2);
    expect(
      calls(
        '{ a: customer(id: "cus_1") { email } b: customer(id: "cus_1") { defaultSource { __typename } } }',
      ),
    ).toBe(2);
    // node(id:) reads through the retrieve its id's prefix picks: the same request as customer(id:).
    expect(calls('{ a: customer(id: "cus_1") { email } c: node(id: "cus_1") { id } }')).toBe(1);
    // The same id through another resource's retrieve is another request (Stripe answers 404).
    expect(calls('{ a: customer(id: "cus_1") { email } b: charge(id: "cus_1") { amount } }')).toBe(2);
    expect(calls('{ a: node(id: "ch_1") { id } b: customer(id: "ch_1") { email } }')).toBe(2);
  });

  it('counts introspection as free', () => {
    expect(calls(getIntrospectionQuery())).toBe(0);
  });

  it('keeps the GraphiQL default query well under the default limit', () => {
    const result = calls(DEFAULT_QUERY);
    expect(result).toBeGreaterThan(0);
    expect(result).toBeLessThanOrEqual(20);
  });
});
