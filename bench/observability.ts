/**
 * The "observability" table: what one request's logging and metrics cost on the request path, the
 * gateway's own (src/server/logger.ts with src/server/redact.ts, src/server/prometheus.ts) against
 * the libraries operators know (pino, prom-client) doing the same work: the access-log line
 * (redacted: keys and JWTs anywhere in the line, which pino's path-based redaction cannot find, so
 * pino runs the same text redactor in its `streamWrite` hook; its path redaction alone is shown
 * too) and the metrics a query with three Stripe calls records. CPU time per request, in-process,
 * median of 5 rounds.
 *
 *   node --import tsx bench/observability.ts
 */
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import * as prom from 'prom-client';
import { createLogger } from '../src/server/logger.ts';
import { MetricRegistry } from '../src/server/prometheus.ts';
import { createRedactor } from '../src/server/redact.ts';
import { type BenchRow, printTable } from './table.ts';

const REQUESTS = 100_000;
const ROUNDS = 5;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const CALL_BUCKETS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const PATHS = ['/v1/customers', '/v1/customers/{customer}', '/v1/charges'];

const accessFields = (i: number) => ({
  requestId: `req-${i.toString(36)}`,
  method: 'POST',
  path: '/graphql',
  status: 200,
  durationMs: 12.5,
  operationName: 'CustomerPage',
  operationType: 'query',
  upstreamCalls: 3,
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
});

/** CPU nanoseconds per request of `run(i)`, median of the rounds. */
function measure(run: (i: number) => void): number {
  for (let i = 0; i < REQUESTS / 10; i++) run(i); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = process.cpuUsage();
    for (let i = 0; i < REQUESTS; i++) run(i);
    const used = process.cpuUsage(before);
    rounds.push(((used.user + used.system) * 1000) / REQUESTS);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

type Labels = Record<string, string | number>;

/** What both registries offer: labelled counters and histograms, made the same way. */
interface Maker {
  counter(name: string, labelNames: string[]): { inc(labels: Labels): void };
  histogram(
    name: string,
    labelNames: string[],
    buckets: number[],
  ): { observe(labels: Labels, value: number): void };
}

/** The metrics a query with three Stripe calls records, as src/server/metrics.ts records them. */
function perRequest(make: Maker): (i: number) => void {
  const operations = make.counter('graphql_operations_total', ['operation_name', 'operation_type']);
  const duration = make.histogram(
    'graphql_operation_duration_seconds',
    ['operation_name', 'operation_type'],
    BUCKETS,
  );
  const calls = make.histogram('graphql_operation_upstream_calls', ['operation_type'], CALL_BUCKETS);
  const upstream = make.counter('stripe_requests_total', ['method', 'path_template', 'status', 'retried']);
  const upstreamDuration = make.histogram(
    'stripe_request_duration_seconds',
    ['method', 'path_template'],
    BUCKETS,
  );
  const http = make.counter('http_requests_total', ['route', 'method', 'status']);
  return (i) => {
    const labels = { operation_name: 'CustomerPage', operation_type: 'query' };
    operations.inc(labels);
    duration.observe(labels, 0.0125);
    calls.observe({ operation_type: 'query' }, 3);
    for (const path of PATHS) {
      upstream.inc({ method: 'GET', path_template: path, status: 200, retried: 'false' });
      upstreamDuration.observe({ method: 'GET', path_template: path }, 0.004 + (i % 7) / 1000);
    }
    http.inc({ route: '/graphql', method: 'POST', status: 200 });
  };
}

function ownMetrics(): Maker {
  const r = new MetricRegistry();
  return {
    counter: (name, labelNames) => r.counter<string>(name, 'h', labelNames),
    histogram: (name, labelNames, buckets) => r.histogram<string>(name, 'h', labelNames, buckets),
  };
}

function promClientMetrics(): Maker {
  const registers = [new prom.Registry()];
  return {
    counter: (name, labelNames) => new prom.Counter({ name, help: 'h', labelNames, registers }),
    histogram: (name, labelNames, buckets) =>
      new prom.Histogram({ name, help: 'h', labelNames, buckets, registers }),
  };
}

export async function benchObservability(): Promise<BenchRow[]> {
  const redact = createRedactor(['sk_test_BenchSecretKey0123456789']);
  let written = 0;
  const count = (line: string): void => {
    written += line.length;
  };
  const own = createLogger({ level: 'info', redact, sink: count });
  const sink = { write: count };
  const pinoOptions = {
    level: 'info',
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: ['authorization', 'headers.authorization'], censor: '[REDACTED]' },
  };
  const pinoRedacting = pino({ ...pinoOptions, hooks: { streamWrite: redact } }, sink);
  const pinoPathsOnly = pino(pinoOptions, sink);

  const bench = `observability: per request (${REQUESTS.toLocaleString('en-US')} × ${ROUNDS})`;
  const rows: BenchRow[] = [
    {
      bench,
      metric: 'access line: ours (logger.ts + redact.ts)',
      value: measure((i) => own.info('request', accessFields(i))),
      unit: 'ns',
    },
    {
      bench,
      metric: 'access line: pino + the same text redactor',
      value: measure((i) => pinoRedacting.info(accessFields(i), 'request')),
      unit: 'ns',
    },
    {
      bench,
      metric: 'access line: pino, path redaction only (misses keys in text)',
      value: measure((i) => pinoPathsOnly.info(accessFields(i), 'request')),
      unit: 'ns',
    },
    {
      bench,
      metric: 'metrics, 3 Stripe calls: ours (prometheus.ts)',
      value: measure(perRequest(ownMetrics())),
      unit: 'ns',
    },
    {
      bench,
      metric: 'metrics, 3 Stripe calls: prom-client',
      value: measure(perRequest(promClientMetrics())),
      unit: 'ns',
    },
  ];
  if (written === 0) throw new Error('nothing was logged');
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await benchObservability());
