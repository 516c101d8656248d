/**
 * API keys: `Authorization: Bearer <key>` or Basic with the key as the user name, as Stripe accepts.
 * Any well-formed test key (`sk_test_…`, `rk_test_…`) is valid unless the emulator was given a list.
 */
import { API_KEY_PREFIX, TEST_API_KEY } from '../../spec/stripe.ts';
import { type ErrorReply, invalidRequest } from '../engine/errors.ts';

const NO_KEY =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

/** `sk_test_abcdefghijklmnop1234` → `sk_test_************1234`: the type prefix and last four stay. */
export function maskKey(key: string): string {
  const prefix = API_KEY_PREFIX.exec(key)?.[0] ?? key.slice(0, Math.min(3, Math.floor(key.length / 2)));
  const rest = key.slice(prefix.length);
  const tail = rest.length > 8 ? rest.slice(-4) : '';
  return `${prefix}${'*'.repeat(rest.length - tail.length)}${tail}`;
}

/** The key from an `Authorization` header, or undefined. */
export function keyFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return undefined;
  if (/^bearer$/i.test(scheme!)) return value;
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? decoded : decoded.slice(0, colon);
  }
  return undefined;
}

/** The key, or the 401 Stripe answers. */
export function authenticate(header: string | undefined, allowed?: ReadonlySet<string>): string | ErrorReply {
  const key = keyFromHeader(header);
  if (key === undefined || key === '') {
    return header
      ? invalidRequest(`Invalid API Key provided: ${maskKey(header.trim())}`, {}, 401)
      : invalidRequest(NO_KEY, {}, 401);
  }
  if (!TEST_API_KEY.test(key) || (allowed && !allowed.has(key))) {
    return invalidRequest(`Invalid API Key provided: ${maskKey(key)}`, {}, 401);
  }
  return key;
}
