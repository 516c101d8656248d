/**
 * CSRF prevention for browser clients, by Yoga's plugin (@graphql-yoga/plugin-csrf-prevention): a
 * browser sends a GET, or a POST whose content type is `text/plain`,
 * `application/x-www-form-urlencoded` or `multipart/form-data`, cross-origin without a CORS
 * preflight, so such a request must prove it came from a script allowed to set a custom header: it
 * must carry one of `requestHeaders`. JSON POSTs (what GraphiQL and GraphQL clients send) need a
 * preflight anyway and pass. Yoga's refusal carries no `extensions.code`; this gives it one
 * (`CSRF_PREVENTED`) and a message that says what to send.
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const CSRF_HEADERS: readonly string[] = [
  'x-graphql-yoga-csrf',
  'graphql-require-preflight',
  'apollo-require-preflight',
  'x-apollo-operation-name',
];

export function useCsrfPrevention(requestHeaders: readonly string[] = CSRF_HEADERS): Plugin {
  const check = useCSRFPrevention({ requestHeaders: [...requestHeaders] }).onRequestParse!;
  const refusal = () =>
    new GraphQLError(
      `This request could come from a cross-site form: send it as a JSON POST, or add one of these headers: ${requestHeaders.join(', ')}`,
      { extensions: { code: 'CSRF_PREVENTED', http: { status: 403 } } },
    );
  return {
    onRequestParse(payload) {
      try {
        return check(payload);
      } catch {
        throw refusal();
      }
    },
  };
}
