/**
 * Every list filter that names a resource is a connection on that resource, the filter filled from
 * the parent (`Price.subscriptions` by `subscriptions?price=`, `Coupon.promotionCodes`,
 * `IssuingCard.authorizations`, `IssuingCardholder.cards`, `FinancialConnectionsSession.accounts`,
 * `Payout.balanceTransactionsByPayout`); what Stripe lists only as a connected account itself is
 * under `Account.asConnectedAccount`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, startHarness } from '../server/harness.ts';

type Obj = { id: string };
let h: Harness;

async function ok(query: string, variables: Record<string, unknown> = {}) {
  const response = await h.query(query, { variables });
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data as Record<string, any>;
}

const list = async (path: string, params: Record<string, unknown> = {}, stripeAccount?: string) =>
  (
    await h.admin.request<{ data: Obj[] }>({
      method: 'GET',
      path,
      params,
      ...(stripeAccount ? { stripeAccount } : {}),
    })
  ).data;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('reverse lists from list filters', () => {
  it('Price.subscriptions and Coupon.promotionCodes answer what the filtered list answers', async () => {
    const data = await ok(
      `query($p: ID!, $c: ID!) {
        price(id: $p) { subscriptions(status: ALL) { nodes { id } } }
        coupon(id: $c) { promotionCodes { nodes { id couponId: coupon { id } } } }
      }`,
      { p: SEED.prices.basicMonthly, c: SEED.coupons.summer },
    );
    const subscriptions = await list('/v1/subscriptions', { price: SEED.prices.basicMonthly, status: 'all' });
    expect(subscriptions.length).toBeGreaterThan(0);
    expect(data.price.subscriptions.nodes.map((n: Obj) => n.id)).toEqual(subscriptions.map((s) => s.id));
    const codes = data.coupon.promotionCodes.nodes;
    expect(codes.map((n: Obj) => n.id)).toContain(SEED.promotionCode);
    for (const code of codes) expect(code.couponId).toEqual({ id: SEED.coupons.summer });
  });

  it('IssuingCardholder.cards and IssuingCard.authorizations', async () => {
    const data = await ok(
      `{ issuingCardholders { nodes { id cards { nodes { id cardholder { id }
          authorizations { nodes { id card { id } } } } } } } }`,
    );
    const holders = data.issuingCardholders.nodes.filter((c: any) => c.cards.nodes.length > 0);
    expect(holders.length).toBeGreaterThan(0);
    const withAuthorizations = holders
      .flatMap((holder: any) => holder.cards.nodes)
      .filter((card: any) => card.authorizations.nodes.length > 0);
    expect(withAuthorizations.length).toBeGreaterThan(0);
    for (const holder of holders) {
      for (const card of holder.cards.nodes) {
        expect(card.cardholder).toEqual({ id: holder.id });
        for (const auth of card.authorizations.nodes) expect(auth.card).toEqual({ id: card.id });
      }
    }
  });

  it('Account.asConnectedAccount reads the account’s own payouts and balance', async () => {
    const account = SEED.connected.account;
    const data = await ok(
      `query($a: ID!) { account(id: $a) { id asConnectedAccount { stripeAccount
          payouts { nodes { id stripeAccount } } balance { available { amount currency } } } } }`,
      { a: account },
    );
    const scoped = data.account.asConnectedAccount;
    expect(scoped.stripeAccount).toBe(account);
    const payouts = await list('/v1/payouts', {}, account);
    expect(scoped.payouts.nodes.map((n: Obj) => n.id)).toEqual(payouts.map((p) => p.id));
    for (const payout of scoped.payouts.nodes) expect(payout.stripeAccount).toBe(account);
    const balance = await h.admin.request<{ available: { amount: number }[] }>({
      method: 'GET',
      path: '/v1/balance',
      stripeAccount: account,
    });
    expect(scoped.balance.available.map((a: any) => a.amount)).toEqual(
      balance.available.map((a) => a.amount),
    );
  });
});
