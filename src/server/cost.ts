/**
 * Estimates how many Stripe calls an operation may make, from its shape alone, before anything
 * runs. It reads the fields' fetch plans (`extensions.stripePlan`, src/schema/plans.ts): a reference
 * or inline list that the planner folds into its fetching ancestor's `expand[]` (within Stripe's
 * four levels, never under a union with several members) costs no call. Fields that call Stripe
 * say what they cost in `extensions.stripeCost`:
 * - `{ calls: n }`: n calls per parent object (retrieve, node, expandable references);
 * - `{ paged: true }`: a connection, ceil(size / 100) calls per parent, where size is `first` or
 *   `last` (default 10); its `edges` and `nodes` multiply everything below them by size;
 * - `{ perItemOf: arg }`: a call per item of a list argument, each multiplying what is below.
 * A reference whose plan says `batch` (products: `GET /v1/products?ids[]=…`) is read for many
 * parents at once: the parents that one upstream response delivers are resolved before the
 * session's loader dispatches, so each such response costs at most a list call per 100 parents.
 * Other list fields multiply what is below them by the default list size (Stripe's embedded lists
 * hold up to 10 items). Fragments on different types are all counted, so the estimate is an upper
 * bound: loaders that de-duplicate or fold expansions only ever make fewer calls.
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

import { DEFAULT_PAGE_SIZE, MAX_EXPAND_DEPTH, MAX_PAGE_SIZE } from '../spec/stripe.ts';

/** Stripe's page size: a connection of `first: n` fetches ceil(n / 100) pages. */
export const STRIPE_PAGE_SIZE = MAX_PAGE_SIZE;
/** Items assumed for a connection without `first`/`last` and for other lists. */
export const DEFAULT_LIST_SIZE = DEFAULT_PAGE_SIZE;

export interface StripeCost {
  calls?: number;
  paged?: boolean;
  /**
   * A call per item of this list argument, and each item multiplies what is below the field
   * (federation's `_entities(representations:)`, src/schema/federation.ts).
   */
  perItemOf?: string;
}

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

export function stripeCostOf(
  extensions: Readonly<Record<string, unknown>> | null | undefined,
): StripeCost | undefined {
  const cost = extensions?.stripeCost;
  if (typeof cost !== 'object' || cost === null) return undefined;
  return cost as StripeCost;
}

/** What a field's fetch plan (src/schema/plans.ts) tells the estimator. */
interface PlanFacts {
  /** the operation id (`node` picks one per id: `retrieveOf`) */
  operation?: string;
  retrieveOf?: (id: string) => string | undefined;
  /** the field reads this parent property when the parent's request expanded it */
  fold?: string;
  /** the field's own request takes `expand[]` */
  expand?: boolean;
  /** reads for many parents share list calls of up to a page of ids */
  batch?: boolean;
  /** no target has a retrieve: may cost a re-read of the parent even when folded */
  unretrievable?: boolean;
}

function planOf(extensions: Readonly<Record<string, unknown>> | null | undefined): PlanFacts | undefined {
  const plan = extensions?.stripePlan;
  return typeof plan === 'object' && plan !== null ? (plan as PlanFacts) : undefined;
}

/**
 * What identifies a plain read's request: a read by id alone is its operation and the id, so that
 * `customer(id: X)` and `node(id: X)` are one request; anything else, its field and arguments.
 */
function readKey(name: string, args: Record<string, unknown>, plan: PlanFacts | undefined): string {
  const id = args.id;
  if (typeof id === 'string' && Object.keys(args).length === 1 && plan?.operation !== undefined) {
    const operation = plan.operation === 'node' ? plan.retrieveOf?.(id) : plan.operation;
    if (operation !== undefined) return `${operation}#${id}`;
  }
  return `${name}(${JSON.stringify(args)})`;
}

/** The estimator folds no deeper than the planner does. */
const MAX_FOLD_DEPTH = MAX_EXPAND_DEPTH;
/** Items Stripe embeds in an inline list. */
const INLINE_PAGE_SIZE = DEFAULT_PAGE_SIZE;

/**
 * Whether a field with a fold plan at `fold` segments below its fetching ancestor is answered by
 * that request: within Stripe's expand depth and, for an inline list, asked for its first page only.
 */
function foldable(args: Record<string, unknown>, fold: number): boolean {
  if (fold + 1 > MAX_FOLD_DEPTH) return false;
  const list = args.first !== undefined || args.last !== undefined || 'after' in args;
  if (!list && Object.keys(args).length === 0) return true;
  if (args.after != null || args.before != null || args.last != null) return false;
  const first = typeof args.first === 'number' ? args.first : INLINE_PAGE_SIZE;
  const filters = Object.keys(args).filter(
    (k) => !['first', 'after', 'last', 'before'].includes(k) && args[k] != null,
  );
  return first <= INLINE_PAGE_SIZE && filters.length === 0;
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
    const cost = stripeCostOf(def.extensions);
    const plan = planOf(def.extensions);
    const fieldType = getNamedType(def.type);

    let own = 0;
    let pageSize: number | undefined;
    let items: number | undefined;
    // Where this field's children sit for folding: below a field that fetches, or deeper below
    // the request this field was folded into.
    // A plain object property is one more segment of the expand path; a connection's own fields
    // (edges, nodes, node) are not on the wire.
    const wrapper = parent.extensions?.stripeWrapper === true;
    let childFold: FoldDepth = plan || fold === undefined ? undefined : wrapper ? fold : fold + 1;
    if (cost?.perItemOf) {
      // One read per distinct item (the session's loader de-duplicates identical ones), each with
      // what is selected below it folded into its own expand[] when its plan says it takes one.
      const list = args[cost.perItemOf];
      items = Array.isArray(list)
        ? new Set(list.map((item) => JSON.stringify(item))).size
        : DEFAULT_LIST_SIZE;
      own = items;
      childFold = plan?.expand ? 0 : undefined;
    } else if (
      plan?.fold !== undefined &&
      fold !== undefined &&
      foldable(args, fold) &&
      // A reference with no retrieve of its own (`application_fee.application`) may come back a
      // bare id even when expanded; the resolver then re-reads its parent with expand[]: a call.
      !plan.unretrievable
    ) {
      // Folded into the parent's request: no call of its own.
      walk.folds += 1;
      if (cost?.paged) pageSize = pageSizeOf(args, fieldPath, walk);
      childFold = cost?.paged ? fold + 2 : fold + 1;
    } else if (cost?.paged) {
      pageSize = pageSizeOf(args, fieldPath, walk);
      own = Math.ceil(pageSize / STRIPE_PAGE_SIZE);
      childFold = plan?.expand ? 1 : undefined;
    } else if (typeof cost?.calls === 'number') {
      own = cost.calls;
      childFold = plan?.expand ? 0 : undefined;
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
      !cost?.perItemOf &&
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
      cost?.calls !== undefined &&
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
