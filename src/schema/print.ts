/**
 * `npm run schema:print`: writes schema.graphql, the printed SDL, and subgraph.graphql, the Apollo
 * Federation subgraph SDL (with `@link`, `@key` and `@shareable`), both sorted and without
 * descriptions (Stripe's prose is not committed). Tests fail when either file is stale.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GraphQLSchema, lexicographicSortSchema, parse, print, printSchema, visit } from 'graphql';
import { printSubgraphSDLOf } from './federation.ts';
import { buildSchema } from './index.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCHEMA_FILE = join(ROOT, 'schema.graphql');
export const SUBGRAPH_FILE = join(ROOT, 'subgraph.graphql');

/** The SDL without descriptions: scalars and helper types carry descriptions of their own. */
export function withoutDescriptions(sdl: string): string {
  const ast = visit(parse(sdl), {
    enter(node) {
      return 'description' in node && node.description ? { ...node, description: undefined } : undefined;
    },
  });
  return `${print(ast)}\n`;
}

/** The schema as the printed files have it: without descriptions, sorted. */
function printable(schema?: GraphQLSchema): GraphQLSchema {
  return lexicographicSortSchema(schema ?? buildSchema({ descriptions: false }).schema);
}

/** schema.graphql; `schema` defaults to a fresh build without descriptions. */
export function printSDL(schema?: GraphQLSchema): string {
  return withoutDescriptions(printSchema(printable(schema)));
}

/** subgraph.graphql: the SDL a federation router composes (`_service { sdl }`, without prose). */
export function printSubgraphSDL(schema?: GraphQLSchema): string {
  return withoutDescriptions(printSubgraphSDLOf(printable(schema)));
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const { schema } = buildSchema({ descriptions: false });
  for (const [file, sdl] of [
    [SCHEMA_FILE, printSDL(schema)],
    [SUBGRAPH_FILE, printSubgraphSDL(schema)],
  ] as const) {
    writeFileSync(file, sdl);
    console.log(`schema:print: wrote ${file.slice(ROOT.length + 1)} (${sdl.split('\n').length} lines)`);
  }
}
