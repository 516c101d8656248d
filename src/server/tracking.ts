/**
 * Request tracking: every request gets an id (`x-request-id`, taken from the client when it is
 * well-formed, else generated) that is echoed in the response, carried by every log line about the
 * request, and counted in the HTTP metrics; an access-log line per request (or per sampled request:
 * `ACCESS_LOG`; failures, HTTP 400 and above, are always logged).
 */
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { slot } from '../loaders/slot.ts';
import { GRAPHIQL_ASSETS_PATH } from './graphiql.ts';
import type { Logger } from './logger.ts';
import type { GatewayMetrics } from './metrics.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID_SHAPE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

interface Tracked {
  id: string;
  started: number;
}

/** The request's id, from its header when well-formed. */
export function requestIdOf(request: Request): string {
  const incoming = request.headers.get(REQUEST_ID_HEADER);
  return incoming && REQUEST_ID_SHAPE.test(incoming) ? incoming : randomUUID();
}

/** A bounded route label for a path. */
export function routeOf(pathname: string, graphqlEndpoint: string, contentType: string | null): string {
  if (pathname === graphqlEndpoint) return contentType?.startsWith('text/html') ? 'graphiql' : 'graphql';
  if (pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return 'graphiql_assets';
  if (pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') return pathname.slice(1);
  return 'other';
}

/** The request's path; whatwg-node's request parses its URL once for every plugin (`parsedUrl`). */
function pathnameOf(request: Request): string {
  return ((request as { parsedUrl?: URL }).parsedUrl ?? new URL(request.url)).pathname;
}

export interface RequestTracking {
  plugin: Plugin;
  /** The id given to a request (generated on first ask if the plugin has not seen it). */
  idOf(request: Request): string;
  /** A request starts (what the plugin's `onRequest` does): counted in flight, timed from `started`. */
  begin(request: Request, started?: number): void;
  /**
   * A request is answered (what the plugin's `onResponse` does): the HTTP metrics and the access
   * log. Returns the request id, for the response's `x-request-id`.
   */
  finish(
    request: Request,
    method: string,
    pathname: string,
    status: number,
    contentType: string | null,
  ): string;
}

export function createRequestTracking(options: {
  logger: Logger;
  metrics: GatewayMetrics;
  graphqlEndpoint: string;
  /** Share of requests answered below HTTP 400 that get an access-log line (default 1: all). */
  accessLog?: number;
  /** Draws the sample (default Math.random). */
  random?: () => number;
}): RequestTracking {
  const { logger, metrics, graphqlEndpoint, accessLog = 1, random = Math.random } = options;
  const logged = (status: number): boolean =>
    status >= 400 || accessLog >= 1 || (accessLog > 0 && random() < accessLog);
  // On the request itself (src/loaders/slot.ts), not in a WeakMap.
  const tracked = slot<Tracked>('request tracking');
  const track = (request: Request): Tracked => {
    let entry = tracked.get(request);
    if (!entry) {
      entry = { id: requestIdOf(request), started: performance.now() };
      tracked.set(request, entry);
    }
    return entry;
  };
  const finish = (
    request: Request,
    method: string,
    pathname: string,
    status: number,
    contentType: string | null,
  ): string => {
    const entry = track(request);
    const route = routeOf(pathname, graphqlEndpoint, contentType);
    metrics.requestFinished(route, method, status);
    if (route === 'healthz' || route === 'readyz' || route === 'metrics') {
      if (!logger.enabled('debug')) return entry.id;
    } else if (!logger.enabled('info') || !logged(status)) return entry.id;
    const line = {
      requestId: entry.id,
      method,
      path: pathname,
      status,
      durationMs: Math.round((performance.now() - entry.started) * 10) / 10,
    };
    if (route === 'healthz' || route === 'readyz' || route === 'metrics') logger.debug('request', line);
    else logger.info('request', line);
    return entry.id;
  };
  const begin = (request: Request, started?: number): void => {
    const entry = track(request);
    if (started !== undefined) entry.started = started;
    metrics.requestStarted();
  };
  return {
    idOf: (request) => track(request).id,
    begin,
    finish,
    plugin: {
      onRequest({ request }) {
        begin(request);
      },
      onResponse({ request, response }) {
        const id = finish(
          request,
          request.method,
          pathnameOf(request),
          response.status,
          response.headers.get('content-type'),
        );
        response.headers.set(REQUEST_ID_HEADER, id);
      },
    },
  };
}
