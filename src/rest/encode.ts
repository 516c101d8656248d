/**
 * Stripe's `application/x-www-form-urlencoded` dialect for v1 endpoints, byte-compatible with the
 * official `stripe` SDK (`stringifyRequestData`):
 *
 * - nested hashes become `a[b][c]=v`, arrays are indexed (`items[0][price]=p`, `expand[0]=x`);
 * - `undefined` (at any depth) is omitted, `null` becomes `key=` (unset), as does `''`;
 * - `Date` becomes Unix seconds, booleans `true`/`false`, numbers `String(n)`;
 * - empty arrays and empty hashes emit nothing;
 * - values are percent-encoded like `qs` (RFC 3986: `!*'()` too) but brackets stay literal.
 */

/** A value the form encoder accepts at any depth. */
export type FormValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | null
  | undefined
  | readonly FormValue[]
  | { readonly [key: string]: FormValue };

/**
 * Top-level request parameters: any object, so generated param interfaces (which have no index
 * signature) pass as is. Its own enumerable keys are encoded, in insertion order.
 */
export type FormParams = object;

// encodeURIComponent leaves `!'()*` alone where qs (and so the SDK) escapes them; brackets are
// un-escaped afterwards for readability (Stripe accepts both forms).
const FIXUPS: Readonly<Record<string, string>> = {
  '!': '%21',
  "'": '%27',
  '(': '%28',
  ')': '%29',
  '*': '%2A',
  '%5B': '[',
  '%5D': ']',
};
const FIXUP_PATTERN = /[!'()*]|%5[BD]/g;
/** Text that encodes to itself: ids, numbers, `expand[0]`, `data.customer` (most of what is sent). */
const UNCHANGED = /^[A-Za-z0-9_.~[\]-]*$/;

function percentEncode(text: string): string {
  if (UNCHANGED.test(text)) return text;
  return encodeURIComponent(text).replace(FIXUP_PATTERN, (match) => FIXUPS[match] ?? match);
}

function scalarToString(value: unknown): string {
  if (value === null) return '';
  if (value instanceof Date) return Math.floor(value.getTime() / 1000).toString();
  return String(value);
}

function appendPairs(pairs: string[], key: string, value: unknown): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || value instanceof Date) {
    pairs.push(`${percentEncode(key)}=${percentEncode(scalarToString(value))}`);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) appendPairs(pairs, `${key}[${i}]`, value[i]);
    return;
  }
  for (const child of Object.keys(value)) {
    appendPairs(pairs, `${key}[${child}]`, (value as Record<string, unknown>)[child]);
  }
}

/**
 * Encodes request parameters as Stripe's bracketed form string (no leading `?`). Keys keep their
 * insertion order, as in the SDK.
 */
export function encodeForm(params: FormParams | undefined): string {
  if (params === undefined) return '';
  const pairs: string[] = [];
  for (const key of Object.keys(params)) appendPairs(pairs, key, (params as Record<string, unknown>)[key]);
  return pairs.join('&');
}
