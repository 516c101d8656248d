/**
 * The only code that speaks HTTP to Stripe (or to the emulator): one keep-alive undici `Pool` per
 * client (and so per base URL), a semaphore bounding requests in flight, Stripe's form encoding,
 * idempotent retries with backoff, per-attempt timeouts, caller cancellation and typed errors.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Dispatcher, Pool } from 'undici';
import { fillParams } from '../spec/paths.ts';
import { IDEMPOTENCY_KEY, STRIPE_API_VERSION } from '../spec/stripe.ts';
import { abortedError, type CancelSignal, sleep } from './cancel.ts';
import {
  DEFAULT_API_BASE,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_RETRIES,
  DEFAULT_QUEUE_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  defaultPerPath,
} from './config.ts';
import { encodeForm, type FormParams } from './encode.ts';
import { errorFromResponse, StripeError } from './errors.ts';
import { AnswerTooLargeError, exchange } from './exchange.ts';
import { decodeBody, parseBody } from './json.ts';
import { encodeMultipart } from './multipart.ts';
import { paginate, type StripePage } from './paginate.ts';
import { InvalidPathParameterError, pathParameterProblem } from './path-params.ts';
import { parseRetryAfter, type RetryPolicy, retryDelayMs, shouldRetry } from './retry.ts';
import { QueueTimeoutError, Semaphore } from './semaphore.ts';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RestRequest {
  readonly method: HttpMethod;
  /** Path template with `{name}` placeholders, e.g. `/v1/customers/{customer}`. No query string. */
  readonly path: string;
  /**
   * Values for the placeholders; URL-encoded. Values that cannot be Stripe ids (empty, `.`, `..`,
   * over-long, control characters, `/`) are refused with `InvalidPathParameterError` before any call.
   */
  readonly pathParams?: Readonly<Record<string, string | number>>;
  /** Query parameters for GET and DELETE, the form body for POST. */
  readonly params?: FormParams;
  /** Appended to `params.expand`, sent as `expand[0]=…` like the SDK. */
  readonly expand?: readonly string[];
  /** Connected account to act as (`Stripe-Account` header). */
  readonly stripeAccount?: string;
  /**
   * This call's API key, in place of the client's (passthrough auth: the caller's own key). A client
   * built without a key sends none unless the call carries one (Stripe then answers 401).
   */
  readonly apiKey?: string;
  /** For POST; generated when absent. Reused on every retry of this call. */
  readonly idempotencyKey?: string;
  /** POST as multipart/form-data to the files host (`POST /v1/files`); `Blob` params are the files. */
  readonly multipart?: boolean;
  /** Cancels the call: queued, in flight or sleeping between retries. */
  readonly signal?: CancelSignal;
}

export interface ListRequest extends Omit<RestRequest, 'method' | 'idempotencyKey'> {
  /** Stop after this many items. */
  readonly maxItems?: number;
}

/** Reported once per `request` call (not per attempt), success or failure. */
export interface RequestEvent {
  readonly method: HttpMethod;
  readonly pathTemplate: string;
  /** The resolved path, without query string (queries can hold customer data). */
  readonly path: string;
  /** Status of the last attempt's response; null when it got none. */
  readonly status: number | null;
  /** Wall time of the whole call, including queueing and backoff. */
  readonly durationMs: number;
  readonly attempts: number;
  readonly retried: boolean;
  readonly requestId: string | undefined;
  readonly stripeAccount: string | undefined;
  readonly error?: StripeError;
}

export type RequestListener = (event: RequestEvent) => void;

/**
 * A budget of calls to Stripe, possibly shared by several processes (src/server/rate-budget.ts).
 * Every attempt takes one call from the budget of the account it acts as.
 */
export interface RateLimiter {
  /**
   * Resolves when a call acting as `stripeAccount` (undefined: the key's own account) may go;
   * `apiKey` is the call's own key (passthrough), else the client's is meant. Rejects with a `rate_limited` StripeError when none will be free soon enough.
   */
  acquire(stripeAccount: string | undefined, signal?: CancelSignal, apiKey?: string): Promise<void>;
  /** Stripe answered 429 for this account: shrink its budget for a while. */
  throttled(stripeAccount: string | undefined, apiKey?: string): void;
}

/** What the rest of the gateway depends on. */
export interface RestClient {
  request<T>(request: RestRequest): Promise<T>;
  /** Auto-paginates a list or search endpoint, yielding items. */
  list<T>(request: ListRequest): AsyncGenerator<T, void, undefined>;
  /** Stops accepting requests, lets in-flight ones finish and closes the sockets. Idempotent. */
  close(): Promise<void>;
  /**
   * Undefined while one of the client's slots (`maxConcurrency`) is free or no call waits for one;
   * else a promise for when that is so again. The gateway starts new requests' work then
   * (src/server/turns.ts).
   */
  whenRoom?(): Promise<void> | undefined;
}

export interface RestClientOptions {
  /**
   * Secret (`sk_…`) or restricted (`rk_…`) key, sent as `Authorization: Bearer`. Optional only for a
   * gateway that holds no key (passthrough auth): each call then brings its own `apiKey`.
   */
  readonly secretKey?: string | undefined;
  /** Default `https://api.stripe.com`; may carry a path prefix. */
  readonly apiBase?: string;
  /**
   * Where multipart uploads go (`POST /v1/files`). Default `https://files.stripe.com` with Stripe's
   * API base, else `apiBase` (an emulator or proxy serves both).
   */
  readonly filesBase?: string;
  /** Per attempt, from dispatch to the last body byte. Default 80 s. */
  readonly timeoutMs?: number;
  /** TCP + TLS handshake. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Default 2 (so up to 3 attempts). */
  readonly maxRetries?: number;
  /** Requests in flight at once; the rest queue FIFO. Default 16. */
  readonly maxConcurrency?: number;
  /**
   * Requests in flight at once to one path template (`GET /v1/charges/{charge}`), so that one slow
   * path cannot hold every slot; waiting paths take turns. Default three quarters of
   * `maxConcurrency` (12 of 16).
   */
  readonly maxConcurrencyPerPath?: number;
  /** Longest wait for a slot before failing with kind `queue_timeout` (nothing sent). Default 15 s. */
  readonly queueTimeoutMs?: number;
  /** Largest answer body read; a larger one fails with kind `too_large` as it passes. Default 16 MiB. */
  readonly maxResponseBytes?: number;
  /** Sockets in the pool. Default `maxConcurrency`. */
  readonly maxConnections?: number;
  /** Backoff base and minimum. Default 500 ms. */
  readonly initialRetryDelayMs?: number;
  /** Backoff and `Retry-After` cap. Default 5 s. */
  readonly maxRetryDelayMs?: number;
  readonly onRequest?: RequestListener | readonly RequestListener[];
  readonly userAgent?: string;
  /** Takes each attempt out of a (shared) rate budget first; default none. */
  readonly limiter?: RateLimiter;
  /**
   * Sends requests through this undici dispatcher instead of the client's own pool (for example
   * the emulator in-process, `src/emulator/dispatcher.ts`). The caller owns it: `close()` leaves it open.
   */
  readonly dispatcher?: Dispatcher;
}

export const DEFAULT_INITIAL_RETRY_DELAY_MS = 500;
export const DEFAULT_MAX_RETRY_DELAY_MS = 5_000;
const DEFAULT_USER_AGENT = 'stripe-graphql-gateway/0.1 (undici)';
const KEEP_ALIVE_TIMEOUT_MS = 10_000;
/** Stripe's host for file uploads. */
const DEFAULT_FILES_BASE = 'https://files.stripe.com';
/** Visible ASCII and spaces only: anything else could split or corrupt a header. */
const HEADER_SAFE = /^[\x20-\x7e]+$/;

interface PreparedRequest {
  readonly method: HttpMethod;
  readonly pathTemplate: string;
  readonly path: string;
  /** Path plus query string, relative to the origin. */
  readonly target: string;
  readonly body: string | Buffer | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly idempotencyKey: string | undefined;
  readonly stripeAccount: string | undefined;
  /** the call's own key (passthrough auth); undefined: the client's */
  readonly apiKey: string | undefined;
  /** to the files host (multipart uploads) */
  readonly files: boolean;
}

type AttemptResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly requestId: string | undefined;
      readonly body: unknown;
    }
  | {
      readonly ok: false;
      readonly error: StripeError;
      readonly status: number | undefined;
      readonly requestId: string | undefined;
      readonly shouldRetryHeader: string | undefined;
      readonly retryAfterMs: number | undefined;
    };

function positiveInteger(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}`);
  return value;
}

/** Checked without echoing the key anywhere. */
function checkKey(name: string, key: unknown): void {
  if (typeof key !== 'string' || !/^[\x21-\x7e]+$/.test(key)) {
    throw new TypeError(`${name} must be a non-empty API key without whitespace`);
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export class StripeRestClient implements RestClient {
  readonly #pool: Dispatcher;
  readonly #origin: string;
  readonly #ownsPool: boolean;
  readonly #basePath: string;
  readonly #filesBase: URL;
  /** the files host's pool, when it is another origin than the API's and the pool is ours */
  #filesPool: Pool | undefined;
  readonly #baseHeaders: Readonly<Record<string, string>>;
  readonly #semaphore: Semaphore;
  readonly #policy: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #connections: number;
  readonly #listeners: readonly RequestListener[];
  readonly #limiter: RateLimiter | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: RestClientOptions) {
    const { secretKey } = options;
    if (secretKey !== undefined) checkKey('secretKey', secretKey);
    const base = new URL(options.apiBase ?? DEFAULT_API_BASE);
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new TypeError('apiBase must be an http(s) URL');
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.#filesBase = new URL(
      options.filesBase ?? (options.apiBase === undefined ? DEFAULT_FILES_BASE : base.href),
    );

    const maxConcurrency = positiveInteger('maxConcurrency', options.maxConcurrency, DEFAULT_MAX_CONCURRENCY);
    this.#timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.#connectTimeoutMs = positiveInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      DEFAULT_CONNECT_TIMEOUT_MS,
    );
    this.#policy = {
      maxRetries: positiveInteger('maxRetries', options.maxRetries, DEFAULT_MAX_RETRIES, 0),
      initialDelayMs: positiveInteger(
        'initialRetryDelayMs',
        options.initialRetryDelayMs,
        DEFAULT_INITIAL_RETRY_DELAY_MS,
        0,
      ),
      maxDelayMs: positiveInteger('maxRetryDelayMs', options.maxRetryDelayMs, DEFAULT_MAX_RETRY_DELAY_MS, 0),
    };
    this.#semaphore = new Semaphore(maxConcurrency, {
      perKey: positiveInteger(
        'maxConcurrencyPerPath',
        options.maxConcurrencyPerPath,
        defaultPerPath(maxConcurrency),
      ),
      queueTimeoutMs: positiveInteger('queueTimeoutMs', options.queueTimeoutMs, DEFAULT_QUEUE_TIMEOUT_MS),
    });
    this.#maxResponseBytes = positiveInteger(
      'maxResponseBytes',
      options.maxResponseBytes,
      DEFAULT_MAX_RESPONSE_BYTES,
    );
    this.#connections = positiveInteger('maxConnections', options.maxConnections, maxConcurrency);
    this.#origin = base.origin;
    this.#ownsPool = options.dispatcher === undefined;
    this.#pool = options.dispatcher ?? this.#newPool(base.origin);
    this.#baseHeaders = {
      ...(secretKey === undefined ? {} : { authorization: `Bearer ${secretKey}` }),
      'stripe-version': STRIPE_API_VERSION,
      accept: 'application/json',
      'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
    };
    this.#limiter = options.limiter;
    const { onRequest } = options;
    this.#listeners =
      onRequest === undefined ? [] : typeof onRequest === 'function' ? [onRequest] : [...onRequest];
  }

  #newPool(origin: string): Pool {
    return new Pool(origin, {
      connections: this.#connections,
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connect: { timeout: this.#connectTimeoutMs },
      // The per-attempt timer below covers headers and body; undici's own would race it.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  /**
   * Where an attempt goes: uploads to the files host (a pool of its own when it is another origin;
   * a dispatcher given to the client routes by origin itself), everything else to the API.
   */
  #dispatcherFor(prepared: PreparedRequest): Dispatcher {
    if (!prepared.files || !this.#ownsPool || this.#filesBase.origin === this.#origin) return this.#pool;
    this.#filesPool ??= this.#newPool(this.#filesBase.origin);
    return this.#filesPool;
  }

  whenRoom(): Promise<void> | undefined {
    return this.#semaphore.whenRoom();
  }

  /** Requests holding a concurrency permit, and requests waiting for one. */
  get stats(): { readonly inFlight: number; readonly queued: number } {
    return { inFlight: this.#semaphore.active, queued: this.#semaphore.pending };
  }

  async request<T>(request: RestRequest): Promise<T> {
    const prepared = this.#prepare(
      request,
      request.multipart ? await encodeMultipart(request.params) : undefined,
    );
    const { signal } = request;
    const started = performance.now();
    let attempts = 0;
    let status: number | null = null;
    let requestId: string | undefined;
    let failure: StripeError | undefined;
    try {
      for (let retries = 0; ; retries++) {
        if (signal?.aborted) throw abortedError(signal.reason);
        if (this.#closing !== undefined) {
          throw new StripeError({ kind: 'connection', message: 'The Stripe REST client is closed' });
        }
        if (this.#limiter) await this.#limiter.acquire(prepared.stripeAccount, signal, prepared.apiKey);
        attempts++;
        const result = await this.#attempt(prepared, signal);
        status = result.status ?? null;
        requestId = result.requestId;
        if (result.ok) return result.body as T;
        if (result.error.isRateLimit) this.#limiter?.throttled(prepared.stripeAccount, prepared.apiKey);
        const retry =
          this.#closing === undefined &&
          shouldRetry(
            {
              method: prepared.method,
              hasIdempotencyKey: prepared.idempotencyKey !== undefined,
              retriesSoFar: retries,
              // A connection lost mid-body is a connection failure, whatever the status line said.
              status: result.error.kind === 'api' ? result.status : undefined,
              errorKind: result.error.kind,
              shouldRetryHeader: result.shouldRetryHeader,
            },
            this.#policy,
          );
        if (!retry) throw result.error;
        await sleep(retryDelayMs(retries, this.#policy, result.retryAfterMs), signal);
      }
    } catch (error) {
      failure =
        error instanceof StripeError
          ? error
          : new StripeError({
              kind: 'connection',
              message: 'Unexpected failure calling Stripe',
              cause: error,
            });
      throw failure;
    } finally {
      this.#emit({
        method: prepared.method,
        pathTemplate: prepared.pathTemplate,
        path: prepared.path,
        status,
        durationMs: performance.now() - started,
        attempts,
        retried: attempts > 1,
        requestId,
        stripeAccount: prepared.stripeAccount,
        ...(failure === undefined ? {} : { error: failure }),
      });
    }
  }

  list<T>(request: ListRequest): AsyncGenerator<T, void, undefined> {
    const { maxItems, params, ...rest } = request;
    return paginate<T>(
      (pageParams) => this.request<StripePage<T>>({ ...rest, method: 'GET', params: pageParams }),
      { ...params },
      { maxItems },
    );
  }

  close(): Promise<void> {
    this.#closing ??= Promise.all([
      this.#ownsPool ? this.#pool.close() : undefined,
      this.#filesPool?.close(),
    ]).then(() => undefined);
    return this.#closing;
  }

  #prepare(request: RestRequest, multipart?: { body: Buffer; contentType: string }): PreparedRequest {
    const { method, path: pathTemplate, pathParams = {}, stripeAccount } = request;
    if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') {
      throw new TypeError(`Unsupported method ${String(method)}`);
    }
    if (!pathTemplate.startsWith('/') || pathTemplate.includes('?') || pathTemplate.includes('#')) {
      throw new TypeError(`path must start with "/" and carry no query string: ${pathTemplate}`);
    }
    const path = fillParams(pathTemplate, (name) => {
      const value = Object.hasOwn(pathParams, name) ? pathParams[name] : undefined;
      const problem = value === undefined ? 'is missing' : pathParameterProblem(String(value));
      if (problem !== undefined) throw new InvalidPathParameterError(name, problem);
      return String(value);
    });

    let params = request.params;
    if (request.expand !== undefined && request.expand.length > 0) {
      const existing = (params as { expand?: unknown } | undefined)?.expand;
      params = { ...params, expand: [...(Array.isArray(existing) ? existing : []), ...request.expand] };
    }
    const encoded = encodeForm(params);

    const headers: Record<string, string> = { ...this.#baseHeaders };
    if (request.apiKey !== undefined) {
      checkKey('apiKey', request.apiKey);
      headers.authorization = `Bearer ${request.apiKey}`;
    }
    let idempotencyKey: string | undefined;
    let body: string | Buffer | undefined;
    let target = `${multipart ? this.#filesBase.pathname.replace(/\/+$/, '') : this.#basePath}${path}`;
    if (method === 'POST') {
      idempotencyKey = request.idempotencyKey ?? randomUUID();
      if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new TypeError('idempotencyKey must be 1-255 printable ASCII characters');
      }
      headers['idempotency-key'] = idempotencyKey;
      headers['content-type'] = multipart ? multipart.contentType : 'application/x-www-form-urlencoded';
      body = multipart ? multipart.body : encoded;
    } else if (encoded !== '') {
      target += `?${encoded}`;
    }
    if (stripeAccount !== undefined) {
      if (!HEADER_SAFE.test(stripeAccount)) throw new TypeError('stripeAccount must be printable ASCII');
      headers['stripe-account'] = stripeAccount;
    }
    return {
      method,
      pathTemplate,
      path,
      target,
      body,
      headers,
      idempotencyKey,
      stripeAccount,
      apiKey: request.apiKey,
      files: multipart !== undefined,
    };
  }

  async #attempt(prepared: PreparedRequest, signal: CancelSignal | undefined): Promise<AttemptResult> {
    let release: () => void;
    try {
      release = await this.#semaphore.acquire(signal, `${prepared.method} ${prepared.pathTemplate}`);
    } catch (reason) {
      if (reason instanceof QueueTimeoutError) {
        throw new StripeError({
          kind: 'queue_timeout',
          message: `Stripe is saturated: no upstream slot freed within ${reason.waitedMs} ms; nothing was sent`,
        });
      }
      throw abortedError(reason);
    }
    if (signal?.aborted) {
      release();
      throw abortedError(signal.reason);
    }
    let timedOut = false;
    let status: number | undefined;
    let requestId: string | undefined;
    const call = exchange(
      this.#dispatcherFor(prepared),
      {
        origin: prepared.files ? this.#filesBase.origin : this.#origin,
        method: prepared.method,
        path: prepared.target,
        headers: prepared.headers,
        body: prepared.body ?? null,
      },
      this.#maxResponseBytes,
    );
    const timer = setTimeout(() => {
      timedOut = true;
      call.cancel(new Error(`Request to Stripe timed out after ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
    const onAbort = (): void => {
      call.cancel(abortedError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await call.answer;
      status = response.status;
      requestId = response.requestId;
      const answer = response.body;
      let body: unknown;
      let parsed = false;
      try {
        body = parseBody(answer);
        parsed = true;
      } catch {
        // Left as text: proxies answer 502s with HTML.
        body = decodeBody(answer);
      } finally {
        // Parsed values and decoded text are copies: the bytes can serve another answer.
        response.release();
      }
      if (status >= 200 && status < 300) {
        if (parsed) return { ok: true, status, requestId, body };
        return this.#failed(
          new StripeError({
            kind: 'api',
            type: 'api_error',
            message: 'Invalid JSON received from the Stripe API',
            statusCode: status,
            requestId,
            raw: body,
          }),
          status,
          requestId,
        );
      }
      return {
        ok: false,
        error: errorFromResponse(status, body, requestId),
        status,
        requestId,
        shouldRetryHeader: response.shouldRetry,
        retryAfterMs: parseRetryAfter(response.retryAfter),
      };
    } catch (error) {
      if (error instanceof StripeError) throw error;
      if (error instanceof AnswerTooLargeError) {
        return this.#failed(
          new StripeError({
            kind: 'too_large',
            message: `${error.message}; the transfer was cut off`,
            statusCode: error.status,
            requestId: error.requestId,
          }),
          error.status,
          error.requestId,
        );
      }
      if (signal?.aborted) throw abortedError(signal.reason);
      const code = errorCode(error);
      if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
        const message =
          code === 'UND_ERR_CONNECT_TIMEOUT'
            ? `Connecting to Stripe timed out after ${this.#connectTimeoutMs} ms`
            : `Request to Stripe timed out after ${this.#timeoutMs} ms`;
        return this.#failed(
          new StripeError({ kind: 'timeout', message, statusCode: status, requestId, cause: error }),
          status,
          requestId,
        );
      }
      return this.#failed(
        new StripeError({
          kind: 'connection',
          message: `An error occurred with the connection to Stripe${code === undefined ? '' : ` (${code})`}`,
          statusCode: status,
          requestId,
          cause: error,
        }),
        status,
        requestId,
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      release();
    }
  }

  #failed(error: StripeError, status: number | undefined, requestId: string | undefined): AttemptResult {
    return { ok: false, error, status, requestId, shouldRetryHeader: undefined, retryAfterMs: undefined };
  }

  #emit(event: RequestEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // An observer must never fail or alter the call it observes.
      }
    }
  }
}

export function createRestClient(options: RestClientOptions): RestClient {
  return new StripeRestClient(options);
}
