/**
 * The read handlers: retrieve (a deleted object reads as its tombstone where the API keeps one),
 * lists (nested under a parent, filtered by parameters, paged by cursors; lists inside
 * path-addressed objects), and search.
 */
import { MAX_PAGE_SIZE } from '../../spec/stripe.ts';
import type { Api } from '../engine/api.ts';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type JsonObject } from '../engine/json.ts';
import type { Result } from '../engine/result.ts';
import type { Route } from '../engine/routes.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { filterEntries, type ListQuery, pageItems, pageLimit, paginate } from './list.ts';
import type { Locator } from './locate.ts';
import { checkFields, decodePage, encodePage, matchesQuery, parseSearchQuery } from './search.ts';

export class Reads {
  private readonly api: Api;
  private readonly rules: RuleBook;
  private readonly locate: Locator;

  constructor(api: Api, rules: RuleBook, locate: Locator) {
    this.api = api;
    this.rules = rules;
    this.locate = locate;
  }

  retrieve(ctx: Ctx, route: Route, values: readonly string[]): Result {
    const parents = this.locate.parents(ctx, route, values);
    try {
      return { kind: 'entry', entry: this.locate.target(ctx, route, values, parents) };
    } catch (error) {
      const tombstone = ctx.scope.tombstone(values[route.target!]!);
      if (
        tombstone &&
        route.resources.includes(tombstone.resource) &&
        this.api.keepsTombstone(tombstone.resource)
      ) {
        return { kind: 'raw', body: tombstone.data };
      }
      throw error;
    }
  }

  list(ctx: Ctx, route: Route, values: readonly string[], params: JsonObject, path: string): Result {
    if (route.subject) return this.listWithin(ctx, route, route.subject, values, params, path);
    const parents = this.locate.parents(ctx, route, values);
    const parent = parents.at(-1);
    let candidates: Entry[];
    let owner = parent;
    if (parent) candidates = ctx.children(parent, route.resources);
    else {
      candidates = [];
      const link = this.indexedFilter(ctx, route, params);
      if (link) {
        for (const entry of ctx.scope.referencing(link))
          if (route.resources.includes(entry.resource)) candidates.push(entry);
        owner = ctx.find(link);
      } else
        for (const resource of route.resources)
          for (const entry of ctx.scope.all(resource)) candidates.push(entry);
    }
    if (owner) {
      for (const resource of route.resources) {
        const views = this.rules[resource]?.viewsOwnedBy?.(ctx, owner);
        if (views) candidates = candidates.concat(views);
      }
    }
    const query: ListQuery = {
      params,
      candidates,
      resources: route.resources,
      url: path,
      rules: this.rules,
      nested: parent !== undefined,
    };
    const entries = filterEntries(ctx, query);
    // A list Stripe does not page (no `limit`: an account's capabilities) answers whole.
    if (!route.op.query.some((q) => q.name === 'limit')) {
      const limit = Math.min(Math.max(entries.length, 1), MAX_PAGE_SIZE);
      const all = paginate(ctx, { ...query, params: { ...params, limit } }, entries);
      return { kind: 'list', entries: all.entries, hasMore: all.hasMore, url: path };
    }
    const page = paginate(ctx, query, entries);
    return { kind: 'list', entries: page.entries, hasMore: page.hasMore, url: path };
  }

  /** The list inside a path-addressed object (`/v1/invoices/upcoming/lines`): its inline list, paged. */
  private listWithin(
    ctx: Ctx,
    route: Route,
    holder: Route,
    values: readonly string[],
    params: JsonObject,
    path: string,
  ): Result {
    const found = this.locate.singleton(ctx, holder, this.locate.parents(ctx, holder, values), params, false);
    const segment = route.op.path.slice(route.op.path.lastIndexOf('/') + 1);
    const resource = route.resources[0] ?? segment;
    let items: JsonObject[] = [];
    if (found.kind === 'object') {
      const list = found.data[segment];
      if (isObject(list) && Array.isArray(list.data)) items = list.data.filter(isObject);
    } else if (found.kind === 'entry') items = ctx.children(found.entry, route.resources).map((e) => e.data);
    return { kind: 'items', schema: resource, url: path, ...pageItems(items, params) };
  }

  /** An id-valued filter on a link prop (`customer=cus_…`): candidates come from the store's index. */
  private indexedFilter(ctx: Ctx, route: Route, params: JsonObject): string | undefined {
    for (const [name, value] of Object.entries(params)) {
      if (typeof value !== 'string' || value === '') continue;
      if (route.resources.every((r) => ctx.registry.linkProps(r).includes(name))) return value;
    }
    return undefined;
  }

  search(ctx: Ctx, route: Route, params: JsonObject, path: string): Result {
    const resource = route.resources[0]!;
    const query = parseSearchQuery(String(params.query ?? ''));
    const plural = route.op.path.split('/')[2] ?? resource;
    checkFields(ctx.registry, resource, query, plural);
    const matched = [...ctx.scope.all(resource)]
      .filter((e) => matchesQuery(query, e.data))
      .sort((a, b) => b.seq - a.seq);
    const limit = pageLimit(params);
    let start = 0;
    if (typeof params.page === 'string' && params.page !== '') {
      const after = decodePage(params.page);
      start = matched.findIndex((e) => e.id === after) + 1;
      if (start === 0) throw invalidRequest(`Invalid page: ${params.page}`, { param: 'page' });
    }
    const entries = matched.slice(start, start + limit);
    const hasMore = start + limit < matched.length;
    return {
      kind: 'search',
      entries,
      hasMore,
      url: path,
      nextPage: hasMore ? encodePage(entries.at(-1)!.id) : null,
      total: matched.length,
    };
  }
}
