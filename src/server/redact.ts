/**
 * Keeps API keys (the gateway's, and callers' own in passthrough mode) and callers' JWTs out of
 * responses and logs: every text that leaves the process through an error
 * message or a log line passes through a redactor first.
 */
import { API_KEYS_IN_TEXT } from '../spec/stripe.ts';

/** Signed JWTs (header.payload.signature, the header always starts with `{"` = `eyJ`): callers' tokens. */
const JWT_PATTERN = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
export const REDACTED = '[REDACTED]';

export type Redactor = (text: string) => string;

/** A redactor for Stripe-shaped keys and for each given secret (e.g. the configured key, whatever its shape). */
export function createRedactor(secrets: readonly (string | undefined)[] = []): Redactor {
  const literals = [
    ...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4)),
  ].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of literals) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out.replace(API_KEYS_IN_TEXT, REDACTED).replace(JWT_PATTERN, REDACTED);
  };
}

/** Applies a redactor to every string inside a JSON-like value (a copy; the input is untouched). */
export function redactValue(value: unknown, redact: Redactor, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactValue(item, redact, depth + 1);
  return out;
}
