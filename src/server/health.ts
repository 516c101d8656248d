/**
 * Liveness and readiness. `/healthz` says the process is up. `/readyz` says Stripe (or the
 * emulator) answers: a cheap `GET /v1/balance` through the REST client with a short timeout, its
 * answer reused for a few seconds so that probes never load the upstream. A draining server (shut
 * down in progress) is not ready.
 */
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
}

export interface ReadinessOptions {
  rest: RestClient;
  cacheMs: number;
  timeoutMs: number;
  /** path of the probe; default /v1/balance */
  path?: string;
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
    let state: ReadyState;
    try {
      await this.options.rest.request({
        method: 'GET',
        path: this.options.path ?? '/v1/balance',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      state = { ready: true, checkedAt, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      state = {
        ready: false,
        checkedAt,
        latencyMs: Math.round(performance.now() - started),
        reason: reasonOf(error),
      };
    }
    this.last = { state, at: Date.now() };
    return state;
  }
}
