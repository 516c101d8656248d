/**
 * Prefetch: the calls whose parameters are known before their parent answers start with the
 * parent, not after it. `customer(id: "cus_1") { invoices { … } }` lists
 * `GET /v1/invoices?customer=cus_1` while `GET /v1/customers/cus_1` is in flight, and
 * `account(id:) { capabilities transfers }` reads all three side by side: one round trip instead
 * of two.
 *
 * Once per operation, before it executes, `planPrefetch` walks the operation's root fields (and
 * those under `connectedAccount(id:)`, as that account) for by-id reads whose id is in the
 * arguments or variables (`customer(id:)`, `node(id:)` as the type its prefix names), and under
 * each, the relation fields that list by that id. Each relation
 * field says itself which first page its resolver would ask for, given the parent's id
 * (`extensions.stripePrefetch`, src/schema/relations.ts): the same path, filters, paging and
 * `expand[]` as the resolver builds with the same code, so the request's loaders de-duplicate the
 * two and the resolver's read costs no second call. Only a read the resolver is sure to make is
 * started: none its parent's inline page may answer, none with a filter the parent's own
 * properties give.
 *
 * Safety: a prefetched answer only enters the request's cache (UpstreamSession.prefetch). Nothing
 * reads it until the relation's resolver runs, i.e. until the parent resolved and passed the scope
 * checks, and the resolver's own `get` checks it again like any read; if the parent is NOT_FOUND,
 * FORBIDDEN or DELETED, no resolver asks, so the answer reaches neither the response nor the logs
 * nor the object cache (which keeps by-id reads only, never lists). A customer-scoped session
 * starts only what its scope allows outright (src/loaders/scope.ts planRead: no other customer's
 * filter or path, no read needing a parent or a paging cursor checked first). Prefetches are
 * ordinary calls of their session: counted in `upstreamCalls`, the rate budget and the metrics,
 * and cancelled with the request's signal.
 *
 * Cost: the estimate (src/server/cost.ts) counts each such list as a call of its parent, so it
 * stays an upper bound. What changes is that a parent that fails (NOT_FOUND, FORBIDDEN, DELETED)
 * now costs its prefetched children too, calls that were counted in the estimate but would not
 * have been made.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
// graphql-js's own field collection (CJS, the build everything here loads): the same field nodes,
// in the same groups, as execution hands the resolvers.
import { collectFields, collectSubfields } from 'graphql/execution/collectFields.js';
import type { GetRequest } from '../loaders/requests.ts';
import type { GatewayContext } from './context.ts';
import type { OperationPlan } from './operation-plan.ts';
import { type FetchPlan, planOf } from './plans.ts';
import { Variants } from './variants.ts';

/**
 * A relation field's first read for a parent known only by id: the request its resolver makes for
 * `args` (with `info` as the resolver would see it, and `session` the folding session whose
 * operation plan holds the field's `expand[]`), or undefined when it may make none or another.
 */
export type PrefetchRead = (
  parentId: string,
  args: Record<string, unknown>,
  info: GraphQLResolveInfo,
  session: PrefetchSession,
) => GetRequest | undefined;

/** A folding session, as the expand planner sees one: the request's operation plan, if made. */
export interface PrefetchSession {
  readonly folds: boolean;
  readonly plans?: { current?: OperationPlan | undefined };
}

/** The field extensions that make a relation prefetchable. */
export function prefetchExtensions(read: PrefetchRead): Record<string, unknown> {
  return { stripePrefetch: read };
}

function prefetchOf(field: GraphQLField<unknown, unknown> | undefined): PrefetchRead | undefined {
  return field?.extensions?.stripePrefetch as PrefetchRead | undefined;
}

/** One read to start, and the connected account it is made as (undefined: the request's own). */
export interface Prefetch {
  account: string | undefined;
  request: GetRequest;
}

/** `Query.connectedAccount(id:)` (src/schema/connect.ts): its fields are read as that account. */
const CONNECTED_ACCOUNT = 'connectedAccount';

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  out: Prefetch[];
  /** the folding session the relations plan `expand[]` with: the request's operation plan */
  session: PrefetchSession;
  /** only whether some field could prefetch, whatever the arguments: stops at the first */
  probe?: boolean;
}

/** What a probe finds: a field that could prefetch. */
const COULD: Prefetch = Object.freeze({ account: undefined, request: Object.freeze({ path: '' }) });

/** The reads `operation` can start before execution, given its coerced variables. */
export function planPrefetch(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  probe = false,
  plan?: OperationPlan,
): Prefetch[] {
  const query = schema.getQueryType();
  if (operation.operation !== 'query' || !query) return [];
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const walk: Walk = {
    schema,
    fragments,
    variables,
    out: [],
    probe,
    session: { folds: true, plans: { current: plan } },
  };
  for (const nodes of collectFields(schema, fragments, variables, query, operation.selectionSet).values()) {
    rootField(walk, query, nodes, undefined);
    if (probe && walk.out.length > 0) break;
  }
  return walk.out;
}

/**
 * Whether `operation` could prefetch anything with some variables (its shape alone: by-id root
 * fields with prefetchable relations below), so that an operation that cannot costs no coercion
 * and no walk on every request.
 */
function couldPrefetch(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) {
  try {
    return planPrefetch(schema, document, operation, {}, true).length > 0;
  } catch {
    // A directive needing a variable: the shape cannot be told without them.
    return true;
  }
}

/** A root field: a by-id read whose relations may start now, or `connectedAccount(id:)`. */
function rootField(
  walk: Walk,
  parent: GraphQLObjectType,
  nodes: readonly FieldNode[],
  account: string | undefined,
) {
  const field = parent.getFields()[nodes[0]!.name.value];
  const args = walk.probe ? { id: '' } : field && argumentsOf(walk, field, nodes[0]!);
  if (!field || !args || typeof args.id !== 'string') return;
  const type = getNamedType(field.type);
  if (isObjectType(type) && account === undefined && field.name === CONNECTED_ACCOUNT) {
    if (parent !== walk.schema.getQueryType()) return;
    for (const fields of subfields(walk, type, nodes).values()) rootField(walk, type, fields, args.id);
    return;
  }
  // A by-id read; `node(id:)` reads the type its id's prefix names.
  const plan = planOf(field);
  if (plan?.shape !== 'object') return;
  if (plan.operation === 'node' && walk.probe) {
    walk.out.push(COULD);
    return;
  }
  const parentType = plan.operation === 'node' ? nodeType(walk.schema, plan, args.id) : type;
  if (!isObjectType(parentType)) return;
  const fields = parentType.getFields();
  for (const children of subfields(walk, parentType, nodes).values()) {
    const child = fields[children[0]!.name.value];
    const read = prefetchOf(child);
    if (read && walk.probe) {
      walk.out.push(COULD);
      return;
    }
    const childArgs = read && argumentsOf(walk, child!, children[0]!);
    if (!read || !childArgs) continue;
    let request: GetRequest | undefined;
    try {
      request = read(args.id, childArgs, infoFor(walk, child!, parentType, children), walk.session);
    } catch {
      // Arguments the resolver refuses: it reports them, nothing is started.
      continue;
    }
    if (request) walk.out.push({ account, request });
  }
}

/** Per schema: the object type each by-id retrieve operation of a root field returns. */
const typeOfRetrieve = new WeakMap<GraphQLSchema, Map<string, GraphQLObjectType>>();

/**
 * The type `node(id:)` reads for `id` (the root field reading by the retrieve its prefix picks);
 * none for an id qualified by a connected account (read as that account), or of no such type.
 */
function nodeType(schema: GraphQLSchema, plan: FetchPlan, id: string): GraphQLObjectType | undefined {
  if (id.includes('/')) return undefined;
  const retrieve = plan.retrieveOf?.(id);
  if (retrieve === undefined) return undefined;
  let types = typeOfRetrieve.get(schema);
  if (!types) {
    types = new Map();
    for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
      const type = getNamedType(field.type);
      const byId = planOf(field);
      if (byId?.shape === 'object' && isObjectType(type) && !types.has(byId.operation)) {
        types.set(byId.operation, type);
      }
    }
    typeOfRetrieve.set(schema, types);
  }
  return types.get(retrieve);
}

/** What the resolver's `info` holds that planning a read reads. */
function infoFor(
  walk: Walk,
  field: GraphQLField<unknown, unknown>,
  parentType: GraphQLObjectType,
  fieldNodes: readonly FieldNode[],
): GraphQLResolveInfo {
  return {
    fieldName: field.name,
    fieldNodes,
    returnType: field.type,
    parentType,
    schema: walk.schema,
    fragments: walk.fragments,
    variableValues: walk.variables,
    ...(walk.session.plans?.current ? { operation: walk.session.plans.current.operation } : {}),
  } as Partial<GraphQLResolveInfo> as GraphQLResolveInfo;
}

/** The fields under `nodes` that execute on `type`, by response key, as graphql-js collects them. */
function subfields(walk: Walk, type: GraphQLObjectType, nodes: readonly FieldNode[]) {
  return collectSubfields(walk.schema, walk.fragments, walk.variables, type, nodes);
}

function argumentsOf(
  walk: Walk,
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
): Record<string, unknown> | undefined {
  try {
    return getArgumentValues(field, node, walk.variables);
  } catch {
    return undefined;
  }
}

/**
 * Per operation, kept as long as its parsed document is: whether it could prefetch at all, and
 * the plan of one without variables, or those of the sets of variables one is sent with most.
 */
const known = new WeakMap<
  GraphQLSchema,
  WeakMap<OperationDefinitionNode, { could: boolean; plan?: Prefetch[]; variants?: Variants<Prefetch[]> }>
>();

export interface PrefetchArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  /** the request's variables as sent (coerced here) */
  variableValues?: Readonly<Record<string, unknown>> | null | undefined;
  contextValue: unknown;
}

/**
 * Starts the operation's prefetches through the request's sessions (an envelop `onExecute` hook
 * calls it once, after the limits let the operation run).
 */
export function prefetchOperation(args: PrefetchArgs): void {
  const operation = getOperationAST(args.document, args.operationName ?? undefined);
  if (operation?.operation !== 'query') return;
  const context = args.contextValue as GatewayContext;
  // The operation's fetch plan (made before execution): its `expand[]` is what the resolvers send.
  const made = context.session?.plans?.current as OperationPlan | undefined;
  const current = made?.operation === operation ? made : undefined;
  let bySchema = known.get(args.schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    known.set(args.schema, bySchema);
  }
  let memo = bySchema.get(operation);
  if (!memo) {
    const could = couldPrefetch(args.schema, args.document, operation);
    memo = operation.variableDefinitions?.length
      ? { could, variants: new Variants() }
      : { could, plan: could ? planPrefetch(args.schema, args.document, operation, {}, false, current) : [] };
    bySchema.set(operation, memo);
  }
  if (!memo.could) return;
  const planned =
    memo.plan ??
    memo.variants?.get(operation, args.variableValues, () => {
      const coerced = getVariableValues(
        args.schema,
        operation.variableDefinitions ?? [],
        (args.variableValues ?? {}) as Record<string, unknown>,
        { maxErrors: 1 },
      );
      return coerced.errors
        ? []
        : planPrefetch(args.schema, args.document, operation, coerced.coerced, false, current);
    }) ??
    [];
  for (const { account, request } of planned) {
    try {
      const session = account === undefined ? context.session : context.sessionFor?.(account);
      session?.prefetch(request);
    } catch {
      // An account the caller may not act as: `connectedAccount(id:)` answers FORBIDDEN itself.
    }
  }
}
