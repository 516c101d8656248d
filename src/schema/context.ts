/** The per-request GraphQL context shared by resolvers, loaders and the server. */
import type { Loaders } from '../loaders/loaders.ts';

export interface GatewayContext {
  /** per-request loaders over the REST client (src/loaders) */
  loaders: Loaders;
}
