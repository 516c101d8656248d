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
import { idOf, type StripeObject } from '../loaders/requests.ts';
import { inherit } from '../loaders/session.ts';
import { listItemOf } from '../spec/relations.ts';
import type { Operation, OutType, RelationEdge } from '../spec/types.ts';
import { type ArgSpec, type ArgumentTypes, wireParams } from './arguments.ts';
import {
  type Connection,
  type ConnectionArgs,
  type ConnectionRef,
  type Connections,
  checkCursors,
  emptyConnection,
  firstPageRequest,
  type ItemRef,
  inlineConnection,
  type ListTarget,
  listConnection,
} from './connections.ts';
import { type GatewayContext, sessionOf } from './context.ts';
import { userError } from './errors.ts';
import { expandFor, planExtensions } from './plans.ts';
import { type PrefetchRead, prefetchExtensions } from './prefetch.ts';
import { previewMark } from './preview.ts';
import type { StripeFieldBuilder, TypeRegistry } from './registry.ts';

const PAGING_PARAMS = new Set(['limit', 'starting_after', 'ending_before']);

/** The connection type of a list operation's items, or undefined when its items have no type. */
export function itemConnection(
  registry: TypeRegistry,
  connections: Connections,
  op: Operation,
): ConnectionRef | undefined {
  const item = itemTypeRef(registry, op.response);
  const type = op.response;
  const name =
    type.k === 'object'
      ? registry.model.objects[type.name]?.gql
      : type.k === 'union'
        ? registry.model.unions[type.name]?.gql
        : undefined;
  return item && name ? connections.connectionOf(name, item) : undefined;
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
    builder.objectFields(ref, (t) =>
      Object.fromEntries(
        fields.map(({ edge, op, connection }) => [
          edge.field,
          relationField(t, registry, connections, argumentTypes, edge, op, connection),
        ]),
      ),
    );
  }
}

/**
 * The lists Stripe embeds that no relation edge pages (`UpcomingInvoice.lines`,
 * `FinancialConnectionsSession.accounts`, `FinancialConnectionsAccountOwnership.owners`,
 * `QuotesUpfront.lineItems`, `TaxCalculation.lineItems`): connections of the same shape as every
 * other list, answered from the embedded page with no call. Paging past it is refused with the
 * list's own endpoint named (a sub-object, or an object Stripe cannot re-read, has no id to page by).
 */
export function addInlineLists(registry: TypeRegistry, connections: Connections): void {
  const { model, builder } = registry;
  const served = new Set(model.relations.map((edge) => `${edge.parent}.${edge.field}`));
  for (const schema of Object.values(model.objects)) {
    const ref = registry.objects.get(schema.name);
    const lists = schema.props.flatMap((prop) => {
      if (!prop.relation || served.has(`${schema.name}.${prop.relation}`)) return [];
      const list = prop.type.k === 'object' ? model.objects[prop.type.name] : undefined;
      const item = listItemOf(list);
      const itemRef = item && itemTypeRef(registry, item);
      if (!itemRef) return [];
      const name =
        item.k === 'object'
          ? model.objects[item.name]!.gql
          : model.unions[(item as { name: string }).name]!.gql;
      return [{ prop, connection: connections.connectionOf(name, itemRef) }];
    });
    if (!ref || lists.length === 0) continue;
    builder.objectFields(ref, (t) =>
      Object.fromEntries(
        lists.map(({ prop, connection }) => [
          prop.relation,
          t.field({
            type: connection,
            nullable: prop.nullable || !prop.required,
            args: {
              first: t.arg({ type: 'Int', required: false }),
              after: t.arg.string({ required: false }),
            },
            resolve: (parent, args, ctx) => {
              const embedded = parent[prop.name];
              if (embedded == null) return null;
              const page = inlineConnection(embedded, args) ?? pastInlinePage(embedded, args);
              const session = sessionOf(ctx, parent);
              for (const node of page.nodes) session.prime(inherit(parent, node));
              return page;
            },
          }),
        ]),
      ),
    );
  }
}

function itemTypeRef(registry: TypeRegistry, item: OutType): ItemRef | undefined {
  if (item.k === 'object') return registry.objects.get(item.name);
  if (item.k === 'union') return registry.unions.get(item.name);
  return undefined;
}

/** `after` within the embedded page; beyond it, the endpoint that pages the list. */
function pastInlinePage(embedded: unknown, args: ConnectionArgs): Connection {
  const list = embedded as { data?: StripeObject[]; has_more?: boolean; url?: string };
  const data = list.data ?? [];
  checkCursors(args);
  const start = args.after == null ? 0 : data.findIndex((item) => item.id === args.after) + 1;
  const count = args.first ?? data.length;
  if (start > 0 && (start + count <= data.length || !list.has_more)) {
    const page = inlineConnection({ data: data.slice(start), has_more: list.has_more }, { first: count });
    if (page) return { ...page, pageInfo: { ...page.pageInfo, hasPreviousPage: true } };
  }
  throw userError(
    'BAD_USER_INPUT',
    `This list answers the page Stripe embeds (${data.length} items); page further with ${list.url ?? 'its list endpoint'}`,
  );
}

function relationField(
  t: StripeFieldBuilder,
  registry: TypeRegistry,
  connections: Connections,
  argumentTypes: ArgumentTypes,
  edge: RelationEdge,
  op: Operation,
  connection: ConnectionRef,
) {
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
  // One expression for the resolver and the prefetch, so that both send the same `expand[]`.
  const expandOf = (info: GraphQLResolveInfo, session: { readonly folds: boolean }) =>
    expandFor(info, session, op, { connection: true });
  /** The list endpoint for a parent (its id): undefined when a filter it inherits has no value. */
  const listTarget = (
    parent: StripeObject,
    id: string,
    params: Record<string, unknown>,
    expand: readonly string[],
  ): ListTarget | undefined => {
    if (expand.length > 0) params.expand = expand;
    if (edge.kind === 'filter') params[edge.param] = id;
    for (const name of inherited) {
      const value = idOf(parent[name]);
      if (value === undefined) return undefined;
      params[name] = value;
    }
    return { path: op.path, ...(edge.kind === 'nested' ? { pathParams: [id] } : {}), params, paged };
  };
  /**
   * The first page for a parent known only by its id (src/schema/prefetch.ts): only a read the
   * resolver is sure to make, so never one its parent's inline page may answer instead, nor one
   * whose filters come from the parent's other properties.
   */
  const prefetchRead: PrefetchRead = (id, args, info, session) => {
    if (inherited.length > 0) return undefined;
    const params = wireParams(filters, args);
    if (edge.inline && Object.keys(params).length === 0) return undefined;
    const target = listTarget({}, id, params, expandOf(info, session));
    return target && firstPageRequest(target, args);
  };
  return t.field({
    type: connection,
    nullable: false,
    ...previewMark(op.preview, undefined, {
      ...planExtensions(
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
      ...prefetchExtensions(prefetchRead),
    }),
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
      const target = listTarget(parent, parent.id, params, expandOf(info, session));
      // Without it there is nothing to list by (an account with no ownership has no owners).
      if (!target) return emptyConnection({ paged }, args);
      return listConnection(session, target, args);
    },
  });
}
