/**
 * `npm run schema:print`: writes schema.graphql, the printed SDL, and subgraph.graphql, the Apollo
 * Federation subgraph SDL (with `@link`, `@key` and `@shareable`), both sorted and without
 * descriptions (Stripe's prose is not committed), with `@preview` on what the preview overlay adds.
 * Tests fail when either file is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type DirectiveNode,
  type GraphQLSchema,
  isObjectType,
  Kind,
  lexicographicSortSchema,
  parse,
  print,
  printSchema,
  visit,
} from 'graphql';
import { cacheConfig } from '../client/config.ts';
import { printSubgraphSDLOf } from './federation.ts';
import { buildSchema } from './index.ts';
import { isPreview, previewDirective } from './preview.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCHEMA_FILE = join(ROOT, 'schema.graphql');
export const SUBGRAPH_FILE = join(ROOT, 'subgraph.graphql');
/** What client caches must know (src/client/config.ts): possibleTypes, id-less types, connections. */
export const CACHE_CONFIG_FILE = join(ROOT, 'client', 'cache-config.json');

/** client/cache-config.json, from a fresh build by default. */
export function printCacheConfig(schema?: GraphQLSchema): string {
  return `${JSON.stringify(cacheConfig(printable(schema)), null, 1)}\n`;
}

/**
 * The SDL without descriptions (scalars and helper types carry descriptions of their own: the
 * committed SDL holds none). Given the schema it was printed from, it also marks the types and
 * fields the preview overlay adds with `@preview` (graphql-js does not print applied directives).
 */
export function withoutDescriptions(sdl: string, schema?: GraphQLSchema): string {
  const preview: DirectiveNode = {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: previewDirective.name },
  };
  const mark = <T extends { directives?: readonly DirectiveNode[] }>(node: T): T => ({
    ...node,
    directives: [...(node.directives ?? []), preview],
  });
  const ast = visit(parse(sdl), {
    enter(node) {
      let out = 'description' in node && node.description ? { ...node, description: undefined } : node;
      if (schema && (out.kind === Kind.OBJECT_TYPE_DEFINITION || out.kind === Kind.ENUM_TYPE_DEFINITION)) {
        const type = schema.getType(out.name.value);
        if (type && isPreview(type)) out = mark(out);
        if (isObjectType(type) && out.kind === Kind.OBJECT_TYPE_DEFINITION && out.fields) {
          const fields = type.getFields();
          out = {
            ...out,
            fields: out.fields.map((field) => {
              const defined = fields[field.name.value];
              return defined && isPreview(defined) ? mark(field) : field;
            }),
          };
        }
      }
      return out === node ? undefined : out;
    },
  });
  return `${print(ast)}\n`;
}

/** The schema as the printed files have it: without descriptions, sorted. */
function printable(schema: GraphQLSchema | { preview?: boolean } | undefined): GraphQLSchema {
  const built =
    schema && 'getTypeMap' in schema ? schema : buildSchema({ descriptions: false, ...schema }).schema;
  return lexicographicSortSchema(built);
}

/** schema.graphql; by default a fresh build without descriptions (`{ preview: false }` without the overlay). */
export function printSDL(schema?: GraphQLSchema | { preview?: boolean }): string {
  const sorted = printable(schema);
  return withoutDescriptions(printSchema(sorted), sorted);
}

/** subgraph.graphql: the SDL a federation router composes (`_service { sdl }`, without prose). */
export async function printSubgraphSDL(schema?: GraphQLSchema): Promise<string> {
  const sorted = printable(schema);
  return withoutDescriptions(await printSubgraphSDLOf(sorted), sorted);
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const { schema } = buildSchema({ descriptions: false });
  for (const [file, sdl] of [
    [SCHEMA_FILE, printSDL(schema)],
    [SUBGRAPH_FILE, await printSubgraphSDL(schema)],
    [CACHE_CONFIG_FILE, printCacheConfig(schema)],
  ] as const) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, sdl);
    console.log(`schema:print: wrote ${file.slice(ROOT.length + 1)} (${sdl.split('\n').length} lines)`);
  }
}
