/**
 * List endpoints: filters derived from the parameters (a parameter named like a prop of the item
 * filters by equality, a reference compares ids, time props take `{gt,gte,lt,lte}`, a plural array
 * parameter such as `ids[]` or `lookup_keys[]` filters by membership) and Stripe's cursor
 * pagination (`limit`, `starting_after`, `ending_before`, `has_more`), newest first.
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../spec/stripe.ts';
import type { OutType } from '../../spec/types.ts';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest, noSuch } from '../engine/errors.ts';
import { prefixOf } from '../engine/ids.ts';
import { isObject, type Json, type JsonObject, refId } from '../engine/json.ts';
import type { Predicate, RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';

/** A list's or a search's `limit`: Stripe's default when absent, else 1..MAX_PAGE_SIZE. */
export function pageLimit(params: JsonObject): number {
  const limit = typeof params.limit === 'number' ? params.limit : DEFAULT_PAGE_SIZE;
  if (limit < 1) throw invalidRequest('This value must be greater than or equal to 1.', { param: 'limit' });
  if (limit > MAX_PAGE_SIZE)
    throw invalidRequest(`This value must be less than or equal to ${MAX_PAGE_SIZE}.`, { param: 'limit' });
  return limit;
}

/** Parameters that drive pagination rather than filter. */
export const PAGING_PARAMS = new Set(['limit', 'starting_after', 'ending_before', 'page']);

const RANGE_KEYS = new Set(['gt', 'gte', 'lt', 'lte']);

function inRange(value: Json | undefined, range: JsonObject): boolean {
  if (typeof value !== 'number') return false;
  for (const [op, bound] of Object.entries(range)) {
    if (typeof bound !== 'number') continue;
    if (op === 'gt' && !(value > bound)) return false;
    if (op === 'gte' && !(value >= bound)) return false;
    if (op === 'lt' && !(value < bound)) return false;
    if (op === 'lte' && !(value <= bound)) return false;
  }
  return true;
}

/** Whether a stored value matches a filter value of the prop's type. */
export function matches(ctx: Ctx, value: Json | undefined, filter: Json, type: OutType | undefined): boolean {
  if (isObject(filter)) {
    if (Object.keys(filter).every((k) => RANGE_KEYS.has(k))) return inRange(value, filter);
    if (!isObject(value)) return false;
    const schema = type?.k === 'object' ? type.name : undefined;
    return Object.entries(filter).every(([key, sub]) =>
      matches(ctx, value[key], sub, schema ? ctx.registry.prop(schema, key)?.type : undefined),
    );
  }
  if (Array.isArray(filter)) return filter.some((f) => matches(ctx, value, f, type));
  // References compare ids, and so do embedded objects (`promotion_code.coupon`).
  if (type?.k === 'ref' || isObject(value)) return refId(value) === filter;
  return value === filter;
}

/** The predicate for one list parameter, or undefined when the parameter does not filter. */
function filterFor(
  ctx: Ctx,
  resources: readonly string[],
  name: string,
  value: Json,
  rules: RuleBook,
): Predicate | undefined {
  for (const resource of resources) {
    const special = rules[resource]?.listFilter?.(name, value, ctx);
    if (special) return special;
  }
  const byProp = (prop: string, wanted: Json): Predicate | undefined => {
    const types = resources.map((r) => ctx.registry.prop(r, prop)?.type);
    if (types.every((t) => t === undefined)) return undefined;
    return (entry) => {
      const type = ctx.registry.prop(entry.resource, prop)?.type;
      return type !== undefined && matches(ctx, entry.data[prop], wanted, type);
    };
  };
  const direct = byProp(name, value);
  if (direct) return direct;
  // `ids[]` → id, `lookup_keys[]` → lookup_key, `types[]` → type: membership.
  if (Array.isArray(value) && name.endsWith('s')) return byProp(name.slice(0, -1), value);
  return undefined;
}

export interface ListQuery {
  params: JsonObject;
  /** objects the list may contain, already narrowed to a parent where nested */
  candidates: Entry[];
  /** how `candidates` are ordered by `seq`, when they are (saves sorting) */
  order?: 'asc' | 'desc';
  resources: readonly string[];
  /** the list's `url` */
  url: string;
  /** the list is a parent's, not the resource's own top-level list */
  nested?: boolean;
  rules: RuleBook;
}

export interface Page {
  entries: Entry[];
  hasMore: boolean;
}

/** Filters `candidates` by the query's parameters (ignoring pagination ones). */
export function filterEntries(
  ctx: Ctx,
  query: ListQuery,
  skip: ReadonlySet<string> = PAGING_PARAMS,
): Entry[] {
  const predicates: Predicate[] = [];
  for (const [name, value] of Object.entries(query.params)) {
    if (skip.has(name) || value === '') continue;
    const predicate = filterFor(ctx, query.resources, name, value, query.rules);
    if (predicate) predicates.push(predicate);
  }
  for (const resource of new Set(query.resources)) {
    const fallback = query.rules[resource]?.defaultListFilter?.(query.params, query.nested === true);
    if (fallback) predicates.push((entry) => entry.resource !== resource || fallback(entry));
  }
  if (predicates.length === 0) return query.candidates;
  return query.candidates.filter((entry) => predicates.every((p) => p(entry)));
}

/**
 * What a cursor naming no object is said to be: of a list holding several kinds (a customer's
 * sources: cards, bank accounts, sources), the kind its id's prefix names (`card_…` a card), else
 * the list's first kind.
 */
function cursorLabel(ctx: Ctx, resources: readonly string[], id: string): string {
  const named = resources.find((resource) => id.startsWith(`${prefixOf(resource)}_`));
  return ctx.label(named ?? resources[0] ?? 'object');
}

/** Sorted newest first (or oldest first for ascending resources), then paged. */
export function paginate(ctx: Ctx, query: ListQuery, entries: Entry[]): Page {
  const { params } = query;
  const limit = pageLimit(params);
  const after =
    typeof params.starting_after === 'string' && params.starting_after !== ''
      ? params.starting_after
      : undefined;
  const before =
    typeof params.ending_before === 'string' && params.ending_before !== ''
      ? params.ending_before
      : undefined;
  if (after && before) {
    throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.', {
      code: 'parameters_exclusive',
      param: 'ending_before',
    });
  }
  const ascending = query.resources.some((r) => query.rules[r]?.ascending);
  const wanted = ascending ? 'asc' : 'desc';
  const sorted =
    query.order === wanted
      ? entries
      : query.order !== undefined
        ? entries.slice().reverse()
        : entries.slice().sort(ascending ? (a, b) => a.seq - b.seq : (a, b) => b.seq - a.seq);
  const cursorSeq = (id: string, param: string): number => {
    const entry =
      sorted.find((e) => e.id === id) ??
      ctx.find(id, query.resources) ??
      ctx.scope.tombstone(id) ??
      undefined;
    if (!entry) throw noSuch(cursorLabel(ctx, query.resources, id), id, param, 400);
    return entry.seq;
  };
  const comesAfter = (seq: number, cursor: number) => (ascending ? seq > cursor : seq < cursor);
  if (after) {
    const cursor = cursorSeq(after, 'starting_after');
    let start = sorted.findIndex((e) => comesAfter(e.seq, cursor));
    if (start === -1) start = sorted.length;
    return { entries: sorted.slice(start, start + limit), hasMore: sorted.length - start > limit };
  }
  if (before) {
    const cursor = cursorSeq(before, 'ending_before');
    let end = sorted.findIndex((e) => !comesAfter(cursor, e.seq));
    if (end === -1) end = sorted.length;
    return { entries: sorted.slice(Math.max(0, end - limit), end), hasMore: end > limit };
  }
  return { entries: sorted.slice(0, limit), hasMore: sorted.length > limit };
}

/** Pages objects that are not stored (by `id` cursors), in the order given. */
export function pageItems(
  items: JsonObject[],
  params: JsonObject,
): { items: JsonObject[]; hasMore: boolean } {
  const limit = pageLimit(params);
  const indexOf = (id: Json | undefined) => items.findIndex((item) => item.id === id);
  if (typeof params.starting_after === 'string' && params.starting_after !== '') {
    const start = indexOf(params.starting_after) + 1;
    return { items: items.slice(start, start + limit), hasMore: items.length - start > limit };
  }
  if (typeof params.ending_before === 'string' && params.ending_before !== '') {
    const end = Math.max(0, indexOf(params.ending_before));
    return { items: items.slice(Math.max(0, end - limit), end), hasMore: end > limit };
  }
  return { items: items.slice(0, limit), hasMore: items.length > limit };
}
