/**
 * The gateway's Prometheus metrics: GraphQL operations by name and type, their durations and
 * upstream calls, errors by code, Stripe calls by method, path template, status and retry (fed by
 * the REST client's `onRequest` hook), HTTP requests by route, and process memory.
 */
import type { RequestEvent } from '../rest/client.ts';
import { type Counter, type Histogram, MetricRegistry, PROMETHEUS_CONTENT_TYPE } from './prometheus.ts';

export { PROMETHEUS_CONTENT_TYPE };

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const CALL_BUCKETS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
/** Operation names are chosen by clients: past this many distinct ones, new names are counted as `__other__`. */
const MAX_OPERATION_NAMES = 200;
const MAX_NAME_LENGTH = 100;

/** Each counter's and histogram's help line, by metric name. */
const HELP = {
  graphql_operations_total: 'GraphQL operations executed, by operation name and type.',
  graphql_operation_duration_seconds:
    'Time to execute a GraphQL operation, from the start of execution to the result.',
  graphql_operation_upstream_calls: 'Stripe calls made by one GraphQL operation.',
  graphql_errors_total: 'Errors in GraphQL responses, by extensions.code.',
  stripe_requests_total:
    'Calls to the Stripe API (one per call, retries included), by method, path template, final status and whether it was retried.',
  stripe_request_duration_seconds: 'Duration of calls to the Stripe API, queueing and retries included.',
  http_requests_total: 'HTTP requests served, by route, method and status.',
  websocket_refusals_total:
    'WebSockets refused at the upgrade or closed for a frame over a bound, by stage (upgrade, message) and code.',
} as const;
const OPERATION_LABELS = ['operation_name', 'operation_type'] as const;

export type OperationLabels = { operation_name: string; operation_type: string };

export class GatewayMetrics {
  readonly registry = new MetricRegistry();
  readonly operations: Counter<keyof OperationLabels>;
  readonly operationDuration: Histogram<keyof OperationLabels>;
  readonly operationUpstreamCalls: Histogram<'operation_type'>;
  readonly errors: Counter<'code'>;
  readonly upstreamRequests: Counter<'method' | 'path_template' | 'status' | 'retried'>;
  readonly upstreamDuration: Histogram<'method' | 'path_template'>;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly webSocketRefusals: Counter<'stage' | 'code'>;
  private readonly operationNames = new Set<string>();
  private inFlight = 0;
  constructor() {
    const r = this.registry;
    const described = (name: keyof typeof HELP) => [name, HELP[name]] as const;
    this.operations = r.counter(...described('graphql_operations_total'), OPERATION_LABELS);
    this.operationDuration = r.histogram(
      ...described('graphql_operation_duration_seconds'),
      OPERATION_LABELS,
      DURATION_BUCKETS,
    );
    this.operationUpstreamCalls = r.histogram(
      ...described('graphql_operation_upstream_calls'),
      ['operation_type'],
      CALL_BUCKETS,
    );
    this.errors = r.counter(...described('graphql_errors_total'), ['code']);
    this.upstreamRequests = r.counter(...described('stripe_requests_total'), [
      'method',
      'path_template',
      'status',
      'retried',
    ]);
    this.upstreamDuration = r.histogram(
      ...described('stripe_request_duration_seconds'),
      ['method', 'path_template'],
      DURATION_BUCKETS,
    );
    this.httpRequests = r.counter(...described('http_requests_total'), ['route', 'method', 'status']);
    this.webSocketRefusals = r.counter(...described('websocket_refusals_total'), ['stage', 'code']);
    r.gauge('http_requests_in_flight', 'HTTP requests being served.', () => this.inFlight);
    r.gauge('process_resident_memory_bytes', 'Resident set size of the process.', () =>
      process.memoryUsage.rss(),
    );
    r.gauge('nodejs_heap_used_bytes', 'V8 heap in use.', () => process.memoryUsage().heapUsed);
    r.gauge('nodejs_heap_total_bytes', 'V8 heap allocated.', () => process.memoryUsage().heapTotal);
    r.gauge('process_uptime_seconds', 'Seconds since the process started.', () => process.uptime());
  }

  /** A bounded label value for a client-chosen operation name. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    const trimmed = name.slice(0, MAX_NAME_LENGTH);
    if (this.operationNames.has(trimmed)) return trimmed;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return '__other__';
    this.operationNames.add(trimmed);
    return trimmed;
  }

  /** The REST client's `onRequest` listener. */
  readonly observeUpstream = (event: RequestEvent): void => {
    this.upstreamRequests.inc({
      method: event.method,
      path_template: event.pathTemplate,
      // A call the client's disconnect cancelled (even mid-retry) is `aborted`, not its last status.
      status:
        event.error?.kind === 'aborted'
          ? 'aborted'
          : (event.status ?? (event.error ? event.error.kind : 'none')),
      retried: event.retried,
    });
    this.upstreamDuration.observe(
      { method: event.method, path_template: event.pathTemplate },
      event.durationMs / 1000,
    );
  };

  requestStarted(): void {
    this.inFlight++;
  }

  requestFinished(route: string, method: string, status: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.httpRequests.inc({ route, method, status });
  }

  render(): string {
    return this.registry.render();
  }
}
