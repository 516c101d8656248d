/**
 * Relay connections mapped onto Stripe's cursors: `first/after` → `limit/starting_after`,
 * `last/before` → `limit/ending_before`, the object id as the cursor, Stripe's `has_more` for the
 * page info (never asking for 101 items to peek). More than 100 items are fetched page by page;
 * search endpoints page with Stripe's `next_page` token instead.
 *
 * `first` with `before` is refused: the Relay spec reads it as the first n items of the list up to
 * the cursor (the list's head, whatever the cursor), which Stripe's `ending_before` does not give
 * and which no client means; `last` with `before` pages backward from the cursor.
 */

import type { ArgBuilder, ObjectRef, OutputRef } from '@pothos/core';
import { GraphQLError } from 'graphql';
import type { GetRequest, StripeObject } from '../loaders/requests.ts';
import type { UpstreamSession } from '../loaders/session.ts';
import type { StripePage, StripeSearchResult } from '../rest/paginate.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../spec/stripe.ts';
import type { Builder, Types } from './builder.ts';
import { userError } from './errors.ts';

export interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

export interface Connection {
  edges: { cursor: string; node: StripeObject }[];
  nodes: StripeObject[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number | null;
}

/** `cache`'s value under `key`, made by `make` on first use. */
function once<V>(cache: Map<string, V>, key: string, make: (key: string) => V): V {
  const existing = cache.get(key);
  if (existing) return existing;
  const made = make(key);
  cache.set(key, made);
  return made;
}

/**
 * Marks the Relay wrapper types (`XConnection`, `XEdge`): their fields (`edges`, `nodes`, `node`)
 * are not on Stripe's wire, so the fetch-plan walk (src/schema/operation-plan.ts) adds no expand segment for them.
 */
export const WRAPPER: Readonly<Record<string, unknown>> = { stripeWrapper: true };

/** The items of a connection: an object or a union of Stripe objects. */
export type ItemRef = OutputRef<StripeObject>;
type Edge = Connection['edges'][number];
export type ConnectionRef = ObjectRef<Types, Connection>;

export class Connections {
  private readonly connections = new Map<string, ConnectionRef>();
  private readonly edges = new Map<string, ObjectRef<Types, Edge>>();
  readonly pageInfo: ObjectRef<Types, Connection['pageInfo']>;

  constructor(private readonly builder: Builder) {
    // Types other subgraphs may define too are @shareable (federation, src/schema/federation.ts).
    this.pageInfo = builder.objectRef<Connection['pageInfo']>('PageInfo').implement({
      shareable: true,
      fields: (t) => ({
        hasNextPage: t.exposeBoolean('hasNextPage', { nullable: false }),
        hasPreviousPage: t.exposeBoolean('hasPreviousPage', { nullable: false }),
        startCursor: t.exposeString('startCursor', { nullable: true }),
        endCursor: t.exposeString('endCursor', { nullable: true }),
      }),
    });
  }

  /** The `XConnection` type for items of GraphQL type `name` (created once). */
  connectionOf(name: string, itemRef: ItemRef): ConnectionRef {
    return this.connection(`${name}Connection`, this.edgeOf(name, itemRef), itemRef, false);
  }

  /**
   * The `XSearchConnection` type of a search endpoint: a connection with `totalCount`, which only
   * Stripe's search gives (lists carry no count, and counting a list would read all of it).
   */
  searchConnectionOf(name: string, itemRef: ItemRef): ConnectionRef {
    return this.connection(`${name}SearchConnection`, this.edgeOf(name, itemRef), itemRef, true);
  }

  private edgeOf(name: string, itemRef: ItemRef): ObjectRef<Types, Edge> {
    return once(this.edges, `${name}Edge`, (key) =>
      this.builder.objectRef<Edge>(key).implement({
        shareable: true,
        extensions: WRAPPER,
        fields: (t) => ({
          cursor: t.exposeString('cursor', { nullable: false }),
          node: t.field({ type: itemRef, nullable: false, resolve: (e) => e.node }),
        }),
      }),
    );
  }

  private connection(
    typeName: string,
    edge: ObjectRef<Types, Edge>,
    itemRef: ItemRef,
    counted: boolean,
  ): ConnectionRef {
    return once(this.connections, typeName, () =>
      this.builder.objectRef<Connection>(typeName).implement({
        shareable: true,
        extensions: WRAPPER,
        fields: (t) => ({
          edges: t.field({ type: [edge], nullable: false, resolve: (c) => c.edges }),
          nodes: t.field({ type: [itemRef], nullable: false, resolve: (c) => c.nodes }),
          pageInfo: t.field({ type: this.pageInfo, nullable: false, resolve: (c) => c.pageInfo }),
          // Stripe's `total_count` (asked for with `expand[]=total_count`), accurate up to 10,000.
          ...(counted
            ? {
                totalCount: t.field({
                  type: 'SafeInt',
                  nullable: true,
                  resolve: (c) => c.totalCount,
                }),
              }
            : {}),
        }),
      }),
    );
  }

  /** Connection arguments, shared by every connection field. */
  args(t: { arg: ArgBuilder<Types> }, search = false) {
    if (search) {
      return {
        first: t.arg({ type: 'Int', required: false }),
        after: t.arg.string({ required: false }),
      };
    }
    return {
      first: t.arg({ type: 'Int', required: false }),
      after: t.arg.string({ required: false }),
      last: t.arg({ type: 'Int', required: false }),
      before: t.arg.string({ required: false }),
    };
  }
}

function checkCount(name: string, value: number | null | undefined): void {
  if (value != null && value < 0) throw userError('BAD_USER_INPUT', `${name} must not be negative`);
}

const cursorOf = (item: StripeObject): string => (typeof item.id === 'string' ? item.id : '');

function toConnection(
  items: StripeObject[],
  hasNextPage: boolean,
  hasPreviousPage: boolean,
  totalCount: number | null = null,
): Connection {
  const edges = items.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    nodes: items,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount,
  };
}

/** A list endpoint: its path (filled with `pathParams`) and its filters, already in wire form. */
export interface ListTarget {
  path: string;
  pathParams?: readonly string[];
  params: Record<string, unknown>;
  /** the endpoint takes `limit`/`starting_after`/`ending_before`; otherwise it answers one page */
  paged?: boolean;
}

/** How a list is read for a connection's arguments: the first page's cursor and how many items. */
type Paging =
  | { kind: 'one' }
  | { kind: 'forward'; count: number; after: string | undefined }
  | { kind: 'backward'; count: number; before: string };

/**
 * An empty `after` or `before` is refused as a cursor naming no item: no item has it, and Stripe's
 * empty `starting_after` (or search `page`) would be read as no cursor, the list's start.
 */
export function checkCursors(args: Pick<ConnectionArgs, 'after' | 'before'>): void {
  for (const argument of ['after', 'before'] as const) {
    if (args[argument] === '') throw notACursor(argument, 'it is empty');
  }
}

/** How `args` page a list; BAD_USER_INPUT for arguments that cannot page it. */
function pagingOf(target: Pick<ListTarget, 'paged'>, args: ConnectionArgs): Paging {
  const { first, after, last, before } = args;
  checkCount('first', first);
  checkCursors(args);
  if (target.paged === false) {
    if (last != null || before != null) {
      throw userError('BAD_USER_INPUT', 'This list answers in one page: page it with first and after');
    }
    return { kind: 'one' };
  }
  checkCount('last', last);
  if (first != null && last != null) throw userError('BAD_USER_INPUT', 'Pass first or last, not both');
  if (after != null && before != null) throw userError('BAD_USER_INPUT', 'Pass after or before, not both');
  if (last != null) {
    if (before == null) {
      throw userError(
        'BAD_USER_INPUT',
        'last needs a before cursor: Stripe lists page backwards only from a known object',
      );
    }
    return { kind: 'backward', count: last, before };
  }
  if (before != null) {
    if (first != null) {
      throw userError('BAD_USER_INPUT', 'Pass last with before (first pages forward, with after)');
    }
    return { kind: 'backward', count: DEFAULT_PAGE_SIZE, before };
  }
  return { kind: 'forward', count: first ?? DEFAULT_PAGE_SIZE, after: after ?? undefined };
}

/** The request for one page of a list endpoint, `page` its paging parameters. */
function pageRequest({ path, pathParams, params }: ListTarget, page?: Record<string, unknown>): GetRequest {
  return { path, ...(pathParams ? { pathParams } : {}), params: page ? { ...params, ...page } : params };
}

const forwardPage = (remaining: number, cursor: string | undefined) => ({
  limit: Math.min(MAX_PAGE_SIZE, remaining),
  ...(cursor ? { starting_after: cursor } : {}),
});

const backwardPage = (remaining: number, cursor: string) => ({
  limit: Math.min(MAX_PAGE_SIZE, remaining),
  ending_before: cursor,
});

/** Loads a list endpoint as a connection. */
export async function listConnection(
  session: UpstreamSession,
  target: ListTarget,
  args: ConnectionArgs,
): Promise<Connection> {
  const paging = pagingOf(target, args);
  if (paging.kind === 'one') return onePage(session, target, args);
  try {
    return paging.kind === 'backward'
      ? await backward(session, target, paging.count, paging.before)
      : await forward(session, target, paging.count, paging.after);
  } catch (error) {
    throw unknownCursor(error) ?? error;
  }
}

/** The wire parameter of each cursor argument (a search's `after` is its `page` token). */
const CURSOR_PARAMETERS: Readonly<Record<string, 'after' | 'before'>> = {
  starting_after: 'after',
  ending_before: 'before',
  page: 'after',
};

/**
 * Stripe's answer to a cursor that names no object of the list (`resource_missing` on
 * `starting_after`/`ending_before`) or is no page token of a search (an invalid request on `page`)
 * as the client's mistake: BAD_USER_INPUT on the argument, with Stripe's details kept. Undefined
 * for any other error.
 */
function unknownCursor(error: unknown): GraphQLError | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const stripe = error.extensions.stripe as { type?: unknown; code?: unknown; param?: unknown } | undefined;
  const argument = typeof stripe?.param === 'string' ? CURSOR_PARAMETERS[stripe.param] : undefined;
  const refused =
    stripe?.code === 'resource_missing' ||
    (stripe?.param === 'page' && stripe.type === 'invalid_request_error');
  if (!argument || !refused) return undefined;
  return notACursor(argument, error.message, { stripe });
}

/** BAD_USER_INPUT on the cursor `argument`, which names no item of the list (`reason` says how). */
function notACursor(
  argument: 'after' | 'before',
  reason: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return userError('BAD_USER_INPUT', `${argument} is not a cursor of this list: ${reason}`, {
    argument,
    ...extensions,
  });
}

/**
 * The first request `listConnection` sends for `args`, exactly (the loaders then de-duplicate the
 * two); undefined when it sends none (no items asked for, arguments it refuses).
 */
export function firstPageRequest(target: ListTarget, args: ConnectionArgs): GetRequest | undefined {
  let paging: Paging;
  try {
    paging = pagingOf(target, args);
  } catch {
    return undefined;
  }
  if (paging.kind === 'one') return pageRequest(target);
  if (paging.count <= 0) return undefined;
  return pageRequest(
    target,
    paging.kind === 'forward'
      ? forwardPage(paging.count, paging.after)
      : backwardPage(paging.count, paging.before),
  );
}

/**
 * An endpoint without paging parameters (GET /v1/reporting/report_types,
 * GET /v1/accounts/{account}/capabilities) answers everything in one page: `first` and `after` are
 * applied to it here, and an `after` that names none of its items is refused as Stripe refuses one
 * on a paged list (`unknownCursor`), not read as the list's start.
 */
async function onePage(
  session: UpstreamSession,
  target: ListTarget,
  args: ConnectionArgs,
): Promise<Connection> {
  const page = await session.page<StripeObject>(pageRequest(target));
  const start = args.after != null ? page.data.findIndex((item) => item.id === args.after) + 1 : 0;
  if (args.after != null && start === 0) throw notACursor('after', `no item ${args.after}`);
  const count = args.first ?? page.data.length;
  const items = page.data.slice(start, start + count);
  // Stripe answers such a list whole; should it ever say there is more, the page says so too.
  return toConnection(items, start + count < page.data.length || page.has_more === true, start > 0);
}

/**
 * A list known to be empty without asking (its parent has no value for a filter it needs): its
 * arguments are checked as `listConnection` checks them, and a cursor, which can name none of its
 * items, is refused as a cursor naming no item of a list Stripe answers.
 */
export function emptyConnection(target: Pick<ListTarget, 'paged'>, args: ConnectionArgs): Connection {
  pagingOf(target, args);
  for (const argument of ['after', 'before'] as const) {
    const cursor = args[argument];
    if (cursor != null) throw notACursor(argument, `no item ${cursor}`);
  }
  return toConnection([], false, false);
}

/**
 * The first page of a list that arrived inline in its parent (`customer.sources`, `invoice.lines`),
 * when it can answer `args`; undefined when the list endpoint must be asked.
 */
export function inlineConnection(embedded: unknown, args: ConnectionArgs): Connection | undefined {
  // A plain array holds every item (`dispute.balance_transactions`): a list with no more pages.
  const list = Array.isArray(embedded) ? { data: embedded, has_more: false } : embedded;
  if (typeof list !== 'object' || list === null || !Array.isArray((list as StripePage<unknown>).data)) {
    return undefined;
  }
  if (args.after != null || args.before != null || args.last != null) return undefined;
  const { data, has_more: hasMore } = list as StripePage<StripeObject>;
  const count = args.first ?? DEFAULT_PAGE_SIZE;
  checkCount('first', args.first);
  if (data.length < count && hasMore) return undefined;
  return toConnection(data.slice(0, count), data.length > count || hasMore, false);
}

async function forward(
  session: UpstreamSession,
  target: ListTarget,
  count: number,
  after: string | undefined,
): Promise<Connection> {
  const items: StripeObject[] = [];
  let cursor = after;
  let hasMore = true;
  while (items.length < count && hasMore) {
    const page = await session.page<StripeObject>(
      pageRequest(target, forwardPage(count - items.length, cursor)),
    );
    items.push(...page.data);
    hasMore = page.has_more;
    const last = page.data[page.data.length - 1];
    if (!last || typeof last.id !== 'string') break;
    cursor = last.id;
  }
  return toConnection(items, hasMore, after !== undefined);
}

async function backward(
  session: UpstreamSession,
  target: ListTarget,
  count: number,
  before: string,
): Promise<Connection> {
  let items: StripeObject[] = [];
  let cursor = before;
  let hasMore = true;
  while (items.length < count && hasMore) {
    const page: StripePage<StripeObject> = await session.page<StripeObject>(
      pageRequest(target, backwardPage(count - items.length, cursor)),
    );
    items = [...page.data, ...items];
    hasMore = page.has_more;
    const first = page.data[0];
    if (!first || typeof first.id !== 'string') break;
    cursor = first.id;
  }
  return toConnection(items, true, hasMore);
}

/** Loads a search endpoint as a connection; the cursor is Stripe's `next_page` token. */
export async function searchConnection(
  session: UpstreamSession,
  path: string,
  params: Record<string, unknown>,
  args: ConnectionArgs,
): Promise<Connection> {
  try {
    return await searchPages(session, path, params, args);
  } catch (error) {
    throw unknownCursor(error) ?? error;
  }
}

async function searchPages(
  session: UpstreamSession,
  path: string,
  params: Record<string, unknown>,
  args: ConnectionArgs,
): Promise<Connection> {
  checkCount('first', args.first);
  checkCursors(args);
  const count = args.first ?? DEFAULT_PAGE_SIZE;
  const items: StripeObject[] = [];
  let page: string | undefined = args.after ?? undefined;
  let hasMore = true;
  let total: number | null = null;
  while (items.length < count && hasMore) {
    const limit = Math.min(MAX_PAGE_SIZE, count - items.length);
    // Stripe includes the count only when asked to expand it.
    const expand = [...((params.expand as string[] | undefined) ?? []), 'total_count'];
    const result = (await session.page<StripeObject>({
      path,
      params: { ...params, expand, limit, ...(page ? { page } : {}) },
    })) as StripeSearchResult<StripeObject>;
    items.push(...result.data);
    hasMore = result.has_more && Boolean(result.next_page);
    total = typeof result.total_count === 'number' ? result.total_count : total;
    page = result.next_page ?? undefined;
  }
  const connection = toConnection(items, hasMore, args.after != null, total);
  // Search results resume from a page token, not an object id: the end cursor is that token.
  connection.pageInfo.endCursor = hasMore ? (page ?? null) : null;
  return connection;
}
