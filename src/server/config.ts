/**
 * The server's settings, read once from the environment at start-up. Every variable is optional;
 * an invalid value throws a `ConfigError` naming the variable (the REST client's variables are read
 * by `readRestConfig`). Secret values are never echoed in messages.
 */
import { ConfigError, type RestConfig, read, readInteger, readRestConfig } from '../rest/config.ts';
import { LIVE_API_KEY_PREFIX, WEBHOOK_SECRET } from '../spec/stripe.ts';
import { type AnswerLimits, DEFAULT_ANSWER_LIMITS } from './answer-budget.ts';

export { ConfigError };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Query limits, all enforced before any call to Stripe. */
export interface QueryLimits {
  /** Deepest nesting of fields in an operation (introspection fields excepted). */
  readonly maxDepth: number;
  /** Aliased fields in an operation, fragments expanded. */
  readonly maxAliases: number;
  /** Lexical tokens in the document. */
  readonly maxTokens: number;
  /** Largest `first`/`last` on a connection. */
  readonly maxPageSize: number;
  /** Estimated Stripe calls for one operation. */
  readonly maxCost: number;
  /** Items in any one list of the variables (checked before they are coerced). */
  readonly maxListItems: number;
}

/** The HTTP listener's bounds on one request and connection. */
export interface HttpLimits {
  /** Largest request body in bytes (413 BODY_TOO_LARGE above it). */
  readonly maxBodyBytes: number;
  /** Time to receive a request's headers. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body. */
  readonly requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
}

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** `NODE_ENV=production`: GraphiQL and cost extensions default off, a Stripe key is required. */
  readonly production: boolean;
  readonly rest: RestConfig;
  readonly limits: QueryLimits;
  /** The answer-size budget (src/server/answer-budget.ts). */
  readonly answer: AnswerLimits;
  readonly logLevel: LogLevel;
  /**
   * Share of successful requests that get an access-log line (`ACCESS_LOG`): 1 (`on`) every one, 0
   * (`off`) none; a request answered with an HTTP status of 400 or more is always logged.
   */
  readonly accessLog: number;
  /** Origins allowed by CORS; empty means no CORS headers (same-origin only); `['*']` allows any. */
  readonly corsOrigins: readonly string[];
  /**
   * Accepted `Host` header names (lower case, without port); empty accepts any. Defaults to the
   * loopback names when bound to a loopback address (DNS rebinding protection).
   */
  readonly allowedHosts: readonly string[];
  /** Schema introspection (`__schema`, `__type`); off in production unless set. */
  readonly introspection: boolean;
  readonly http: HttpLimits;
  /** Add `extensions.cost` (estimated and actual upstream calls) to responses. */
  readonly costExtensions: boolean;
  readonly graphiql: boolean;
  /** How long a readiness answer is reused. */
  readonly readyCacheMs: number;
  /** Timeout of the readiness probe's call to Stripe. */
  readonly readyTimeoutMs: number;
  /** Graceful shutdown: how long in-flight requests may take before connections are cut. */
  readonly shutdownTimeoutMs: number;
  /** Port of the built-in emulator when no Stripe key is set; 0 picks a free one. */
  readonly emulatorPort: number;
  /**
   * Serve the resources Stripe ships only as preview APIs (src/spec/overlay.ts: Crypto Onramp,
   * Terminal hardware ordering), marked `@preview`. `STRIPE_PREVIEW_RESOURCES=off` leaves them out.
   */
  readonly previewResources: boolean;
  /**
   * `FEDERATION_TYPE_PREFIX`: a prefix for every Stripe type name (`Stripe` → `StripeAddress`), for
   * a supergraph whose other subgraphs name their own types `Address`, `Product`, …; empty: none.
   */
  readonly typePrefix: string;
  /**
   * `FEDERATION` (default on): serve the Apollo Federation subgraph fields `_entities` and
   * `_service`. Off, the schema has neither, for a gateway no router composes.
   */
  readonly federation: boolean;
  /** Who may call the gateway, and as whom it calls Stripe (see the access-control block below). */
  readonly auth: AuthConfig;
  readonly live: LiveConfig;
  /** Transports' origin defaults and bounds (see the channels block below). */
  readonly channels: ChannelConfig;
}

/** Webhooks, subscriptions and what replicas share (src/server/live.ts). */
export interface LiveConfig {
  /** `REDIS_URL`: events, the rate budget and the cache go through it; unset keeps them in-process */
  readonly redisUrl: string | undefined;
  /** `STRIPE_WEBHOOK_SECRET` (comma-separated while rolling): the intake is off without one */
  readonly webhookSecrets: readonly string[];
  readonly webhookPath: string;
  readonly webhookToleranceSeconds: number;
  /** calls per second per Stripe account, all replicas together; 0: no budget */
  readonly rateLimitPerSecond: number;
  readonly rateLimitMaxWaitMs: number;
  /** seconds an object stays cached; 0: no cache */
  readonly cacheTtlSeconds: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxDepth: 15,
  maxAliases: 30,
  maxTokens: 2000,
  maxPageSize: 1000,
  maxCost: 200,
  maxListItems: 500,
};

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 102_400,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

/** Names a loopback-bound server answers to by default. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];
const LOOPBACK_ADDRESSES = new Set(['localhost', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_ADDRESSES.has(host.toLowerCase()) || /^127(?:\.\d{1,3}){3}$/.test(host);
}

export const DEFAULT_PORT = 4000;
export const DEFAULT_HOST = '127.0.0.1';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

export function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new ConfigError(name, `${name} must be true or false, got ${JSON.stringify(raw)}`);
}

export function readChoice<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase() as T;
  if (!choices.includes(value)) {
    throw new ConfigError(name, `${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `ACCESS_LOG`: `on` (1), `off` (0) or the share of requests to log, such as `0.01`. */
function readAccessLog(env: NodeJS.ProcessEnv): number {
  const raw = read(env, 'ACCESS_LOG');
  if (raw === undefined) return 1;
  const lower = raw.toLowerCase();
  if (TRUE.has(lower)) return 1;
  if (FALSE.has(lower)) return 0;
  const share = /^(?:0|1|0?\.\d+)$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(share >= 0 && share <= 1)) {
    throw new ConfigError(
      'ACCESS_LOG',
      `ACCESS_LOG must be on, off or a share of requests between 0 and 1 (0.01), got ${JSON.stringify(raw)}`,
    );
  }
  return share;
}

/** A hostname or an IP address to bind to. */
const HOST_SHAPE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]+)$/;

function readHost(env: NodeJS.ProcessEnv): string {
  const raw = read(env, 'HOST');
  if (raw === undefined) return DEFAULT_HOST;
  const host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (!HOST_SHAPE.test(host)) {
    throw new ConfigError('HOST', `HOST must be a hostname or an IP address, got ${JSON.stringify(raw)}`);
  }
  return host;
}

function readCorsOrigins(env: NodeJS.ProcessEnv): string[] {
  const name = 'CORS_ORIGINS';
  const raw = read(env, name);
  if (raw === undefined) return [];
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.includes('*')) {
    if (items.length > 1) throw new ConfigError(name, `${name} must be "*" or a list of origins, not both`);
    return ['*'];
  }
  return items.map((item) => {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new ConfigError(
        name,
        `${name} must list origins like https://app.example.com, got ${JSON.stringify(item)}`,
      );
    }
    const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '';
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare || item.endsWith('/')) {
      throw new ConfigError(
        name,
        `${name} must list origins (scheme, host and optional port, no path), got ${JSON.stringify(item)}`,
      );
    }
    return url.origin;
  });
}

function readAllowedHosts(env: NodeJS.ProcessEnv, bindHost: string): string[] {
  const name = 'ALLOWED_HOSTS';
  const raw = read(env, name);
  if (raw === undefined) return isLoopback(bindHost) ? [...LOOPBACK_HOSTS] : [];
  const items = raw
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
  if (items.includes('*')) {
    if (items.length > 1)
      throw new ConfigError(name, `${name} must be "*" or a list of host names, not both`);
    return [];
  }
  for (const item of items) {
    const bare = item.startsWith('[') && item.endsWith(']') ? item.slice(1, -1) : item;
    if (!HOST_SHAPE.test(bare)) {
      throw new ConfigError(
        name,
        `${name} must list host names without ports (e.g. api.example.com), got ${JSON.stringify(item)}`,
      );
    }
  }
  return items;
}

function readHttpLimits(env: NodeJS.ProcessEnv): HttpLimits {
  const d = DEFAULT_HTTP_LIMITS;
  return {
    maxBodyBytes: readInteger(env, 'HTTP_MAX_BODY_BYTES', 1_024, 50_000_000, d.maxBodyBytes),
    headersTimeoutMs: readInteger(env, 'HTTP_HEADERS_TIMEOUT_MS', 100, 600_000, d.headersTimeoutMs),
    requestTimeoutMs: readInteger(env, 'HTTP_REQUEST_TIMEOUT_MS', 100, 3_600_000, d.requestTimeoutMs),
    keepAliveTimeoutMs: readInteger(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 100, 600_000, d.keepAliveTimeoutMs),
  };
}

function readLimits(env: NodeJS.ProcessEnv): QueryLimits {
  return {
    maxDepth: readInteger(env, 'QUERY_MAX_DEPTH', 1, 1000, DEFAULT_LIMITS.maxDepth),
    maxAliases: readInteger(env, 'QUERY_MAX_ALIASES', 0, 100_000, DEFAULT_LIMITS.maxAliases),
    maxTokens: readInteger(env, 'QUERY_MAX_TOKENS', 10, 1_000_000, DEFAULT_LIMITS.maxTokens),
    maxPageSize: readInteger(env, 'QUERY_MAX_PAGE_SIZE', 1, 1_000_000, DEFAULT_LIMITS.maxPageSize),
    maxCost: readInteger(env, 'QUERY_MAX_COST', 1, 1_000_000, DEFAULT_LIMITS.maxCost),
    maxListItems: readInteger(env, 'QUERY_MAX_LIST_ITEMS', 1, 1_000_000, DEFAULT_LIMITS.maxListItems),
  };
}

function readAnswerLimits(env: NodeJS.ProcessEnv): AnswerLimits {
  const d = DEFAULT_ANSWER_LIMITS;
  return { maxFields: readInteger(env, 'ANSWER_MAX_FIELDS', 100, 100_000_000, d.maxFields) };
}

function readLive(env: NodeJS.ProcessEnv): LiveConfig {
  const redisUrl = read(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', 'REDIS_URL must be a redis:// or rediss:// URL');
  }
  const secrets = (read(env, 'STRIPE_WEBHOOK_SECRET') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (secrets.some((s) => !WEBHOOK_SECRET.test(s))) {
    throw new ConfigError(
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_WEBHOOK_SECRET must be whsec_… secrets, comma-separated',
    );
  }
  const webhookPath = read(env, 'WEBHOOK_PATH') ?? '/webhooks/stripe';
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(webhookPath) || webhookPath === '/graphql') {
    throw new ConfigError(
      'WEBHOOK_PATH',
      `WEBHOOK_PATH must be a path like /webhooks/stripe, got ${JSON.stringify(webhookPath)}`,
    );
  }
  return {
    redisUrl,
    webhookSecrets: secrets,
    webhookPath,
    webhookToleranceSeconds: readInteger(env, 'WEBHOOK_TOLERANCE_SECONDS', 0, 86_400, 300),
    rateLimitPerSecond: readInteger(env, 'STRIPE_RATE_LIMIT', 0, 100_000, 0),
    rateLimitMaxWaitMs: readInteger(env, 'STRIPE_RATE_LIMIT_MAX_WAIT_MS', 0, 60_000, 2_000),
    cacheTtlSeconds: readInteger(env, 'CACHE_TTL_SECONDS', 0, 86_400, 0),
  };
}

/** Reads and validates the whole configuration; throws `ConfigError` naming the first bad variable. */
export function readServerConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const nodeEnv = readChoice(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  const rest = readRestConfig(env);
  const host = readHost(env);
  const auth = readAuthConfig(env, { host, secretKey: rest.secretKey });
  // Passthrough: the gateway holds no key (each caller brings one), so no emulator either.
  if (rest.secretKey === undefined && auth.mode !== 'passthrough') {
    if (production) {
      throw new ConfigError(
        'STRIPE_SECRET_KEY',
        'STRIPE_SECRET_KEY is required when NODE_ENV=production (without it the server runs the demo emulator)',
      );
    }
    if (read(env, 'STRIPE_API_BASE') !== undefined) {
      throw new ConfigError(
        'STRIPE_API_BASE',
        'STRIPE_API_BASE is set but STRIPE_SECRET_KEY is not: set both to use that API, or neither to run the built-in emulator',
      );
    }
  }
  return {
    port: readInteger(env, 'PORT', 0, 65_535, DEFAULT_PORT),
    host,
    production,
    rest,
    limits: readLimits(env),
    answer: readAnswerLimits(env),
    logLevel: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    accessLog: readAccessLog(env),
    corsOrigins: readCorsOrigins(env),
    allowedHosts: readAllowedHosts(env, host),
    introspection: readBoolean(env, 'INTROSPECTION', !production),
    http: readHttpLimits(env),
    costExtensions: readBoolean(env, 'COST_EXTENSIONS', !production),
    graphiql: readBoolean(env, 'GRAPHIQL', !production),
    readyCacheMs: readInteger(env, 'READY_CACHE_MS', 0, 3_600_000, 5_000),
    readyTimeoutMs: readInteger(env, 'READY_TIMEOUT_MS', 1, 600_000, 2_000),
    shutdownTimeoutMs: readInteger(env, 'SHUTDOWN_TIMEOUT_MS', 0, 600_000, 10_000),
    emulatorPort: readInteger(env, 'EMULATOR_PORT', 0, 65_535, 0),
    live: readLive(env),
    previewResources: readBoolean(env, 'STRIPE_PREVIEW_RESOURCES', true),
    typePrefix: readTypePrefix(env),
    federation: readBoolean(env, 'FEDERATION', true),
    auth,
    channels: readChannelConfig(env, auth.mode),
  };
}

// ---- Channels: browser origins and the bounds of connections, subscriptions and webhook bodies ----
// (enforced by src/server/guards.ts, listen.ts, websocket.ts, live.ts and webhooks.ts)

export interface ChannelConfig {
  /**
   * Browser origins on a loopback name (http://localhost:3000, any port) are allowed too: the
   * default when AUTH_MODE=none and CORS_ORIGINS is unset (a local front end in development).
   */
  readonly loopbackOrigins: boolean;
  /** `WS_MAX_PAYLOAD_BYTES`: largest WebSocket message; a larger one closes the socket (1009). */
  readonly wsMaxPayloadBytes: number;
  /** `MAX_CONNECTIONS`: open TCP connections (kept-alive HTTP and WebSockets); past it 503 TOO_MANY_CONNECTIONS. */
  readonly maxConnections: number;
  /** `WS_MAX_CONNECTIONS`: open WebSockets; past it the upgrade is answered 503 TOO_MANY_CONNECTIONS. */
  readonly maxWebSockets: number;
  /** `SUBSCRIPTIONS_PER_CONNECTION`: active subscriptions on one WebSocket (TOO_MANY_SUBSCRIPTIONS past it). */
  readonly subscriptionsPerConnection: number;
  /** `MAX_SUBSCRIPTIONS`: active subscriptions on this replica, SSE and WebSocket together. */
  readonly maxSubscriptions: number;
  /** `WEBHOOK_MAX_BODY_BYTES`: the webhook intake's own body limit, counted as the body arrives. */
  readonly webhookMaxBodyBytes: number;
}

export const DEFAULT_CHANNELS: Omit<ChannelConfig, 'loopbackOrigins'> = {
  wsMaxPayloadBytes: 102_400,
  maxConnections: 2_048,
  maxWebSockets: 1_024,
  subscriptionsPerConnection: 10,
  maxSubscriptions: 1_000,
  webhookMaxBodyBytes: 1_048_576,
};

export function readChannelConfig(env: NodeJS.ProcessEnv, mode: AuthMode): ChannelConfig {
  const d = DEFAULT_CHANNELS;
  return {
    loopbackOrigins: mode === 'none' && read(env, 'CORS_ORIGINS') === undefined,
    wsMaxPayloadBytes: readInteger(env, 'WS_MAX_PAYLOAD_BYTES', 1_024, 50_000_000, d.wsMaxPayloadBytes),
    maxConnections: readInteger(env, 'MAX_CONNECTIONS', 1, 1_000_000, d.maxConnections),
    maxWebSockets: readInteger(env, 'WS_MAX_CONNECTIONS', 0, 1_000_000, d.maxWebSockets),
    subscriptionsPerConnection: readInteger(
      env,
      'SUBSCRIPTIONS_PER_CONNECTION',
      1,
      10_000,
      d.subscriptionsPerConnection,
    ),
    maxSubscriptions: readInteger(env, 'MAX_SUBSCRIPTIONS', 0, 1_000_000, d.maxSubscriptions),
    webhookMaxBodyBytes: readInteger(
      env,
      'WEBHOOK_MAX_BODY_BYTES',
      1_024,
      100_000_000,
      d.webhookMaxBodyBytes,
    ),
  };
}

// ---- Access control (AUTH_MODE and its variables; enforced by src/server/auth.ts) ---------------

export type AuthMode = 'none' | 'passthrough' | 'jwt';
export const AUTH_MODES: readonly AuthMode[] = ['none', 'passthrough', 'jwt'];

export interface JwtConfig {
  /** HS256 shared secret (`JWT_SECRET`); exactly one of `secret` and `jwksUrl` is set. */
  readonly secret?: string;
  /** JWKS endpoint for RS256/ES256 keys (`JWT_JWKS_URL`). */
  readonly jwksUrl?: string;
  /** Required `iss` (`JWT_ISSUER`). */
  readonly issuer: string;
  /** Required `aud` (`JWT_AUDIENCE`). */
  readonly audience: string;
  /** Leeway for `exp`/`nbf`/`iat`, in seconds (`JWT_CLOCK_TOLERANCE_S`). */
  readonly clockToleranceSec: number;
}

export interface AuthConfig {
  /**
   * `none`: no caller identity, the gateway's key reads everything (local development: loopback
   * only, test keys only); `passthrough`: each caller sends its own Stripe key; `jwt`: callers send
   * a JWT whose claims give their scope, and the gateway's key does the calls.
   */
  readonly mode: AuthMode;
  readonly jwt?: JwtConfig;
  /** `AUTH_NONE_ALLOW_REMOTE`: mode `none` may bind a non-loopback address (e.g. behind an auth proxy). */
  readonly allowRemoteNone: boolean;
}

/** JWT_SECRET shorter than this is refused: HS256 wants a key of at least the hash size. */
export const MIN_JWT_SECRET_LENGTH = 32;

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = read(env, name);
  if (value === undefined) throw new ConfigError(name, `${name} is required ${why}`);
  return value;
}

function readJwtConfig(env: NodeJS.ProcessEnv): JwtConfig {
  const secret = read(env, 'JWT_SECRET');
  const jwksUrl = read(env, 'JWT_JWKS_URL');
  if ((secret === undefined) === (jwksUrl === undefined)) {
    throw new ConfigError(
      secret === undefined ? 'JWT_SECRET' : 'JWT_JWKS_URL',
      'AUTH_MODE=jwt needs exactly one of JWT_SECRET (HS256) and JWT_JWKS_URL (RS256/ES256)',
    );
  }
  if (secret !== undefined && secret.length < MIN_JWT_SECRET_LENGTH) {
    throw new ConfigError('JWT_SECRET', `JWT_SECRET must be at least ${MIN_JWT_SECRET_LENGTH} characters`);
  }
  if (jwksUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(jwksUrl);
    } catch {
      url = undefined;
    }
    if (
      !url ||
      (url.protocol !== 'https:' &&
        !(url.protocol === 'http:' && isLoopback(url.hostname.replace(/^\[|\]$/g, ''))))
    ) {
      throw new ConfigError('JWT_JWKS_URL', 'JWT_JWKS_URL must be an https URL (http only on loopback)');
    }
  }
  const why = 'when AUTH_MODE=jwt (tokens from any other issuer or for any other audience are refused)';
  return {
    ...(secret === undefined ? {} : { secret }),
    ...(jwksUrl === undefined ? {} : { jwksUrl }),
    issuer: required(env, 'JWT_ISSUER', why),
    audience: required(env, 'JWT_AUDIENCE', why),
    clockToleranceSec: readInteger(env, 'JWT_CLOCK_TOLERANCE_S', 0, 300, 5),
  };
}

/** AUTH_MODE and what it needs; refuses `none` where it would expose a live key or a public port. */
export function readAuthConfig(
  env: NodeJS.ProcessEnv,
  where: { host: string; secretKey: string | undefined },
): AuthConfig {
  const mode = readChoice(env, 'AUTH_MODE', AUTH_MODES, 'none');
  const allowRemoteNone = readBoolean(env, 'AUTH_NONE_ALLOW_REMOTE', false);
  if (mode === 'none') {
    if (where.secretKey !== undefined && LIVE_API_KEY_PREFIX.test(where.secretKey)) {
      throw new ConfigError(
        'AUTH_MODE',
        'AUTH_MODE=none would let anyone who reaches the gateway use a live key: set AUTH_MODE=jwt or passthrough',
      );
    }
    if (!isLoopback(where.host) && !allowRemoteNone) {
      throw new ConfigError(
        'AUTH_MODE',
        `AUTH_MODE=none with HOST=${where.host} (not loopback) lets anyone on the network in: set AUTH_MODE=jwt or passthrough, or AUTH_NONE_ALLOW_REMOTE=true if something in front authenticates`,
      );
    }
  }
  if (mode === 'passthrough' && where.secretKey !== undefined) {
    throw new ConfigError(
      'STRIPE_SECRET_KEY',
      "AUTH_MODE=passthrough uses each caller's own key and holds none: unset STRIPE_SECRET_KEY",
    );
  }
  return { mode, allowRemoteNone, ...(mode === 'jwt' ? { jwt: readJwtConfig(env) } : {}) };
}

function readTypePrefix(env: NodeJS.ProcessEnv): string {
  const prefix = env.FEDERATION_TYPE_PREFIX ?? '';
  if (prefix !== '' && !/^[A-Z][A-Za-z0-9]*$/.test(prefix)) {
    throw new ConfigError(
      'FEDERATION_TYPE_PREFIX',
      `FEDERATION_TYPE_PREFIX must be a PascalCase GraphQL name, got ${JSON.stringify(prefix)}`,
    );
  }
  return prefix;
}
