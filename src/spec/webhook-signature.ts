/**
 * Stripe's webhook signatures: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, where each
 * `v1` is HMAC-SHA256 over `<t>.<raw body>` keyed with the endpoint's `whsec_…` secret. A receiver
 * accepts when any `v1` matches (compared in constant time) and `t` is within its tolerance (300 s
 * by default, against replays). The emulator signs with `signatureHeader`; the gateway's webhook
 * intake checks with `verifySignature`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEFAULT_TOLERANCE_SECONDS = 300;

export function computeSignature(secret: string, timestamp: number, payload: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
}

/** The header Stripe sends: one `v1` per secret (several while a secret is being rolled). */
export function signatureHeader(
  secrets: string | readonly string[],
  payload: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  return [`t=${timestamp}`, ...list.map((s) => `v1=${computeSignature(s, timestamp, payload)}`)].join(',');
}

export type SignatureFailure =
  /** no header, or no `t=` / `v1=` in it */
  | 'malformed'
  /** no `v1` matches any secret */
  | 'mismatch'
  /** `t` is outside the tolerance window */
  | 'stale';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure };

export interface VerifyOptions {
  /** the endpoint secret(s); several while rolling one */
  secrets: readonly string[];
  /** seconds either side of now; 0 disables the age check. Default 300. */
  toleranceSeconds?: number;
  /** Unix seconds; default the clock */
  now?: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

export function verifySignature(
  header: string | null | undefined,
  payload: string,
  options: VerifyOptions,
): SignatureCheck {
  if (!header || header.length > 4096) return { ok: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && HEX64.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const matches = options.secrets.some((secret) => {
    const expected = Buffer.from(computeSignature(secret, timestamp, payload), 'hex');
    return signatures.some((given) => timingSafeEqual(given, expected));
  });
  if (!matches) return { ok: false, reason: 'mismatch' };
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (tolerance > 0 && Math.abs(now - timestamp) > tolerance) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp };
}
