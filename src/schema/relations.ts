/**
 * Relation fields: every relation edge of the model (src/spec/relations.ts) becomes a connection on
 * its parent type — nested collections (`Customer.cards`, `Account.capabilities`,
 * `Transfer.reversals`) and reverse edges from list filters (`Customer.invoices`,
 * `Account.transfers` by `destination`), with the list's other filters as arguments. Where Stripe
 * embeds the first page in the parent (`customer.sources`, `invoice.lines`), that page answers
 * without a call (the parent's request folds it into `expand[]` when it is selected); later pages
 * come from the list endpoint, through the parent's upstream session.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { idOf, type StripeObject } from '../loaders/loaders.ts';
import { inherit } from '../loaders/session.ts';
import type { Operation, RelationEdge } from '../spec/types.ts';
import { type ArgSpec, type ArgumentTypes, wireParams } from './arguments.ts';
import { type ConnectionArgs, type Connections, inlineConnection, listConnection } from './connections.ts';
import { type GatewayContext, sessionOf } from './context.ts';
import { userError } from './errors.ts';
import { expandFor, planExtensions } from './plans.ts';
import { previewMark } from './preview.ts';
import type { TypeRegistry } from './registry.ts';

type Ref = any;

const PAGING_PARAMS = new Set(['limit', 'starting_after', 'ending_before']);

/** The connection type of a list operation's items, or undefined when its items have no type. */
export function itemConnection(
  registry: TypeRegistry,
  connections: Connections,
  op: Operation,
): Ref | undefined {
  const type = op.response;
  if (type.k === 'object') {
    const schema = registry.model.objects[type.name];
    return schema && connections.connectionOf(schema.gql, registry.objects.get(type.name));
  }
  if (type.k === 'union') {
    const union = registry.model.unions[type.name];
    return union && connections.connectionOf(union.gql, registry.unions.get(type.name));
  }
  return undefined;
}

export function addRelations(
  registry: TypeRegistry,
  connections: Connections,
  argumentTypes: ArgumentTypes,
): void {
  const { model, builder } = registry;
  const opById = new Map(model.operations.map((o) => [o.id, o]));
  const byParent = new Map<string, RelationEdge[]>();
  for (const edge of model.relations) {
    const list = byParent.get(edge.parent) ?? [];
    list.push(edge);
    byParent.set(edge.parent, list);
  }
  for (const [parent, edges] of byParent) {
    const ref = registry.objects.get(parent);
    if (!ref) continue;
    const fields = edges.flatMap((edge) => {
      const op = opById.get(edge.operation);
      const connection = op && itemConnection(registry, connections, op);
      if (!op || !connection) return [];
      if (edge.kind === 'nested' && op.pathParams.length !== 1) return [];
      return [{ edge, op, connection }];
    });
    (builder as Ref).objectFields(ref, (t: Ref) =>
      Object.fromEntries(
        fields.map(({ edge, op, connection }) => [
          edge.field,
          relationField(t, registry, connections, argumentTypes, edge, op, connection),
        ]),
      ),
    );
  }
}

function relationField(
  t: Ref,
  registry: TypeRegistry,
  connections: Connections,
  argumentTypes: ArgumentTypes,
  edge: RelationEdge,
  op: Operation,
  connection: Ref,
): Ref {
  const item = op.response.k === 'object' ? registry.model.objects[op.response.name] : undefined;
  // The parent's ids: plain strings and references (an enum or a number of the same name is not
  // the value a filter means).
  const parentIds = new Set(
    registry.model.objects[edge.parent]?.props
      .filter((p) => p.type.k === 'string' || p.type.k === 'ref')
      .map((p) => p.name),
  );
  const query = op.query.filter(
    (p) => !PAGING_PARAMS.has(p.name) && !(edge.kind === 'filter' && p.name === edge.param),
  );
  // A filter the list requires and the parent carries is the parent's: a Treasury transaction's
  // entries are listed with its own financial_account, a Financial Connections account's owners
  // with its own ownership. It is no argument.
  const inherited = query
    .filter((p) => p.required && p.type.k === 'string' && parentIds.has(p.name))
    .map((p) => p.name);
  const filters: ArgSpec[] = query
    .filter((p) => !inherited.includes(p.name))
    .map((p) => argumentTypes.argFor(p, item));
  const paged = op.query.some((p) => p.name === 'limit');
  // The embedded first page is folded into the parent's request when Stripe always embeds it, or
  // embeds it as a list object on request (`customer.sources`). An optional plain array
  // (`issuing.dispute.balance_transactions`) is served when present, but is not planned for:
  // the connection may cost a call.
  const inlineProp = edge.inline
    ? registry.model.objects[edge.parent]?.props.find((p) => p.name === edge.inline)
    : undefined;
  const folds = Boolean(inlineProp) && (inlineProp!.required || inlineProp!.type.k !== 'array');
  return t.field({
    type: connection,
    nullable: false,
    ...previewMark(
      op.preview,
      undefined,
      planExtensions(
        { operation: op.id, shape: 'pages', expand: op.expand },
        inlineProp && folds
          ? {
              wire: inlineProp.name,
              fold: 'list',
              ...(registry.isOptIn(inlineProp) ? { optIn: true } : {}),
              ...(inlineProp.type.k === 'array' ? { array: true } : {}),
            }
          : undefined,
      ),
    ),
    args: {
      ...connections.args(t),
      ...Object.fromEntries(filters.map((f) => [f.name, f.build(t)])),
    },
    resolve: (
      parent: StripeObject,
      args: ConnectionArgs & Record<string, unknown>,
      ctx: GatewayContext,
      info: GraphQLResolveInfo,
    ) => {
      const params = wireParams(filters, args);
      // The inline first page answers when no filter narrows it.
      if (edge.inline && Object.keys(params).length === 0) {
        const inline = parent[edge.inline];
        const served = inlineConnection(inline, args);
        if (served) {
          const session = sessionOf(ctx, parent);
          for (const node of served.nodes) session.prime(inherit(parent, node));
          return served;
        }
      }
      if (typeof parent.id !== 'string') {
        throw userError('NOT_RESOLVABLE', `This object has no id to list its ${edge.field} by`);
      }
      const session = sessionOf(ctx, parent);
      const expand = expandFor(info, session, op, { connection: true });
      if (expand.length > 0) params.expand = expand;
      if (edge.kind === 'filter') params[edge.param] = parent.id;
      for (const name of inherited) {
        const value = idOf(parent[name]);
        // Without it there is nothing to list by (an account with no ownership has no owners).
        if (value === undefined) return inlineConnection([], args)!;
        params[name] = value;
      }
      return listConnection(
        session,
        {
          path: op.path,
          ...(edge.kind === 'nested' ? { pathParams: [parent.id] } : {}),
          params,
          paged,
        },
        args,
      );
    },
  });
}
