/**
 * What is worked out once per operation and set of variables (its fetch plan, its answer estimate,
 * its prefetches), kept for the few sets of variables an operation is sent with most: a client
 * sends one document with the same variables again and again (a page, a customer id), and each of
 * these walks of the operation cost more than looking the answer up. Pure functions of the
 * operation and the variables only.
 *
 * Bounded: per operation (kept as long as its parsed document is, which Yoga's document cache
 * bounds) the last VARIANTS_PER_OPERATION sets of variables, each whose JSON is at most
 * MAX_VARIABLES_JSON characters; others are worked out on each request as before.
 */

import { Lru } from '../loaders/lru.ts';

/** Sets of variables remembered per operation (the least recently used forgotten first). */
export const VARIANTS_PER_OPERATION = 16;
/** Longer variables (a list of ids, say) are not remembered. */
export const MAX_VARIABLES_JSON = 1_024;

export class Variants<T> {
  readonly #byOperation = new WeakMap<object, Lru<string, T>>();

  /** `make()`'s value for `operation` and `variables`, made once while remembered. */
  get(operation: object, variables: unknown, make: () => T): T {
    const key = JSON.stringify(variables ?? null);
    if (key === undefined || key.length > MAX_VARIABLES_JSON) return make();
    let variants = this.#byOperation.get(operation);
    if (variants === undefined) {
      variants = new Lru(VARIANTS_PER_OPERATION);
      this.#byOperation.set(operation, variants);
    }
    let value = variants.get(key);
    if (value === undefined) {
      value = make();
      variants.set(key, value);
    }
    return value;
  }
}
