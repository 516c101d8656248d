/**
 * OpenTelemetry spans, on `@opentelemetry/api` (the SDK and the OTLP exporter are set up by
 * src/server/tracing-sdk.ts, loaded only when tracing is on; off, neither this plugin nor the
 * Stripe-call listener is installed, so it costs nothing):
 *
 * - `POST /graphql` (kind server): one per HTTP request, continuing the caller's W3C `traceparent`
 *   (and `tracestate`), with the method, path and response status;
 * - `query CustomerPage` (kind internal): one per GraphQL operation, with its name, type, the
 *   estimated and actual Stripe calls and the number of errors;
 * - `Stripe GET /v1/customers/{customer}` (kind client): one per Stripe call, from the REST
 *   client's `onRequest` event (method, path template, status, attempts, retried, Stripe's request
 *   id), timed by the call's own duration, under the operation that made it.
 */
import { createRequire } from 'node:module';
import type { Span, TextMapGetter, Tracer } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RequestEvent, RequestListener } from '../rest/client.ts';

type Api = typeof import('@opentelemetry/api');
const requireOnUse = createRequire(import.meta.url);
/** The OpenTelemetry API, required once a tracer is given: without OTEL_* it is never loaded. */
const otel = (): Api => requireOnUse('@opentelemetry/api') as Api;

export const TRACER_NAME = 'stripe-graphql-gateway';

/** Whether the standard variables ask for OTLP trace export. */
export function tracingEnabled(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.split(',').map((name) => name.trim().toLowerCase());
  if (exporters?.some((name) => name !== '')) return exporters.includes('otlp');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

export interface TracingHooks<Context> {
  /** The Stripe calls an operation was estimated to make (src/server/cost.ts), when known. */
  estimatedCalls(context: Context): number | undefined;
  /** The Stripe calls it made. */
  actualCalls(context: Context): number;
}

function ended<T>(span: Span, run: () => T): T {
  const fail = (error: unknown) => {
    span.recordException(error as Error);
    span.setStatus({ code: otel().SpanStatusCode.ERROR });
    span.end();
    throw error;
  };
  let result: T;
  try {
    result = run();
  } catch (error) {
    return fail(error);
  }
  if (result instanceof Promise) {
    return result.then((value) => {
      span.end();
      return value;
    }, fail) as T;
  }
  span.end();
  return result;
}

/** The Yoga plugin: HTTP request and GraphQL operation spans. */
export function useTracing<Context extends object>(tracer: Tracer, hooks: TracingHooks<Context>): Plugin {
  const { context, propagation, SpanKind, trace } = otel();
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const parent = propagation.extract(context.active(), request.headers, headerGetter);
        const path = new URL(request.url, 'http://localhost').pathname;
        const span = tracer.startSpan(
          `${request.method} ${path}`,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': path } },
          parent,
        );
        return ended(span, () => context.with(trace.setSpan(parent, span), wrapped));
      },
      operation(_payload, wrapped) {
        const span = tracer.startSpan('graphql.operation', { kind: SpanKind.INTERNAL });
        return ended(span, () => context.with(trace.setSpan(context.active(), span), wrapped));
      },
    },
    onExecute({ args }) {
      const span = trace.getActiveSpan();
      if (!span) return;
      const operation = getOperationAST(args.document, args.operationName);
      const type = operation?.operation ?? 'query';
      const name = operation?.name?.value;
      span.updateName(name ? `${type} ${name}` : type);
      span.setAttribute('graphql.operation.type', type);
      if (name) span.setAttribute('graphql.operation.name', name);
      const ctx = args.contextValue as Context;
      return {
        onExecuteDone({ result }) {
          const estimated = hooks.estimatedCalls(ctx);
          if (estimated !== undefined) span.setAttribute('stripe.calls.estimated', estimated);
          span.setAttribute('stripe.calls.actual', hooks.actualCalls(ctx));
          const errors = 'errors' in result ? (result.errors?.length ?? 0) : 0;
          if (errors > 0) span.setAttribute('graphql.errors', errors);
        },
      };
    },
    onResponse({ response }) {
      trace.getActiveSpan()?.setAttribute('http.response.status_code', response.status);
    },
  };
}

/** The REST client's listener: a client span per Stripe call, under the span active when it was made. */
export function stripeCallSpans(tracer: Tracer): RequestListener {
  const { SpanKind, SpanStatusCode } = otel();
  return (event: RequestEvent) => {
    const end = Date.now();
    const span = tracer.startSpan(`Stripe ${event.method} ${event.pathTemplate}`, {
      kind: SpanKind.CLIENT,
      startTime: end - event.durationMs,
      attributes: {
        'http.request.method': event.method,
        'url.template': event.pathTemplate,
        'stripe.attempts': event.attempts,
        'stripe.retried': event.retried,
        ...(event.status === null ? {} : { 'http.response.status_code': event.status }),
        ...(event.requestId === undefined ? {} : { 'stripe.request_id': event.requestId }),
        ...(event.stripeAccount === undefined ? {} : { 'stripe.account': event.stripeAccount }),
      },
    });
    if (event.error !== undefined || event.status === null || event.status >= 400) {
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end(end);
  };
}
