/**
 * A quote's expiry through the gateway: an open quote on a test clock reads as canceled, with its
 * cancellation time, once the clock passes its `expires_at`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

const post = <T = { id: string }>(path: string, params: Record<string, unknown> = {}) =>
  h.admin.request<T>({ method: 'POST', path, params });

describe('an open quote on a test clock', () => {
  it('is canceled once the clock passes its expires_at', async () => {
    const frozen = 1_796_385_600;
    const clock = await post('/v1/test_helpers/test_clocks', { frozen_time: frozen });
    const customer = await post('/v1/customers', { test_clock: clock.id });
    const quote = await post<{ id: string; expires_at: number }>('/v1/quotes', {
      customer: customer.id,
      line_items: [{ price: SEED.prices.tshirt, quantity: 1 }],
    });
    await post(`/v1/quotes/${quote.id}/finalize`);
    await post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: quote.expires_at + 60 });
    const response = await h.query(
      'query($id: ID!) { quote(id: $id) { status statusTransitions { canceledAt } } }',
      { variables: { id: quote.id } },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      quote: {
        status: 'CANCELED',
        statusTransitions: { canceledAt: new Date(quote.expires_at * 1000).toISOString() },
      },
    });
  });
});
