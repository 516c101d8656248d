/**
 * The gateway factory: a Yoga instance over the Stripe schema with per-request upstream sessions, Connect
 * scoping, query limits, error masking, CSRF prevention, CORS, health, readiness, metrics, request
 * ids and GraphiQL. It opens no socket: embed `gateway.yoga` in any Node or fetch server, call
 * `gateway.yoga.fetch(...)` in tests, or hand it to `listen()` (src/server/listen.ts).
 */
import type { Tracer } from '@opentelemetry/api';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { StripeObject } from '../loaders/requests.ts';
import { slot } from '../loaders/slot.ts';
import { createRestClient, type RateLimiter, type RequestListener, type RestClient } from '../rest/client.ts';
import { isStripeError } from '../rest/errors.ts';
import { type BuiltSchema, buildSchema } from '../schema/index.ts';
import { prefetchOperation } from '../schema/prefetch.ts';
import { useAnswerBudget } from './answer-budget.ts';
import { createAuthenticator } from './auth.ts';
import { useCompression } from './compression.ts';
import { readServerConfig, type ServerConfig } from './config.ts';
import type { ServerContext } from './context.ts';
import type { CostEstimate } from './cost.ts';
import { useCsrfPrevention } from './csrf.ts';
import { DEFAULT_QUERY, TOUR_TABS } from './default-query.ts';
import { useGatewayEndpoints } from './endpoints.ts';
import { createFastPath, type FastPath, fastPathOf, KnownDocuments } from './fast-path.ts';
import { GraphiQLAssets, renderGraphiQLPage } from './graphiql.ts';
import {
  type ChannelPolicy,
  corsFor,
  createChannelPolicy,
  REQUESTS_PER_TURN,
  transportOf,
  useRequestGuards,
} from './guards.ts';
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
import { createRequestContext, STRIPE_ACCOUNT_HEADER } from './request-context.ts';
import { createRevocations, type Revocations } from './revocation.ts';
import { useStreamBounds } from './streams.ts';
import { stripeCallSpans, useTracing } from './tracing.ts';
import { createRequestTracking, REQUEST_ID_HEADER } from './tracking.ts';
import {
  DOCUMENT_ID_PARAMS,
  loadManifest,
  useDocumentIdsUnsupported,
  useTrustedDocuments,
} from './trusted-documents.ts';
import { turnGate, useUpstreamHold } from './turns.ts';
import { useValidationCache } from './validation-cache.ts';
import type { Reread } from './webhooks.ts';

export const GRAPHQL_ENDPOINT = '/graphql';
export { STRIPE_ACCOUNT_HEADER };

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
  /**
   * Repeated documents answered from node:http without Yoga's request machinery (src/server/fast-path.ts):
   * `listen(gateway.yoga)` serves through it. Undefined when off (FAST_PATH=off, tracing, trusted documents).
   */
  readonly fastPath: FastPath | undefined;
  /** Loads GraphiQL's assets in the background so that the first page view is quick. */
  preload(): Promise<void>;
  /** Stops being ready and closes the REST client if the gateway made it. Idempotent. */
  close(): Promise<void>;
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
      // Stripe's prose only when introspection or `_service` reads it (src/schema/descriptions.ts).
      descriptions: 'lazy',
      preview: config.previewResources,
      typePrefix: config.typePrefix,
      federation: config.federation,
    });

  const production = options.production ?? readProductionConfig({});
  const trusted = production.trustedDocuments;
  const trustedOff = trusted.mode === 'off' || trusted.manifest === undefined;
  const trustedPlugins = trustedOff
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
  // The turns HTTP requests start their GraphQL work in, on Yoga's path and the fast path alike;
  // and the one operations that call Stripe start executing in, held while calls to Stripe wait
  // for a slot (src/server/turns.ts).
  const turns = turnGate(REQUESTS_PER_TURN);
  const hold = upstream.whenRoom
    ? turnGate(REQUESTS_PER_TURN, { room: () => upstream.whenRoom!() })
    : undefined;
  // The fast path serves only what Yoga's own plugins decide the same way for it: with tracing
  // (Yoga's instrumentation) or trusted documents (a params plugin) every request stays with Yoga.
  const documents =
    options.tracer === undefined && trustedPlugins.length === 0 && production.fastPath !== false
      ? new KnownDocuments()
      : undefined;
  const context = createRequestContext({ built, upstream, rest, live, logger, tracking, authenticator });

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
    // Validation results are cached by useValidationCache (below), without Yoga's key of rule names.
    parserAndValidationCache: {
      documentCache: boundedDocumentCache(),
      errorCache: boundedDocumentCache(),
      validationCache: false,
    },
    // Synchronous when the caller is known without I/O, so that no promise stands between the
    // request and its execution (src/server/request-context.ts).
    context,
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
        gate: turns,
      }),
      useGatewayEndpoints({ metrics, readiness, assets, graphqlEndpoint: GRAPHQL_ENDPOINT }),
      ...live.plugins({
        maxBodyBytes: config.channels.webhookMaxBodyBytes,
        // A passthrough gateway holds no key to read with: such events are dropped.
        ...(config.auth.mode === 'passthrough' ? {} : { reread: rereadWith(upstream, built) }),
      }),
      useCsrfPrevention(),
      ...trustedPlugins,
      // Not in trustedPlugins: the fast path stays on (a request without a text never takes it).
      ...(trustedOff ? [useDocumentIdsUnsupported()] : []),
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
      // After the limits, whose rules it must see.
      useValidationCache(),
      useAnswerBudget(config.answer),
      // Once the limits made the plan, and before any call starts (src/server/turns.ts).
      ...(hold ? [useUpstreamHold(hold, (context) => estimates.get(context)?.upstreamCalls)] : []),
      // Once the limits let the operation run: start the reads it names the ids of (src/schema/prefetch.ts).
      usePrefetch,
      useCompiledExecution(),
      ...(documents ? [documents.plugin()] : []),
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
  const fastPath =
    documents &&
    createFastPath({
      yoga,
      documents,
      graphqlEndpoint: GRAPHQL_ENDPOINT,
      policy,
      maxBodyBytes: config.http.maxBodyBytes,
      tracking,
      compression: production.compression || undefined,
      gate: turns,
      direct: production.directAnswers !== false,
    });
  if (fastPath) fastPathOf.set(yoga, fastPath.handle);

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
    fastPath,
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
