/**
 * Dunning through the gateway: a subscription's renewal whose payment fails shows its retries on
 * the invoice (`attemptCount`, `nextPaymentAttempt`) as a test clock moves, and the subscription
 * canceled once they are all used.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

const post = <T = { id: string }>(path: string, params: Record<string, unknown> = {}) =>
  h.admin.request<T>({ method: 'POST', path, params });
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

describe('a subscription whose renewal fails', () => {
  it('shows its invoice retried, then is canceled', async () => {
    const start = 1_796_385_600;
    const clock = await post('/v1/test_helpers/test_clocks', { frozen_time: start });
    const customer = await post('/v1/customers', { source: 'tok_visa', test_clock: clock.id });
    const subscription = await post<{ id: string; current_period_end: number }>('/v1/subscriptions', {
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
    });
    const failing = await post(`/v1/customers/${customer.id}/sources`, { source: 'tok_chargeCustomerFail' });
    await post(`/v1/customers/${customer.id}`, { default_source: failing.id });
    const renewal = subscription.current_period_end;
    const read = async () => {
      const response = await h.query(
        'query($id: ID!) { subscription(id: $id) { status latestInvoice { status attemptCount nextPaymentAttempt } } }',
        { variables: { id: subscription.id } },
      );
      expect(response.body.errors).toBeUndefined();
      return (response.body.data as { subscription: unknown }).subscription;
    };

    await post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: renewal + 60 });
    expect(await read()).toEqual({
      status: 'PAST_DUE',
      latestInvoice: { status: 'OPEN', attemptCount: 1, nextPaymentAttempt: iso(renewal + 151_200) },
    });
    await post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: renewal + 15 * 86_400 });
    expect(await read()).toEqual({
      status: 'CANCELED',
      latestInvoice: { status: 'OPEN', attemptCount: 9, nextPaymentAttempt: null },
    });
  });
});
