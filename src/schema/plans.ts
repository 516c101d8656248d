/**
 * Fetch plans: each field that calls Stripe declares once, in `extensions.stripePlan`, what it
 * fetches — the operation, one object or pages, and what its parent's request can fold into
 * `expand[]` instead — and the resolver, the cost estimator and the expand planner read that plan.
 */
import { type FieldNode, type GraphQLResolveInfo, getNamedType } from 'graphql';
import { planExpand } from '../loaders/expand.ts';
import type { Operation } from '../spec/types.ts';
import { previewMark } from './preview.ts';
import type { TypeRegistry } from './registry.ts';

export interface FetchPlan {
  /** the operation id (or `node`, which picks a retrieve per id) */
  operation: string;
  /** `object`: one GET per parent; `pages`: a connection, one GET per page of up to 100 */
  shape: 'object' | 'pages';
  /**
   * The parent's wire property this field reads when the parent's request expanded it: selected
   * under a fetching field, within Stripe's expand depth, it costs no call of its own.
   */
  fold?: string;
  /** the operation takes `expand[]`, so what is selected below can be folded into it */
  expand?: boolean;
  /**
   * Reads of many parents share list calls (`GET /v1/products?ids[]=…`, a page of 100 ids each):
   * the session batches by-id reads of a resource whose list filters by `ids[]`.
   */
  batch?: boolean;
  /**
   * The object lives on another account than its parent, named by this parent property
   * (`transfer.destination_payment` is a payment on the transfer's `destination`): it is read
   * through that account's session, one call per parent, and never folded (Stripe does not expand
   * across accounts).
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

/**
 * References whose object lives on another account than the object holding them: Stripe type →
 * wire property → the property of that object naming the account. Stripe's spec does not say
 * where an object lives; these are the references Connect documents as the connected account's:
 * the payment a transfer created on its destination, and the charge on the connected account an
 * application fee came from. (`transfer_reversal.destination_payment_refund` lives on the
 * transfer's destination too, which the reversal does not name: it is read on the reversal's own
 * account and answers NOT_FOUND from the platform.)
 */
export const OTHER_ACCOUNT_REFERENCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  transfer: { destination_payment: 'destination' },
  application_fee: { originating_transaction: 'account' },
};

/** Extensions for a field that calls Stripe: the plan, and the cost figure the estimator reads. */
export function planExtensions(plan: FetchPlan): Record<string, unknown> {
  return {
    stripePlan: plan,
    stripeCost: plan.shape === 'pages' ? { paged: true } : { calls: 1 },
  };
}

/** The extensions and preview mark of a field that reads or writes through `op`. */
export function operationFieldOptions(
  op: Pick<Operation, 'id' | 'expand' | 'preview'>,
  shape: FetchPlan['shape'],
): ReturnType<typeof previewMark> {
  return previewMark(op.preview, undefined, planExtensions({ operation: op.id, shape, expand: op.expand }));
}

/**
 * Plans by selection and variables: within one execution graphql-js hands every item of a list the
 * same field nodes and variable values (a cached document runs again with other variables, which
 * may change whether an inline page answers).
 */
const planned = new WeakMap<readonly FieldNode[], WeakMap<object, Map<string, readonly string[]>>>();
const NO_VARIABLES = {};

/**
 * The `expand[]` paths for what the query selects under the field being resolved: none when the
 * operation takes no `expand[]` or the session does not fold. Planned once per selection and
 * reused for every parent that resolves it (a relation under 100 list items plans once).
 */
export function expandFor(
  registry: TypeRegistry,
  info: GraphQLResolveInfo,
  session: { readonly folds: boolean },
  op: { readonly expand: boolean },
  options: { connection?: boolean; typeName?: string } = {},
): readonly string[] {
  if (!op.expand || !session.folds) return [];
  const key = `${options.connection ? 'pages' : 'object'}:${options.typeName ?? ''}`;
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
    plan = Object.freeze(
      planExpand({
        schema: info.schema,
        fragments: info.fragments,
        fieldNodes: info.fieldNodes,
        type: (options.typeName && info.schema.getType(options.typeName)) || getNamedType(info.returnType),
        wireFields: registry.wireFields,
        variables: info.variableValues,
        ...(options.connection ? { connection: true } : {}),
      }),
    );
    byKey.set(key, plan);
  }
  return plan;
}
