/** The per-request GraphQL context shared by resolvers, sessions and the server. */
import { ownerOf, type UpstreamSession } from '../loaders/session.ts';
import type { LiveContext } from './subscriptions.ts';

export interface GatewayContext {
  /** the request's upstream session (src/loaders/session.ts): the default for objects of no session */
  session: UpstreamSession;
  /**
   * The session acting as another connected account, for `connectedAccount(id:)`
   * (src/schema/connect.ts); one per account and request. Absent: that field answers
   * CONNECT_UNAVAILABLE.
   */
  sessionFor?: (stripeAccount: string) => UpstreamSession;
  /**
   * The session acting as the platform itself (no Stripe-Account), for what a connected account's
   * object names on the platform (src/schema/plans.ts, OTHER_ACCOUNT_REFERENCES) when the request
   * acts as that account (`Stripe-Account`); undefined when the caller is bound to a connected
   * account and may not act as the platform. Absent: only a request acting as the platform reads it.
   */
  platformSession?: () => UpstreamSession | undefined;
  /** Stripe's events, for subscriptions (src/schema/subscriptions.ts). Absent: LIVE_UNAVAILABLE. */
  live?: LiveContext;
  /** The request's logger, where the server gives one (src/server/request-context.ts). */
  logger?: { warn(msg: string, fields?: Record<string, unknown>): void };
}

/** The session a field resolves through: its parent's, else the request's. */
export function sessionOf(ctx: GatewayContext, parent: unknown): UpstreamSession {
  return ownerOf(parent) ?? ctx.session;
}
