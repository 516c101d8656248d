import { afterEach, describe, expect, it } from 'vitest';
import { StripeRestClient } from '../../../src/rest/client.ts';
import { StripeError } from '../../../src/rest/errors.ts';
import { paginate, paginatePages, type StripeList } from '../../../src/rest/paginate.ts';
import { FAST_RETRIES, sendJson, startServer, TEST_KEY, type TestServer } from './harness.ts';

interface Customer {
  id: string;
  object: 'customer';
}

/** 25 customers, newest first, as Stripe lists them. */
const CUSTOMERS: Customer[] = Array.from({ length: 25 }, (_, i) => ({
  id: `cus_${String(25 - i).padStart(2, '0')}`,
  object: 'customer',
}));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server implementing list (cursor) and search (page token) pagination over CUSTOMERS. */
async function setup(): Promise<{ srv: TestServer; rest: StripeRestClient }> {
  const srv = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const limit = Number(url.searchParams.get('limit') ?? 10);
    if (url.pathname === '/v1/customers') {
      const after = url.searchParams.get('starting_after');
      const before = url.searchParams.get('ending_before');
      let start = 0;
      let end: number;
      if (before !== null) {
        end = CUSTOMERS.findIndex((c) => c.id === before);
        start = Math.max(0, end - limit);
      } else {
        start = after === null ? 0 : CUSTOMERS.findIndex((c) => c.id === after) + 1;
        end = Math.min(CUSTOMERS.length, start + limit);
      }
      const hasMore = before !== null ? start > 0 : end < CUSTOMERS.length;
      sendJson(res, 200, {
        object: 'list',
        url: '/v1/customers',
        has_more: hasMore,
        data: CUSTOMERS.slice(start, end),
      });
    } else if (url.pathname === '/v1/customers/search') {
      const start = Number((url.searchParams.get('page') ?? 'page_0').slice('page_'.length));
      const end = Math.min(CUSTOMERS.length, start + limit);
      const hasMore = end < CUSTOMERS.length;
      sendJson(res, 200, {
        object: 'search_result',
        url: '/v1/customers/search',
        has_more: hasMore,
        next_page: hasMore ? `page_${end}` : null,
        total_count: CUSTOMERS.length,
        data: CUSTOMERS.slice(start, end),
      });
    } else {
      sendJson(res, 404, { error: { type: 'invalid_request_error' } });
    }
  });
  const rest = new StripeRestClient({ secretKey: TEST_KEY, apiBase: srv.url, ...FAST_RETRIES });
  cleanups.push(
    () => srv.close(),
    () => rest.close(),
  );
  return { srv, rest };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('auto-pagination', () => {
  it('follows a list across 3 pages with starting_after = last id', async () => {
    const { srv, rest } = await setup();
    const items = await collect(
      rest.list<Customer>({
        path: '/v1/customers',
        params: { limit: 10, email: 'a@b.c' },
        stripeAccount: 'acct_1',
      }),
    );
    expect(items.map((c) => c.id)).toEqual(CUSTOMERS.map((c) => c.id));
    expect(srv.requests.map((r) => r.url)).toEqual([
      '/v1/customers?limit=10&email=a%40b.c',
      '/v1/customers?limit=10&email=a%40b.c&starting_after=cus_16',
      '/v1/customers?limit=10&email=a%40b.c&starting_after=cus_06',
    ]);
    expect(srv.requests.every((r) => r.headers['stripe-account'] === 'acct_1')).toBe(true);
  });

  it('follows a search across 3 pages with page = next_page', async () => {
    const { srv, rest } = await setup();
    const items = await collect(
      rest.list<Customer>({ path: '/v1/customers/search', params: { query: "email:'a@b.c'", limit: 10 } }),
    );
    expect(items).toHaveLength(25);
    expect(items.map((c) => c.id)).toEqual(CUSTOMERS.map((c) => c.id));
    expect(srv.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('page'))).toEqual([
      null,
      'page_10',
      'page_20',
    ]);
  });

  it('stops at maxItems without fetching further pages', async () => {
    const { srv, rest } = await setup();
    const items = await collect(
      rest.list<Customer>({ path: '/v1/customers', params: { limit: 10 }, maxItems: 12 }),
    );
    expect(items.map((c) => c.id)).toEqual(CUSTOMERS.slice(0, 12).map((c) => c.id));
    expect(srv.requests).toHaveLength(2);
    expect(await collect(rest.list({ path: '/v1/customers', maxItems: 10 }))).toHaveLength(10);
    expect(srv.requests).toHaveLength(3);
  });

  it('fetches lazily and stops when the consumer breaks', async () => {
    const { srv, rest } = await setup();
    for await (const customer of rest.list<Customer>({ path: '/v1/customers', params: { limit: 10 } })) {
      if (customer.id === 'cus_20') break;
    }
    expect(srv.requests).toHaveLength(1);
  });

  it('paginates backwards with ending_before, like stripe-node', async () => {
    const { srv, rest } = await setup();
    const items = await collect(
      rest.list<Customer>({ path: '/v1/customers', params: { limit: 10, ending_before: 'cus_01' } }),
    );
    // Oldest first: each page reversed, pages walking toward the newest.
    expect(items.map((c) => c.id)).toEqual(
      CUSTOMERS.slice(0, 24)
        .map((c) => c.id)
        .reverse(),
    );
    expect(srv.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('ending_before'))).toEqual([
      'cus_01',
      'cus_11',
      'cus_21',
    ]);
  });

  it('passes list errors through', async () => {
    const { rest } = await setup();
    await expect(collect(rest.list({ path: '/v1/nothing' }))).rejects.toMatchObject({
      kind: 'api',
      statusCode: 404,
    });
  });
});

describe('paginatePages', () => {
  const page = (data: Array<{ id?: string }>, hasMore: boolean): StripeList<{ id?: string }> => ({
    object: 'list',
    url: '/v1/x',
    has_more: hasMore,
    data,
  });

  it('yields pages', async () => {
    const pages = [page([{ id: 'a' }], true), page([{ id: 'b' }], false)];
    const seen: Array<Readonly<Record<string, unknown>>> = [];
    const result = await collect(
      paginatePages(async (params) => {
        seen.push(params);
        return pages[seen.length - 1]!;
      }),
    );
    expect(result).toEqual(pages);
    expect(seen).toEqual([{}, { starting_after: 'a' }]);
  });

  it('rejects malformed pages instead of looping', async () => {
    await expect(collect(paginate(async () => page([], true)))).rejects.toThrow(StripeError);
    await expect(collect(paginate(async () => page([{}], true)))).rejects.toThrow(/no item id/);
    await expect(
      collect(
        paginate(async () => ({
          object: 'search_result',
          url: '/v1/x/search',
          has_more: true,
          next_page: null,
          data: [{ id: 'a' }],
        })),
      ),
    ).rejects.toThrow(/no next_page/);
    await expect(collect(paginate(async () => ({}) as StripeList<unknown>))).rejects.toThrow(/no data array/);
  });

  it('accepts maxItems 0 and refuses negative caps', async () => {
    let calls = 0;
    const fetchPage = async () => {
      calls++;
      return page([{ id: 'a' }], false);
    };
    expect(await collect(paginate(fetchPage, {}, { maxItems: 0 }))).toEqual([]);
    expect(calls).toBe(0);
    await expect(collect(paginate(fetchPage, {}, { maxItems: -1 }))).rejects.toThrow(RangeError);
  });
});
