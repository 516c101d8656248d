/**
 * Stripe errors carry the objects they name (`payment_intent`, `setup_intent`, `charge`,
 * `payment_method`) as ids under `extensions.stripe`, so that a client can continue: a declined
 * `createPaymentIntent(… confirm: true)` hands back the PaymentIntent, left in
 * `requires_payment_method`, and the client retries on that same PaymentIntent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../server/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('errors carry the related objects', () => {
  it('a declined createPaymentIntent(confirm: true) names its PaymentIntent, charge and method; retrying on it succeeds', async () => {
    const declined = await h.query(
      `mutation { createPaymentIntent(input: { amount: 1500, currency: "usd", confirm: true,
          paymentMethod: "pm_card_chargeDeclined", paymentMethodTypes: ["card"] }) { id } }`,
    );
    expect(declined.body.data).toEqual({ createPaymentIntent: null });
    const stripe = declined.body.errors?.[0]?.extensions?.stripe as Record<string, string>;
    expect(stripe).toMatchObject({
      statusCode: 402,
      code: 'card_declined',
      declineCode: 'generic_decline',
      paymentIntent: expect.stringMatching(/^pi_/),
      charge: expect.stringMatching(/^ch_/),
      paymentMethod: expect.stringMatching(/^pm_/),
    });

    const read = await h.query(
      `query($pi: ID!, $ch: ID!) {
        paymentIntent(id: $pi) { id status latestChargeId }
        charge(id: $ch) { id status paymentIntentId failureCode }
      }`,
      { variables: { pi: stripe.paymentIntent, ch: stripe.charge } },
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toEqual({
      paymentIntent: {
        id: stripe.paymentIntent,
        status: 'REQUIRES_PAYMENT_METHOD',
        latestChargeId: stripe.charge,
      },
      charge: {
        id: stripe.charge,
        status: 'FAILED',
        paymentIntentId: stripe.paymentIntent,
        failureCode: 'card_declined',
      },
    });

    const retried = await h.query(
      `mutation($pi: ID!) { confirmPaymentIntent(id: $pi, input: { paymentMethod: "pm_card_visa" }) { id status } }`,
      { variables: { pi: stripe.paymentIntent } },
    );
    expect(retried.body.errors).toBeUndefined();
    expect(retried.body.data).toEqual({
      confirmPaymentIntent: { id: stripe.paymentIntent, status: 'SUCCEEDED' },
    });
  });

  it('a declined createCharge with tok_chargeDeclined names the failed charge', async () => {
    const declined = await h.query(
      `mutation { createCharge(input: { amount: 700, currency: "usd", source: "tok_chargeDeclined" }) { id } }`,
    );
    const stripe = declined.body.errors?.[0]?.extensions?.stripe as Record<string, string>;
    expect(stripe).toMatchObject({ code: 'card_declined', charge: expect.stringMatching(/^ch_/) });
    const read = await h.query('query($id: ID!) { charge(id: $id) { status amount } }', {
      variables: { id: stripe.charge },
    });
    expect(read.body.data).toEqual({ charge: { status: 'FAILED', amount: 700 } });
  });

  it('a declined confirmSetupIntent names the SetupIntent and the method', async () => {
    const created = await h.query(
      'mutation { createSetupIntent(input: { paymentMethodTypes: ["card"] }) { id } }',
    );
    const id = (created.body.data!.createSetupIntent as { id: string }).id;
    const declined = await h.query(
      `mutation($id: ID!) { confirmSetupIntent(id: $id, input: { paymentMethod: "pm_card_chargeDeclined" }) { id } }`,
      { variables: { id } },
    );
    expect(declined.body.errors?.[0]?.extensions?.stripe).toMatchObject({
      code: 'card_declined',
      setupIntent: id,
      paymentMethod: expect.stringMatching(/^pm_/),
    });
  });
});
