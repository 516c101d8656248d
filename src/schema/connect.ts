/**
 * Connect: one query can read several connected accounts. `connectedAccount(id:)` returns a
 * `ConnectedAccountScope` whose fields are the whole Query; every field below it that calls Stripe
 * (those with `extensions.stripeCost`) runs with loaders scoped to that account, so its calls carry
 * `Stripe-Account: acct_…`. (A `Stripe-Account` request header scopes a whole request instead; the
 * server handles that when it creates the request's loaders.)
 *
 * GraphQL passes one context to every resolver, so the scope is found from the resolver's response
 * path: the scope field records its path object, and a wrapped resolver walks its path upwards to
 * the nearest scope. The wrapping is applied to a built schema by `scopeResolversByAccount` (the
 * server calls it at start; the scope field applies it on first use otherwise).
 */
import {
  type GraphQLField,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  isObjectType,
  type ResponsePath,
} from 'graphql';
import type { Builder } from './builder.ts';
import type { GatewayContext } from './context.ts';
import { userError } from './errors.ts';
import type { RootField } from './root.ts';

type Ref = any;

/** What `connectedAccount` resolves to: the account its fields act as. */
export interface ConnectedAccountMarker {
  stripeAccount: string;
}

/** A connected account id, as the `Stripe-Account` header and `connectedAccount(id:)` take it. */
export const ACCOUNT_ID = /^acct_[A-Za-z0-9]{1,250}$/;

/** The scoped context of each `connectedAccount` field, by its response path (unique per execution). */
const scopeByPath = new WeakMap<ResponsePath, GatewayContext>();
const scopedSchemas = new WeakSet<GraphQLSchema>();

function contextFor(context: GatewayContext, path: ResponsePath): GatewayContext {
  for (let at = path.prev; at !== undefined; at = at.prev) {
    const scoped = scopeByPath.get(at);
    if (scoped) return scoped;
  }
  return context;
}

/**
 * Wraps every resolver that calls Stripe so that it uses the loaders of the nearest enclosing
 * `connectedAccount` scope. Idempotent.
 */
export function scopeResolversByAccount(schema: GraphQLSchema): GraphQLSchema {
  if (scopedSchemas.has(schema)) return schema;
  scopedSchemas.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, GatewayContext>[]) {
      const resolve = field.resolve;
      if (!resolve || field.extensions?.stripeCost === undefined) continue;
      field.resolve = (source, args, context, info) =>
        resolve(source, args, contextFor(context, info.path), info);
    }
  }
  return schema;
}

/** Runs the fields below `info.path` with `context` (a subscription event's own loaders). */
export function scopeBelow(info: GraphQLResolveInfo, context: GatewayContext): void {
  scopeResolversByAccount(info.schema);
  scopeByPath.set(info.path, context);
}

function enterScope(context: GatewayContext, id: string, info: GraphQLResolveInfo): ConnectedAccountMarker {
  if (!ACCOUNT_ID.test(id)) {
    throw userError('BAD_USER_INPUT', 'connectedAccount(id:) takes a connected account id (acct_…)', { id });
  }
  if (!context.loadersFor) {
    throw userError(
      'CONNECT_UNAVAILABLE',
      'This server cannot act as connected accounts (no loadersFor in context)',
    );
  }
  scopeResolversByAccount(info.schema);
  scopeByPath.set(info.path, { ...context, loaders: context.loadersFor(id) });
  return { stripeAccount: id };
}

/** Adds `ConnectedAccountScope` (every root field, read as one account) and `Query.connectedAccount(id:)`. */
export function addConnectedAccountScope(builder: Builder, fields: readonly RootField[]): void {
  const scope = (builder as Ref).objectRef('ConnectedAccountScope').implement({
    description:
      'Every query field, read as a connected account: Stripe calls below carry its Stripe-Account header.',
    fields: (t: Ref) => ({
      ...Object.fromEntries(fields.map((field) => [field.name, field.build(t)])),
      stripeAccount: t.field({
        type: 'ID',
        nullable: false,
        description: 'The connected account these fields act as.',
        resolve: (marker: ConnectedAccountMarker) => marker.stripeAccount,
      }),
    }),
  });
  (builder as Ref).queryField('connectedAccount', (t: Ref) =>
    t.field({
      type: scope,
      nullable: true,
      description:
        'Reads the fields below as the connected account `id` (Stripe-Account), beside other accounts.',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root: unknown, args: { id: string }, context: GatewayContext, info: GraphQLResolveInfo) =>
        enterScope(context, String(args.id), info),
    }),
  );
}
