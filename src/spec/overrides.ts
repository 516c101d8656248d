/**
 * Hand-settled naming decisions the spec cannot make for us. Every entry says why.
 * The generator fails on any clash that is not settled here (it never appends a number).
 */

/**
 * GraphQL type names by schema name (component name, or `parent.field` path for inline schemas).
 * Keys are the model's schema names; values the GraphQL names to use instead of the derived ones.
 */
export const typeNameOverrides: Record<string, string> = {};

/**
 * Root query field names by operation id, where the derived camelCase name clashes with another
 * operation's or reads badly.
 */
export const rootFieldOverrides: Record<string, string> = {};
