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

/**
 * A stable cache key: the concrete path plus the defined params sorted by name, expand's paths
 * de-duplicated and sorted (`/v1/transfers?[["destination","acct_1"],["limit",10]]`). Written
 * pair by pair: one key per GET a resolver asks for, so it is on every request's path.
 */
export function requestKey(request: GetRequest): string {
  const path = fillPath(request.path, request.pathParams);
  const { params, expand } = request;
  const expanded = expand !== undefined && expand.length > 0;
  if (params === undefined && !expanded) return path;
  // The defined params' names, expand's among them when there is one (it replaces a param so named).
  const names: string[] = [];
  if (params !== undefined) {
    for (const name of Object.keys(params)) {
      if (params[name] !== undefined && !(expanded && name === 'expand')) names.push(name);
    }
  }
  if (expanded) names.push('expand');
  if (names.length === 0) return path;
  names.sort();
  // The text JSON.stringify gives the array of [name, value] pairs (a value it cannot write is null).
  let key = `${path}?[`;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = expanded && name === 'expand' ? [...new Set(expand)].sort() : params![name];
    key += `${i === 0 ? '' : ','}[${JSON.stringify(name)},${JSON.stringify(value) ?? 'null'}]`;
  }
  return `${key}]`;
}
