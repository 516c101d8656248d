/**
 * Values a new object gets where the spec's type alone would pick a poor one: the status an object
 * starts in, the zero balances Stripe always returns. Keyed `schema.prop`; applied to optional props
 * too (so they are present, as Stripe sends them). Everything else comes from the model: see
 * `objects.ts`.
 */
import type { Json } from './json.ts';

export const PROP_DEFAULTS: Readonly<Record<string, Json>> = {
  'account.charges_enabled': true,
  'account.country': 'US',
  'account.default_currency': 'usd',
  'account.details_submitted': true,
  'account.payouts_enabled': true,
  'account.type': 'custom',
  'bank_account.status': 'new',
  'capability.status': 'inactive',
  'charge.status': 'succeeded',
  'checkout.session.status': 'open',
  'connect_account_reference.type': 'self',
  'customer.balance': 0,
  'customer.delinquent': false,
  'customer.next_invoice_sequence': 1,
  'customer.tax_exempt': 'none',
  'customer.preferred_locales': [],
  'dispute.status': 'needs_response',
  'identity.verification_session.status': 'requires_input',
  'invoice.auto_advance': true,
  'invoice.billing_reason': 'manual',
  'invoice.status': 'draft',
  'issuing.card.status': 'inactive',
  'issuing.cardholder.status': 'active',
  'payment_intent.amount_capturable': 0,
  'payment_intent.amount_received': 0,
  'payment_intent.capture_method': 'automatic',
  'payment_intent.confirmation_method': 'automatic',
  'payment_intent.payment_method_types': ['card'],
  'payment_intent.status': 'requires_payment_method',
  // Stripe's default: a link's one-time payment makes no Customer unless one is needed.
  'payment_link.customer_creation': 'if_required',
  'payout.method': 'standard',
  'payout.status': 'pending',
  'payout.type': 'bank_account',
  // Stripe's defaults (a portal's cancel cannot be `always_invoice`, the enum's first value).
  'portal_subscription_cancel.proration_behavior': 'none',
  'portal_subscription_update.proration_behavior': 'none',
  'price.billing_scheme': 'per_unit',
  'price.tax_behavior': 'unspecified',
  'price.type': 'one_time',
  'product.active': true,
  'product.type': 'service',
  'promotion_code.active': true,
  'quote.status': 'draft',
  'refund.status': 'succeeded',
  'setup_intent.status': 'requires_payment_method',
  'setup_intent.usage': 'off_session',
  'source.status': 'chargeable',
  'source.usage': 'reusable',
  'subscription.status': 'active',
  'subscription_schedule.status': 'not_started',
  'tax_rate.active': true,
  // Stripe Tax needs the head office before it calculates (rules/tax.ts `settingsStatus`).
  'tax.settings.status': 'pending',
  'tax.settings.status_details': { pending: { missing_fields: ['head_office'] } },
  'test_helpers.test_clock.status': 'ready',
  'topup.status': 'pending',
  'transfer.amount_reversed': 0,
  'transfer.reversed': false,
  'webhook_endpoint.status': 'enabled',
};

/** Boolean props whose name implies `true`: new prices, products, coupons are active or valid. */
export const NAMED_BOOL_DEFAULTS: Readonly<Record<string, boolean>> = {
  active: true,
  valid: true,
};

/** String props whose name implies a value better than `''`. */
export const NAMED_STRING_DEFAULTS: Readonly<Record<string, string>> = {
  country: 'US',
  currency: 'usd',
  default_currency: 'usd',
};
