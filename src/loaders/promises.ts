/**
 * Values that are promises only when they must be: the hot paths (direct answers, the fast path,
 * abstract-type checks, the request body guard) go on at once with what is already at hand and
 * wait only for what is not, since a promise in between costs a microtask and an allocation.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` is a promise: any thenable, as `await` and the executors take it. */
export const isPromise = <T>(value: MaybePromise<T>): value is Promise<T> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';
