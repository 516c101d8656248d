import { describe, expect, it } from 'vitest';
import { ConfigError, readRestConfig } from '../../src/rest/config.ts';

const SECRET = 'sk_test_51SuperSecretValue0123456789';

describe('readRestConfig', () => {
  it('defaults everything, with no key meaning "use the emulator"', () => {
    expect(readRestConfig({})).toEqual({
      secretKey: undefined,
      apiBase: 'https://api.stripe.com',
      timeoutMs: 80_000,
      connectTimeoutMs: 10_000,
      maxRetries: 2,
      maxConcurrency: 16,
      maxConnections: 16,
      maxConcurrencyPerPath: 12,
      queueTimeoutMs: 15_000,
      maxResponseBytes: 16 * 1024 * 1024,
    });
    expect(readRestConfig({ STRIPE_SECRET_KEY: '' }).secretKey).toBeUndefined();
    expect(readRestConfig({ STRIPE_MAX_RETRIES: '  ' }).maxRetries).toBe(2);
  });

  it('reads every variable', () => {
    expect(
      readRestConfig({
        STRIPE_SECRET_KEY: ` ${SECRET}\n`,
        STRIPE_API_BASE: 'http://localhost:12111/',
        STRIPE_TIMEOUT_MS: '5000',
        STRIPE_CONNECT_TIMEOUT_MS: '250',
        STRIPE_MAX_RETRIES: '0',
        STRIPE_MAX_CONCURRENCY: '4',
        STRIPE_MAX_CONNECTIONS: '8',
        STRIPE_MAX_CONCURRENCY_PER_PATH: '2',
        STRIPE_QUEUE_TIMEOUT_MS: '700',
        STRIPE_MAX_RESPONSE_BYTES: '65536',
      }),
    ).toEqual({
      secretKey: SECRET,
      apiBase: 'http://localhost:12111',
      timeoutMs: 5000,
      connectTimeoutMs: 250,
      maxRetries: 0,
      maxConcurrency: 4,
      maxConnections: 8,
      maxConcurrencyPerPath: 2,
      queueTimeoutMs: 700,
      maxResponseBytes: 65536,
    });
    // A quarter of the slots stays free for the other paths; the per-path cap is at most all of them.
    expect(readRestConfig({ STRIPE_MAX_CONCURRENCY: '16' }).maxConcurrencyPerPath).toBe(12);
    expect(readRestConfig({ STRIPE_MAX_CONCURRENCY: '1' }).maxConcurrencyPerPath).toBe(1);
    expect(() =>
      readRestConfig({ STRIPE_MAX_CONCURRENCY: '4', STRIPE_MAX_CONCURRENCY_PER_PATH: '5' }),
    ).toThrow('STRIPE_MAX_CONCURRENCY_PER_PATH must be an integer between 1 and 4, got "5"');
    expect(readRestConfig({ STRIPE_SECRET_KEY: 'rk_live_abc' }).secretKey).toBe('rk_live_abc');
    expect(readRestConfig({ STRIPE_API_BASE: 'https://proxy.example/stripe/' }).apiBase).toBe(
      'https://proxy.example/stripe',
    );
    expect(readRestConfig({ STRIPE_MAX_CONCURRENCY: '32' }).maxConnections).toBe(32);
  });

  it.each([
    ['STRIPE_MAX_RETRIES', 'abc', 'STRIPE_MAX_RETRIES must be an integer between 0 and 10, got "abc"'],
    ['STRIPE_MAX_RETRIES', '11', 'STRIPE_MAX_RETRIES must be an integer between 0 and 10, got "11"'],
    ['STRIPE_MAX_RETRIES', '-1', 'STRIPE_MAX_RETRIES must be an integer between 0 and 10, got "-1"'],
    ['STRIPE_MAX_RETRIES', '1.5', 'STRIPE_MAX_RETRIES must be an integer between 0 and 10, got "1.5"'],
    ['STRIPE_TIMEOUT_MS', '0', 'STRIPE_TIMEOUT_MS must be an integer between 1 and 600000, got "0"'],
    ['STRIPE_TIMEOUT_MS', '1e3', 'STRIPE_TIMEOUT_MS must be an integer between 1 and 600000, got "1e3"'],
    [
      'STRIPE_CONNECT_TIMEOUT_MS',
      '10s',
      'STRIPE_CONNECT_TIMEOUT_MS must be an integer between 1 and 600000, got "10s"',
    ],
    ['STRIPE_MAX_CONCURRENCY', '0', 'STRIPE_MAX_CONCURRENCY must be an integer between 1 and 1000, got "0"'],
    [
      'STRIPE_MAX_CONNECTIONS',
      '99999',
      'STRIPE_MAX_CONNECTIONS must be an integer between 1 and 1000, got "99999"',
    ],
    ['STRIPE_API_BASE', 'not a url', 'STRIPE_API_BASE must be an http(s) URL, got "not a url"'],
    [
      'STRIPE_API_BASE',
      'ftp://api.stripe.com',
      'STRIPE_API_BASE must be an http(s) URL, got "ftp://api.stripe.com"',
    ],
    ['STRIPE_API_BASE', 'localhost:12111', 'STRIPE_API_BASE must be an http(s) URL, got "localhost:12111"'],
    [
      'STRIPE_API_BASE',
      'https://x.test/?a=1',
      'STRIPE_API_BASE must not have a query or fragment, got "https://x.test/?a=1"',
    ],
  ])('%s=%j is refused', (variable, value, message) => {
    const error = (() => {
      try {
        readRestConfig({ [variable]: value });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(message);
    expect((error as ConfigError).variable).toBe(variable);
  });

  it.each([
    ['a publishable key', 'pk_test_51SuperSecretValue0123456789', /publishable/],
    ['a random string', 'SuperSecretValue0123456789', /sk_/],
    ['a key with spaces inside', 'sk_test_51Super SecretValue0123456789', /STRIPE_SECRET_KEY/],
    ['a bare prefix', 'sk_', /STRIPE_SECRET_KEY/],
  ])('refuses %s as STRIPE_SECRET_KEY without echoing it', (_name, key, pattern) => {
    let error: unknown;
    try {
      readRestConfig({ STRIPE_SECRET_KEY: key });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message } = error as ConfigError;
    expect(message).toMatch(pattern);
    expect(message).toContain('STRIPE_SECRET_KEY');
    expect(message).not.toContain('SuperSecret');
  });

  it('does not echo credentials in STRIPE_API_BASE', () => {
    expect(() => readRestConfig({ STRIPE_API_BASE: 'https://user:hunter2@api.stripe.com' })).toThrow(
      /^STRIPE_API_BASE must not contain credentials$/,
    );
  });
});
