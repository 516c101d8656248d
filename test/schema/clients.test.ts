/**
 * What frontend tools (Relay, Apollo's cache, GraphQL Code Generator) rely on, computed from the
 * schema rather than listed by hand: every `id` is `ID!`, union members agree on their common
 * fields, every `Node` implementor is fetched by `node(id:)`, root fields are nullable.
 */
import {
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  parse,
  validate,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { TYPE_NAME_LIMIT } from '../../src/spec/naming.ts';
import { ID_PREFIXES, resourceForId } from '../../src/spec/prefixes.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';

/** graphql-js's rule for two same-named fields in different object types of one selection. */
function typesConflict(a: GraphQLOutputType, b: GraphQLOutputType): boolean {
  if (isListType(a) || isListType(b)) {
    return isListType(a) && isListType(b) ? typesConflict(a.ofType, b.ofType) : true;
  }
  if (isNonNullType(a) || isNonNullType(b)) {
    return isNonNullType(a) && isNonNullType(b) ? typesConflict(a.ofType, b.ofType) : true;
  }
  return isLeafType(a) || isLeafType(b) ? a !== b : false;
}

describe('a schema client tools trust', () => {
  const { schema, model } = sharedSchema();
  const objectTypes = Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'),
  );
  const nodeType = schema.getType('Node');
  const implementors = nodeType && !isObjectType(nodeType) ? schema.getPossibleTypes(nodeType as never) : [];
  const schemaOf = (gql: string) => Object.values(model.objects).find((o) => o.gql === gql);

  it('gives every object type with an id field `id: ID!`', () => {
    const withId = objectTypes.filter((t) => t.getFields().id);
    const wrong = withId.filter((t) => String(t.getFields().id!.type) !== 'ID!').map((t) => t.name);
    expect(wrong).toEqual([]);
    expect(withId.length).toBeGreaterThan(120);
    // A deleted form names the object deleted in `deletedId: ID!` and has no `id`, so it never takes
    // the live object's identity in a client cache (test/schema/cache-identity.test.ts).
    const full = buildSchema({ descriptions: false, reachableOnly: false }).schema;
    const deleted = full.getType('DeletedCustomer') as GraphQLObjectType;
    expect(String(deleted.getFields().deletedId!.type)).toBe('ID!');
    expect(deleted.getFields().id).toBeUndefined();
    const allWithId = Object.values(full.getTypeMap()).filter(
      (t): t is GraphQLObjectType => isObjectType(t) && Boolean(t.getFields().id),
    );
    expect(allWithId.filter((t) => String(t.getFields().id!.type) !== 'ID!').map((t) => t.name)).toEqual([]);
  });

  /**
   * graphql-js rejects a selection of one field on two members when their types conflict. The one
   * conflict the schema keeps on purpose: two different enums, or an enum beside a String
   * (`Charge.status: ChargeStatus!` beside `Refund.status: String`), each member's precise type; a
   * query aliases one of them (README, "Clients").
   */
  const precise = (a: GraphQLOutputType, b: GraphQLOutputType): boolean => {
    const [na, nb] = [getNamedType(a), getNamedType(b)];
    const sameLists = (x: GraphQLOutputType, y: GraphQLOutputType): boolean => {
      const [ux, uy] = [isNonNullType(x) ? x.ofType : x, isNonNullType(y) ? y.ofType : y];
      if (isListType(ux) || isListType(uy))
        return isListType(ux) && isListType(uy) && sameLists(ux.ofType, uy.ofType);
      return true;
    };
    const enumOrString = (t: GraphQLNamedType) => isEnumType(t) || t.name === 'String';
    return sameLists(a, b) && (isEnumType(na) || isEnumType(nb)) && enumOrString(na) && enumOrString(nb);
  };

  it("has no union whose members' common fields conflict, but for each member's own enum", () => {
    const conflicts: string[] = [];
    const kept: string[] = [];
    for (const union of Object.values(schema.getTypeMap()).filter(isUnionType)) {
      if (union.name === '_Entity') continue; // federation's, whose members share only `id`
      const members = union.getTypes();
      for (const [i, a] of members.entries()) {
        for (const b of members.slice(i + 1)) {
          const bFields = b.getFields();
          for (const [name, field] of Object.entries(a.getFields())) {
            const other: GraphQLField<unknown, unknown> | undefined = bFields[name];
            if (!other || !typesConflict(field.type, other.type)) continue;
            const pair = `${union.name}: ${a.name}.${name} ${field.type} vs ${b.name}.${name} ${other.type}`;
            (precise(field.type, other.type) ? kept : conflicts).push(pair);
          }
        }
      }
    }
    expect(conflicts).toEqual([]);
    // What the rules settled (src/spec/unions.ts): one shape for `balanceTransactions`, references
    // for plain ids, one enum for one set of values, nullable where one member is.
    const field = (type: string, name: string) =>
      String((schema.getType(type) as GraphQLObjectType).getFields()[name]?.type);
    expect(field('Dispute', 'balanceTransactions')).toBe('BalanceTransactionConnection!');
    expect(field('Source', 'customer')).toBe('Customer');
    expect(field('PlatformTaxFee', 'account')).toBe('Account');
    expect(field('PlatformTaxFee', 'sourceTransaction')).toBe('Charge');
    expect(field('Card', 'availablePayoutMethods')).toBe(field('BankAccount', 'availablePayoutMethods'));
    expect(field('BankAccount', 'currency')).toBe('String');
    // Each member keeps its own enum.
    expect(field('Charge', 'status')).toBe('ChargeStatus!');
    expect(kept).toContain('BalanceTransactionSource: Charge.status ChargeStatus! vs Refund.status String');
  });

  it('needs an alias only where members keep their own enums, as the README shows', () => {
    const errorsOf = (source: string) => validate(schema, parse(source)).map((e) => e.message);
    const query = (refund: string) => `{ balanceTransactions(first: 10) { nodes { source {
      ... on Charge { currency status metadata }
      ... on Refund { currency ${refund} metadata }
    } } } }`;
    expect(errorsOf(query('refundStatus: status'))).toEqual([]);
    expect(errorsOf(query('status'))).toEqual([expect.stringContaining('Fields "status" conflict')]);
  });

  it('makes every root query field nullable (but federation’s own, whose types its spec fixes)', () => {
    const fields = Object.values(schema.getQueryType()!.getFields()).filter(
      (f) => f.name !== '_entities' && f.name !== '_service',
    );
    expect(fields.filter((f) => isNonNullType(f.type)).map((f) => f.name)).toEqual([]);
    expect(fields.length).toBeGreaterThan(100);
  });

  it('has no type that no operation reaches (Node implementors are reached through node(id:))', () => {
    const reached = new Set<string>();
    const visit = (type: GraphQLNamedType): void => {
      if (reached.has(type.name)) return;
      reached.add(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          visit(getNamedType(field.type));
          for (const arg of field.args) visit(getNamedType(arg.type));
        }
        if (isObjectType(type)) for (const i of type.getInterfaces()) visit(i);
        if (isInterfaceType(type)) for (const o of schema.getPossibleTypes(type)) visit(o);
      }
      if (isUnionType(type)) for (const m of type.getTypes()) visit(m);
      if (isInputObjectType(type))
        for (const field of Object.values(type.getFields())) visit(getNamedType(field.type));
    };
    for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()])
      if (root) visit(root);
    const unreached = Object.keys(schema.getTypeMap()).filter((n) => !n.startsWith('__') && !reached.has(n));
    expect(unreached).toEqual([]);
  });

  it('names unions by what they are, not by joining their members (`CustomerPaymentSource`)', () => {
    const unions = Object.values(schema.getTypeMap()).filter(isUnionType);
    expect(unions.filter((u) => /[a-z]Or[A-Z]/.test(u.name)).map((u) => u.name)).toEqual([]);
    expect(unions.map((u) => u.name)).toContain('CustomerPaymentSource');
  });

  it('has no type name that exceeds 60 characters (outputs and inputs alike)', () => {
    const names = Object.keys(schema.getTypeMap());
    expect(names.filter((n) => n.length > TYPE_NAME_LIMIT)).toEqual([]);
    // The rules name a family where it sits, as Stripe's SDKs do (`CustomerCashBalanceTransaction.Funded`).
    expect(names).toEqual(
      expect.arrayContaining([
        'CustomerCashBalanceTransactionFundedBankTransferUs',
        'PaymentMethodDetailsCardIncrementalAuthorization',
        'PaymentIntentCardRequestIncrementalAuthorization',
      ]),
    );
  });

  it("names no type after Stripe's internal modules (`Resource`, `Private`, `Api`)", () => {
    const names = Object.keys(schema.getTypeMap());
    // (`ApiVersion` is Stripe's own parameter, `api_version`.)
    expect(names.filter((n) => /Resource(?![a-z])|Resources|Private|Api(?!Version)[A-Z]/.test(n))).toEqual(
      [],
    );
  });

  it('makes only types that node(id:) can route to implement Node; Invoice is one, Card and Capability are not', () => {
    expect(implementors.map((t) => t.name)).toContain('Invoice');
    for (const name of [
      'Card',
      'BankAccount',
      'Person',
      'Capability',
      'Coupon',
      'CountrySpec',
      'DeletedCustomer',
    ])
      expect(implementors.map((t) => t.name)).not.toContain(name);
    // Every implementor's prefix routes to it, so node(id:) picks its retrieve.
    for (const type of implementors) {
      const object = schemaOf(type.name);
      const prefix = object?.resource ? ID_PREFIXES[object.resource] : undefined;
      expect(prefix, type.name).toBeDefined();
      expect(resourceForId(`${prefix}123`), type.name).toEqual({ kind: 'match', resource: object!.name });
    }
  });

  it('keeps the upcoming invoice apart: UpcomingInvoice has no id, Invoice has `id: ID!`', () => {
    const upcoming = schema.getType('UpcomingInvoice') as GraphQLObjectType;
    expect(upcoming.getFields().id).toBeUndefined();
    expect(String(schema.getQueryType()!.getFields().upcomingInvoice!.type)).toBe('UpcomingInvoice');
    expect(String((schema.getType('Invoice') as GraphQLObjectType).getFields().id!.type)).toBe('ID!');
  });

  it('reads every unix time as DateTime, whatever the spec says (SubscriptionItem.created)', () => {
    const wrong: string[] = [];
    for (const type of objectTypes) {
      const created = type.getFields().created;
      if (created && getNamedType(created.type).name !== 'DateTime') wrong.push(type.name);
    }
    expect(wrong).toEqual([]);
  });

  it('takes one argument type per name: every `created` filter a DateTimeRange, every id filter an ID', () => {
    const wrong: string[] = [];
    for (const type of objectTypes) {
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args) {
          const named = getNamedType(arg.type).name;
          if (arg.name === 'created' && named !== 'DateTimeRange')
            wrong.push(`${type.name}.${field.name}(created: ${named})`);
          if (
            ['customer', 'cardholder', 'financialAccount', 'invoice', 'subscription'].includes(arg.name) &&
            named !== 'ID'
          )
            wrong.push(`${type.name}.${field.name}(${arg.name}: ${named})`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(String((schema.getType('DateTime') as { specifiedByURL?: string }).specifiedByURL)).toMatch(
      /^https:\/\//,
    );
  });
});

describe('node(id:) fetches every Node implementor that has demo data', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('lists one object of each implementor through its root list and reads it back through node(id:)', async () => {
    const { schema } = sharedSchema();
    const query = schema.getQueryType()!.getFields();
    const implementors = schema.getPossibleTypes(schema.getType('Node') as never);
    const fetched: string[] = [];
    /** the implementors whose root list came back empty */
    const empty: string[] = [];
    for (const type of implementors) {
      // The root list of this type, when it needs no argument.
      const list = Object.values(query).find(
        (f) =>
          getNamedType(f.type).name === `${type.name}Connection` &&
          !f.name.startsWith('search') &&
          f.args.every((a) => !isNonNullType(a.type)),
      );
      if (!list) continue;
      const listed = await h.query(`{ list: ${list.name}(first: 1) { nodes { id } } }`);
      expect(listed.body.errors, type.name).toBeUndefined();
      const first = (listed.body.data?.list as { nodes: { id: string }[] } | null)?.nodes[0];
      if (!first) {
        empty.push(type.name);
        continue;
      }
      const read = await h.query(
        `query ($id: ID!) { node(id: $id) { __typename id ... on ${type.name} { id } } }`,
        { variables: { id: first.id } },
      );
      expect(read.body.errors, type.name).toBeUndefined();
      expect(read.body.data?.node, type.name).toEqual({ __typename: type.name, id: first.id });
      fetched.push(type.name);
    }
    expect(fetched).toEqual(expect.arrayContaining(['Customer', 'Charge', 'Invoice', 'Product', 'Price']));
    // Every type read back has demo data, and a list came back empty only where it has none.
    const { model } = sharedSchema();
    const platform = h.emulator.store.scope(undefined);
    const seeded = (gql: string) => {
      const resource = Object.values(model.objects).find((o) => o.gql === gql)?.resource;
      return resource ? platform.count(resource) : 0;
    };
    expect(fetched.filter((name) => seeded(name) === 0)).toEqual([]);
    expect(empty.filter((name) => seeded(name) > 0)).toEqual([]);
  });

  it('keeps sibling root fields when one root connection fails (a bad cursor)', async () => {
    const response = await h.query(
      '{ customers(first: 1) { nodes { id } } charges(after: "nope") { nodes { id } } }',
    );
    expect(response.body.errors?.[0]?.path).toEqual(['charges']);
    expect(response.body.data?.charges).toBeNull();
    expect(response.body.data?.customers).toEqual({ nodes: [expect.any(Object)] });
  });
});

describe('union members read alike, against the emulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("reads a source's customer by id, as a card's (Stripe sends a source's as a plain id)", async () => {
    const customer = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'source-owner@example.com' },
    });
    const source = await h.admin.request<{ id: string; customer: string }>({
      method: 'POST',
      path: '/v1/sources',
      params: { type: 'ach_credit_transfer', currency: 'usd', customer: customer.id },
    });
    expect(source.customer).toBe(customer.id);
    h.upstreamCalls();
    const read = await h.query('query ($id: ID!) { source(id: $id) { customerId customer { id email } } }', {
      variables: { id: source.id },
    });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data?.source).toEqual({
      customerId: customer.id,
      customer: { id: customer.id, email: 'source-owner@example.com' },
    });
    // The source, then its customer by id: Stripe cannot expand a source's customer, and the
    // estimate knows it (no fold).
    expect(h.upstreamCalls()).toBe(2);
    expect(read.body.extensions?.cost).toEqual({ estimatedUpstreamCalls: 2, actualUpstreamCalls: 2 });
  });

  it("reads a connected account's source's customer through that account's session", async () => {
    const account = SEED.connected.account;
    const customer = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'connected-owner@example.com' },
      stripeAccount: account,
    });
    const source = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/sources',
      params: { type: 'ach_credit_transfer', currency: 'usd', customer: customer.id },
      stripeAccount: account,
    });
    const query = `query ($id: ID!) { source(id: $id) { customer { email } } }`;
    const scoped = await h.query(
      `query ($account: ID!, $id: ID!) { connectedAccount(id: $account) { source(id: $id) { customer { email } } } }`,
      { variables: { account, id: source.id } },
    );
    expect(scoped.body.errors).toBeUndefined();
    expect(scoped.body.data?.connectedAccount).toEqual({
      source: { customer: { email: 'connected-owner@example.com' } },
    });
    // The platform has no such source: nothing leaks across accounts.
    const platform = await h.query(query, { variables: { id: source.id } });
    expect(platform.body.data?.source).toBeNull();
  });

  it("answers a dispute's balance transactions from its inline array as a connection, with no call", async () => {
    // Stripe embeds every balance transaction of a dispute (the withdrawal and its reversal); the
    // demo dispute has none, so two are stored on it here.
    const listed = await h.admin.request<{ data: { id: string }[] }>({
      method: 'GET',
      path: '/v1/disputes',
      params: { limit: 1 },
    });
    const transactions = await h.admin.request<{ data: JsonObject[] }>({
      method: 'GET',
      path: '/v1/balance_transactions',
      params: { limit: 2 },
    });
    const dispute = h.emulator.store.platform.find(listed.data[0]!.id)!;
    h.emulator.store.platform.replace(dispute, { ...dispute.data, balance_transactions: transactions.data });
    const ids = transactions.data.map((t) => ({ id: t.id }));
    expect(ids).toHaveLength(2);
    h.upstreamCalls();
    const read = await h.query(
      `query ($id: ID!) {
        dispute(id: $id) {
          all: balanceTransactions(first: 10) { nodes { id } pageInfo { hasNextPage } }
          first: balanceTransactions(first: 1) { nodes { id } pageInfo { hasNextPage } }
        }
      }`,
      { variables: { id: dispute.data.id } },
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data?.dispute).toEqual({
      all: { nodes: ids, pageInfo: { hasNextPage: false } },
      first: { nodes: ids.slice(0, 1), pageInfo: { hasNextPage: true } },
    });
    expect(h.upstreamCalls()).toBe(1);
  });

  it('accepts one selection of balanceTransactions, currency and metadata on every source of a balance transaction', async () => {
    const read = await h.query(`{
      balanceTransactions(first: 30) {
        nodes {
          source {
            __typename
            ... on Charge { currency metadata balanceTransactions(first: 1) { nodes { id } } }
            ... on Dispute { currency metadata balanceTransactions(first: 1) { nodes { id } } }
            ... on Refund { currency metadata balanceTransactions(first: 1) { nodes { id } } }
            ... on Payout { currency metadata status }
            ... on Charge { chargeStatus: status }
          }
        }
      }
    }`);
    expect(read.body.errors).toBeUndefined();
    const listed = read.body.data?.balanceTransactions as
      | { nodes: { source: { __typename: string; currency?: string; chargeStatus?: string } | null }[] }
      | undefined;
    // A movement with no source object (the opening balance, a Climate order) has source null.
    const sources = listed?.nodes.flatMap((n) => (n.source ? [n.source] : [])) ?? [];
    expect(sources.map((s) => s.__typename)).toEqual(expect.arrayContaining(['Charge', 'Refund', 'Payout']));
    for (const source of sources.filter((s) => ['Charge', 'Refund', 'Payout'].includes(s.__typename)))
      expect(source.currency, source.__typename).toBe('usd');
    expect(sources.find((s) => s.__typename === 'Charge')?.chargeStatus).toBe('SUCCEEDED');
  });
});
