/**
 * Per-request loaders over the REST client. Stripe has no batch-retrieve endpoint, so batching
 * means: one DataLoader tick collects every GET the resolvers ask for, identical requests are
 * de-duplicated and cached for the rest of the request, the distinct ones run concurrently (the
 * REST client bounds how many are in flight), and objects that arrive inside another response
 * (list items, expanded fields) are primed so that asking for them costs no call.
 */
import DataLoader from 'dataloader';
import type { RestClient } from '../rest/client.ts';
import type { StripePage } from '../rest/paginate.ts';
import { toGraphQLError } from '../schema/errors.ts';

export type StripeObject = Record<string, unknown>;

export interface GetRequest {
  /** path template, e.g. /v1/customers/{customer} (what metrics see) */
  path: string;
  /** values for the template's placeholders, in order */
  pathParams?: readonly string[];
  /** query parameters, not counting expand */
  params?: Record<string, unknown>;
  expand?: readonly string[];
}

export interface LoaderOptions {
  rest: RestClient;
  /** Connected account the whole request acts as (Stripe-Account). */
  stripeAccount?: string | undefined;
  signal?: AbortSignal | undefined;
  /** concrete retrieve path of an object, for priming; undefined when it has none */
  retrievePathOf?: (object: StripeObject) => string | undefined;
}

export interface Loaders {
  readonly stripeAccount: string | undefined;
  /** GET through the request's cache. */
  get<T = StripeObject>(request: GetRequest): Promise<T>;
  /** GET a list or search page through the request's cache; its items are primed. */
  page<T = StripeObject>(request: GetRequest): Promise<StripePage<T>>;
  /** Records an object that arrived inline so that a later GET of it is free. */
  prime(object: StripeObject): void;
  /** Upstream calls made for this request so far (each distinct GET or mutation counts once). */
  readonly upstreamCalls: number;
  /** Calls made per path, for tests and extensions. */
  readonly calls: readonly string[];
}

/** The template with its placeholders filled in, URL-encoded. */
export function fillPath(template: string, values: readonly string[] = []): string {
  let i = 0;
  return template.replace(/\{[^}]+\}/g, () => encodeURIComponent(values[i++] ?? ''));
}

/** Pairs a template's placeholder names with values, as the REST client takes them. */
function namedParams(template: string, values: readonly string[]): Record<string, string> {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? '']));
}

/** A stable cache key: the concrete path plus sorted params. */
export function requestKey(request: GetRequest): string {
  const path = fillPath(request.path, request.pathParams);
  const params: Record<string, unknown> = { ...(request.params ?? {}) };
  if (request.expand && request.expand.length > 0) params.expand = [...new Set(request.expand)].sort();
  const keys = Object.keys(params)
    .filter((k) => params[k] !== undefined)
    .sort();
  if (keys.length === 0) return path;
  return `${path}?${JSON.stringify(keys.map((k) => [k, params[k]]))}`;
}

export function createLoaders(options: LoaderOptions): Loaders {
  const { rest, stripeAccount, signal, retrievePathOf } = options;
  const calls: string[] = [];
  const requests = new Map<string, GetRequest>();

  const send = <T>(request: GetRequest) => {
    calls.push(`GET ${fillPath(request.path, request.pathParams)}`);
    return rest
      .request<T>({
        method: 'GET',
        path: request.path,
        ...(request.pathParams && request.pathParams.length > 0
          ? { pathParams: namedParams(request.path, request.pathParams) }
          : {}),
        ...(request.params ? { params: request.params } : {}),
        ...(request.expand && request.expand.length > 0 ? { expand: request.expand } : {}),
        ...(stripeAccount ? { stripeAccount } : {}),
        ...(signal ? { signal } : {}),
      })
      .catch((error: unknown) => {
        throw toGraphQLError(error);
      });
  };

  const loader = new DataLoader<string, unknown>(
    async (keys) => {
      const results = await Promise.allSettled(keys.map((key) => send(requests.get(key)!)));
      return results.map((r) => (r.status === 'fulfilled' ? r.value : toError(r.reason)));
    },
    { maxBatchSize: 100 },
  );

  const prime = (object: StripeObject): void => {
    const path = retrievePathOf?.(object);
    if (path) loader.prime(path, object);
  };

  const get = async <T>(request: GetRequest): Promise<T> => {
    const key = requestKey(request);
    if (!requests.has(key)) requests.set(key, request);
    return (await loader.load(key)) as T;
  };

  return {
    stripeAccount,
    get,
    async page<T>(request: GetRequest) {
      const page = await get<StripePage<T>>(request);
      for (const item of page.data) if (item && typeof item === 'object') prime(item as StripeObject);
      return page;
    },
    prime,
    get upstreamCalls() {
      return calls.length;
    },
    get calls() {
      return calls;
    },
  };
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
