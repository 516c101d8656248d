/**
 * CSRF prevention for browser clients. A browser sends a GET, or a POST whose content type is
 * `text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data`, cross-origin without
 * a CORS preflight, so such a request must prove it came from a script allowed to set a custom
 * header: it must carry one of the `requestHeaders`. JSON POSTs (what GraphiQL and GraphQL clients
 * send) need a preflight anyway and pass. Same idea as Yoga's csrfPrevention plugin.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const CSRF_HEADERS: readonly string[] = [
  'x-graphql-yoga-csrf',
  'graphql-require-preflight',
  'apollo-require-preflight',
  'x-apollo-operation-name',
];

const SIMPLE_CONTENT_TYPES = new Set([
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
]);

/** Whether a browser could have sent this request without a preflight. */
export function isSimpleRequest(request: Request): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  const contentType = request.headers.get('content-type');
  if (contentType === null) return true;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return SIMPLE_CONTENT_TYPES.has(mediaType);
}

export function useCsrfPrevention(requestHeaders: readonly string[] = CSRF_HEADERS): Plugin {
  return {
    onRequestParse({ request }) {
      if (!isSimpleRequest(request)) return;
      if (requestHeaders.some((name) => (request.headers.get(name) ?? '') !== '')) return;
      throw new GraphQLError(
        `This request could come from a cross-site form: send it as a JSON POST, or add one of these headers: ${requestHeaders.join(', ')}`,
        { extensions: { code: 'CSRF_PREVENTED', http: { status: 403 } } },
      );
    },
  };
}
