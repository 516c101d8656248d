/**
 * Finding what a path addresses: the ancestors its parameters name (each a child of the one
 * before), the object its last parameter names (magic test ids made real by the rules), and
 * path-addressed objects (`/v1/balance`, `/v1/customers/{c}/discount`, `/v1/invoices/upcoming`).
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest, noSuch } from '../engine/errors.ts';
import { isObject, type JsonObject } from '../engine/json.ts';
import type { Result } from '../engine/result.ts';
import type { Route } from '../engine/routes.ts';
import { findOrView, type ResourceRules, type RuleBook } from '../engine/rule-book.ts';
import { type Entry, isEntry } from '../engine/store.ts';
import { filterEntries, type ListQuery } from './list.ts';

export class Locator {
  private readonly rules: RuleBook;

  constructor(rules: RuleBook) {
    this.rules = rules;
  }

  /** What an object the route addresses is called in errors: its retrieve's resource (`source`). */
  label(ctx: Ctx, route: Route): string {
    const addressed = this.addressed(route);
    return ctx.label(addressed.op.resource ?? addressed.resources[0] ?? 'object');
  }

  /** An update's or delete's subject (the retrieve at its path) names what it addresses. */
  private addressed(route: Route): Route {
    const { kind } = route.op;
    return (kind === 'update' || kind === 'delete') && route.subject ? route.subject : route;
  }

  parents(ctx: Ctx, route: Route, values: readonly string[]): Entry[] {
    const out: Entry[] = [];
    for (const parent of route.parents) {
      if (parent.resources.length === 0) continue;
      const id = values[parent.index]!;
      const previous = out.at(-1);
      const entry = ctx.find(id, parent.resources, previous?.id);
      if (!entry || (previous && !this.isChild(ctx, entry, previous))) {
        throw noSuch(ctx.label(parent.resources[0]!), id, 'id');
      }
      out.push(entry);
    }
    return out;
  }

  isChild(ctx: Ctx, entry: Entry, parent: Entry): boolean {
    if (entry.parent === parent.id) return true;
    const prop = ctx.registry.parentProp(entry.resource, parent.resource);
    // A child that does not say whose it is cannot be checked.
    return prop === undefined ? entry.parent === undefined : entry.data[prop] === parent.id;
  }

  target(ctx: Ctx, route: Route, values: readonly string[], parents: readonly Entry[]): Entry {
    const id = values[route.target!]!;
    const parent = parents.at(-1);
    const { resources } = this.addressed(route);
    const entry = ctx.find(id, resources, parent?.id) ?? this.materialize(ctx, resources, id, parent);
    if (entry && (!parent || this.isChild(ctx, entry, parent))) return entry;
    throw noSuch(this.label(ctx, route), id, 'id');
  }

  materialize(
    ctx: Ctx,
    resources: readonly string[],
    id: string,
    parent: Entry | undefined,
  ): Entry | undefined {
    for (const resource of resources) {
      const rules = this.rulesFor(resource);
      const entry = rules?.view?.(ctx, id) ?? rules?.materialize?.(ctx, id, parent);
      if (entry) return entry;
    }
    return undefined;
  }

  /** A stored object of one of `resources`, or one a stored object stands for (`findOrView`). */
  findOrView(ctx: Ctx, resources: readonly string[], id: string): Entry | undefined {
    return findOrView(ctx, this.rules, resources, id);
  }

  rulesFor(resource: string): ResourceRules | undefined {
    return this.rules[resource];
  }

  /**
   * A path-addressed object: a rule's answer; else the parent's prop named like the last segment
   * (`/v1/customers/{c}/discount`); else the parent's child of that resource; else the stored
   * singleton; else, for objects without ids (`/v1/balance`), a new default one.
   */
  singleton(ctx: Ctx, route: Route, parents: Entry[], params: JsonObject, create: boolean): Result {
    const resource = route.resources[0];
    if (!resource)
      throw invalidRequest(`${route.method} ${route.op.path} is not supported by the emulator.`, {}, 501);
    const byRule = this.rulesFor(resource)?.singleton?.(ctx, route, parents, params);
    if (byRule)
      return isEntry(byRule)
        ? { kind: 'entry', entry: byRule }
        : { kind: 'object', data: byRule, schema: resource };
    const parent = parents.at(-1);
    const segment = route.op.path.slice(route.op.path.lastIndexOf('/') + 1);
    if (parent) {
      const value = ctx.registry.prop(parent.resource, segment) ? parent.data[segment] : undefined;
      if (typeof value === 'string') return { kind: 'entry', entry: ctx.require(value, route.resources) };
      if (isObject(value)) return { kind: 'object', data: value, schema: resource };
      const child = ctx.children(parent, route.resources)[0];
      if (child) return { kind: 'entry', entry: child };
    }
    if (!parent && route.op.query.length > 0 && ctx.registry.resource(resource)?.hasId) {
      return this.singletonByQuery(ctx, route, resource, segment, params);
    }
    const key = `singleton:${route.singleton}:${parents.map((p) => p.id).join('/')}`;
    const stored = ctx.scope.get(key);
    if (stored) return { kind: 'entry', entry: stored };
    if (!create || ctx.registry.resource(resource)?.hasId) {
      throw noSuch(ctx.label(resource), parent?.id ?? segment, 'id');
    }
    const fields: JsonObject = {};
    if (parent) {
      const prop = ctx.registry.parentProp(resource, parent.resource);
      if (prop) fields[prop] = parent.id;
    }
    const entry = ctx.insert(resource, ctx.build(resource, fields), {
      singleton: key,
      ...(parent ? { parent: parent.id } : {}),
    });
    return { kind: 'entry', entry };
  }

  /**
   * Objects a top-level path finds or computes from its query: a preview (`/v1/credit_notes/preview`)
   * is built from the parameters and not stored; a lookup (`/v1/apps/secrets/find`) is the newest
   * stored object whose props match the parameters.
   */
  singletonByQuery(ctx: Ctx, route: Route, resource: string, segment: string, params: JsonObject): Result {
    if (segment === 'preview' || segment === 'upcoming') {
      const data = ctx.build(resource);
      ctx.apply(resource, data, params, false);
      return { kind: 'object', data, schema: resource };
    }
    const candidates = Array.from(ctx.scope.all(resource));
    const query: ListQuery = {
      params,
      candidates,
      resources: [resource],
      url: route.op.path,
      rules: this.rules,
      order: 'asc',
    };
    const found = filterEntries(ctx, query).at(-1);
    if (!found)
      throw noSuch(
        ctx.label(resource),
        Object.values(params)
          .filter((v) => typeof v === 'string')
          .join(', ') || segment,
        'id',
      );
    return { kind: 'entry', entry: found };
  }
}
