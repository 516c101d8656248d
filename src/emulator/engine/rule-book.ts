/**
 * Business rules: what the spec does not say (state machines, totals, default sources). Generic
 * handlers call these hooks by resource; every hook is optional.
 */
import type { Ctx } from './context.ts';
import type { Json, JsonObject } from './json.ts';
import type { Route } from './routes.ts';
import type { Entry } from './store.ts';

export interface CreateInput {
  params: JsonObject;
  /** the object the route is nested under (`/v1/customers/{customer}/sources` → the customer) */
  parent?: Entry;
  route?: Route;
}

export type Predicate = (entry: Entry) => boolean;

export interface ResourceRules {
  /**
   * A stored object as a read shows it, when part of it mirrors another object that may have
   * changed since it was stored (a subscription item's price, archived or renamed).
   */
  reading?(ctx: Ctx, entry: Entry): JsonObject;
  /** Replaces the generic create (polymorphic creates such as customer sources). */
  create?(ctx: Ctx, input: CreateInput): Entry;
  /** Adjusts a new object (with its id) before it is stored; may store related objects. */
  beforeCreate?(ctx: Ctx, draft: JsonObject, input: CreateInput): void;
  /** Runs once the object is stored. */
  afterCreate?(ctx: Ctx, entry: Entry, input: CreateInput): void;
  /** Adjusts an update (params already applied to `draft`); may throw to refuse it. */
  beforeUpdate?(ctx: Ctx, draft: JsonObject, params: JsonObject, entry: Entry): void;
  afterUpdate?(ctx: Ctx, entry: Entry, params: JsonObject, before: Entry): void;
  /** Runs before the generic delete: refuses by throwing, or cascades. */
  beforeDelete?(ctx: Ctx, entry: Entry): void;
  afterDelete?(ctx: Ctx, entry: Entry): void;
  /**
   * Replaces the generic delete of an object Stripe detaches rather than deletes, answering with
   * the live object (a customer's `src_…` Source comes back `consumed`).
   */
  detach?(ctx: Ctx, entry: Entry): Entry;
  /** Replaces the generic delete for deletes that answer with the live object (subscription cancel). */
  cancel?(ctx: Ctx, entry: Entry, params: JsonObject): Entry;
  /** Actions by verb (`pay`, `finalize`); the generic action only copies params onto the object. */
  actions?: Readonly<Record<string, (ctx: Ctx, entry: Entry, params: JsonObject) => Entry>>;
  /** Path-addressed objects the generic lookup cannot find (`/v1/account`, `/v1/invoices/upcoming`). */
  singleton?(
    ctx: Ctx,
    route: Route,
    parents: readonly Entry[],
    params: JsonObject,
  ): JsonObject | Entry | undefined;
  /**
   * An object for an id the store does not hold: Stripe's magic test ids (`pm_card_visa` becomes a
   * new payment method), a capability not requested yet. Undefined when the id means nothing.
   */
  materialize?(ctx: Ctx, id: string, parent: Entry | undefined): Entry | undefined;
  /**
   * An object of this resource that another stored object stands for, made on each read and never
   * stored (a plan seen as a price, a saved card as a payment method): what a retrieve answers and
   * what a reference holding that id expands to. Undefined when the id is not one.
   */
  view?(ctx: Ctx, id: string): Entry | undefined;
  /**
   * The views a list of this resource owned by `owner` also holds (a customer's saved cards among
   * its payment methods): filtered, ordered and paged with the stored members.
   */
  viewsOwnedBy?(ctx: Ctx, owner: Entry): Entry[];
  /** A filter for a list parameter that is not a prop of the same name; undefined when unknown. */
  listFilter?(name: string, value: Json, ctx: Ctx): Predicate | undefined;
  /**
   * Applied to lists (and inline lists) when none of `params` overrides it: subscriptions hide
   * canceled ones. `nested`: the list is a parent's (`/v1/customers/{c}/tax_ids`, an inline list),
   * not the resource's own top-level list.
   */
  defaultListFilter?(params: JsonObject, nested: boolean): Predicate | undefined;
  /** Lists oldest first (invoice lines, subscription items) rather than newest first. */
  ascending?: boolean;
}

export type RuleBook = Readonly<Record<string, ResourceRules>>;

/**
 * The object of one of `resources` an id names: a stored one, else one a stored object stands for
 * (a rule's `view`: a plan as a price, a saved card as a payment method).
 */
export function findOrView(
  ctx: Ctx,
  rules: RuleBook,
  resources: readonly string[],
  id: string,
): Entry | undefined {
  const found = ctx.find(id, resources);
  if (found) return found;
  for (const resource of resources) {
    const view = rules[resource]?.view?.(ctx, id);
    if (view) return view;
  }
  return undefined;
}
