/**
 * Fault injection (latency, 429, 500, dropped connections), the request counter, reset, and the
 * control endpoints.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { EmulatorService } from '../../src/emulator/service.ts';
import { faultsFromEnv } from '../../src/emulator/transport/faults.ts';
import { type EmulatorHarness, sdk, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await startEmulatorHarness();
});
afterEach(() => h.emulator.setFaults({}));
afterAll(() => h.close());

describe('fault injection', () => {
  it('adds latency', async () => {
    h.emulator.setFaults({ latencyMs: 60 });
    const started = performance.now();
    expect((await h.request('GET', '/v1/balance')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('adds latency from a range', async () => {
    h.emulator.setFaults({ latencyMs: [20, 30] });
    const started = performance.now();
    await h.request('GET', '/v1/balance');
    expect(performance.now() - started).toBeGreaterThanOrEqual(18);
  });

  it('answers 429 with Stripe-Should-Retry', async () => {
    h.emulator.setFaults({ errorRate429: 1 });
    const response = await h.request('GET', '/v1/balance');
    expect(response.status).toBe(429);
    expect(response.headers.get('stripe-should-retry')).toBe('true');
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'rate_limit' });
    await expect(h.stripe.balance.retrieve()).rejects.toMatchObject({
      type: 'StripeRateLimitError',
      statusCode: 429,
    });
  });

  it('answers 500 api_error, and a retry with the same idempotency key goes through', async () => {
    h.emulator.setFaults({ errorRate500: 1 });
    const failed = await h.request('POST', '/v1/customers', {
      body: 'name=Retry',
      headers: { 'Idempotency-Key': 'retry-1' },
    });
    expect(failed.status).toBe(500);
    expect(failed.body.error.type).toBe('api_error');
    h.emulator.setFaults({});
    const retried = await h.request('POST', '/v1/customers', {
      body: 'name=Retry',
      headers: { 'Idempotency-Key': 'retry-1' },
    });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('drops connections', async () => {
    h.emulator.setFaults({ dropRate: 1 });
    await expect(h.request('GET', '/v1/balance')).rejects.toThrow();
    await expect(h.stripe.balance.retrieve()).rejects.toMatchObject({ type: 'StripeConnectionError' });
  });

  it('the SDK retries through intermittent 500s', async () => {
    h.emulator.setFaults({ errorRate500: 0.3 });
    const patient = sdk(h.emulator, { maxNetworkRetries: 8 });
    const customers = await Promise.all(
      Array.from({ length: 6 }, () => patient.customers.create({ email: 'flaky@example.com' })),
    );
    h.emulator.setFaults({});
    const listed = await h.stripe.customers.list({ email: 'flaky@example.com', limit: 100 });
    expect(new Set(listed.data.map((c) => c.id))).toEqual(new Set(customers.map((c) => c.id)));
  });

  it('reads the environment', () => {
    expect(
      faultsFromEnv({
        EMULATOR_LATENCY_MS: '10-50',
        EMULATOR_ERROR_RATE_429: '0.1',
        EMULATOR_ERROR_RATE_500: '0.05',
        EMULATOR_DROP_RATE: '0',
      }),
    ).toEqual({ latencyMs: [10, 50], errorRate429: 0.1, errorRate500: 0.05, dropRate: 0 });
    expect(faultsFromEnv({ EMULATOR_LATENCY_MS: '25' })).toEqual({ latencyMs: 25 });
    expect(faultsFromEnv({})).toEqual({});
    expect(() => faultsFromEnv({ EMULATOR_ERROR_RATE_500: '2' })).toThrow(/between 0 and 1/);
  });
});

describe('stats, reset and control endpoints', () => {
  it('counts requests by route template and status', async () => {
    h.emulator.resetStats();
    await h.request('GET', `/v1/customers/${SEED.jenny.customer}`);
    await h.request('GET', `/v1/customers/${SEED.ada.customer}`);
    await h.request('GET', '/v1/customers/cus_nope');
    await h.request('GET', '/v1/nowhere');
    const stats = h.emulator.stats();
    expect(stats.total).toBe(4);
    expect(stats.byRoute).toEqual({ 'GET /v1/customers/{customer}': 3, 'GET (unmatched)': 1 });
    expect(stats.byStatus).toEqual({ 200: 2, 404: 2 });
  });

  it('serves stats, faults and reset at its control endpoints', async () => {
    const stats = (await h.request('GET', '/_emulator/stats', { key: null })).body;
    expect(stats.total).toBe(h.emulator.stats().total);
    await h.request('POST', '/_emulator/faults', { key: null, body: JSON.stringify({ errorRate429: 1 }) });
    expect((await h.request('GET', '/v1/balance')).status).toBe(429);
    await h.request('POST', '/_emulator/faults', { key: null, body: '{}' });
    expect((await h.request('GET', '/v1/balance')).status).toBe(200);
  });

  it('reset restores the seed', async () => {
    const created = await h.stripe.customers.create({ name: 'Temporary' });
    await h.stripe.customers.del(SEED.ada.customer);
    await h.request('POST', '/_emulator/reset', { key: null });
    await expect(h.stripe.customers.retrieve(created.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await h.stripe.customers.retrieve(SEED.ada.customer)).deleted).toBeUndefined();
    h.emulator.reset();
    expect((await h.stripe.customers.retrieve(SEED.jenny.customer)).id).toBe(SEED.jenny.customer);
  });
});

describe('keys', () => {
  it('accepts Basic auth with the key as user name, and rk_test_ keys', async () => {
    const basic = Buffer.from(`${h.emulator.key}:`).toString('base64');
    expect(
      (await h.request('GET', '/v1/balance', { key: null, headers: { Authorization: `Basic ${basic}` } }))
        .status,
    ).toBe(200);
    expect((await h.request('GET', '/v1/balance', { key: 'rk_test_restricted' })).status).toBe(200);
  });

  it('can be limited to given keys', async () => {
    const strict = await startEmulatorHarness({ apiKeys: ['sk_test_only_this_one'], seed: false });
    try {
      expect((await strict.request('GET', '/v1/balance')).status).toBe(200);
      expect((await strict.request('GET', '/v1/balance', { key: 'sk_test_another_one' })).status).toBe(401);
    } finally {
      await strict.close();
    }
  });
});

describe('in-process use', () => {
  it('serves Web Requests without a socket, empty when asked', async () => {
    const service = new EmulatorService({ seed: false, faults: {} });
    const headers = {
      Authorization: 'Bearer sk_test_inprocess',
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    const created = await service.fetch(
      new Request('http://emulator/v1/customers', { method: 'POST', headers, body: 'name=Local' }),
    );
    expect(created.status).toBe(200);
    const list = await service.fetch(new Request('http://emulator/v1/customers', { headers }));
    expect((await list.json()).data.map((c: { name: string }) => c.name)).toEqual(['Local']);
    const account = await service.fetch(new Request('http://emulator/v1/account', { headers }));
    expect((await account.json()).object).toBe('account');
    expect(service.stats().total).toBe(3);
  });
});
