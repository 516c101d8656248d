/**
 * Idempotent POSTs: the first response for an `Idempotency-Key` (per account) is kept and
 * replayed for the same request; the same key with other parameters is Stripe's
 * `idempotency_error`. Validation errors are not kept (they happen before Stripe's layer).
 */
import { ErrorReply } from '../engine/errors.ts';
import type { FormValue } from './form.ts';

export interface SavedResponse {
  fingerprint: string;
  status: number;
  body: string;
}

/** Keys kept before the oldest are forgotten (Stripe keeps them at least 24 hours). */
export const IDEMPOTENCY_CAPACITY = 50_000;

export class IdempotencyCache {
  private readonly saved = new Map<string, SavedResponse>();

  private static key(account: string | undefined, key: string): string {
    return `${account ?? ''}\u0000${key}`;
  }

  /** The saved response to replay, undefined when the key is new; throws on a parameter mismatch. */
  lookup(account: string | undefined, key: string, fingerprint: string): SavedResponse | undefined {
    const saved = this.saved.get(IdempotencyCache.key(account, key));
    if (!saved) return undefined;
    if (saved.fingerprint !== fingerprint) {
      throw new ErrorReply(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    return saved;
  }

  /** Whether a response is saved under the key (a replay will answer it). */
  has(account: string | undefined, key: string): boolean {
    return this.saved.has(IdempotencyCache.key(account, key));
  }

  save(account: string | undefined, key: string, response: SavedResponse): void {
    if (this.saved.size >= IDEMPOTENCY_CAPACITY) {
      const oldest = this.saved.keys().next().value;
      if (oldest !== undefined) this.saved.delete(oldest);
    }
    this.saved.set(IdempotencyCache.key(account, key), response);
  }

  clear(): void {
    this.saved.clear();
  }
}

/** JSON with sorted keys: the same parameters in any order give the same text. */
function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`)
    .join(',')}}`;
}

/** What a replay must match: the endpoint and the parameters, in any order. */
export function fingerprintOf(method: string, path: string, params: FormValue): string {
  return `${method} ${path}\n${canonical(params)}`;
}
