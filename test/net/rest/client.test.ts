import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { inspect } from 'node:util';
import { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { createRestClient, type RequestEvent, StripeRestClient } from '../../../src/rest/client.ts';
import { STRIPE_API_VERSION } from '../../../src/spec/stripe.ts';
import {
  FAST_RETRIES,
  perTest,
  rejection,
  sendJson,
  socketClosed,
  startServer,
  TEST_KEY,
} from './harness.ts';

const { server, client, defer } = perTest(FAST_RETRIES);

const customer = { id: 'cus_1', object: 'customer' };

describe('headers', () => {
  it('sends Bearer auth, the pinned Stripe-Version and Stripe-Account; Idempotency-Key on POST only', async () => {
    expect(STRIPE_API_VERSION).toBe('2024-04-10');
    const srv = await server((_req, res) => sendJson(res, 200, customer));
    const rest = client(srv);

    await rest.request({
      method: 'GET',
      path: '/v1/customers/{customer}',
      pathParams: { customer: 'cus_1' },
    });
    await rest.request({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'a@b.c' },
      stripeAccount: 'acct_1',
    });
    await rest.request({ method: 'POST', path: '/v1/customers', idempotencyKey: 'my-key-1' });
    await rest.request({ method: 'DELETE', path: '/v1/customers/cus_1', stripeAccount: 'acct_2' });

    const [get, post, keyed, del] = srv.requests;
    for (const captured of srv.requests) {
      expect(captured.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
      expect(captured.headers['stripe-version']).toBe('2024-04-10');
      expect(captured.headers.accept).toBe('application/json');
    }
    expect(get!.method).toBe('GET');
    expect(get!.headers['idempotency-key']).toBeUndefined();
    expect(get!.headers['stripe-account']).toBeUndefined();
    expect(get!.headers['content-type']).toBeUndefined();

    expect(post!.headers['idempotency-key']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(post!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(post!.headers['stripe-account']).toBe('acct_1');
    expect(post!.body).toBe('email=a%40b.c');

    expect(keyed!.headers['idempotency-key']).toBe('my-key-1');
    expect(del!.method).toBe('DELETE');
    expect(del!.headers['idempotency-key']).toBeUndefined();
    expect(del!.headers['stripe-account']).toBe('acct_2');
  });

  it('generates a fresh idempotency key per call', async () => {
    const srv = await server((_req, res) => sendJson(res, 200, customer));
    const rest = client(srv);
    await rest.request({ method: 'POST', path: '/v1/customers' });
    await rest.request({ method: 'POST', path: '/v1/customers' });
    const [a, b] = srv.requests.map((r) => r.headers['idempotency-key']);
    expect(a).toBeTypeOf('string');
    expect(a).not.toBe(b);
  });

  it('honours a path prefix in the API base', async () => {
    const srv = await server((_req, res) => sendJson(res, 200, customer));
    const rest = client({ url: `${srv.url}/stripe/` });
    await rest.request({ method: 'GET', path: '/v1/customers', params: { limit: 3 } });
    expect(srv.requests[0]!.url).toBe('/stripe/v1/customers?limit=3');
  });

  it('a per-call apiKey replaces the client key for that call only; a keyless client sends only per-call keys', async () => {
    const srv = await server((_req, res) => sendJson(res, 200, customer));
    const rest = client(srv);
    await rest.request({ method: 'GET', path: '/v1/customers', apiKey: 'sk_test_caller1' });
    await rest.request({ method: 'GET', path: '/v1/customers' });
    const keyless = client(srv, { secretKey: undefined });
    await keyless.request({ method: 'POST', path: '/v1/customers', apiKey: 'rk_test_caller2' });
    await keyless.request({ method: 'GET', path: '/v1/balance' });
    expect(srv.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer sk_test_caller1',
      `Bearer ${TEST_KEY}`,
      'Bearer rk_test_caller2',
      undefined,
    ]);
    await expect(
      keyless.request({ method: 'GET', path: '/v1/customers', apiKey: 'sk_test_x\r\nX-Evil: 1' }),
    ).rejects.toThrow(/apiKey must be a non-empty API key without whitespace/);
    expect(srv.requests).toHaveLength(4);
  });

  it('refuses malformed requests before touching the network', async () => {
    const srv = await server((_req, res) => sendJson(res, 200, customer));
    const rest = client(srv);
    await expect(rest.request({ method: 'GET', path: '/v1/customers/{customer}' })).rejects.toThrow(
      /for customer: it is missing/,
    );
    for (const bad of ['.', '..', 'cus_1/../balance', 'cus_\u0000', 'x'.repeat(256)]) {
      await expect(
        rest.request({ method: 'GET', path: '/v1/customers/{customer}', pathParams: { customer: bad } }),
      ).rejects.toMatchObject({ name: 'InvalidPathParameterError', extensions: { code: 'BAD_USER_INPUT' } });
    }
    await expect(
      rest.request({ method: 'GET', path: '/v1/customers/{customer}', pathParams: { customer: '' } }),
    ).rejects.toThrow(TypeError);
    await expect(rest.request({ method: 'GET', path: '/v1/customers?limit=1' })).rejects.toThrow(TypeError);
    await expect(rest.request({ method: 'GET', path: 'v1/customers' })).rejects.toThrow(TypeError);
    await expect(
      rest.request({ method: 'POST', path: '/v1/customers', stripeAccount: 'acct_1\r\nX-Evil: 1' }),
    ).rejects.toThrow(TypeError);
    await expect(
      rest.request({ method: 'POST', path: '/v1/customers', idempotencyKey: 'x'.repeat(256) }),
    ).rejects.toThrow(TypeError);
    expect(srv.requests).toHaveLength(0);
  });
});

describe('errors', () => {
  it('maps a 402 card_error with decline_code and the Request-Id header', async () => {
    const body = {
      error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
        param: 'payment_method',
        doc_url: 'https://stripe.com/docs/error-codes/card-declined',
      },
    };
    const srv = await server((_req, res) => sendJson(res, 402, body, { 'request-id': 'req_abc123' }));
    const rest = client(srv);
    const error = await rejection(
      rest.request({
        method: 'POST',
        path: '/v1/payment_intents/{intent}/confirm',
        pathParams: { intent: 'pi_1' },
      }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'StripeError',
      kind: 'api',
      type: 'card_error',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      param: 'payment_method',
      message: 'Your card has insufficient funds.',
      docUrl: 'https://stripe.com/docs/error-codes/card-declined',
      statusCode: 402,
      requestId: 'req_abc123',
      isRateLimit: false,
    });
    expect(error.raw).toEqual(body);
    expect(srv.requests).toHaveLength(1);
  });

  it('identifies rate limits', async () => {
    const srv = await server((_req, res) =>
      sendJson(res, 429, {
        error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many' },
      }),
    );
    const error = await rejection(
      client(srv, { maxRetries: 0 }).request({ method: 'GET', path: '/v1/customers' }),
    );
    expect(error.isRateLimit).toBe(true);
    expect(error.statusCode).toBe(429);
  });

  it('surfaces a non-JSON error body and an unparseable success body as api errors', async () => {
    const srv = await server((req, res) => {
      if (req.url === '/v1/html') {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad gateway</html>');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "cus_1"');
      }
    });
    const rest = client(srv, { maxRetries: 0 });
    const gateway = await rejection(rest.request({ method: 'GET', path: '/v1/html' }));
    expect(gateway).toMatchObject({
      kind: 'api',
      type: 'api_error',
      statusCode: 502,
      raw: '<html>Bad gateway</html>',
    });
    const truncated = await rejection(rest.request({ method: 'GET', path: '/v1/truncated' }));
    expect(truncated).toMatchObject({
      kind: 'api',
      statusCode: 200,
      message: 'Invalid JSON received from the Stripe API',
    });
  });

  it('maps OAuth-style string errors', async () => {
    const srv = await server((_req, res) =>
      sendJson(res, 400, { error: 'invalid_grant', error_description: 'Authorization code expired' }),
    );
    const error = await rejection(client(srv).request({ method: 'POST', path: '/oauth/token' }));
    expect(error).toMatchObject({
      kind: 'api',
      type: 'invalid_grant',
      message: 'Authorization code expired',
    });
  });

  it('refused connections become connection errors', async () => {
    const srv = await startServer(() => {});
    const { url } = srv;
    await srv.close();
    const events: RequestEvent[] = [];
    const rest = client({ url }, { maxRetries: 1, onRequest: (e) => events.push(e) });
    const error = await rejection(rest.request({ method: 'GET', path: '/v1/customers' }));
    expect(error.kind).toBe('connection');
    expect(error.statusCode).toBeUndefined();
    expect(error.message).toContain('ECONNREFUSED');
    expect(events).toEqual([expect.objectContaining({ status: null, attempts: 2, retried: true, error })]);
  });

  it('never reveals the secret key', async () => {
    const srv = await server((_req, res) => sendJson(res, 401, { error: { type: 'invalid_request_error' } }));
    const rest = client(srv);
    const error = await rejection(rest.request({ method: 'GET', path: '/v1/customers' }));
    const secretPart = TEST_KEY.slice(8);
    expect(error.message).not.toContain(secretPart);
    expect(JSON.stringify(error)).not.toContain(secretPart);
    expect(inspect(error, { depth: 5 })).not.toContain(secretPart);
    expect(inspect(rest, { depth: 5 })).not.toContain(secretPart);
    expect(() => new StripeRestClient({ secretKey: `${TEST_KEY} \n`, apiBase: srv.url })).toThrow(
      /^secretKey must be a non-empty API key without whitespace$/,
    );
  });
});

describe('observability', () => {
  it('reports every call once with its template, path, status, attempts and timing', async () => {
    const srv = await server((_req, res, _captured, index) =>
      index === 0
        ? sendJson(res, 503, { error: { type: 'api_error', message: 'busy' } })
        : sendJson(res, 200, customer, { 'request-id': 'req_ok' }),
    );
    const events: RequestEvent[] = [];
    const second: RequestEvent[] = [];
    const rest = client(srv, {
      onRequest: [
        (event) => events.push(event),
        () => {
          throw new Error('a broken listener must not break the call');
        },
        (event) => second.push(event),
      ],
    });
    await rest.request({
      method: 'GET',
      path: '/v1/customers/{customer}',
      pathParams: { customer: 'cus 1' },
      params: { email: 'private@example.com' },
      stripeAccount: 'acct_9',
    });
    expect(events).toHaveLength(1);
    expect(second).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      method: 'GET',
      pathTemplate: '/v1/customers/{customer}',
      path: '/v1/customers/cus%201',
      status: 200,
      attempts: 2,
      retried: true,
      requestId: 'req_ok',
      stripeAccount: 'acct_9',
    });
    expect(event!.error).toBeUndefined();
    expect(event!.durationMs).toBeGreaterThan(0);
    expect(JSON.stringify(event)).not.toContain('private');
  });

  it('reports failures with the error', async () => {
    const srv = await server((_req, res) => sendJson(res, 404, { error: { type: 'invalid_request_error' } }));
    const events: RequestEvent[] = [];
    const rest = client(srv, { onRequest: (event) => events.push(event) });
    const error = await rejection(rest.request({ method: 'DELETE', path: '/v1/customers/cus_x' }));
    expect(events).toEqual([expect.objectContaining({ status: 404, attempts: 1, retried: false, error })]);
  });
});

describe('timeouts, aborts and leaks', () => {
  /** Active handles of the kinds a leak would show up as. */
  function handleCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const kind of process.getActiveResourcesInfo()) {
      if (kind === 'TCPSocketWrap' || kind === 'TCPServerWrap' || kind === 'Timeout')
        counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return counts;
  }

  /** Waits (up to 2 s: a loaded machine closes sockets late) for the counts to fall back to `baseline`. */
  async function settledTo(baseline: Record<string, number>): Promise<void> {
    const deadline = performance.now() + 2_000;
    while (performance.now() < deadline) {
      const now = handleCounts();
      if (Object.keys(now).every((kind) => (now[kind] ?? 0) <= (baseline[kind] ?? 0))) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(handleCounts()).toEqual(baseline);
  }

  it('a timeout settles a call that never reached a connection, and aborts it when it does', async () => {
    const handlers: Dispatcher.DispatchHandler[] = [];
    const stalled = new (class extends Dispatcher {
      override dispatch(_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        handlers.push(handler); // queued: no connection yet, so no abort function either
        return true;
      }
    })();
    const rest = new StripeRestClient({
      secretKey: TEST_KEY,
      dispatcher: stalled,
      timeoutMs: 50,
      maxRetries: 0,
    });
    const error = await rejection(rest.request({ method: 'GET', path: '/v1/customers' }));
    expect(error.kind).toBe('timeout');
    expect(handlers).toHaveLength(1);
    // The connection comes later: the call is aborted there and then, with the timeout as reason.
    const aborted: Error[] = [];
    handlers[0]!.onConnect?.((reason) => aborted.push(reason as Error));
    expect(aborted).toHaveLength(1);
    expect(aborted[0]!.message).toBe('Request to Stripe timed out after 50 ms');
  });

  it('a timeout ends the upstream request, is typed, and leaks no socket or timer', async () => {
    const baseline = handleCounts();
    const closed: Promise<void>[] = [];
    const srv = await startServer((req) => {
      closed.push(socketClosed(req)); // never answers
    });
    const rest = new StripeRestClient({
      secretKey: TEST_KEY,
      apiBase: srv.url,
      timeoutMs: 50,
      maxRetries: 1,
      ...FAST_RETRIES,
    });
    const started = performance.now();
    const error = await rejection(rest.request({ method: 'POST', path: '/v1/charges' }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('Request to Stripe timed out after 50 ms');
    expect(performance.now() - started).toBeLessThan(2_000);
    // Timeouts are retried (with the same key): two attempts, two sockets torn down.
    expect(srv.requests).toHaveLength(2);
    expect(srv.requests[0]!.headers['idempotency-key']).toBe(srv.requests[1]!.headers['idempotency-key']);
    await Promise.all(closed);
    await rest.close();
    await srv.close();
    await settledTo(baseline);
  });

  it('aborting the caller signal ends the upstream request and is typed', async () => {
    const baseline = handleCounts();
    let seen!: () => void;
    const arrived = new Promise<void>((resolve) => {
      seen = resolve;
    });
    let closed: Promise<void> | undefined;
    const srv = await startServer((req) => {
      closed = socketClosed(req);
      seen();
    });
    const rest = new StripeRestClient({ secretKey: TEST_KEY, apiBase: srv.url, ...FAST_RETRIES });
    const controller = new AbortController();
    const pending = rest.request({ method: 'GET', path: '/v1/customers', signal: controller.signal });
    await arrived;
    controller.abort();
    const error = await rejection(pending);
    expect(error.kind).toBe('aborted');
    await closed;
    expect(srv.requests).toHaveLength(1); // aborts are not retried
    await rest.close();
    await srv.close();
    await settledTo(baseline);
  });

  it('an already-aborted signal sends nothing; an abort during backoff stops retrying', async () => {
    const srv = await server((_req, res) => sendJson(res, 500, { error: { type: 'api_error' } }));
    const rest = client(srv, { initialRetryDelayMs: 10_000, maxRetryDelayMs: 10_000 });
    const error = await rejection(
      rest.request({ method: 'GET', path: '/v1/x', signal: AbortSignal.abort() }),
    );
    expect(error.kind).toBe('aborted');
    expect(srv.requests).toHaveLength(0);

    const controller = new AbortController();
    const started = performance.now();
    const pending = rest.request({ method: 'GET', path: '/v1/x', signal: controller.signal });
    while (srv.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    setTimeout(() => controller.abort(), 20);
    expect((await rejection(pending)).kind).toBe('aborted');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(srv.requests).toHaveLength(1);
  });

  it('a connect timeout is typed as a timeout', async () => {
    // A TCP server that accepts and then says nothing: the TLS handshake never completes.
    const sockets = new Set<Socket>();
    const tcp: TcpServer = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    defer(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          tcp.close(() => resolve());
        }),
    );
    const address = tcp.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const rest = client({ url: `https://127.0.0.1:${port}` }, { connectTimeoutMs: 50, maxRetries: 0 });
    const error = await rejection(rest.request({ method: 'GET', path: '/v1/customers' }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('Connecting to Stripe timed out after 50 ms');
  });

  it('close() is idempotent and later calls fail fast', async () => {
    const srv = await server((_req, res) => sendJson(res, 200, customer));
    const rest = createRestClient({ secretKey: TEST_KEY, apiBase: srv.url });
    await rest.request({ method: 'GET', path: '/v1/customers' });
    await Promise.all([rest.close(), rest.close()]);
    const error = await rejection(rest.request({ method: 'GET', path: '/v1/customers' }));
    expect(error.kind).toBe('connection');
    expect(srv.requests).toHaveLength(1);
  });
});

describe('concurrency limit', () => {
  it('with limit 4, a fan-out of 50 never has more than 4 in flight at the server', async () => {
    let inFlight = 0;
    let peak = 0;
    const srv = await server((_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        sendJson(res, 200, customer);
      }, 3);
    });
    // One path may take every slot here: the global limit is what is tested.
    const rest = client(srv, { maxConcurrency: 4, maxConcurrencyPerPath: 4 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        rest.request<{ id: string }>({
          method: 'GET',
          path: '/v1/customers/{c}',
          pathParams: { c: `cus_${i}` },
        }),
      ),
    );
    expect(results).toHaveLength(50);
    expect(srv.requests).toHaveLength(50);
    expect(peak).toBe(4);
    expect(rest.stats).toEqual({ inFlight: 0, queued: 0 });
  });

  it('a queued request can be aborted without disturbing the others', async () => {
    const releases: Array<() => void> = [];
    const srv = await server((_req, res) => {
      releases.push(() => sendJson(res, 200, customer));
    });
    const rest = client(srv, { maxConcurrency: 1 });
    const first = rest.request({ method: 'GET', path: '/v1/a' });
    const controller = new AbortController();
    const queued = rest.request({ method: 'GET', path: '/v1/b', signal: controller.signal });
    const third = rest.request({ method: 'GET', path: '/v1/c' });
    while (releases.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(rest.stats).toEqual({ inFlight: 1, queued: 2 });
    controller.abort();
    expect((await rejection(queued)).kind).toBe('aborted');
    expect(rest.stats).toEqual({ inFlight: 1, queued: 1 });
    releases.shift()!();
    await first;
    while (releases.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    releases.shift()!();
    await third;
    expect(srv.requests.map((r) => r.url)).toEqual(['/v1/a', '/v1/c']);
  });
});
