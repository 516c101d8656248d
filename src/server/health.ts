/**
 * Liveness and readiness. `/healthz` says the process is up. `/readyz` says Stripe (or the
 * emulator) answers: a cheap `GET /v1/balance` through the REST client with a short timeout, its
 * answer reused for a few seconds so that probes never load the upstream. A draining server (shut
 * down in progress) is not ready. Each dependency is named in `dependencies`: `stripe`, and `redis`
 * when one is configured (a `PING`). Redis down leaves the server ready — queries fall back to
 * this process' cache and rate budget — but `degraded` says so.
 */
import type { Redis } from 'ioredis';
import type { RestClient } from '../rest/client.ts';
import { isStripeError } from '../rest/errors.ts';

export interface ReadyState {
  ready: boolean;
  /** ISO time of the upstream check this answer comes from */
  checkedAt: string;
  /** how long the check took */
  latencyMs: number;
  /** why it is not ready: `draining`, or how the upstream call failed (never a message with secrets) */
  reason?: string;
  /** each dependency: `ok`, or how it failed */
  dependencies?: { stripe: string; redis?: string };
  /** ready, but a dependency is down (`redis`): what runs without it */
  degraded?: string;
}

export interface ReadinessOptions {
  rest: RestClient;
  cacheMs: number;
  timeoutMs: number;
  /** path of the probe; default /v1/balance */
  path?: string;
  /** the shared state's Redis connection, when configured */
  redis?: Redis | undefined;
}

async function pingRedis(redis: Redis, timeoutMs: number): Promise<string> {
  if (redis.status !== 'ready') return `unreachable (connection ${redis.status})`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const answer = await Promise.race([
      redis.ping(),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('timed out'), timeoutMs);
      }),
    ]);
    return answer === 'PONG' ? 'ok' : answer;
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

function reasonOf(error: unknown): string {
  if (!isStripeError(error)) return 'error';
  if (error.kind === 'aborted' || error.kind === 'timeout') return 'upstream timed out';
  if (error.kind !== 'api') return `upstream ${error.kind}`;
  if (error.statusCode === 401) return 'upstream rejected the API key (401)';
  return `upstream answered ${error.statusCode ?? 'an error'}`;
}

export class Readiness {
  private last: { state: ReadyState; at: number } | undefined;
  private pending: Promise<ReadyState> | undefined;
  private draining = false;

  constructor(private readonly options: ReadinessOptions) {}

  /** From now on the server is not ready (graceful shutdown). */
  drain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async check(): Promise<ReadyState> {
    if (this.draining) {
      return { ready: false, checkedAt: new Date().toISOString(), latencyMs: 0, reason: 'draining' };
    }
    const now = Date.now();
    if (this.last && now - this.last.at < this.options.cacheMs) return this.last.state;
    this.pending ??= this.probe().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async probe(): Promise<ReadyState> {
    const started = performance.now();
    const checkedAt = new Date().toISOString();
    const { redis, timeoutMs } = this.options;
    const [stripe, redisState] = await Promise.all([
      this.options.rest
        .request({
          method: 'GET',
          path: this.options.path ?? '/v1/balance',
          signal: AbortSignal.timeout(timeoutMs),
        })
        .then(
          () => 'ok',
          (error: unknown) => reasonOf(error),
        ),
      redis ? pingRedis(redis, timeoutMs) : undefined,
    ]);
    const state: ReadyState = {
      ready: stripe === 'ok',
      checkedAt,
      latencyMs: Math.round(performance.now() - started),
      ...(stripe === 'ok' ? {} : { reason: stripe }),
      dependencies: { stripe, ...(redisState === undefined ? {} : { redis: redisState }) },
      ...(redisState === undefined || redisState === 'ok'
        ? {}
        : { degraded: `redis ${redisState}: cache and rate budget are this process' own` }),
    };
    this.last = { state, at: Date.now() };
    return state;
  }
}
