/** /healthz, /readyz, /metrics, request ids and the access log. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorDispatcher } from '../../src/emulator/dispatcher.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway } from '../../src/server/gateway.ts';
import { answeringDispatcher } from '../helpers.ts';
import { type Harness, restOver, sharedSchema, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ STRIPE_MAX_RETRIES: '1', READY_CACHE_MS: '60000' });
});
afterAll(() => h.close());
beforeEach(() => {
  h.upstreamCalls();
});

describe('health and readiness', () => {
  it('GET /healthz says the process is up, without calling Stripe', async () => {
    const response = await h.fetch('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
    expect(h.upstreamCalls()).toBe(0);
    expect((await h.fetch('/healthz', { method: 'POST' })).status).toBe(405);
  });

  it('GET /readyz checks the upstream once, then reuses the answer', async () => {
    const first = await h.fetch('/readyz');
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ status: 'ready', ready: true });
    expect(h.upstreamCalls()).toBe(1);
    const again = await Promise.all([h.fetch('/readyz'), h.fetch('/readyz')]);
    expect(again.map((r) => r.status)).toEqual([200, 200]);
    expect(h.upstreamCalls()).toBe(0);
  });

  it('GET /readyz answers 503 when the upstream is unreachable', async () => {
    const config = readServerConfig({
      STRIPE_SECRET_KEY: 'sk_test_unreachable',
      STRIPE_MAX_RETRIES: '0',
      READY_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'silent',
    });
    // Every connection refused, as by a port nothing listens on.
    const refused = answeringDispatcher(new EmulatorDispatcher(h.emulator.service), () =>
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
    const gateway = createGateway({ config, schema: sharedSchema(), rest: restOver(refused, config) });
    try {
      const response = await gateway.yoga.fetch('http://localhost/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        status: 'unavailable',
        ready: false,
        reason: 'upstream connection',
      });
      // The process itself is fine.
      expect((await gateway.yoga.fetch('http://localhost/healthz')).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it('a draining gateway is not ready', async () => {
    const config = readServerConfig({ STRIPE_SECRET_KEY: h.emulator.key, STRIPE_API_BASE: h.emulator.url });
    const gateway = createGateway({
      config,
      rest: restOver(h.emulator, config),
      schema: sharedSchema(),
      logSink: () => {},
    });
    expect((await gateway.yoga.fetch('http://localhost/readyz')).status).toBe(200);
    await gateway.close();
    const response = await gateway.yoga.fetch('http://localhost/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ reason: 'draining' });
  });
});

describe('metrics', () => {
  it('exposes operations, errors, durations and upstream calls in the Prometheus text format', async () => {
    await h.query('query ListCustomers { customers(first: 2) { nodes { id } } }');
    await h.query('query Missing { customer(id: "cus_missing") { __typename } }');
    await h.query('{ customers(first: 100000) { nodes { id } } }');
    h.emulator.setFaults({ errorRate500: 1 });
    try {
      await h.query('query Broken { balance { object } }');
    } finally {
      h.emulator.setFaults({});
    }

    const response = await h.fetch('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    const has = (line: string) => expect(text.split('\n')).toContain(line);
    has('# TYPE graphql_operations_total counter');
    has('graphql_operations_total{operation_name="ListCustomers",operation_type="query"} 1');
    has('graphql_operations_total{operation_name="Missing",operation_type="query"} 1');
    has('graphql_operations_total{operation_name="anonymous",operation_type="query"} 1');
    has('graphql_errors_total{code="NOT_FOUND"} 1');
    has('graphql_errors_total{code="PAGE_SIZE_LIMIT"} 1');
    has('graphql_errors_total{code="STRIPE_API_ERROR"} 1');
    has('# TYPE graphql_operation_duration_seconds histogram');
    has('graphql_operation_duration_seconds_count{operation_name="ListCustomers",operation_type="query"} 1');
    expect(text).toMatch(
      /graphql_operation_duration_seconds_bucket\{operation_name="ListCustomers",operation_type="query",le="\+Inf"\} 1/,
    );
    has('stripe_requests_total{method="GET",path_template="/v1/customers",status="200",retried="false"} 1');
    has(
      'stripe_requests_total{method="GET",path_template="/v1/customers/{customer}",status="404",retried="false"} 1',
    );
    // 500 twice (STRIPE_MAX_RETRIES=1): one call, retried.
    has('stripe_requests_total{method="GET",path_template="/v1/balance",status="500",retried="true"} 1');
    expect(text).toMatch(
      /stripe_request_duration_seconds_count\{method="GET",path_template="\/v1\/customers"\} 1/,
    );
    expect(text).toMatch(/http_requests_total\{route="graphql",method="POST",status="200"\} \d+/);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
    expect(text).toMatch(/nodejs_heap_used_bytes \d+/);
  });
});

describe('request ids and logs', () => {
  it('echoes a well-formed x-request-id and logs the request under it', async () => {
    const response = await h.query('{ __typename }', { headers: { 'x-request-id': 'client-id-42' } });
    expect(response.headers.get('x-request-id')).toBe('client-id-42');
    const line = h.logs.find((l) => l.requestId === 'client-id-42' && l.msg === 'request');
    expect(line).toMatchObject({ level: 'info', method: 'POST', path: '/graphql', status: 200 });
    expect(typeof line?.durationMs).toBe('number');
    expect(typeof line?.time).toBe('string');
  });

  it('replaces a malformed one with a generated id', async () => {
    const response = await h.query('{ __typename }', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every response an id, GraphQL or not', async () => {
    const response = await h.fetch('/healthz');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
