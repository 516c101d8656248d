/**
 * OpenTelemetry end to end: `npm start`'s server with the standard OTLP variables pointing at an
 * OTLP/HTTP (JSON) receiver in this process; one query sent with a W3C `traceparent` comes back
 * as one trace: the HTTP request's span under the caller's, the operation's under it (name, type,
 * estimated and actual Stripe calls), and a span per Stripe call under the operation (method,
 * path template, status, attempts, request id). Without the variables nothing is exported.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tracingEnabled } from '../../src/server/tracing.ts';
import { type Cli, graphqlUrlOf, startCli } from './cli.ts';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
}

const received: { path: string; contentType: string; spans: OtlpSpan[] }[] = [];
let receiver: Server;
let endpoint: string;
let cli: Cli | undefined;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        spans: body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
});

const attr = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (value === undefined) return undefined;
  return value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.boolValue);
};

describe('OpenTelemetry', () => {
  it('is off unless the OTLP variables ask for it', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(
      true,
    );
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(
      tracingEnabled({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe(false);
    expect(tracingEnabled({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(
      false,
    );
  });

  it('exports one trace: HTTP request, operation and Stripe calls, continuing the caller’s', async () => {
    cli = startCli({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'gateway-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      LOG_LEVEL: 'warn',
    });
    const url = await graphqlUrlOf(cli);
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: JSON.stringify({
        query: 'query TwoCustomers { customers(first: 2) { nodes { id email } } }',
      }),
    });
    expect(await response.json()).toMatchObject({ data: { customers: { nodes: expect.any(Array) } } });
    // The shutdown exports what the batch still holds.
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);

    expect(received.length).toBeGreaterThan(0);
    expect(received[0]!.path).toBe('/v1/traces');
    expect(received[0]!.contentType).toMatch(/application\/json/);
    const spans = received.flatMap((r) => r.spans).filter((s) => s.traceId === traceId);
    const http = spans.find((s) => s.name === 'POST /graphql');
    expect(http).toBeDefined();
    expect(http!.parentSpanId).toBe(callerSpanId);
    expect(http!.kind).toBe(2); // server
    expect(attr(http!, 'http.response.status_code')).toBe(200);

    const operation = spans.find((s) => s.name === 'query TwoCustomers');
    expect(operation?.parentSpanId).toBe(http!.spanId);
    expect(attr(operation!, 'graphql.operation.name')).toBe('TwoCustomers');
    expect(attr(operation!, 'graphql.operation.type')).toBe('query');
    expect(attr(operation!, 'stripe.calls.estimated')).toBeGreaterThanOrEqual(1);
    expect(attr(operation!, 'stripe.calls.actual')).toBe(1);

    const stripe = spans.filter((s) => s.name.startsWith('Stripe '));
    expect(stripe).toHaveLength(1);
    expect(stripe[0]!.name).toBe('Stripe GET /v1/customers');
    expect(stripe[0]!.parentSpanId).toBe(operation!.spanId);
    expect(stripe[0]!.kind).toBe(3); // client
    expect(attr(stripe[0]!, 'http.request.method')).toBe('GET');
    expect(attr(stripe[0]!, 'url.template')).toBe('/v1/customers');
    expect(attr(stripe[0]!, 'http.response.status_code')).toBe(200);
    expect(attr(stripe[0]!, 'stripe.attempts')).toBe(1);
    expect(attr(stripe[0]!, 'stripe.retried')).toBe(false);
    expect(attr(stripe[0]!, 'stripe.request_id')).toMatch(/^req_/);
  });
});
