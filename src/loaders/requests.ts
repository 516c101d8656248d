/**
 * What a read from Stripe is, and its cache key. The upstream session (session.ts) loads them:
 * Stripe has no batch-retrieve endpoint, so batching means one DataLoader tick collects every GET
 * the resolvers ask for, identical requests are de-duplicated and cached for the rest of the
 * request, the distinct ones run concurrently (the REST client bounds how many are in flight), and
 * objects that arrive inside another response are primed so that asking for them costs no call.
 */
import { fillPath } from '../spec/paths.ts';

export type StripeObject = Record<string, unknown>;

/** The id a reference holds: the id string, or the expanded object's id. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const id = (value as StripeObject | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

export interface GetRequest {
  /** path template, e.g. /v1/customers/{customer} (what metrics see) */
  path: string;
  /** values for the template's placeholders, in order */
  pathParams?: readonly string[];
  /** query parameters, not counting expand */
  params?: Record<string, unknown>;
  expand?: readonly string[];
}

/** A stable cache key: the concrete path plus sorted params. */
export function requestKey(request: GetRequest): string {
  const path = fillPath(request.path, request.pathParams);
  if (request.params === undefined && (request.expand === undefined || request.expand.length === 0))
    return path;
  const params: Record<string, unknown> = { ...(request.params ?? {}) };
  if (request.expand && request.expand.length > 0) params.expand = [...new Set(request.expand)].sort();
  const keys = Object.keys(params)
    .filter((k) => params[k] !== undefined)
    .sort();
  if (keys.length === 0) return path;
  return `${path}?${JSON.stringify(keys.map((k) => [k, params[k]]))}`;
}
