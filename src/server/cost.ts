/**
 * Estimates how many Stripe calls an operation may make, from its shape alone, before anything
 * runs. Fields that call Stripe say so in `extensions.stripeCost` (src/schema):
 * - `{ calls: n }`: n calls per parent object (retrieve, node, expandable references);
 * - `{ paged: true }`: a connection, ceil(size / 100) calls per parent, where size is `first` or
 *   `last` (default 10); its `edges` and `nodes` multiply everything below them by size.
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
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Stripe's page size: a connection of `first: n` fetches ceil(n / 100) pages. */
export const STRIPE_PAGE_SIZE = 100;
/** Items assumed for a connection without `first`/`last` and for other lists. */
export const DEFAULT_LIST_SIZE = 10;

export interface StripeCost {
  calls?: number;
  paged?: boolean;
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

interface Walk {
  schema: GraphQLSchema;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variables: Readonly<Record<string, unknown>>;
  pageSizes: PageSizeUse[];
  /** root fields of a mutation cost a call each even without `stripeCost` */
  mutation: boolean;
  /**
   * Cost of a fragment per unit multiplier, by fragment, type and connection size: the cost is
   * linear in the multiplier, so each fragment is walked once per context however often it is
   * spread (without this, fragments spreading the next one twice are exponential).
   */
  fragmentCosts: Map<string, number>;
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

function selectionCost(
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType,
  multiplier: number,
  connectionSize: number | undefined,
  path: string,
  walk: Walk,
  fragmentStack: readonly string[],
): number {
  let total = 0;
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
      );
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value;
      const fragment = walk.fragments[name];
      if (!fragment || fragmentStack.includes(name)) continue;
      const condition = walk.schema.getType(fragment.typeCondition.name.value) ?? parent;
      const key = `${name}\0${condition.name}\0${connectionSize ?? ''}\0${path === '' ? 'root' : ''}`;
      let unit = walk.fragmentCosts.get(key);
      if (unit === undefined) {
        // Page sizes inside are recorded once, under the path of the first spread.
        unit = selectionCost(fragment.selectionSet, condition, 1, connectionSize, path, walk, [
          ...fragmentStack,
          name,
        ]);
        walk.fragmentCosts.set(key, unit);
      }
      if (unit !== 0) total += multiplier * unit;
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

    let own = 0;
    let pageSize: number | undefined;
    if (cost?.paged) {
      pageSize = pageSizeOf(args, fieldPath, walk);
      own = Math.ceil(pageSize / STRIPE_PAGE_SIZE);
    } else if (typeof cost?.calls === 'number') {
      own = cost.calls;
    } else if (walk.mutation && path === '') {
      own = 1;
    }
    total += multiplier * own;

    if (!selection.selectionSet) continue;
    let childMultiplier = multiplier;
    if (connectionSize !== undefined && (name === 'edges' || name === 'nodes')) {
      childMultiplier = multiplier * connectionSize;
    } else if (isListType(getNullableType(def.type))) {
      childMultiplier = multiplier * DEFAULT_LIST_SIZE;
    }
    total += selectionCost(
      selection.selectionSet,
      getNamedType(def.type),
      childMultiplier,
      pageSize,
      fieldPath,
      walk,
      fragmentStack,
    );
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
  };
  if (!root) return { upstreamCalls: 0, pageSizes: [] };
  const upstreamCalls = selectionCost(operation.selectionSet, root, 1, undefined, '', walk, []);
  return { upstreamCalls, pageSizes: walk.pageSizes };
}
