/**
 * References whose object lives on another account than their parent (src/schema/plans.ts,
 * OTHER_ACCOUNT_REFERENCES) are read through that account's session: a transfer's destination
 * payment is a `py_…` on the destination account, which the platform cannot read (404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, startHarness } from '../server/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ LOG_LEVEL: 'silent' });
});
afterAll(() => h.close());

/** The answer's cost extension counts the calls made since `h.upstreamCalls()`, within its estimate. */
function expectCounted(extensions: Record<string, unknown> | undefined): void {
  const cost = extensions?.cost as { estimatedUpstreamCalls: number; actualUpstreamCalls: number };
  expect(cost.actualUpstreamCalls).toBe(h.upstreamCalls());
  expect(cost.estimatedUpstreamCalls).toBeGreaterThanOrEqual(cost.actualUpstreamCalls);
}

describe('a reference on another account', () => {
  it('reads Transfer.destinationPayment as the destination account, one call per transfer, estimated', async () => {
    h.upstreamCalls();
    const { body } = await h.query(
      `query ($a: ID) { transfers(destination: $a, first: 10) { nodes { id destinationPaymentId destinationPayment { id amount sourceTransferId } } } }`,
      { variables: { a: SEED.connected.account } },
    );
    expect(body.errors).toBeUndefined();
    const nodes = (body.data?.transfers as { nodes: Record<string, unknown>[] } | undefined)?.nodes ?? [];
    // Every transfer the seed made to that account (fewer than a page).
    const seeded = [...h.emulator.store.platform.all('transfer')]
      .filter((t) => t.data.destination === SEED.connected.account)
      .map((t) => t.id);
    expect(seeded.length).toBeLessThanOrEqual(10);
    expect(seeded).not.toHaveLength(0);
    expect(nodes.map((n) => n.id).sort()).toEqual(seeded.sort());
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

  it('reads a connected payment’s source transfer back on the platform, and a fee’s charge on its account', async () => {
    h.upstreamCalls();
    const { body } = await h.query(
      `query ($t: ID!, $f: ID!) {
        transfer(id: $t) { id destinationPayment { id sourceTransfer { id amount } } }
        applicationFee(id: $f) { accountId chargeId charge { id sourceTransferId } }
      }`,
      { variables: { t: SEED.connected.transfer, f: SEED.connected.applicationFee } },
    );
    expect(body.errors).toBeUndefined();
    const data = body.data as {
      transfer: { destinationPayment: { id: string; sourceTransfer: { id: string; amount: number } } };
      applicationFee: { accountId: string; chargeId: string; charge: { id: string } };
    };
    expect(data.transfer.destinationPayment.sourceTransfer).toEqual({
      id: SEED.connected.transfer,
      amount: expect.any(Number),
    });
    expect(data.applicationFee).toEqual({
      accountId: SEED.connected.account,
      chargeId: data.transfer.destinationPayment.id,
      charge: { id: data.transfer.destinationPayment.id, sourceTransferId: SEED.connected.transfer },
    });
    const cost = body.extensions?.cost as { estimatedUpstreamCalls: number };
    expect(cost.estimatedUpstreamCalls).toBeGreaterThanOrEqual(h.upstreamCalls());
  });

  it('reads the source transfer of a payment read as the connected account', async () => {
    const { body: first } = await h.query(
      `{ transfer(id: "${SEED.connected.transfer}") { destinationPaymentId } }`,
    );
    const payment = (first.data as { transfer: { destinationPaymentId: string } }).transfer
      .destinationPaymentId;
    const { body } = await h.query(
      `query ($a: ID!, $p: ID!) { connectedAccount(id: $a) { charge(id: $p) { id sourceTransfer { id } } } }`,
      { variables: { a: SEED.connected.account, p: payment } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      connectedAccount: { charge: { id: payment, sourceTransfer: { id: SEED.connected.transfer } } },
    });
  });

  it('fetches a connected account’s payment (py_) and its refund (pyr_) with node(id:)', async () => {
    const { body: first } = await h.query(
      `{ transfer(id: "${SEED.connected.transfer}") { destinationPaymentId reversals { nodes { destinationPaymentRefundId } } } }`,
    );
    const transfer = (
      first.data as {
        transfer: {
          destinationPaymentId: string;
          reversals: { nodes: { destinationPaymentRefundId: string }[] };
        };
      }
    ).transfer;
    const payment = transfer.destinationPaymentId;
    const refund = transfer.reversals.nodes[0]!.destinationPaymentRefundId;
    expect(payment).toMatch(/^py_/);
    expect(refund).toMatch(/^pyr_/);
    const { body } = await h.query(
      `query ($p: ID!, $r: ID!) {
        payment: node(id: $p) { __typename id ... on Charge { sourceTransferId } }
        refund: node(id: $r) { __typename id ... on Refund { chargeId } }
      }`,
      { variables: { p: payment, r: refund }, headers: { 'Stripe-Account': SEED.connected.account } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      payment: { __typename: 'Charge', id: payment, sourceTransferId: SEED.connected.transfer },
      refund: { __typename: 'Refund', id: refund, chargeId: payment },
    });
  });

  it('reads the platform’s side of a connected payment for a request sent with Stripe-Account', async () => {
    const { body: first } = await h.query(
      `{ transfer(id: "${SEED.connected.transfer}") { destinationPaymentId } }`,
    );
    const payment = (first.data as { transfer: { destinationPaymentId: string } }).transfer
      .destinationPaymentId;
    h.upstreamCalls();
    const { body } = await h.query(`query ($p: ID!) { charge(id: $p) { id sourceTransfer { id } } }`, {
      variables: { p: payment },
      headers: { 'Stripe-Account': SEED.connected.account },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ charge: { id: payment, sourceTransfer: { id: SEED.connected.transfer } } });
    expectCounted(body.extensions);
  });

  it('reads TransferReversal.destinationPaymentRefund on the transfer’s destination', async () => {
    h.upstreamCalls();
    const { body } = await h.query(
      `{ transfer(id: "${SEED.connected.transfer}") {
        destinationPaymentId
        reversals { nodes { id amount destinationPaymentRefundId destinationPaymentRefund { id amount chargeId } } }
      } }`,
    );
    expect(body.errors).toBeUndefined();
    const transfer = (
      body.data as {
        transfer: {
          destinationPaymentId: string;
          reversals: {
            nodes: {
              amount: number;
              destinationPaymentRefundId: string;
              destinationPaymentRefund: unknown;
            }[];
          };
        };
      }
    ).transfer;
    const reversal = transfer.reversals.nodes[0]!;
    expect(reversal.destinationPaymentRefund).toEqual({
      id: reversal.destinationPaymentRefundId,
      amount: reversal.amount,
      chargeId: transfer.destinationPaymentId,
    });
    expectCounted(body.extensions);
  });

  it('reads a reversal’s destination refund when the request has not read its transfer, estimated', async () => {
    h.upstreamCalls();
    const { body } = await h.query(
      `{ transferReversal(transfer: "${SEED.connected.transfer}", id: "${SEED.connected.reversal}") {
        destinationPaymentRefundId destinationPaymentRefund { id }
      } }`,
    );
    expect(body.errors).toBeUndefined();
    const reversal = (body.data as { transferReversal: { destinationPaymentRefundId: string } })
      .transferReversal;
    expect(body.data).toEqual({
      transferReversal: {
        destinationPaymentRefundId: expect.stringMatching(/^pyr_/),
        destinationPaymentRefund: { id: reversal.destinationPaymentRefundId },
      },
    });
    // The reversal, its transfer (for the destination), the refund there.
    expect(h.upstreamCalls()).toBe(3);
    const cost = body.extensions?.cost as { estimatedUpstreamCalls: number; actualUpstreamCalls: number };
    expect(cost).toMatchObject({ estimatedUpstreamCalls: 3, actualUpstreamCalls: 3 });
  });
});
