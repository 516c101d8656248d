/** The GraphQL context the server builds for each request: the schema's, plus request tracking. */
import type { GatewayContext } from '../schema/context.ts';
import type { Logger } from './logger.ts';
import type { Credential } from './revocation.ts';

export interface ServerContext extends GatewayContext {
  /** `x-request-id` of the request (taken from the client when well-formed, else generated) */
  requestId: string;
  /** the gateway's logger with `requestId` on every line */
  logger: Logger;
  /** when the caller's credential expires (epoch ms; a JWT's `exp`): subscriptions end then */
  expiresAt?: number;
  /** the caller's token, for the revocation list (AUTH_MODE=jwt): subscriptions end when it is revoked */
  credential?: Credential;
  /** Stripe calls made so far by this request, over every account it acted as */
  upstreamCalls(): number;
}
