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

/** Gives each element of `to` the description of its namesake in `from` (same build options). */
export function copyDescriptions(from: GraphQLSchema, to: GraphQLSchema): void {
  const copy = (source: Described | undefined, target: Described) => {
    if (source && source.description !== target.description) target.description = source.description;
  };
  const byName = <T extends { name: string }>(list: readonly T[]) => new Map(list.map((e) => [e.name, e]));
  for (const type of Object.values(to.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const source = from.getType(type.name);
    if (!source) continue;
    copy(source, type);
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(source) || isInterfaceType(source))) {
      const fields = source.getFields();
      for (const field of Object.values(type.getFields())) {
        const from = fields[field.name];
        copy(from, field);
        const args = byName(from?.args ?? []);
        for (const arg of field.args) copy(args.get(arg.name), arg);
      }
    } else if (isInputObjectType(type) && isInputObjectType(source)) {
      const fields = source.getFields();
      for (const field of Object.values(type.getFields())) copy(fields[field.name], field);
    } else if (isEnumType(type) && isEnumType(source)) {
      const values = byName(source.getValues());
      for (const value of type.getValues()) copy(values.get(value.name), value);
    }
  }
  const directives = byName(from.getDirectives());
  for (const directive of to.getDirectives()) {
    const source = directives.get(directive.name);
    copy(source, directive);
    const args = byName(source?.args ?? []);
    for (const arg of directive.args) copy(args.get(arg.name), arg);
  }
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
