/**
 * Stripe's two page shapes and auto-pagination over them.
 *
 * Lists page with cursors: the next page starts after the last id seen (or, when the caller
 * paginates backwards with `ending_before`, ends before the first id seen, and items come
 * newest-last as stripe-node yields them). Search pages with the opaque `next_page` token.
 */
import { StripeError } from './errors.ts';

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export interface StripeSearchResult<T> {
  object: 'search_result';
  data: T[];
  has_more: boolean;
  url: string;
  next_page: string | null;
  /** Only accurate up to 10,000; absent unless requested on some API versions. */
  total_count?: number;
}

export type StripePage<T> = StripeList<T> | StripeSearchResult<T>;

export interface PaginateOptions {
  /** Stop after yielding this many items (no further page is fetched once reached). */
  readonly maxItems?: number | undefined;
}

export type FetchPage<T> = (params: Readonly<Record<string, unknown>>) => Promise<StripePage<T>>;

function malformed(message: string, page: unknown): StripeError {
  return new StripeError({ kind: 'api', type: 'api_error', message, raw: page });
}

function cursorOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const id = (item as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Yields whole pages, following `has_more` until the end or until `maxItems` items were seen. */
export async function* paginatePages<T>(
  fetchPage: FetchPage<T>,
  params: Readonly<Record<string, unknown>> = {},
  options: PaginateOptions = {},
): AsyncGenerator<StripePage<T>, void, undefined> {
  const { maxItems } = options;
  if (maxItems !== undefined && (!Number.isInteger(maxItems) || maxItems < 0)) {
    throw new RangeError('maxItems must be a non-negative integer');
  }
  if (maxItems === 0) return;
  const reverse = params.ending_before !== undefined && params.ending_before !== null;
  let pageParams = params;
  let seen = 0;
  for (;;) {
    const page = await fetchPage(pageParams);
    if (!Array.isArray(page?.data)) throw malformed('Stripe list response has no data array', page);
    yield page;
    seen += page.data.length;
    if (!page.has_more || (maxItems !== undefined && seen >= maxItems)) return;
    if (page.object === 'search_result') {
      if (typeof page.next_page !== 'string' || page.next_page === '') {
        throw malformed('Stripe search result has has_more but no next_page', page);
      }
      pageParams = { ...params, page: page.next_page };
    } else {
      const cursor = cursorOf(reverse ? page.data[0] : page.data[page.data.length - 1]);
      if (cursor === undefined) throw malformed('Stripe list has has_more but no item id to page from', page);
      pageParams = { ...params, [reverse ? 'ending_before' : 'starting_after']: cursor };
    }
  }
}

/** Yields items across pages, at most `maxItems` of them. */
export async function* paginate<T>(
  fetchPage: FetchPage<T>,
  params: Readonly<Record<string, unknown>> = {},
  options: PaginateOptions = {},
): AsyncGenerator<T, void, undefined> {
  const { maxItems } = options;
  const reverse = params.ending_before !== undefined && params.ending_before !== null;
  let yielded = 0;
  for await (const page of paginatePages(fetchPage, params, options)) {
    const items = reverse ? page.data.toReversed() : page.data;
    for (const item of items) {
      yield item;
      if (++yielded === maxItems) return;
    }
  }
}
