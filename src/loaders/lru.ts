/**
 * A map that keeps the `max` entries used last: reading an entry (`get`) refreshes it, and adding
 * one past `max` forgets the least recently used. The bounded caches of documents, programs and
 * plans (src/server/limits.ts, src/server/fast-path.ts, src/schema/variants.ts) are each one.
 */
export class Lru<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** The entry, refreshed. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Whether the entry is kept, without refreshing it. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Adds (or refreshes) the entry, forgetting the least recently used one past `max`. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as K);
  }

  get size(): number {
    return this.#entries.size;
  }
}
