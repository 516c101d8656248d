/**
 * Building one response: the headers every answer carries (`Request-Id`, `Stripe-Version`, the
 * echoed `Idempotency-Key`), JSON bodies, Stripe errors, and the status counts for `stats()`.
 */
import { ErrorReply } from '../engine/errors.ts';
import type { JsonObject } from '../engine/json.ts';
import type { StatsCounter } from './stats.ts';

export interface EmulatorResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** destroy the connection without answering (fault injection) */
  drop?: boolean;
}

export class Reply {
  readonly headers: Record<string, string>;
  private readonly counter: StatsCounter;

  constructor(counter: StatsCounter, requestId: string, version: string, idempotencyKey: string | undefined) {
    this.counter = counter;
    this.headers = { 'content-type': 'application/json', 'request-id': requestId, 'stripe-version': version };
    if (idempotencyKey) this.headers['idempotency-key'] = idempotencyKey;
  }

  /** A JSON answer; `body` may be serialized already (idempotent replays). */
  json(status: number, body: JsonObject | string): EmulatorResponse {
    this.counter.status(status);
    return { status, headers: this.headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
  }

  /** Stripe's error body for a `ErrorReply`; anything else is the emulator's own 500. */
  error(error: unknown): EmulatorResponse {
    if (error instanceof ErrorReply) return this.json(error.status, error.body());
    const message = error instanceof Error ? error.message : String(error);
    return this.json(500, { error: { type: 'api_error', message: `The emulator failed: ${message}` } });
  }

  binary(contentType: string, body: string | Buffer): EmulatorResponse {
    this.headers['content-type'] = contentType;
    this.counter.status(200);
    return { status: 200, headers: this.headers, body };
  }

  drop(): EmulatorResponse {
    this.counter.status('drop');
    return { status: 0, headers: this.headers, body: '', drop: true };
  }
}
