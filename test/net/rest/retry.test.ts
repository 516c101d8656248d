/** The client retrying over a socket against a local server (Stripe's rules themselves: test/rest/retry.test.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { type RequestEvent, StripeRestClient } from '../../../src/rest/client.ts';
import { StripeError } from '../../../src/rest/errors.ts';
import { FAST_RETRIES, sendJson, startServer, TEST_KEY, type TestServer } from './harness.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  handler: Parameters<typeof startServer>[0],
  options: Partial<ConstructorParameters<typeof StripeRestClient>[0]> = {},
): Promise<{ srv: TestServer; rest: StripeRestClient; events: RequestEvent[] }> {
  const srv = await startServer(handler);
  const events: RequestEvent[] = [];
  const rest = new StripeRestClient({
    secretKey: TEST_KEY,
    apiBase: srv.url,
    ...FAST_RETRIES,
    onRequest: (event) => events.push(event),
    ...options,
  });
  cleanups.push(
    () => srv.close(),
    () => rest.close(),
  );
  return { srv, rest, events };
}

const apiError = { error: { type: 'api_error', message: 'Something went wrong' } };

describe('retries against a live server', () => {
  it('survives 500, then 429 with Retry-After, then 200, reusing one idempotency key', async () => {
    const { srv, rest, events } = await setup((_req, res, _captured, index) => {
      if (index === 0) sendJson(res, 500, apiError);
      else if (index === 1)
        sendJson(
          res,
          429,
          { error: { type: 'invalid_request_error', code: 'rate_limit' } },
          { 'retry-after': '1' },
        );
      else sendJson(res, 200, { id: 'ch_1', object: 'charge' });
    });
    const started = performance.now();
    const charge = await rest.request<{ id: string }>({
      method: 'POST',
      path: '/v1/charges',
      params: { amount: 100, currency: 'usd' },
    });
    expect(charge.id).toBe('ch_1');
    expect(srv.requests).toHaveLength(3);
    const keys = new Set(srv.requests.map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toBeTypeOf('string');
    expect(new Set(srv.requests.map((r) => r.body))).toEqual(new Set(['amount=100&currency=usd']));
    // Retry-After: 1 is capped at maxRetryDelayMs (20 ms).
    expect(performance.now() - started).toBeLessThan(900);
    expect(events).toEqual([expect.objectContaining({ status: 200, attempts: 3, retried: true })]);
  });

  it('waits for Retry-After when it is under the cap', async () => {
    const { srv, rest } = await setup(
      (_req, res, _captured, index) =>
        index === 0 ? sendJson(res, 429, apiError, { 'retry-after': '0.15' }) : sendJson(res, 200, {}),
      { maxRetryDelayMs: 1_000 },
    );
    const started = performance.now();
    await rest.request({ method: 'GET', path: '/v1/balance' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(srv.requests).toHaveLength(2);
  });

  it('stops after maxRetries', async () => {
    const { srv, rest, events } = await setup((_req, res) => sendJson(res, 503, apiError), { maxRetries: 2 });
    const error = await rest.request({ method: 'GET', path: '/v1/balance' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StripeError);
    expect((error as StripeError).statusCode).toBe(503);
    expect(srv.requests).toHaveLength(3);
    expect(events[0]).toMatchObject({ attempts: 3, status: 503 });
  });

  it('Stripe-Should-Retry: false stops retrying a 500', async () => {
    const { srv, rest } = await setup((_req, res) =>
      sendJson(res, 500, apiError, { 'stripe-should-retry': 'false' }),
    );
    await expect(rest.request({ method: 'POST', path: '/v1/charges' })).rejects.toMatchObject({
      statusCode: 500,
    });
    expect(srv.requests).toHaveLength(1);
  });

  it('Stripe-Should-Retry: true retries even a 400 (e.g. a lock timeout)', async () => {
    const { srv, rest } = await setup((_req, res, _captured, index) =>
      index === 0
        ? sendJson(
            res,
            400,
            { error: { type: 'invalid_request_error', code: 'lock_timeout' } },
            { 'stripe-should-retry': 'true' },
          )
        : sendJson(res, 200, { id: 'cus_1' }),
    );
    await rest.request({ method: 'POST', path: '/v1/customers/cus_1' });
    expect(srv.requests).toHaveLength(2);
  });

  it.each([400, 401, 402, 403, 404])('never retries a %i', async (status) => {
    const { srv, rest } = await setup((_req, res) =>
      sendJson(res, status, { error: { type: 'invalid_request_error', message: 'no' } }),
    );
    await expect(rest.request({ method: 'POST', path: '/v1/customers' })).rejects.toMatchObject({
      kind: 'api',
      statusCode: status,
    });
    await expect(rest.request({ method: 'GET', path: '/v1/customers' })).rejects.toMatchObject({
      statusCode: status,
    });
    expect(srv.requests).toHaveLength(2);
  });

  it('retries a 409 conflict', async () => {
    const { srv, rest } = await setup((_req, res, _captured, index) =>
      index === 0 ? sendJson(res, 409, { error: { type: 'idempotency_error' } }) : sendJson(res, 200, {}),
    );
    await rest.request({ method: 'POST', path: '/v1/customers' });
    expect(srv.requests).toHaveLength(2);
  });

  it('retries a connection reset, POST with the same key and GET alike', async () => {
    const { srv, rest } = await setup((req, res, _captured, index) => {
      if (index % 2 === 0) req.socket.destroy();
      else sendJson(res, 200, { id: 'cus_1' });
    });
    await rest.request({ method: 'POST', path: '/v1/customers', params: { name: 'x' } });
    await rest.request({ method: 'GET', path: '/v1/customers/cus_1' });
    expect(srv.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'GET', 'GET']);
    expect(srv.requests[0]!.headers['idempotency-key']).toBe(srv.requests[1]!.headers['idempotency-key']);
  });

  it('retries a response cut off mid-body', async () => {
    const { srv, rest, events } = await setup((_req, res, _captured, index) => {
      if (index === 0) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"id": "cus_');
        setImmediate(() => res.destroy());
      } else sendJson(res, 200, { id: 'cus_1' });
    });
    expect(await rest.request({ method: 'GET', path: '/v1/customers/cus_1' })).toEqual({ id: 'cus_1' });
    expect(srv.requests).toHaveLength(2);
    expect(events[0]).toMatchObject({ attempts: 2, status: 200 });
  });

  it('maxRetries 0 makes exactly one attempt', async () => {
    const { srv, rest } = await setup((_req, res) => sendJson(res, 500, apiError), { maxRetries: 0 });
    await expect(rest.request({ method: 'GET', path: '/v1/balance' })).rejects.toMatchObject({
      statusCode: 500,
    });
    expect(srv.requests).toHaveLength(1);
  });
});
