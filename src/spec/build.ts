/**
 * Distils Stripe's OpenAPI document into the model (src/spec/types.ts). Pure and deterministic: the
 * same document gives the same model, iterating names in sorted order. Any construct it does not
 * know stops it with an error naming the schema and property, so nothing is dropped silently.
 */
import { enumValueName, isGraphQLName, pascalCase } from './naming.ts';
import { settleTypeName } from './overrides.ts';
import type {
  EnumSchema,
  InParam,
  InType,
  Model,
  ObjectSchema,
  Operation,
  OperationKind,
  OutProp,
  OutType,
  RelationEdge,
  UnionSchema,
} from './types.ts';

type Json = any;

export class SpecError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'SpecError';
  }
}

export interface Descriptions {
  /** `Type` or `Type.field` (GraphQL names) → description */
  [key: string]: string;
}

export interface BuildResult {
  model: Model;
  descriptions: Descriptions;
}

const sorted = <T>(record: Record<string, T>): [string, T][] =>
  Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const REF_PREFIX = '#/components/schemas/';

export function buildModel(spec: Json): BuildResult {
  const components: Record<string, Json> = spec?.components?.schemas;
  if (!components || typeof components !== 'object') {
    throw new SpecError('components.schemas', 'missing: not a Stripe OpenAPI document');
  }
  const apiVersion: string = spec.info?.version;
  if (typeof apiVersion !== 'string') throw new SpecError('info.version', 'missing');

  const objects: Record<string, ObjectSchema> = {};
  const enums: Record<string, EnumSchema> = {};
  const unions: Record<string, UnionSchema> = {};
  const unionByMembers = new Map<string, string>();
  const polymorphic: Record<string, string> = {};
  const descriptions: Descriptions = {};
  const gqlOwner = new Map<string, string>();

  const claimGqlName = (schemaName: string, derived: string): string => {
    const gql = settleTypeName(schemaName, derived);
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

  const resolveRef = (ref: string, where: string): [string, Json] => {
    if (!ref.startsWith(REF_PREFIX)) throw new SpecError(where, `unsupported $ref "${ref}"`);
    const name = ref.slice(REF_PREFIX.length);
    const target = components[name];
    if (!target) throw new SpecError(where, `$ref to unknown schema "${name}"`);
    return [name, target];
  };

  const isPolymorphic = (schema: Json) => Array.isArray(schema.anyOf) && !schema.properties;
  const hasProps = (schema: Json) => schema.properties && Object.keys(schema.properties).length > 0;

  /** The discriminating `object` value of an object schema, if it has a single-valued one. */
  const objectValue = (schema: Json): string | undefined => {
    const values = schema.properties?.object?.enum;
    return Array.isArray(values) && values.length === 1 ? String(values[0]) : undefined;
  };

  // ---- object schemas --------------------------------------------------------------------

  const componentGqlName = (name: string): string => {
    const schema = components[name];
    return pascalCase(schema?.['x-resourceId'] ?? name);
  };

  /** Flattened member component names of a set of $refs (a union never contains a union). */
  const flattenMembers = (refs: Json[], where: string): string[] => {
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
  const unionName = (refNames: string[], place: string) =>
    refNames.length <= 3 ? [...refNames].sort().join('_or_') : place;
  const refNamesOf = (refs: Json[], where: string) => refs.map((ref) => resolveRef(ref.$ref, where)[0]);

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

  const enumFor = (name: string, gql: string, schema: Json, where: string): OutType => {
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
  const outType = (schema: Json, path: string, gqlPath: string, where: string): OutType => {
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
      const members: Json[] = schema.anyOf;
      if (members.length === 1) return outType(members[0], path, gqlPath, where);
      if (members.every((m) => m.$ref)) {
        return unionFor(flattenMembers(members, where), unionName(refNamesOf(members, where), path), where);
      }
      // Mixed scalar/object alternatives (for example a string or a hash): carried as JSON.
      return { k: 'json' };
    }
    switch (schema.type) {
      case 'string':
        if (Array.isArray(schema.enum)) return enumFor(path, gqlPath, schema, where);
        return { k: 'string' };
      case 'integer':
        return schema.format === 'unix-time' ? { k: 'time' } : { k: 'int' };
      case 'number':
        return { k: 'float' };
      case 'boolean':
        return { k: 'bool' };
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

  const buildProps = (name: string, gql: string, schema: Json): OutProp[] => {
    const required = new Set<string>(schema.required ?? []);
    const expandable = new Set<string>(schema['x-expandableFields'] ?? []);
    const props: OutProp[] = [];
    for (const [propName, prop] of sorted<Json>(schema.properties ?? {})) {
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

  const ensureInline = (path: string, gqlPath: string, schema: Json): void => {
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

  // ---- operations --------------------------------------------------------------------------

  const inType = (schema: Json, where: string): InType => {
    if (schema.$ref) {
      const [, target] = resolveRef(schema.$ref, where);
      return inType(target, where);
    }
    if (schema.anyOf) {
      const of = (schema.anyOf as Json[]).map((m, i) => inType(m, `${where}|${i}`));
      return of.length === 1 ? of[0]! : { k: 'anyOf', of };
    }
    switch (schema.type) {
      case 'string':
        if (Array.isArray(schema.enum)) return { k: 'enum', values: schema.enum.map(String) };
        return {
          k: 'string',
          ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}),
          ...(schema.format ? { format: schema.format } : {}),
        };
      case 'integer':
        return schema.format === 'unix-time' ? { k: 'time' } : { k: 'int' };
      case 'number':
        return { k: 'float' };
      case 'boolean':
        return { k: 'bool' };
      case 'array':
        if (!schema.items) throw new SpecError(where, 'array without items');
        return { k: 'array', of: inType(schema.items, `${where}[]`) };
      case 'object': {
        const props = inParams(schema, where);
        if (props.length === 0) return { k: 'json' };
        return { k: 'object', props, additional: Boolean(schema.additionalProperties) };
      }
      case undefined:
        // An empty schema accepts anything.
        if (Object.keys(schema).filter((k) => k !== 'description').length === 0) return { k: 'json' };
        throw new SpecError(where, 'parameter schema without type, $ref or anyOf');
      default:
        throw new SpecError(where, `unknown parameter type "${schema.type}"`);
    }
  };

  const inParams = (schema: Json, where: string): InParam[] => {
    const required = new Set<string>(schema.required ?? []);
    return sorted<Json>(schema.properties ?? {}).map(([name, prop]) => ({
      name,
      required: required.has(name),
      type: inType(prop, `${where}.${name}`),
    }));
  };

  const operations: Operation[] = [];
  const paths: Record<string, Json> = spec.paths ?? {};
  const getOps = new Map<string, Operation>();

  /** The response schema, unwrapped from list/search envelopes. */
  const responseOf = (
    op: Json,
    where: string,
  ): { schema: Json; paged?: 'list' | 'search'; produces?: string } => {
    const content: Record<string, Json> | undefined = op.responses?.['200']?.content;
    if (!content) throw new SpecError(where, 'no 200 response');
    const schema = content['application/json']?.schema;
    if (!schema) {
      const [mediaType, binary] = Object.entries(content)[0] ?? [];
      if (mediaType && binary?.schema?.format === 'binary')
        return { schema: binary.schema, produces: mediaType };
      throw new SpecError(where, 'no 200 application/json or binary response');
    }
    const objectEnum = schema.properties?.object?.enum;
    if (schema.properties?.data?.items && Array.isArray(objectEnum)) {
      if (objectEnum[0] === 'list') return { schema: schema.properties.data.items, paged: 'list' };
      if (objectEnum[0] === 'search_result') return { schema: schema.properties.data.items, paged: 'search' };
    }
    return { schema };
  };

  const resourceOf = (type: OutType): string | undefined => {
    if (type.k === 'object') {
      const object = objects[type.name];
      return object?.resource ? (object.deletedOf ?? object.name) : undefined;
    }
    if (type.k === 'union') {
      const live = unions[type.name]!.members.filter((m) => !objects[m]?.deletedOf);
      if (live.length === 1 && objects[live[0]!]?.resource) return live[0];
      return polymorphicNameOf(type.name);
    }
    return undefined;
  };
  const polymorphicNameOf = (unionName: string): string | undefined =>
    Object.keys(polymorphic).find((p) => polymorphic[p] === unionName && !p.startsWith('deleted_'));

  for (const [path, item] of sorted<Json>(paths)) {
    for (const method of ['get', 'post', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const pathParams: string[] = [];
      const query: InParam[] = [];
      let expand = false;
      for (const param of op.parameters ?? []) {
        if (param.in === 'path') pathParams.push(param.name);
        else if (param.in === 'query') {
          if (param.name === 'expand') expand = true;
          else
            query.push({
              name: param.name,
              required: Boolean(param.required),
              type: inType(param.schema, `${where} ?${param.name}`),
            });
        } else if (param.in !== 'header')
          throw new SpecError(where, `unknown parameter location "${param.in}"`);
      }
      query.sort((a, b) => (a.name < b.name ? -1 : 1));
      // In the order the path template names them (the parameter list is not always in that order).
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      if (inPath.length !== pathParams.length || inPath.some((p) => !pathParams.includes(p))) {
        throw new SpecError(where, `path parameters ${JSON.stringify(pathParams)} do not match the template`);
      }
      pathParams.splice(0, pathParams.length, ...inPath);
      const bodyContent = op.requestBody?.content ?? {};
      const multipart =
        !bodyContent['application/x-www-form-urlencoded'] && Boolean(bodyContent['multipart/form-data']);
      const bodySchema = (
        bodyContent['application/x-www-form-urlencoded'] ?? bodyContent['multipart/form-data']
      )?.schema;
      if (op.requestBody && !bodySchema) throw new SpecError(where, 'request body in an unknown media type');
      const body = bodySchema
        ? inParams(bodySchema, `${where} body`).filter((p) => {
            if (p.name !== 'expand') return true;
            expand = true;
            return false;
          })
        : [];
      const { schema: responseSchema, paged, produces } = responseOf(op, where);
      const opName = pascalCase(op.operationId);
      const response = outType(responseSchema, `${op.operationId}`, `${opName}Response`, `${where} response`);
      const operation: Operation = {
        id: op.operationId,
        method,
        path,
        kind: 'action',
        pathParams,
        query,
        body,
        response,
        expand,
      };
      if (paged) operation.paged = paged;
      if (produces) operation.produces = produces;
      if (multipart) operation.multipart = true;
      const resource = resourceOf(response);
      if (resource) operation.resource = resource;
      operations.push(operation);
      if (method === 'get') getOps.set(path, operation);
    }
  }

  const lastSegmentIsParam = (path: string) => path.endsWith('}');
  const parentPath = (path: string) => path.slice(0, path.lastIndexOf('/'));
  for (const op of operations) {
    op.kind = classify(op);
  }
  function hasDeletedForm(type: OutType): boolean {
    if (type.k === 'object') return Boolean(objects[type.name]?.deletedOf);
    return type.k === 'union' && unions[type.name]!.members.some((m) => objects[m]?.deletedOf);
  }
  function classify(op: Operation): OperationKind {
    // A DELETE that answers with the live object (DELETE /v1/subscriptions/{id} cancels) is an action.
    if (op.method === 'delete') return hasDeletedForm(op.response) ? 'delete' : 'action';
    if (op.method === 'get') {
      if (op.paged === 'search') return 'search';
      if (op.paged === 'list') return 'list';
      return 'retrieve';
    }
    // POST
    if (lastSegmentIsParam(op.path)) return 'update';
    const get = getOps.get(op.path);
    if (get?.paged === 'list') return 'create';
    if (get && !get.paged && get.resource === op.resource) return 'update'; // singletons: POST /v1/account
    // A verb on something addressable (POST /v1/invoices/{invoice}/pay, /v1/apps/secrets/delete,
    // /v1/charges/{charge}/dispute/close, test helpers) is an action; anything else creates.
    if (op.pathParams.length > 0 || getOps.has(parentPath(op.path)) || op.path.includes('/test_helpers/')) {
      return 'action';
    }
    return 'create';
  }

  // ---- relation edges ------------------------------------------------------------------------

  const relations: RelationEdge[] = [];
  const retrieveByPath = new Map(operations.filter((o) => o.kind === 'retrieve').map((o) => [o.path, o]));
  const liveTargets = (type: OutType | undefined): string[] => {
    if (type?.k !== 'ref') return [];
    const to = type.to;
    const names = to.k === 'object' ? [to.name] : unions[to.name]!.members;
    return names.filter((n) => objects[n]?.resource && !objects[n]?.deletedOf);
  };
  const lastSegment = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  for (const op of operations) {
    if (op.kind !== 'list') continue;
    if (op.pathParams.length > 0 && lastSegmentIsParam(parentPath(op.path))) {
      const parentOp = retrieveByPath.get(parentPath(op.path));
      if (parentOp?.resource) {
        relations.push({
          kind: 'nested',
          parent: parentOp.resource,
          name: lastSegment(op.path),
          operation: op.id,
          param: op.pathParams[op.pathParams.length - 1]!,
        });
      }
      continue;
    }
    // Previews (GET /v1/invoices/upcoming/lines) list objects that do not exist yet: no relation.
    if (op.pathParams.length > 0 || !op.resource || /\/(upcoming|preview)\//.test(op.path)) continue;
    const item = objects[op.resource];
    for (const param of op.query) {
      const prop = item?.props.find((p) => p.name === param.name);
      for (const parent of liveTargets(prop?.type)) {
        relations.push({
          kind: 'filter',
          parent,
          name: lastSegment(op.path),
          operation: op.id,
          param: param.name,
        });
      }
    }
  }

  // Two list endpoints of one resource (GET /v1/balance/history is the old name of
  // GET /v1/balance_transactions) give one relation: keep the endpoint that spells the resource.
  const spells = (edge: RelationEdge) => {
    const op = operations.find((o) => o.id === edge.operation)!;
    return lastSegment(op.path) === `${op.resource?.split('.').pop()}s`;
  };
  for (let i = relations.length - 1; i >= 0; i--) {
    const edge = relations[i]!;
    if (edge.kind !== 'filter') continue;
    const resource = operations.find((o) => o.id === edge.operation)!.resource;
    const twin = relations.find(
      (other) =>
        other !== edge &&
        other.kind === 'filter' &&
        other.parent === edge.parent &&
        other.param === edge.param &&
        operations.find((o) => o.id === other.operation)!.resource === resource,
    );
    if (twin && !spells(edge) && spells(twin)) relations.splice(i, 1);
  }

  const model: Model = {
    apiVersion,
    objects: Object.fromEntries(sorted(objects)),
    enums: Object.fromEntries(sorted(enums)),
    unions: Object.fromEntries(sorted(unions)),
    operations,
    relations,
    polymorphic: Object.fromEntries(sorted(polymorphic)),
  };
  return { model, descriptions: Object.fromEntries(sorted(descriptions)) };
}
