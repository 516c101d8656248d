/**
 * A generated walk over the schema: documents for every root field (each relation two fetching
 * levels deep under the list fields) and every mutation, with arguments built from their types
 * (ids from what the walk has already read, minimal valid input objects). Every argument is passed
 * as a variable, so that no document is kept from compiled execution by an object literal.
 */
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';

export interface WalkDocument {
  /** what it covers, for reports: `customers.invoices`, `mutation createCustomer` */
  label: string;
  query: string;
  variables: Record<string, unknown>;
}

/** The id the walk sends for a type it has read none of (the demo data has none). */
export const MISSING_ID = 'x_walk_missing';

/** Ids the walk has seen, by GraphQL type name. */
export type IdBook = Map<string, string[]>;

export function recordIds(book: IdBook, value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) recordIds(book, item);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const v = value as Record<string, unknown>;
  if (typeof v.__typename === 'string' && typeof v.id === 'string' && !v.id.includes('/')) {
    const list = book.get(v.__typename) ?? [];
    if (!list.includes(v.id)) list.push(v.id);
    book.set(v.__typename, list);
  }
  for (const child of Object.values(v)) recordIds(book, child);
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** Whether a field calls Stripe (its fetch plan), so nesting it is one more fetching level. */
export function fetches(field: GraphQLField<unknown, unknown>): boolean {
  return Boolean(field.extensions?.stripePlan) || Boolean(field.extensions?.stripeFetch);
}

class Builder {
  readonly definitions: string[] = [];
  readonly variables: Record<string, unknown> = {};
  constructor(
    readonly schema: GraphQLSchema,
    readonly book: IdBook,
    /** the type an `id` argument names (the field's own type) */
    private readonly idType: (arg: GraphQLArgument, owner: GraphQLNamedType) => string | undefined,
  ) {}

  private variable(type: GraphQLInputType, value: unknown): string {
    const name = `v${this.definitions.length}`;
    this.definitions.push(`$${name}: ${String(type)}`);
    this.variables[name] = value;
    return `$${name}`;
  }

  idFor(typeName: string | undefined): string {
    return (typeName && this.book.get(typeName)?.[0]) ?? MISSING_ID;
  }

  /** The value of an input type with its required fields only. */
  inputValue(type: GraphQLInputType, hint: string, depth = 0): unknown {
    const nullable = getNullableType(type);
    if (isListType(nullable)) return [this.inputValue(nullable.ofType, hint, depth)];
    if (isEnumType(nullable)) return nullable.getValues()[0]!.name;
    if (isInputObjectType(nullable)) {
      const out: Record<string, unknown> = {};
      const fields = Object.values(nullable.getFields());
      if (nullable.isOneOf) {
        const first = fields[0]!;
        out[first.name] = this.inputValue(first.type, first.name, depth + 1);
        return out;
      }
      for (const field of fields) {
        if (isNonNullType(field.type) && field.defaultValue === undefined && depth < 6)
          out[field.name] = this.inputValue(field.type, field.name, depth + 1);
      }
      return out;
    }
    if (isScalarType(nullable)) {
      switch (nullable.name) {
        case 'ID':
          return this.idFor(pascal(hint));
        case 'Int':
        case 'SafeInt':
          return 1;
        case 'Float':
          return 1;
        case 'Boolean':
          return false;
        case 'DateTime':
          return '2030-01-01T00:00:00Z';
        case 'JSON':
          return {};
        case 'Upload':
          return null;
        default:
          // Codes Stripe checks against its lists: a currency and a country it supports.
          if (/currenc/i.test(hint)) return 'usd';
          if (/countr/i.test(hint)) return 'US';
          return 'walk';
      }
    }
    return null;
  }

  /** `(a: $v0, …)` for the arguments to pass: every required one, and `first: 2` on connections. */
  args(field: GraphQLField<unknown, unknown>, owner: GraphQLNamedType): string | undefined {
    const parts: string[] = [];
    for (const arg of field.args) {
      let value: unknown;
      if (arg.name === 'first' && !isNonNullType(arg.type)) value = 2;
      else if (!isNonNullType(arg.type) || arg.defaultValue !== undefined) continue;
      else if (arg.name === 'id' || arg.name === 'ids') {
        const id = this.idFor(this.idType(arg, owner));
        value = isListType(getNullableType(arg.type)) ? [id] : id;
      } else value = this.inputValue(arg.type, arg.name);
      if (value === null && isNonNullType(arg.type)) return undefined;
      parts.push(`${arg.name}: ${this.variable(arg.type, value)}`);
    }
    return parts.length > 0 ? `(${parts.join(', ')})` : '';
  }

  /**
   * The selection under a value of `type`: its leaves, its sub-objects (three levels), and its
   * fetching fields while `fetchLevels` allows (`only`, when given, picks the fetching fields).
   */
  selection(
    type: GraphQLNamedType,
    fetchLevels: number,
    plainDepth = 0,
    only?: (field: GraphQLField<unknown, unknown>) => boolean,
    alias = '',
  ): string {
    if (isAbstractType(type)) {
      const members = this.schema.getPossibleTypes(type);
      // `Node` has a member per resource: ids and __typename say enough there. Members' fields
      // are aliased apart: two members may type a field of the same name differently.
      const parts = members.map(
        (m, i) =>
          `... on ${m.name} { ${members.length > 12 ? `m${i}_id: id` : this.selection(m, fetchLevels, plainDepth, only, `m${i}_`)} }`,
      );
      return `__typename ${parts.join(' ')}`;
    }
    if (!isObjectType(type) && !isInterfaceType(type)) return '';
    const parts: string[] = ['__typename'];
    const add = (field: GraphQLField<unknown, unknown>, inner?: () => string) => {
      const mark = this.definitions.length;
      const args = this.args(field, getNamedType(field.type));
      const body = inner?.();
      if (args === undefined || body === '') {
        // Not selected after all: its variables go too.
        for (const d of this.definitions.splice(mark)) delete this.variables[d.slice(1, d.indexOf(':'))];
        return;
      }
      const name = alias ? `${alias}${field.name}: ${field.name}` : field.name;
      parts.push(body === undefined ? `${name}${args}` : `${name}${args} { ${body} }`);
    };
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (field.name.startsWith('_')) continue;
      if (isLeafType(named)) add(field);
      else if (fetches(field)) {
        if (fetchLevels <= 0 || (only && !only(field))) continue;
        add(field, () => this.selection(named, fetchLevels - 1, 0));
      } else if (plainDepth < 2) {
        add(field, () => this.selection(named, fetchLevels, plainDepth + 1, only));
      }
    }
    return parts.length > 1 || !only ? parts.join(' ') : '';
  }

  document(label: string, operation: 'query' | 'mutation', body: string): WalkDocument {
    const defs = this.definitions.length > 0 ? `(${this.definitions.join(', ')})` : '';
    return { label, query: `${operation} Walk${defs} { ${body} }`, variables: this.variables };
  }
}

function idTypeOf(schema: GraphQLSchema) {
  return (arg: GraphQLArgument, owner: GraphQLNamedType): string | undefined => {
    if (isObjectType(owner)) return owner.name;
    if (isAbstractType(owner)) return schema.getPossibleTypes(owner)[0]?.name;
    return arg.name;
  };
}

/** One document per root field of `operation`, its required arguments minimal, one fetching level deep. */
function fieldDocuments(
  schema: GraphQLSchema,
  book: IdBook,
  operation: 'query' | 'mutation',
): WalkDocument[] {
  const root = operation === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
  const out: WalkDocument[] = [];
  for (const field of Object.values(root.getFields())) {
    if (field.name.startsWith('_')) continue;
    const b = new Builder(schema, book, idTypeOf(schema));
    const named = getNamedType(field.type);
    const args = b.args(field, named);
    if (args === undefined) continue;
    const inner = b.selection(named, 1);
    const label = operation === 'query' ? field.name : `mutation ${field.name}`;
    out.push(
      b.document(label, operation, inner ? `${field.name}${args} { ${inner} }` : `${field.name}${args}`),
    );
  }
  return out;
}

export const rootDocuments = (schema: GraphQLSchema, book: IdBook) => fieldDocuments(schema, book, 'query');
export const mutationDocuments = (schema: GraphQLSchema, book: IdBook) =>
  fieldDocuments(schema, book, 'mutation');

/**
 * For each root list field, one document per relation of its items, that relation's own
 * relations selected below it (two fetching levels).
 */
export function relationDocuments(schema: GraphQLSchema, book: IdBook): WalkDocument[] {
  const out: WalkDocument[] = [];
  for (const field of Object.values(schema.getQueryType()!.getFields())) {
    const named = getNamedType(field.type);
    if (!isObjectType(named) || !named.getFields().nodes) continue;
    if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const item = getNamedType(named.getFields().nodes!.type);
    const relations = new Set<string>();
    const collect = (type: GraphQLNamedType, depth: number) => {
      const types = isAbstractType(type) ? schema.getPossibleTypes(type) : isObjectType(type) ? [type] : [];
      for (const t of types) {
        for (const f of Object.values(t.getFields())) {
          if (fetches(f)) relations.add(f.name);
          else if (depth < 3 && !isLeafType(getNamedType(f.type))) collect(getNamedType(f.type), depth + 1);
        }
      }
    };
    collect(item, 0);
    for (const relation of relations) {
      const b = new Builder(schema, book, idTypeOf(schema));
      const args = b.args(field, named);
      if (args === undefined) continue;
      const inner = b.selection(item, 2, 0, (f) => f.name === relation);
      out.push(
        b.document(`${field.name}.${relation}`, 'query', `${field.name}${args} { nodes { ${inner} } }`),
      );
    }
  }
  return out;
}
