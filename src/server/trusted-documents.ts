/**
 * Trusted documents (persisted operations): the operations a frontend may run, known at build
 * time. graphql-codegen's client preset (`persistedDocuments: true`, which writes
 * `persisted-documents.json`) and the Relay compiler (`persistConfig`, `persisted_queries.json`)
 * both write a manifest `{ "<id>": "<document text>" }`; the client then sends the id, not the text.
 * Yoga's persisted-operations plugin looks the id up; in `only` mode a request with anything
 * else is refused before it is parsed, which makes the depth and cost limits a second line of
 * defence. WebSocket operations do not pass through the HTTP parameters: in `only` mode every
 * document parsed (HTTP or WebSocket) must also be, word for word, one of the manifest's.
 *
 * The id is read from `documentId` (the GraphQL-over-HTTP draft's name, what the client preset's
 * docs send), Apollo's `extensions.persistedQuery.sha256Hash`, or Relay's `doc_id`; on a GET,
 * from the `documentId` search parameter too.
 */
import { readFileSync } from 'node:fs';
import {
  defaultExtractPersistedOperationId,
  usePersistedOperations,
} from '@graphql-yoga/plugin-persisted-operations';
import { type GraphQLSchema, parse, validate } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { TrustedDocumentsMode } from './production-config.ts';

/** Body parameters that carry a document id (Yoga refuses parameters it does not know). */
export const DOCUMENT_ID_PARAMS = ['documentId', 'doc_id'];

/**
 * Reads a manifest and checks every document against the schema, so that a stale manifest stops
 * the start (naming the id) rather than failing its operation at run time.
 */
export function loadManifest(path: string, schema: GraphQLSchema): Map<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`trusted documents: cannot read ${path}: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`trusted documents: ${path} is not an object of document ids to documents`);
  }
  const documents = new Map<string, string>();
  for (const [id, text] of Object.entries(json)) {
    if (typeof text !== 'string') throw new Error(`trusted documents: ${path}: "${id}" is not a document`);
    let errors: readonly { message: string }[];
    try {
      errors = validate(schema, parse(text));
    } catch (error) {
      errors = [error as Error];
    }
    if (errors.length > 0) {
      throw new Error(`trusted documents: ${path}: "${id}" does not fit the schema: ${errors[0]!.message}`);
    }
    documents.set(id, text);
  }
  return documents;
}

function documentIdOf(params: Record<string, unknown>, request: Request): string | null {
  for (const name of DOCUMENT_ID_PARAMS) {
    const value = params[name];
    if (typeof value === 'string') return value;
  }
  type Params = Parameters<typeof defaultExtractPersistedOperationId>[0];
  const apollo = defaultExtractPersistedOperationId(params as Params, request, {});
  if (apollo !== null) return apollo;
  if (request.method === 'GET') return new URL(request.url).searchParams.get('documentId');
  return null;
}

/**
 * With trusted documents off, a request that names a document by id alone (Apollo's
 * persisted-queries link sends its hash first; the client preset and Relay their ids) gets Apollo's
 * PERSISTED_QUERY_NOT_SUPPORTED, on which that link sends the text instead, rather than Yoga's
 * "Must provide query string", on which it gives up. A request with the text runs as ever.
 */
export function useDocumentIdsUnsupported(): Plugin {
  return {
    onParams({ params, request }) {
      if (typeof params.query === 'string' && params.query !== '') return;
      if (documentIdOf(params as Record<string, unknown>, request) === null) return;
      throw createGraphQLError(
        'This server runs documents by their text: trusted documents are off (TRUSTED_DOCUMENTS)',
        { extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED', http: { status: 400 } } },
      );
    },
  };
}

const refusal = (message: string, code: string) => ({
  message,
  extensions: { code, http: { status: 400 } },
});

export function useTrustedDocuments(
  mode: Exclude<TrustedDocumentsMode, 'off'>,
  documents: Map<string, string>,
): Plugin[] {
  const plugins: Plugin[] = [
    usePersistedOperations({
      getPersistedOperation: (id) => documents.get(id) ?? null,
      allowArbitraryOperations: mode === 'allow',
      extractPersistedOperationId: (params, request) =>
        documentIdOf(params as Record<string, unknown>, request),
      // Validation stays on: the query limits run in it.
      customErrors: {
        // In `allow` mode the text may follow: Apollo's persisted-queries link sends it on
        // PERSISTED_QUERY_NOT_FOUND (Apollo's code), and gives up on any other.
        notFound:
          mode === 'allow'
            ? refusal('No trusted document has this id: send its text', 'PERSISTED_QUERY_NOT_FOUND')
            : refusal('No trusted document has this id', 'TRUSTED_DOCUMENT_NOT_FOUND'),
        keyNotFound: refusal('Send the id of a trusted document (documentId)', 'TRUSTED_DOCUMENT_REQUIRED'),
        persistedQueryOnly: refusal(
          'Only trusted documents run here: send the document id (documentId), not its text',
          'TRUSTED_DOCUMENT_REQUIRED',
        ),
      },
    }),
  ];
  if (mode === 'only') {
    const texts = new Set(documents.values());
    plugins.push({
      onParse({ params }) {
        const source = typeof params.source === 'string' ? params.source : params.source.body;
        if (!texts.has(source)) {
          throw createGraphQLError('Only trusted documents run here', {
            extensions: { code: 'TRUSTED_DOCUMENT_REQUIRED', http: { status: 400 } },
          });
        }
      },
    });
  }
  return plugins;
}
