/**
 * Ids Stripe sends as plain strings (not expandable) that name another resource resolve to that
 * resource, derived from the model (src/spec/relations.ts, `linkIdReferences`), beside `xId`:
 * loaded by id through the loaders (de-duplicated within a request), counted in the estimate.
 */
import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';

type Obj = { id: string };
let h: Harness;

const post = <T = Obj>(path: string, params: Record<string, unknown>) =>
  h.admin.request<T>({ method: 'POST', path, params });

async function ok(query: string, variables: Record<string, unknown> = {}) {
  const response = await h.query(query, { variables });
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return { data: response.body.data as Record<string, any>, cost: response.body.extensions?.cost as any };
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('ids that name another resource', () => {
  it('are object fields beside their xId on the types the issue names', () => {
    const { schema } = sharedSchema();
    const expected: [string, string, string][] = [
      ['SubscriptionItem', 'subscription', 'StripeSubscription'],
      ['LineItem', 'invoice', 'Invoice'],
      ['Invoiceitem', 'subscriptionItem', 'SubscriptionItem'],
      ['UsageRecord', 'subscriptionItem', 'SubscriptionItem'],
      ['Charge', 'paymentMethod', 'PaymentMethod'],
      ['Person', 'account', 'Account'],
      ['AccountSession', 'account', 'Account'],
      ['SourceTransaction', 'source', 'Source'],
      ['TreasuryReceivedCredit', 'financialAccount', 'TreasuryFinancialAccount'],
      ['TreasuryTransaction', 'financialAccount', 'TreasuryFinancialAccount'],
      ['IssuingCard', 'financialAccount', 'TreasuryFinancialAccount'],
      ['TreasuryCreditReversal', 'receivedCredit', 'TreasuryReceivedCredit'],
      ['RadarValueListItem', 'valueList', 'RadarValueList'],
      ['IdentityVerificationReport', 'verificationSession', 'IdentityVerificationSession'],
      ['ReportingReportRun', 'reportType', 'ReportingReportType'],
      ['ForwardingRequest', 'paymentMethod', 'PaymentMethod'],
    ];
    for (const [type, field, target] of expected) {
      const object = schema.getType(type);
      if (!isObjectType(object)) throw new Error(`${type} is not an object type`);
      expect(String(object.getFields()[field]?.type), `${type}.${field}`).toBe(target);
      expect(String(object.getFields()[`${field}Id`]?.type), `${type}.${field}Id`).toMatch(/^ID/);
    }
  });

  it('SubscriptionItem.subscription: two items of one subscription load it once', async () => {
    const customer = await post('/v1/customers', { email: 'refs@example.com' });
    const product = await post('/v1/products', { name: 'Refs' });
    const prices = await Promise.all(
      [500, 900].map((unit_amount) =>
        post('/v1/prices', {
          product: product.id,
          unit_amount,
          currency: 'usd',
          recurring: { interval: 'month' },
        }),
      ),
    );
    const subscription = await post('/v1/subscriptions', {
      customer: customer.id,
      items: prices.map((p) => ({ price: p.id })),
    });
    h.upstreamCalls();
    const { data, cost } = await ok(
      `query($s: ID!) { subscriptionItems(subscription: $s) { nodes {
          subscriptionId subscription { id customerId } } } }`,
      { s: subscription.id },
    );
    expect(data.subscriptionItems.nodes).toEqual([
      { subscriptionId: subscription.id, subscription: { id: subscription.id, customerId: customer.id } },
      { subscriptionId: subscription.id, subscription: { id: subscription.id, customerId: customer.id } },
    ]);
    // one list, one subscription (the two references are one load)
    expect(h.upstreamCalls()).toBe(2);
    expect(cost.actualUpstreamCalls).toBe(2);
    expect(cost.estimatedUpstreamCalls).toBeGreaterThanOrEqual(cost.actualUpstreamCalls);
  });

  it('LineItem.invoice and Charge.paymentMethod', async () => {
    const { data } = await ok(
      `query($inv: ID!, $pi: ID!) {
        invoice(id: $inv) { lines { nodes { invoiceId invoice { id customerId } } } }
        paymentIntent(id: $pi) { latestCharge { paymentMethodId paymentMethod { id type } } }
      }`,
      { inv: SEED.jenny.invoice, pi: SEED.alan.paymentIntent },
    );
    expect(data.invoice.lines.nodes.length).toBeGreaterThan(0);
    for (const line of data.invoice.lines.nodes) {
      expect(line).toEqual({
        invoiceId: SEED.jenny.invoice,
        invoice: { id: SEED.jenny.invoice, customerId: SEED.jenny.customer },
      });
    }
    const charge = data.paymentIntent.latestCharge;
    expect(charge.paymentMethod).toEqual({ id: charge.paymentMethodId, type: 'CARD' });
  });

  it('Person.account', async () => {
    const account = await post('/v1/accounts', { type: 'custom', country: 'US' });
    await post(`/v1/accounts/${account.id}/persons`, { first_name: 'Ada' });
    const { data } = await ok(
      'query($a: ID!) { account(id: $a) { persons { nodes { firstName accountId account { id } } } } }',
      { a: account.id },
    );
    expect(data.account.persons.nodes).toEqual([
      { firstName: 'Ada', accountId: account.id, account: { id: account.id } },
    ]);
  });

  it('financialAccount on Treasury objects, and TreasuryCreditReversal.receivedCredit', async () => {
    const accounts = await h.admin.request<{ data: Obj[] }>({
      method: 'GET',
      path: '/v1/treasury/financial_accounts',
    });
    const fa = accounts.data[0]!.id;
    h.upstreamCalls();
    const { data } = await ok(
      `query($fa: ID!) {
        treasuryReceivedCredits(financialAccount: $fa) { nodes { financialAccount { id } } }
        treasuryCreditReversals(financialAccount: $fa) { nodes { receivedCreditId receivedCredit { id financialAccountId } } }
      }`,
      { fa },
    );
    expect(data.treasuryReceivedCredits.nodes.length).toBeGreaterThan(0);
    for (const node of data.treasuryReceivedCredits.nodes) expect(node.financialAccount).toEqual({ id: fa });
    expect(data.treasuryCreditReversals.nodes.length).toBeGreaterThan(0);
    for (const node of data.treasuryCreditReversals.nodes) {
      expect(node.receivedCredit).toEqual({ id: node.receivedCreditId, financialAccountId: fa });
    }
    // two lists and the financial account once; the received credits the reversals name came with
    // the first list, which primed the loader
    expect(h.upstreamCalls()).toBe(3);
  });
});
