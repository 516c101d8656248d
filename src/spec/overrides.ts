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
 * Relation edges (src/spec/relations.ts) by `parent.operationId`: `null` drops an edge that another
 * edge already serves; `{ field }` names it; `inline` names the parent's property that embeds its
 * first page when that is not the list's own name.
 */
export const relationOverrides: Record<string, { field: string; inline?: string } | null> = {
  // GET /v1/accounts/{account}/people is the older alias of …/persons: same objects.
  'account.GetAccountsAccountPeople': null,
  // GET /v1/linked_accounts/… is the older alias of /v1/financial_connections/accounts/….
  'financial_connections.account.GetLinkedAccountsAccountOwners': null,
  // A customer's payment methods are served by the nested list (it checks the customer exists).
  'customer.GetPaymentMethods': null,
  // Both list a customer's subscriptions; the top-level list takes more filters.
  'customer.GetCustomersCustomerSubscriptions': null,
  // Both list a charge's refunds; the nested list is the one the charge's inline `refunds` pages.
  'charge.GetRefunds': null,
  // Stripe's subscription embeds its items as `items`, and its docs call the list that.
  'subscription.GetSubscriptionItems': { field: 'items', inline: 'items' },
  // `invoiceitems` is one word on the wire; GraphQL reads it as two.
  'customer.GetInvoiceitems': { field: 'invoiceItems' },
  'invoice.GetInvoiceitems': { field: 'invoiceItems' },
  // `sessions` alone does not say which product's sessions these are.
  'customer.GetCheckoutSessions': { field: 'checkoutSessions' },
  'payment_intent.GetCheckoutSessions': { field: 'checkoutSessions' },
  'payment_link.GetCheckoutSessions': { field: 'checkoutSessions' },
  'subscription.GetCheckoutSessions': { field: 'checkoutSessions' },
  // These embed every balance transaction of theirs as an array: the filtered list adds nothing.
  'dispute.GetBalanceTransactions': null,
  'issuing.authorization.GetBalanceTransactions': null,
  'issuing.dispute.GetBalanceTransactions': null,
};

/**
 * GraphQL field names of properties, by `schema.property`, where a relation takes the property's
 * name (the relation keeps the name Stripe's docs use for the list).
 */
export const propertyNameOverrides: Record<string, string> = {
  // `account.capabilities` is a hash of capability → status; `Account.capabilities` is the list.
  'account.capabilities': 'capabilityStatuses',
};

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
