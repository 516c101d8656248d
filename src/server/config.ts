/**
 * The server's settings, read once from the environment at start-up. Every variable is optional;
 * an invalid value throws a `ConfigError` naming the variable (the REST client's variables are read
 * by `readRestConfig`). Secret values are never echoed in messages.
 */
import { ConfigError, type RestConfig, read, readInteger, readRestConfig } from '../rest/config.ts';

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
}

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** `NODE_ENV=production`: GraphiQL and cost extensions default off, a Stripe key is required. */
  readonly production: boolean;
  readonly rest: RestConfig;
  readonly limits: QueryLimits;
  readonly logLevel: LogLevel;
  /** Origins allowed by CORS; empty means no CORS headers (same-origin only); `['*']` allows any. */
  readonly corsOrigins: readonly string[];
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
  readonly live: LiveConfig;
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
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 2000,
  maxPageSize: 1000,
  maxCost: 200,
};

export const DEFAULT_PORT = 4000;
export const DEFAULT_HOST = '127.0.0.1';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new ConfigError(name, `${name} must be true or false, got ${JSON.stringify(raw)}`);
}

function readChoice<T extends string>(
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

function readLimits(env: NodeJS.ProcessEnv): QueryLimits {
  return {
    maxDepth: readInteger(env, 'QUERY_MAX_DEPTH', 1, 1000, DEFAULT_LIMITS.maxDepth),
    maxAliases: readInteger(env, 'QUERY_MAX_ALIASES', 0, 100_000, DEFAULT_LIMITS.maxAliases),
    maxTokens: readInteger(env, 'QUERY_MAX_TOKENS', 10, 1_000_000, DEFAULT_LIMITS.maxTokens),
    maxPageSize: readInteger(env, 'QUERY_MAX_PAGE_SIZE', 1, 1_000_000, DEFAULT_LIMITS.maxPageSize),
    maxCost: readInteger(env, 'QUERY_MAX_COST', 1, 1_000_000, DEFAULT_LIMITS.maxCost),
  };
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
  if (secrets.some((s) => !/^whsec_[\x21-\x7e]+$/.test(s))) {
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
  if (rest.secretKey === undefined) {
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
    host: readHost(env),
    production,
    rest,
    limits: readLimits(env),
    logLevel: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    corsOrigins: readCorsOrigins(env),
    costExtensions: readBoolean(env, 'COST_EXTENSIONS', !production),
    graphiql: readBoolean(env, 'GRAPHIQL', !production),
    readyCacheMs: readInteger(env, 'READY_CACHE_MS', 0, 3_600_000, 5_000),
    readyTimeoutMs: readInteger(env, 'READY_TIMEOUT_MS', 1, 600_000, 2_000),
    shutdownTimeoutMs: readInteger(env, 'SHUTDOWN_TIMEOUT_MS', 0, 600_000, 10_000),
    emulatorPort: readInteger(env, 'EMULATOR_PORT', 0, 65_535, 0),
    live: readLive(env),
  };
}
