/** Tokens and demo-data lookups shared by the access-control tests. */
import { type JWTPayload, SignJWT } from 'jose';
import type { RestClient } from '../../src/rest/client.ts';

export const JWT_SECRET = 'escape-suite-secret-at-least-32-characters';
export const JWT_ISSUER = 'https://auth.example.test/';
export const JWT_AUDIENCE = 'stripe-gateway';

/** The harness environment of a gateway in jwt mode. */
export const JWT_ENV = {
  AUTH_MODE: 'jwt',
  JWT_SECRET,
  JWT_ISSUER,
  JWT_AUDIENCE,
} as const;

export interface TokenOptions {
  secret?: string;
  issuer?: string;
  audience?: string;
  /** seconds from now; negative for an expired token */
  expiresIn?: number;
}

export function token(claims: JWTPayload, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(options.issuer ?? JWT_ISSUER)
    .setAudience(options.audience ?? JWT_AUDIENCE)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresIn ?? 300))
    .sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
}

export const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

interface Page<T> {
  data: T[];
}
type Obj = Record<string, unknown> & { id: string };

/** One demo customer and the objects of theirs the escape suite aims at. */
export interface Victim {
  customer: string;
  email: string;
  card: string;
  charge: string;
  invoice?: string;
  paymentIntent: string;
}

export async function customerByEmail(admin: RestClient, email: string): Promise<Victim> {
  const customers = await admin.request<Page<Obj>>({
    method: 'GET',
    path: '/v1/customers',
    params: { email },
  });
  const customer = customers.data[0]!.id;
  const first = async (path: string, params: Record<string, string> = { customer }) =>
    (await admin.request<Page<Obj>>({ method: 'GET', path, params })).data[0]?.id;
  const invoice = await first('/v1/invoices');
  return {
    customer,
    email,
    card: (await first(`/v1/customers/${customer}/sources`, {}))!,
    charge: (await first('/v1/charges'))!,
    ...(invoice ? { invoice } : {}),
    paymentIntent: (await first('/v1/payment_intents'))!,
  };
}
