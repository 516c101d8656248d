/**
 * Apollo Client's normalised cache against the gateway: objects are stored under `__typename:id`,
 * so ids must be unique per type. Two accounts' capabilities (Stripe ids `card_payments`, …, the same
 * for every account) must stay apart: writing account B must not overwrite account A's.
 */
import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, startHarness } from '../server/harness.ts';
import { gatewayLink } from './client-helpers.ts';

const ACCOUNT = gql`
  query AccountCapabilities($id: ID!) {
    account(id: $id) {
      id
      capabilities(first: 10) {
        nodes { id stripeId status requested }
      }
    }
  }
`;

interface Capabilities {
  account: { id: string; capabilities: { nodes: { id: string; stripeId: string; requested: boolean }[] } };
}

describe('Apollo Client cache', () => {
  let h: Harness;
  let other: string;
  beforeAll(async () => {
    h = await startHarness();
    // A second account whose card_payments capability is not requested (the seeded one's is).
    const created = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/accounts',
      params: {
        type: 'custom',
        capabilities: { card_payments: { requested: false }, transfers: { requested: true } },
      },
    });
    other = created.id;
  });
  afterAll(() => h.close());

  // The link sends the document Apollo wrote (with the `__typename`s it adds), as a browser would.
  it("keeps two accounts' capabilities apart", async () => {
    const link = gatewayLink(() => h);
    const client = new ApolloClient({ cache: new InMemoryCache(), link });
    const a = await client.query<Capabilities>({ query: ACCOUNT, variables: { id: SEED.connected.account } });
    const b = await client.query<Capabilities>({ query: ACCOUNT, variables: { id: other } });
    const cardPayments = (result: Capabilities | undefined) =>
      result?.account.capabilities.nodes.find((c) => c.stripeId === 'card_payments');
    expect(cardPayments(a.data)?.requested).toBe(true);
    expect(cardPayments(b.data)?.requested).toBe(false);
    // Read A back from the cache after B was written: still A's.
    const cached = client.readQuery<Capabilities>({
      query: ACCOUNT,
      variables: { id: SEED.connected.account },
    });
    expect(cardPayments(cached ?? undefined)).toEqual(cardPayments(a.data));
    expect(cardPayments(cached ?? undefined)?.id).toBe(`${SEED.connected.account}/card_payments`);
    const keys = Object.keys(client.cache.extract() as object).filter((k) => k.startsWith('Capability:'));
    expect(keys.length).toBeGreaterThanOrEqual(3);
  });
});
