/**
 * Issuing test authorizations through the gateway's mutations, as a user of them reads them back:
 * what an authorization still holds, and its merchant's category code (rules/issuing.ts).
 */
import { afterAll, expect, it } from 'vitest';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

/** An active virtual USD card of a new cardholder, made on the emulator. */
function activeCard(): string {
  const service = h.emulator.service;
  const holder = service.call('POST', '/v1/issuing/cardholders', {
    name: 'Ada Lovelace',
    type: 'individual',
    billing: { address: { line1: '1 Main St', city: 'San Francisco', postal_code: '94111', country: 'US' } },
  });
  const card = service.call('POST', '/v1/issuing/cards', {
    cardholder: String(holder.id),
    currency: 'usd',
    type: 'virtual',
    status: 'active',
  });
  return String(card.id);
}

it('a partly reversed authorization holds the rest, in amount and merchantAmount', async () => {
  const created = h.emulator.service.call('POST', '/v1/test_helpers/issuing/authorizations', {
    card: activeCard(),
    amount: 5000,
  });
  const id = String(created.id);
  const reversed = await h.query(
    `mutation($id: ID!) {
      reverseIssuingAuthorization(id: $id, input: { reverseAmount: 1500 }) {
        status amount merchantAmount pendingRequest { amount }
      }
    }`,
    { variables: { id } },
  );
  expect(reversed.body.errors).toBeUndefined();
  expect(reversed.body.data).toEqual({
    reverseIssuingAuthorization: {
      status: 'PENDING',
      amount: 3500,
      merchantAmount: 3500,
      pendingRequest: null,
    },
  });
});

it("an authorization's merchant reads back with its category's code", async () => {
  const created = h.emulator.service.call('POST', '/v1/test_helpers/issuing/authorizations', {
    card: activeCard(),
    amount: 1200,
    merchant_data: { category: 'taxicabs_limousines' },
  });
  const read = await h.query(
    `query($id: ID!) { issuingAuthorization(id: $id) { merchantData { category categoryCode } } }`,
    { variables: { id: String(created.id) } },
  );
  expect(read.body.errors).toBeUndefined();
  expect(read.body.data).toEqual({
    issuingAuthorization: { merchantData: { category: 'taxicabs_limousines', categoryCode: '4121' } },
  });
});
