/**
 * `npm run schema:print`: writes schema.graphql, the printed SDL, sorted and without descriptions
 * (Stripe's prose is not committed). A test fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
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
import { buildSchema } from './index.ts';
import { isPreview, previewDirective } from './preview.ts';

export const SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema.graphql');

export function printSDL(options: { preview?: boolean } = {}): string {
  const { schema } = buildSchema({ descriptions: false, ...options });
  return printWithoutDescriptions(schema);
}

/**
 * The sorted SDL without descriptions (scalars and helper types carry descriptions of their own: the
 * committed SDL holds none), with `@preview` on the types and fields marked preview (graphql-js does
 * not print applied directives, so they are added to the printed document).
 */
export function printWithoutDescriptions(schema: GraphQLSchema): string {
  const preview: DirectiveNode = {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: previewDirective.name },
  };
  const mark = <T extends { directives?: readonly DirectiveNode[] }>(node: T): T => ({
    ...node,
    directives: [...(node.directives ?? []), preview],
  });
  const ast = visit(parse(printSchema(lexicographicSortSchema(schema))), {
    enter(node) {
      let out = 'description' in node && node.description ? { ...node, description: undefined } : node;
      if (out.kind === Kind.OBJECT_TYPE_DEFINITION || out.kind === Kind.ENUM_TYPE_DEFINITION) {
        const type = schema.getType(out.name.value);
        if (type && isPreview(type)) out = mark(out);
        if (isObjectType(type) && out.kind === Kind.OBJECT_TYPE_DEFINITION) {
          const fields = type.getFields();
          if (out.fields) {
            out = {
              ...out,
              fields: out.fields.map((field) => {
                const defined = fields[field.name.value];
                return defined && isPreview(defined) ? mark(field) : field;
              }),
            };
          }
        }
      }
      return out === node ? undefined : out;
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
