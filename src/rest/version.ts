/**
 * The Stripe API version every request is pinned to. The generated schema, the emulator and the
 * GraphQL types are all built from the OpenAPI spec of this version, so the wire must match it
 * regardless of the account's default version.
 */
export { STRIPE_API_VERSION } from '../spec/stripe.ts';
