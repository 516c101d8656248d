/**
 * The answer-size budget: how many fields one answer may hold (`ANSWER_MAX_FIELDS`), so that a
 * short query cannot make the gateway build, hold and serialise tens of megabytes (issue 25: 19
 * aliases of `charges(first: 1000)` × 35 fields, 1.3 KB of query, answered 27.7 MB and stalled the
 * event loop for seconds, though it cost only 190 of 200 estimated Stripe calls).
 *
 * - Before execution the operation is walked once (fragments memoised, so the walk is linear) and
 *   its answer counted as objects × fields: a connection's items are `first`/`last` (or Stripe's
 *   default page) times the fields selected per item, nested connections multiplying. Over the
 *   budget, nothing runs: ANSWER_TOO_LARGE with the estimate and the limit, HTTP 400 for
 *   `application/graphql-response+json` clients.
 * - During execution every connection that resolves charges what it brings: its items times the
 *   fields selected per item (plus its own few). A list answered larger than estimated (a plain
 *   list, an `@include` both ways, a union whose branches were all counted) still cannot pass the
 *   budget: the connection that would is an ANSWER_TOO_LARGE error instead (null, or its parent
 *   null where it is non-null), and so is every connection after it, so the answer stops growing.
 *
 * The walk is this file's own, not the upstream-call estimator's (src/server/cost.ts): it counts
 * answer fields, not Stripe calls. It skips nothing for `@skip`/`@include` (an upper bound).
 */
import {
  type DocumentNode,
  defaultFieldResolver,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { slot } from '../loaders/slot.ts';
import { Variants } from '../schema/variants.ts';
import { DEFAULT_PAGE_SIZE } from '../spec/stripe.ts';

export interface AnswerLimits {
  /** Most fields (leaves and objects, every list item counted) in one answer. */
  readonly maxFields: number;
}

export const DEFAULT_ANSWER_LIMITS: AnswerLimits = { maxFields: 100_000 };

/** The Relay connection types: their items multiply what is selected on them. */
function isConnection(type: GraphQLNamedType): type is GraphQLObjectType {
  return (
    isObjectType(type) &&
    type.extensions.stripeWrapper === true &&
    type.name.endsWith('Connection') &&
    'nodes' in type.getFields()
  );
}

function pageArgument(field: FieldNode, variables: Record<string, unknown>): number {
  let size: number | undefined;
  for (const arg of field.arguments ?? []) {
    if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
    const value = intOf(arg.value, variables);
    if (value !== undefined) size = Math.max(size ?? 0, value);
  }
  return size ?? DEFAULT_PAGE_SIZE;
}

function intOf(node: ValueNode, variables: Record<string, unknown>): number | undefined {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value];
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}

/** The walk gave up: the merged answer shape has more fields than any budget should see. */
class TooManyToCount extends Error {}

/** Most field nodes one count visits before it gives up (the answer is then refused). */
const MAX_COUNTED_NODES = 200_000;

/**
 * Counts answer fields. `items(field)` says how many items a connection field holds: the page size
 * before execution; 0 during it, where each connection charges its own items as it resolves. Fields
 * are collected by response key as graphql-js does (a key selected twice, through two fragments or
 * a fragment spread twice, is one field with its selections merged), each named fragment visited once
 * per selection set: 2^40 copies of a fragment spreading itself twice count as one.
 */
class Counter {
  readonly #schema: GraphQLSchema;
  readonly #fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly #items: (field: FieldNode) => number;
  #visited = 0;

  constructor(
    schema: GraphQLSchema,
    fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    items: (field: FieldNode) => number,
  ) {
    this.#schema = schema;
    this.#fragments = fragments;
    this.#items = items;
  }

  /** The fields of `selections` by response key, fragments spread out (each once). */
  collect(selections: readonly SelectionSetNode[], type: GraphQLNamedType): Map<string, FieldNode[]> {
    const fields = new Map<string, FieldNode[]>();
    const seen = new Set<string>();
    const walk = (set: SelectionSetNode, on: GraphQLNamedType): void => {
      for (const selection of set.selections) {
        if (++this.#visited > MAX_COUNTED_NODES) throw new TooManyToCount();
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          const list = fields.get(key);
          if (list) list.push(selection);
          else fields.set(key, [selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const cond = selection.typeCondition && this.#schema.getType(selection.typeCondition.name.value);
          walk(selection.selectionSet, cond ?? on);
        } else {
          const name = selection.name.value;
          const fragment = this.#fragments.get(name);
          if (!fragment || seen.has(name)) continue;
          seen.add(name);
          walk(fragment.selectionSet, this.#schema.getType(fragment.typeCondition.name.value) ?? on);
        }
      }
    };
    for (const set of selections) walk(set, type);
    return fields;
  }

  /** Fields of one object of `type` answering `selections`. */
  object(selections: readonly SelectionSetNode[], type: GraphQLNamedType): number {
    let total = 0;
    for (const nodes of this.collect(selections, type).values()) total += this.field(nodes, type);
    return total;
  }

  /** One response key (its field nodes merged) on an object of `parent`. */
  field(nodes: readonly FieldNode[], parent: GraphQLNamedType): number {
    const sets = subSelections(nodes);
    if (sets.length === 0) return 1;
    const definition = fieldOf(this.#schema, parent, nodes[0]!.name.value);
    if (!definition) return 1;
    const type = getNamedType(definition.type);
    if (!isConnection(type)) return 1 + this.object(sets, type);
    const items = Math.max(...nodes.map((node) => this.#items(node)));
    const { once, each } = this.split(sets, type);
    return 1 + once + items * each;
  }

  /** A connection's selection as the fields it has once and those it has per item (nodes, edges). */
  split(selections: readonly SelectionSetNode[], type: GraphQLObjectType): { once: number; each: number } {
    let once = 0;
    let each = 0;
    const fields = type.getFields();
    const itemType = getNamedType(fields.nodes!.type);
    const edgeType = fields.edges ? getNamedType(fields.edges.type) : undefined;
    for (const [, nodes] of this.collect(selections, type)) {
      const name = nodes[0]!.name.value;
      const sets = subSelections(nodes);
      if (name === 'nodes' && sets.length > 0) {
        once += 1;
        each += this.object(sets, itemType);
      } else if (name === 'edges' && sets.length > 0 && edgeType) {
        once += 1;
        each += 1;
        for (const [, edgeNodes] of this.collect(sets, edgeType)) {
          const nodeSets = subSelections(edgeNodes);
          each +=
            edgeNodes[0]!.name.value === 'node' && nodeSets.length > 0
              ? 1 + this.object(nodeSets, itemType)
              : 1;
        }
      } else once += this.field(nodes, type);
    }
    return { once, each };
  }
}

function subSelections(nodes: readonly FieldNode[]): SelectionSetNode[] {
  const sets: SelectionSetNode[] = [];
  for (const node of nodes) if (node.selectionSet) sets.push(node.selectionSet);
  return sets;
}

function fieldOf(
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (isObjectType(type) || isInterfaceType(type)) return type.getFields()[name];
  // A union has no fields of its own: the first member that has it answers (an upper bound).
  if (isUnionType(type)) {
    for (const member of schema.getPossibleTypes(type)) {
      const field = member.getFields()[name];
      if (field) return field;
    }
  }
  return undefined;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** The fields an operation's answer may hold at most, from its selections and page sizes. */
export function estimateAnswer(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
  maxPage = Number.POSITIVE_INFINITY,
): number {
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return 0;
  const counter = new Counter(schema, fragmentsOf(document), (field) =>
    Math.max(0, Math.min(maxPage, pageArgument(field, variables))),
  );
  try {
    return counter.object([operation.selectionSet], root);
  } catch (error) {
    if (error instanceof TooManyToCount) return Number.POSITIVE_INFINITY;
    throw error;
  }
}

export function answerTooLarge(fields: number, limit: number, when: 'estimated' | 'counted'): GraphQLError {
  const message =
    when === 'estimated'
      ? `The answer could hold ${fields} fields, more than the ${limit} allowed: ask for fewer items (first/last) or fields`
      : `The answer passed ${limit} fields, the most allowed: ask for fewer items (first/last) or fields`;
  return new GraphQLError(message, {
    extensions: {
      code: 'ANSWER_TOO_LARGE',
      limit,
      ...(when === 'estimated' ? { estimated: fields } : {}),
      http: { status: 400, spec: true },
    },
  });
}

/** What one operation has spent of its budget so far. */
interface Spent {
  readonly limit: number;
  fields: number;
  exceeded: boolean;
}

const SPENT = slot<Spent>('answer budget');

/**
 * Per connection field (its merged field nodes, the same array for every item of a list): the
 * fields each item brings and the connection's own, counted once.
 */
const shapes = new WeakMap<readonly FieldNode[], { once: number; each: number }>();

function shapeOf(info: ResolveInfo, type: GraphQLObjectType): { once: number; each: number } {
  let shape = shapes.get(info.fieldNodes);
  if (!shape) {
    // Nested connections count nothing of their items here: each charges its own as it resolves.
    const counter = new Counter(info.schema, new Map(Object.entries(info.fragments)), () => 0);
    try {
      shape = counter.split(subSelections(info.fieldNodes), type);
    } catch (error) {
      if (!(error instanceof TooManyToCount)) throw error;
      shape = { once: Number.POSITIVE_INFINITY, each: 0 };
    }
    shapes.set(info.fieldNodes, shape);
  }
  return shape;
}

/** Charges a resolved connection to its operation's budget; throws once the budget is passed. */
function charge(context: unknown, connection: unknown, info: ResolveInfo): unknown {
  const spent = typeof context === 'object' && context !== null ? SPENT.get(context) : undefined;
  if (!spent) return connection;
  if (spent.exceeded) throw answerTooLarge(spent.fields, spent.limit, 'counted');
  const items = (connection as { nodes?: unknown[] } | null)?.nodes?.length ?? 0;
  const shape = shapeOf(info, getNamedType(info.returnType) as GraphQLObjectType);
  spent.fields += shape.once + items * shape.each;
  if (spent.fields > spent.limit) {
    spent.exceeded = true;
    throw answerTooLarge(spent.fields, spent.limit, 'counted');
  }
  return connection;
}

type ResolveInfo = Parameters<typeof defaultFieldResolver>[3];

/** Schemas whose connection fields already charge the budget (a schema may serve many gateways). */
const wrapped = new WeakSet<GraphQLSchema>();

/**
 * Makes every field that returns a connection charge its operation's budget as it resolves. Only
 * those fields are wrapped (leaves are counted through their connection), and an operation without
 * a budget on its context pays one property read per connection.
 */
function chargeConnections(schema: GraphQLSchema): void {
  if (wrapped.has(schema)) return;
  wrapped.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isConnection(getNamedType(field.type))) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const result = resolve(source, args, context, info);
        return result instanceof Promise
          ? result.then((connection) => charge(context, connection, info))
          : charge(context, result, info);
      };
    }
  }
}

/** Estimates of operations without variables, kept as long as their parsed document is. */
const constantEstimates = new WeakMap<OperationDefinitionNode, number>();
/** Estimates of operations with variables, for the sets each is sent with most. */
const variantEstimates = new Variants<number>();

/**
 * `estimateAnswer`, remembered for an operation without variables (its one estimate) and for the
 * sets of variables an operation is sent with most (src/schema/variants.ts), so that the
 * cheap pre-check before validation (src/server/precheck.ts) and execution share it. The pre-check
 * counts pages over `maxPage` as `maxPage` (such a page is PAGE_SIZE_LIMIT, the clearer refusal, at
 * execution); an operation that reaches the answer budget has no such page, so both estimates agree.
 */
export function answerEstimateOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  maxPage = Number.POSITIVE_INFINITY,
): number {
  if (operation.variableDefinitions?.length) {
    return variantEstimates.get(operation, variables, () =>
      estimateAnswer(schema, document, operation, variables, maxPage),
    );
  }
  let estimate = constantEstimates.get(operation);
  if (estimate === undefined) {
    estimate = estimateAnswer(schema, document, operation, variables, maxPage);
    constantEstimates.set(operation, estimate);
  }
  return estimate;
}

/** The Yoga plugin: the estimate before execution, the count during it. */
export function useAnswerBudget(limits: AnswerLimits = DEFAULT_ANSWER_LIMITS): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      chargeConnections(args.schema);
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation || operation.operation === 'subscription') return;
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      const estimate = answerEstimateOf(args.schema, args.document, operation, variables);
      if (estimate > limits.maxFields) {
        setResultAndStopExecution({ errors: [answerTooLarge(estimate, limits.maxFields, 'estimated')] });
        return;
      }
      SPENT.set(args.contextValue as object, { limit: limits.maxFields, fields: 0, exceeded: false });
    },
  };
}
