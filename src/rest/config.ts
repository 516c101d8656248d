/**
 * Reads the REST client's settings from the environment. Every variable is optional; an invalid
 * value throws a `ConfigError` naming the variable. The secret key is never echoed.
 */
import { API_KEY } from '../spec/stripe.ts';

export const DEFAULT_API_BASE = 'https://api.stripe.com';
export const DEFAULT_TIMEOUT_MS = 80_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 2;
/** Well under Stripe's 25 req/s sandbox and per-endpoint limits at typical latencies. */
export const DEFAULT_MAX_CONCURRENCY = 16;
export const DEFAULT_QUEUE_TIMEOUT_MS = 15_000;
/** A page of 100 objects with their references expanded is a few MB; 16 MiB leaves room. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** The slots one path may hold by default: a quarter stays free for the others. */
export const defaultPerPath = (maxConcurrency: number): number =>
  Math.max(1, maxConcurrency - Math.ceil(maxConcurrency / 4));

export interface RestConfig {
  /** `sk_…` or `rk_…`; undefined when `STRIPE_SECRET_KEY` is unset (the server then runs the emulator). */
  readonly secretKey: string | undefined;
  /** Origin (and optional path prefix) without a trailing slash. */
  readonly apiBase: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxRetries: number;
  readonly maxConcurrency: number;
  /** Sockets per origin; defaults to `maxConcurrency` so permits never queue inside the pool. */
  readonly maxConnections: number;
  /** Slots one path template may hold (`STRIPE_MAX_CONCURRENCY_PER_PATH`); default ¾ of the slots. */
  readonly maxConcurrencyPerPath: number;
  /** Longest wait for a slot before STRIPE_QUEUE_TIMEOUT (`STRIPE_QUEUE_TIMEOUT_MS`). */
  readonly queueTimeoutMs: number;
  /** Largest Stripe answer read (`STRIPE_MAX_RESPONSE_BYTES`); a larger one is cut off. */
  readonly maxResponseBytes: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(message);
    this.variable = variable;
  }
}

/** Empty and whitespace-only values count as unset, as `.env` files commonly write them. */
export function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(
      name,
      `${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function readSecretKey(env: NodeJS.ProcessEnv): string | undefined {
  const name = 'STRIPE_SECRET_KEY';
  const key = read(env, name);
  if (key === undefined) return undefined;
  if (!API_KEY.test(key)) {
    // Say what kind of value it looked like, never the value itself.
    const hint = key.startsWith('pk_') ? ' (got a publishable key)' : '';
    throw new ConfigError(
      name,
      `${name} must be a Stripe secret key (sk_test_…, sk_live_…) or restricted key (rk_…) of letters, digits and underscores${hint}`,
    );
  }
  return key;
}

function readApiBase(env: NodeJS.ProcessEnv): string {
  const name = 'STRIPE_API_BASE';
  const raw = read(env, name);
  if (raw === undefined) return DEFAULT_API_BASE;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (url.username !== '' || url.password !== '') {
    // Do not echo: the value holds credentials.
    throw new ConfigError(name, `${name} must not contain credentials`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError(name, `${name} must not have a query or fragment, got ${JSON.stringify(raw)}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function readRestConfig(env: NodeJS.ProcessEnv): RestConfig {
  const maxConcurrency = readInteger(env, 'STRIPE_MAX_CONCURRENCY', 1, 1000, DEFAULT_MAX_CONCURRENCY);
  return {
    secretKey: readSecretKey(env),
    apiBase: readApiBase(env),
    timeoutMs: readInteger(env, 'STRIPE_TIMEOUT_MS', 1, 600_000, DEFAULT_TIMEOUT_MS),
    connectTimeoutMs: readInteger(env, 'STRIPE_CONNECT_TIMEOUT_MS', 1, 600_000, DEFAULT_CONNECT_TIMEOUT_MS),
    maxRetries: readInteger(env, 'STRIPE_MAX_RETRIES', 0, 10, DEFAULT_MAX_RETRIES),
    maxConcurrency,
    maxConnections: readInteger(env, 'STRIPE_MAX_CONNECTIONS', 1, 1000, maxConcurrency),
    maxConcurrencyPerPath: readInteger(
      env,
      'STRIPE_MAX_CONCURRENCY_PER_PATH',
      1,
      maxConcurrency,
      defaultPerPath(maxConcurrency),
    ),
    queueTimeoutMs: readInteger(env, 'STRIPE_QUEUE_TIMEOUT_MS', 1, 600_000, DEFAULT_QUEUE_TIMEOUT_MS),
    maxResponseBytes: readInteger(
      env,
      'STRIPE_MAX_RESPONSE_BYTES',
      1024,
      1024 * 1024 * 1024,
      DEFAULT_MAX_RESPONSE_BYTES,
    ),
  };
}
