/**
 * The one list of spec properties and schemas that have no GraphQL field or type of their own, each
 * with its reason. The coverage test fails on anything missing that is not listed here, and on any
 * entry here that is no longer needed.
 */
export interface Exclusion {
  /** component schema name (or `component.property`) */
  schema: string;
  reason: string;
}

export const exclusions: Exclusion[] = [];
