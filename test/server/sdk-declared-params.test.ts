/**
 * Parameters stripe-node declares and the spec lacks (src/spec/widenings.ts), through the gateway:
 * they are input fields like the spec's, typed as the output they write.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

describe('a parameter the SDK declares beyond the spec', () => {
  it("sets a verification session's email option, read back from the session", async () => {
    const created = await h.query(
      `mutation { createIdentityVerificationSession(input: { type: DOCUMENT,
        options: { email: { requireVerification: true } } }) { id } }`,
    );
    expect(created.body.errors).toBeUndefined();
    const { id } = (created.body.data as { createIdentityVerificationSession: { id: string } })
      .createIdentityVerificationSession;
    const read = await h.query(
      'query($id: ID!) { identityVerificationSession(id: $id) { options { email { requireVerification } phone { requireVerification } } } }',
      { variables: { id } },
    );
    expect(read.body.data).toEqual({
      identityVerificationSession: { options: { email: { requireVerification: true }, phone: null } },
    });
  });

  it('takes `validate` on createCustomer', async () => {
    const response = await h.query(
      'mutation { createCustomer(input: { source: "tok_visa", validate: false }) { id defaultSource { __typename } } }',
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toMatchObject({ createCustomer: { defaultSource: { __typename: 'Card' } } });
  });

  it("subscribes an item to a plan, its price's id", async () => {
    const customer = await h.query('mutation { createCustomer(input: { source: "tok_visa" }) { id } }');
    const { id } = (customer.body.data as { createCustomer: { id: string } }).createCustomer;
    const response = await h.query(
      `mutation($customer: ID!, $plan: ID!) { createSubscription(input: { customer: $customer,
        items: [{ plan: $plan }] }) { items { nodes { price { id } } } } }`,
      { variables: { customer: id, plan: SEED.prices.basicMonthly } },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      createSubscription: { items: { nodes: [{ price: { id: SEED.prices.basicMonthly } }] } },
    });
  });

  it("schedules a phase's item by a plan, its price's id", async () => {
    const customer = await h.query('mutation { createCustomer(input: { source: "tok_visa" }) { id } }');
    const { id } = (customer.body.data as { createCustomer: { id: string } }).createCustomer;
    const response = await h.query(
      `mutation($customer: ID!, $plan: ID!) { createSubscriptionSchedule(input: { customer: $customer,
        startDate: { now: true }, phases: [{ items: [{ plan: $plan }], iterations: 1 }] })
        { subscription { items { nodes { price { id } } } } } }`,
      { variables: { customer: id, plan: SEED.prices.basicMonthly } },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      createSubscriptionSchedule: {
        subscription: { items: { nodes: [{ price: { id: SEED.prices.basicMonthly } }] } },
      },
    });
  });
});
