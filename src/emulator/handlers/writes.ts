/**
 * The write handlers: create (rules first, then the generic build: params copied, parent linked,
 * references checked), update (hashes merged, `''` unsets), delete (the `deleted_*` stub, a
 * tombstone where the API keeps one, cancel-like deletes), and actions (a rule by verb, or params
 * copied and `status` moved to what the verb says). Every change records its event.
 */

import { resourceForId } from '../../spec/prefixes.ts';
import type { Api } from '../engine/api.ts';
import type { Ctx, Operations } from '../engine/context.ts';
import { invalidRequest, noSuch } from '../engine/errors.ts';
import { deepClone, isObject, type Json, type JsonObject, orderKeys } from '../engine/json.ts';
import type { Result } from '../engine/result.ts';
import type { Route } from '../engine/routes.ts';
import type { Entry } from '../engine/store.ts';
import { cardForPaymentMethod, cardForToken, TEST_BANK_TOKENS } from '../money/tokens.ts';
import type { Locator } from './locate.ts';

/** Stripe's magic test ids (`tok_visa`, `pm_card_visa`, `btok_us`): no stored object, but valid. */
const isTestToken = (id: string) =>
  cardForToken(id) !== undefined || cardForPaymentMethod(id) !== undefined || id in TEST_BANK_TOKENS;

/** A verb's resulting status, where adding `-ed`/`-d` does not give it. */
const VERB_STATUS: Readonly<Record<string, readonly string[]>> = {
  cancel: ['canceled'],
  void: ['void', 'voided'],
  finalize: ['open', 'finalized'],
  activate: ['active'],
  reactivate: ['active'],
  deactivate: ['inactive'],
  post: ['posted'],
  return: ['returned'],
  fail: ['failed'],
  succeed: ['succeeded'],
  expire: ['expired'],
  close: ['closed', 'lost'],
};

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export class Writes implements Operations {
  private readonly api: Api;
  private readonly locate: Locator;

  constructor(api: Api, locate: Locator) {
    this.api = api;
    this.locate = locate;
  }

  /** Creates an object through the rules or generically; also used by the seed and by rules. */
  create(ctx: Ctx, route: Route, values: readonly string[], params: JsonObject): Entry {
    const parents = this.locate.parents(ctx, route, values);
    const parent = parents.at(-1);
    const input = { params, route, ...(parent ? { parent } : {}) };
    for (const name of [route.ruleResource, ...route.resources]) {
      const custom = this.locate.rulesFor(name)?.create;
      if (custom) {
        return custom(ctx, input);
      }
    }
    const resource = route.resources[0];
    if (!resource)
      throw invalidRequest(`${route.method} ${route.op.path} is not supported by the emulator.`, {}, 501);
    return this.createResource(ctx, resource, params, parent, route);
  }

  /** The generic create of one resource: build, copy params, link to the parent, rules, store. */
  createResource(ctx: Ctx, resource: string, params: JsonObject, parent?: Entry, route?: Route): Entry {
    const rules = this.locate.rulesFor(resource);
    let id: string | undefined;
    if (typeof params.id === 'string' && params.id !== '' && route?.op.body.some((p) => p.name === 'id')) {
      id = params.id;
      if (ctx.scope.find(id)) {
        throw invalidRequest(`${capitalize(ctx.label(resource))} already exists.`, {
          code: 'resource_already_exists',
          param: 'id',
        });
      }
    }
    const draft = ctx.build(resource, {}, id);
    ctx.apply(resource, draft, params, false);
    let hidden: string | undefined;
    if (parent) {
      const prop = ctx.registry.parentProp(resource, parent.resource);
      if (prop) draft[prop] = parent.id;
      else hidden = parent.id;
    }
    const input = { params, ...(parent ? { parent } : {}), ...(route ? { route } : {}) };
    rules?.beforeCreate?.(ctx, draft, input);
    this.checkReferences(ctx, resource, draft, params);
    this.embedReferences(ctx, resource, draft, params);
    const entry = ctx.insert(resource, draft, hidden ? { parent: hidden } : {});
    rules?.afterCreate?.(ctx, entry, input);
    return ctx.current(entry);
  }

  /**
   * Ids given in parameters must name stored objects: Stripe answers 400 `resource_missing`
   * (`No such customer: 'cus_…'`, param `customer`). A parameter is a reference when the object
   * exposes it as one (`invoice.customer`), or when it is named after a stored resource and its id
   * has that resource's prefix (`account=acct_…` on an account link, `value_list=rsl_…`,
   * `financial_account=fa_…`), test tokens (`pm_card_visa`) aside. Also checks previews.
   */
  checkReferences(ctx: Ctx, resource: string, draft: JsonObject, params: JsonObject): void {
    for (const name of Object.keys(params)) {
      const prop = ctx.registry.prop(resource, name);
      if (prop?.type.k === 'ref') {
        const value = draft[name];
        if (typeof value !== 'string' || value === '') continue;
        const targets = ctx.registry.resourcesOf(prop.type).filter((t) => this.api.isStored(t));
        if (targets.length === 0) continue;
        // Or an object a stored one stands for (a saved card as a payment method: `payment_method=card_…`).
        if (!this.locate.findOrView(ctx, targets, value))
          throw noSuch(ctx.label(targets[0]!), value, name, 400);
        continue;
      }
      const value = params[name];
      if (typeof value !== 'string' || isTestToken(value)) continue;
      const match = resourceForId(value);
      if (match.kind !== 'match' || !this.api.isStored(match.resource)) continue;
      if (match.resource.split('.').pop() !== name) continue;
      if (!ctx.find(value, [match.resource])) throw noSuch(ctx.label(match.resource), value, name, 400);
    }
  }

  /**
   * A resource Stripe embeds whole, not as an expandable id (`issuing.card.cardholder`,
   * `issuing.authorization.card`), given by id in a parameter: the stored object is embedded, as
   * Stripe does (a rule that built it already is left alone). An unknown id is `resource_missing`.
   */
  embedReferences(ctx: Ctx, resource: string, draft: JsonObject, params: JsonObject): void {
    for (const [name, value] of Object.entries(params)) {
      const type = ctx.registry.prop(resource, name)?.type;
      if (type?.k !== 'object' || typeof value !== 'string' || value === '') continue;
      if (!ctx.registry.resource(type.name) || !this.api.isStored(type.name)) continue;
      const current = draft[name];
      if (isObject(current) && current.id === value) continue;
      // Or one a stored object stands for (a price named by a plan's id: src/emulator/money/plans.ts).
      draft[name] = (
        this.locate.findOrView(ctx, [type.name], value) ?? ctx.require(value, [type.name], name, 400)
      ).data;
    }
  }

  update(ctx: Ctx, route: Route, values: readonly string[], params: JsonObject): Result {
    const parents = this.locate.parents(ctx, route, values);
    let entry: Entry;
    if (route.target !== undefined) entry = this.locate.target(ctx, route, values, parents);
    else {
      const found = this.locate.singleton(ctx, route, parents, {}, true);
      if (found.kind !== 'entry')
        throw invalidRequest(`${route.op.path} cannot be updated in the emulator.`, {}, 501);
      entry = found.entry;
    }
    return { kind: 'entry', entry: this.updateEntry(ctx, entry, params) };
  }

  /** Applies update params to a stored object, with the resource's rules; also used by rules. */
  updateEntry(ctx: Ctx, entry: Entry, params: JsonObject): Entry {
    const rules = this.locate.rulesFor(entry.resource);
    const draft = deepClone(entry.data);
    ctx.apply(entry.resource, draft, params, true);
    rules?.beforeUpdate?.(ctx, draft, params, entry);
    this.checkReferences(ctx, entry.resource, draft, params);
    this.embedReferences(ctx, entry.resource, draft, params);
    const updated = ctx.scope.replace(ctx.current(entry), orderKeys(draft));
    rules?.afterUpdate?.(ctx, updated, params, entry);
    return ctx.current(updated);
  }

  delete(ctx: Ctx, route: Route, values: readonly string[]): Result {
    const parents = this.locate.parents(ctx, route, values);
    if (route.op.singleton) return this.deleteSingleton(ctx, route, parents);
    const entry = this.locate.target(ctx, route, values, parents);
    const detach = this.locate.rulesFor(entry.resource)?.detach;
    if (detach) return { kind: 'entry', entry: detach(ctx, entry) };
    return { kind: 'raw', body: this.deleteEntry(ctx, entry) };
  }

  /** A DELETE that answers with the live object (`DELETE /v1/subscriptions/{id}` cancels). */
  cancel(ctx: Ctx, route: Route, values: readonly string[], params: JsonObject): Result {
    const addressed = route.subject ?? route;
    const entry = this.locate.target(ctx, addressed, values, this.locate.parents(ctx, addressed, values));
    const cancel = this.locate.rulesFor(entry.resource)?.cancel;
    if (cancel) return { kind: 'entry', entry: cancel(ctx, entry, params) };
    ctx.remove(entry);
    return { kind: 'raw', body: entry.data };
  }

  /** Deletes a stored object; returns the deleted stub (`{ id, object, deleted: true }`). */
  deleteEntry(ctx: Ctx, entry: Entry): JsonObject {
    const rules = this.locate.rulesFor(entry.resource);
    rules?.beforeDelete?.(ctx, entry);
    const current = ctx.current(entry);
    const stub = this.deletedStub(ctx, current);
    ctx.remove(current, this.api.keepsTombstone(entry.resource) ? stub : undefined);
    rules?.afterDelete?.(ctx, current);
    return stub;
  }

  /**
   * The `deleted_<resource>` form: its props taken from the object (`null` when unset and
   * nullable, as rendered objects), plus `deleted: true`.
   */
  deletedStub(ctx: Ctx, entry: Entry): JsonObject {
    const schema =
      ctx.registry.resource(entry.resource)?.deleted ??
      ctx.registry.model.objects[`deleted_${entry.resource}`];
    const stub: JsonObject = {
      id: entry.id,
      object: (entry.data.object as string | undefined) ?? entry.resource,
    };
    if (schema) {
      for (const prop of schema.props) {
        if (prop.name in stub || prop.name === 'deleted') continue;
        const value = entry.data[prop.name];
        if (value !== undefined) stub[prop.name] = value;
        else if (prop.required || prop.nullable) stub[prop.name] = null;
      }
    }
    stub.deleted = true;
    return stub;
  }

  private deleteSingleton(ctx: Ctx, route: Route, parents: readonly Entry[]): Result {
    const parent = parents.at(-1);
    const segment = route.op.path.slice(route.op.path.lastIndexOf('/') + 1);
    const resource = route.resources[0] ?? segment;
    const value = parent?.data[segment];
    if (!parent || value === undefined || value === null)
      throw noSuch(ctx.label(resource), parent?.id ?? segment, 'id');
    const stub: JsonObject = isObject(value)
      ? { ...value, deleted: true }
      : { id: String(value), deleted: true };
    ctx.set(parent, { [segment]: null });
    const deleted = ctx.registry.model.objects[`deleted_${resource}`];
    if (deleted) {
      for (const key of Object.keys(stub)) if (!ctx.registry.prop(deleted.name, key)) delete stub[key];
      for (const prop of deleted.props)
        if ((prop.required || prop.nullable) && !(prop.name in stub)) stub[prop.name] = null as Json;
    }
    return { kind: 'raw', body: stub };
  }

  action(ctx: Ctx, route: Route, values: readonly string[], params: JsonObject): Result {
    const subject = route.subject!;
    let entry: Entry;
    if (!subject.op.singleton)
      entry = this.locate.target(ctx, subject, values, this.locate.parents(ctx, subject, values));
    else {
      // A subject found by the action's parameters (`/v1/apps/secrets/delete` → `…/find`) needs them.
      const parents = this.locate.parents(ctx, subject, values);
      const found = this.locate.singleton(ctx, subject, parents, params, false);
      if (found.kind !== 'entry')
        throw invalidRequest(`${route.op.path} is not supported by the emulator.`, {}, 501);
      entry = found.entry;
    }
    const verb = route.verb ?? '';
    const rule = this.locate.rulesFor(entry.resource)?.actions?.[verb];
    if (rule) return { kind: 'entry', entry: ctx.current(rule(ctx, entry, params)) };
    return { kind: 'entry', entry: this.genericAction(ctx, entry, verb, params) };
  }

  runAction(ctx: Ctx, entry: Entry, verb: string, params: JsonObject): Entry {
    const rule = this.locate.rulesFor(entry.resource)?.actions?.[verb];
    if (!rule) throw invalidRequest(`The emulator has no ${verb} for ${entry.resource}.`, {}, 501);
    return ctx.current(rule(ctx, entry, params));
  }

  /** Copies params onto the object and moves `status` to the verb's result where the enum has it. */
  private genericAction(ctx: Ctx, entry: Entry, verb: string, params: JsonObject): Entry {
    const updated = this.updateEntry(ctx, entry, params);
    const status = ctx.registry.prop(entry.resource, 'status');
    if (status?.type.k !== 'enum') return updated;
    const values = ctx.registry.model.enums[status.type.name]?.values ?? [];
    const last = verb.split('/').pop() ?? verb;
    const candidates = [...(VERB_STATUS[last] ?? []), `${last}ed`, `${last}d`, last.replace(/e?$/, 'ed')];
    const next = candidates.find((c) => values.includes(c));
    return next && updated.data.status !== next ? this.updateEntry(ctx, updated, { status: next }) : updated;
  }
}
