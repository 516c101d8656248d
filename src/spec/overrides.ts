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
 * GraphQL reserves `Query`, `Mutation` and `Subscription` for the root types (graphql-js and every
 * tool read a type of that name as the root). A Stripe object whose derived name is one of them
 * takes the prefix `Stripe`: the `subscription` resource is `StripeSubscription`. Its root fields keep
 * the resource's name (`subscription(id:)`, `subscriptions`).
 */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set(['Query', 'Mutation', 'Subscription']);
export const RESERVED_TYPE_PREFIX = 'Stripe';

/** The GraphQL type name of a schema: its override, else the derived name, off the reserved names. */
export function settleTypeName(schemaName: string, derived: string): string {
  const named = typeNameOverrides[schemaName] ?? derived;
  return RESERVED_TYPE_NAMES.has(named) ? `${RESERVED_TYPE_PREFIX}${named}` : named;
}

/**
 * Root query field names by operation id, where the derived camelCase name clashes with another
 * operation's or reads badly.
 */
export const rootFieldOverrides: Record<string, string> = {};

/**
 * Mutation names by operation id, where the name derived from the path (verb + nouns, see
 * src/schema/mutations.ts) clashes with another operation's or misreads what the call does.
 *
 * | operation | name | why |
 * | --- | --- | --- |
 * | DeleteSubscriptionsSubscriptionExposedId | cancelSubscription | `DELETE /v1/subscriptions/{id}` cancels: the subscription stays, `status: canceled` |
 * | DeleteCustomersCustomerSubscriptionsSubscriptionExposedId | cancelCustomerSubscription | the same, under the customer |
 * | PostAccountsAccountPeople, …PeoplePerson, DeleteAccountsAccountPeoplePerson | createAccountPeople, updateAccountPeople, deleteAccountPeople | `/people` is the older alias of `/persons` (createAccountPerson, …): both exist, the alias keeps its path's word |
 */
export const mutationNameOverrides: Record<string, string> = {
  DeleteSubscriptionsSubscriptionExposedId: 'cancelSubscription',
  DeleteCustomersCustomerSubscriptionsSubscriptionExposedId: 'cancelCustomerSubscription',
  PostAccountsAccountPeople: 'createAccountPeople',
  PostAccountsAccountPeoplePerson: 'updateAccountPeople',
  DeleteAccountsAccountPeoplePerson: 'deleteAccountPeople',
};
