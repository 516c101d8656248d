/**
 * The per-request GraphQL context (issue #31: out of gateway.ts): the caller's upstream sessions
 * (one per Stripe account the request acts as, each with the caller's key and customer scope), the
 * request id, the request's logger and its cancellation. Yoga's context factory and the fast path
 * (src/server/fast-path.ts) build it here, the same way.
 */
import type { ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { createScopePolicy, forbidden } from '../loaders/scope.ts';
import { type RequestPlans, UpstreamSession } from '../loaders/session.ts';
import { slot } from '../loaders/slot.ts';
import { Cancellation } from '../rest/cancel.ts';
import type { RestClient } from '../rest/client.ts';
import { ACCOUNT_ID } from '../schema/connect.ts';
import type { BuiltSchema } from '../schema/index.ts';
import type { LiveContext } from '../schema/subscriptions.ts';
import { type Authenticator, accountFor, type Caller, mayActAs } from './auth.ts';
import type { ServerContext } from './context.ts';
import type { createLive } from './live.ts';
import type { Logger } from './logger.ts';
import type { RequestTracking } from './tracking.ts';

export const STRIPE_ACCOUNT_HEADER = 'stripe-account';

function stripeAccountOf(request: Request): string | undefined {
  const value = request.headers.get(STRIPE_ACCOUNT_HEADER)?.trim();
  if (!value) return undefined;
  if (!ACCOUNT_ID.test(value)) {
    throw new GraphQLError('The Stripe-Account header must be a connected account id (acct_…)', {
      extensions: { code: 'BAD_STRIPE_ACCOUNT_HEADER', http: { status: 400 } },
    });
  }
  return value;
}

const clientGone = () => new DOMException('The client went away', 'AbortError');
/** The cancellation of the request a node:http response answers. */
const responseCancellation = slot<Cancellation>('response cancellation');
/**
 * One listener for every response (`on`, as a response closes once): no closure, nor `once`'s
 * wrapper, per request.
 */
function onResponseClose(this: ServerResponse): void {
  if (!this.writableFinished) responseCancellation.get(this)?.abort(clientGone());
}

/** Cancellations of requests not served by node:http directly (WebSocket operations, `yoga.fetch`). */
const sharedSignals = new WeakMap<Request, Cancellation>();

/**
 * The request's abort signal, for upstream calls: one listener per request instead of one per
 * upstream call, and a light signal (`Cancellation`) that each call listens to while queued and in
 * flight. Served by node:http, the response's `close` before it finished is the client going away
 * (cheaper to hear than the request's own signal, a proxy in Yoga's server adapter).
 */
function requestSignal(request: Request, res: ServerResponse | undefined): Cancellation {
  // The operations of one WebSocket share its request (src/server/websocket.ts), so they share one
  // cancellation too, not a listener each on the socket's signal.
  const shared = res === undefined ? sharedSignals.get(request) : undefined;
  if (shared) return shared;
  const cancellation = new Cancellation();
  const gone = (reason?: unknown) => cancellation.abort(reason ?? clientGone());
  if (res !== undefined && typeof res.on === 'function') {
    if (res.destroyed && !res.writableFinished) cancellation.abort(clientGone());
    else {
      responseCancellation.set(res, cancellation);
      res.on('close', onResponseClose);
    }
    return cancellation;
  }
  const source = request.signal;
  if (source.aborted) gone(source.reason);
  else source.addEventListener('abort', () => gone(source.reason), { once: true });
  sharedSignals.set(request, cancellation);
  return cancellation;
}

export interface RequestContextOptions {
  built: BuiltSchema;
  /** The REST client behind the object cache (scoped callers get a cache of their own). */
  upstream: RestClient;
  /** The REST client requests use (the object cache over `upstream`, when on). */
  rest: RestClient;
  live: ReturnType<typeof createLive>;
  logger: Logger;
  tracking: RequestTracking;
  authenticator: Authenticator;
}

/** What Yoga hands its context factory (and what the fast path hands `getEnveloped`). */
export interface InitialContext {
  /**
   * The request; the context reads its headers (and its signal when there is no node:http
   * response), and keys its tracking by it.
   */
  request: Request;
  res?: unknown;
}

/**
 * The context factory: synchronous when the caller is known without I/O, so that no promise stands
 * between the request and its execution.
 */
export function createRequestContext(
  options: RequestContextOptions,
): (initial: InitialContext) => ServerContext | Promise<ServerContext> {
  const { built, upstream, rest, live, logger, tracking, authenticator } = options;
  const scopes = createScopePolicy(built.model, built.index);

  const buildContext = (request: Request, res: ServerResponse | undefined, caller: Caller): ServerContext => {
    const requestId = tracking.idOf(request);
    const stripeAccount = accountFor(caller, stripeAccountOf(request));
    // The caller's key and customer scope travel with every session of the request.
    const scope = caller.customer === undefined ? undefined : scopes.forCustomer(caller.customer);
    // The object cache (when on) keys its entries by the scope too.
    const scopedRest = scope === undefined ? rest : live.restFor(upstream, scope.customer);
    const made: UpstreamSession[] = [];
    const plans: RequestPlans = {};
    const signal = requestSignal(request, res);
    const open = (account: string | undefined): UpstreamSession =>
      new UpstreamSession({
        rest: scopedRest,
        stripeAccount: account,
        signal,
        retrievePathOf: built.index.retrievePathOf,
        batchReadOf: built.index.batchReadOf,
        apiKey: caller.apiKey,
        scope,
        plans,
      });
    const make = (account: string | undefined): UpstreamSession => {
      const session = open(account);
      made.push(session);
      return session;
    };
    const session = make(stripeAccount);
    const byAccount = new Map<string, UpstreamSession>();
    let platform: UpstreamSession | undefined;
    return {
      session,
      platformSession() {
        if (stripeAccount === undefined) return session;
        // A caller bound to an account (or a customer, who lives in one) acts as that account only.
        if (caller.account !== undefined || caller.customer !== undefined) return undefined;
        platform ??= make(undefined);
        return platform;
      },
      sessionFor(account) {
        if (!mayActAs(caller, stripeAccount, account)) throw forbidden();
        if (account === stripeAccount) return session;
        let scoped = byAccount.get(account);
        if (!scoped) {
          scoped = make(account);
          byAccount.set(account, scoped);
        }
        return scoped;
      },
      requestId,
      ...(caller.expiresAt === undefined ? {} : { expiresAt: caller.expiresAt }),
      ...(caller.mode === 'jwt' ? { credential: caller } : {}),
      logger: logger.child({
        requestId,
        ...(caller.mode === 'none' ? {} : { auth: caller.mode }),
        ...(caller.subject === undefined ? {} : { subject: caller.subject }),
        ...(caller.customer === undefined ? {} : { customer: caller.customer }),
      }),
      upstreamCalls: () => made.reduce((sum, l) => sum + l.upstreamCalls, 0),
      // Subscriptions: each event gets a session of its own (not counted with the request's).
      // A passthrough caller's key may belong to any account, so it gets no events.
      ...(caller.apiKey === undefined
        ? {
            live: {
              events: live.events,
              silence: live.silence,
              session: open,
              admits: (object) => scope?.admits(object, false) ?? true,
            } satisfies LiveContext,
          }
        : {}),
    };
  };

  return ({ request, res }) => {
    const caller = authenticator.authenticate(request);
    const response = res as ServerResponse | undefined;
    return caller instanceof Promise
      ? caller.then((known) => buildContext(request, response, known))
      : buildContext(request, response, caller);
  };
}
