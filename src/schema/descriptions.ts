/**
 * Stripe's descriptions, attached to a served schema only when something reads them: introspection
 * that selects `description`, or the federation `_service { sdl }` (printed with them). The prose
 * is some 2.7 MB of a gateway's heap for as long as it runs (bench/NOTES.md), and a production
 * gateway, with introspection off, never shows it.
 *
 * A schema built with `descriptions: 'lazy'` carries none of Stripe's; `describeLater` records how
 * to get them (a build with descriptions, of the same options, whose descriptions are copied onto
 * the served schema's own types, fields, arguments and values, then dropped). graphql-js's
 * introspection types are shared by every schema: their `description` resolvers are wrapped, once,
 * to attach the schema's descriptions (`info.schema`) before the first one is read. After that the
 * schema answers exactly as one built with them, through graphql-js's executor or graphql-jit
 * (which calls the same resolvers).
 */
import {
  __Directive,
  __EnumValue,
  __Field,
  __InputValue,
  __Schema,
  __Type,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
} from 'graphql';

/** How each lazily described schema gets its descriptions; removed once it has them. */
const pending = new WeakMap<GraphQLSchema, (schema: GraphQLSchema) => void>();

/** Records how `schema` gets its descriptions, when first asked (see `describe`). */
export function describeLater(schema: GraphQLSchema, attach: (schema: GraphQLSchema) => void): void {
  pending.set(schema, attach);
}

/** Whether `schema` still waits for its descriptions. */
export function awaitsDescriptions(schema: GraphQLSchema): boolean {
  return pending.has(schema);
}

/** Attaches `schema`'s descriptions if they were left for later; a no-op otherwise. */
export function describe(schema: GraphQLSchema): void {
  const attach = pending.get(schema);
  if (!attach) return;
  pending.delete(schema);
  attach(schema);
}

interface Described {
  description?: string | null | undefined;
}

/**
 * Every element of `schema` that can carry a description, by its schema coordinate (`Type`,
 * `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `@directive`, `@directive(arg:)`), introspection's
 * own types left out.
 */
function eachDescribed(schema: GraphQLSchema, visit: (coordinate: string, element: Described) => void): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    visit(type.name, type);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        visit(`${type.name}.${field.name}`, field);
        for (const arg of field.args) visit(`${type.name}.${field.name}(${arg.name}:)`, arg);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) visit(`${type.name}.${field.name}`, field);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) visit(`${type.name}.${value.name}`, value);
    }
  }
  for (const directive of schema.getDirectives()) {
    visit(`@${directive.name}`, directive);
    for (const arg of directive.args) visit(`@${directive.name}(${arg.name}:)`, arg);
  }
}

/** The descriptions of a schema, by coordinate (null where an element has none). */
export function descriptionsOf(schema: GraphQLSchema): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  eachDescribed(schema, (coordinate, element) => {
    out[coordinate] = element.description ?? null;
  });
  return out;
}

/**
 * Gives each element of `to` the description `descriptions` holds for its coordinate (taken from
 * a schema of the same build options); elements the map does not name keep theirs.
 */
export function applyDescriptions(
  descriptions: Readonly<Record<string, string | null>>,
  to: GraphQLSchema,
): void {
  eachDescribed(to, (coordinate, element) => {
    if (!Object.hasOwn(descriptions, coordinate)) return;
    const description = descriptions[coordinate];
    if (description !== (element.description ?? null)) element.description = description;
  });
}

/** The introspection types whose `description` field reads an element's description. */
for (const type of [__Schema, __Type, __Field, __InputValue, __EnumValue, __Directive]) {
  const field = type.getFields().description;
  if (!field) continue;
  const resolve: GraphQLFieldResolver<unknown, unknown> =
    field.resolve ?? ((source) => (source as Described).description);
  field.resolve = (source, args, context, info) => {
    describe(info.schema);
    return resolve(source, args, context, info);
  };
}
