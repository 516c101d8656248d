/**
 * Estimates how many Stripe calls an operation may make, from its shape alone, before anything
 * runs, reading the table the resolvers and the expand planner read (src/schema/plans.ts):
 * - a field with a fetch plan (`stripePlan`) is a call per parent object (a retrieve, `node`, a
 *   reference), or ceil(size / 100) calls per parent for a connection (`shape: 'pages'`, size is
 *   `first` or `last`, default 10; its `edges` and `nodes` multiply everything below them by
 *   size), or a call per item of a list argument (`perItemOf`, federation's `_entities`);
 * - unless it is read from its parent's object (`stripeWire`: an expandable reference, an inline
 *   list whose page answers the arguments) within Stripe's four expand levels below the request
 *   that fetched its parent: then the planner folds it into that request's `expand[]` and it
 *   costs nothing. Nothing under a union with several members is assumed folded (the planner
 *   keeps only paths valid for every member).
 * A reference whose plan says `batch` (products: `GET /v1/products?ids[]=…`) is read for many
 * parents at once: the parents that one upstream response delivers are resolved before the
 * session's loader dispatches, so each such response costs at most a list call per 100 parents.
 * Other list fields multiply what is below them by the default list size (Stripe's embedded lists
 * hold up to 10 items). Fragments on different types are all counted, so the estimate is an upper
 * bound: loaders that de-duplicate or fold expansions only ever make fewer calls
 * (test/server/estimate-bound.test.ts checks it on random queries).
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLIncludeDirective,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  isAbstractType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

import { inlinePageAnswers } from '../loaders/expand.ts';
import { type FetchPlan, planOf, type WireFacts, wireOf } from '../schema/plans.ts';
import { DEFAULT_PAGE_SIZE, MAX_EXPAND_DEPTH, MAX_PAGE_SIZE } from '../spec/stripe.ts';

/** Stripe's page size: a connection of `first: n` fetches ceil(n / 100) pages. */
export const STRIPE_PAGE_SIZE = MAX_PAGE_SIZE;
/** Items assumed for a connection without `first`/`last` and for other lists. */
export const DEFAULT_LIST_SIZE = DEFAULT_PAGE_SIZE;

export interface PageSizeUse {
  /** response path of the connection field, e.g. `customers` or `customer.invoices` */
  path: string;
  argument: 'first' | 'last';
  value: number;
}

export interface CostEstimate {
  /** Upper bound of the Stripe calls the operation makes. */
  upstreamCalls: number;
  /** Every explicit `first`/`last` on a connection field. */
  pageSizes: PageSizeUse[];
}

/**
 * What identifies a plain read's request: a read by id alone is its operation and the id, so that
 * `customer(id: X)` and `node(id: X)` are one request; anything else, its field and arguments.
 */
function readKey(name: string, args: Record<string, unknown>, plan: FetchPlan | undefined): string {
  const id = args.id;
  if (typeof id === 'string' && Object.keys(args).length === 1 && plan?.operation !== undefined) {
    const operation = plan.operation === 'node' ? plan.retrieveOf?.(id) : plan.operation;
    if (operation !== undefined) return `${operation}#${id}`;
  }
  return `${name}(${JSON.stringify(args)})`;
}

/** The estimator folds no deeper than the planner does. */
const MAX_FOLD_DEPTH = MAX_EXPAND_DEPTH;

/**
 * Whether a field read from its parent's object at `fold` segments below its fetching ancestor is
 * answered by that request: within Stripe's expand depth and, for an inline list, when its
 * embedded page answers the arguments (the rule the planner and the resolver apply).
 */
function foldable(wire: WireFacts, args: Record<string, unknown>, fold: number): boolean {
  if (fold + 1 > MAX_FOLD_DEPTH) return false;
  return wire.fold !== 'list' || inlinePageAnswers(args);
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variables: Readonly<Record<string, unknown>>;
  pageSizes: PageSizeUse[];
  /** root fields of a mutation cost a call each even without `stripeCost` */
  mutation: boolean;
  /**
   * Cost of a fragment by fragment, type, connection size, multiplier and responses: each fragment
   * is walked once per context however often it is spread (without this, fragments spreading the
   * next one twice are exponential).
   */
  fragmentCosts: Map<string, number>;
  /** Fields assumed folded (and fragments spread) so far: a read with none below it sends no expand[]. */
  folds: number;
}

function skipped(node: { directives?: readonly unknown[] | undefined }, walk: Walk): boolean {
  if (!node.directives || node.directives.length === 0) return false;
  try {
    const n = node as FieldNode;
    if (getDirectiveValues(GraphQLSkipDirective, n, walk.variables)?.if === true) return true;
    if (getDirectiveValues(GraphQLIncludeDirective, n, walk.variables)?.if === false) return true;
  } catch {
    // An invalid directive argument fails execution anyway; count the selection.
  }
  return false;
}

function argumentsOf(
  parent: GraphQLObjectType,
  field: FieldNode,
  walk: Walk,
): { def: ReturnType<GraphQLObjectType['getFields']>[string]; args: Record<string, unknown> } | undefined {
  const def = parent.getFields()[field.name.value];
  if (!def) return undefined;
  try {
    return { def, args: getArgumentValues(def, field, walk.variables) };
  } catch {
    // Invalid arguments fail execution before any resolver runs.
    return { def, args: {} };
  }
}

function pageSizeOf(args: Record<string, unknown>, path: string, walk: Walk): number {
  for (const argument of ['first', 'last'] as const) {
    const value = args[argument];
    if (typeof value === 'number') {
      walk.pageSizes.push({ path, argument, value });
      return Math.max(0, value);
    }
  }
  return DEFAULT_LIST_SIZE;
}

/**
 * Where a selection sits relative to the nearest field that fetches from Stripe: how many `expand[]`
 * path segments deep (so a reference or inline list there can be folded into that request), or
 * undefined where nothing can be folded.
 */
type FoldDepth = number | undefined;

/**
 * Calls for a batched read under `parents` objects that arrived in `responses` upstream responses:
 * each response's parents are loaded together, a list call per page of ids, and never more calls
 * than parents (the sum over responses of ceil(n / 100) is at most ceil(N / 100) + responses - 1).
 */
function batchedCalls(parents: number, responses: number): number {
  if (parents <= 0) return 0;
  return Math.min(parents, Math.ceil(parents / STRIPE_PAGE_SIZE) + Math.max(1, responses) - 1);
}

function selectionCost(
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType,
  multiplier: number,
  connectionSize: number | undefined,
  path: string,
  walk: Walk,
  fragmentStack: readonly string[],
  fold: FoldDepth = undefined,
  /** upstream responses that deliver the objects at this level (each resolves them at once) */
  responses = 1,
): number {
  let total = 0;
  const plainReads = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (skipped(selection, walk)) continue;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition
        ? walk.schema.getType(selection.typeCondition.name.value)
        : parent;
      total += selectionCost(
        selection.selectionSet,
        condition ?? parent,
        multiplier,
        connectionSize,
        path,
        walk,
        fragmentStack,
        fold,
        responses,
      );
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value;
      const fragment = walk.fragments[name];
      if (!fragment || fragmentStack.includes(name)) continue;
      // A memoised fragment is not walked again: count it as possibly folding. The memo is per
      // multiplier and responses too, since a batched read inside costs less than linearly in them
      // (a fragment bomb still walks each fragment once per distinct context, not once per spread).
      walk.folds += 1;
      const condition = walk.schema.getType(fragment.typeCondition.name.value) ?? parent;
      const key = `${name}\0${condition.name}\0${connectionSize ?? ''}\0${path === '' ? 'root' : ''}\0${fold ?? ''}\0${multiplier}\0${responses}`;
      let cost = walk.fragmentCosts.get(key);
      if (cost === undefined) {
        // Page sizes inside are recorded once, under the path of the first spread.
        cost = selectionCost(
          fragment.selectionSet,
          condition,
          multiplier,
          connectionSize,
          path,
          walk,
          [...fragmentStack, name],
          fold,
          responses,
        );
        walk.fragmentCosts.set(key, cost);
      }
      total += cost;
      continue;
    }
    const name = selection.name.value;
    // Introspection and __typename never call Stripe.
    if (name.startsWith('__')) continue;
    if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
    const found = argumentsOf(parent as GraphQLObjectType, selection, walk);
    if (!found) continue;
    const { def, args } = found;
    const key = selection.alias?.value ?? name;
    const fieldPath = path === '' ? key : `${path}.${key}`;
    const plan = planOf(def);
    const wire = wireOf(def);
    const paged = plan?.shape === 'pages';
    const fieldType = getNamedType(def.type);

    let own = 0;
    let pageSize: number | undefined;
    let items: number | undefined;
    // Where this field's children sit for folding: below a field that fetches, or deeper below
    // the request this field was folded into. A sub-object read from its parent's object is one
    // more segment of the expand path; a connection's own fields (edges, nodes, node) are not on
    // the wire; any other field folds nothing below it (the planner does not walk it either).
    const wrapper = parent.extensions?.stripeWrapper === true;
    let childFold: FoldDepth =
      plan || fold === undefined ? undefined : wrapper ? fold : wire ? fold + 1 : undefined;
    if (plan?.perItemOf) {
      // One read per distinct item (the session's loader de-duplicates identical ones), each with
      // what is selected below it folded into its own expand[] when its plan says it takes one.
      const list = args[plan.perItemOf];
      items = Array.isArray(list)
        ? new Set(list.map((item) => JSON.stringify(item))).size
        : DEFAULT_LIST_SIZE;
      own = items;
      childFold = plan.expand ? 0 : undefined;
    } else if (
      plan &&
      wire?.fold &&
      fold !== undefined &&
      foldable(wire, args, fold) &&
      !plan.unretrievable
    ) {
      // Folded into the parent's request (the planner asks for it exactly then): no call of its
      // own. A reference with no retrieve (`application_fee.application`) may come back a bare
      // id even when expanded, and the resolver re-reads its parent: it is counted as a call.
      walk.folds += 1;
      if (paged) pageSize = pageSizeOf(args, fieldPath, walk);
      childFold = wire.fold === 'list' && !wire.array ? fold + 2 : fold + 1;
    } else if (paged) {
      pageSize = pageSizeOf(args, fieldPath, walk);
      own = Math.ceil(pageSize / STRIPE_PAGE_SIZE);
      childFold = plan?.expand ? 1 : undefined;
    } else if (plan) {
      own = 1;
      childFold = plan.expand ? 0 : undefined;
    } else if (walk.mutation && path === '') {
      own = 1;
    }
    const calls = plan?.batch ? batchedCalls(multiplier * own, responses) : multiplier * own;
    total += calls;
    // Objects below a field that calls arrive with its responses; below a folded one, with its parent's.
    const childResponses = own > 0 ? Math.max(1, calls) : responses;
    const foldsBefore = walk.folds;

    if (!selection.selectionSet) continue;
    // Stripe refuses an expand path not valid for every member of a union: nothing under an
    // abstract field with several members is assumed folded.
    if (
      childFold !== undefined &&
      !plan?.perItemOf &&
      isAbstractType(fieldType) &&
      walk.schema.getPossibleTypes(fieldType).length > 1
    ) {
      childFold = undefined;
    }
    let childMultiplier = multiplier;
    if (items !== undefined) {
      childMultiplier = multiplier * items;
    } else if (connectionSize !== undefined && (name === 'edges' || name === 'nodes')) {
      childMultiplier = multiplier * connectionSize;
    } else if (isListType(getNullableType(def.type))) {
      childMultiplier = multiplier * DEFAULT_LIST_SIZE;
    }
    const childCost = selectionCost(
      selection.selectionSet,
      fieldType,
      childMultiplier,
      pageSize,
      fieldPath,
      walk,
      fragmentStack,
      childFold,
      childResponses,
    );
    total += childCost;
    // Two reads of one object with the same arguments and nothing folded below them send the same
    // request, which the session's loader makes once (`a: customer(id: X) { email } b: customer(id: X)`).
    if (
      own > 0 &&
      multiplier === 1 &&
      plan !== undefined &&
      !paged &&
      !plan.perItemOf &&
      childCost === 0 &&
      walk.folds === foldsBefore
    ) {
      const key = readKey(name, args, plan);
      if (plainReads.has(key)) total -= own;
      else plainReads.add(key);
    }
  }
  return total;
}

/**
 * The estimate for one operation. `variables` must be coerced values (getVariableValues); fields
 * with invalid arguments are still counted, with their defaults.
 */
export function estimateCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>>,
): CostEstimate {
  const root = schema.getRootType(operation.operation);
  const walk: Walk = {
    schema,
    fragments,
    variables,
    pageSizes: [],
    mutation: operation.operation === 'mutation',
    fragmentCosts: new Map(),
    folds: 0,
  };
  if (!root) return { upstreamCalls: 0, pageSizes: [] };
  const upstreamCalls = selectionCost(operation.selectionSet, root, 1, undefined, '', walk, []);
  return { upstreamCalls, pageSizes: walk.pageSizes };
}
