/**
 * Turns stored data into response JSON: inline lists are built from the children at read time
 * (required ones always, opt-in ones such as `customer.sources` when expanded), and expanded
 * references are replaced by the referenced objects from the store (an id the store does not hold
 * stays an id). Stored data is never modified.
 */
import type { OutType } from '../spec/types.ts';
import type { Api } from './api.ts';
import type { Ctx } from './context.ts';
import type { ExpandTree } from './expand.ts';
import { isObject, type Json, type JsonObject } from './json.ts';
import type { RuleBook } from './rules/types.ts';
import type { Entry } from './store.ts';

/** Items an inline list shows before `has_more` (Stripe shows ten). */
export const INLINE_LIST_LIMIT = 10;

export class Renderer {
  private readonly api: Api;
  private readonly rules: RuleBook;

  constructor(api: Api, rules: RuleBook) {
    this.api = api;
    this.rules = rules;
  }

  /** An object of schema `schema` (a resource or sub-object) with `tree` expanded. */
  object(ctx: Ctx, data: JsonObject, schema: string, tree: ExpandTree | undefined): JsonObject {
    const registry = this.api.registry;
    const info = registry.resource(schema);
    let out: JsonObject | undefined;
    if (info && info.inlineLists.length > 0 && typeof data.id === 'string') {
      for (const list of info.inlineLists) {
        const subtree = tree?.get(list.prop.name);
        if (!list.prop.required && !subtree) continue;
        out ??= { ...data };
        out[list.prop.name] = this.inlineList(
          ctx,
          data.id,
          schema,
          list.prop.name,
          list.items,
          subtree?.get('data'),
        );
      }
    }
    if (!tree || tree.size === 0) return out ?? data;
    out ??= { ...data };
    for (const [name, subtree] of tree) {
      const prop = registry.prop(schema, name);
      if (!prop || info?.inlineLists.some((l) => l.prop.name === name)) continue;
      const value = out[name];
      if (value === undefined || value === null) continue;
      out[name] = this.value(ctx, value, prop.type, subtree);
    }
    return out;
  }

  /** A stored entry as a response object. */
  entry(ctx: Ctx, entry: Entry, tree: ExpandTree | undefined): JsonObject {
    return this.object(ctx, entry.data, entry.resource, tree);
  }

  private value(ctx: Ctx, value: Json, type: OutType, tree: ExpandTree): Json {
    const registry = this.api.registry;
    switch (type.k) {
      case 'ref': {
        if (typeof value === 'string') {
          const targets = registry.resourcesOf(type);
          const found = ctx.find(value, targets);
          if (found) return this.entry(ctx, found, tree);
          const tombstone = ctx.scope.tombstone(value);
          return tombstone && targets.includes(tombstone.resource) ? tombstone.data : value;
        }
        return this.value(ctx, value, type.to, tree);
      }
      case 'object':
        return isObject(value) ? this.object(ctx, value, type.name, tree) : value;
      case 'union': {
        if (!isObject(value)) return value;
        const member = registry.schemaOfValue(type, value);
        return member ? this.object(ctx, value, member, tree) : value;
      }
      case 'array':
        return Array.isArray(value) ? value.map((item) => this.value(ctx, item, type.of, tree)) : value;
      default:
        return value;
    }
  }

  private inlineList(
    ctx: Ctx,
    id: string,
    resource: string,
    prop: string,
    items: readonly string[],
    tree: ExpandTree | undefined,
  ): JsonObject {
    const parent = ctx.find(id, [resource]) ?? ctx.scope.get(id);
    let children = parent ? ctx.children(parent, items) : [];
    for (const item of new Set(items)) {
      const filter = this.rules[item]?.defaultListFilter?.({});
      if (filter) children = children.filter((c) => c.resource !== item || filter(c));
    }
    if (items.some((item) => this.rules[item]?.ascending)) children.reverse();
    const template = this.api.listUrl(resource, prop);
    return {
      object: 'list',
      data: children.slice(0, INLINE_LIST_LIMIT).map((child) => this.entry(ctx, child, tree)),
      has_more: children.length > INLINE_LIST_LIMIT,
      url: template ? template.replace('{}', id) : '',
    };
  }
}
