/**
 * Connect: the Stripe-Account header scopes a whole request; connectedAccount(id:) scopes a
 * subtree, down to nested references, so one query reads several accounts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PAYEE_ACCOUNT } from '../emulator/helpers.ts';
import { type Harness, startHarness } from './harness.ts';

type Obj = { id: string };

let h: Harness;
let accountA: string;
let accountB: string;
let platformCustomer: string;
let customerA: string;
let customerB: string;

beforeAll(async () => {
  h = await startHarness();
  const post = <T = Obj>(path: string, params: Record<string, unknown>, stripeAccount?: string) =>
    h.admin.request<T>({ method: 'POST', path, params, ...(stripeAccount ? { stripeAccount } : {}) });
  // Onboarded: both take charges, and A receives transfers (destination charges).
  accountA = (await post('/v1/accounts', { ...PAYEE_ACCOUNT, email: 'a@example.com' })).id;
  accountB = (await post('/v1/accounts', { ...PAYEE_ACCOUNT, country: 'FR', email: 'b@example.com' })).id;
  platformCustomer = (await post('/v1/customers', { name: 'On the platform' })).id;
  customerA = (await post('/v1/customers', { name: 'Customer of A', source: 'tok_visa' }, accountA)).id;
  customerB = (await post('/v1/customers', { name: 'Customer of B', source: 'tok_mastercard' }, accountB)).id;
  await post('/v1/charges', { amount: 1500, currency: 'usd', customer: customerA }, accountA);
  await post('/v1/charges', { amount: 2500, currency: 'eur', customer: customerB }, accountB);
});
afterAll(() => h.close());
beforeEach(() => {
  h.upstreamCalls();
});

const nameOf = `... on Customer { name }`;

describe('Stripe-Account header', () => {
  it('scopes the whole request to the connected account', async () => {
    const response = await h.query(
      `{ a: customer(id: "${customerA}") { ${nameOf} } p: customer(id: "${platformCustomer}") { ${nameOf} } }`,
      { headers: { 'Stripe-Account': accountA } },
    );
    expect(response.body.data?.a).toEqual({ name: 'Customer of A' });
    expect(response.body.data?.p).toBeNull();
    expect(response.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['p'], 'NOT_FOUND']]);
  });

  it('without it, reads the platform', async () => {
    const response = await h.query(`{ customer(id: "${customerA}") { ${nameOf} } }`);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a malformed header before calling Stripe', async () => {
    const response = await h.query('{ customers { nodes { id } } }', {
      headers: { 'Stripe-Account': 'cus_nope' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_STRIPE_ACCOUNT_HEADER');
    expect(h.upstreamCalls()).toBe(0);
  });
});

describe('connectedAccount(id:)', () => {
  it('reads several accounts and the platform in one query, nested references included', async () => {
    const query = `{
      platform: customer(id: "${platformCustomer}") { ${nameOf} }
      a: connectedAccount(id: "${accountA}") {
        stripeAccount
        customer(id: "${customerA}") { ${nameOf} }
        charges { nodes { amount currency customer { ${nameOf} } } }
      }
      b: connectedAccount(id: "${accountB}") {
        stripeAccount
        charges { nodes { amount currency customer { ${nameOf} } } }
      }
    }`;
    const response = await h.query(query);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      platform: { name: 'On the platform' },
      a: {
        stripeAccount: accountA,
        customer: { name: 'Customer of A' },
        charges: { nodes: [{ amount: 1500, currency: 'usd', customer: { name: 'Customer of A' } }] },
      },
      b: {
        stripeAccount: accountB,
        charges: { nodes: [{ amount: 2500, currency: 'eur', customer: { name: 'Customer of B' } }] },
      },
    });
    // The calls of every account's loaders are counted, and match what Stripe served.
    const cost = response.body.extensions?.cost as { actualUpstreamCalls: number };
    expect(cost.actualUpstreamCalls).toBeGreaterThanOrEqual(4);
    expect(h.upstreamCalls()).toBe(cost.actualUpstreamCalls);
  });

  it('overrides the header for its subtree', async () => {
    const response = await h.query(
      `{ mine: customer(id: "${customerA}") { ${nameOf} } other: connectedAccount(id: "${accountB}") { customer(id: "${customerB}") { ${nameOf} } } }`,
      { headers: { 'Stripe-Account': accountA } },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      mine: { name: 'Customer of A' },
      other: { customer: { name: 'Customer of B' } },
    });
  });

  it('refuses an id that is not an account id, leaving the rest of the query alone', async () => {
    const response = await h.query(
      `{ bad: connectedAccount(id: "cus_123") { stripeAccount } ok: customer(id: "${platformCustomer}") { ${nameOf} } }`,
    );
    expect(response.body.data).toEqual({ bad: null, ok: { name: 'On the platform' } });
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('application fees', () => {
  /** A destination charge of 50.00 to account A with a fee of 5.00. */
  const destinationCharge = () =>
    h.admin.request<Obj>({
      method: 'POST',
      path: '/v1/charges',
      params: {
        amount: 5000,
        currency: 'usd',
        source: 'tok_visa',
        application_fee_amount: 500,
        transfer_data: { destination: accountA },
      },
    });

  it("a destination charge's fee reads its charge on the connected account", async () => {
    const charge = await destinationCharge();
    const response = await h.query(
      `{ charge(id: "${charge.id}") { applicationFee { charge { id amount } originatingTransaction { id } } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    const fee = (response.body.data as any).charge.applicationFee;
    expect(fee.charge).toMatchObject({ id: expect.stringMatching(/^py_/), amount: 5000 });
    expect(fee.originatingTransaction).toEqual({ id: charge.id });
  });

  it("a direct charge's fee, held by the platform, reads its charge back on the account", async () => {
    const charge = await h.admin.request<Obj>({
      method: 'POST',
      path: '/v1/charges',
      params: { amount: 3000, currency: 'usd', source: 'tok_visa', application_fee_amount: 200 },
      stripeAccount: accountA,
    });
    const response = await h.query(
      `{ connectedAccount(id: "${accountA}") { charge(id: "${charge.id}") { applicationFee { amount charge { id } } } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      connectedAccount: { charge: { applicationFee: { amount: 200, charge: { id: charge.id } } } },
    });
  });

  it("a refund's transfer reversal and fee refund, read through the refund", async () => {
    const charge = await destinationCharge();
    const refund = await h.admin.request<Obj>({
      method: 'POST',
      path: '/v1/refunds',
      params: { charge: charge.id, amount: 1000, reverse_transfer: true, refund_application_fee: true },
    });
    const response = await h.query(
      `{ refund(id: "${refund.id}") { transferReversal { amount sourceRefund { id } } charge { applicationFee { amountRefunded } } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      refund: {
        transferReversal: { amount: 1000, sourceRefund: { id: refund.id } },
        charge: { applicationFee: { amountRefunded: 100 } },
      },
    });
  });
});
