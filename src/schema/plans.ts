/**
 * Fetch plans, the one table the resolvers, the expand planner and the cost estimate read. Built
 * once with the schema from the model, it lives on the GraphQL fields:
 * - `extensions.stripePlan` (FetchPlan) on each field that calls Stripe: the operation, one object
 *   or pages, batching, the account it lives on;
 * - `extensions.stripeWire` (WireFacts) on each field read from its parent's Stripe object: the
 *   wire property, and how the parent's request folds it (an expandable reference, an inline
 *   list and whether Stripe sends it only on request).
 * One walk over an operation (src/schema/operation-plan.ts) turns what it selects into each
 * call's `expand[]` and the estimate from these alone, before it runs.
 */
import { type FieldNode, type GraphQLResolveInfo, getNamedType } from 'graphql';
import type { Operation } from '../spec/types.ts';
import { type OperationPlan, plannedExpand, planSelection } from './operation-plan.ts';
import { previewMark } from './preview.ts';

export interface FetchPlan {
  /** the operation id (or `node`, which picks a retrieve per id) */
  operation: string;
  /** `object`: one GET per parent; `pages`: a connection, one GET per page of up to 100 */
  shape: 'object' | 'pages';
  /** a call per item of this list argument, each multiplying what is below (`_entities`) */
  perItemOf?: string;
  /** the operation takes `expand[]`, so what is selected below can be folded into it */
  expand?: boolean;
  /**
   * Reads of many parents share list calls (`GET /v1/products?ids[]=…`, a page of 100 ids each):
   * the session batches by-id reads of a resource whose list filters by `ids[]`.
   */
  batch?: boolean;
  /**
   * The object lives on another account than its parent, named by this parent property
   * (`transfer.destination_payment` is a payment on the transfer's `destination`), by a property
   * of an object the parent references (`transfer.destination`: a call more), or `PLATFORM`
   * (`charge.source_transfer`): it is read through that account's session, one call per parent,
   * and never folded into the parent's `expand[]` (Stripe expands some of them across accounts;
   * the gateway does not rely on it).
   */
  account?: string;
  /**
   * No target has a retrieve of its own (`application_fee.application`): Stripe may answer the
   * bare id even when asked to expand it, and the resolver then re-reads the parent with
   * `expand[]`, a call that folding does not save.
   */
  unretrievable?: boolean;
  /**
   * `node` only: the operation a read of `id` makes (the retrieve its prefix picks), so the
   * estimator knows it sends the same request as `customer(id:)` with that id.
   */
  retrieveOf?: (id: string) => string | undefined;
}

/** The account of `OTHER_ACCOUNT_REFERENCES` that is the platform's (named by no property). */
export const PLATFORM = 'platform';

/**
 * References whose object lives on another account than the object holding them: Stripe type →
 * wire property → the property of that object naming the account, or `PLATFORM`. Stripe's spec
 * does not say where an object lives; these are the references Connect documents as another
 * account's:
 * - on the connected account: the payment a transfer created on its destination
 *   (`transfer.destination_payment`), and the charge an application fee was taken from
 *   (`application_fee.charge`, on the fee's `account`; its `originating_transaction` is the
 *   platform's charge, where the fee itself lives);
 * - on the platform: what a connected account's payment came from — the transfer that created it
 *   (`charge.source_transfer`), the platform's fee on it (`charge.application_fee`), and the
 *   reversal behind a refund of it (`refund.source_transfer_reversal`).
 * - on the transfer's destination: the refund a reversal made of the transfer's payment
 *   (`transfer_reversal.destination_payment_refund`), named by no property of the reversal but by
 *   its transfer's `destination`: `<reference>.<property>`, the reference read first (one call
 *   more, none when the request has the transfer already).
 * Each is read through that account's session, one call per parent, never folded (Stripe expands
 * some of these across accounts, as the emulator does, but the gateway does not rely on it: a
 * call more per parent, measured in no bench query).
 */
export const OTHER_ACCOUNT_REFERENCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  transfer: { destination_payment: 'destination' },
  application_fee: { charge: 'account' },
  charge: { source_transfer: PLATFORM, application_fee: PLATFORM },
  refund: { source_transfer_reversal: PLATFORM },
  transfer_reversal: { destination_payment_refund: 'transfer.destination' },
};

/**
 * An account of OTHER_ACCOUNT_REFERENCES as the parent's property naming it, and the reference
 * read first to find it there (`transfer.destination`), if any.
 */
export function accountProperty(account: string): { via?: string; property: string } {
  const dot = account.indexOf('.');
  return dot < 0 ? { property: account } : { via: account.slice(0, dot), property: account.slice(dot + 1) };
}

/** Where a field's value sits in its parent's Stripe object, and how the parent's request folds it. */
export interface WireFacts {
  /** the parent's property */
  wire: string;
  /**
   * `reference`: an expandable reference (naming it in `expand[]` brings the object inline);
   * `list`: an inline list the field's connection serves as its first page, when its page
   * answers the arguments (its items' paths continue at `data.`, or directly for a plain array);
   * absent: a sub-object, always inline.
   */
  fold?: 'reference' | 'list';
  /** Stripe sends it only when expanded (`customer.sources`): the path itself is asked for */
  optIn?: boolean;
  /** the inline list is a plain array (`dispute.balance_transactions`) */
  array?: boolean;
}

/** Extensions for a field that calls Stripe (and, when its parent's request can fold it, how). */
export function planExtensions(plan: FetchPlan, wire?: WireFacts): Record<string, unknown> {
  return wire ? { stripePlan: plan, stripeWire: wire } : { stripePlan: plan };
}

/** Extensions for a field read from its parent's Stripe object. */
export function wireExtensions(wire: WireFacts): Record<string, unknown> {
  return { stripeWire: wire };
}

type WithExtensions = { readonly extensions?: Readonly<Record<string, unknown>> | null | undefined };

export function planOf(field: WithExtensions | undefined): FetchPlan | undefined {
  return field?.extensions?.stripePlan as FetchPlan | undefined;
}

export function wireOf(field: WithExtensions | undefined): WireFacts | undefined {
  return field?.extensions?.stripeWire as WireFacts | undefined;
}

/** The extensions and preview mark of a field that reads or writes through `op`. */
export function operationFieldOptions(
  op: Pick<Operation, 'id' | 'expand' | 'preview'>,
  shape: FetchPlan['shape'],
): ReturnType<typeof previewMark> {
  return previewMark(op.preview, undefined, planExtensions({ operation: op.id, shape, expand: op.expand }));
}

/**
 * Plans by selection and variables, for fields the request's plan does not cover: within one
 * execution graphql-js hands every item of a list the same field nodes and variable values (a
 * cached document runs again with other variables, which may change whether an inline page answers).
 */
const planned = new WeakMap<readonly FieldNode[], WeakMap<object, Map<string, readonly string[]>>>();
const NO_VARIABLES = {};

/**
 * The `expand[]` paths for what the query selects under the field being resolved: none when the
 * operation takes no `expand[]` or the session does not fold. Read from the plan the request made
 * of its operation before executing it (src/schema/operation-plan.ts), which the session carries;
 * where it has none for this field (`node(id:)` and `_entities` plan for the type an id names),
 * the same walk plans the field's selection once and every parent that resolves it reuses it.
 */
export function expandFor(
  info: GraphQLResolveInfo,
  session: { readonly folds: boolean; readonly plans?: { current?: object | undefined } },
  op: { readonly expand: boolean },
  options: { connection?: boolean; typeName?: string } = {},
): readonly string[] {
  if (!op.expand || !session.folds) return [];
  const typeName = options.typeName ?? getNamedType(info.returnType).name;
  // The loaders carry the plan opaquely (src/loaders/session.ts): this module's own OperationPlan.
  const operation = session.plans?.current as OperationPlan | undefined;
  if (operation !== undefined && operation.operation === info.operation) {
    const expand = plannedExpand(operation, info.fieldNodes, typeName);
    if (expand) return expand;
  }
  const key = `${options.connection ? 'pages' : 'object'}:${typeName}`;
  let byVariables = planned.get(info.fieldNodes);
  if (!byVariables) {
    byVariables = new WeakMap();
    planned.set(info.fieldNodes, byVariables);
  }
  const variables = info.variableValues ?? NO_VARIABLES;
  let byKey = byVariables.get(variables);
  if (!byKey) {
    byKey = new Map();
    byVariables.set(variables, byKey);
  }
  let plan = byKey.get(key);
  if (!plan) {
    plan = planSelection({
      schema: info.schema,
      fragments: info.fragments,
      fieldNodes: info.fieldNodes,
      type: info.schema.getType(typeName) ?? getNamedType(info.returnType),
      variables: info.variableValues,
      ...(options.connection ? { connection: true } : {}),
    });
    byKey.set(key, plan);
  }
  return plan;
}
