/**
 * Stripe's rate limit is per account, not per replica, so the budget is shared: each clock second
 * every Stripe account (per API key: the gateway's, or in passthrough mode the caller's) has `perSecond` calls, counted atomically in Redis by
 * rate-limiter-flexible (in this process without Redis) under a key for that second. A call that
 * finds the second spent waits for the next one, up to `maxWaitMs`, then fails with a
 * `rate_limited` StripeError (GraphQL `RATE_LIMITED`) without calling Stripe. Calls start only in
 * the first `1000 - GUARD_MS` ms of a second (checked again once Redis has counted them), so that
 * they also arrive at Stripe within it despite scheduling delays on a busy host. A 429 from Stripe
 * halves the account's budget for `THROTTLE_SECONDS` (again for each further 429, down to a
 * sixteenth, and at least one call per second).
 *
 * Redis is an accelerator here, not a dependency: while it is down or failing, each replica counts
 * in this process instead (the whole budget per replica: the account may then see more calls than
 * the budget, and a 429 halves it as usual), reported through `onFallback`.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { type CancelSignal, sleep } from '../rest/cancel.ts';
import type { RateLimiter } from '../rest/client.ts';
import { StripeError } from '../rest/errors.ts';
import { type OnFallback, withFallback } from './pubsub.ts';

type Flexible = typeof import('rate-limiter-flexible');
/**
 * rate-limiter-flexible's index loads the limiter of every store it supports (about 1 MB of heap
 * and 35 ms of start-up): the in-process limiter and its answer are required alone, the Redis
 * limiter (from the index) only once a Redis connection is given. All share one `RateLimiterRes`.
 */
const requireOnUse = createRequire(import.meta.url);
const RateLimiterMemory = requireOnUse(
  'rate-limiter-flexible/lib/RateLimiterMemory.js',
) as Flexible['RateLimiterMemory'];
const RateLimiterRes = requireOnUse(
  'rate-limiter-flexible/lib/RateLimiterRes.js',
) as Flexible['RateLimiterRes'];
type RateLimiterRes = InstanceType<Flexible['RateLimiterRes']>;

const GUARD_MS = 200;
const THROTTLE_SECONDS = 10;
/** halvings at most: the budget never drops below perSecond / 16 (and one call) */
const MAX_HALVINGS = 4;
/** how long a replica reuses its reading of an account's throttle level */
const THROTTLE_READ_MS = 200;

export interface RateBudgetOptions {
  /** calls per second per Stripe account, all replicas together */
  perSecond: number;
  /** longest a call may queue for budget before failing */
  maxWaitMs: number;
  /** the API key the budget belongs to (only a hash of it is used in keys) */
  secretKey: string;
  /** shared through Redis when set */
  redis?: Redis | undefined;
  prefix?: string;
  /** told about every call that had to wait or was refused (metrics) */
  onWait?: (outcome: 'queued' | 'refused') => void;
  /** told when Redis could not be used and this process counted instead */
  onFallback?: OnFallback;
}

/** A key as budgets name it: a short hash, never the key. */
const keyIdOf = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** A limiter on Redis, or in this process without Redis or while Redis cannot be used. */
class Limiter {
  private readonly local: RateLimiterAbstract;
  private readonly shared: RateLimiterAbstract | undefined;

  constructor(
    private readonly redis: Redis | undefined,
    keyPrefix: string,
    points: number,
    duration: number,
    private readonly onFallback: OnFallback | undefined,
  ) {
    this.local = new RateLimiterMemory({ keyPrefix, points, duration });
    this.shared = redis
      ? new (requireOnUse('rate-limiter-flexible') as Flexible).RateLimiterRedis({
          storeClient: redis,
          keyPrefix,
          points,
          duration,
        })
      : undefined;
  }

  private run<T>(op: (limiter: RateLimiterAbstract) => Promise<T>): Promise<T> {
    if (!this.redis || !this.shared) return op(this.local);
    const shared = this.shared;
    // A RateLimiterRes thrown is the answer "spent", not a failure.
    return withFallback(
      this.redis,
      'rate_budget',
      this.onFallback,
      () => op(shared),
      () => op(this.local),
      (error) => error instanceof RateLimiterRes,
    );
  }

  consume(key: string, points: number): Promise<RateLimiterRes> {
    return this.run((limiter) => limiter.consume(key, points));
  }

  get(key: string): Promise<RateLimiterRes | null> {
    return this.run((limiter) => limiter.get(key));
  }
}

export class RateBudget implements RateLimiter {
  private readonly perSecond: number;
  private readonly maxWaitMs: number;
  private readonly seconds: Limiter;
  private readonly throttles: Limiter;
  /** hash of the gateway's own key: the budget of calls that bring none */
  private readonly keyId: string;
  private readonly levels = new Map<string, { halvings: number; readAt: number }>();
  private readonly onWait: RateBudgetOptions['onWait'];

  constructor(options: RateBudgetOptions) {
    if (!Number.isInteger(options.perSecond) || options.perSecond < 1)
      throw new RangeError('perSecond must be a positive integer');
    this.perSecond = options.perSecond;
    this.maxWaitMs = options.maxWaitMs;
    this.onWait = options.onWait;
    const prefix = `${options.prefix ?? 'sgg:'}rate`;
    // Keys name the second they count, so the limiter's own window only needs to outlive it.
    this.seconds = new Limiter(options.redis, `${prefix}:s`, options.perSecond, 2, options.onFallback);
    this.throttles = new Limiter(
      options.redis,
      `${prefix}:t`,
      MAX_HALVINGS,
      THROTTLE_SECONDS,
      options.onFallback,
    );
    this.keyId = keyIdOf(options.secretKey);
  }

  /** The budget of an account now, after the 429s of the last few seconds. */
  async currentBudget(account: string, keyId = this.keyId): Promise<number> {
    const key = `${keyId}:${account}`;
    const now = Date.now();
    let level = this.levels.get(key);
    if (!level || now - level.readAt > THROTTLE_READ_MS) {
      const res = await this.throttles.get(key);
      level = { halvings: Math.min(MAX_HALVINGS, res?.consumedPoints ?? 0), readAt: now };
      this.levels.set(key, level);
    }
    return Math.max(1, Math.floor(this.perSecond / 2 ** level.halvings));
  }

  async acquire(stripeAccount: string | undefined, signal?: CancelSignal, apiKey?: string): Promise<void> {
    const account = stripeAccount ?? 'platform';
    const keyId = apiKey === undefined ? this.keyId : keyIdOf(apiKey);
    const deadline = Date.now() + this.maxWaitMs;
    let waited = false;
    for (;;) {
      const now = Date.now();
      const second = Math.floor(now / 1000);
      const intoSecond = now - second * 1000;
      // Taken, and still early enough in that second when Redis confirmed it (under load the
      // round trip can carry a call into the next second, whose own budget it would then exceed).
      if (
        intoSecond < 1000 - GUARD_MS &&
        (await this.take(keyId, account, second)) &&
        Date.now() < (second + 1) * 1000 - GUARD_MS
      ) {
        if (waited) this.onWait?.('queued');
        return;
      }
      // Spread the wake-ups a little so that waiters do not all hit Redis at once.
      const next = (second + 1) * 1000 + Math.floor(Math.random() * 20);
      if (next > deadline) {
        this.onWait?.('refused');
        throw new StripeError({
          kind: 'rate_limited',
          message: `The Stripe rate budget for this account (${this.perSecond} calls per second across all replicas) is spent; try again shortly`,
        });
      }
      waited = true;
      await sleep(next - Date.now(), signal);
    }
  }

  throttled(stripeAccount: string | undefined, apiKey?: string): void {
    const key = `${apiKey === undefined ? this.keyId : keyIdOf(apiKey)}:${stripeAccount ?? 'platform'}`;
    this.levels.delete(key);
    // At most MAX_HALVINGS points: a rejection past them only means "already at the floor".
    this.throttles.consume(key, 1).catch(() => {});
  }

  private async take(keyId: string, account: string, second: number): Promise<boolean> {
    const budget = await this.currentBudget(account, keyId);
    try {
      const res = await this.seconds.consume(`${keyId}:${account}:${second}`, 1);
      return res.consumedPoints <= budget;
    } catch (error) {
      if (error instanceof RateLimiterRes) return false;
      throw error;
    }
  }
}
