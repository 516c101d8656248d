/**
 * Bounds on subscriptions, whatever carries them (SSE or WebSocket: both run through the envelop
 * `subscribe`): at most `maxSubscriptions` active on this replica (past it the operation is
 * answered with `TOO_MANY_SUBSCRIPTIONS`), and a stream opened with a token that expires ends at
 * the token's `exp` with an `UNAUTHENTICATED` result (`reason: "expired"`), then completes, and so
 * does one whose token is revoked meanwhile (`reason: "revoked"`, at once: src/server/revocation.ts).
 * One timer and one deny-list watch per stream, both cleared when the stream ends first.
 */
import { Repeater } from '@repeaterjs/repeater';
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

export function tooManySubscriptions(scope: 'server' | 'connection', limit: number): GraphQLError {
  return new GraphQLError(
    scope === 'server'
      ? `This server has ${limit} active subscriptions, its maximum: try again later`
      : `This connection has ${limit} active subscriptions, its maximum: complete one first`,
    { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit } },
  );
}

export function tokenExpired(): GraphQLError {
  return new GraphQLError('Unauthenticated: the token has expired; subscribe again with a fresh one', {
    extensions: { code: 'UNAUTHENTICATED', reason: 'expired' },
  });
}

export function tokenRevoked(): GraphQLError {
  return new GraphQLError('Unauthenticated: the token has been revoked', {
    extensions: { code: 'UNAUTHENTICATED', reason: 'revoked' },
  });
}

/** Calls `end` once if the credential is revoked; returns the unwatch. */
export type RevocationWatch = (end: () => void) => () => void;

/**
 * `source` until `deadline` (epoch ms; none: as it is) or until `watch` says the credential is
 * revoked, then one `UNAUTHENTICATED` result and the end. `onEnd` runs once, however the stream
 * ends (source done, client gone, deadline, revocation).
 */
export function boundedStream<T extends ExecutionResult>(
  source: AsyncIterable<T>,
  deadline: number | undefined,
  onEnd: () => void,
  watch?: RevocationWatch,
): AsyncGenerator<T> {
  return new Repeater<T>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const endWith = (error: GraphQLError) => {
      void push({ errors: [error] } as unknown as T);
      stop();
    };
    const arm = () => {
      if (deadline === undefined) return;
      const left = deadline - Date.now();
      if (left > MAX_TIMER_MS) {
        timer = setTimeout(arm, MAX_TIMER_MS);
        return;
      }
      timer = setTimeout(() => endWith(tokenExpired()), Math.max(0, left));
    };
    arm();
    const unwatch = watch?.(() => endWith(tokenRevoked()));
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      unwatch?.();
      void iterator.return?.()?.catch(() => {});
      onEnd();
    };
    void stop.then(end);
    try {
      for (;;) {
        const result = await Promise.race([iterator.next(), stop.then(() => undefined)]);
        if (result === undefined || result.done) break;
        await push(result.value);
      }
      stop();
    } catch (error) {
      stop(error);
    } finally {
      end();
    }
  });
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
