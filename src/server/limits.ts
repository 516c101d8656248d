/**
 * Query limits, each enforced before any call to Stripe:
 * - tokens: while parsing (graphql-js `maxTokens`), code TOKEN_LIMIT;
 * - depth and aliases: validation rules, codes DEPTH_LIMIT and ALIAS_LIMIT;
 * - page size (`first`/`last` on connections) and estimated upstream calls: when execution starts,
 *   once variables are known, codes PAGE_SIZE_LIMIT and QUERY_TOO_COMPLEX.
 * A rejected operation returns errors and no `data`, with HTTP 400 for
 * `application/graphql-response+json` clients (200 for `application/json`, as the spec says).
 */
import {
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  type ParseOptions,
  parse,
  type SelectionSetNode,
  type Source,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Lru } from '../loaders/lru.ts';
import { slot } from '../loaders/slot.ts';
import { type OperationPlan, planOperation } from '../schema/operation-plan.ts';
import { Variants } from '../schema/variants.ts';
import type { QueryLimits } from './config.ts';
import type { CostEstimate } from './cost.ts';

export function limitError(
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, ...extensions, http: { status: 400, spec: true } },
  });
}

// ---- tokens -------------------------------------------------------------------------------------

const TOO_MANY_TOKENS = /Document contains more th(?:an|at) \d+ tokens/;

/** graphql-js `parse` that stops after `maxTokens` tokens with a TOKEN_LIMIT error. */
export function parseWithTokenLimit(maxTokens: number) {
  return (source: string | Source, options?: ParseOptions): DocumentNode => {
    try {
      return parse(source, { ...options, maxTokens });
    } catch (error) {
      if (error instanceof GraphQLError && TOO_MANY_TOKENS.test(error.message)) {
        throw limitError('TOKEN_LIMIT', `The document has more than ${maxTokens} tokens, the maximum`, {
          limit: maxTokens,
        });
      }
      throw error;
    }
  };
}

// ---- depth and aliases --------------------------------------------------------------------------

/** Introspection meta-fields that list many objects (the schema has about 1,900 types). */
const INTROSPECTION_LISTS = new Set([
  'types',
  'fields',
  'inputFields',
  'interfaces',
  'possibleTypes',
  'enumValues',
  'args',
  'directives',
]);
/** List fields on one path inside an introspection field; the standard query needs 3 (types.fields.args). */
export const MAX_INTROSPECTION_LIST_NESTING = 3;

const isIntrospectionRoot = (name: string) => name === '__schema' || name === '__type';

/**
 * Folds a selection set, fragments followed once each (and memoised): `field` gives a field's value
 * from its children's, `combine` joins siblings (max for depth, sum for aliases). Introspection
 * fields count like any other. Linear in the document's size.
 */
function foldSelections(
  selectionSet: SelectionSetNode,
  context: ValidationContext,
  memo: Map<string, number>,
  stack: readonly string[],
  field: (node: FieldNode, children: number) => number,
  combine: (a: number, b: number) => number,
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    let value: number;
    if (selection.kind === Kind.FIELD) {
      const children = selection.selectionSet
        ? foldSelections(selection.selectionSet, context, memo, stack, field, combine)
        : 0;
      value = field(selection, children);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      value = foldSelections(selection.selectionSet, context, memo, stack, field, combine);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (!fragment || stack.includes(name)) continue;
      let known = memo.get(name);
      if (known === undefined) {
        known = foldSelections(fragment.selectionSet, context, memo, [...stack, name], field, combine);
        memo.set(name, known);
      }
      value = known;
    }
    total = combine(total, value);
  }
  return total;
}

/** A measure of a selection set, memoised per fragment in `memo`. */
type Measure = (
  selectionSet: SelectionSetNode,
  context: ValidationContext,
  memo: Map<string, number>,
) => number;

const depthOf: Measure = (selectionSet, context, memo) =>
  foldSelections(selectionSet, context, memo, [], (_node, children) => 1 + children, Math.max);

const aliasesOf: Measure = (selectionSet, context, memo) =>
  foldSelections(
    selectionSet,
    context,
    memo,
    [],
    (node, children) => (node.alias ? 1 : 0) + children,
    (a, b) => a + b,
  );

function named(rule: ValidationRule, name: string): ValidationRule {
  // Yoga caches validation results by rule names: the name carries the limit.
  Object.defineProperty(rule, 'name', { value: name });
  return rule;
}

/**
 * A rule that measures each operation and reports one over
 * `limit` with `message`, code `code` and the measure under `key` in its extensions.
 */
function operationLimitRule(
  name: string,
  limit: number,
  measure: Measure,
  code: string,
  key: string,
  message: (measured: number) => string,
): ValidationRule {
  return named((context: ValidationContext): ASTVisitor => {
    const memo = new Map<string, number>();
    return {
      OperationDefinition(node) {
        const measured = measure(node.selectionSet, context, memo);
        if (measured > limit) {
          context.reportError(
            new GraphQLError(message(measured), {
              nodes: [node],
              extensions: { code, limit, [key]: measured },
            }),
          );
        }
      },
    };
  }, `${name}${limit}`);
}

export const depthLimitRule = (maxDepth: number): ValidationRule =>
  operationLimitRule(
    'DepthLimit',
    maxDepth,
    depthOf,
    'DEPTH_LIMIT',
    'depth',
    (depth) => `The query is nested ${depth} fields deep, more than the maximum of ${maxDepth}`,
  );

export const aliasLimitRule = (maxAliases: number): ValidationRule =>
  operationLimitRule(
    'AliasLimit',
    maxAliases,
    aliasesOf,
    'ALIAS_LIMIT',
    'aliases',
    (aliases) => `The query uses ${aliases} aliases, more than the maximum of ${maxAliases}`,
  );

// ---- introspection -----------------------------------------------------------------------------

interface IntrospectionShape {
  /** most list fields on one path */
  nesting: number;
  aliased: boolean;
}

/**
 * The shape of a selection under `__schema`/`__type`, by the memoised fold: packed in one number,
 * `nesting * 2 + (aliased ? 1 : 0)`.
 */
function introspectionShapeOf(
  selectionSet: SelectionSetNode,
  context: ValidationContext,
  memo: Map<string, number>,
): IntrospectionShape {
  const packed = foldSelections(
    selectionSet,
    context,
    memo,
    [],
    (node, children) => {
      const nesting = (children >> 1) + (INTROSPECTION_LISTS.has(node.name.value) ? 1 : 0);
      return nesting * 2 + (node.alias ? 1 : children & 1);
    },
    (a, b) => Math.max(a >> 1, b >> 1) * 2 + ((a | b) & 1),
  );
  return { nesting: packed >> 1, aliased: (packed & 1) === 1 };
}

function introspectionError(message: string, node: FieldNode, code = 'INTROSPECTION_LIMIT'): GraphQLError {
  return new GraphQLError(message, { nodes: [node], extensions: { code } });
}

/**
 * Introspection is either off (`INTROSPECTION_DISABLED` on any `__schema`/`__type`), or bounded:
 * one answer per operation (no aliases on or under `__schema`/`__type`: same-named fields merge
 * into one) and at most `MAX_INTROSPECTION_LIST_NESTING` list fields on a path. The whole schema's
 * introspection is a 2.6 MB answer; without these bounds 30 aliases or a `types { fields { type {
 * fields …` chain multiply it.
 */
export function introspectionRule(enabled: boolean): ValidationRule {
  return named(
    (context: ValidationContext): ASTVisitor => {
      const memo = new Map<string, number>();
      return {
        Field(node) {
          if (!isIntrospectionRoot(node.name.value)) return;
          if (!enabled) {
            context.reportError(
              introspectionError(
                `Introspection is disabled on this server (${node.name.value})`,
                node,
                'INTROSPECTION_DISABLED',
              ),
            );
            return;
          }
          const shape = node.selectionSet
            ? introspectionShapeOf(node.selectionSet, context, memo)
            : { nesting: 0, aliased: false };
          if (node.alias || shape.aliased) {
            context.reportError(
              introspectionError(`Aliases are not allowed in or on ${node.name.value}`, node),
            );
          } else if (shape.nesting > MAX_INTROSPECTION_LIST_NESTING) {
            context.reportError(
              introspectionError(
                `${node.name.value} nests ${shape.nesting} lists of types, fields or arguments, more than the maximum of ${MAX_INTROSPECTION_LIST_NESTING}`,
                node,
              ),
            );
          }
        },
      };
    },
    `Introspection${enabled ? 'On' : 'Off'}`,
  );
}

// ---- page size and cost -------------------------------------------------------------------------

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

/** Checks an estimate against the limits; the error to return, if any. */
export function checkEstimate(estimate: CostEstimate, limits: QueryLimits): GraphQLError | undefined {
  const page = estimate.pageSizes.find((use) => use.value > limits.maxPageSize);
  if (page) {
    return limitError(
      'PAGE_SIZE_LIMIT',
      `${page.argument}: ${page.value} on ${page.path} is more than the maximum page size of ${limits.maxPageSize}`,
      { limit: limits.maxPageSize, argument: page.argument, value: page.value, path: page.path },
    );
  }
  if (estimate.upstreamCalls > limits.maxCost) {
    return limitError(
      'QUERY_TOO_COMPLEX',
      `The query may make ${estimate.upstreamCalls} calls to Stripe, more than the maximum of ${limits.maxCost}: ask for fewer items or fewer related objects`,
      { limit: limits.maxCost, estimatedUpstreamCalls: estimate.upstreamCalls },
    );
  }
  return undefined;
}

// ---- variables ---------------------------------------------------------------------------------

/** Coercion stops after this many errors (graphql-js would otherwise report one per bad item). */
export const MAX_VARIABLE_ERRORS = 10;
/** Deepest nesting of lists and objects in the variables. */
export const MAX_VARIABLE_NESTING = 32;

/**
 * The first way the raw variables exceed the bounds, if any: a list longer than `maxListItems`,
 * or nesting deeper than `MAX_VARIABLE_NESTING`. Iterative and linear in the variables' size,
 * so it runs before coercion (which is recursive and reports per item).
 */
export function variablesProblem(
  variables: unknown,
  maxListItems: number,
): { message: string; path: string; extensions: Record<string, unknown> } | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: variables, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_VARIABLE_NESTING) {
      return {
        message: `Variables nest more than ${MAX_VARIABLE_NESTING} levels deep at ${path}`,
        path,
        extensions: { limit: MAX_VARIABLE_NESTING },
      };
    }
    if (Array.isArray(value)) {
      if (value.length > maxListItems) {
        return {
          message: `The list at ${path} has ${value.length} items, more than the maximum of ${maxListItems}`,
          path,
          extensions: { limit: maxListItems, items: value.length },
        };
      }
      for (let i = 0; i < value.length; i++) {
        stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      }
    } else {
      for (const key of Object.keys(value)) {
        const child = path === '' ? `$${key}` : `${path}.${key}`;
        stack.push({ value: (value as Record<string, unknown>)[key], path: child, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** A variable coercion error with a code (graphql-js gives none). */
function badVariable(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT', http: { status: 400, spec: true } },
  });
}

// ---- document cache ------------------------------------------------------------------------------

/** Documents longer than this are parsed every time rather than cached (a cached AST keeps its source). */
export const MAX_CACHED_SOURCE_LENGTH = 8_192;
const CACHE_ENTRIES = 1_000;

/**
 * An LRU cache for Yoga's parsed documents and parse errors that ignores long sources, so that
 * memory held by the cache stays under `CACHE_ENTRIES * MAX_CACHED_SOURCE_LENGTH` characters plus
 * their ASTs (a flood of distinct comment-padded documents cannot grow it).
 */
export function boundedDocumentCache<T>(): {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
} {
  const entries = new Lru<string, T>(CACHE_ENTRIES);
  return {
    get: (key) => (key.length > MAX_CACHED_SOURCE_LENGTH ? undefined : entries.get(key)),
    set(key, value) {
      if (key.length <= MAX_CACHED_SOURCE_LENGTH) entries.set(key, value);
    },
  };
}

export interface QueryLimitsOptions {
  /**
   * Called with each operation's plan (its estimate and every call's `expand[]`), before the
   * estimate is checked: for `extensions.cost` and for the resolvers to read.
   */
  onPlan?: (context: object, plan: OperationPlan) => void;
  /** Schema introspection allowed (bounded); default true. */
  introspection?: boolean;
}

/** The operation's variables as the limits coerced them, on the request's context. */
export const coercedVariables = slot<Record<string, unknown>>('coerced variables');

const NO_VARIABLES: { coerced: Record<string, unknown>; errors?: undefined } = Object.freeze({
  coerced: Object.freeze({}),
});

/** The Yoga plugin enforcing every limit. */
export function useQueryLimits(limits: QueryLimits, options: QueryLimitsOptions = {}): Plugin {
  const depthRule = depthLimitRule(limits.maxDepth);
  const aliasRule = aliasLimitRule(limits.maxAliases);
  const introspection = introspectionRule(options.introspection ?? true);
  const parseFn = parseWithTokenLimit(limits.maxTokens);
  // An operation without variables has one plan: kept as long as its parsed document is (Yoga's
  // document cache hands out the same AST for the same source); one with variables, a plan for
  // each of the sets it is sent with most (src/schema/variants.ts).
  const constantPlans = new WeakMap<OperationDefinitionNode, OperationPlan>();
  const variantPlans = new Variants<OperationPlan>();
  const planOf = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
  ): OperationPlan => {
    if (operation.variableDefinitions?.length) {
      return variantPlans.get(operation, variables, () =>
        planOperation(schema, operation, fragmentsOf(document), variables),
      );
    }
    let plan = constantPlans.get(operation);
    if (!plan) {
      plan = planOperation(schema, operation, fragmentsOf(document), variables);
      constantPlans.set(operation, plan);
    }
    return plan;
  };
  return {
    onParse({ setParseFn }) {
      setParseFn(parseFn);
    },
    onValidate({ addValidationRule }) {
      addValidationRule(depthRule);
      addValidationRule(aliasRule);
      addValidationRule(introspection);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return;
      const raw = (args.variableValues ?? {}) as Record<string, unknown>;
      const problem = variablesProblem(raw, limits.maxListItems);
      if (problem) {
        setResultAndStopExecution({
          errors: [
            limitError('BAD_USER_INPUT', problem.message, { path: problem.path, ...problem.extensions }),
          ],
        });
        return;
      }
      // An operation without variables coerces none (graphql-js ignores the ones sent): nothing to
      // work out on each request.
      const definitions = operation.variableDefinitions ?? [];
      const coerced =
        definitions.length === 0
          ? NO_VARIABLES
          : getVariableValues(args.schema, definitions, raw, { maxErrors: MAX_VARIABLE_ERRORS });
      // Coerced once here, with a bound on errors; graphql-js would coerce again, without codes.
      if (coerced.errors) {
        setResultAndStopExecution({ errors: coerced.errors.map(badVariable) });
        return;
      }
      // A direct answer (src/server/fast-path.ts) takes them from here rather than coercing again.
      if (definitions.length > 0) coercedVariables.set(args.contextValue as object, coerced.coerced);
      const plan = planOf(args.schema, args.document, operation, coerced.coerced);
      options.onPlan?.(args.contextValue as object, plan);
      const error = checkEstimate(plan.estimate, limits);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
