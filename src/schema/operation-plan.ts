/**
 * The one walk over an operation before it runs. It reads the fetch-plan table on the schema's
 * fields (src/schema/plans.ts: `stripePlan` on a field that calls Stripe, `stripeWire` on one read
 * from its parent's Stripe object) and yields, in one pass:
 * - the estimate of the Stripe calls the operation may make (an upper bound, src/server/cost.ts),
 * - for each field node that calls Stripe, the call it makes (`PlannedCall`: its operation, shape,
 *   coerced arguments) with the `expand[]` that folds what is selected below it.
 * A field is folded into the request of its fetching ancestor exactly where that request's
 * `expand[]` names it, so the estimate and the calls agree by construction:
 * - a reference (`fold: 'reference'`) or an inline list whose embedded page answers the arguments
 *   (`fold: 'list'`, `inlinePageAnswers`) within Stripe's four expand levels (a list's `data.`
 *   counts) costs no call and adds its path; what is selected below it continues the path;
 * - a sub-object read from its parent's object is one more segment; the Relay wrappers (`edges`,
 *   `nodes`, `node`) add none;
 * - under a union or interface with several members nothing is folded (Stripe refuses a path that
 *   is not valid for the object it meets), and nothing under a field that calls without `expand[]`.
 * Otherwise a field with a plan is a call per parent object (a retrieve, `node`, a reference), or
 * ceil(size / 100) calls per parent for a connection (`shape: 'pages'`, size is `first` or `last`,
 * default 10; its `edges` and `nodes` multiply everything below them by size), or a call per
 * distinct item of a list argument (`perItemOf`, federation's `_entities`). A batched reference
 * (`batch`: `GET /v1/products?ids[]=…`) costs at most a list call per 100 parents of each upstream
 * response. Other list fields multiply what is below them by the default list size. Fragments on
 * types an object cannot have are skipped; on an abstract type, every fragment is counted.
 *
 * Each fragment is walked once per context (type, fold position, multiplier, responses) however
 * often it is spread, and its paths are kept relative to where it is spread: linear in the document.
 *
 * The request's sessions carry the plan (`session.plans.current`, set by the limits plugin before
 * execution), so that anything that wants to start calls early can read them: `calls` maps each
 * field node that calls Stripe to its operation, shape and arguments, known up front.
 * The resolvers read their `expand[]` from it (`plannedExpand`); where there is
 * none (an operation run without the gateway's limits plugin, a subscription's event, `node(id:)`
 * or `_entities` planning for the concrete type a value turned out to have), `planSelection` runs
 * the same walk over the field's selection alone.
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLNamedType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_EXPAND_DEPTH, MAX_PAGE_SIZE } from '../spec/stripe.ts';
import { isListOf } from './abstract.ts';
import { accountProperty, type FetchPlan, planOf, type WireFacts, wireOf } from './plans.ts';

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

/** The call a field node that reads Stripe makes, known before execution. */
export interface PlannedCall {
  /** response path where the walk first met it (`customers`, `customer.invoices`) */
  readonly path: string;
  /** the field's fetch plan: its operation, one object or pages, batching, account */
  readonly plan: FetchPlan;
  /** the field's coerced arguments (the wire parameters are derived from them) */
  readonly args: Readonly<Record<string, unknown>>;
  /** the GraphQL type the call's object (or connection) has, which `expand` was planned for */
  readonly typeName: string;
  /** `expand[]` for what is selected below the field (`data.`-prefixed for pages) */
  readonly expand: readonly string[];
}

/** One operation's plan: its estimate and, per field node that calls Stripe, the call. */
export interface OperationPlan {
  readonly operation: OperationDefinitionNode;
  readonly estimate: CostEstimate;
  readonly calls: ReadonlyMap<FieldNode, PlannedCall>;
}

/**
 * Whether the first page Stripe embeds in its parent (up to 10 items) answers a connection asked
 * with `args`: no cursor, no `last`, no filter, and `first` within the embedded page. The walk
 * folds such a connection (and what its items select) into the parent's request, and the
 * resolver serves it from there.
 */
export function inlinePageAnswers(args: Readonly<Record<string, unknown>>): boolean {
  if (args.after != null || args.before != null || args.last != null) return false;
  const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
  if (first > DEFAULT_PAGE_SIZE) return false;
  return Object.keys(args).every((k) => ['first', 'after', 'last', 'before'].includes(k) || args[k] == null);
}

/**
 * Where a selection sits below the request of its nearest fetching ancestor: `depth` expand
 * segments deep, paths written as `prefix` + field into `into`. Undefined where nothing folds.
 */
interface At {
  depth: number;
  prefix: string;
  into: string[];
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variables: Readonly<Record<string, unknown>>;
  pageSizes: PageSizeUse[];
  /** root fields of a mutation cost a call each even without a plan */
  mutation: boolean;
  /** a fragment's calls and paths (relative to its spread) by fragment and context */
  memo: Map<string, { calls: number; paths: readonly string[] }>;
  /** fields folded (and fragments spread) so far: a read with none below it sends no expand[] */
  folds: number;
  /** the calls recorded, when planning a whole operation */
  calls: Map<FieldNode, PlannedCall> | undefined;
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

function argumentsOf(def: GraphQLField<unknown, unknown>, node: FieldNode, walk: Walk) {
  if (!node.arguments || node.arguments.length === 0) return {};
  try {
    return getArgumentValues(def, node, walk.variables);
  } catch {
    // Invalid arguments fail the field before it resolves: counted with its defaults, folding nothing.
    return { after: 'invalid' };
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
  return DEFAULT_PAGE_SIZE;
}

/**
 * Calls for a batched read under `parents` objects that arrived in `responses` upstream responses:
 * each response's parents are loaded together, a list call per page of ids, and never more calls
 * than parents (the sum over responses of ceil(n / 100) is at most ceil(N / 100) + responses - 1).
 */
function batchedCalls(parents: number, responses: number): number {
  if (parents <= 0) return 0;
  return Math.min(parents, Math.ceil(parents / MAX_PAGE_SIZE) + Math.max(1, responses) - 1);
}

/** An abstract type with one member is that member; others stay as they are. */
function concrete(schema: GraphQLSchema, type: GraphQLNamedType): GraphQLNamedType {
  if (!isAbstractType(type)) return type;
  const members = schema.getPossibleTypes(type);
  return members.length === 1 ? members[0]! : type;
}

/** Several members: Stripe would refuse a path not valid for all of them, so nothing folds below. */
function several(schema: GraphQLSchema, type: GraphQLNamedType): boolean {
  return isAbstractType(type) && schema.getPossibleTypes(type).length > 1;
}

/**
 * The type a fragment on `condition` is walked as under `parent`, or undefined when it never
 * applies (an object of one type is never of another): below an object, the object itself.
 */
function fragmentType(
  schema: GraphQLSchema,
  parent: GraphQLNamedType,
  conditionName: string | undefined,
): GraphQLNamedType | undefined {
  const condition = conditionName === undefined ? parent : schema.getType(conditionName);
  if (!condition) return undefined;
  if (!isObjectType(parent)) return concrete(schema, condition);
  if (condition === parent) return parent;
  return isAbstractType(condition) && schema.isSubType(condition, parent) ? parent : undefined;
}

/** One more segment below `at`, if Stripe's expand depth allows it. */
function below(at: At | undefined, segment: string): At | undefined {
  if (!at || at.depth + 1 > MAX_EXPAND_DEPTH) return undefined;
  return { depth: at.depth + 1, prefix: `${at.prefix}${segment}.`, into: at.into };
}

/**
 * What identifies a plain read's request: a read by id alone is its operation and the id, so that
 * `customer(id: X)` and `node(id: X)` are one request; anything else, its field and arguments.
 */
function readKey(name: string, args: Record<string, unknown>, plan: FetchPlan): string {
  const id = args.id;
  if (typeof id === 'string' && Object.keys(args).length === 1) {
    const operation = plan.operation === 'node' ? plan.retrieveOf?.(id) : plan.operation;
    if (operation !== undefined) return `${operation}#${id}`;
  }
  return `${name}(${JSON.stringify(args)})`;
}

function selectionCost(
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType,
  multiplier: number,
  connectionSize: number | undefined,
  path: string,
  walk: Walk,
  fragmentStack: readonly string[],
  at: At | undefined,
  /** upstream responses that deliver the objects at this level (each resolves them at once) */
  responses: number,
): number {
  let total = 0;
  const plainReads = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (skipped(selection, walk)) continue;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = fragmentType(walk.schema, parent, selection.typeCondition?.name.value);
      if (!type) continue;
      total += selectionCost(
        selection.selectionSet,
        type,
        multiplier,
        connectionSize,
        path,
        walk,
        fragmentStack,
        at,
        responses,
      );
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value;
      const fragment = walk.fragments[name];
      if (!fragment || fragmentStack.includes(name)) continue;
      const type = fragmentType(walk.schema, parent, fragment.typeCondition.name.value);
      if (!type) continue;
      // A memoised fragment is not walked again: count it as possibly folding.
      walk.folds += 1;
      const key = `${name}\0${type.name}\0${connectionSize ?? ''}\0${path === '' ? 'root' : ''}\0${at?.depth ?? ''}\0${multiplier}\0${responses}`;
      let known = walk.memo.get(key);
      if (known === undefined) {
        // Page sizes and calls inside are recorded once, under the path of the first spread.
        const own = at ? { depth: at.depth, prefix: '', into: [] as string[] } : undefined;
        const calls = selectionCost(
          fragment.selectionSet,
          type,
          multiplier,
          connectionSize,
          path,
          walk,
          [...fragmentStack, name],
          own,
          responses,
        );
        known = { calls, paths: own?.into ?? [] };
        walk.memo.set(key, known);
      }
      if (at) for (const p of known.paths) at.into.push(at.prefix + p);
      total += known.calls;
      continue;
    }
    const name = selection.name.value;
    // Introspection and __typename never call Stripe.
    if (name.startsWith('__')) continue;
    if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
    const def = parent.getFields()[name];
    if (!def) continue;
    const args = argumentsOf(def, selection, walk);
    const key = selection.alias?.value ?? name;
    const fieldPath = path === '' ? key : `${path}.${key}`;
    const plan = planOf(def);
    const wire = wireOf(def);
    const paged = plan?.shape === 'pages';
    const fieldType = concrete(walk.schema, getNamedType(def.type));

    let own = 0;
    let pageSize: number | undefined;
    let items: number | undefined;
    /** where what is selected below sits: folded further into the same request, or a new one */
    let childAt: At | undefined;
    /** the expand[] of this field's own call, when it makes one */
    let calling: At | undefined;
    /** a call made only if Stripe answers the folded reference with its id */
    let maybe = false;
    if (plan?.perItemOf) {
      // One read per distinct item (the session's loader de-duplicates identical ones), each with
      // what is selected below it folded into its own expand[] when its plan says it takes one.
      const list = args[plan.perItemOf];
      items = Array.isArray(list)
        ? new Set(list.map((item) => JSON.stringify(item))).size
        : DEFAULT_PAGE_SIZE;
      own = items;
      if (plan.expand) calling = { depth: 0, prefix: '', into: [] };
    } else if (plan && wire?.fold && at && foldable(wire, args, at.depth)) {
      // Folded into the parent's request: no call of its own.
      walk.folds += 1;
      if (paged) pageSize = pageSizeOf(args, fieldPath, walk);
      if (wire.fold === 'reference' || wire.optIn) at.into.push(at.prefix + wire.wire);
      if (plan.unretrievable) {
        // No retrieve of its own (`credit_note.customer_balance_transaction`): asked for, but
        // Stripe may answer the bare id even so, and the resolver then re-reads the parent with
        // it expanded. Counted as that call (not a planned one), with nothing below it folded.
        own = 1;
        maybe = true;
      } else {
        const here = below(at, wire.wire);
        childAt = wire.fold === 'list' && !wire.array ? below(here, 'data') : here;
      }
    } else if (plan) {
      if (paged) {
        pageSize = pageSizeOf(args, fieldPath, walk);
        own = Math.ceil(pageSize / MAX_PAGE_SIZE);
        // On an account another object names (a reversal's refund, its transfer's destination): a read of that object too.
      } else own = plan.account && accountProperty(plan.account).via ? 2 : 1;
      if (plan.expand)
        calling = paged ? { depth: 1, prefix: 'data.', into: [] } : { depth: 0, prefix: '', into: [] };
    } else if (at && parent.extensions?.stripeWrapper === true) {
      // A connection's own fields (edges, nodes, node) are not on Stripe's wire.
      childAt = at;
    } else if (at && wire) {
      // A sub-object read from its parent's object: one more segment.
      // Sent only when asked for (`customer.sources`, `issuing.card.number`): the path itself.
      if (wire.optIn && at.depth + 1 <= MAX_EXPAND_DEPTH) {
        walk.folds += 1;
        at.into.push(at.prefix + wire.wire);
      }
      childAt = below(at, wire.wire);
    } else if (walk.mutation && path === '') {
      own = 1;
    }
    if (calling) childAt = calling;
    // `_entities` plans each representation as the type it names.
    if (!plan?.perItemOf && several(walk.schema, fieldType)) childAt = undefined;
    const calls = plan?.batch ? batchedCalls(multiplier * own, responses) : multiplier * own;
    total += calls;
    // Objects below a field that calls arrive with its responses; below a folded one, with its parent's.
    const childResponses = own > 0 ? Math.max(1, calls) : responses;
    const foldsBefore = walk.folds;

    let childCost = 0;
    if (selection.selectionSet) {
      let childMultiplier = multiplier;
      if (items !== undefined) {
        childMultiplier = multiplier * items;
      } else if (connectionSize !== undefined && (name === 'edges' || name === 'nodes')) {
        childMultiplier = multiplier * connectionSize;
      } else if (isListOf(def.type)) {
        childMultiplier = multiplier * DEFAULT_PAGE_SIZE;
      }
      childCost = selectionCost(
        selection.selectionSet,
        fieldType,
        childMultiplier,
        pageSize,
        fieldPath,
        walk,
        fragmentStack,
        childAt,
        childResponses,
      );
      total += childCost;
    }
    // A mutation under the caller's idempotency key is written without expand[] and read again with it
    // (src/schema/mutations.ts): that read, when something is folded into it.
    if (walk.mutation && path === '' && args.idempotencyKey != null && calling && calling.into.length > 0) {
      total += multiplier;
    }
    if (plan && own > 0 && !maybe && walk.calls && !walk.calls.has(selection)) {
      walk.calls.set(selection, {
        path: fieldPath,
        plan,
        args,
        typeName: getNamedType(def.type).name,
        // `_entities` reads each representation with the expand[] of the type it names (planned then).
        expand: calling && childAt && !plan.perItemOf ? distinct(calling.into) : [],
      });
    }
    // Two reads of one object with the same arguments and nothing folded below them send the same
    // request, which the session's loader makes once (`a: customer(id: X) { email } b: customer(id: X)`).
    if (
      plan &&
      own > 0 &&
      multiplier === 1 &&
      !paged &&
      !plan.perItemOf &&
      childCost === 0 &&
      walk.folds === foldsBefore
    ) {
      const read = readKey(name, args, plan);
      if (plainReads.has(read)) total -= own;
      else plainReads.add(read);
    }
  }
  return total;
}

/**
 * Whether a field read from its parent's object at `depth` segments below its fetching ancestor is
 * answered by that request: within Stripe's expand depth and, for an inline list, when its
 * embedded page answers the arguments.
 */
function foldable(wire: WireFacts, args: Record<string, unknown>, depth: number): boolean {
  if (depth + 1 > MAX_EXPAND_DEPTH) return false;
  return wire.fold !== 'list' || inlinePageAnswers(args);
}

function distinct(paths: readonly string[]): readonly string[] {
  return Object.freeze([...new Set(paths)].sort());
}

function newWalk(
  schema: GraphQLSchema,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>> | undefined,
  mutation: boolean,
  calls: Map<FieldNode, PlannedCall> | undefined,
): Walk {
  return {
    schema,
    fragments,
    variables: variables ?? {},
    pageSizes: [],
    mutation,
    memo: new Map(),
    folds: 0,
    calls,
  };
}

/**
 * The plan of one operation. `variables` must be coerced values (getVariableValues); fields with
 * invalid arguments are still counted, with their defaults.
 */
export function planOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>>,
): OperationPlan {
  const calls = new Map<FieldNode, PlannedCall>();
  const walk = newWalk(schema, fragments, variables, operation.operation === 'mutation', calls);
  const root = schema.getRootType(operation.operation);
  const upstreamCalls = root
    ? selectionCost(operation.selectionSet, root, 1, undefined, '', walk, [], undefined, 1)
    : 0;
  return { operation, estimate: { upstreamCalls, pageSizes: walk.pageSizes }, calls };
}

/**
 * The `expand[]` the plan holds for the field nodes a resolver was handed (graphql-js merges the
 * nodes of one response key: their paths are joined), planned for `typeName`; undefined when the
 * plan has none for them (then `planSelection`).
 */
export function plannedExpand(
  plan: OperationPlan,
  fieldNodes: readonly FieldNode[],
  typeName: string,
): readonly string[] | undefined {
  if (fieldNodes.length === 1) {
    const call = plan.calls.get(fieldNodes[0]!);
    return call?.typeName === typeName ? call.expand : undefined;
  }
  const paths: string[] = [];
  for (const node of fieldNodes) {
    const call = plan.calls.get(node);
    if (call?.typeName !== typeName) return undefined;
    paths.push(...call.expand);
  }
  return distinct(paths);
}

export interface SelectionInput {
  schema: GraphQLSchema;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  fieldNodes: readonly FieldNode[];
  /** the GraphQL type the fetched object has (object, union or interface) */
  type: GraphQLNamedType;
  /** the selection is a connection over the fetched list (`edges.node`, `nodes`): paths start at `data.` */
  connection?: boolean;
  /** the operation's coerced variables (whether an inline list's page answers depends on arguments) */
  variables?: Readonly<Record<string, unknown>>;
}

/** The `expand[]` for what is selected under one fetching field, by the same walk. */
export function planSelection(input: SelectionInput): readonly string[] {
  const type = concrete(input.schema, input.type);
  if (several(input.schema, type)) return [];
  const walk = newWalk(input.schema, input.fragments, input.variables, false, undefined);
  const at: At = input.connection
    ? { depth: 1, prefix: 'data.', into: [] }
    : { depth: 0, prefix: '', into: [] };
  for (const node of input.fieldNodes) {
    if (node.selectionSet) selectionCost(node.selectionSet, type, 1, undefined, '', walk, [], at, 1);
  }
  return distinct(at.into);
}
