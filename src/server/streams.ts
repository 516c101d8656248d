/**
 * Bounds on subscriptions, whatever carries them (SSE or WebSocket: both run through the envelop
 * `subscribe`): at most `maxSubscriptions` active on this replica (past it the operation is
 * answered with `TOO_MANY_SUBSCRIPTIONS`), and a stream opened with a token that expires ends at
 * the token's `exp` with an `UNAUTHENTICATED` result (`reason: "expired"`), then completes, and so
 * does one whose token is revoked meanwhile (`reason: "revoked"`, at once: src/server/revocation.ts).
 * One timer and one deny-list watch per stream, both cleared when the stream ends first.
 */
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

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** The plugin, and how many subscriptions it holds open now. */
export function useStreamBounds(options: StreamBoundsOptions): Plugin & { readonly active: number } {
  const { maxSubscriptions, expiresAtOf, credentialOf, revocations, onRefused } = options;
  let active = 0;
  return {
    get active() {
      return active;
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
