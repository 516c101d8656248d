/**
 * What happens around each GraphQL operation: errors are masked with the request's logger (so a
 * masked error's reference and the request id share a log line), `extensions.cost` is added
 * (estimated and actual Stripe calls), and operations, durations, upstream calls and error codes
 * are counted.
 */
import type { DocumentNode, ExecutionResult, GraphQLError } from 'graphql';
import { getOperationAST } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import type { Slot } from '../loaders/slot.ts';
import type { ServerContext } from './context.ts';
import type { CostEstimate } from './cost.ts';
import type { ErrorMasker } from './masking.ts';
import type { GatewayMetrics, OperationLabels } from './metrics.ts';

export interface OperationsOptions {
  metrics: GatewayMetrics;
  masker: ErrorMasker;
  /** add `extensions.cost` to responses */
  costExtensions: boolean;
  /** each admitted operation's estimate, on its context (filled by the limits plugin) */
  estimates: Slot<CostEstimate>;
}

export interface CostExtension {
  estimatedUpstreamCalls: number | null;
  actualUpstreamCalls: number;
}

function errorCode(error: GraphQLError | { extensions?: Record<string, unknown> }): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);
}

function countErrorsOf(metrics: GatewayMetrics, result: unknown): void {
  if (!isExecutionResult(result) || result.errors === undefined) return;
  for (const error of result.errors) metrics.errors.inc({ code: errorCode(error) });
}

export function useOperations(options: OperationsOptions): Plugin {
  const { metrics, masker, costExtensions, estimates } = options;
  const countErrors = (result: unknown) => countErrorsOf(metrics, result);
  // Yoga's document cache hands a repeated document back as the same AST: its labels (the operation
  // looked up, the name bounded) are worked out once per document and operation name, not per request.
  const labelsByDocument = new WeakMap<DocumentNode, Map<string | null | undefined, OperationLabels>>();
  const labelsOf = (document: DocumentNode, operationName: string | null | undefined): OperationLabels => {
    let byName = labelsByDocument.get(document);
    if (byName === undefined) {
      byName = new Map();
      labelsByDocument.set(document, byName);
    }
    let labels = byName.get(operationName);
    if (labels === undefined) {
      const operation = getOperationAST(document, operationName);
      labels = {
        operation_type: operation?.operation ?? 'unknown',
        operation_name: metrics.operationLabel(operation?.name?.value ?? operationName),
      };
      byName.set(operationName, labels);
    }
    return labels;
  };
  return {
    onExecute({ args }) {
      const context = args.contextValue as Partial<ServerContext>;
      const labels = labelsOf(args.document, args.operationName);
      const started = performance.now();
      return {
        onExecuteDone(payload) {
          return handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            const errors = result.errors?.map((error) => masker.mask(error, context.logger));
            const actualUpstreamCalls = context.upstreamCalls?.() ?? 0;
            const estimate = estimates.get(context);
            const seconds = (performance.now() - started) / 1000;
            metrics.operations.inc(labels);
            metrics.operationDuration.observe(labels, seconds);
            metrics.operationUpstreamCalls.observe(
              { operation_type: labels.operation_type },
              actualUpstreamCalls,
            );
            if (context.logger?.enabled('debug')) {
              context.logger.debug('operation', {
                operationName: labels.operation_name,
                operationType: labels.operation_type,
                durationMs: Math.round(seconds * 10_000) / 10,
                estimatedUpstreamCalls: estimate?.upstreamCalls,
                actualUpstreamCalls,
                errors: errors?.length ?? 0,
              });
            }
            if (!errors && !costExtensions) return;
            const cost: CostExtension = {
              estimatedUpstreamCalls: estimate?.upstreamCalls ?? null,
              actualUpstreamCalls,
            };
            setResult({
              ...result,
              ...(errors ? { errors } : {}),
              ...(costExtensions ? { extensions: { ...result.extensions, cost } } : {}),
            });
          });
        },
      };
    },
    onResultProcess({ result }) {
      if (!Array.isArray(result)) countErrors(result);
      else for (const item of result) countErrors(item);
    },
  };
}
