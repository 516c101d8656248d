/**
 * The OpenTelemetry SDK for the gateway's spans (src/server/tracing.ts): a Node tracer provider
 * (AsyncLocalStorage context, W3C trace-context and baggage propagation) exporting in batches
 * over OTLP/HTTP. Everything is configured by the standard variables, read by the SDK itself:
 * `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (and `…_HEADERS`,
 * `…_TIMEOUT`), `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER` (`…_ARG`),
 * `OTEL_BSP_*`. Tracing is off unless an OTLP endpoint is set or `OTEL_TRACES_EXPORTER` names
 * `otlp`; `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` keep it off. Off, this module
 * is not even loaded (main.ts imports it on demand).
 */
import { readFileSync } from 'node:fs';
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { TRACER_NAME } from './tracing.ts';

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** package.json's version (src/server and dist/server both sit two levels below it). */
function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function startTracing(): Tracing {
  const serviceVersion = version();
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': TRACER_NAME, 'service.version': serviceVersion }))
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return {
    tracer: provider.getTracer(TRACER_NAME, serviceVersion),
    shutdown: () => provider.shutdown(),
  };
}
