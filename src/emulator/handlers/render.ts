/**
 * Turns stored data into response JSON: inline lists are built from the children at read time
 * (required ones always, opt-in ones such as `customer.sources` when expanded), and expanded
 * references are replaced by the referenced objects from the store (an id the store does not hold
 * stays an id; one Connect keeps in another account is read there). A card or a bank account
 * carries the properties of its kind of owner only (a customer, an account). Stored data is never
 * modified.
 */
import { DEFAULT_PAGE_SIZE, isIncludable } from '../../spec/stripe.ts';
import type { OutType } from '../../spec/types.ts';
import type { Api } from '../engine/api.ts';
import type { Ctx } from '../engine/context.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import { defaultFor } from '../engine/objects.ts';
import { findOrView, type RuleBook } from '../engine/rule-book.ts';
import type { Entry, Scope } from '../engine/store.ts';
import { cashBalanceView } from '../money/cash-balance.ts';
import { withStatus } from '../money/ledger.ts';
import { customerTax, registrationStatus } from '../money/stripe-tax.ts';
import { financialBalance, transactionImpact } from '../money/treasury-ledger.ts';
import type { ExpandTree } from './expand.ts';
import { VERSION_ABSENT, VERSION_EXTRA } from './version.ts';

/**
 * An object of one of `targets` that another account holds, named by an object of `ctx`'s account:
 * Connect's references across accounts (a transfer's `destination_payment` on its destination, a
 * payment's `source_transfer` on the platform), which Stripe expands all the same. The platform
 * reaches into its connected accounts, a connected account into the platform.
 */
function heldElsewhere(
  ctx: Ctx,
  targets: readonly string[],
  id: string,
): { scope: Scope; entry: Entry } | undefined {
  const store = ctx.store;
  const scopes =
    ctx.scope === store.platform ? store.accounts().map((account) => store.scope(account)) : [store.platform];
  for (const scope of scopes) {
    const entry = scope.find(id);
    if (entry && targets.includes(entry.resource)) return { scope, entry };
  }
  return undefined;
}

/**
 * Properties a card or a bank account carries for one kind of owner only (stripe-node declares them
 * optional, saying whose they are): a customer's (a payment source) has `customer`; a Connect
 * account's (an external account) has `account` and what its payouts use. Each owner's are left
 * out of the other's; an object of neither (a token's card) keeps them all.
 */
const OWNER_ONLY: Readonly<Record<string, { customer: readonly string[]; account: readonly string[] }>> = {
  bank_account: {
    customer: ['customer'],
    account: [
      'account',
      'available_payout_methods',
      'default_for_currency',
      'future_requirements',
      'requirements',
    ],
  },
  card: {
    customer: ['customer'],
    account: ['account', 'available_payout_methods', 'currency', 'default_for_currency', 'status'],
  },
};

/**
 * The properties an object of schema `schema` does not carry: those 2024-04-10 does not send
 * (`VERSION_ABSENT`), and a card's or a bank account's that are not for its owner.
 */
function absentFrom(schema: string, data: JsonObject): readonly string[] | undefined {
  const version = VERSION_ABSENT[schema];
  const keys = OWNER_ONLY[schema];
  if (!keys) return version;
  const owned = (key: string) => typeof data[key] === 'string' || isObject(data[key]);
  const other = owned('customer') ? keys.account : owned('account') ? keys.customer : [];
  return version ? [...version, ...other] : other;
}

export class Renderer {
  private readonly api: Api;
  private readonly rules: RuleBook;
  /** `object` value → resource, for objects kept in free-form properties */
  private byObject: Map<string, string> | undefined;

  constructor(api: Api, rules: RuleBook) {
    this.api = api;
    this.rules = rules;
  }

  /**
   * An object of schema `schema` (a resource or sub-object) as Stripe renders it, with `tree`
   * expanded: every property the schema always carries (required, or nullable: `null` when unset),
   * optional ones only when set, includable ones (see `includable`) only when expanded, nested
   * objects likewise; `id` and `object` first. Keys the schema does not know are kept.
   */
  object(ctx: Ctx, data: JsonObject, schema: string, tree: ExpandTree | undefined): JsonObject {
    const registry = this.api.registry;
    const model = registry.model.objects[schema];
    if (!model) return data;
    if (schema === 'balance_transaction') data = withStatus(ctx, data);
    else if (schema === 'treasury.financial_account')
      data = { ...data, balance: financialBalance(ctx, data) };
    else if (schema === 'treasury.transaction')
      data = { ...data, balance_impact: transactionImpact(ctx, data) };
    // A file link expires by the clock, not by a write.
    else if (schema === 'file_link')
      data = { ...data, expired: typeof data.expires_at === 'number' && data.expires_at <= ctx.now };
    else if (schema === 'customer' && tree?.get('cash_balance') && typeof data.id === 'string')
      data = { ...data, cash_balance: cashBalanceView(ctx, data.id) };
    // A tax registration is scheduled, active or expired by the clock.
    else if (schema === 'tax.registration') data = { ...data, status: registrationStatus(ctx, data) };
    // Where Stripe Tax places the customer, as their addresses say now.
    if (schema === 'customer' && tree?.get('tax')) data = { ...data, tax: customerTax(ctx, data) };
    if (registry.inlineListOf({ k: 'object', name: schema })) return this.listObject(ctx, data, schema, tree);
    const info = registry.resource(schema);
    const out: JsonObject = {};
    // `id` and `object` first, as Stripe sends them (`object` is the payload of an event's data).
    if (typeof data.id === 'string') out.id = data.id;
    if (typeof data.object === 'string') out.object = data.object;
    const absent = absentFrom(schema, data);
    for (const prop of model.props) {
      const name = prop.name;
      if (name in out) continue;
      const subtree = tree?.get(name);
      if (!subtree && isIncludable(schema, name)) continue;
      const list = info?.inlineLists.find((l) => l.prop === prop);
      // A computed object (a preview) holds its list; a stored one's is built from its children.
      if (list && typeof data.id === 'string' && !isObject(data[name])) {
        if (prop.required || subtree)
          out[name] = this.inlineList(ctx, data.id, schema, name, list.items, subtree?.get('data'));
        else if (prop.nullable) out[name] = null;
        continue;
      }
      const value = data[name];
      if (absent?.includes(name)) continue;
      if (value === undefined) {
        if (prop.required || prop.nullable) out[name] = defaultFor(ctx, schema, prop, 0);
        continue;
      }
      out[name] = value === null ? null : this.value(ctx, value, prop.type, subtree);
    }
    const extra = VERSION_EXTRA[schema];
    if (extra)
      for (const [name, value] of Object.entries(extra))
        out[name] = data[name] ?? (typeof value === 'function' ? value(out, ctx) : value);
    // Keys the schema does not know (a rule's), as stored; includable ones stay out unless expanded.
    for (const key of Object.keys(data))
      if (!(key in out) && !absent?.includes(key) && !registry.prop(schema, key)) out[key] = data[key]!;
    if (isObject(out.previous_attributes) && isObject(out.object))
      out.previous_attributes = this.previous(ctx, out.previous_attributes, out.object);
    return out;
  }

  /** An event's `previous_attributes`: each value rendered as the property of its object. */
  private previous(ctx: Ctx, previous: JsonObject, object: JsonObject): JsonObject {
    const resource = typeof object.object === 'string' ? this.resourceOfObject(object.object) : undefined;
    if (!resource) return previous;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(previous)) {
      const prop = this.api.registry.prop(resource, key);
      out[key] = prop && value !== null ? this.value(ctx, value, prop.type, undefined) : value;
    }
    return out;
  }

  /** A list object held inline by a sub-object (not built from children): its items rendered. */
  private listObject(ctx: Ctx, data: JsonObject, schema: string, tree: ExpandTree | undefined): JsonObject {
    const items = this.api.registry.prop(schema, 'data');
    if (!items || !Array.isArray(data.data)) return data;
    return { ...data, data: this.value(ctx, data.data, items.type, tree?.get('data')) };
  }

  /** A stored entry as a response object. */
  entry(ctx: Ctx, entry: Entry, tree: ExpandTree | undefined): JsonObject {
    const data = this.rules[entry.resource]?.reading?.(ctx, entry) ?? entry.data;
    return this.object(ctx, data, entry.resource, tree);
  }

  private value(ctx: Ctx, value: Json, type: OutType, tree: ExpandTree | undefined): Json {
    const registry = this.api.registry;
    switch (type.k) {
      case 'ref': {
        if (typeof value === 'string') {
          if (!tree) return value;
          const targets = registry.resourcesOf(type);
          // A stored object, or one a stored object stands for (a saved card as a payment method).
          const found = findOrView(ctx, this.rules, targets, value);
          if (found) return this.entry(ctx, found, tree);
          const held = heldElsewhere(ctx, targets, value);
          if (held) return this.entry(ctx.within(held.scope), held.entry, tree);
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
      case 'json':
        return isObject(value) ? this.embedded(ctx, value) : value;
      default:
        return value;
    }
  }

  /** An object kept whole in a free-form property (an event's `data.object`), rendered as its resource. */
  private embedded(ctx: Ctx, value: JsonObject): JsonObject {
    if (typeof value.object !== 'string' || value.object === 'list') return value;
    const resource = this.resourceOfObject(value.object);
    return resource && value.deleted !== true ? this.object(ctx, value, resource, undefined) : value;
  }

  private resourceOfObject(object: string): string | undefined {
    if (!this.byObject) {
      this.byObject = new Map();
      for (const info of this.api.registry.resources.values())
        if (!this.byObject.has(info.object)) this.byObject.set(info.object, info.name);
    }
    return this.byObject.get(object);
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
      const filter = this.rules[item]?.defaultListFilter?.({}, true);
      if (filter) children = children.filter((c) => c.resource !== item || filter(c));
    }
    if (items.some((item) => this.rules[item]?.ascending)) children.reverse();
    const template = this.api.listUrl(resource, prop);
    return {
      object: 'list',
      data: children.slice(0, DEFAULT_PAGE_SIZE).map((child) => this.entry(ctx, child, tree)),
      has_more: children.length > DEFAULT_PAGE_SIZE,
      url: template ? template.replace('{}', id) : '',
    };
  }
}
