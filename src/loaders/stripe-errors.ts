/**
 * Stripe's failures as GraphQL errors: the upstream session (session.ts) maps every error of a call
 * it made here, so that a resolver, a loader and a write see the same `extensions.code` and
 * `extensions.stripe`, which Yoga's masking lets through and clients can branch on.
 */
import { GraphQLError } from 'graphql';
import { isStripeError, type StripeError } from '../rest/errors.ts';

/** GraphQL error codes for Stripe failures, by what went wrong. */
function stripeCode(error: StripeError): string {
  if (error.kind === 'timeout') return 'STRIPE_TIMEOUT';
  if (error.kind === 'aborted') return 'REQUEST_ABORTED';
  if (error.kind === 'connection') return 'STRIPE_UNREACHABLE';
  if (error.kind === 'rate_limited') return 'RATE_LIMITED';
  if (error.kind === 'queue_timeout') return 'STRIPE_QUEUE_TIMEOUT';
  if (error.kind === 'too_large') return 'STRIPE_RESPONSE_TOO_LARGE';
  if (error.isRateLimit) return 'STRIPE_RATE_LIMITED';
  switch (error.statusCode) {
    case 400:
      return error.type === 'idempotency_error' ? 'STRIPE_IDEMPOTENCY_ERROR' : 'STRIPE_INVALID_REQUEST';
    case 401:
      return 'STRIPE_AUTHENTICATION_FAILED';
    case 402:
      return 'STRIPE_CARD_ERROR';
    case 403:
      return 'STRIPE_PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'STRIPE_CONFLICT';
    default:
      return 'STRIPE_API_ERROR';
  }
}

export function toGraphQLError(error: unknown): unknown {
  if (!isStripeError(error)) return error;
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: {
      code: stripeCode(error),
      stripe: {
        kind: error.kind,
        type: error.type,
        code: error.code,
        declineCode: error.declineCode,
        param: error.param,
        statusCode: error.statusCode,
        requestId: error.requestId,
        ...error.related,
      },
    },
  });
}
