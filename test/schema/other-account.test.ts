/**
 * References whose object lives on another account than their parent (src/schema/plans.ts,
 * OTHER_ACCOUNT_REFERENCES) are read through that account's session: a transfer's destination
 * payment is a `py_…` on the destination account, which the platform cannot read (404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed.ts';
import { type Harness, startHarness } from '../server/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ LOG_LEVEL: 'silent' });
});
afterAll(() => h.close());

describe('a reference on another account', () => {
  it('reads Transfer.destinationPayment as the destination account, one call per transfer, estimated', async () => {
    h.upstreamCalls();
    const { body } = await h.query(
      `query ($a: ID) { transfers(destination: $a, first: 10) { nodes { id destinationPaymentId destinationPayment { id amount sourceTransferId } } } }`,
      { variables: { a: SEED.connected.account } },
    );
    expect(body.errors).toBeUndefined();
    const nodes = (body.data?.transfers as { nodes: Record<string, unknown>[] } | undefined)?.nodes ?? [];
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    for (const node of nodes) {
      expect(node.destinationPayment).toEqual({
        id: node.destinationPaymentId,
        amount: expect.any(Number),
        sourceTransferId: node.id,
      });
    }
    const calls = h.upstreamCalls();
    expect(calls).toBe(1 + nodes.length);
    const cost = body.extensions?.cost as { estimatedUpstreamCalls: number };
    expect(cost.estimatedUpstreamCalls).toBeGreaterThanOrEqual(calls);
  });

  it('reads it under a transfer read by id', async () => {
    const { body } = await h.query(
      `{ transfer(id: "${SEED.connected.transfer}") { destinationPayment { id } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ transfer: { destinationPayment: { id: expect.stringMatching(/^py_/) } } });
  });
});
