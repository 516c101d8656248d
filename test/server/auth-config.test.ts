/** AUTH_MODE and its variables, validated at start-up (src/server/config.ts, access-control block). */
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopback, readServerConfig } from '../../src/server/config.ts';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const JWT = {
  AUTH_MODE: 'jwt',
  JWT_SECRET: SECRET,
  JWT_ISSUER: 'https://issuer.test',
  JWT_AUDIENCE: 'gateway',
};

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    readServerConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('AUTH_MODE', () => {
  it('defaults to none on loopback, with no configuration (the README first screen)', () => {
    expect(readServerConfig({}).auth).toEqual({ mode: 'none', allowRemoteNone: false });
  });

  it('refuses none with a live key, whatever else is set', () => {
    for (const key of ['sk_live_abc123', 'rk_live_abc123']) {
      const error = configError({ STRIPE_SECRET_KEY: key, AUTH_NONE_ALLOW_REMOTE: 'true' });
      expect(error.variable).toBe('AUTH_MODE');
      expect(error.message).not.toContain(key);
    }
  });

  it('refuses none on a non-loopback address unless AUTH_NONE_ALLOW_REMOTE says so', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'gateway.internal']) {
      expect(configError({ HOST: host }).variable).toBe('AUTH_MODE');
    }
    expect(readServerConfig({ HOST: '0.0.0.0', AUTH_NONE_ALLOW_REMOTE: 'yes' }).host).toBe('0.0.0.0');
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost', '[::1]']) {
      expect(readServerConfig({ HOST: host }).auth.mode).toBe('none');
    }
    expect(isLoopback('127.0.0.1.evil.example')).toBe(false);
  });

  it('passthrough holds no key and may point at any API base; any address', () => {
    const config = readServerConfig({
      AUTH_MODE: 'passthrough',
      HOST: '0.0.0.0',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
      NODE_ENV: 'production',
    });
    expect(config.auth.mode).toBe('passthrough');
    expect(config.rest.secretKey).toBeUndefined();
    expect(config.rest.apiBase).toBe('http://127.0.0.1:12111');
    const error = configError({ AUTH_MODE: 'passthrough', STRIPE_SECRET_KEY: 'sk_test_abc123' });
    expect(error.variable).toBe('STRIPE_SECRET_KEY');
    expect(error.message).not.toContain('sk_test_abc123');
  });

  it('jwt reads its secret or JWKS, issuer and audience', () => {
    expect(readServerConfig({ ...JWT, HOST: '0.0.0.0', STRIPE_SECRET_KEY: 'sk_live_abc' }).auth).toEqual({
      mode: 'jwt',
      allowRemoteNone: false,
      jwt: { secret: SECRET, issuer: 'https://issuer.test', audience: 'gateway', clockToleranceSec: 5 },
    });
    const { JWT_SECRET: _, ...withoutSecret } = JWT;
    expect(
      readServerConfig({ ...withoutSecret, JWT_JWKS_URL: 'https://issuer.test/.well-known/jwks.json' }).auth
        .jwt?.jwksUrl,
    ).toBe('https://issuer.test/.well-known/jwks.json');
  });

  it.each([
    ['AUTH_MODE', { AUTH_MODE: 'open' }],
    ['AUTH_NONE_ALLOW_REMOTE', { AUTH_NONE_ALLOW_REMOTE: 'perhaps' }],
    ['JWT_SECRET', { AUTH_MODE: 'jwt', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' }],
    ['JWT_SECRET', { ...JWT, JWT_SECRET: 'short' }],
    ['JWT_JWKS_URL', { ...JWT, JWT_JWKS_URL: 'https://issuer.test/jwks' }],
    ['JWT_JWKS_URL', { ...JWT, JWT_SECRET: '', JWT_JWKS_URL: 'http://issuer.test/jwks' }],
    ['JWT_ISSUER', { ...JWT, JWT_ISSUER: '' }],
    ['JWT_AUDIENCE', { ...JWT, JWT_AUDIENCE: ' ' }],
    ['JWT_CLOCK_TOLERANCE_S', { ...JWT, JWT_CLOCK_TOLERANCE_S: '3600' }],
  ] as const)('names %s when it is missing or invalid', (variable, env) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain(SECRET);
  });
});
