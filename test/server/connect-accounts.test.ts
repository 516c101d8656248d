/**
 * Connected accounts through the gateway: an account's controller, whichever way it was created,
 * and an invoice naming a destination account that does not exist.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

const post = <T = { id: string }>(path: string, params: Record<string, unknown> = {}) =>
  h.admin.request<T>({ method: 'POST', path, params });

async function accountOf(id: string): Promise<unknown> {
  const response = await h.query(
    `query($id: ID) { account(id: $id) { type controller { type isController requirementCollection fees { payer } losses { payments } stripeDashboard { type } } } }`,
    { variables: { id } },
  );
  expect(response.body.errors).toBeUndefined();
  return (response.body.data as { account: unknown }).account;
}

/** An account's type and the controller the platform reads. */
const controlled = (
  type: string,
  payer: string,
  payments: string,
  collection: string,
  dashboard: string,
) => ({
  type,
  controller: {
    type: 'APPLICATION',
    isController: true,
    requirementCollection: collection,
    fees: { payer },
    losses: { payments },
    stripeDashboard: { type: dashboard },
  },
});

describe("an account's controller", () => {
  it('is what its type stands for, or what its controller parameters say', async () => {
    const custom = await post('/v1/accounts', { type: 'custom' });
    expect(await accountOf(custom.id)).toEqual(
      controlled('CUSTOM', 'APPLICATION_CUSTOM', 'APPLICATION', 'APPLICATION', 'NONE'),
    );
    const typeless = await post('/v1/accounts', {
      controller: { fees: { payer: 'application' }, losses: { payments: 'application' } },
    });
    expect(await accountOf(typeless.id)).toEqual(
      controlled('NONE', 'APPLICATION', 'APPLICATION', 'STRIPE', 'FULL'),
    );
  });
});

describe('an invoice for a destination that does not exist', () => {
  it('is refused when created, naming the destination', async () => {
    const customer = await post('/v1/customers');
    const response = await h.query(
      `mutation($customer: ID) { createInvoice(input: { customer: $customer, transferData: { destination: "acct_missing" } }) { id } }`,
      { variables: { customer: customer.id } },
    );
    expect(response.body.data?.createInvoice ?? null).toBeNull();
    expect(response.body.errors?.[0]?.message).toContain("No such destination: 'acct_missing'");
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      stripe: { param: 'transfer_data[destination]' },
    });
  });
});
