/**
 * Cheap refusals before graphql-js validation. Full validation runs some 25 rules over the whole
 * document with type information; on a large document that is tens of milliseconds of blocked event
 * loop (issue 25: a 665-field query spent 123 ms in validation only to be refused for its answer
 * size afterwards). The checks that can refuse such a document are linear walks that need no other
 * rule's guarantee, so they run first, and a document they refuse is never fully validated:
 *
 * 1. fragment cycles and depth, aliases and introspection shape (the query limits' own rules,
 *    src/server/limits.ts), in one graphql-js pass with only those rules;
 * 2. the answer-size estimate (src/server/answer-budget.ts), with the request's raw variables:
 *    over `ANSWER_MAX_FIELDS`, ANSWER_TOO_LARGE (pages over `QUERY_MAX_PAGE_SIZE` count as that
 *    size: such a page is refused as PAGE_SIZE_LIMIT at execution, the clearer error).
 *
 * Each refusal is the same typed error the full pipeline would give. The shape errors depend on the
 * document alone and are the validation result (Yoga caches it); the answer size depends on the
 * variables too, so it is thrown, as the token limit is at parse time (never cached). A document that passes is
 * validated as usual (the limits' rules run again there: linear and memoised, they cost little). The
 * first pass's outcome is kept per parsed document (Yoga's document cache hands out one AST per
 * source), so a repeated query pays it once.
 */
import {
  type DocumentNode,
  type GraphQLError,
  getOperationAST,
  NoFragmentCyclesRule,
  validate,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type AnswerLimits, answerEstimateOf, answerTooLarge } from './answer-budget.ts';
import type { QueryLimits } from './config.ts';
import { aliasLimitRule, depthLimitRule, introspectionRule } from './limits.ts';

export interface PrecheckOptions {
  limits: QueryLimits;
  answer: AnswerLimits;
  /** schema introspection allowed (bounded); default true */
  introspection?: boolean;
}

interface Params {
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export function usePrecheck(options: PrecheckOptions): Plugin {
  const rules = [
    NoFragmentCyclesRule,
    depthLimitRule(options.limits.maxDepth),
    aliasLimitRule(options.limits.maxAliases),
    introspectionRule(options.introspection ?? true),
  ];
  const shapeErrors = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return {
    onValidate({ params: { schema, documentAST }, context, setResult }) {
      let errors = shapeErrors.get(documentAST);
      if (errors === undefined) {
        errors = validate(schema, documentAST, rules);
        shapeErrors.set(documentAST, errors);
      }
      if (errors.length > 0) {
        setResult([...errors]);
        return;
      }
      const params = (context as { params?: Params }).params;
      const operation = getOperationAST(documentAST, params?.operationName ?? undefined);
      if (!operation || operation.operation === 'subscription') return;
      const variables =
        typeof params?.variables === 'object' && params.variables !== null ? params.variables : {};
      const estimate = answerEstimateOf(
        schema,
        documentAST,
        operation,
        variables,
        options.limits.maxPageSize,
      );
      // Thrown, not set as the result: Yoga caches validation results by document, and this one
      // depends on the variables.
      if (estimate > options.answer.maxFields)
        throw answerTooLarge(estimate, options.answer.maxFields, 'estimated');
    },
  };
}
