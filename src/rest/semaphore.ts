/**
 * A counting semaphore with a FIFO wait queue and abortable waits, used to bound the number of
 * requests in flight to Stripe.
 */
import type { CancelSignal } from './cancel.ts';

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  cleanup: () => void;
}

export class Semaphore {
  readonly #limit: number;
  #active = 0;
  readonly #waiters: Waiter[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`semaphore limit must be a positive integer`);
    this.#limit = limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Permits currently held. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a permit. */
  get pending(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves with a `release` function once a permit is free. Call `release` exactly once (extra
   * calls are ignored). When `signal` aborts while waiting, rejects with `signal.reason` and gives
   * up the place in the queue.
   */
  acquire(signal?: CancelSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.#limit) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, cleanup: () => {} };
      if (signal !== undefined) {
        const onAbort = (): void => {
          const index = this.#waiters.indexOf(waiter);
          if (index !== -1) this.#waiters.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.#waiters.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next === undefined) {
        this.#active--;
        return;
      }
      // Hand the permit straight to the next waiter: `active` is unchanged.
      next.cleanup();
      next.resolve(this.#releaser());
    };
  }
}
