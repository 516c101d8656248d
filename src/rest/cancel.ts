/**
 * What the REST client needs of an abort signal (`CancelSignal`: an `AbortSignal` is one), and a
 * light one for a whole GraphQL request (`Cancellation`). Each upstream call listens while it is
 * queued and while it is in flight; on an `AbortSignal` every listener added and removed goes
 * through EventTarget's option parsing and listener records, a few percent of a request's CPU when
 * a request makes several calls. A `Cancellation` keeps its listeners in a Set. Also the error a
 * cancelled call fails with, and a wait that a signal cuts short.
 */
import { StripeError } from './errors.ts';

export type CancelListener = () => void;

export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Called once, on abort; never when added after it (check `aborted` first). */
  addEventListener(type: 'abort', listener: CancelListener, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: CancelListener): void;
}

/** A signal that is aborted once, by its owner, and calls each listener once then. */
export class Cancellation implements CancelSignal {
  #aborted = false;
  #reason: unknown;
  readonly #listeners = new Set<CancelListener>();

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** Every listener is called once (`once` is how it always behaves). */
  addEventListener(_type: 'abort', listener: CancelListener, _options?: { once?: boolean }): void {
    if (!this.#aborted) this.#listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: CancelListener): void {
    this.#listeners.delete(listener);
  }

  /** Aborts (the first call only): `reason` is kept, and every listener is called. */
  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener();
  }
}

/** The error of a call its signal cancelled (queued, in flight, or waiting). */
export function abortedError(cause?: unknown): StripeError {
  return new StripeError({ kind: 'aborted', message: 'Request to Stripe was aborted', cause });
}

/** Waits `ms`; rejects with `abortedError` as soon as `signal` aborts (at once if it has). */
export function sleep(ms: number, signal: CancelSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal.reason));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
