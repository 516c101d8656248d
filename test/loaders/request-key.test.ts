/** `requestKey` (src/loaders/requests.ts): the request cache's key, written pair by pair. */
import { describe, expect, it } from 'vitest';
import { type GetRequest, requestKey } from '../../src/loaders/requests.ts';
import { fillPath } from '../../src/spec/paths.ts';

/** The key as a whole array of pairs stringified: what the pair-by-pair text must equal. */
function reference(request: GetRequest): string {
  const path = fillPath(request.path, request.pathParams);
  const params: Record<string, unknown> = { ...request.params };
  if (request.expand && request.expand.length > 0) params.expand = [...new Set(request.expand)].sort();
  const names = Object.keys(params)
    .filter((name) => params[name] !== undefined)
    .sort();
  if (names.length === 0) return path;
  return `${path}?${JSON.stringify(names.map((name) => [name, params[name]]))}`;
}

describe('requestKey', () => {
  const cases: GetRequest[] = [
    { path: '/v1/customers/{customer}', pathParams: ['cus_1'] },
    { path: '/v1/customers', params: {} },
    { path: '/v1/customers', params: { gone: undefined } },
    { path: '/v1/transfers', params: { limit: 10, destination: 'acct_1' } },
    { path: '/v1/transfers', params: { limit: 10 }, expand: [] },
    {
      path: '/v1/charges',
      params: { limit: 50 },
      expand: ['data.customer', 'data.balance', 'data.customer'],
    },
    { path: '/v1/charges', params: { expand: ['data.x'], limit: 3 }, expand: ['data.customer'] },
    { path: '/v1/charges', params: { expand: ['data.x'] } },
    {
      path: '/v1/customers/{customer}/sources',
      pathParams: ['cus "1"/2'],
      params: {
        created: { gte: 1, lt: 2 },
        ids: ['b', 'a'],
        at: new Date(0),
        nothing: null,
        run: () => 1,
        'quote"d': 'va"lue\n',
      },
      expand: ['data.customer'],
    },
  ];

  it('is the stringified array of sorted pairs, expand de-duplicated and sorted', () => {
    for (const request of cases) expect(requestKey(request)).toBe(reference(request));
    expect(requestKey(cases[3]!)).toBe('/v1/transfers?[["destination","acct_1"],["limit",10]]');
  });
});
