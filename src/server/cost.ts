/**
 * The upstream-call estimate of an operation, from its shape alone, before anything runs. It is
 * one product of the walk that also plans every call's `expand[]` (src/schema/operation-plan.ts),
 * so a field is counted as folded exactly where its fetching ancestor's request folds it: the
 * estimate is an upper bound by construction (test/server/estimate-bound.test.ts checks it on
 * random queries).
 */
import { type CostEstimate, planOperation } from '../schema/operation-plan.ts';

export type { CostEstimate, PageSizeUse } from '../schema/operation-plan.ts';

/**
 * The estimate for one operation, with `planOperation`'s arguments (coerced `variables`; fields
 * with invalid arguments are still counted, with their defaults).
 */
export const estimateCost = (...args: Parameters<typeof planOperation>): CostEstimate =>
  planOperation(...args).estimate;
