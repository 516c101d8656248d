/**
 * Apollo Federation v2: the gateway is a subgraph. Every Stripe resource that has an id and a by-id
 * retrieve is an entity with two keys:
 * - `@key(fields: "id stripeAccount")`: `stripeAccount` is the connected account the object was read
 *   as (null for the platform), and a representation that names one is read through that account's
 *   session (`ctx.sessionFor`);
 * - `@key(fields: "id")`: read through the request's session (the platform, or the
 *   `Stripe-Account` header's account).
 * The order matters: a router (Hive Gateway) uses the first key the referencing subgraph can
 * provide, so a subgraph that knows the account passes it and one that knows only ids still can.
 * `_entities` resolves each representation through the session's DataLoader, so one router fetch
 * is one batch: identical ids are read once, distinct ones concurrently, and the references the
 * router selects under the entity are folded into `expand[]`. `_service { sdl }` answers the subgraph
 * SDL (as `printSubgraphSchema` prints it); `subgraph.graphql` is that SDL without descriptions
 * (`npm run schema:print`).
 */
import { EntityType, entitiesField, serviceField } from '@apollo/subgraph/dist/types.js';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { hasResolvableKey } from '@pothos/plugin-federation';
import {
  type ConstDirectiveNode,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLList,
  type GraphQLNamedType,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLResolveInfo,
  GraphQLSchema,
  GraphQLUnionType,
  isObjectType,
  Kind,
  parse,
  parseConstValue,
  printType,
  type SchemaExtensionNode,
  type TypeDefinitionNode,
} from 'graphql';
import type { StripeObject } from '../loaders/requests.ts';
import type { Builder, StripeObjectRef } from './builder.ts';
import { sessionForAccount } from './connect.ts';
import { sessionOf } from './context.ts';
import { describe } from './descriptions.ts';
import { deletedError, userError } from './errors.ts';
import { unqualifyId } from './ids.ts';
import { expandFor, planExtensions } from './plans.ts';
import { fieldNames, type TypeRegistry } from './registry.ts';

/** The federation spec the subgraph links to, and the directives it imports from it. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6';
export const FEDERATION_DIRECTIVES = ['@key', '@shareable'];

/** The key field that names the connected account an entity was read as. */
export const ACCOUNT_KEY_FIELD = 'stripeAccount';

interface Representation {
  id: string;
  stripeAccount?: string | null;
}

/** The Stripe types that are entities (GraphQL name → model schema name) with a by-id read. */
export function entityTypes(registry: TypeRegistry): Map<string, string> {
  const out = new Map<string, string>();
  for (const schema of Object.values(registry.model.objects)) {
    const kind = registry.idKind(schema);
    if (!schema.resource || schema.deletedOf || (kind !== 'id' && kind !== 'qualified')) continue;
    if (registry.index.retrieveByIdOf(schema.name)) out.set(schema.gql, schema.name);
  }
  return out;
}

/**
 * How an object with a Stripe id but no by-id read is an entity: read under its parent by a key
 * that names the parent (`Card @key(fields: "id customerId")`: GET /v1/customers/{customer}/cards/{id};
 * `Person` by `accountId`, `TransferReversal` by `transferId`), by its composite id
 * (`Capability`: `acct_1…/card_payments`), or, with no read at all (`LineItem`, `SetupAttempt`), a
 * key other subgraphs may reference but this one cannot resolve (`resolvable: false`).
 */
export interface ScopedEntity {
  gql: string;
  name: string;
  /** by parent: the key field naming the parent, and the retrieve `/…/{parent}/…/{id}` */
  parents: { keyField: string; path: string }[];
  /** the composite id's retrieve (`<parent>/<stripe id>`) */
  composite?: string;
}

export function scopedEntities(registry: TypeRegistry): ScopedEntity[] {
  const { model } = registry;
  const byId = entityTypes(registry);
  const out: ScopedEntity[] = [];
  for (const schema of Object.values(model.objects)) {
    if (!schema.resource || schema.deletedOf || byId.has(schema.gql)) continue;
    const kind = registry.idKind(schema);
    if (kind === 'composite') {
      const op = registry.index.retrieveOf(schema.name);
      if (op) out.push({ gql: schema.gql, name: schema.name, parents: [], composite: op.path });
      continue;
    }
    if (kind !== 'id') continue;
    const parents = model.operations.flatMap((op) => {
      if (op.kind !== 'retrieve' || op.resource !== schema.name || op.pathParams.length !== 2) return [];
      if (op.singleton || op.parents?.length !== 1) return [];
      const prop = schema.props.find((p) => p.name === op.parents![0]!.param);
      const keyField = prop && fieldNames(prop).idField;
      return keyField ? [{ keyField, path: op.path }] : [];
    });
    const unique = parents.filter((p, i) => parents.findIndex((q) => q.keyField === p.keyField) === i);
    out.push({ gql: schema.gql, name: schema.name, parents: unique });
  }
  return out;
}

/** Marks the objects with a Stripe id but no by-id read as entities (see `ScopedEntity`). */
function addScopedEntities(builder: Builder, registry: TypeRegistry): void {
  // A key the router may not resolve here (`resolvable: false`) needs no resolveReference: the
  // entity stays out of `_entities`. The plugin's type asks for one regardless.
  const asUnresolvableEntity = builder.asEntity as (
    ref: StripeObjectRef,
    options: { key: ReturnType<typeof builder.keyDirective> },
  ) => void;
  // Key fields named at run time (a parent's id field): the plugin's type spells them statically.
  const selectKeys = builder.selection as (
    fields: string,
  ) => ReturnType<typeof builder.selection<Record<string, unknown>>>;
  for (const entity of scopedEntities(registry)) {
    const ref = registry.object(entity.name);
    if (entity.parents.length === 0 && !entity.composite) {
      asUnresolvableEntity.call(builder, ref, {
        key: builder.keyDirective(builder.selection<{ id: string }>('id'), false),
      });
      continue;
    }
    const keys = entity.composite
      ? [selectKeys('id')]
      : entity.parents.map((parent) => selectKeys(`id ${parent.keyField}`));
    builder.asEntity(ref, {
      key: keys,
      resolveReference: async (representation, ctx, info) => {
        const id = typeof representation.id === 'string' ? representation.id : '';
        let path: string | undefined;
        let pathParams: string[] = [];
        if (entity.composite) {
          const slash = id.indexOf('/');
          if (slash > 0) [path, pathParams] = [entity.composite, [id.slice(0, slash), id.slice(slash + 1)]];
        } else {
          const parent = entity.parents.find((p) => typeof representation[p.keyField] === 'string');
          if (parent && id) [path, pathParams] = [parent.path, [String(representation[parent.keyField]), id]];
        }
        if (!path) {
          throw userError('BAD_USER_INPUT', `A ${entity.gql} representation needs one of its keys`, {
            representation,
          });
        }
        const op = registry.model.operations.find((o) => o.kind === 'retrieve' && o.path === path)!;
        return ctx.session.get<StripeObject>({
          path,
          pathParams,
          expand: expandFor(info, ctx.session, op, { typeName: entity.gql }),
        });
      },
    });
  }
}

/**
 * The object types without an `id` (Stripe's value types: `Address`, `Discount` sub-objects,
 * connections) are `@shareable`, so a subgraph that shares one deliberately (`type Address
 * @shareable`) composes with this one. Types whose names mean something else elsewhere are kept apart
 * by the type-name prefix instead (`prefixTypes`, `FEDERATION_TYPE_PREFIX`).
 */
function shareValueTypes(types: readonly GraphQLNamedType[], roots: ReadonlySet<string>): void {
  for (const type of types) {
    if (!isObjectType(type) || roots.has(type.name) || type.name.startsWith('_')) continue;
    const uses = directivesIn(type.extensions);
    if ('id' in type.getFields() || uses.some((u) => u.name === 'key' || u.name === 'shareable')) continue;
    Object.assign(type, {
      extensions: { ...type.extensions, directives: [...uses, { name: 'shareable' }] },
    });
  }
}

/** Names a prefixed schema keeps: the roots, Relay's `Node` and `PageInfo` (shareable), scalars. */
const UNPREFIXED: ReadonlySet<string> = new Set(['Query', 'Mutation', 'Subscription', 'Node', 'PageInfo']);

/**
 * The schema with every Stripe type name prefixed (`Address` → `StripeAddress`, `Product` →
 * `StripeProduct`), for a supergraph whose other subgraphs use those names for their own types
 * (`FEDERATION_TYPE_PREFIX=Stripe`). Roots, `Node`, `PageInfo`, scalars and federation's own types
 * keep their names; what resolves a union or interface answers the prefixed name.
 */
export function prefixTypes(schema: GraphQLSchema, prefix: string): GraphQLSchema {
  const rename = (name: string) => (name.startsWith('_') || UNPREFIXED.has(name) ? name : `${prefix}${name}`);
  const renamed = <T>(resolve: T): T => {
    if (typeof resolve !== 'function') return resolve;
    const map = (name: unknown) => (typeof name === 'string' ? rename(name) : name);
    return ((...args: unknown[]) => {
      const result = (resolve as (...a: unknown[]) => unknown)(...args);
      return result instanceof Promise ? result.then(map) : map(result);
    }) as T;
  };
  /** An interface's or a union's config, renamed, its type resolver answering renamed types. */
  const renamedAbstract = <C extends { name: string; resolveType?: unknown }>(config: C): C => ({
    ...config,
    name: rename(config.name),
    resolveType: renamed(config.resolveType),
  });
  return mapSchema(schema, {
    [MapperKind.OBJECT_TYPE]: (type) =>
      new GraphQLObjectType({ ...type.toConfig(), name: rename(type.name) }),
    [MapperKind.INTERFACE_TYPE]: (type) => new GraphQLInterfaceType(renamedAbstract(type.toConfig())),
    [MapperKind.UNION_TYPE]: (type) => new GraphQLUnionType(renamedAbstract(type.toConfig())),
    [MapperKind.ENUM_TYPE]: (type) => new GraphQLEnumType({ ...type.toConfig(), name: rename(type.name) }),
    [MapperKind.INPUT_OBJECT_TYPE]: (type) =>
      new GraphQLInputObjectType({ ...type.toConfig(), name: rename(type.name) }),
  });
}

/** Marks every Stripe resource with a by-id retrieve as an entity and adds its `stripeAccount` field. */
export function addEntities(builder: Builder, registry: TypeRegistry): void {
  addScopedEntities(builder, registry);
  for (const [gql, name] of entityTypes(registry)) {
    const ref = registry.object(name);
    const op = registry.index.retrieveByIdOf(name)!;
    if (registry.model.objects[name]!.props.some((p) => fieldNames(p).field === ACCOUNT_KEY_FIELD)) {
      throw new Error(`${gql} has a Stripe field named ${ACCOUNT_KEY_FIELD}: choose another account key`);
    }
    builder.objectField(ref, ACCOUNT_KEY_FIELD, (t) =>
      t.field({
        type: 'ID',
        nullable: true,
        resolve: (object, _args, ctx) => sessionOf(ctx, object).stripeAccount ?? null,
      }),
    );
    builder.asEntity(ref, {
      key: [
        builder.selection<Representation>(`id ${ACCOUNT_KEY_FIELD}`),
        builder.selection<Pick<Representation, 'id'>>('id'),
      ],
      resolveReference: async (representation: Representation, ctx, info) => {
        if (typeof representation.id !== 'string' || representation.id === '') {
          throw userError('BAD_USER_INPUT', `A ${gql} representation needs its id`, { representation });
        }
        // An id qualified by its account (src/schema/ids.ts) names the account too.
        const { account: qualifier, id } = unqualifyId(representation.id);
        const account = representation.stripeAccount ?? qualifier;
        const session = account
          ? sessionForAccount(ctx, String(account), `${gql}.${ACCOUNT_KEY_FIELD} in an entity key`)
          : ctx.session;
        const result = await session.get<StripeObject>({
          path: op.path,
          pathParams: [id],
          // Planned once per `_entities` call and entity type: every representation shares it.
          expand: expandFor(info, session, op, { typeName: gql }),
        });
        if (result.deleted === true) {
          throw deletedError(gql, result);
        }
        return result;
      },
    });
  }
}

/**
 * The schema with `_entities`, `_service` and the federation `@link`. The plugin's own
 * `toSubGraphSchema` sorts the schema and prints the subgraph SDL on every build (about 2 s more
 * start-up for this schema); here the order is kept and `_service { sdl }` is printed on first use.
 */
export function toSubgraphSchema(schema: GraphQLSchema): GraphQLSchema {
  const link = { name: 'link', args: { url: FEDERATION_LINK, import: FEDERATION_DIRECTIVES } };
  const config = { ...schema.toConfig(), extensions: { ...schema.extensions, directives: [link] } };
  const entities = config.types.filter(
    (type): type is GraphQLObjectType => isObjectType(type) && hasResolvableKey(type),
  );
  shareValueTypes(
    config.types,
    new Set(
      [config.query?.name, config.mutation?.name, config.subscription?.name].filter((n): n is string =>
        Boolean(n),
      ),
    ),
  );
  let sdl: Promise<string> | undefined;
  const queryConfig = config.query!.toConfig();
  const query = new GraphQLObjectType({
    ...queryConfig,
    fields: () => ({
      ...queryConfig.fields,
      _entities: {
        ...entitiesField,
        resolve: (_source: unknown, args: { representations?: unknown }, ctx: unknown, info) =>
          resolveEntities(args.representations, ctx, info),
        // The query cost estimate (src/server/cost.ts): a Stripe call per representation.
        // Each representation is read by its type's retrieve, with what the router selects under it
        // folded into that read's expand[] (per type, so the union rule of the planner does not apply).
        extensions: planExtensions({
          operation: '_entities',
          shape: 'object',
          expand: true,
          perItemOf: 'representations',
        }),
        type: new GraphQLNonNull(
          new GraphQLList(new GraphQLUnionType({ ...EntityType.toConfig(), types: entities })),
        ),
      },
      _service: {
        ...serviceField,
        resolve: async (_source, _args, _context, info) => {
          // The SDL carries Stripe's descriptions: those of a lazily described schema first.
          describe(info.schema);
          sdl ??= printSubgraphSDLOf(subgraph);
          return { sdl: await sdl };
        },
      },
    }),
  });
  const subgraph: GraphQLSchema = new GraphQLSchema({
    ...config,
    query,
    types: config.types.map((type) => (type === config.query ? query : type)),
  });
  return subgraph;
}

/**
 * `_entities`: each representation resolved by its type's `resolveReference`. A representation
 * that is not an object, or whose `__typename` names no entity type, is that item's
 * BAD_USER_INPUT error (the others still resolve); Apollo's own resolver throws a plain error for
 * the whole field there.
 */
function resolveEntities(representations: unknown, ctx: unknown, info: GraphQLResolveInfo): unknown[] {
  if (!Array.isArray(representations)) return [];
  return representations.map((representation: unknown) => {
    if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) {
      return Promise.reject(userError('BAD_USER_INPUT', 'A representation is an object with a __typename'));
    }
    const typename = (representation as { __typename?: unknown }).__typename;
    const type = typeof typename === 'string' ? info.schema.getType(typename) : undefined;
    const resolveReference = isObjectType(type) ? referenceResolverOf(type) : undefined;
    if (!type || !resolveReference) {
      return Promise.reject(
        userError(
          'BAD_USER_INPUT',
          typeof typename === 'string'
            ? `${typename} is not an entity type of this subgraph`
            : 'A representation needs its __typename',
        ),
      );
    }
    // The entity's type is then told by its `object`, as everywhere (src/schema/abstract.ts).
    try {
      return Promise.resolve(resolveReference(representation, ctx, info));
    } catch (error) {
      return Promise.reject(error);
    }
  });
}

type ResolveReference = (representation: unknown, ctx: unknown, info: GraphQLResolveInfo) => unknown;

function referenceResolverOf(type: GraphQLObjectType): ResolveReference | undefined {
  const apollo = type.extensions?.apollo as
    | { subgraph?: { resolveReference?: ResolveReference } }
    | undefined;
  return hasResolvableKey(type) ? apollo?.subgraph?.resolveReference : undefined;
}

interface DirectiveUse {
  name: string;
  args?: Record<string, unknown>;
}

const directivesIn = (extensions: Readonly<Record<string, unknown>> | null | undefined): DirectiveUse[] =>
  Array.isArray(extensions?.directives) ? (extensions.directives as DirectiveUse[]) : [];

function directiveNodes(uses: readonly DirectiveUse[]): ConstDirectiveNode[] {
  const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
  return uses.map((use) => ({
    kind: Kind.DIRECTIVE,
    name: name(use.name),
    // Federation's arguments are strings, booleans and lists of strings: JSON spells them as GraphQL does.
    arguments: Object.entries(use.args ?? {}).map(([arg, value]) => ({
      kind: Kind.ARGUMENT,
      name: name(arg),
      value: parseConstValue(JSON.stringify(value)),
    })),
  }));
}

const annotated = new WeakSet<GraphQLSchema>();

/**
 * The subgraph SDL of a schema built by `toSubgraphSchema` (or sorted from one). The federation
 * plugin keeps `@key`, `@shareable` and `@link` in `extensions.directives`; `printSubgraphSchema`
 * reads AST nodes, so the types that carry directives get theirs here, when the SDL is first
 * printed, rather than every type at every start (what @pothos/plugin-directives does, about
 * 150 ms of CPU for this schema). Federation's schema model is loaded then too: importing it
 * costs about 160 ms that a gateway nobody asks for its SDL need not spend at start-up.
 */
export async function printSubgraphSDLOf(schema: GraphQLSchema): Promise<string> {
  const { buildSubgraph, FEDERATION_UNNAMED_SUBGRAPH_NAME, graphQLJSSchemaToAST } = await import(
    '@apollo/federation-internals'
  );
  if (!annotated.has(schema)) {
    annotated.add(schema);
    for (const type of Object.values(schema.getTypeMap())) {
      const uses = directivesIn(type.extensions);
      if (uses.length === 0 || type.astNode) continue;
      const definition = parse(printType(type)).definitions[0] as TypeDefinitionNode;
      Object.assign(type, { astNode: { ...definition, directives: directiveNodes(uses) } });
    }
    const link: SchemaExtensionNode = {
      kind: Kind.SCHEMA_EXTENSION,
      directives: directiveNodes(directivesIn(schema.extensions)),
    };
    Object.assign(schema, { extensionASTNodes: [link] });
  }
  // What @apollo/subgraph's printSubgraphSchema does, with one addition: federation's schema model
  // predates graphql-js's `@oneOf` (the mutations' alternative inputs use it), so its definition
  // is declared for the subgraph like any other type-system directive.
  const ast = graphQLJSSchemaToAST(schema);
  const document = { ...ast, definitions: [...ast.definitions, ONE_OF_DEFINITION] };
  return buildSubgraph(FEDERATION_UNNAMED_SUBGRAPH_NAME, '', document, false).toString();
}

const ONE_OF_DEFINITION = parse('directive @oneOf on INPUT_OBJECT').definitions[0]!;
