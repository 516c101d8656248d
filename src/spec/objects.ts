/**
 * The object half of the model: an object type per component schema and inline object, enums,
 * unions (flattened; only when `resolveType` can tell the members apart), polymorphic resources, and
 * the descriptions keyed by GraphQL name. `outType` is shared with the operations, whose responses
 * may name inline objects too.
 */
import {
  enumValueName,
  isGraphQLName,
  isUnixTimeName,
  pascalCase,
  shortenedName,
  TYPE_NAME_LIMIT,
  withoutNoise,
} from './naming.ts';
import { settleTypeName } from './overrides.ts';
import { type Descriptions, primitiveOf, SpecError, type SpecNode, sorted } from './spec-error.ts';
import { isIncludable } from './stripe.ts';
import type { EnumSchema, ObjectSchema, OutProp, OutType, UnionSchema } from './types.ts';

const REF_PREFIX = '#/components/schemas/';

export interface ObjectModel {
  objects: Record<string, ObjectSchema>;
  enums: Record<string, EnumSchema>;
  unions: Record<string, UnionSchema>;
  polymorphic: Record<string, string>;
  descriptions: Descriptions;
  /** Converts a schema into an output type; `path` names inline types. */
  outType(schema: SpecNode, path: string, gqlPath: string, where: string): OutType;
  /** The component a `$ref` points to. */
  resolveRef(ref: string, where: string): [string, SpecNode];
}

/**
 * The sub-objects a component schema sits in: `[owner component, property]` for every property (of a
 * component, through arrays and `anyOf`) that refers to it. A component with one place can be named
 * where it sits, as Stripe's SDKs name nested types.
 */
function placesOf(components: Record<string, SpecNode>): Map<string, [string, string][]> {
  const places = new Map<string, [string, string][]>();
  const visit = (schema: SpecNode, owner: string, prop: string): void => {
    if (!schema || typeof schema !== 'object') return;
    if (typeof schema.$ref === 'string' && schema.$ref.startsWith(REF_PREFIX)) {
      const name = schema.$ref.slice(REF_PREFIX.length);
      places.set(name, [...(places.get(name) ?? []), [owner, prop]]);
    }
    for (const inner of [...(schema.anyOf ?? []), ...(schema.items ? [schema.items] : [])])
      visit(inner, owner, prop);
    // A property of an inline object is a place that has no component name: it counts as a place.
    for (const [inner, child] of Object.entries<SpecNode>(schema.properties ?? {}))
      visit(child, `${owner}.${prop}`, inner);
  };
  for (const [owner, schema] of Object.entries(components))
    for (const [prop, child] of Object.entries<SpecNode>(schema.properties ?? {})) visit(child, owner, prop);
  return places;
}

/**
 * The names of the object model. `placed`: the component schemas named where they sit rather than by
 * their component id (`buildObjectModel` settles them: the families of names over the limit).
 */
function buildObjects(
  components: Record<string, SpecNode>,
  placed: ReadonlySet<string> = new Set(),
): ObjectModel {
  const objects: Record<string, ObjectSchema> = {};
  const enums: Record<string, EnumSchema> = {};
  const unions: Record<string, UnionSchema> = {};
  const unionByMembers = new Map<string, string>();
  const polymorphic: Record<string, string> = {};
  const descriptions: Descriptions = {};
  const gqlOwner = new Map<string, string>();

  const claimGqlName = (schemaName: string, derived: string): string => {
    const gql = settleTypeName(schemaName, shortenedName(derived));
    if (!isGraphQLName(gql))
      throw new SpecError(schemaName, `derived type name "${gql}" is not a GraphQL name`);
    const owner = gqlOwner.get(gql);
    if (owner !== undefined && owner !== schemaName) {
      throw new SpecError(
        schemaName,
        `GraphQL type name "${gql}" is already taken by "${owner}"; settle it in src/spec/overrides.ts`,
      );
    }
    gqlOwner.set(gql, schemaName);
    return gql;
  };

  const resolveRef = (ref: string, where: string): [string, SpecNode] => {
    if (!ref.startsWith(REF_PREFIX)) throw new SpecError(where, `unsupported $ref "${ref}"`);
    const name = ref.slice(REF_PREFIX.length);
    const target = components[name];
    if (!target) throw new SpecError(where, `$ref to unknown schema "${name}"`);
    return [name, target];
  };

  const isPolymorphic = (schema: SpecNode) => Array.isArray(schema.anyOf) && !schema.properties;
  const hasProps = (schema: SpecNode) => schema.properties && Object.keys(schema.properties).length > 0;

  /** The discriminating `object` value of an object schema, if it has a single-valued one. */
  const objectValue = (schema: SpecNode): string | undefined => {
    const values = schema.properties?.object?.enum;
    return Array.isArray(values) && values.length === 1 ? String(values[0]) : undefined;
  };

  // ---- object schemas --------------------------------------------------------------------

  const places = placed.size > 0 ? placesOf(components) : new Map<string, [string, string][]>();
  /**
   * A resource is named by its id (`issuing.card` → `IssuingCard`), a sub-object by its component id
   * without Stripe's module words; a placed one by where it sits (owner + property, as Stripe's SDKs
   * name `CustomerCashBalanceTransaction.Funded`), when that is shorter.
   */
  const componentGqlName = (name: string): string => {
    const schema = components[name];
    const resourceId = schema?.['x-resourceId'];
    if (resourceId) return pascalCase(resourceId);
    const own = pascalCase(withoutNoise(name));
    const [place, ...others] = placed.has(name) ? (places.get(name) ?? []) : [];
    if (!place || others.length > 0 || !components[place[0]] || place[0] === name) return own;
    const where = `${settleTypeName(place[0], componentGqlName(place[0]))}${pascalCase(place[1])}`;
    return where.length < own.length ? where : own;
  };

  /** Flattened member component names of a set of $refs (a union never contains a union). */
  const flattenMembers = (refs: SpecNode[], where: string): string[] => {
    const out = new Set<string>();
    for (const ref of refs) {
      if (!ref.$ref) throw new SpecError(where, 'union member without $ref');
      const [name, target] = resolveRef(ref.$ref, where);
      if (isPolymorphic(target)) {
        for (const inner of flattenMembers(target.anyOf, `${where} → ${name}`)) out.add(inner);
      } else out.add(name);
    }
    return [...out].sort();
  };

  /**
   * Whether `resolveType` can tell the members apart on real data: every member needs a
   * single-valued `object`, and members sharing one must differ by `deleted`.
   */
  const discriminable = (members: string[]): boolean => {
    const seen = new Set<string>();
    for (const member of members) {
      const schema = components[member];
      const value = objectValue(schema);
      if (value === undefined || !hasProps(schema)) return false;
      const key = `${value}:${schema.properties.deleted ? 'deleted' : 'live'}`;
      if (seen.has(key)) return false;
      seen.add(key);
    }
    return true;
  };

  /**
   * A union of `members`, named `name` (snake, like schema names) unless the same member set
   * already has a union: identical sets share one type.
   */
  const unionFor = (members: string[], name: string, where: string): OutType => {
    if (!discriminable(members)) return { k: 'json' };
    const key = members.join('|');
    const existing = unionByMembers.get(key);
    if (existing) return { k: 'union', name: existing };
    if (unions[name]) throw new SpecError(where, `union name "${name}" reused for different members`);
    // Registered before the members are built, so a member that refers back finds this union.
    unions[name] = { name, gql: claimGqlName(name, pascalCase(name)), members };
    unionByMembers.set(key, name);
    for (const member of members) ensureObject(member);
    return { k: 'union', name };
  };

  /** Short unions are named after their members (`customer_or_deleted_customer`), long ones after their place. */
  const unionName = (refNames: string[], place: string) => {
    // An object or its deleted form (what a DELETE answers): named after the live object.
    const [a, b] = [...refNames].sort();
    if (refNames.length === 2 && a === `deleted_${b}`) return `${b}_delete_result`;
    return refNames.length <= 3 ? [...refNames].sort().join('_or_') : place;
  };
  const refNamesOf = (refs: SpecNode[], where: string) => refs.map((ref) => resolveRef(ref.$ref, where)[0]);

  /** An object-typed reference to a component: object, union (polymorphic) or JSON (no properties). */
  const componentType = (name: string, where: string): OutType => {
    const target = components[name];
    if (isPolymorphic(target)) {
      const union = unionFor(flattenMembers(target.anyOf, where), name, name);
      if (target['x-resourceId']) polymorphic[name] = union.k === 'union' ? union.name : name;
      return union;
    }
    if (!hasProps(target)) return { k: 'json' };
    ensureObject(name);
    return { k: 'object', name };
  };

  const enumFor = (name: string, gql: string, schema: SpecNode, where: string): OutType => {
    const values: string[] = schema.enum.map((v: unknown) => {
      if (typeof v !== 'string') throw new SpecError(where, `non-string enum value ${JSON.stringify(v)}`);
      return v;
    });
    if (values.length === 1 && !schema['x-stripeBypassValidation']) return { k: 'const', value: values[0]! };
    const gqlValues = values.map(enumValueName);
    const clash = gqlValues.find((v, i) => gqlValues.indexOf(v) !== i);
    if (clash) throw new SpecError(where, `enum values map to the same GraphQL name "${clash}"`);
    enums[name] = {
      name,
      gql: claimGqlName(name, gql),
      values,
      gqlValues,
      open: Boolean(schema['x-stripeBypassValidation']),
    };
    return { k: 'enum', name };
  };

  /** Converts a property schema into an output type. `path` names it for inline types. */
  const outType = (schema: SpecNode, path: string, gqlPath: string, where: string): OutType => {
    if (schema.$ref) {
      const [name] = resolveRef(schema.$ref, where);
      return componentType(name, where);
    }
    if (schema.anyOf) {
      const expansion = schema['x-expansionResources']?.oneOf;
      if (expansion) {
        const targets = flattenMembers(expansion, where);
        const to =
          targets.length === 1
            ? componentType(targets[0]!, where)
            : unionFor(targets, unionName(refNamesOf(expansion, where), path), where);
        if (to.k === 'object' || to.k === 'union') return { k: 'ref', to };
        return to;
      }
      const members: SpecNode[] = schema.anyOf;
      if (members.length === 1) return outType(members[0], path, gqlPath, where);
      if (members.every((m) => m.$ref)) {
        return unionFor(flattenMembers(members, where), unionName(refNamesOf(members, where), path), where);
      }
      // Mixed scalar/object alternatives (for example a string or a hash): carried as JSON.
      return { k: 'json' };
    }
    const primitive = primitiveOf(schema);
    if (primitive) return primitive;
    switch (schema.type) {
      case 'string':
        if (Array.isArray(schema.enum)) return enumFor(path, gqlPath, schema, where);
        return { k: 'string' };
      case 'array':
        if (!schema.items) throw new SpecError(where, 'array without items');
        return { k: 'array', of: outType(schema.items, path, gqlPath, `${where}[]`) };
      case 'object':
        if (!hasProps(schema)) return { k: 'json' };
        ensureInline(path, gqlPath, schema);
        return { k: 'object', name: path };
      case undefined:
        throw new SpecError(where, 'schema without type, $ref or anyOf');
      default:
        throw new SpecError(where, `unknown type "${schema.type}"`);
    }
  };

  const buildProps = (name: string, gql: string, schema: SpecNode): OutProp[] => {
    const required = new Set<string>(schema.required ?? []);
    const expandable = new Set<string>(schema['x-expandableFields'] ?? []);
    const props: OutProp[] = [];
    for (const [propName, prop] of sorted<SpecNode>(schema.properties ?? {})) {
      const where = `${name}.${propName}`;
      let type: OutType;
      if (
        propName === 'deleted' &&
        Array.isArray(prop.enum) &&
        prop.enum.length === 1 &&
        prop.enum[0] === true
      ) {
        type = { k: 'bool' };
      } else if (prop.type === 'boolean' && Array.isArray(prop.enum)) {
        type = { k: 'bool' };
      } else if (prop.type === 'integer' && isUnixTimeName(propName)) {
        // One rule for times (`subscription_item.created` lacks `format: unix-time`).
        type = { k: 'time' };
      } else {
        type = outType(prop, `${name}.${propName}`, `${gql}${pascalCase(propName)}`, where);
      }
      if (prop.description) descriptions[`${gql}.${propName}`] = prop.description;
      props.push({
        name: propName,
        type,
        nullable: Boolean(prop.nullable),
        required: required.has(propName),
        expandable: expandable.has(propName),
        ...(isIncludable(name, propName) ? { includable: true as const } : {}),
      });
    }
    return props;
  };

  const ensureObject = (name: string): void => {
    if (objects[name]) return;
    const schema = components[name];
    if (!schema) throw new SpecError(name, 'unknown schema');
    if (!hasProps(schema)) throw new SpecError(name, 'object schema without properties');
    const gql = claimGqlName(name, componentGqlName(name));
    const entry: ObjectSchema = { name, gql, inline: false, props: [] };
    objects[name] = entry; // registered before recursing, so cycles terminate
    if (schema['x-resourceId']) entry.resource = schema['x-resourceId'];
    if (name.startsWith('deleted_') && components[name.slice('deleted_'.length)]) {
      entry.deletedOf = name.slice('deleted_'.length);
    }
    const object = objectValue(schema);
    if (object !== undefined) entry.object = object;
    if (schema.description) descriptions[gql] = schema.description;
    entry.props = buildProps(name, gql, schema);
  };

  const ensureInline = (path: string, gqlPath: string, schema: SpecNode): void => {
    if (objects[path]) return;
    const gql = claimGqlName(path, gqlPath);
    const entry: ObjectSchema = { name: path, gql, inline: true, props: [] };
    objects[path] = entry;
    const object = objectValue(schema);
    if (object !== undefined) entry.object = object;
    if (schema.description) descriptions[gql] = schema.description;
    entry.props = buildProps(path, gql, schema);
  };

  // Every component schema: objects with properties become types; polymorphic ones unions.
  // Polymorphic resources first (their unions keep the resource's name), then the other resources,
  // so that resource names win over sub-objects when names are claimed.
  const componentNames = Object.keys(components).sort();
  const resourcesFirst = [
    ...componentNames.filter((n) => components[n]['x-resourceId'] && isPolymorphic(components[n])),
    ...componentNames.filter((n) => components[n]['x-resourceId'] && !isPolymorphic(components[n])),
    ...componentNames.filter((n) => !components[n]['x-resourceId']),
  ];
  for (const name of resourcesFirst) {
    const schema = components[name];
    if (isPolymorphic(schema)) componentType(name, name);
    else if (hasProps(schema)) ensureObject(name);
    else if (schema.type !== 'object')
      throw new SpecError(name, 'component is neither an object nor a union');
  }

  return { objects, enums, unions, polymorphic, descriptions, outType, resolveRef };
}

/**
 * The component schemas whose family has a name over the limit: a type whose name is a prefix of a
 * too-long name (its enums, inline objects and sub-objects are named after it). Naming them where
 * they sit is the first rule that shortens a name (src/spec/naming.ts has the others).
 */
function tooLongFamilies(model: Pick<ObjectModel, 'objects' | 'enums' | 'unions'>): Set<string> {
  const names = [
    ...Object.values(model.objects),
    ...Object.values(model.enums),
    ...Object.values(model.unions),
  ];
  const long = names.filter((n) => n.gql.length > TYPE_NAME_LIMIT).map((n) => n.gql);
  return new Set(
    Object.values(model.objects)
      .filter((o) => !o.inline && !o.resource && long.some((gql) => gql.startsWith(o.gql)))
      .map((o) => o.name),
  );
}

/**
 * The object model with its names settled: named twice, the first pass finds the families of names
 * over the limit, the second names them where they sit.
 */
export function buildObjectModel(components: Record<string, SpecNode>): ObjectModel {
  return buildObjects(components, tooLongFamilies(buildObjects(components)));
}
