/**
 * Payments and Radar, walked through GraphQL on the emulator (rules/intents.ts, rules/radar.ts):
 * 3D Secure through `requires_action`, a decline and a retry, an ACH debit (microdeposits, then
 * processing), the Dashboard's payment methods (a return_url to confirm), manual capture,
 * cancellation, refunds, and a review opened by a risky card and closed by approving it, each
 * with the events a GraphQL subscription receives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlowHarness, startFlows, typesAmong } from './flow-harness.ts';

let f: FlowHarness;
beforeAll(async () => {
  f = await startFlows();
});
afterAll(() => f.close());

const INTENT = `id status amount amountReceived amountCapturable cancellationReason
  nextAction { type redirectToUrl { url returnUrl } }
  lastPaymentError { code declineCode message }
  latestCharge { id status amount amountCaptured amountRefunded captured refunded outcome { riskLevel type } }`;

describe('payments', () => {
  it('a 3D Secure card goes through requires_action, then succeeds once authenticated', async () => {
    const stream = await f.subscribe(['payment_intent.*', 'charge.*']);
    const created = await f.ok(`mutation {
      createPaymentIntent(input: {
        amount: 2500, currency: "usd", paymentMethod: "pm_card_threeDSecure2Required", confirm: true,
        returnUrl: "https://example.com/return"
      }) { ${INTENT} }
    }`);
    const intent = created.createPaymentIntent;
    expect(intent).toMatchObject({
      status: 'REQUIRES_ACTION',
      amountReceived: 0,
      latestCharge: null,
      nextAction: { type: 'redirect_to_url', redirectToUrl: { returnUrl: 'https://example.com/return' } },
    });
    const confirmed = await f.ok(`mutation($id: ID!) { confirmPaymentIntent(id: $id) { ${INTENT} } }`, {
      id: intent.id,
    });
    expect(confirmed.confirmPaymentIntent).toMatchObject({
      status: 'SUCCEEDED',
      amountReceived: 2500,
      nextAction: null,
      latestCharge: { status: 'SUCCEEDED', amount: 2500, captured: true },
    });
    const events = await stream.take(4);
    expect(events.map((e) => e.type)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
    expect(events.every((e) => e.object?.id === intent.id || e.data.payment_intent === intent.id)).toBe(true);
    stream.close();
  });

  it("takes the Dashboard's payment methods by default: a confirmation needs a returnUrl", async () => {
    const { createPaymentIntent: intent } = await f.ok(`mutation {
      createPaymentIntent(input: { amount: 1200, currency: "usd", paymentMethod: "pm_card_visa" }) {
        id paymentMethodTypes automaticPaymentMethods { enabled allowRedirects }
      }
    }`);
    expect(intent.automaticPaymentMethods).toEqual({ enabled: true, allowRedirects: 'ALWAYS' });
    expect(intent.paymentMethodTypes).toContain('card');
    const confirm = `mutation($id: ID!, $input: ConfirmPaymentIntentInput) {
      confirmPaymentIntent(id: $id, input: $input) { status }
    }`;
    expect(await f.fails(confirm, { id: intent.id })).toBe('STRIPE_INVALID_REQUEST');
    const confirmed = await f.ok(confirm, {
      id: intent.id,
      input: { returnUrl: 'https://example.com/return' },
    });
    expect(confirmed.confirmPaymentIntent.status).toBe('SUCCEEDED');
  });

  it('an ACH debit, its microdeposits verified, is processing, its charge pending with no money yet', async () => {
    const stream = await f.subscribe(['payment_intent.*', 'charge.*']);
    const { createPaymentMethod: method } = await f.ok(`mutation {
      createPaymentMethod(input: {
        type: US_BANK_ACCOUNT, billingDetails: { name: "Jenny Rosen" },
        usBankAccount: { routingNumber: "110000000", accountNumber: "000123456789", accountHolderType: INDIVIDUAL }
      }) { id }
    }`);
    const { createPaymentIntent: created } = await f.ok(
      `mutation($pm: ID!) {
        createPaymentIntent(input: { amount: 7000, currency: "usd", paymentMethod: $pm,
          paymentMethodTypes: ["us_bank_account"], confirm: true }) {
          id status nextAction { type verifyWithMicrodeposits { microdepositType } }
        }
      }`,
      { pm: method.id },
    );
    expect(created).toMatchObject({
      status: 'REQUIRES_ACTION',
      nextAction: {
        type: 'verify_with_microdeposits',
        verifyWithMicrodeposits: { microdepositType: 'DESCRIPTOR_CODE' },
      },
    });
    const { verifyMicrodepositsPaymentIntent: intent } = await f.ok(
      `mutation($id: ID!) {
        verifyMicrodepositsPaymentIntent(id: $id, input: { descriptorCode: "SM11AA" }) {
          id status amountReceived
          latestCharge { status paid balanceTransaction { id } paymentMethodDetails { type usBankAccount { last4 } } }
        }
      }`,
      { id: created.id },
    );
    expect(intent).toMatchObject({
      status: 'PROCESSING',
      amountReceived: 0,
      latestCharge: {
        status: 'PENDING',
        paid: false,
        balanceTransaction: null,
        paymentMethodDetails: { type: 'us_bank_account', usBankAccount: { last4: '6789' } },
      },
    });
    expect((await stream.take(4)).map((e) => e.type)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'charge.pending',
      'payment_intent.processing',
    ]);
    stream.close();
  });

  it('error_on_requires_action fails a 3D Secure card with authentication_required', async () => {
    const code = await f.fails(`mutation {
      createPaymentIntent(input: {
        amount: 800, currency: "usd", paymentMethod: "pm_card_authenticationRequired", confirm: true,
        paymentMethodTypes: ["card"], errorOnRequiresAction: true
      }) { id }
    }`);
    expect(code).toBe('STRIPE_CARD_ERROR');
  });

  it('a decline leaves requires_payment_method with last_payment_error; a retry succeeds', async () => {
    const stream = await f.subscribe(['payment_intent.*', 'charge.*']);
    const { createPaymentIntent: intent } = await f.ok(
      'mutation { createPaymentIntent(input: { amount: 1999, currency: "usd", paymentMethodTypes: ["card"] }) { id status } }',
    );
    expect(intent.status).toBe('REQUIRES_PAYMENT_METHOD');
    await f.fails(
      `mutation($id: ID!) { confirmPaymentIntent(id: $id, input: { paymentMethod: "pm_card_chargeDeclinedInsufficientFunds" }) { id } }`,
      { id: intent.id },
    );
    const after = await f.ok(`query($id: ID!) { paymentIntent(id: $id) { ${INTENT} } }`, { id: intent.id });
    expect(after.paymentIntent).toMatchObject({
      status: 'REQUIRES_PAYMENT_METHOD',
      lastPaymentError: { code: 'card_declined', declineCode: 'insufficient_funds' },
      latestCharge: { status: 'FAILED', amount: 1999 },
    });
    const retried = await f.ok(
      `mutation($id: ID!) { confirmPaymentIntent(id: $id, input: { paymentMethod: "pm_card_visa" }) { ${INTENT} } }`,
      { id: intent.id },
    );
    expect(retried.confirmPaymentIntent).toMatchObject({
      status: 'SUCCEEDED',
      amountReceived: 1999,
      lastPaymentError: null,
      latestCharge: { status: 'SUCCEEDED' },
    });
    const events = await stream.take(5);
    expect(events.map((e) => e.type)).toEqual([
      'payment_intent.created',
      'charge.failed',
      'payment_intent.payment_failed',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
    stream.close();
  });

  it('a manual capture holds the amount, then captures part of it', async () => {
    const stream = await f.subscribe(['payment_intent.*', 'charge.*']);
    const { createPaymentIntent: intent } = await f.ok(`mutation {
      createPaymentIntent(input: { amount: 5000, currency: "usd", paymentMethod: "pm_card_visa", paymentMethodTypes: ["card"], captureMethod: MANUAL, confirm: true }) {
        ${INTENT}
      }
    }`);
    expect(intent).toMatchObject({
      status: 'REQUIRES_CAPTURE',
      amountCapturable: 5000,
      latestCharge: { captured: false },
    });
    const { capturePaymentIntent: captured } = await f.ok(
      `mutation($id: ID!) { capturePaymentIntent(id: $id, input: { amountToCapture: 3000 }) {
        ${INTENT} latestCharge { balanceTransaction { type amount fee } }
      } }`,
      { id: intent.id },
    );
    expect(captured).toMatchObject({
      status: 'SUCCEEDED',
      amountReceived: 3000,
      amountCapturable: 0,
      latestCharge: {
        captured: true,
        amountCaptured: 3000,
        balanceTransaction: { type: 'CHARGE', amount: 3000, fee: 117 },
      },
    });
    const events = await stream.take(5);
    expect(events.map((e) => e.type)).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.amount_capturable_updated',
      'charge.captured',
      'payment_intent.succeeded',
    ]);
    stream.close();
  });

  it('a cancellation', async () => {
    const stream = await f.subscribe(['payment_intent.*']);
    const { createPaymentIntent: intent } = await f.ok(
      'mutation { createPaymentIntent(input: { amount: 600, currency: "usd" }) { id } }',
    );
    const { cancelPaymentIntent: canceled } = await f.ok(
      'mutation($id: ID!) { cancelPaymentIntent(id: $id, input: { cancellationReason: ABANDONED }) { id status cancellationReason } }',
      { id: intent.id },
    );
    expect(canceled).toMatchObject({ status: 'CANCELED', cancellationReason: 'ABANDONED' });
    expect((await stream.take(2)).map((e) => e.type)).toEqual([
      'payment_intent.created',
      'payment_intent.canceled',
    ]);
    expect(
      await f.fails('mutation($id: ID!) { cancelPaymentIntent(id: $id) { id } }', { id: intent.id }),
    ).toBeDefined();
    stream.close();
  });

  it('cancelling a held payment releases the authorization: its charge is refunded whole', async () => {
    const { createPaymentIntent: intent } = await f.ok(`mutation {
      createPaymentIntent(input: { amount: 2200, currency: "usd", paymentMethod: "pm_card_visa", paymentMethodTypes: ["card"], captureMethod: MANUAL, confirm: true }) { id }
    }`);
    const stream = await f.subscribe(['payment_intent.*', 'charge.*']);
    const { cancelPaymentIntent: canceled } = await f.ok(
      `mutation($id: ID!) { cancelPaymentIntent(id: $id) { ${INTENT} } }`,
      { id: intent.id },
    );
    expect(canceled).toMatchObject({
      status: 'CANCELED',
      amountCapturable: 0,
      latestCharge: { captured: false, refunded: true, amountRefunded: 2200 },
    });
    expect((await stream.take(2)).map((e) => e.type).sort()).toEqual([
      'charge.refunded',
      'payment_intent.canceled',
    ]);
    stream.close();
  });

  it('a refund: charge.refunded and refund.created, amounts on the charge', async () => {
    const { createPaymentIntent: intent } = await f.ok(`mutation {
      createPaymentIntent(input: { amount: 4000, currency: "usd", paymentMethod: "pm_card_visa", paymentMethodTypes: ["card"], confirm: true }) { ${INTENT} }
    }`);
    const stream = await f.subscribe(['charge.*', 'refund.*']);
    const { createRefund: refund } = await f.ok(
      'mutation($pi: ID!) { createRefund(input: { paymentIntent: $pi, amount: 1500 }) { id amount status } }',
      { pi: intent.id },
    );
    expect(refund).toMatchObject({ amount: 1500, status: 'succeeded' });
    const events = await stream.take(2);
    expect(events.map((e) => e.type)).toEqual(['charge.refunded', 'refund.created']);
    expect(events[0]!.data).toMatchObject({
      id: intent.latestCharge.id,
      amount_refunded: 1500,
      refunded: false,
    });
    stream.close();
  });
});

describe('Radar', () => {
  it('an elevated-risk card opens a review; approving closes it', async () => {
    const stream = await f.subscribe(['review.*', 'payment_intent.succeeded']);
    const { createPaymentIntent: intent } = await f.ok(`mutation {
      createPaymentIntent(input: { amount: 9900, currency: "usd", paymentMethod: "pm_card_riskLevelElevated", paymentMethodTypes: ["card"], confirm: true }) {
        ${INTENT} review { id open reason charge { id } }
      }
    }`);
    expect(intent).toMatchObject({
      status: 'SUCCEEDED',
      latestCharge: { outcome: { riskLevel: 'elevated', type: 'manual_review' } },
      review: { open: true, reason: 'rule' },
    });
    expect(intent.review.charge.id).toBe(intent.latestCharge.id);
    const listed = await f.ok('{ reviews(first: 100) { nodes { id open } } }');
    expect(listed.reviews.nodes).toContainEqual({ id: intent.review.id, open: true });

    const { approveReview } = await f.ok(
      'mutation($id: ID!) { approveReview(id: $id) { id open reason closedReason } }',
      { id: intent.review.id },
    );
    expect(approveReview).toMatchObject({ open: false, reason: 'approved', closedReason: 'APPROVED' });
    expect(
      await f.fails('mutation($id: ID!) { approveReview(id: $id) { id } }', { id: intent.review.id }),
    ).toBeDefined();

    const events = await stream.until(['review.opened', 'payment_intent.succeeded', 'review.closed']);
    expect(typesAmong(events, ['review.opened', 'payment_intent.succeeded', 'review.closed'])).toEqual([
      'review.opened',
      'payment_intent.succeeded',
      'review.closed',
    ]);
    stream.close();
  });

  it('the highest-risk card is blocked', async () => {
    const code = await f.fails(`mutation {
      createPaymentIntent(input: { amount: 100, currency: "usd", paymentMethod: "pm_card_riskLevelHighest", paymentMethodTypes: ["card"], confirm: true }) { id }
    }`);
    expect(code).toBe('STRIPE_CARD_ERROR');
  });
});
