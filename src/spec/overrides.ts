/**
 * Hand-settled naming decisions the spec cannot make for us. Every entry says why.
 * The generator fails on any clash that is not settled here (it never appends a number).
 */

/**
 * GraphQL type names by schema name (component name, or `parent.field` path for inline schemas).
 * Keys are the model's schema names; values the GraphQL names to use instead of the derived ones.
 */
export const typeNameOverrides: Record<string, string> = {
  // Unions are named by what they are, not by joining their members: a customer's payment source
  // (`Customer.defaultSource`, `Customer.sources`) is a bank account, a card or a source; the wider
  // `PaymentSource` (the polymorphic resource) also admits an Account.
  bank_account_or_card_or_source: 'CustomerPaymentSource',
  // Names over 60 characters (src/spec/naming.ts, TYPE_NAME_LIMIT) that the rules leave too long,
  // named after where Stripe's docs place them, in the product's own words:
  // Checkout's module is `payment_pages`; a Checkout Session's `saved_payment_method_options` are the
  // saved payment methods' settings.
  'payment_pages_checkout_session_payment_method_reuse_agreement.position':
    'CheckoutSessionPaymentMethodReuseAgreementPosition',
  'payment_pages_checkout_session_saved_payment_method_options.allow_redisplay_filters':
    'CheckoutSessionSavedPaymentMethodAllowRedisplayFilters',
  // Tax's module is `tax_product`; the resource is the tax registration.
  'tax_product_registrations_resource_country_options_eu_standard.place_of_supply_scheme':
    'TaxRegistrationCountryOptionsEuStandardPlaceOfSupplyScheme',
  // `funding_instructions.bank_transfer.financial_addresses[].supported_networks`
  'funding_instructions_bank_transfer_financial_address.supported_networks':
    'FundingInstructionsFinancialAddressSupportedNetworks',
  // A financial account feature's toggle (`features.card_issuing.status_details[]`).
  'treasury_financial_accounts_resource_toggles_setting_status_details.restriction':
    'TreasuryFinancialAccountToggleStatusDetailsRestriction',
  'treasury_financial_accounts_resource_toggles_setting_status_details.resolution':
    'TreasuryFinancialAccountToggleStatusDetailsResolution',
};

/**
 * Input object and enum names (src/spec/inputs.ts), by the name the rules derive for a parameter
 * (`<Resource><path>Input`, or the output type's name + `Input`) → the name to use instead. An
 * override must still fit every use (name the use's resource, or be the output type at that path):
 * the generator refuses one that does not.
 */
export const inputTypeNameOverrides: Record<string, string> = {
  // An account's `external_account` (src/spec/widenings.ts) has another shape on create than on
  // update, so create's takes the verb's name, which is the body of `createAccountExternalAccount`.
  CreateAccountExternalAccountInput: 'AccountExternalAccountOnCreateInput',
};

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
  // Likewise a file's links, a value list's items and a Treasury transaction's entries: the
  // embedded first page and the list by parent are one field, named as Stripe embeds it.
  'file.GetFileLinks': { field: 'links', inline: 'links' },
  'radar.value_list.GetRadarValueListItems': { field: 'listItems', inline: 'list_items' },
  'treasury.transaction.GetTreasuryTransactionEntries': { field: 'entries', inline: 'entries' },
  // `invoiceitems` is one word on the wire; GraphQL reads it as two.
  'customer.GetInvoiceitems': { field: 'invoiceItems' },
  'invoice.GetInvoiceitems': { field: 'invoiceItems' },
  // `sessions` alone does not say which product's sessions these are.
  'customer.GetCheckoutSessions': { field: 'checkoutSessions' },
  'payment_intent.GetCheckoutSessions': { field: 'checkoutSessions' },
  'payment_link.GetCheckoutSessions': { field: 'checkoutSessions' },
  'subscription.GetCheckoutSessions': { field: 'checkoutSessions' },
};

/**
 * GraphQL field names of properties, by `schema.property`, where a relation takes the property's
 * name (the relation keeps the name Stripe's docs use for the list).
 */
export const propertyNameOverrides: Record<string, string> = {
  // `account.capabilities` is a hash of capability → status; `Account.capabilities` is the list.
  'account.capabilities': 'capabilityStatuses',
  // The country options are keyed by ISO code, and Indonesia's is `id`: a field named `id` that holds
  // an object breaks every client cache (Apollo and Relay read `id` as the object's identity).
  'tax_product_registrations_resource_country_options.id': 'indonesia',
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
