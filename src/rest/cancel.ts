/**
 * What the REST client needs of an abort signal (`CancelSignal`: an `AbortSignal` is one), and a
 * light one for a whole GraphQL request (`Cancellation`). Each upstream call listens while it is
 * queued and while it is in flight; on an `AbortSignal` every listener added and removed goes
 * through EventTarget's option parsing and listener records, a few percent of a request's CPU when
 * a request makes several calls. A `Cancellation` keeps its listeners in a Set.
 */

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
