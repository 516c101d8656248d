/**
 * ACH debits through the gateway: a subscription whose first invoice is paid from a bank account
 * reads `INCOMPLETE`, its invoice `OPEN` and the invoice's PaymentIntent `PROCESSING`, until a
 * test clock's advance reaches the debit's settlement: then `ACTIVE`, `PAID`, `SUCCEEDED`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

const post = <T = { id: string }>(path: string, params: Record<string, unknown> = {}) =>
  h.admin.request<T>({ method: 'POST', path, params });

describe('a subscription paid from a bank account', () => {
  it('is incomplete while its first debit is processing, then active', async () => {
    // 2026-12-04, a Friday: the debit settles on Thursday, six days on.
    const start = 1_796_385_600;
    const clock = await post('/v1/test_helpers/test_clocks', { frozen_time: start });
    const customer = await post('/v1/customers', { test_clock: clock.id });
    const method = await post('/v1/payment_methods', {
      type: 'us_bank_account',
      us_bank_account: { routing_number: '110000000', account_number: '000123456789' },
      billing_details: { name: 'Jenny Rosen' },
    });
    // Saved by a SetupIntent, its account verified with Stripe's test microdeposit code.
    const setup = await post('/v1/setup_intents', {
      customer: customer.id,
      payment_method: method.id,
      payment_method_types: ['us_bank_account'],
      confirm: true,
    });
    await post(`/v1/setup_intents/${setup.id}/verify_microdeposits`, { descriptor_code: 'SM11AA' });
    const subscription = await post('/v1/subscriptions', {
      customer: customer.id,
      default_payment_method: method.id,
      items: [{ price: SEED.prices.basicMonthly }],
    });
    const read = async () => {
      const response = await h.query(
        'query($id: ID!) { subscription(id: $id) { status latestInvoice { status paymentIntent { status } } } }',
        { variables: { id: subscription.id } },
      );
      expect(response.body.errors).toBeUndefined();
      return (response.body.data as { subscription: unknown }).subscription;
    };
    expect(await read()).toEqual({
      status: 'INCOMPLETE',
      latestInvoice: { status: 'OPEN', paymentIntent: { status: 'PROCESSING' } },
    });
    await post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: start + 6 * 86_400 + 60 });
    expect(await read()).toEqual({
      status: 'ACTIVE',
      latestInvoice: { status: 'PAID', paymentIntent: { status: 'SUCCEEDED' } },
    });
  });
});
