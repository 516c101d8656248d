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
  /** `whenRoom`'s promise, while there is none */
  #room: { promise: Promise<void>; resolve: () => void } | undefined;

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
   * Undefined when new work may start: a permit is free, or nobody waits for one. Else (every
   * permit held and callers waiting) a promise that resolves once either is so again. For a
   * caller about to start work that will ask for permits: starting it then, rather than queueing
   * its calls behind the others, keeps less work half-done at once (src/server/turns.ts). Callers
   * that wait only because their key holds its share (`perKey`) leave permits free: they hold no
   * one back.
   */
  whenRoom(): Promise<void> | undefined {
    if (this.#roomy()) return undefined;
    if (this.#room === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      this.#room = { promise, resolve };
    }
    return this.#room.promise;
  }

  #roomy(): boolean {
    return this.#pending === 0 || this.#active < this.#limit;
  }

  /** Resolves `whenRoom`'s promise once there is room. */
  #settleRoom(): void {
    if (this.#room === undefined || !this.#roomy()) return;
    const { resolve } = this.#room;
    this.#room = undefined;
    resolve();
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
        this.#settleRoom();
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
      if (!next) break;
      this.#pending--;
      next.cleanup();
      next.resolve(this.#grant(next.key));
    }
    this.#settleRoom();
  }
}
