/**
 * Bounds on subscriptions, whatever carries them (SSE or WebSocket: both run through the envelop
 * `subscribe`): at most `maxSubscriptions` active on this replica (past it the operation is
 * answered with `TOO_MANY_SUBSCRIPTIONS`), and a stream opened with a token that expires ends at
 * the token's `exp` with an `UNAUTHENTICATED` result (`reason: "expired"`), then completes, and so
 * does one whose token is revoked meanwhile (`reason: "revoked"`, at once: src/server/revocation.ts).
 * One timer and one deny-list watch per stream, both cleared when the stream ends first.
 *
 * Subscriptions over SSE are written by `EventStream` (below) in place of Yoga's SSE processor:
 * the same frames, less per stream.
 */
import { Readable } from 'node:stream';
import { type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Credential, Revocations } from './revocation.ts';

export interface StreamBoundsOptions {
  /** active subscriptions on this replica; 0 refuses every one */
  maxSubscriptions: number;
  /** when the caller's credential expires (epoch ms), from the operation's context */
  expiresAtOf: (context: unknown) => number | undefined;
  /** the caller's credential, from the operation's context (a JWT's `jti`, `sub`, `iat`) */
  credentialOf?: (context: unknown) => Credential | undefined;
  /** the deny-list: a stream whose credential it revokes ends at once */
  revocations?: Revocations;
  /** told of each refusal (metrics) */
  onRefused?: () => void;
}

/** setTimeout's longest delay; a later deadline is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A refusal without a stack trace: its stack says nothing (it is an answer, not a fault), and
 * capturing one is most of what a refusal costs. Issue 25's flood of 10,000 subscribes over 2,000
 * WebSockets has some 4,000 refused; the GraphQLError constructor was the first function of its
 * profile. Measured 40 frames deep: 4,000 refusals 19-37 ms instead of 57-83 ms.
 */
function refusal(message: string, extensions: Record<string, unknown>): GraphQLError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(message, { extensions });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function tooManySubscriptions(scope: 'server' | 'connection', limit: number): GraphQLError {
  return refusal(
    scope === 'server'
      ? `This server has ${limit} active subscriptions, its maximum: try again later`
      : `This connection has ${limit} active subscriptions, its maximum: complete one first`,
    { code: 'TOO_MANY_SUBSCRIPTIONS', limit },
  );
}

export function tokenExpired(): GraphQLError {
  return refusal('Unauthenticated: the token has expired; subscribe again with a fresh one', {
    code: 'UNAUTHENTICATED',
    reason: 'expired',
  });
}

export function tokenRevoked(): GraphQLError {
  return refusal('Unauthenticated: the token has been revoked', {
    code: 'UNAUTHENTICATED',
    reason: 'revoked',
  });
}

/** Calls `end` once if the credential is revoked; returns the unwatch. */
export type RevocationWatch = (end: () => void) => () => void;

/**
 * `source` until `deadline` (epoch ms; none: as it is) or until `watch` says the credential is
 * revoked, then one `UNAUTHENTICATED` result and the end. `onEnd` runs once, however the stream
 * ends (source done, client gone, deadline, revocation). A plain iterator, not a repeater: with
 * thousands of open subscriptions each holds one timer, one watch and, while a client waits, one
 * promise (a repeater per stream added a race and its closures per event, and garbage to collect).
 */
export function boundedStream<T extends ExecutionResult>(
  source: AsyncIterable<T>,
  deadline: number | undefined,
  onEnd: () => void,
  watch?: RevocationWatch,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  /** the result that ends the stream, until the client takes it */
  let last: T | undefined;
  /** the client's pending `next()`, while the source has not answered it */
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unwatch: (() => void) | undefined;
  const done = (): IteratorResult<T> => ({ value: undefined, done: true });
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    unwatch?.();
    void iterator.return?.()?.catch(() => {});
    onEnd();
  };
  const wake = (result: IteratorResult<T>) => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.(result);
  };
  const endWith = (error: GraphQLError) => {
    if (finished) return;
    const result = { errors: [error] } as unknown as T;
    if (waiting) wake({ value: result, done: false });
    else last = result;
    finish();
  };
  const arm = () => {
    if (deadline === undefined) return;
    const left = deadline - Date.now();
    timer =
      left > MAX_TIMER_MS
        ? setTimeout(arm, MAX_TIMER_MS)
        : setTimeout(() => endWith(tokenExpired()), Math.max(0, left));
  };
  arm();
  unwatch = watch?.(() => endWith(tokenRevoked()));
  const stream: AsyncGenerator<T> = {
    next() {
      if (last !== undefined) {
        const value = last;
        last = undefined;
        return Promise.resolve({ value, done: false });
      }
      if (finished) return Promise.resolve(done());
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting = resolve;
        iterator.next().then(
          (result) => {
            if (waiting !== resolve) return; // ended meanwhile: answered already
            waiting = undefined;
            if (result.done) {
              finish();
              resolve(done());
            } else resolve(result);
          },
          (error: unknown) => {
            if (waiting !== resolve) return;
            waiting = undefined;
            finish();
            reject(error);
          },
        );
      });
    },
    return() {
      last = undefined;
      finish();
      wake(done());
      return Promise.resolve(done());
    },
    throw(error: unknown) {
      last = undefined;
      finish();
      wake(done());
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/*
 * Subscriptions over Server-Sent Events, written as Yoga writes them (the same headers, a `:` comment
 * first and every 12 s, `event: next` per result, `event: complete` at the end) without Yoga's
 * per-stream machinery: its SSE processor makes a web ReadableStream, a TextEncoder, a keep-alive
 * interval each, two encodings a frame, and re-creates every error of a result as a new
 * GraphQLError, stack and all, to drop its internal extensions. Issue 25's flood of 2,000 SSE
 * subscriptions (1,000 refused TOO_MANY_SUBSCRIPTIONS) spent 237 ms of its profile in those
 * re-created errors. Here a stream is a Node Readable that node:http's response pipes, one timer
 * pings every open stream, and a result's JSON is its own unless it carries internals to drop.
 */

/** Yoga's keep-alive comment and its period (Yoga's own pings every 300 ms under NODE_ENV=test). */
const PING = ':\n\n';
const PING_MS = process.env.NODE_ENV === 'test' ? 300 : 12_000;
const COMPLETE = 'event: complete\ndata:\n\n';

type Result = ExecutionResult & { stringify?: (result: unknown) => string };
type ResultProcessor = (
  result: unknown,
  fetchAPI: { Response: typeof Response },
  mediaType: string,
) => unknown;

/** An error as Yoga's SSE writer serializes it: without the `http` and `unexpected` extensions. */
function errorWithoutInternals(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error;
  const { message, locations, path, extensions } = error.toJSON();
  const { http: _http, unexpected: _unexpected, ...rest } = extensions ?? {};
  return {
    message,
    ...(locations != null && { locations }),
    ...(path != null && { path }),
    ...(Object.keys(rest).length > 0 && { extensions: rest }),
  };
}

/** One `next` event: a result's JSON, its errors' internal extensions left out (as Yoga does). */
function nextEvent(result: Result): string {
  const stringify = result.stringify ?? JSON.stringify;
  let clean: unknown = result;
  if (result.errors?.length || result.extensions?.http) {
    const { http: _http, ...extensions } = result.extensions ?? {};
    clean = {
      ...result,
      errors: result.errors?.map(errorWithoutInternals),
      extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
    };
  }
  return `event: next\ndata: ${stringify(clean)}\n\n`;
}

/** An error Yoga counts as expected (a GraphQLError all the way down) for the answer's status. */
function expected(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || expected(error.originalError);
}

/**
 * A single result Yoga would answer 200 with no extra header: no `http` extension on it or its
 * errors, no unexpected error. Any other is left to Yoga's own writer (its status rules).
 */
function plainOutcome(result: Result): boolean {
  if (result.extensions?.http !== undefined) return false;
  for (const error of result.errors ?? []) {
    if (!expected(error) || error.extensions?.http !== undefined || error.extensions?.unexpected)
      return false;
  }
  return true;
}

/** The open event streams, pinged by one timer while there are any. */
const pinged = new Set<EventStream>();
let pinger: ReturnType<typeof setInterval> | undefined;

function pingAll(): void {
  // A stream whose client does not read (its buffer is full) is not sent more.
  for (const stream of pinged) if (stream.readableLength < stream.readableHighWaterMark) stream.push(PING);
}

/** One SSE answer: the results of `result` (a stream, or one result) as events, pulled as read. */
class EventStream extends Readable {
  #iterator: AsyncIterator<Result> | undefined;
  #pulling = false;

  constructor(result: Result | AsyncIterable<Result>) {
    super();
    // First, as Yoga does: some browsers hold the response until a byte of the body arrives.
    this.push(PING);
    if (isAsyncIterable(result)) {
      this.#iterator = result[Symbol.asyncIterator]() as AsyncIterator<Result>;
      pinged.add(this);
      if (pinger === undefined) {
        pinger = setInterval(pingAll, PING_MS);
        pinger.unref();
      }
    } else {
      this.push(nextEvent(result));
      this.push(COMPLETE);
      this.push(null);
    }
  }

  override _read(): void {
    const iterator = this.#iterator;
    if (iterator === undefined || this.#pulling) return;
    this.#pulling = true;
    iterator.next().then(
      ({ value, done }) => {
        this.#pulling = false;
        if (this.destroyed || this.#iterator === undefined) return;
        if (done) {
          this.#forget();
          if (value != null) this.push(nextEvent(value));
          this.push(COMPLETE);
          this.push(null);
        } else if (value != null) this.push(nextEvent(value));
        // Nothing to send: pull again (a Readable asks again only after a push).
        else this._read();
      },
      () => {
        // The source failed: the answer ends (an 'error' here would have no listener).
        this.#pulling = false;
        this.#forget();
        if (!this.destroyed) this.push(null);
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // The client went away (node:http's response closed): the stream's source is returned.
    const iterator = this.#iterator;
    this.#forget();
    void Promise.resolve(iterator?.return?.()).catch(() => {});
    callback(error);
  }

  #forget(): void {
    this.#iterator = undefined;
    pinged.delete(this);
    if (pinged.size === 0 && pinger !== undefined) {
      clearInterval(pinger);
      pinger = undefined;
    }
  }
}

/**
 * Yoga's SSE processor (`yogas`) replaced by `EventStream`; a single result that Yoga's status
 * rules would answer otherwise than 200 is still Yoga's.
 */
export function eventStreams(yogas: ResultProcessor): ResultProcessor {
  return (result, fetchAPI, mediaType) => {
    if (!isAsyncIterable(result) && !plainOutcome(result as Result))
      return yogas(result, fetchAPI, mediaType);
    return new fetchAPI.Response(new EventStream(result as Result) as unknown as BodyInit, {
      status: 200,
      headers: {
        'Content-Type': 'text/event-stream',
        Connection: 'keep-alive',
        'Cache-Control': 'no-cache',
        'Content-Encoding': 'none',
      },
    });
  };
}

/**
 * A subscription asked for with an Accept no stream answers: ended at once (its slot freed, its
 * listener gone) and refused with 406, saying how subscriptions are served.
 */
const notAcceptable: ResultProcessor = (result, fetchAPI) => {
  if (isAsyncIterable(result))
    void result[Symbol.asyncIterator]()
      .return?.()
      ?.catch(() => {});
  const body = {
    errors: [
      {
        message:
          'Subscriptions are answered as an event stream (Accept: text/event-stream) or over a WebSocket (graphql-ws)',
        extensions: { code: 'NOT_ACCEPTABLE' },
      },
    ],
  };
  return new fetchAPI.Response(JSON.stringify(body), {
    status: 406,
    headers: { 'Content-Type': 'application/json; charset=utf-8', Accept: 'text/event-stream' },
  });
};

/** The plugin, and how many subscriptions it holds open now. */
export function useStreamBounds(options: StreamBoundsOptions): Plugin & { readonly active: number } {
  const { maxSubscriptions, expiresAtOf, credentialOf, revocations, onRefused } = options;
  let active = 0;
  /** Yoga's SSE processor (named `processSSEResult` by Yoga) and ours in its place. */
  let yogas: unknown;
  let ours: ResultProcessor | undefined;
  return {
    get active() {
      return active;
    },
    onResultProcess({ result, resultProcessor, setResultProcessor }) {
      if (resultProcessor === undefined) {
        // A subscription whose Accept takes no event stream (`application/json`, Apollo's
        // `multipart/mixed`): Yoga's bare 406 would keep it open, and its slot, for good.
        if (isAsyncIterable(result)) {
          setResultProcessor(
            notAcceptable as unknown as Parameters<typeof setResultProcessor>[0],
            'application/json',
          );
        }
        return;
      }
      if (resultProcessor.name !== 'processSSEResult') return;
      if (resultProcessor !== yogas) {
        yogas = resultProcessor;
        ours = eventStreams(resultProcessor as unknown as ResultProcessor);
      }
      setResultProcessor(ours as unknown as typeof resultProcessor, 'text/event-stream');
    },
    // Full already: refused before validation and the context (both cost more than the refusal).
    // Thrown, so that Yoga's validation cache keeps nothing of it.
    onValidate({ params: { documentAST }, context }) {
      if (active < maxSubscriptions) return;
      const params = (context as { params?: { operationName?: string | null } }).params;
      if (getOperationAST(documentAST, params?.operationName ?? undefined)?.operation !== 'subscription')
        return;
      onRefused?.();
      throw tooManySubscriptions('server', maxSubscriptions);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      if (active >= maxSubscriptions) {
        onRefused?.();
        setResultAndStopExecution({ errors: [tooManySubscriptions('server', maxSubscriptions)] });
        return;
      }
      const deadline = expiresAtOf(args.contextValue);
      if (deadline !== undefined && deadline <= Date.now()) {
        setResultAndStopExecution({ errors: [tokenExpired()] });
        return;
      }
      const credential = credentialOf?.(args.contextValue);
      if (credential && revocations?.isRevoked(credential)) {
        setResultAndStopExecution({ errors: [tokenRevoked()] });
        return;
      }
      const watch: RevocationWatch | undefined =
        credential && revocations ? (end) => revocations.watch(credential, end) : undefined;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          active++;
          setResult(
            boundedStream(
              result,
              deadline,
              () => {
                active--;
              },
              watch,
            ),
          );
        },
      };
    },
  };
}
