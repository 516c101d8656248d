/**
 * What the emulator keeps beside a store, by key, rather than in its objects: facts an object does
 * not show (a file's bytes, a session's `return_url` or create parameters, a link's grant), one
 * table per store, made on first use.
 */
import type { Store } from './store.ts';

export class BesideStore<T> {
  readonly #tables = new WeakMap<Store, Map<string, T>>();

  /** The store's table. */
  of(store: Store): Map<string, T> {
    let table = this.#tables.get(store);
    if (!table) {
      table = new Map();
      this.#tables.set(store, table);
    }
    return table;
  }

  /** What is kept under `key`, without making the store's table. */
  get(store: Store, key: string): T | undefined {
    return this.#tables.get(store)?.get(key);
  }
}
