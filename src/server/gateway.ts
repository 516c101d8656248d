/**
 * The gateway factory: a Yoga instance over the Stripe schema with per-request upstream sessions, Connect
 * scoping, query limits, error masking, CSRF prevention, CORS, health, readiness, metrics, request
 * ids and GraphiQL. It opens no socket: embed `gateway.yoga` in any Node or fetch server, call
 * `gateway.yoga.fetch(...)` in tests, or hand it to `listen()` (src/server/listen.ts).
 */
import type { ServerResponse } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { StripeObject } from '../loaders/requests.ts';
import { createScopePolicy, forbidden } from '../loaders/scope.ts';
import { type RequestPlans, UpstreamSession } from '../loaders/session.ts';
import { slot } from '../loaders/slot.ts';
import { Cancellation } from '../rest/cancel.ts';
import { createRestClient, type RateLimiter, type RequestListener, type RestClient } from '../rest/client.ts';
import { isStripeError } from '../rest/errors.ts';
import { ACCOUNT_ID } from '../schema/connect.ts';
import { type BuiltSchema, buildSchema } from '../schema/index.ts';
import { prefetchOperation } from '../schema/prefetch.ts';
import type { LiveContext } from '../schema/subscriptions.ts';
import { useAnswerBudget } from './answer-budget.ts';
import { accountFor, type Caller, createAuthenticator, mayActAs } from './auth.ts';
import { useCompression } from './compression.ts';
import { readServerConfig, type ServerConfig } from './config.ts';
import type { ServerContext } from './context.ts';
import type { CostEstimate } from './cost.ts';
import { useCsrfPrevention } from './csrf.ts';
import { DEFAULT_QUERY, TOUR_TABS } from './default-query.ts';
import { useGatewayEndpoints } from './endpoints.ts';
import { GraphiQLAssets, renderGraphiQLPage } from './graphiql.ts';
import { type ChannelPolicy, corsFor, createChannelPolicy, transportOf, useRequestGuards } from './guards.ts';
import { Readiness } from './health.ts';
import { useCompiledExecution } from './jit.ts';
import { boundedDocumentCache, useQueryLimits } from './limits.ts';
import { createLive } from './live.ts';
import { createLogger, type Logger, type LogSink, yogaLogger } from './logger.ts';
import { createErrorMasker } from './masking.ts';
import { GatewayMetrics } from './metrics.ts';
import { useOperations } from './operations.ts';
import { usePrecheck } from './precheck.ts';
import { type ProductionConfig, readProductionConfig } from './production-config.ts';
import type { SharedState } from './pubsub.ts';
import { createRedactor } from './redact.ts';
import { createRevocations, type Revocations } from './revocation.ts';
import { useStreamBounds } from './streams.ts';
import { stripeCallSpans, useTracing } from './tracing.ts';
import { createRequestTracking, REQUEST_ID_HEADER } from './tracking.ts';
import { DOCUMENT_ID_PARAMS, loadManifest, useTrustedDocuments } from './trusted-documents.ts';
import type { Reread } from './webhooks.ts';

export const GRAPHQL_ENDPOINT = '/graphql';
export const STRIPE_ACCOUNT_HEADER = 'stripe-account';

export interface GatewayOptions {
  /** Default: `readServerConfig({})`, i.e. every default. */
  config?: ServerConfig;
  /**
   * The REST client: an instance (the caller closes it; wire `gateway.metrics.observeUpstream` to
   * its `onRequest` for upstream metrics), or a factory given the metrics listener (the gateway
   * closes what it makes). Default: a client from `config.rest`, which then needs a secret key.
   */
  rest?: RestClient | ((onRequest: RequestListener, limiter?: RateLimiter) => RestClient);
  /** A schema built earlier (building takes a few hundred ms); default `buildSchema()`. */
  schema?: BuiltSchema;
  /** Where log lines go (already redacted); default stdout. */
  logSink?: LogSink;
  /**
   * OpenTelemetry: spans per HTTP request, GraphQL operation and Stripe call (src/server/tracing.ts).
   * Default none (no span is made, nothing is installed).
   */
  tracer?: Tracer;
  /** Compression and trusted documents; default `readProductionConfig({})` (compression on). */
  production?: ProductionConfig;
  /** Events, claims and cache store to use (the caller closes it); default from `config.live`. */
  shared?: SharedState;
}

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, ServerContext>;

export interface Gateway {
  readonly yoga: GatewayYoga;
  readonly config: ServerConfig;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly readiness: Readiness;
  readonly rest: RestClient;
  readonly schema: BuiltSchema;
  /** Webhooks, subscriptions, the shared rate budget and the object cache (src/server/live.ts). */
  readonly live: ReturnType<typeof createLive>;
  /**
   * The token deny-list (AUTH_MODE=jwt; shared through Redis with REDIS_URL): `revoke()` refuses a
   * token or a subject's tokens from now on and ends the streams they opened (src/server/revocation.ts).
   */
  readonly revocations: Revocations | undefined;
  /** Loads GraphiQL's assets in the background so that the first page view is quick. */
  preload(): Promise<void>;
  /** Stops being ready and closes the REST client if the gateway made it. Idempotent. */
  close(): Promise<void>;
}

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

/**
 * The readiness probe's client. A passthrough gateway holds no key, so Stripe answering its keyless
 * probe with 401 is the proof that Stripe is reachable.
 */
function readinessClient(rest: RestClient, config: ServerConfig): RestClient {
  if (config.auth.mode !== 'passthrough') return rest;
  return {
    request: <T>(request: Parameters<RestClient['request']>[0]) =>
      rest.request<T>(request).catch((error: unknown) => {
        if (isStripeError(error) && error.statusCode === 401) return undefined as T;
        throw error;
      }),
    list: (request) => rest.list(request),
    close: () => rest.close(),
  };
}

/**
 * Reads a webhook's object again, at the gateway's API version, straight from Stripe (not through
 * the object cache, which the event is about to invalidate); undefined when it has no retrieve path
 * or is gone.
 */
function rereadWith(rest: RestClient, built: BuiltSchema): Reread {
  return async (object, account) => {
    const path = built.index.retrievePathOf(object as StripeObject);
    if (path === undefined) return undefined;
    try {
      return await rest.request<Record<string, unknown>>({
        method: 'GET',
        path,
        ...(account === undefined ? {} : { stripeAccount: account }),
      });
    } catch (error) {
      if (isStripeError(error) && error.statusCode === 404) return undefined;
      throw error;
    }
  };
}

function corsOptions(policy: ChannelPolicy) {
  return corsFor(policy, {
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: [
      'content-type',
      'authorization',
      STRIPE_ACCOUNT_HEADER,
      REQUEST_ID_HEADER,
      'x-graphql-yoga-csrf',
    ],
    exposedHeaders: [REQUEST_ID_HEADER],
    credentials: false,
    maxAge: 600,
  });
}

const usePrefetch: Plugin = { onExecute: ({ args }) => prefetchOperation(args) };

export function createGateway(options: GatewayOptions = {}): Gateway {
  const config = options.config ?? readServerConfig({});
  const built =
    options.schema ??
    buildSchema({
      preview: config.previewResources,
      typePrefix: config.typePrefix,
      federation: config.federation,
    });

  const production = options.production ?? readProductionConfig({});
  const trusted = production.trustedDocuments;
  const trustedPlugins =
    trusted.mode === 'off' || trusted.manifest === undefined
      ? []
      : useTrustedDocuments(trusted.mode, loadManifest(trusted.manifest, built.schema));
  const redact = createRedactor([config.rest.secretKey]);
  const logger = createLogger({
    level: config.logLevel,
    redact,
    ...(options.logSink ? { sink: options.logSink } : {}),
  });
  // Sessions call the REST client with path templates, so metric labels stay bounded.
  const metrics = new GatewayMetrics();
  const stripeSpans = options.tracer ? stripeCallSpans(options.tracer) : undefined;
  const observeUpstream: RequestListener = stripeSpans
    ? (event) => {
        metrics.observeUpstream(event);
        stripeSpans(event);
      }
    : metrics.observeUpstream;
  const live = createLive({
    config: config.live,
    secretKey: config.rest.secretKey,
    metrics,
    logger,
    ...(options.shared ? { shared: options.shared } : {}),
  });
  const limiter = live.budget ? { limiter: live.budget } : {};

  let rest: RestClient;
  let ownsRest = true;
  if (options.rest === undefined) {
    const { secretKey, ...restConfig } = config.rest;
    // Passthrough: the gateway holds no key; every call carries its caller's.
    if (secretKey === undefined && config.auth.mode !== 'passthrough') {
      throw new Error('createGateway: config.rest.secretKey is unset; pass a key (or a rest client)');
    }
    rest = createRestClient({ ...restConfig, secretKey, onRequest: observeUpstream, ...limiter });
  } else if (typeof options.rest === 'function') {
    rest = options.rest(observeUpstream, live.budget);
  } else {
    rest = options.rest;
    ownsRest = false;
  }

  const upstream = rest;
  rest = live.restFor(rest);
  const readiness = new Readiness({
    rest: readinessClient(rest, config),
    cacheMs: config.readyCacheMs,
    timeoutMs: config.readyTimeoutMs,
    redis: live.shared.redis,
  });
  const assets = config.graphiql ? new GraphiQLAssets() : undefined;
  const masker = createErrorMasker({ logger, redact });
  const tracking = createRequestTracking({
    logger,
    metrics,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    accessLog: config.accessLog,
  });
  // Each operation's estimate rides on its context (src/loaders/slot.ts).
  const estimates = slot<CostEstimate>('cost estimate');

  const revocations =
    config.auth.mode === 'jwt'
      ? createRevocations({ redis: live.shared.redis, prefix: live.shared.prefix, logger })
      : undefined;
  const authenticator = createAuthenticator(
    config.auth,
    revocations ? { revoked: (caller) => revocations.isRevoked(caller) } : {},
  );
  // One Host/Origin policy for HTTP, SSE and the WebSocket upgrade (src/server/guards.ts).
  const policy = createChannelPolicy({
    allowedHosts: config.allowedHosts,
    origins: config.corsOrigins,
    loopbackOrigins: config.channels.loopbackOrigins,
  });
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
    return {
      session,
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
              session: open,
              admits: (object) => scope?.admits(object, false) ?? true,
            } satisfies LiveContext,
          }
        : {}),
    };
  };

  const streamBounds = useStreamBounds({
    maxSubscriptions: config.channels.maxSubscriptions,
    expiresAtOf: (context) => (context as Partial<ServerContext> | undefined)?.expiresAt,
    credentialOf: (context) => (context as Partial<ServerContext> | undefined)?.credential,
    ...(revocations ? { revocations } : {}),
  });

  const yoga = createYoga<Record<string, unknown>, ServerContext>({
    schema: built.schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    logging: yogaLogger(logger),
    maskedErrors: { maskError: (error) => masker.mask(error) },
    graphiql: config.graphiql
      ? {
          title: 'Stripe GraphQL gateway',
          defaultQuery: DEFAULT_QUERY,
          defaultTabs: [...TOUR_TABS],
          // GraphiQL runs subscriptions as a GET for text/event-stream, which CSRF prevention
          // refuses without one of its headers: the page sends one (a cross-site form cannot).
          additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
        }
      : false,
    renderGraphiQL: renderGraphiQLPage,
    landingPage: false,
    cors: corsOptions(policy),
    batching: false,
    // The trusted documents' id parameters (src/server/trusted-documents.ts).
    extraParamNames: DOCUMENT_ID_PARAMS,
    // The body limit is useRequestGuards' (Content-Length, or counted when chunked); Yoga's own pipes
    // every body through a TransformStream, a large share of a small query's CPU.
    maxRequestBodySize: false,
    // Only short sources are cached: a cached AST keeps its whole source string.
    parserAndValidationCache: { documentCache: boundedDocumentCache(), errorCache: boundedDocumentCache() },
    // Synchronous when the caller is known without I/O, so that no promise stands between the
    // request and its execution.
    context: ({ request, res }) => {
      const caller = authenticator.authenticate(request);
      const response = res as ServerResponse | undefined;
      return caller instanceof Promise
        ? caller.then((known) => buildContext(request, response, known))
        : buildContext(request, response, caller);
    },
    plugins: [
      // First: its request span wraps everything the other plugins do.
      ...(options.tracer
        ? [
            useTracing<ServerContext>(options.tracer, {
              estimatedCalls: (context) => estimates.get(context)?.upstreamCalls,
              actualCalls: (context) => context.upstreamCalls(),
            }),
          ]
        : []),
      tracking.plugin,
      useRequestGuards({
        policy,
        maxBodyBytes: config.http.maxBodyBytes,
        ownBodyLimit: [config.live.webhookPath],
      }),
      useGatewayEndpoints({ metrics, readiness, assets, graphqlEndpoint: GRAPHQL_ENDPOINT }),
      ...live.plugins({
        maxBodyBytes: config.channels.webhookMaxBodyBytes,
        // A passthrough gateway holds no key to read with: such events are dropped.
        ...(config.auth.mode === 'passthrough' ? {} : { reread: rereadWith(upstream, built) }),
      }),
      useCsrfPrevention(),
      ...trustedPlugins,
      streamBounds,
      // No useExecutionCancellation: its per-field signal checks cost more than they save. A client's
      // disconnect aborts every upstream call through the sessions' signal (requestSignal), and a
      // field whose call was aborted resolves nothing below it (test/net/cancellation.test.ts).
      // Before the limits: its after-execution hook must also see operations the limits reject.
      useOperations({ metrics, masker, costExtensions: config.costExtensions, estimates }),
      // Before validation: refuses a document by its shape or answer size without validating it.
      usePrecheck({ limits: config.limits, answer: config.answer, introspection: config.introspection }),
      useQueryLimits(config.limits, {
        introspection: config.introspection,
        onPlan: (context, plan) => {
          estimates.set(context, plan.estimate);
          // The resolvers read each call's expand[] from it, through the request's sessions.
          (context as ServerContext).session.plans.current = plan;
        },
      }),
      useAnswerBudget(config.answer),
      // Once the limits let the operation run: start the reads it names the ids of (src/schema/prefetch.ts).
      usePrefetch,
      useCompiledExecution(),
      // Last, so that it compresses the answer as the other plugins left it.
      ...(production.compression ? [useCompression(production.compression)] : []),
    ],
  });

  transportOf.set(yoga, {
    policy,
    channels: config.channels,
    onRefusal: ({ stage, code, status }) => {
      metrics.webSocketRefusals.inc({ stage, code });
      logger.info('websocket refused', { stage, code, status });
    },
  });

  let closing: Promise<void> | undefined;
  return {
    yoga,
    config,
    metrics,
    logger,
    readiness,
    rest,
    schema: built,
    live,
    revocations,
    preload: () => assets?.preload() ?? Promise.resolve(),
    close() {
      closing ??= (async () => {
        readiness.drain();
        await revocations?.close();
        await live.close();
        if (ownsRest) await upstream.close();
      })();
      return closing;
    },
  };
}
