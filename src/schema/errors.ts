/**
 * Expected failures as GraphQL errors with `extensions.code`, so that Yoga's masking lets them through
 * and clients can branch on them. Anything else thrown by a resolver is unexpected and gets masked.
 * A Stripe failure becomes a GraphQL error in the upstream session (src/loaders/stripe-errors.ts);
 * this file adds what a mutation knows (the input path, the write's outcome) and the gateway's own
 * refusals.
 */
import { GraphQLError } from 'graphql';
import { isStripeError } from '../rest/errors.ts';

/**
 * A Stripe error from a mutation, with Stripe's `param` (`address[postal_code]`) also given as the
 * GraphQL input path (`extensions.inputPath`: `input.address.postalCode`) when `mapParam` knows it.
 */
export function withInputPath(error: unknown, mapParam: (param: string) => string | undefined): unknown {
  if (!(error instanceof GraphQLError)) return error;
  const stripe = error.extensions.stripe as { param?: string } | undefined;
  const inputPath = stripe?.param ? mapParam(stripe.param) : undefined;
  if (!inputPath) return error;
  return new GraphQLError(error.message, {
    ...(error.originalError ? { originalError: error.originalError } : {}),
    extensions: { ...error.extensions, inputPath },
  });
}

/**
 * Whether a write that failed this way may still have been applied by Stripe: it was (or may have
 * been) forwarded and no verdict came back — a timeout, a lost or refused connection, an answer cut
 * off, a cancelled call, a 5xx. A 4xx is Stripe's refusal; a scope denial, a spent rate budget or a
 * full queue sent nothing.
 */
function mayHaveHappened(error: unknown): boolean {
  const cause = error instanceof GraphQLError ? error.originalError : error;
  if (!isStripeError(cause)) return false;
  switch (cause.kind) {
    case 'timeout':
    case 'connection':
    case 'too_large':
    case 'aborted':
      return true;
    case 'api':
      return (cause.statusCode ?? 500) >= 500;
    default:
      return false;
  }
}

/**
 * A failed write's error with what a client needs to retry it safely: `idempotencyKey`, the key the
 * gateway sent (the caller's or the one it made), and `mayHaveHappened`. Retrying with the same key
 * makes Stripe answer the first attempt's result instead of writing twice.
 */
export function withWriteOutcome(error: unknown, idempotencyKey: string | undefined): unknown {
  if (!(error instanceof GraphQLError)) return error;
  return new GraphQLError(error.message, {
    ...(error.originalError ? { originalError: error.originalError } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions: {
      ...error.extensions,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      mayHaveHappened: mayHaveHappened(error),
    },
  });
}

/** A read that found the deleted form of a live type: `DELETED`, with the object's id. */
export function deletedError(type: string, object: { id?: unknown }): GraphQLError {
  return userError('DELETED', `${type} ${String(object.id)} has been deleted`, { id: object.id });
}

/**
 * A value Stripe sent that the field's enum does not list (src/schema/registry.ts): the enum's
 * GraphQL name, the value as Stripe sent it, and the field.
 */
export function unknownEnumValue(enumName: string, value: unknown, field: string): GraphQLError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return userError(
    'UNKNOWN_ENUM_VALUE',
    `${field}: Stripe sent "${shown}", which ${enumName} does not list`,
    {
      enum: enumName,
      value: shown,
    },
  );
}

export function userError(
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}
