import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CHANNELS, DEFAULT_LIMITS, readServerConfig } from '../../src/server/config.ts';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    readServerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('readServerConfig', () => {
  it('has working defaults for an empty environment (emulator mode)', () => {
    const config = readServerConfig({});
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.rest.secretKey).toBeUndefined();
    expect(config.limits).toEqual(DEFAULT_LIMITS);
    expect(config.limits).toEqual({
      maxDepth: 15,
      maxAliases: 30,
      maxTokens: 2000,
      maxPageSize: 1000,
      maxCost: 200,
      maxListItems: 500,
    });
    expect(config.http).toEqual({
      maxBodyBytes: 102_400,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
    });
    expect(config.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(config.introspection).toBe(true);
    expect(config.logLevel).toBe('info');
    expect(config.corsOrigins).toEqual([]);
    expect(config.costExtensions).toBe(true);
    expect(config.graphiql).toBe(true);
    expect(config.production).toBe(false);
    expect(config.emulatorPort).toBe(0);
    expect(config.previewResources).toBe(true);
  });

  it('reads every variable', () => {
    const config = readServerConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      AUTH_NONE_ALLOW_REMOTE: 'true',
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_API_BASE: 'http://127.0.0.1:12111/',
      STRIPE_MAX_RETRIES: '0',
      QUERY_MAX_DEPTH: '5',
      QUERY_MAX_ALIASES: '3',
      QUERY_MAX_TOKENS: '500',
      QUERY_MAX_PAGE_SIZE: '100',
      QUERY_MAX_COST: '50',
      LOG_LEVEL: 'WARN',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
      COST_EXTENSIONS: 'false',
      GRAPHIQL: 'no',
      READY_CACHE_MS: '0',
      READY_TIMEOUT_MS: '500',
      SHUTDOWN_TIMEOUT_MS: '1000',
      EMULATOR_PORT: '12111',
      QUERY_MAX_LIST_ITEMS: '20',
      ALLOWED_HOSTS: 'API.example.com, [::1]',
      INTROSPECTION: 'off',
      HTTP_MAX_BODY_BYTES: '2048',
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '3000',
      STRIPE_PREVIEW_RESOURCES: 'off',
    });
    expect(config).toMatchObject({
      allowedHosts: ['api.example.com', '[::1]'],
      introspection: false,
      http: { maxBodyBytes: 2048, headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 3000 },
      port: 8080,
      host: '0.0.0.0',
      rest: { secretKey: 'sk_test_123', apiBase: 'http://127.0.0.1:12111', maxRetries: 0 },
      limits: { maxDepth: 5, maxAliases: 3, maxTokens: 500, maxPageSize: 100, maxCost: 50, maxListItems: 20 },
      logLevel: 'warn',
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      costExtensions: false,
      graphiql: false,
      readyCacheMs: 0,
      readyTimeoutMs: 500,
      shutdownTimeoutMs: 1000,
      emulatorPort: 12111,
      previewResources: false,
    });
  });

  it('turns GraphiQL and cost extensions off by default in production, and requires a key there', () => {
    const config = readServerConfig({ NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_test_abc' });
    expect(config.production).toBe(true);
    expect(config.graphiql).toBe(false);
    expect(config.costExtensions).toBe(false);
    expect(config.introspection).toBe(false);
    expect(
      readServerConfig({ NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_test_abc', INTROSPECTION: 'on' })
        .introspection,
    ).toBe(true);
    expect(configError({ NODE_ENV: 'production' }).variable).toBe('STRIPE_SECRET_KEY');
  });

  it('accepts only loopback names by default when bound to loopback, any host otherwise', () => {
    expect(readServerConfig({ HOST: '::1' }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(readServerConfig({ HOST: '0.0.0.0', AUTH_NONE_ALLOW_REMOTE: 'true' }).allowedHosts).toEqual([]);
    expect(readServerConfig({ ALLOWED_HOSTS: '*' }).allowedHosts).toEqual([]);
  });

  it('accepts * as CORS origins', () => {
    expect(readServerConfig({ CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['HOST', { HOST: 'not a host' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'ftp://files.example.com' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://app.example.com/path' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: '*, https://app.example.com' }],
    ['COST_EXTENSIONS', { COST_EXTENSIONS: 'maybe' }],
    ['GRAPHIQL', { GRAPHIQL: '2' }],
    ['QUERY_MAX_DEPTH', { QUERY_MAX_DEPTH: '0' }],
    ['QUERY_MAX_ALIASES', { QUERY_MAX_ALIASES: '-1' }],
    ['QUERY_MAX_TOKENS', { QUERY_MAX_TOKENS: '1.5' }],
    ['QUERY_MAX_PAGE_SIZE', { QUERY_MAX_PAGE_SIZE: 'many' }],
    ['QUERY_MAX_COST', { QUERY_MAX_COST: '0' }],
    ['READY_TIMEOUT_MS', { READY_TIMEOUT_MS: '0' }],
    ['SHUTDOWN_TIMEOUT_MS', { SHUTDOWN_TIMEOUT_MS: 'soon' }],
    ['EMULATOR_PORT', { EMULATOR_PORT: '-3' }],
    ['QUERY_MAX_LIST_ITEMS', { QUERY_MAX_LIST_ITEMS: '0' }],
    ['ALLOWED_HOSTS', { ALLOWED_HOSTS: 'example.com:4000' }],
    ['ALLOWED_HOSTS', { ALLOWED_HOSTS: '*, example.com' }],
    ['INTROSPECTION', { INTROSPECTION: 'sometimes' }],
    ['HTTP_MAX_BODY_BYTES', { HTTP_MAX_BODY_BYTES: '10' }],
    ['HTTP_HEADERS_TIMEOUT_MS', { HTTP_HEADERS_TIMEOUT_MS: '0' }],
    ['HTTP_REQUEST_TIMEOUT_MS', { HTTP_REQUEST_TIMEOUT_MS: 'x' }],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', { HTTP_KEEP_ALIVE_TIMEOUT_MS: '-1' }],
    ['STRIPE_PREVIEW_RESOURCES', { STRIPE_PREVIEW_RESOURCES: 'maybe' }],
    ['STRIPE_TIMEOUT_MS', { STRIPE_TIMEOUT_MS: '0' }],
    ['STRIPE_API_BASE', { STRIPE_API_BASE: 'http://127.0.0.1:12111' }],
  ] as const)('names %s when it is invalid', (variable, env) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
  });

  it('never echoes a secret key in its message', () => {
    const key = 'pk_live_51Hsecretsecretsecret';
    const error = configError({ STRIPE_SECRET_KEY: key });
    expect(error.variable).toBe('STRIPE_SECRET_KEY');
    expect(error.message).not.toContain(key);
  });
});

describe('channel bounds', () => {
  it('default to DEFAULT_CHANNELS, with loopback origins only in AUTH_MODE=none without CORS_ORIGINS', () => {
    expect(readServerConfig({}).channels).toEqual({ ...DEFAULT_CHANNELS, loopbackOrigins: true });
    expect(readServerConfig({ CORS_ORIGINS: 'https://app.example.com' }).channels.loopbackOrigins).toBe(
      false,
    );
    const config = readServerConfig({
      WS_MAX_PAYLOAD_BYTES: '2048',
      MAX_CONNECTIONS: '10',
      WS_MAX_CONNECTIONS: '5',
      SUBSCRIPTIONS_PER_CONNECTION: '3',
      MAX_SUBSCRIPTIONS: '7',
      WEBHOOK_MAX_BODY_BYTES: '4096',
    });
    expect(config.channels).toEqual({
      loopbackOrigins: true,
      wsMaxPayloadBytes: 2048,
      maxConnections: 10,
      maxWebSockets: 5,
      subscriptionsPerConnection: 3,
      maxSubscriptions: 7,
      webhookMaxBodyBytes: 4096,
    });
    expect(() => readServerConfig({ MAX_CONNECTIONS: '0' })).toThrow(ConfigError);
  });
});
