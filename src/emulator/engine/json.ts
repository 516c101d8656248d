/** JSON values as the emulator stores and returns them. Stored objects are never mutated in place. */
export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Sets each of `keys` that `object` lacks to null: the optional props Stripe sends, null until set. */
export function nullUnlessSet(object: JsonObject, keys: readonly string[]): void {
  for (const key of keys) object[key] ??= null;
}

/** A deep copy of plain JSON data (faster than structuredClone for small trees). */
export function deepClone<T extends Json>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => deepClone(v)) as T;
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const key in value) out[key] = deepClone(value[key]!);
    return out as T;
  }
  return value;
}

/** The id of a reference that is either an id or an (expanded) object with an `id`. */
export function refId(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.id === 'string') return value.id;
  return undefined;
}

/** Keys in Stripe's order: `id` and `object` first, then alphabetical. */
export function orderKeys(data: JsonObject): JsonObject {
  const keys = Object.keys(data).sort((a, b) => {
    const rank = (k: string) => (k === 'id' ? 0 : k === 'object' ? 1 : 2);
    return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  });
  const out: JsonObject = {};
  for (const key of keys) out[key] = data[key]!;
  return out;
}
