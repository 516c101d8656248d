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
  getOperationAST,
  getVariableValues,
  Kind,
  type ParseOptions,
  parse,
  type SelectionSetNode,
  type Source,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { QueryLimits } from './config.ts';
import { type CostEstimate, estimateCost } from './cost.ts';

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

/** Introspection subtrees (`__schema`, `__type`) are exempt: GraphiQL's own query nests deeply. */
const isIntrospection = (name: string) => name.startsWith('__') && name !== '__typename';

/**
 * Folds a selection set, fragments followed once each (and memoised): `field` gives a field's value
 * from its children's, `combine` joins siblings (max for depth, sum for aliases).
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
      if (isIntrospection(selection.name.value)) continue;
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

const depthOf = (selectionSet: SelectionSetNode, context: ValidationContext, memo: Map<string, number>) =>
  foldSelections(selectionSet, context, memo, [], (_node, children) => 1 + children, Math.max);

const aliasesOf = (selectionSet: SelectionSetNode, context: ValidationContext, memo: Map<string, number>) =>
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

export function depthLimitRule(maxDepth: number): ValidationRule {
  return named((context: ValidationContext): ASTVisitor => {
    const memo = new Map<string, number>();
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, context, memo);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(
              `The query is nested ${depth} fields deep, more than the maximum of ${maxDepth}`,
              {
                nodes: [node],
                extensions: { code: 'DEPTH_LIMIT', limit: maxDepth, depth },
              },
            ),
          );
        }
      },
    };
  }, `DepthLimit${maxDepth}`);
}

export function aliasLimitRule(maxAliases: number): ValidationRule {
  return named((context: ValidationContext): ASTVisitor => {
    const memo = new Map<string, number>();
    return {
      OperationDefinition(node) {
        const aliases = aliasesOf(node.selectionSet, context, memo);
        if (aliases > maxAliases) {
          context.reportError(
            new GraphQLError(`The query uses ${aliases} aliases, more than the maximum of ${maxAliases}`, {
              nodes: [node],
              extensions: { code: 'ALIAS_LIMIT', limit: maxAliases, aliases },
            }),
          );
        }
      },
    };
  }, `AliasLimit${maxAliases}`);
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

export interface QueryLimitsOptions {
  /** Called with each operation's estimate, before it is checked (for `extensions.cost`). */
  onEstimate?: (context: object, estimate: CostEstimate) => void;
}

/** The Yoga plugin enforcing every limit. */
export function useQueryLimits(limits: QueryLimits, options: QueryLimitsOptions = {}): Plugin {
  const depthRule = depthLimitRule(limits.maxDepth);
  const aliasRule = aliasLimitRule(limits.maxAliases);
  const parseFn = parseWithTokenLimit(limits.maxTokens);
  return {
    onParse({ setParseFn }) {
      setParseFn(parseFn);
    },
    onValidate({ addValidationRule }) {
      addValidationRule(depthRule);
      addValidationRule(aliasRule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return;
      const coerced = getVariableValues(
        args.schema,
        operation.variableDefinitions ?? [],
        (args.variableValues ?? {}) as Record<string, unknown>,
      );
      // Invalid variables fail execution before any resolver runs.
      if (coerced.errors) return;
      const estimate = estimateCost(args.schema, operation, fragmentsOf(args.document), coerced.coerced);
      options.onEstimate?.(args.contextValue as object, estimate);
      const error = checkEstimate(estimate, limits);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
