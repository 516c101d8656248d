/**
 * Connect through the gateway: what a destination account's events show of a destination charge.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

describe("a destination charge's payment", () => {
  it("is among the destination account's events, as payment.created", async () => {
    const post = <T = { id: string }>(path: string, params: Record<string, unknown>) =>
      h.admin.request<T>({ method: 'POST', path, params });
    const account = (await post('/v1/accounts', { type: 'custom', country: 'US' })).id;
    const charge = await post<{ transfer: string }>('/v1/charges', {
      amount: 1500,
      currency: 'usd',
      source: 'tok_visa',
      transfer_data: { destination: account },
    });
    const response = await h.query(
      `query($account: ID!) { connectedAccount(id: $account) { events { nodes { type data { object } } } } }`,
      { variables: { account } },
    );
    expect(response.body.errors).toBeUndefined();
    const { connectedAccount } = response.body.data as { connectedAccount: { events: { nodes: any[] } } };
    const events = connectedAccount.events.nodes;
    expect(events.map((event) => event.type)).toEqual(['payment.created']);
    expect(events[0]!.data.object).toMatchObject({
      object: 'charge',
      amount: 1500,
      source_transfer: charge.transfer,
    });
  });
});
