/**
 * The gateway factory: a Yoga instance over the Stripe schema with per-request loaders, Connect
 * scoping, query limits, error masking, CSRF prevention, CORS, health, readiness, metrics, request
 * ids and GraphiQL. It opens no socket: embed `gateway.yoga` in any Node or fetch server, call
 * `gateway.yoga.fetch(...)` in tests, or hand it to `listen()` (src/server/listen.ts).
 */
import { GraphQLError } from 'graphql';
import { createYoga, useExecutionCancellation, type YogaServerInstance } from 'graphql-yoga';
import { createLoaders, type Loaders } from '../loaders/loaders.ts';
import { createRestClient, type RateLimiter, type RequestListener, type RestClient } from '../rest/client.ts';
import { ACCOUNT_ID, scopeResolversByAccount } from '../schema/connect.ts';
import { type BuiltSchema, buildSchema } from '../schema/index.ts';
import { readServerConfig, type ServerConfig } from './config.ts';
import type { ServerContext } from './context.ts';
import type { CostEstimate } from './cost.ts';
import { useCsrfPrevention } from './csrf.ts';
import { DEFAULT_QUERY } from './default-query.ts';
import { GraphiQLAssets, renderGraphiQLPage } from './graphiql.ts';
import { Readiness } from './health.ts';
import { useQueryLimits } from './limits.ts';
import { createLive } from './live.ts';
import { createLogger, type Logger, type LogSink, yogaLogger } from './logger.ts';
import { createErrorMasker } from './masking.ts';
import { GatewayMetrics } from './metrics.ts';
import { useOperations } from './operations.ts';
import type { SharedState } from './pubsub.ts';
import { createRedactor } from './redact.ts';
import { useGatewayRoutes } from './routes.ts';
import { createRequestTracking, REQUEST_ID_HEADER } from './tracking.ts';

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

function corsOptions(origins: readonly string[]) {
  if (origins.length === 0) return false as const;
  return {
    origin: [...origins],
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
  };
}

export function createGateway(options: GatewayOptions = {}): Gateway {
  const config = options.config ?? readServerConfig({});
  const built = options.schema ?? buildSchema();
  scopeResolversByAccount(built.schema);

  const redact = createRedactor([config.rest.secretKey]);
  const logger = createLogger({
    level: config.logLevel,
    redact,
    ...(options.logSink ? { sink: options.logSink } : {}),
  });
  // The loaders call the REST client with path templates, so metric labels stay bounded.
  const metrics = new GatewayMetrics();
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
    if (secretKey === undefined) {
      throw new Error('createGateway: config.rest.secretKey is unset; pass a key (or a rest client)');
    }
    rest = createRestClient({ ...restConfig, secretKey, onRequest: metrics.observeUpstream, ...limiter });
  } else if (typeof options.rest === 'function') {
    rest = options.rest(metrics.observeUpstream, live.budget);
  } else {
    rest = options.rest;
    ownsRest = false;
  }

  const upstream = rest;
  rest = live.wrapRest(rest);
  const readiness = new Readiness({ rest, cacheMs: config.readyCacheMs, timeoutMs: config.readyTimeoutMs });
  const assets = config.graphiql ? new GraphiQLAssets() : undefined;
  const masker = createErrorMasker({ logger, redact });
  const tracking = createRequestTracking({ logger, metrics, graphqlEndpoint: GRAPHQL_ENDPOINT });
  const estimates = new WeakMap<object, CostEstimate>();
  const retrievePathOf = (object: Record<string, unknown>) => built.index.retrievePathOf(object);

  const buildContext = (request: Request): ServerContext => {
    const requestId = tracking.idOf(request);
    const stripeAccount = stripeAccountOf(request);
    const made: Loaders[] = [];
    const make = (account: string | undefined): Loaders => {
      const loaders = createLoaders({ rest, stripeAccount: account, signal: request.signal, retrievePathOf });
      made.push(loaders);
      return loaders;
    };
    const loaders = make(stripeAccount);
    const byAccount = new Map<string, Loaders>();
    return {
      loaders,
      loadersFor(account) {
        if (account === stripeAccount) return loaders;
        let scoped = byAccount.get(account);
        if (!scoped) {
          scoped = make(account);
          byAccount.set(account, scoped);
        }
        return scoped;
      },
      requestId,
      logger: logger.child({ requestId }),
      upstreamCalls: () => made.reduce((sum, l) => sum + l.upstreamCalls, 0),
    };
  };

  const yoga = createYoga<Record<string, unknown>, ServerContext>({
    schema: built.schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    logging: yogaLogger(logger),
    maskedErrors: { maskError: (error) => masker.mask(error) },
    graphiql: config.graphiql ? { title: 'Stripe GraphQL gateway', defaultQuery: DEFAULT_QUERY } : false,
    renderGraphiQL: renderGraphiQLPage,
    landingPage: false,
    cors: corsOptions(config.corsOrigins),
    batching: false,
    context: ({ request }) => buildContext(request),
    plugins: [
      tracking.plugin,
      useGatewayRoutes({ metrics, readiness, assets, graphqlEndpoint: GRAPHQL_ENDPOINT }),
      ...live.plugins(rest, retrievePathOf),
      useCsrfPrevention(),
      useExecutionCancellation(),
      // Before the limits: its after-execution hook must also see operations the limits reject.
      useOperations({ metrics, masker, costExtensions: config.costExtensions, estimates }),
      useQueryLimits(config.limits, { onEstimate: (context, estimate) => estimates.set(context, estimate) }),
    ],
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
    preload: () => assets?.preload() ?? Promise.resolve(),
    close() {
      closing ??= (async () => {
        readiness.drain();
        await live.close();
        if (ownsRest) await upstream.close();
      })();
      return closing;
    },
  };
}
