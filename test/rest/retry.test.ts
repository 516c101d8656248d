/** Stripe's retry rules (src/rest/retry.ts); the client retrying over a socket is test/net/rest/retry.test.ts. */
import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryDelayMs, shouldRetry } from '../../src/rest/retry.ts';

describe('shouldRetry', () => {
  const policy = { maxRetries: 2 };
  const base = { method: 'GET', hasIdempotencyKey: false, retriesSoFar: 0 } as const;

  it('retries connection errors and timeouts, not aborts', () => {
    expect(shouldRetry({ ...base, errorKind: 'connection' }, policy)).toBe(true);
    expect(shouldRetry({ ...base, errorKind: 'timeout' }, policy)).toBe(true);
    expect(shouldRetry({ ...base, errorKind: 'aborted' }, policy)).toBe(false);
  });

  it('retries 409, 429 and 5xx only', () => {
    for (const status of [409, 429, 500, 502, 503, 504])
      expect(shouldRetry({ ...base, status }, policy)).toBe(true);
    for (const status of [200, 400, 401, 402, 403, 404, 424])
      expect(shouldRetry({ ...base, status }, policy)).toBe(false);
  });

  it('lets Stripe-Should-Retry decide when present', () => {
    expect(shouldRetry({ ...base, status: 503, shouldRetryHeader: 'false' }, policy)).toBe(false);
    expect(shouldRetry({ ...base, status: 400, shouldRetryHeader: 'true' }, policy)).toBe(true);
    expect(shouldRetry({ ...base, status: 503, shouldRetryHeader: 'maybe' }, policy)).toBe(true);
  });

  it('never retries a POST without an idempotency key', () => {
    expect(shouldRetry({ ...base, method: 'POST', errorKind: 'connection' }, policy)).toBe(false);
    expect(shouldRetry({ ...base, method: 'POST', status: 500, shouldRetryHeader: 'true' }, policy)).toBe(
      false,
    );
    expect(shouldRetry({ ...base, method: 'POST', hasIdempotencyKey: true, status: 500 }, policy)).toBe(true);
  });

  it('is bounded by maxRetries', () => {
    expect(shouldRetry({ ...base, status: 500, retriesSoFar: 1 }, policy)).toBe(true);
    expect(shouldRetry({ ...base, status: 500, retriesSoFar: 2 }, policy)).toBe(false);
    expect(shouldRetry({ ...base, errorKind: 'connection' }, { maxRetries: 0 })).toBe(false);
  });
});

describe('retryDelayMs', () => {
  const policy = { initialDelayMs: 500, maxDelayMs: 5_000 };

  it("follows stripe-node's jittered exponential backoff", () => {
    // n = 0 and 1: max(500, min(500 * 2^(n-1), 5000) * [0.5, 1)) = 500
    expect(retryDelayMs(0, policy, undefined, () => 0)).toBe(500);
    expect(retryDelayMs(0, policy, undefined, () => 0.999)).toBe(500);
    expect(retryDelayMs(1, policy, undefined, () => 0.999)).toBe(500);
    expect(retryDelayMs(2, policy, undefined, () => 0)).toBe(500);
    expect(retryDelayMs(2, policy, undefined, () => 1)).toBe(1_000);
    expect(retryDelayMs(3, policy, undefined, () => 0.5)).toBe(1_500);
    expect(retryDelayMs(10, policy, undefined, () => 0)).toBe(2_500);
    expect(retryDelayMs(10, policy, undefined, () => 1)).toBe(5_000);
  });

  it('waits at least Retry-After, capped at the max delay', () => {
    expect(retryDelayMs(0, policy, 2_000, () => 0)).toBe(2_000);
    expect(retryDelayMs(0, policy, 60_000, () => 0)).toBe(5_000);
    expect(retryDelayMs(0, policy, 10, () => 0)).toBe(500);
  });

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(' 0.25 ')).toBe(250);
    const now = Date.parse('2024-04-10T00:00:00Z');
    expect(parseRetryAfter('Wed, 10 Apr 2024 00:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfter('Tue, 09 Apr 2024 00:00:00 GMT', now)).toBe(0);
  });
});
