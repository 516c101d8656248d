/**
 * `npm run schema:print`: writes schema.graphql, the printed SDL, sorted and without descriptions
 * (Stripe's prose is not committed). A test fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, parse, print, printSchema, visit } from 'graphql';
import { buildSchema } from './index.ts';

export const SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema.graphql');

export function printSDL(): string {
  const { schema } = buildSchema({ descriptions: false });
  // Scalars and helper types carry descriptions of their own: the committed SDL holds none.
  const ast = visit(parse(printSchema(lexicographicSortSchema(schema))), {
    enter(node) {
      return 'description' in node && node.description ? { ...node, description: undefined } : undefined;
    },
  });
  return `${print(ast)}\n`;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const sdl = printSDL();
  writeFileSync(SCHEMA_FILE, sdl);
  console.log(`schema:print: wrote schema.graphql (${sdl.split('\n').length} lines)`);
}
