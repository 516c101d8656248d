/**
 * A counting semaphore with abortable, time-limited waits, used to bound the requests in flight to
 * Stripe, and fair between keys (the REST client keys by path template): one key holds at most
 * `perKey` permits, so a slow Stripe path (answers that trickle in for a minute) cannot take every
 * slot from the others; when a permit frees, the keys that wait take turns (round robin), FIFO within
 * a key. A wait longer than `queueTimeoutMs` gives up with `QueueTimeoutError`, so a caller learns
 * that Stripe is saturated instead of waiting out every slow call ahead of it.
 */
import type { CancelSignal } from './cancel.ts';

/** A wait for a permit outlasted the queue timeout: nothing was sent. */
export class QueueTimeoutError extends Error {
  override readonly name = 'QueueTimeoutError';
  constructor(readonly waitedMs: number) {
    super(`Waited ${waitedMs} ms for one of the upstream slots to free`);
  }
}

export interface SemaphoreOptions {
  /** Permits one key may hold at once; default the whole limit (no per-key bound). */
  readonly perKey?: number;
  /** Longest wait for a permit before `QueueTimeoutError`; default none. */
  readonly queueTimeoutMs?: number;
}

interface Waiter {
  readonly key: string;
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  cleanup: () => void;
}

export class Semaphore {
  readonly #limit: number;
  readonly #perKey: number;
  readonly #queueTimeoutMs: number | undefined;
  #active = 0;
  #pending = 0;
  /** permits held, by key (absent: none) */
  readonly #held = new Map<string, number>();
  /** waiters by key, FIFO; a key is here only while it has waiters, in turn order */
  readonly #queues = new Map<string, Waiter[]>();

  constructor(limit: number, options: SemaphoreOptions = {}) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`semaphore limit must be a positive integer`);
    const perKey = options.perKey ?? limit;
    if (!Number.isInteger(perKey) || perKey < 1)
      throw new RangeError(`semaphore perKey must be a positive integer`);
    this.#limit = limit;
    this.#perKey = Math.min(perKey, limit);
    this.#queueTimeoutMs = options.queueTimeoutMs;
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
    return this.#pending;
  }

  /**
   * Resolves with a `release` function once a permit is free for `key`. Call `release` exactly once
   * (extra calls are ignored). When `signal` aborts while waiting, rejects with `signal.reason`;
   * after `queueTimeoutMs`, with `QueueTimeoutError`; either way the place in the queue is given up.
   */
  acquire(signal?: CancelSignal, key = ''): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.#queues.has(key) && this.#free(key)) return Promise.resolve(this.#grant(key));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { key, resolve, reject, cleanup: () => {} };
      const leave = (reason: unknown): void => {
        const queue = this.#queues.get(key);
        const index = queue?.indexOf(waiter) ?? -1;
        if (index === -1) return;
        queue!.splice(index, 1);
        if (queue!.length === 0) this.#queues.delete(key);
        this.#pending--;
        waiter.cleanup();
        reject(reason);
      };
      const onAbort = (): void => leave(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const timeoutMs = this.#queueTimeoutMs;
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => leave(new QueueTimeoutError(timeoutMs)), timeoutMs);
      waiter.cleanup = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const queue = this.#queues.get(key);
      if (queue) queue.push(waiter);
      else this.#queues.set(key, [waiter]);
      this.#pending++;
    });
  }

  #free(key: string): boolean {
    return this.#active < this.#limit && (this.#held.get(key) ?? 0) < this.#perKey;
  }

  #grant(key: string): () => void {
    this.#active++;
    this.#held.set(key, (this.#held.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      const held = this.#held.get(key)! - 1;
      if (held === 0) this.#held.delete(key);
      else this.#held.set(key, held);
      this.#wake();
    };
  }

  /** Hands free permits to the waiting keys in turn: the first key that may take one goes last. */
  #wake(): void {
    while (this.#active < this.#limit) {
      let next: Waiter | undefined;
      for (const [key, queue] of this.#queues) {
        if ((this.#held.get(key) ?? 0) >= this.#perKey) continue;
        next = queue.shift()!;
        this.#queues.delete(key);
        if (queue.length > 0) this.#queues.set(key, queue);
        break;
      }
      if (!next) return;
      this.#pending--;
      next.cleanup();
      next.resolve(this.#grant(next.key));
    }
  }
}
