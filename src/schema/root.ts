/**
 * Root query fields from the model's operations: a retrieve field per retrievable resource
 * (`customer(id:)`), a connection per top-level list endpoint (`customers`), a search connection
 * per search endpoint (`searchCustomers`) and `node(id:)`, which dispatches on the id prefix.
 */
import type { ArgumentRef, FieldRef } from '@pothos/core';
import type { GraphQLError, GraphQLResolveInfo } from 'graphql';
import type { StripeObject } from '../loaders/requests.ts';
import { camelCase, pascalCase } from '../spec/naming.ts';
import { rootFieldOverrides } from '../spec/overrides.ts';
import type { PrefixMatch } from '../spec/prefixes.ts';
import type { ObjectSchema, Operation } from '../spec/types.ts';
import { UPCOMING_PATH } from '../spec/upcoming.ts';
import { type ArgSpec, type ArgumentTypes, checkPathArguments, wireParams } from './arguments.ts';
import type { Types } from './builder.ts';
import { sessionForAccount } from './connect.ts';
import { type Connections, type ItemRef, listConnection, searchConnection } from './connections.ts';
import { type GatewayContext, sessionOf } from './context.ts';
import { deletedError, userError } from './errors.ts';
import { resourceOfId, unqualifyId } from './ids.ts';
import { expandFor, operationFieldOptions, planExtensions } from './plans.ts';
import type { ModelOutputType, TypeRegistry } from './registry.ts';

/**
 * What builds a root field: the Query root's field builder, or that of `ConnectedAccountScope`
 * (src/schema/connect.ts), whose fields are the same root fields read as one account.
 */
export type RootFieldBuilder = PothosSchemaTypes.RootFieldBuilder<Types, unknown, 'Query' | 'Object'>;
type RootFieldRef = FieldRef<Types, unknown, 'Query' | 'Object'>;

const PAGING_PARAMS = new Set(['limit', 'starting_after', 'ending_before', 'page']);

/** `/v1/issuing/cards` → `issuing_cards` */
const collectionName = (path: string) =>
  path
    .replace(/^\/v1\//, '')
    .split('/')
    .filter((s) => !s.startsWith('{'))
    .join('_');

/** A root field's resolver: its parent is the request's root, or a connected account's scope. */
type RootResolver = (
  root: unknown,
  args: Record<string, unknown>,
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
) => unknown;

/**
 * A root field read by one operation: nullable, like every root field (one failing read, a bad id
 * or cursor, nulls itself, not the response), with the operation's fetch plan.
 */
const operationField = (
  t: RootFieldBuilder,
  op: Operation,
  shape: 'object' | 'pages',
  type: ModelOutputType,
  args: Record<string, ArgumentRef<Types, unknown>>,
  resolve: RootResolver,
): RootFieldRef => t.field({ type, nullable: true, ...operationFieldOptions(op, shape), args, resolve });

export interface RootField {
  name: string;
  /** the operation behind the field; none for node(id), which picks one per id */
  operation?: Operation;
  build: (t: RootFieldBuilder) => RootFieldRef;
}

export function rootFields(
  registry: TypeRegistry,
  connections: Connections,
  argumentTypes: ArgumentTypes,
): RootField[] {
  const { model, index } = registry;
  const fields: RootField[] = [];

  /** The GraphQL output type of an operation's response (object or union), if it has one. */
  const outputRef = (op: Operation): ItemRef | undefined => {
    const type = op.response.k === 'ref' ? op.response.to : op.response;
    if (type.k === 'object') return registry.objects.get(type.name);
    if (type.k === 'union') return registry.unions.get(type.name);
    return undefined;
  };
  const itemSchema = (op: Operation): ObjectSchema | undefined =>
    op.response.k === 'object' ? model.objects[op.response.name] : undefined;
  const itemGqlName = (op: Operation): string | undefined => {
    const type = op.response;
    if (type.k === 'object') return model.objects[type.name]?.gql;
    if (type.k === 'union') return model.unions[type.name]?.gql;
    return undefined;
  };
  /** The response is exactly a resource or its deleted form. */
  const liveOrDeleted = (op: Operation): boolean => {
    if (op.response.k !== 'union' || !op.resource) return false;
    const members = model.unions[op.response.name]!.members;
    return (
      members.length === 2 &&
      members.includes(op.resource) &&
      members.some((m) => model.objects[m]?.deletedOf === op.resource)
    );
  };
  const argsOf = (op: Operation) =>
    op.query.filter((p) => !PAGING_PARAMS.has(p.name)).map((p) => argumentTypes.argFor(p, itemSchema(op)));
  const buildArgs = (t: RootFieldBuilder, specs: ArgSpec[]) =>
    Object.fromEntries(specs.map((s) => [s.name, s.build(t)]));

  // ---- retrieve ----------------------------------------------------------------------------
  const retrieveResources = [
    ...new Set(model.operations.filter((o) => o.kind === 'retrieve' && o.resource).map((o) => o.resource!)),
  ].sort();
  for (const resource of retrieveResources) {
    const op = index.retrieveOf(resource);
    if (!op) continue;
    // A retrieve that may answer with the deleted form (GET /v1/customers/{id}) still reads as the
    // live type: asking for a customer gives a Customer, and a deleted one is a typed DELETED error.
    const deletedForm = liveOrDeleted(op);
    const type = deletedForm ? registry.objects.get(resource) : outputRef(op);
    if (!type) continue;
    const gql = model.objects[resource]?.gql ?? model.unions[model.polymorphic[resource] ?? '']?.gql;
    if (!gql) continue;
    // A singleton read of the same resource (GET /v1/account beside GET /v1/accounts/{account})
    // makes the id optional.
    const singleton = model.operations.find(
      (o) =>
        o.kind === 'retrieve' &&
        o.resource === resource &&
        o.pathParams.length === 0 &&
        op.pathParams.length === 1 &&
        op.path.startsWith(`${o.path}s/`),
    );
    const pathArgs = op.pathParams.map((param, i) => {
      const isId = i === op.pathParams.length - 1 && !op.singleton;
      return { param, name: isId ? 'id' : camelCase(param), optional: isId && Boolean(singleton) };
    });
    const pathArgNames = pathArgs.map((a) => a.name);
    const queryArgs = argsOf(op);
    fields.push({
      name: rootFieldOverrides[op.id] ?? camelCase(pascalCase(resource)),
      operation: op,
      build: (t) =>
        operationField(
          t,
          op,
          'object',
          type,
          {
            ...Object.fromEntries(pathArgs.map((a) => [a.name, t.arg.id({ required: !a.optional })])),
            ...buildArgs(t, queryArgs),
          },
          async (_root, args, ctx, info) => {
            checkPathArguments(args, pathArgNames);
            const params = wireParams(queryArgs, args);
            const expand = expandFor(info, sessionOf(ctx, _root), op);
            const useSingleton = singleton && args.id == null;
            const target = useSingleton
              ? { path: singleton.path }
              : { path: op.path, pathParams: pathArgs.map((a) => String(args[a.name])) };
            const result = await sessionOf(ctx, _root).get<StripeObject>({
              ...target,
              ...(Object.keys(params).length ? { params } : {}),
              expand,
            });
            if (deletedForm && result.deleted === true) throw deletedError(gql, result);
            return result;
          },
        ),
    });
  }

  // ---- previews: objects that do not exist yet (`GET /v1/invoices/upcoming` → `upcomingInvoice`) ----
  for (const op of model.operations) {
    if (op.kind !== 'retrieve' || !op.singleton || op.response.k !== 'object') continue;
    const preview = model.objects[op.response.name];
    if (!preview || preview.resource || !UPCOMING_PATH.test(op.path)) continue;
    const type = registry.object(preview.name);
    const queryArgs = argsOf(op);
    fields.push({
      name: rootFieldOverrides[op.id] ?? camelCase(preview.gql),
      operation: op,
      build: (t) =>
        operationField(t, op, 'object', type, buildArgs(t, queryArgs), (_root, args, ctx, info) => {
          const params = wireParams(queryArgs, args);
          const expand = expandFor(info, sessionOf(ctx, _root), op, { typeName: preview.gql });
          return sessionOf(ctx, _root).get<StripeObject>({
            path: op.path,
            ...(Object.keys(params).length ? { params } : {}),
            expand,
          });
        }),
    });
  }

  // ---- list and search -----------------------------------------------------------------------
  for (const op of model.operations) {
    if ((op.kind !== 'list' && op.kind !== 'search') || op.pathParams.length > 0) continue;
    const itemRef = outputRef(op);
    const itemName = itemGqlName(op);
    if (!itemRef || !itemName) continue;
    const search = op.kind === 'search';
    const connection = search
      ? connections.searchConnectionOf(itemName, itemRef)
      : connections.connectionOf(itemName, itemRef);
    const filters = argsOf(op);
    const paged = op.query.some((p) => p.name === 'limit');
    const name =
      rootFieldOverrides[op.id] ??
      (search
        ? camelCase(`search_${collectionName(op.path.replace(/\/search$/, ''))}`)
        : camelCase(collectionName(op.path)));
    fields.push({
      name,
      operation: op,
      build: (t) =>
        operationField(
          t,
          op,
          'pages',
          connection,
          { ...connections.args(t, search), ...buildArgs(t, filters) },
          (_root, args, ctx, info) => {
            const params = wireParams(filters, args);
            const expand = expandFor(info, sessionOf(ctx, _root), op, { connection: true });
            if (expand.length > 0) params.expand = expand;
            return search
              ? searchConnection(sessionOf(ctx, _root), op.path, params, args)
              : listConnection(sessionOf(ctx, _root), { path: op.path, params, paged }, args);
          },
        ),
    });
  }

  // ---- node --------------------------------------------------------------------------------
  // Resources whose id is composed under an account (`acct_…/card_payments`: a capability).
  const accountComposites = Object.values(model.objects)
    .filter((schema) => registry.idParent(schema) === 'account')
    .map((schema) => schema.name);
  fields.push({
    name: 'node',
    build: (t) =>
      t.field({
        type: registry.node,
        nullable: true,
        // Retrieves differ per id; the estimate assumes nothing below is folded.
        extensions: planExtensions({
          operation: 'node',
          shape: 'object',
          expand: false,
          retrieveOf: (id) => {
            const match = resourceOfId(model, unqualifyId(id).id);
            // An unknown or shared prefix: node(id:) refuses it without a call.
            return match.kind === 'match' ? index.retrieveByIdOf(match.resource)?.id : undefined;
          },
        }),
        args: { id: t.arg.id({ required: true }) },
        resolve: async (
          _root: unknown,
          args: { id: string },
          ctx: GatewayContext,
          info: GraphQLResolveInfo,
        ) => {
          // An id qualified by a connected account (src/schema/ids.ts) is read as that account.
          const { account, id } = unqualifyId(String(args.id));
          // What cannot be a Stripe id is refused as every `id:` argument refuses it.
          checkPathArguments({ id }, ['id']);
          const match = resourceOfId(model, id);
          const node = match.kind === 'match' && registry.isNode(model.objects[match.resource]!);
          // `acct_…/card_payments` may be a composite id (a capability's), whatever its tail's prefix says.
          if (account && !node && accountComposites.length > 0) {
            const named =
              match.kind === 'match' ? [match.resource] : match.kind === 'ambiguous' ? match.resources : [];
            throw notRetrievable([...new Set([...named, ...accountComposites])]);
          }
          const resource = nodeResource(id, match);
          const op = index.retrieveByIdOf(resource);
          if (!op || !node) throw notRetrievable([resource]);
          const session = account ? sessionForAccount(ctx, account, 'node(id:)') : sessionOf(ctx, _root);
          const expand = expandFor(info, session, op, {
            typeName: model.objects[resource]!.gql,
          });
          const result = await session.get<StripeObject>({
            path: op.path,
            pathParams: [id],
            expand,
          });
          if (result.deleted === true) throw deletedError(model.objects[resource]!.gql, result);
          return result;
        },
      }),
  });

  const seen = new Map<string, string>();
  for (const field of fields) {
    const other = seen.get(field.name);
    if (other) {
      throw new Error(
        `root field "${field.name}" comes from both ${other} and ${field.operation?.id}; settle it in src/spec/overrides.ts`,
      );
    }
    seen.set(field.name, field.operation?.id ?? field.name);
  }
  return fields;
}

/** NOT_RETRIEVABLE_BY_ID for an id of one of `resources`, none of which node(id:) reads. */
function notRetrievable(resources: readonly string[]): GraphQLError {
  const names = resources.map((resource, i) => `${i === 0 ? 'A' : 'a'} ${pascalCase(resource)}`).join(' or ');
  return userError(
    'NOT_RETRIEVABLE_BY_ID',
    `${names} cannot be fetched by id alone; use the field that reads it through its parent`,
    { resource: resources[0], ...(resources.length > 1 ? { resources } : {}) },
  );
}

function nodeResource(id: string, match: PrefixMatch): string {
  if (match.kind === 'unknown') {
    throw userError('UNKNOWN_ID_PREFIX', `Cannot tell the type of "${id}" from its prefix`, { id });
  }
  if (match.kind === 'ambiguous') {
    throw userError(
      'AMBIGUOUS_ID_PREFIX',
      `The prefix of "${id}" is shared by ${match.resources.join(', ')}`,
      {
        id,
        resources: match.resources,
      },
    );
  }
  return match.resource;
}
