/**
 * Error masking. Expected errors (GraphQL errors with `extensions.code`: Stripe failures, user
 * errors, limits; and the parse/validation errors of a bad document) reach the client with their
 * typed extensions. Anything else is replaced by `Unexpected error. Reference: <id>`, and the
 * original (name, code, message scrubbed of customer data, stack frames) is logged under that id
 * and the request id. Every message and
 * extension that leaves is redacted, so an API key cannot leak through an error.
 */
import { randomBytes } from 'node:crypto';
import { GraphQLError, type GraphQLErrorOptions } from 'graphql';
import type { Logger } from './logger.ts';
import { type Redactor, redactValue } from './redact.ts';

export const UNEXPECTED_MESSAGE = 'Unexpected error.';

/** True when the error itself or a GraphQLError it wraps was raised without a GraphQL cause. */
function isOriginalGraphQLError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || isOriginalGraphQLError(error.originalError);
}

/** Whether an error may be shown to the client as it is (after redaction). */
export function isExpectedError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions?.code;
  if (typeof code === 'string') {
    // INTERNAL_SERVER_ERROR is only expected when it is one of ours, already masked.
    return code !== 'INTERNAL_SERVER_ERROR' || typeof error.extensions.reference === 'string';
  }
  // A document error (syntax, validation) has no path; an execution error without a code is a bug.
  return error.path === undefined && isOriginalGraphQLError(error);
}

/** Stripe ids (`cus_…`, `acct_…`, `pm_card_visa`): kept in logs, they identify without revealing. */
const STRIPE_ID = /^[a-z]{2,}(?:_[A-Za-z0-9]+)+$/;
const QUOTED = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;
const EMAIL = /[^\s"'<>@]+@[^\s"'<>@]+\.[^\s"'<>@]+/g;
const LONG_NUMBER = /\d{5,}/g;

/**
 * A message with customer data taken out: quoted values (graphql-js quotes the value it could not
 * serialize: a whole Stripe object, names and emails included) unless they are Stripe ids, email
 * addresses and long numbers. Field names, codes and ids remain.
 */
export function scrubMessage(message: string): string {
  return message
    .replace(QUOTED, (quoted) => (STRIPE_ID.test(quoted.slice(1, -1)) ? quoted : '"…"'))
    .replace(EMAIL, '…@…')
    .replace(LONG_NUMBER, '…');
}

/** What a masked error's log line says about it: name, code, scrubbed message, stack frames, causes. */
export function describeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const out: Record<string, unknown> = { name: error.name, message: scrubMessage(error.message) };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  const frames = error.stack
    ?.split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .map((line) => line.trim());
  if (frames && frames.length > 0) out.stack = frames;
  if (error.cause !== undefined && depth < 3) out.cause = describeError(error.cause, depth + 1);
  return out;
}

export function newReference(): string {
  return randomBytes(8).toString('hex');
}

function redactedCopy(error: GraphQLError, redact: Redactor): GraphQLError {
  const message = redact(error.message);
  const extensions = redactValue(error.extensions, redact) as Record<string, unknown>;
  if (message === error.message && JSON.stringify(extensions) === JSON.stringify(error.extensions))
    return error;
  const options: GraphQLErrorOptions = { extensions };
  if (error.nodes) options.nodes = error.nodes;
  if (error.source) options.source = error.source;
  if (error.positions) options.positions = error.positions;
  if (error.path) options.path = error.path;
  return new GraphQLError(message, options);
}

export interface ErrorMasker {
  /** The error to send: the original (redacted) when expected, else a masked one; logs masked ones. */
  mask(error: unknown, logger?: Logger): GraphQLError;
}

export function createErrorMasker(options: { logger: Logger; redact: Redactor }): ErrorMasker {
  const { redact } = options;
  return {
    mask(error, logger = options.logger) {
      if (isExpectedError(error)) return redactedCopy(error, redact);
      const reference = newReference();
      const graphqlError = error instanceof GraphQLError ? error : undefined;
      // Ids, codes, paths and stack frames only: the original message may quote customer data.
      logger.error('unexpected error', {
        reference,
        path: graphqlError?.path?.join('.'),
        error: describeError(graphqlError?.originalError ?? error),
      });
      const masked: GraphQLErrorOptions = { extensions: { code: 'INTERNAL_SERVER_ERROR', reference } };
      if (graphqlError) {
        if (graphqlError.nodes) masked.nodes = graphqlError.nodes;
        if (graphqlError.source) masked.source = graphqlError.source;
        if (graphqlError.positions) masked.positions = graphqlError.positions;
        if (graphqlError.path) masked.path = graphqlError.path;
        const http = graphqlError.extensions?.http;
        if (http) masked.extensions = { ...masked.extensions, http };
      }
      return new GraphQLError(`${UNEXPECTED_MESSAGE} Reference: ${reference}`, masked);
    },
  };
}
