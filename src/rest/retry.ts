/**
 * When to retry a Stripe request and how long to wait first. Pure functions; the client owns the
 * loop, the sleeping and the cancellation.
 */
import type { StripeErrorKind } from './errors.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (so at most `maxRetries + 1` attempts). */
  readonly maxRetries: number;
  /** Base of the exponential backoff, and the minimum sleep. stripe-node: 500 ms. */
  readonly initialDelayMs: number;
  /** Cap of the exponential backoff and of `Retry-After`. stripe-node: 5 s. */
  readonly maxDelayMs: number;
}

export interface AttemptOutcome {
  readonly method: string;
  /** Whether the request carries an `Idempotency-Key` (POSTs are only retried when it does). */
  readonly hasIdempotencyKey: boolean;
  /** Retries already made (0 after the first attempt). */
  readonly retriesSoFar: number;
  /** HTTP status, or undefined when the attempt got no response. */
  readonly status?: number | undefined;
  /** The failure kind when the attempt got no response. */
  readonly errorKind?: StripeErrorKind | undefined;
  /** Raw `Stripe-Should-Retry` header. */
  readonly shouldRetryHeader?: string | undefined;
}

/** Statuses worth another attempt absent a `Stripe-Should-Retry` verdict. */
function isRetryableStatus(status: number): boolean {
  return status === 409 || status === 429 || status >= 500;
}

export function shouldRetry(outcome: AttemptOutcome, policy: Pick<RetryPolicy, 'maxRetries'>): boolean {
  // A cancelled request is never resent, and a closed client cannot send.
  if (outcome.errorKind === 'aborted') return false;
  // Without an idempotency key a retried POST could create a second charge.
  if (outcome.method === 'POST' && !outcome.hasIdempotencyKey) return false;
  if (outcome.retriesSoFar >= policy.maxRetries) return false;
  if (outcome.status === undefined)
    return outcome.errorKind === 'connection' || outcome.errorKind === 'timeout';
  // Stripe knows best: e.g. `false` on a 500 it already replayed, `true` on a lock_timeout.
  if (outcome.shouldRetryHeader === 'true') return true;
  if (outcome.shouldRetryHeader === 'false') return false;
  return isRetryableStatus(outcome.status);
}

/**
 * Parses `Retry-After` into milliseconds: delta-seconds (fractions tolerated) or an HTTP date.
 * Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * stripe-node's backoff: `max(initial, min(initial * 2^(n-1), max) * 0.5 * (1 + rand))` where n is
 * the number of retries so far, then raised to `Retry-After` when the server sent one, which is
 * itself capped at `maxDelayMs` so a hostile or buggy header cannot park a request.
 */
export function retryDelayMs(
  retriesSoFar: number,
  policy: Omit<RetryPolicy, 'maxRetries'>,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.initialDelayMs * 2 ** (retriesSoFar - 1), policy.maxDelayMs);
  const backoff = Math.max(policy.initialDelayMs, exponential * 0.5 * (1 + random()));
  if (retryAfterMs === undefined) return backoff;
  return Math.max(backoff, Math.min(retryAfterMs, policy.maxDelayMs));
}
