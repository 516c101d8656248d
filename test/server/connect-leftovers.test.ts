/**
 * Connect through the gateway: what a destination account's events show of a destination charge
 * and of a transfer's reversal, the balances a destination charge leaves, its transfer group and
 * the fee its capture sets, a quote made through it for a customer on a test clock, and a new
 * account's default payout schedule.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PAYEE_ACCOUNT } from '../emulator/helpers.ts';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

const post = <T = { id: string }>(path: string, params: Record<string, unknown> = {}) =>
  h.admin.request<T>({ method: 'POST', path, params });

/** A new connected account that can receive transfers (a custom one in the US, onboarded). */
const newAccount = async () => (await post('/v1/accounts', PAYEE_ACCOUNT)).id;

/** The connected account's events, read through the gateway. */
async function eventsOf(account: string): Promise<any[]> {
  const response = await h.query(
    `query($account: ID!) { connectedAccount(id: $account) { events { nodes { type data { object } } } } }`,
    { variables: { account } },
  );
  expect(response.body.errors).toBeUndefined();
  const { connectedAccount } = response.body.data as { connectedAccount: { events: { nodes: any[] } } };
  return connectedAccount.events.nodes;
}

describe("a destination charge's payment", () => {
  it("is among the destination account's events, as payment.created", async () => {
    const account = await newAccount();
    const charge = await post<{ transfer: string }>('/v1/charges', {
      amount: 1500,
      currency: 'usd',
      source: 'tok_visa',
      transfer_data: { destination: account },
    });
    const events = await eventsOf(account);
    expect(events.map((event) => event.type)).toEqual(['payment.created']);
    expect(events[0]!.data.object).toMatchObject({
      object: 'charge',
      amount: 1500,
      source_transfer: charge.transfer,
    });
  });
});

describe('a destination charge whose funds are pending', () => {
  it("leaves the platform's available balance and is pending for the destination", async () => {
    const account = await newAccount();
    const balances = async () => {
      const response = await h.query(
        `query($account: ID!) {
          balance { available { amount currency } pending { amount currency } }
          connectedAccount(id: $account) { balance { available { amount currency } pending { amount currency } } }
        }`,
        { variables: { account } },
      );
      expect(response.body.errors).toBeUndefined();
      const data = response.body.data as any;
      const usd = (amounts: { amount: number; currency: string }[]) =>
        amounts.find((amount) => amount.currency === 'usd')?.amount ?? 0;
      return [data.balance, data.connectedAccount.balance].map((b) => [usd(b.available), usd(b.pending)]);
    };
    const [platform] = await balances();
    await post('/v1/charges', {
      amount: 2000,
      currency: 'usd',
      source: 'tok_visa',
      transfer_data: { destination: account },
    });
    // 2,000 less Stripe's fee (88) pending for the platform, and the transfer's 2,000 taken from it.
    expect(await balances()).toEqual([
      [platform![0], platform![1]! + 1912 - 2000],
      [0, 2000],
    ]);
  });
});

describe("a destination charge's transfer_group", () => {
  it('is read on the charge and on its transfer', async () => {
    const account = await newAccount();
    const charge = await post('/v1/charges', {
      amount: 1500,
      currency: 'usd',
      source: 'tok_visa',
      transfer_group: 'ORDER-21',
      transfer_data: { destination: account },
    });
    const response = await h.query(
      `query($id: ID!) { charge(id: $id) { transferGroup transfer { transferGroup } } }`,
      { variables: { id: charge.id } },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      charge: { transferGroup: 'ORDER-21', transfer: { transferGroup: 'ORDER-21' } },
    });
  });
});

describe("a capture's application fee", () => {
  it("replaces the PaymentIntent's", async () => {
    const account = await newAccount();
    const intent = await post('/v1/payment_intents', {
      amount: 2000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      payment_method_types: ['card'],
      confirm: true,
      capture_method: 'manual',
      application_fee_amount: 300,
      transfer_data: { destination: account },
    });
    const response = await h.query(
      `mutation($id: ID!) {
        capturePaymentIntent(id: $id, input: { applicationFeeAmount: 120 }) {
          applicationFeeAmount latestCharge { applicationFee { amount } }
        }
      }`,
      { variables: { id: intent.id } },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      capturePaymentIntent: { applicationFeeAmount: 120, latestCharge: { applicationFee: { amount: 120 } } },
    });
  });
});

describe("a transfer reversal's refund of the destination's payment", () => {
  it("is among the destination account's events", async () => {
    const account = await newAccount();
    await post('/v1/topups', { amount: 2000, currency: 'usd' });
    const transfer = await post('/v1/transfers', { amount: 800, currency: 'usd', destination: account });
    const reversal = await post<{ destination_payment_refund: string }>(
      `/v1/transfers/${transfer.id}/reversals`,
    );
    const events = await eventsOf(account);
    expect(events.map((event) => event.type).sort()).toEqual([
      'charge.refunded',
      'payment.created',
      'refund.created',
    ]);
    const refund = events.find((event) => event.type === 'refund.created');
    expect(refund.data.object).toMatchObject({ id: reversal.destination_payment_refund, amount: 800 });
  });
});

describe('a quote created for a customer on a test clock', () => {
  it("is dated at the clock's time, and expires 30 days later", async () => {
    const frozen = 1_690_000_000;
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
    const clock = await post('/v1/test_helpers/test_clocks', { frozen_time: frozen });
    const customer = await post('/v1/customers', { test_clock: clock.id });
    const product = await post('/v1/products', { name: 'Clocked quote' });
    const response = await h.query(
      `mutation($customer: ID!, $product: ID!) {
        createQuote(input: { customer: $customer, lineItems: [{ priceData: { currency: "usd", unitAmount: 500, product: $product } }] }) {
          created expiresAt testClock { id }
        }
      }`,
      { variables: { customer: customer.id, product: product.id } },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      createQuote: {
        created: iso(frozen),
        expiresAt: iso(frozen + 30 * 86_400),
        testClock: { id: clock.id },
      },
    });
  });
});

describe('a new connected account’s payout schedule', () => {
  it('reads as Stripe’s default through the gateway', async () => {
    const account = await newAccount();
    const response = await h.query(
      'query($id: ID!) { account(id: $id) { settings { payouts { schedule { interval delayDays } } } } }',
      { variables: { id: account } },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      account: { settings: { payouts: { schedule: { interval: 'daily', delayDays: 2 } } } },
    });
  });
});
