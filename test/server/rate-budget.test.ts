/**
 * The shared rate budget, in one process (the multi-replica test is test/net/scale-out.test.ts):
 * calls per clock second stay within the budget, a call queues for the next second and fails with
 * a typed RATE_LIMITED error when it would wait too long, and 429s shrink the budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeObject } from '../../src/loaders/requests.ts';
import { StripeError } from '../../src/rest/errors.ts';
import { RateBudget } from '../../src/server/rate-budget.ts';
import { type Harness, startHarness } from './harness.ts';

const secretKey = 'sk_test_budget';

describe('RateBudget', () => {
  it('lets at most perSecond calls start in each clock second, queueing the rest', async () => {
    const budget = new RateBudget({ perSecond: 4, maxWaitMs: 5_000, secretKey });
    const seconds = await Promise.all(
      Array.from({ length: 10 }, async () => {
        await budget.acquire(undefined);
        return Math.floor(Date.now() / 1000);
      }),
    );
    const perSecond = new Map<number, number>();
    for (const s of seconds) perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(4);
    expect(perSecond.size).toBeGreaterThanOrEqual(3);
  });

  it('keeps one budget per account', async () => {
    const budget = new RateBudget({ perSecond: 2, maxWaitMs: 0, secretKey });
    const outcomes = await Promise.allSettled(
      ['acct_a', 'acct_a', 'acct_b', 'acct_b', undefined, undefined].map((a) => budget.acquire(a)),
    );
    // Six calls, two per account: none has to wait unless the second ends in between.
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThanOrEqual(4);
  });

  it('keeps one budget per API key: a passthrough caller’s own key is not the gateway’s', async () => {
    const budget = new RateBudget({ perSecond: 3, maxWaitMs: 5_000, secretKey });
    const keys = [undefined, 'sk_test_callerOne', 'sk_test_callerTwo'];
    const started = await Promise.all(
      keys.flatMap((key) =>
        Array.from({ length: 6 }, async () => {
          await budget.acquire('acct_shared', undefined, key);
          return `${key ?? 'gateway'}@${Math.floor(Date.now() / 1000)}`;
        }),
      ),
    );
    const perKeyAndSecond = new Map<string, number>();
    const perSecond = new Map<string, number>();
    for (const at of started) {
      perKeyAndSecond.set(at, (perKeyAndSecond.get(at) ?? 0) + 1);
      const second = at.split('@')[1]!;
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(Math.max(...perKeyAndSecond.values())).toBeLessThanOrEqual(3);
    // Three keys, three calls each in the same second: more than one key's budget.
    expect(Math.max(...perSecond.values())).toBeGreaterThan(3);
  });

  it('fails with a rate_limited error when the wait would be longer than maxWaitMs', async () => {
    const budget = new RateBudget({ perSecond: 3, maxWaitMs: 0, secretKey });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => budget.acquire('acct_x')));
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    // At most two seconds' worth can go (the calls may straddle a second).
    expect(refused.length).toBeGreaterThanOrEqual(6);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(StripeError);
      expect((r.reason as StripeError).kind).toBe('rate_limited');
    }
  });

  it('halves the budget for each 429, down to a floor', async () => {
    const budget = new RateBudget({ perSecond: 40, maxWaitMs: 0, secretKey });
    expect(await budget.currentBudget('acct_y')).toBe(40);
    budget.throttled('acct_y');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await budget.currentBudget('acct_y')).toBe(20);
    for (let i = 0; i < 10; i++) budget.throttled('acct_y');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await budget.currentBudget('acct_y')).toBe(2);
    expect(await budget.currentBudget('acct_z')).toBe(40);
  });
});

describe('STRIPE_RATE_LIMIT through GraphQL', () => {
  let h: Harness;
  let ids: string[];
  beforeAll(async () => {
    h = await startHarness({ STRIPE_RATE_LIMIT: '2', STRIPE_RATE_LIMIT_MAX_WAIT_MS: '0' });
    const page = await h.admin.request<{ data: StripeObject[] }>({
      method: 'GET',
      path: '/v1/customers',
      params: { limit: 8 },
    });
    ids = page.data.map((c) => String(c.id));
  });
  afterAll(() => h.close());

  it('answers what fits in the budget and fails the rest with a typed RATE_LIMITED error', async () => {
    const query = `{ ${ids.map((id, i) => `c${i}: customer(id: "${id}") { ... on Customer { id } }`).join(' ')} }`;
    h.upstreamCalls();
    const response = await h.query(query);
    const errors = response.body.errors ?? [];
    expect(errors.length).toBeGreaterThanOrEqual(ids.length - 4);
    for (const error of errors) expect(error.extensions?.code).toBe('RATE_LIMITED');
    // Nothing refused reached Stripe.
    expect(h.upstreamCalls()).toBe(ids.length - errors.length);
    const metrics = await (await h.fetch('/metrics')).text();
    expect(metrics).toMatch(/stripe_rate_budget_waits_total\{outcome="refused"\} \d+/);
  });
});
