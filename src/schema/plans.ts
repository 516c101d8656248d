/**
 * Fetch plans: each field that calls Stripe declares once, in `extensions.stripePlan`, what it
 * fetches — the operation, one object or pages, and what its parent's request can fold into
 * `expand[]` instead — and the resolver, the cost estimator and the expand planner read that plan.
 */
import { type GraphQLResolveInfo, getNamedType } from 'graphql';
import { planExpand } from '../loaders/expand.ts';
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
}

/** Extensions for a field that calls Stripe: the plan, and the cost figure the estimator reads. */
export function planExtensions(plan: FetchPlan): Record<string, unknown> {
  return {
    stripePlan: plan,
    stripeCost: plan.shape === 'pages' ? { paged: true } : { calls: 1 },
  };
}

/** The `expand[]` paths for what the query selects under the field being resolved. */
export function expandFor(
  registry: TypeRegistry,
  info: GraphQLResolveInfo,
  connection = false,
  typeName?: string,
): string[] {
  return planExpand({
    schema: info.schema,
    fragments: info.fragments,
    fieldNodes: info.fieldNodes,
    type: (typeName && info.schema.getType(typeName)) || getNamedType(info.returnType),
    wireFields: registry.wireFields,
    connection,
  });
}
