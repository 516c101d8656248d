/** The per-request GraphQL context shared by resolvers, loaders and the server. */
import type { Loaders } from '../loaders/loaders.ts';
import type { LiveContext } from './subscriptions.ts';

export interface GatewayContext {
  /** per-request loaders over the REST client (src/loaders) */
  loaders: Loaders;
  /**
   * Loaders acting as another connected account, for `connectedAccount(id:)` (src/schema/connect.ts);
   * created once per account and request. Absent: that field answers CONNECT_UNAVAILABLE.
   */
  loadersFor?: (stripeAccount: string) => Loaders;
  /** Stripe's events, for subscriptions (src/schema/subscriptions.ts). Absent: LIVE_UNAVAILABLE. */
  live?: LiveContext;
}
