/**
 * What happens around each GraphQL operation: errors are masked with the request's logger (so a
 * masked error's reference and the request id share a log line), `extensions.cost` is added
 * (estimated and actual Stripe calls), and operations, durations, upstream calls and error codes
 * are counted.
 */
import type { ExecutionResult, GraphQLError } from 'graphql';
import { getOperationAST } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import type { Slot } from '../loaders/slot.ts';
import type { ServerContext } from './context.ts';
import type { CostEstimate } from './cost.ts';
import type { ErrorMasker } from './masking.ts';
import type { GatewayMetrics } from './metrics.ts';

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

export function useOperations(options: OperationsOptions): Plugin {
  const { metrics, masker, costExtensions, estimates } = options;
  return {
    onExecute({ args }) {
      const context = args.contextValue as Partial<ServerContext>;
      const operation = getOperationAST(args.document, args.operationName);
      const labels = {
        operation_type: operation?.operation ?? 'unknown',
        operation_name: metrics.operationLabel(operation?.name?.value ?? args.operationName),
      };
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
      const results = Array.isArray(result) ? result : [result];
      for (const item of results) {
        if (!isExecutionResult(item)) continue;
        for (const error of item.errors ?? []) metrics.errors.inc({ code: errorCode(error) });
      }
    },
  };
}
