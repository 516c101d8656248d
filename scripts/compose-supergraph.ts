/**
 * Composes a federation supergraph from running subgraphs: reads each one's `_service { sdl }` and
 * composes them with @theguild/federation-composition (Federation v2). Prints the supergraph SDL,
 * which a router serves (`npx hive-gateway supergraph supergraph.graphql`).
 *
 *   npx tsx scripts/compose-supergraph.ts stripe=http://127.0.0.1:4000/graphql \
 *     orders=http://127.0.0.1:4001/graphql > supergraph.graphql
 *
 * Exits 1 and prints the composition errors when the subgraphs do not compose.
 */
import { fileURLToPath } from 'node:url';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';

export interface Subgraph {
  name: string;
  /** the subgraph's GraphQL endpoint: the router sends `_entities` and root fields there */
  url: string;
  /** its SDL; read from `_service { sdl }` at `url` when absent */
  sdl?: string;
}

/** A subgraph's SDL, from its `_service { sdl }` field. */
export async function fetchSubgraphSDL(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = (await response.json()) as { data?: { _service?: { sdl?: string } }; errors?: unknown };
  const sdl = body.data?._service?.sdl;
  if (!sdl) throw new Error(`${url} answered no _service { sdl }: ${JSON.stringify(body.errors ?? body)}`);
  return sdl;
}

/** The supergraph SDL of the subgraphs; throws with every composition error when they do not compose. */
export async function composeSupergraph(subgraphs: readonly Subgraph[]): Promise<string> {
  const services = await Promise.all(
    subgraphs.map(async (s) => ({
      name: s.name,
      url: s.url,
      typeDefs: parse(s.sdl ?? (await fetchSubgraphSDL(s.url))),
    })),
  );
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const subgraphs = process.argv.slice(2).map((arg) => {
    const at = arg.indexOf('=');
    if (at <= 0) throw new Error(`expected name=url, got "${arg}"`);
    return { name: arg.slice(0, at), url: arg.slice(at + 1) };
  });
  if (subgraphs.length === 0) {
    console.error('usage: compose-supergraph.ts name=url [name=url …]');
    process.exit(2);
  }
  composeSupergraph(subgraphs).then(
    (sdl) => process.stdout.write(sdl),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
