/**
 * The cost estimate is an upper bound (src/server/cost.ts): random queries over the schema
 * (test/server/random-queries.ts, seeded) run against the emulator's demo data, and on every one
 * the calls the emulator served are at most `estimatedUpstreamCalls`. The three examples
 * are checked by name, at Stripe's minimum calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, startHarness } from './harness.ts';
import { demoIds, measureEstimates, randomQueries } from './random-queries.ts';

let h: Harness;
let ids: Map<string, string[]>;

beforeAll(async () => {
  h = await startHarness({ LOG_LEVEL: 'silent', QUERY_MAX_COST: '100000', QUERY_MAX_ALIASES: '1000' });
  ids = await demoIds(h);
});
afterAll(() => h.close());

async function measure(query: string, variables: Record<string, unknown> = {}) {
  h.upstreamCalls();
  const { body } = await h.query(query, { variables });
  const actual = h.upstreamCalls();
  const cost = body.extensions?.cost as { estimatedUpstreamCalls: number } | undefined;
  return { estimated: cost?.estimatedUpstreamCalls ?? Number.NaN, actual, errors: body.errors };
}

describe('the examples of issue 24', () => {
  it('transfers → reversals → balance transaction: one call (expand[]=data.reversals.data.balance_transaction)', async () => {
    const m = await measure(
      `query ($a: ID) { transfers(destination: $a, first: 100) { nodes { reversals { nodes { balanceTransaction { id } } } } } }`,
      { a: SEED.connected.account },
    );
    expect(m.errors).toBeUndefined();
    expect(m.actual).toBe(1);
    expect(m.estimated).toBeGreaterThanOrEqual(m.actual);
  });

  it('a subscription’s items → price → product: one call (expand[]=items.data.price.product)', async () => {
    const m = await measure(
      `query ($id: ID!) { subscription(id: $id) { items { nodes { price { product { name } } } } } }`,
      { id: SEED.jenny.subscription },
    );
    expect(m.errors).toBeUndefined();
    expect(m.actual).toBe(1);
    expect(m.estimated).toBeGreaterThanOrEqual(m.actual);
  });

  it('accounts → capabilities → transfers → reversals → balance transaction: three calls, estimated at least that', async () => {
    const m = await measure(
      `{ accounts(first: 10) { nodes { capabilities { nodes { account { transfers { nodes { reversals { nodes { balanceTransaction { id } } } } } } } } } } }`,
    );
    expect(m.errors).toBeUndefined();
    // The demo's one connected account: the account list; its capabilities (one list call); each
    // capability's account folded into that call; the transfers to it, listed once for both
    // capabilities (the same request), each with its reversals and their balance transactions
    // folded (expand[]=data.reversals.data.balance_transaction).
    expect(m.actual).toBe(3);
    expect(m.estimated).toBeGreaterThanOrEqual(m.actual);
  });
});

describe('estimatedUpstreamCalls >= actualUpstreamCalls', () => {
  it('on every one of 800 random queries (seeded)', { timeout: 120_000 }, async () => {
    const queries = randomQueries(h.gateway.schema.schema, Number(process.env.ESTIMATE_SEED ?? 24), 800, {
      ids,
      accounts: [SEED.connected.account],
    });
    const measured = await measureEstimates(h, queries);
    const under = measured
      .filter((m) => m.estimated < m.actual)
      .map((m) => `${m.estimated} < ${m.actual}: ${m.query}`);
    const exact = measured.filter((m) => m.estimated === m.actual).length;
    const ran = measured.length;
    console.log(`estimate bound: ${ran} queries, estimate == actual on ${exact}`);
    expect(ran).toBeGreaterThan(750);
    expect(under).toEqual([]);
  });
});
