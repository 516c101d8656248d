/**
 * Every Stripe list is a Relay connection of one shape (`edges`, `nodes`, `pageInfo`): the lists a
 * relation edge pages, and the lists Stripe embeds where no endpoint pages them from the parent
 * (`UpcomingInvoice.lines`, `FinancialConnectionsSession.accounts`, …), which answer the embedded
 * page.
 */
import { getNamedType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('list shapes', () => {
  it('no type has Stripe’s list envelope (`data`, `hasMore`); the embedded lists are connections', () => {
    const { schema } = sharedSchema();
    const envelopes = Object.values(schema.getTypeMap()).filter(
      (type) => isObjectType(type) && 'hasMore' in type.getFields() && 'data' in type.getFields(),
    );
    expect(envelopes.map((t) => t.name)).toEqual([]);
    const expected: [string, string, string][] = [
      ['UpcomingInvoice', 'lines', 'LineItemConnection'],
      ['Invoice', 'lines', 'LineItemConnection'],
      ['FinancialConnectionsSession', 'accounts', 'FinancialConnectionsAccountConnection'],
      ['FinancialConnectionsAccountOwnership', 'owners', 'FinancialConnectionsAccountOwnerConnection'],
      ['QuotesUpfront', 'lineItems', 'ItemConnection'],
      ['TaxCalculation', 'lineItems', 'TaxCalculationLineItemConnection'],
    ];
    for (const [type, field, connection] of expected) {
      const object = schema.getType(type);
      if (!isObjectType(object)) throw new Error(`${type} is not an object type`);
      expect(getNamedType(object.getFields()[field]!.type).name, `${type}.${field}`).toBe(connection);
    }
  });

  it('upcomingInvoice { lines } pages like Invoice.lines, from the embedded page', async () => {
    const query = `query($c: ID!, $first: Int, $after: String) { upcomingInvoice(customer: $c) {
        lines(first: $first, after: $after) {
          nodes { id amount }
          edges { cursor node { id } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        } } }`;
    const all = await h.query(query, { variables: { c: SEED.jenny.customer } });
    expect(all.body.errors).toBeUndefined();
    const lines = (all.body.data as any).upcomingInvoice.lines;
    expect(lines.nodes.length).toBeGreaterThan(0);
    expect(lines.edges.map((e: any) => e.node.id)).toEqual(lines.nodes.map((n: any) => n.id));
    expect(lines.edges.map((e: any) => e.cursor)).toEqual(lines.nodes.map((n: any) => n.id));
    expect(lines.pageInfo).toMatchObject({ hasPreviousPage: false, endCursor: lines.nodes.at(-1).id });

    // An upcoming invoice is computed afresh on every read, its lines named as before.
    const first = await h.query(query, { variables: { c: SEED.jenny.customer, first: 1 } });
    const one = (first.body.data as any).upcomingInvoice.lines;
    expect(one.nodes).toEqual([lines.nodes[0]]);
    expect(one.pageInfo).toMatchObject({ hasNextPage: lines.nodes.length > 1, endCursor: one.nodes[0].id });
  });

  it('a cursor from one read of the upcoming invoice pages the next, pending items’ lines included', async () => {
    const customer = await h.admin.request<{ id: string }>({ method: 'POST', path: '/v1/customers' });
    for (const amount of [500, 700, 900]) {
      const params = { customer: customer.id, amount, currency: 'usd' };
      await h.admin.request({ method: 'POST', path: '/v1/invoiceitems', params });
    }
    const query = `query($c: ID!, $after: String) { upcomingInvoice(customer: $c) {
        lines(first: 1, after: $after) { nodes { id amount } pageInfo { endCursor } } } }`;
    const read = async (after?: string) => {
      const { body } = await h.query(query, { variables: { c: customer.id, ...(after ? { after } : {}) } });
      expect(body.errors).toBeUndefined();
      return (body.data as any).upcomingInvoice.lines;
    };
    const one = await read();
    const two = await read(one.pageInfo.endCursor);
    const three = await read(two.pageInfo.endCursor);
    expect([one, two, three].map((page) => page.nodes[0].amount)).toEqual([500, 700, 900]);
  });

  it('paging past the embedded page is a typed error naming the list endpoint', async () => {
    const response = await h.query(
      'query($c: ID!) { upcomingInvoice(customer: $c) { lines(after: "il_nothere") { nodes { id } } } }',
      { variables: { c: SEED.jenny.customer } },
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.message).toMatch(/page further with/);
  });
});
