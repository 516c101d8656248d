/**
 * Direct answers (issue #32): a repeated query document answered by a program compiled for it,
 * without graphql-js's or graphql-jit's executor and without envelop's orchestration around it.
 *
 * The program is the document's selection laid out once over the schema: for each field node its
 * field, its resolver, its coerced arguments, a `GraphQLResolveInfo` and how its value is completed
 * (a leaf serialised by its own scalar or enum type, an object by its own fields, a list item by
 * item). At run time it calls the schema's own resolvers (the same sessions, loaders, scope checks,
 * plans and `expand[]` as execution) and writes what they return, in the document's order, into
 * the answer's `data`. What it saves is everything around the resolvers: the executor's per-field
 * bookkeeping, paths and error slots, and a promise per field.
 *
 * It takes only what it can answer exactly as execution would, decided once per document:
 * - one query operation and its fragments, without directives; its variables are coerced on each
 *   run, and the arguments that name them. Fields are grouped by response key by graphql-js's own
 *   `collectFields`, fragments and merged field nodes as execution groups them (every field node of
 *   a key in its info, the arguments read from the first);
 * - an interface or a union is completed as execution completes it: the value's type resolved by
 *   the abstract type's `resolveType` (synchronously: a promise abandons), checked to be one of its
 *   possible types, then its fields collected for that type, laid out the first time a value of
 *   that type arrives;
 * - of introspection, only `__typename`.
 * At run time, the first thing that would make execution write an error (a variable that does not
 * coerce, a resolver that throws or rejects, returns an Error, a null where the type forbids it, a value its scalar or enum cannot
 * serialise, a list that is not an array) abandons the program (`DirectAbandoned`): the caller then
 * executes the document the usual way with the same context, whose sessions already hold the
 * answers the program received, so the upstream calls are not made twice. A direct answer is
 * therefore an answer without errors, with the data execution would have written.
 */
import {
  BREAK,
  type DocumentNode,
  defaultFieldResolver,
  defaultTypeResolver,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type ValueNode,
  visit,
} from 'graphql';
// graphql-js's own field collection (as src/schema/prefetch.ts): the same field nodes, in the same
// groups, as execution hands the resolvers.
import { collectFields, collectSubfields } from 'graphql/execution/collectFields.js';
import { isPromise } from '../loaders/promises.ts';

/** Most field nodes in a document answered directly (src/server/fast-path.ts bounds the programs kept). */
export const MAX_DIRECT_FIELDS = 300;

/** Thrown (or rejected with) when a direct answer cannot be the one execution would give. */
export class DirectAbandoned extends Error {
  constructor() {
    super('direct answer abandoned: execute the document');
    this.name = 'DirectAbandoned';
  }
}
const ABANDONED = new DirectAbandoned();

const NO_ARGS: Record<string, unknown> = Object.freeze({});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** One run of a program: the request's context and coerced variables, and what is made per run. */
interface Run {
  readonly context: unknown;
  /** undefined for an operation without variables: every step's arguments and info are its own */
  readonly variables: Record<string, unknown> | undefined;
  /** per step (by `id`), made on first use in this run: the info with this run's variables */
  readonly infos: (GraphQLResolveInfo | undefined)[];
  /** per step, the arguments coerced with this run's variables */
  readonly args: (Record<string, unknown> | undefined)[];
}

type Completion = (value: unknown, run: Run) => unknown;

interface FieldStep {
  readonly id: number;
  readonly key: string;
  /** the key's field nodes, as execution groups them (the arguments are the first's) */
  readonly nodes: readonly FieldNode[];
  /** the field (its resolver is read at each run: plugins may wrap it after compilation) */
  readonly field:
    | GraphQLField<unknown, unknown>
    | { readonly resolve: GraphQLFieldResolver<unknown, unknown> };
  /** the arguments when no variable is among them (one frozen object for every run), else undefined */
  readonly args: Record<string, unknown> | undefined;
  readonly info: GraphQLResolveInfo;
  readonly complete: Completion;
}

/** The compiled answer of one document: `run` resolves to its `data`, or rejects with DirectAbandoned. */
export interface DirectProgram {
  readonly operation: OperationDefinitionNode;
  /**
   * The answer's `data` for `variables` (as sent; coerced here, as execution coerces them: a value
   * that does not coerce abandons the program), or for `coerced`, the same variables coerced
   * already for this request.
   */
  run(
    context: unknown,
    variables?: Readonly<Record<string, unknown>> | null,
    coerced?: Record<string, unknown>,
  ): Promise<Record<string, unknown>> | Record<string, unknown>;
}

function abandon(): never {
  throw ABANDONED;
}

/** A value the completion returned: a promise is kept to be awaited, anything else written now. */
function settle(
  target: Record<string, unknown> | unknown[],
  key: string | number,
  value: unknown,
  pending: Promise<unknown>[] | undefined,
): Promise<unknown>[] | undefined {
  if (!isPromise(value)) {
    (target as Record<string | number, unknown>)[key] = value;
    return pending;
  }
  (target as Record<string | number, unknown>)[key] = null;
  const list = pending ?? [];
  list.push(
    (value as Promise<unknown>).then((done) => {
      (target as Record<string | number, unknown>)[key] = done;
    }),
  );
  return list;
}

/** Abandoned part-way: what is still in flight settles unobserved, its rejection handled here. */
function abandonWith(pending: Promise<unknown>[] | undefined): never {
  if (pending) for (const promise of pending) Promise.resolve(promise).catch(() => {});
  return abandon();
}

/** The step's info in this run: its own, or (with variables) a copy holding them. */
function infoIn(step: FieldStep, run: Run): GraphQLResolveInfo {
  if (run.variables === undefined) return step.info;
  let info = run.infos[step.id];
  if (info === undefined) {
    info = { ...step.info, variableValues: run.variables };
    run.infos[step.id] = info;
  }
  return info;
}

/** The step's arguments in this run (coerced with its variables when they name any). */
function argsIn(step: FieldStep, run: Run): Record<string, unknown> {
  if (step.args !== undefined) return step.args;
  let args = run.args[step.id];
  if (args === undefined) {
    args = getArgumentValues(step.field as GraphQLField<unknown, unknown>, step.nodes[0]!, run.variables);
    run.args[step.id] = args;
  }
  return args;
}

/** Resolves each field of `steps` on `source` and completes it, in the document's order. */
function runFields(steps: readonly FieldStep[], source: unknown, run: Run): unknown {
  const data: Record<string, unknown> = {};
  let pending: Promise<unknown>[] | undefined;
  for (const step of steps) {
    try {
      const resolve = step.field.resolve ?? defaultFieldResolver;
      const value = resolve(source, argsIn(step, run), run.context, infoIn(step, run));
      const completed = isPromise(value)
        ? value.then(
            (resolved) => step.complete(resolved, run),
            () => abandon(),
          )
        : step.complete(value, run);
      pending = settle(data, step.key, completed, pending);
    } catch {
      abandonWith(pending);
    }
  }
  return pending === undefined ? data : Promise.all(pending).then(() => data);
}

interface Compiler {
  readonly schema: GraphQLSchema;
  readonly operation: OperationDefinitionNode;
  readonly fragments: Record<string, FragmentDefinitionNode>;
  /** field nodes laid out so far (each step's id) */
  fields: number;
}

/** No directive in the document: the fields collected do not depend on the variables. */
const NO_VARIABLES: Record<string, unknown> = Object.freeze({});

/**
 * Completions of types with no object in them (a scalar, an enum, lists of them, required or not):
 * the same for every field of the type, so made once per type and shared by every program.
 */
const leafCompletions = new WeakMap<GraphQLOutputType, Completion>();

/** How a value of `type` is completed (graphql-js's completeValue for the cases taken). */
function completionOf(
  type: GraphQLOutputType,
  nodes: readonly FieldNode[],
  compiler: Compiler,
  info: GraphQLResolveInfo,
): Completion | undefined {
  if (isLeafType(getNamedType(type))) {
    let shared = leafCompletions.get(type);
    if (shared === undefined) {
      shared = makeCompletion(type, nodes, compiler, info)!;
      leafCompletions.set(type, shared);
    }
    return shared;
  }
  return makeCompletion(type, nodes, compiler, info);
}

/** An object's completion: graphql-js asks the type whether the value is one of it (an error if not). */
function objectCompletion(
  type: GraphQLObjectType,
  steps: readonly FieldStep[],
  info: GraphQLResolveInfo,
): Completion {
  const isTypeOf = type.isTypeOf;
  if (!isTypeOf) return (value, run) => runFields(steps, value, run);
  return (value, run) =>
    isTypeOf(value, run.context, info) === true ? runFields(steps, value, run) : abandon();
}

/**
 * An interface's or a union's completion (graphql-js's completeAbstractValue): the value's type
 * resolved, checked to be a possible type, then completed as that object type, whose fields are
 * laid out the first time one of its values arrives (a `Node` may be any of a hundred types; a
 * document meets a few).
 */
function abstractCompletion(
  type: GraphQLAbstractType,
  nodes: readonly FieldNode[],
  compiler: Compiler,
  info: GraphQLResolveInfo,
): Completion {
  const resolveType = type.resolveType ?? defaultTypeResolver;
  const byType = new Map<string, Completion | null>();
  return (value, run) => {
    const name = resolveType(value, run.context, info, type);
    if (typeof name !== 'string') return abandon();
    let complete = byType.get(name);
    if (complete === undefined) {
      const runtime = compiler.schema.getType(name);
      complete = null;
      if (isObjectType(runtime) && compiler.schema.isSubType(type, runtime)) {
        const steps = fieldsOf(
          runtime,
          collectSubfields(compiler.schema, compiler.fragments, NO_VARIABLES, runtime, nodes),
          compiler,
          info.path,
        );
        if (steps) complete = objectCompletion(runtime, steps, info);
      }
      byType.set(name, complete);
    }
    return complete === null ? abandon() : complete(value, run);
  };
}

function makeCompletion(
  type: GraphQLOutputType,
  nodes: readonly FieldNode[],
  compiler: Compiler,
  info: GraphQLResolveInfo,
): Completion | undefined {
  if (isNonNullType(type)) {
    const inner = completionOf(type.ofType, nodes, compiler, info);
    if (!inner) return undefined;
    return (value, run) => (value == null || value instanceof Error ? abandon() : inner(value, run));
  }
  let complete: Completion;
  if (isListType(type)) {
    const item = completionOf(type.ofType, nodes, compiler, info);
    if (!item) return undefined;
    complete = (value, run) => {
      if (!Array.isArray(value)) abandon();
      const out: unknown[] = new Array(value.length);
      let pending: Promise<unknown>[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const entry = value[i];
        try {
          const completed = isPromise(entry)
            ? entry.then(
                (resolved) => item(resolved, run),
                () => abandon(),
              )
            : item(entry, run);
          pending = settle(out, i, completed, pending);
        } catch {
          abandonWith(pending);
        }
      }
      return pending === undefined ? out : Promise.all(pending).then(() => out);
    };
  } else if (isLeafType(type)) {
    complete = (value) => {
      let serialized: unknown;
      try {
        serialized = type.serialize(value);
      } catch {
        abandon();
      }
      // (graphql-js refuses a leaf that serialises to null or undefined)
      return serialized == null ? abandon() : serialized;
    };
  } else if (isObjectType(type)) {
    const steps = fieldsOf(
      type,
      collectSubfields(compiler.schema, compiler.fragments, NO_VARIABLES, type, nodes),
      compiler,
      info.path,
    );
    if (!steps) return undefined;
    complete = objectCompletion(type, steps, info);
  } else if (isAbstractType(type)) {
    complete = abstractCompletion(type, nodes, compiler, info);
  } else {
    return undefined;
  }
  return (value, run) => (value == null ? null : value instanceof Error ? abandon() : complete(value, run));
}

/** The steps of the fields collected on `parent`, or undefined when one is not taken. */
function fieldsOf(
  parent: GraphQLObjectType,
  collected: Map<string, readonly FieldNode[]>,
  compiler: Compiler,
  parentPath: GraphQLResolveInfo['path'] | undefined,
): FieldStep[] | undefined {
  const steps: FieldStep[] = [];
  for (const [key, nodes] of collected) {
    const id = compiler.fields++;
    if (id >= MAX_DIRECT_FIELDS) return undefined;
    const first = nodes[0]!;
    const name = first.name.value;
    if (name === '__typename') {
      const typename = parent.name;
      steps.push({
        id,
        key,
        nodes,
        field: { resolve: () => typename },
        args: NO_ARGS,
        info: undefined as unknown as GraphQLResolveInfo,
        complete: (value) => value,
      });
      continue;
    }
    if (name.startsWith('__')) return undefined;
    const field: GraphQLField<unknown, unknown> | undefined = parent.getFields()[name];
    if (!field) return undefined;
    let args: Record<string, unknown> | undefined;
    if (!first.arguments?.length) args = NO_ARGS;
    else if (!namesVariables(first)) {
      try {
        // One object for every run: frozen, so that a resolver that would change its arguments
        // throws (and the program is abandoned) instead of changing the next request's.
        args = deepFreeze(getArgumentValues(field, first, {}));
      } catch {
        return undefined;
      }
    }
    // (graphql-tools declares two more members on the type, which graphql-js does not pass either)
    const info = {
      fieldName: name,
      fieldNodes: nodes,
      returnType: field.type,
      parentType: parent,
      path: { prev: parentPath, key, typename: parent.name },
      schema: compiler.schema,
      fragments: compiler.fragments,
      rootValue: undefined,
      operation: compiler.operation,
      variableValues: {},
    } as unknown as GraphQLResolveInfo;
    const complete = completionOf(field.type, nodes, compiler, info);
    if (!complete) return undefined;
    steps.push({ id, key, nodes, field, args, info, complete });
  }
  return steps;
}

/** Whether any selection, fragment or operation of `document` carries a directive. */
function hasDirectives(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive() {
      found = true;
      return BREAK;
    },
  });
  return found;
}

/**
 * The program answering `document` directly, or undefined when the document is not one it takes
 * (see the module's comment). `operation` must be the document's (getOperationAST's) node.
 */
export function compileDirect(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): DirectProgram | undefined {
  if (operation.operation !== 'query') return undefined;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    else if (definition !== operation) return undefined;
  }
  if (hasDirectives(document)) return undefined;
  const root = schema.getQueryType();
  if (!root) return undefined;
  const compiler: Compiler = { schema, operation, fragments, fields: 0 };
  const steps = fieldsOf(
    root,
    collectFields(schema, fragments, NO_VARIABLES, root, operation.selectionSet),
    compiler,
    undefined,
  );
  if (!steps) return undefined;
  const definitions = operation.variableDefinitions ?? [];
  return {
    operation,
    run: (context, variables, given) => {
      let coerced: Record<string, unknown> | undefined;
      if (definitions.length > 0) {
        coerced = given;
        if (coerced === undefined) {
          const values = getVariableValues(schema, definitions, variables ?? {}, { maxErrors: 1 });
          // Execution answers a variable that does not coerce with its error.
          if (values.errors) abandon();
          coerced = values.coerced;
        }
      }
      const run: Run = { context, variables: coerced, infos: [], args: [] };
      return runFields(steps, undefined, run) as ReturnType<DirectProgram['run']>;
    },
  };
}

/** Whether a field's arguments name a variable anywhere (then they are coerced on each run). */
function namesVariables(node: FieldNode): boolean {
  return node.arguments?.some((argument) => holdsVariable(argument.value)) ?? false;
}

function holdsVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(holdsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((field) => holdsVariable(field.value));
  return false;
}
