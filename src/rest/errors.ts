/**
 * The one error type the REST layer throws for anything that went wrong talking to Stripe.
 *
 * `kind` says which way it failed:
 * - `api`: Stripe (or something in front of it) answered with an error status or an unreadable body;
 *   `statusCode`, `type`, `code`, … describe it.
 * - `connection`: no usable response: refused, reset, DNS, TLS, or the client was closed.
 * - `timeout`: the connect or per-attempt timeout elapsed.
 * - `aborted`: the caller's `AbortSignal` fired (e.g. the GraphQL request was cancelled).
 * - `rate_limited`: the shared rate budget (`RestClientOptions.limiter`) had no room soon enough;
 *   nothing was sent.
 * - `queue_timeout`: every upstream slot this call could take stayed busy past the queue timeout
 *   (`RestClientOptions.queueTimeoutMs`); nothing was sent.
 * - `too_large`: the answer passed `RestClientOptions.maxResponseBytes`; the transfer was cut off.
 *   Stripe did answer: a write may have happened.
 *
 * Messages never contain the API key: it only ever travels in the `Authorization` header.
 */

export type StripeErrorKind =
  | 'api'
  | 'connection'
  | 'timeout'
  | 'aborted'
  | 'rate_limited'
  | 'queue_timeout'
  | 'too_large';

/** Stripe's documented `error.type` values, open-ended for forward compatibility. */
export type StripeErrorType =
  | 'api_error'
  | 'card_error'
  | 'idempotency_error'
  | 'invalid_request_error'
  | (string & {});

export interface StripeErrorInit {
  kind: StripeErrorKind;
  message: string;
  type?: StripeErrorType | undefined;
  code?: string | undefined;
  declineCode?: string | undefined;
  param?: string | undefined;
  docUrl?: string | undefined;
  statusCode?: number | undefined;
  requestId?: string | undefined;
  raw?: unknown;
  cause?: unknown;
}

export class StripeError extends Error {
  override readonly name = 'StripeError';
  readonly kind: StripeErrorKind;
  /** Stripe's `error.type`; `api_error` for unparseable error responses, undefined off the API. */
  readonly type: StripeErrorType | undefined;
  readonly code: string | undefined;
  readonly declineCode: string | undefined;
  readonly param: string | undefined;
  readonly docUrl: string | undefined;
  /** HTTP status of the response, when there was one. */
  readonly statusCode: number | undefined;
  /** The `Request-Id` response header, for Stripe support and dashboard logs. */
  readonly requestId: string | undefined;
  /** The response body: parsed JSON when it parsed, else the text; undefined without a response. */
  readonly raw: unknown;

  constructor(init: StripeErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.type = init.type;
    this.code = init.code;
    this.declineCode = init.declineCode;
    this.param = init.param;
    this.docUrl = init.docUrl;
    this.statusCode = init.statusCode;
    this.requestId = init.requestId;
    this.raw = init.raw;
  }

  /** Stripe rate-limited the request (HTTP 429, or a 400 with `code: rate_limit` as older APIs did). */
  get isRateLimit(): boolean {
    return this.statusCode === 429 || this.code === 'rate_limit';
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      type: this.type,
      code: this.code,
      declineCode: this.declineCode,
      param: this.param,
      statusCode: this.statusCode,
      requestId: this.requestId,
    };
  }
}

export function isStripeError(value: unknown): value is StripeError {
  return value instanceof StripeError;
}

function stringField(source: Record<string, unknown>, key: string): string | undefined {
  const value = source[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the error for a non-2xx response from its body. Understands Stripe's
 * `{ error: { type, code, decline_code, message, param, doc_url } }` and the OAuth
 * `{ error: "invalid_grant", error_description }` shape; anything else (an HTML 502 from a proxy)
 * becomes a generic `api_error` with the status in the message.
 */
export function errorFromResponse(
  statusCode: number,
  body: unknown,
  requestId: string | undefined,
): StripeError {
  const envelope = isRecord(body) ? body : undefined;
  const error = envelope?.error;
  if (isRecord(error)) {
    return new StripeError({
      kind: 'api',
      message: stringField(error, 'message') ?? `Stripe API responded with HTTP ${statusCode}`,
      type: stringField(error, 'type') ?? 'api_error',
      code: stringField(error, 'code'),
      declineCode: stringField(error, 'decline_code'),
      param: stringField(error, 'param'),
      docUrl: stringField(error, 'doc_url'),
      statusCode,
      requestId,
      raw: body,
    });
  }
  if (typeof error === 'string' && envelope !== undefined) {
    return new StripeError({
      kind: 'api',
      message: stringField(envelope, 'error_description') ?? error,
      type: error,
      statusCode,
      requestId,
      raw: body,
    });
  }
  return new StripeError({
    kind: 'api',
    message: `Stripe API responded with HTTP ${statusCode} and no Stripe error body`,
    type: 'api_error',
    statusCode,
    requestId,
    raw: body,
  });
}
