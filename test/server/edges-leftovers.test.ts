/**
 * What a frontend developer meets at the gateway's edges, end to end on the emulator: cursors and
 * counts on the lists Stripe answers in one page, and the other surfaces these tests name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('a list Stripe answers in one page', () => {
  const capabilities = (args: string) =>
    h.query(`{ account(id: "${SEED.connected.account}") {
      capabilities${args ? `(${args})` : ''} { edges { cursor } pageInfo { hasPreviousPage } } } }`);

  it('refuses an after that names none of its items, as a paged list does', async () => {
    const paged = await h.query('{ customers(first: 2, after: "cus_NoSuchCustomer") { nodes { id } } }');
    const onePage = await capabilities('first: 2, after: "no_such_capability"');
    for (const { body } of [paged, onePage]) {
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    }
    expect(onePage.body.errors?.[0]?.message).toMatch(/^after is not a cursor of this list/);
    const report = await h.query('{ reportingReportTypes(after: "no.such.report") { nodes { id } } }');
    expect(report.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  });

  it('pages from an after that names one of its items', async () => {
    const all = await capabilities('');
    type Capabilities = { account: { capabilities: { edges: { cursor: string }[] } } };
    const { edges } = (all.body.data as Capabilities).account.capabilities;
    expect(edges.length).toBeGreaterThan(1);
    const rest = await capabilities(`after: "${edges[0]!.cursor}"`);
    expect(rest.body.errors).toBeUndefined();
    expect(rest.body.data?.account).toEqual({
      capabilities: { edges: edges.slice(1), pageInfo: { hasPreviousPage: true } },
    });
  });

  it('refuses a negative first, as a paged list does', async () => {
    const { body } = await capabilities('first: -1');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(body.errors?.[0]?.message).toBe('first must not be negative');
  });
});

describe('a page without first or last (README, Paging)', () => {
  type Page = {
    customers: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean } };
  };
  const page = async (args: string) => {
    const { body } = await h.query(
      `{ customers${args ? `(${args})` : ''} { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }`,
    );
    expect(body.errors).toBeUndefined();
    return (body.data as Page).customers;
  };

  it('is Stripe’s default of 10 items, forward from after or backward to before', async () => {
    for (let i = 0; i < 15; i++) {
      await h.admin.request({ method: 'POST', path: '/v1/customers', params: { name: `Paging ${i}` } });
    }
    const all = (await page('first: 100')).nodes.map((c) => c.id);
    expect(all.length).toBeGreaterThan(23);
    expect((await page('')).nodes.map((c) => c.id)).toEqual(all.slice(0, 10));
    expect((await page(`after: "${all[1]}"`)).nodes.map((c) => c.id)).toEqual(all.slice(2, 12));
    const backward = await page(`before: "${all[22]}"`);
    expect(backward.nodes.map((c) => c.id)).toEqual(all.slice(12, 22));
    expect(backward.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: true });
  });

  it('refuses a before that names no item of the list', async () => {
    const { body } = await h.query('{ customers(before: "cus_NoSuchCustomer") { nodes { id } } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'before' });
  });
});
