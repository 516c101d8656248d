/**
 * Forwarding: `POST /v1/forwarding/requests` sends the request to its `url` with the payment
 * method's card details in place of the placeholders its `replacements` name (`{{card_number}}`,
 * `{{card_expiry}}` as MM/YY, `{{card_expiry_month}}`, `{{card_expiry_year}}`,
 * `{{cardholder_name}}`), and records the request redacted as Stripe stores it (the number as
 * `424242******4242`, wherever it appears; the values of credential headers such as
 * `Destination-API-Key`, `Authorization` or `Cookie` as `[REDACTED]`; the `Content-Type` Stripe adds
 * listed with the caller's headers) with the destination's response, redacted the same way. The emulator forwards only to loopback
 * addresses (its stand-in for the destinations Stripe enables per account); for any other URL
 * the request is recorded, not sent, and has no response.
 *
 * The outbound call is asynchronous, so it runs before the request's synchronous transaction
 * (`prefetchForward`, from the service) and the rule picks its outcome up by request id.
 */

import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Store } from '../engine/store.ts';
import { testCardByFingerprint } from '../money/tokens.ts';
import { authenticate } from '../request/auth.ts';
import { decodeForm } from '../request/form.ts';

export const FORWARDING_PATH = '/v1/forwarding/requests';

/** How long the emulator waits for a destination (Stripe's own limit is not published). */
const TIMEOUT_MS = 10_000;

export interface Outbound {
  url: string;
  /** as sent: the caller's, and `Content-Type` unless the caller gave one */
  headers: [string, string][];
  /** with the card details */
  body: string;
  /** as stored: the number masked */
  redactedBody: string;
  /** masks what must not be stored (the card's number) in any text */
  mask: (text: string) => string;
}

/** How a credential header's value is stored. */
export const REDACTED = '[REDACTED]';

/** Headers whose values are credentials: stored redacted, request and response alike. */
const SENSITIVE_HEADER =
  /^(?:authorization|proxy-authorization|cookie|set-cookie)$|api[-_]?key|token|secret|password|credential|signature|session/i;

/** A header as Stripe stores it: a credential's value redacted. */
export function storedHeader(name: string, value: string): JsonObject {
  return { name, value: SENSITIVE_HEADER.test(name) ? REDACTED : value };
}

export interface ForwardOutcome {
  request_context: JsonObject;
  response_details: JsonObject;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopback(url: string): boolean {
  try {
    return LOOPBACK.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** The request to send for a forwarding request's params and its payment method. */
export function outbound(params: JsonObject, method: JsonObject): Outbound | undefined {
  const card = isObject(method.card) ? method.card : undefined;
  const number = testCardByFingerprint(card?.fingerprint)?.number;
  if (!card || !number) return undefined;
  const replacements = new Set(Array.isArray(params.replacements) ? params.replacements : []);
  const month = String(card.exp_month ?? '').padStart(2, '0');
  const year = String(card.exp_year ?? '');
  const billing = isObject(method.billing_details) ? method.billing_details : {};
  const values: [string, string, string, string][] = [
    // [kind, placeholder, value, as stored]
    ['card_number', 'card_number', number, `${number.slice(0, 6)}******${number.slice(-4)}`],
    ['card_expiry', 'card_expiry', `${month}/${year.slice(-2)}`, `${month}/${year.slice(-2)}`],
    ['card_expiry', 'card_expiry_month', month, month],
    ['card_expiry', 'card_expiry_year', year, year],
    ['cardholder_name', 'cardholder_name', String(billing.name ?? ''), String(billing.name ?? '')],
  ];
  const request = isObject(params.request) ? params.request : {};
  let body = typeof request.body === 'string' ? request.body : '';
  let redactedBody = body;
  for (const [kind, placeholder, value, stored] of values) {
    if (!replacements.has(kind)) continue;
    body = body.replaceAll(`{{${placeholder}}}`, value);
    redactedBody = redactedBody.replaceAll(`{{${placeholder}}}`, stored);
  }
  const masked = values[0]![3];
  const mask = (text: string) => text.replaceAll(number, masked);
  const headers = (Array.isArray(request.headers) ? request.headers : [])
    .filter(isObject)
    .map((h): [string, string] => [String(h.name ?? ''), String(h.value ?? '')]);
  if (!headers.some(([name]) => name.toLowerCase() === 'content-type'))
    headers.push(['Content-Type', 'application/json']);
  return { url: String(params.url ?? ''), headers, body, redactedBody: mask(redactedBody), mask };
}

/** `request_details` as stored: the number masked, credential headers redacted. */
export const requestDetails = (out: Outbound): JsonObject => ({
  body: out.redactedBody,
  headers: out.headers.map(([name, value]) => storedHeader(name, out.mask(value))),
  http_method: 'POST',
});

/** Sends the request; the destination's answer (or its failure, as a 502) as Stripe records it. */
export async function send(out: Outbound): Promise<ForwardOutcome> {
  const started = performance.now();
  const headers = new Headers(out.headers);
  let status = 502;
  let body = '';
  const responseHeaders: Json[] = [];
  try {
    const response = await fetch(out.url, {
      method: 'POST',
      headers,
      body: out.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = response.status;
    body = out.mask(await response.text());
    response.headers.forEach((value, name) => {
      responseHeaders.push(storedHeader(name, out.mask(value)));
    });
  } catch (error) {
    body = JSON.stringify({ error: (error as Error).message });
  }
  return {
    request_context: {
      destination_duration: Math.round(performance.now() - started),
      destination_ip_address: new URL(out.url).hostname.replace(/^\[|\]$/g, ''),
    },
    response_details: { body, headers: responseHeaders, status },
  };
}

/** A decoded form's indexed hashes (`a[0]=…`) as the arrays they stand for. */
function listed(value: Json): Json {
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((k): [string, Json] => [k, listed(value[k]!)]);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k)))
    return entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v);
  return Object.fromEntries(entries);
}

const outcomes = new Map<string, ForwardOutcome>();

/** The outcome sent for a request id (taken once). */
export function takeForward(requestId: string | undefined): ForwardOutcome | undefined {
  if (requestId === undefined) return undefined;
  const outcome = outcomes.get(requestId);
  outcomes.delete(requestId);
  return outcome;
}

/**
 * Before a `POST /v1/forwarding/requests` runs: with a valid key, a loopback URL and a card
 * payment method the store knows, sends the request and keeps the outcome for `requestId`.
 */
export async function prefetchForward(
  store: Store,
  headers: Readonly<Record<string, string | undefined>>,
  body: Buffer | string | undefined,
  requestId: string,
  allowed?: ReadonlySet<string>,
): Promise<void> {
  if (typeof authenticate(headers.authorization, allowed) !== 'string' || body === undefined) return;
  const params = listed(decodeForm(typeof body === 'string' ? body : body.toString('utf8')) as Json);
  if (!isObject(params)) return;
  if (typeof params.url !== 'string' || !isLoopback(params.url)) return;
  const account = headers['stripe-account'];
  const scope = account ? store.scope(account) : store.platform;
  const method = typeof params.payment_method === 'string' ? scope.find(params.payment_method) : undefined;
  if (method?.resource !== 'payment_method') return;
  const out = outbound(params, method.data);
  if (out) outcomes.set(requestId, await send(out));
}
