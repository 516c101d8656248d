/**
 * Who is calling, by `AUTH_MODE` (src/server/config.ts), decided once per request before any
 * resolver runs (the context factory calls `authenticate`):
 *
 * - `none`: nobody in particular; the gateway's key reads everything (loopback development only —
 *   the configuration refuses it with a live key or on a public address).
 * - `passthrough`: `Authorization: Bearer sk_…|rk_…` is the caller's own Stripe key; the gateway holds
 *   none and sends each request's key on that request's calls only (sessions are per request, so no
 *   loader or cache is ever shared between keys).
 * - `jwt`: `Authorization: Bearer <JWT>`, verified with `jose` (HS256 with `JWT_SECRET`, or RS256/ES256
 *   from `JWT_JWKS_URL`; issuer, audience and expiry required; `alg: none` refused). Its claims give
 *   the scope: `scope` containing `stripe:admin` sees everything; `stripe_customer: "cus_…"` sees only
 *   that customer and what belongs to it (src/loaders/scope.ts); `stripe_account: "acct_…"` acts as
 *   that connected account and no other.
 *
 * A missing or invalid credential is HTTP 401 with `extensions.code: UNAUTHENTICATED`.
 */
import { GraphQLError } from 'graphql';
import type { JWTPayload } from 'jose';
import { CUSTOMER_ID, forbidden } from '../loaders/scope.ts';
import { ACCOUNT_ID } from '../schema/connect.ts';
import { API_KEY } from '../spec/stripe.ts';
import type { AuthConfig, JwtConfig } from './config.ts';

export const ADMIN_SCOPE = 'stripe:admin';
export const CUSTOMER_CLAIM = 'stripe_customer';
export const ACCOUNT_CLAIM = 'stripe_account';

/** The caller of one request, as the upstream sessions apply it. */
export interface Caller {
  readonly mode: AuthConfig['mode'];
  /** passthrough: the caller's own key, sent on every Stripe call of the request */
  readonly apiKey?: string;
  /** limited to this customer and what belongs to it */
  readonly customer?: string;
  /** acts as this connected account only (a Stripe-Account header or connectedAccount(id:) for another is FORBIDDEN) */
  readonly account?: string;
  /** the token's `sub`, for logs */
  readonly subject?: string;
  /** when the credential expires (epoch ms, the token's `exp`): streams it opened end then */
  readonly expiresAt?: number;
  /** the token's `jti` and `iat` (epoch s), for the revocation list (src/server/revocation.ts) */
  readonly tokenId?: string;
  readonly issuedAt?: number;
}

export interface Authenticator {
  /** The caller, or a promise of it when checking the credential takes I/O (a JWKS fetch). */
  authenticate(request: Request): Caller | Promise<Caller>;
}

const JWT_ALGORITHMS_HS = ['HS256'];
const JWT_ALGORITHMS_ASYMMETRIC = ['RS256', 'ES256'];

export function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`Unauthenticated: ${reason}`, {
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'www-authenticate': 'Bearer' } },
    },
  });
}

function bearerOf(request: Request): string {
  const header = request.headers.get('authorization');
  if (!header) throw unauthenticated('send Authorization: Bearer <credential>');
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match) throw unauthenticated('the Authorization header must be Bearer <credential>');
  return match[1]!;
}

type Jose = typeof import('jose');
/** jose, imported with the first token to verify: a gateway not in `jwt` mode never loads it. */
let jose: Promise<Jose> | undefined;
const loadJose = (): Promise<Jose> => {
  jose ??= import('jose');
  return jose;
};

/** Why jose refused a token, in words that reveal nothing about the key. */
function reasonOf(error: unknown, { errors }: Jose): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token's "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature is invalid";
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key matches the token';
  return 'the token is malformed or cannot be verified';
}

function scopesOf(payload: JWTPayload): string[] {
  const scope = payload.scope;
  if (typeof scope === 'string') return scope.split(/\s+/).filter(Boolean);
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string');
  return [];
}

/** The scope a verified token grants; 401 when it grants none or names ids of the wrong shape. */
export function callerFromClaims(payload: JWTPayload): Caller {
  const customer = payload[CUSTOMER_CLAIM];
  const account = payload[ACCOUNT_CLAIM];
  if (customer !== undefined && (typeof customer !== 'string' || !CUSTOMER_ID.test(customer))) {
    throw unauthenticated(`the token's "${CUSTOMER_CLAIM}" claim must be a customer id (cus_…)`);
  }
  if (account !== undefined && (typeof account !== 'string' || !ACCOUNT_ID.test(account))) {
    throw unauthenticated(`the token's "${ACCOUNT_CLAIM}" claim must be a connected account id (acct_…)`);
  }
  const admin = scopesOf(payload).includes(ADMIN_SCOPE);
  if (!admin && customer === undefined && account === undefined) {
    throw unauthenticated(
      `the token grants no access: it needs "scope": "${ADMIN_SCOPE}", "${CUSTOMER_CLAIM}" or "${ACCOUNT_CLAIM}"`,
    );
  }
  return {
    mode: 'jwt',
    // The narrowest claim wins: a customer claim limits even an admin token.
    ...(customer === undefined ? {} : { customer }),
    ...(account === undefined ? {} : { account }),
    ...(typeof payload.sub === 'string' ? { subject: payload.sub } : {}),
    ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}),
    ...(typeof payload.jti === 'string' ? { tokenId: payload.jti } : {}),
    ...(typeof payload.iat === 'number' ? { issuedAt: payload.iat } : {}),
  };
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether `segment` is canonical unpadded base64url (RFC 7515 §2): no `=`, no character outside the
 * alphabet, a length a byte string can have, and the unused low bits of the last character zero.
 * Decoders ignore those bits, so without this check one token has several spellings that all verify
 * (a replay filter or a deny-list keyed by the token's text would miss the others).
 */
export function isCanonicalBase64url(segment: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return false;
  const tail = segment.length % 4;
  if (tail === 1) return false;
  if (tail === 0) return true;
  const last = BASE64URL.indexOf(segment[segment.length - 1]!);
  // 2 characters carry 8 bits of 12 (4 unused), 3 carry 16 of 18 (2 unused).
  return (last & (tail === 2 ? 0x0f : 0x03)) === 0;
}

/** A compact JWS of three canonical segments, checked before any signature work. */
function isCanonicalJws(token: string): boolean {
  const segments = token.split('.');
  return (
    segments.length === 3 && segments.every((segment) => segment !== '' && isCanonicalBase64url(segment))
  );
}

function jwtAuthenticator(config: JwtConfig, revoked: (caller: Caller) => boolean): Authenticator {
  const options = {
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockToleranceSec,
    requiredClaims: ['exp'],
  };
  let keys: ReturnType<Jose['createRemoteJWKSet']> | undefined;
  const verify = ({ createRemoteJWKSet, jwtVerify }: Jose, token: string) => {
    if (config.secret) {
      return jwtVerify(token, new TextEncoder().encode(config.secret), {
        ...options,
        algorithms: JWT_ALGORITHMS_HS,
      });
    }
    keys ??= createRemoteJWKSet(new URL(config.jwksUrl!));
    return jwtVerify(token, keys, { ...options, algorithms: JWT_ALGORITHMS_ASYMMETRIC });
  };
  return {
    async authenticate(request) {
      const token = bearerOf(request);
      if (!isCanonicalJws(token)) {
        throw unauthenticated('the token is malformed (three canonical base64url segments, without padding)');
      }
      const jose = await loadJose();
      let payload: JWTPayload;
      try {
        ({ payload } = await verify(jose, token));
      } catch (error) {
        throw unauthenticated(reasonOf(error, jose));
      }
      const caller = callerFromClaims(payload);
      if (revoked(caller)) throw unauthenticated('the token has been revoked');
      return caller;
    },
  };
}

export interface AuthenticatorOptions {
  /** whether a verified JWT has been revoked since (src/server/revocation.ts); default never */
  revoked?: (caller: Caller) => boolean;
}

export function createAuthenticator(config: AuthConfig, options: AuthenticatorOptions = {}): Authenticator {
  switch (config.mode) {
    case 'none': {
      const nobody: Caller = { mode: 'none' };
      return { authenticate: () => nobody };
    }
    case 'passthrough':
      return {
        authenticate(request) {
          const key = bearerOf(request);
          if (!API_KEY.test(key)) {
            return Promise.reject(
              unauthenticated('send your Stripe key: Authorization: Bearer sk_… or rk_…'),
            );
          }
          return { mode: 'passthrough', apiKey: key };
        },
      };
    case 'jwt':
      if (!config.jwt) throw new Error('createAuthenticator: AUTH_MODE=jwt needs its JwtConfig');
      return jwtAuthenticator(config.jwt, options.revoked ?? (() => false));
  }
}

/** A request-level denial (the whole request, before any resolver): HTTP 403. */
function forbiddenRequest(): GraphQLError {
  const error = forbidden();
  return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 403 } } });
}

/**
 * The connected account a request acts as: a caller bound to an account (or to a customer, who
 * lives in one account) may not name another with `Stripe-Account`.
 */
export function accountFor(caller: Caller, header: string | undefined): string | undefined {
  if (caller.account !== undefined) {
    if (header !== undefined && header !== caller.account) throw forbiddenRequest();
    return caller.account;
  }
  if (caller.customer !== undefined && header !== undefined) throw forbiddenRequest();
  return header;
}

/** Whether `connectedAccount(id:)` may act as `account` for this caller (the request's own account). */
export function mayActAs(caller: Caller, requestAccount: string | undefined, account: string): boolean {
  if (caller.account === undefined && caller.customer === undefined) return true;
  return account === requestAccount;
}
