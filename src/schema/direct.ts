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
 * - one query operation, without directives or fragments, with one field node per response key
 *   (no merging of fields to do); its variables are coerced on each run, and the arguments that
 *   name them;
 * - on object types only (an interface or a union needs the value's type resolved: left to the
 *   executor), and of introspection only `__typename`.
 * At run time, the first thing that would make execution write an error (a variable that does not
 * coerce, a resolver that throws or rejects, returns an Error, a null where the type forbids it, a value its scalar or enum cannot
 * serialise, a list that is not an array) abandons the program (`DirectAbandoned`): the caller then
 * executes the document the usual way with the same context, whose sessions already hold the
 * answers the program received, so the upstream calls are not made twice. A direct answer is
 * therefore an answer without errors, with the data execution would have written.
 */
import {
  type DocumentNode,
  defaultFieldResolver,
  type FieldNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
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
  readonly node: FieldNode;
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
    args = getArgumentValues(step.field as GraphQLField<unknown, unknown>, step.node, run.variables);
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
  /** field nodes laid out so far (each step's id) */
  fields: number;
}

/**
 * Completions of types with no object in them (a scalar, an enum, lists of them, required or not):
 * the same for every field of the type, so made once per type and shared by every program.
 */
const leafCompletions = new WeakMap<GraphQLOutputType, Completion>();

/** How a value of `type` is completed (graphql-js's completeValue for the cases taken). */
function completionOf(
  type: GraphQLOutputType,
  node: FieldNode,
  compiler: Compiler,
  info: GraphQLResolveInfo,
): Completion | undefined {
  if (isLeafType(getNamedType(type))) {
    let shared = leafCompletions.get(type);
    if (shared === undefined) {
      shared = makeCompletion(type, node, compiler, info)!;
      leafCompletions.set(type, shared);
    }
    return shared;
  }
  return makeCompletion(type, node, compiler, info);
}

function makeCompletion(
  type: GraphQLOutputType,
  node: FieldNode,
  compiler: Compiler,
  info: GraphQLResolveInfo,
): Completion | undefined {
  if (isNonNullType(type)) {
    const inner = completionOf(type.ofType, node, compiler, info);
    if (!inner) return undefined;
    return (value, run) => (value == null || value instanceof Error ? abandon() : inner(value, run));
  }
  let complete: Completion;
  if (isListType(type)) {
    const item = completionOf(type.ofType, node, compiler, info);
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
    if (!node.selectionSet) return undefined;
    const steps = stepsOf(type, node.selectionSet, compiler, info.path);
    if (!steps) return undefined;
    const isTypeOf = type.isTypeOf;
    if (isTypeOf) {
      // graphql-js asks the type whether the value is one of it (an error if not); so does the program.
      complete = (value, run) =>
        isTypeOf(value, run.context, info) === true ? runFields(steps, value, run) : abandon();
    } else complete = (value, run) => runFields(steps, value, run);
  } else {
    // An interface or a union: the value's type is resolved by the executor.
    return undefined;
  }
  return (value, run) => (value == null ? null : value instanceof Error ? abandon() : complete(value, run));
}

/** The steps of one selection set on `parent`, or undefined when the set is not taken. */
function stepsOf(
  parent: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  compiler: Compiler,
  parentPath: GraphQLResolveInfo['path'] | undefined,
): FieldStep[] | undefined {
  const steps: FieldStep[] = [];
  const keys = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return undefined;
    const key = selection.alias?.value ?? selection.name.value;
    if (keys.has(key)) return undefined;
    keys.add(key);
    const id = compiler.fields++;
    if (id >= MAX_DIRECT_FIELDS) return undefined;
    const name = selection.name.value;
    if (name === '__typename') {
      const typename = parent.name;
      steps.push({
        id,
        key,
        node: selection,
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
    if (!selection.arguments?.length) args = NO_ARGS;
    else if (!namesVariables(selection)) {
      try {
        // One object for every run: frozen, so that a resolver that would change its arguments
        // throws (and the program is abandoned) instead of changing the next request's.
        args = deepFreeze(getArgumentValues(field, selection, {}));
      } catch {
        return undefined;
      }
    }
    // (graphql-tools declares two more members on the type, which graphql-js does not pass either)
    const info = {
      fieldName: name,
      fieldNodes: [selection],
      returnType: field.type,
      parentType: parent,
      path: { prev: parentPath, key, typename: parent.name },
      schema: compiler.schema,
      fragments: {},
      rootValue: undefined,
      operation: compiler.operation,
      variableValues: {},
    } as unknown as GraphQLResolveInfo;
    const complete = completionOf(field.type, selection, compiler, info);
    if (!complete) return undefined;
    steps.push({ id, key, node: selection, field, args, info, complete });
  }
  return steps;
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
  if (document.definitions.length !== 1 || document.definitions[0] !== operation) return undefined;
  if (operation.operation !== 'query' || operation.directives?.length) return undefined;
  const root = schema.getQueryType();
  if (!root) return undefined;
  const compiler: Compiler = { schema, operation, fields: 0 };
  const steps = stepsOf(root, operation.selectionSet, compiler, undefined);
  if (!steps) return undefined;
  const definitions = operation.variableDefinitions ?? [];
  if (definitions.some((definition) => definition.directives?.length)) return undefined;
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
