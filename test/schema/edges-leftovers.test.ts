/**
 * What a frontend developer reads in the schema at the gateway's edges: the notes each argument
 * carries at run time, checked against what the gateway then does on the emulator.
 */
import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** The run-time description of `mutation`'s `idempotencyKey` argument. */
function keyNote(mutation: string): string | null | undefined {
  const root = sharedSchema().schema.getMutationType();
  if (!isObjectType(root)) throw new Error('no Mutation root');
  return root.getFields()[mutation]?.args.find((a) => a.name === 'idempotencyKey')?.description;
}

describe('idempotencyKey on the writes Stripe serves with DELETE', () => {
  it('says it is not sent, where a POST write says it is', () => {
    for (const mutation of ['deleteCustomer', 'deleteCustomerCard', 'cancelSubscription']) {
      expect(keyNote(mutation), mutation).toMatch(/^Not sent: Stripe serves this write with DELETE/);
    }
    for (const mutation of ['createCustomer', 'updateCustomer', 'finalizeInvoice']) {
      expect(keyNote(mutation), mutation).toMatch(/^Stripe's Idempotency-Key/);
    }
  });

  it('is not sent: a repeated delete answers NOT_FOUND, with no key to retry with', async () => {
    const { id } = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: {},
    });
    const remove = `mutation { deleteCustomer(id: "${id}", idempotencyKey: "edges-delete-1") { deletedId } }`;
    expect((await h.query(remove)).body).toMatchObject({ data: { deleteCustomer: { deletedId: id } } });
    const again = await h.query(remove);
    expect(again.body.data).toEqual({ deleteCustomer: null });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', mayHaveHappened: false });
    expect(again.body.errors?.[0]?.extensions).not.toHaveProperty('idempotencyKey');
  });
});
