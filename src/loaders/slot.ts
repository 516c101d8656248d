/**
 * A value kept on an object under a symbol of its own: a request's tracking, an operation's cost
 * estimate, the session a Stripe object came from. No serialisation (JSON.stringify, Object.keys)
 * sees it, and it is cheaper than a WeakMap, whose entries for short-lived keys cost the garbage
 * collector on every scavenge.
 */
export interface Slot<T> {
  get(holder: object): T | undefined;
  set(holder: object, value: T): void;
}

export function slot<T>(description: string): Slot<T> {
  const key = Symbol(description);
  type Holder = { [key]?: T };
  return {
    get: (holder) => (holder as Holder)[key],
    set: (holder, value) => {
      (holder as Holder)[key] = value;
    },
  };
}
