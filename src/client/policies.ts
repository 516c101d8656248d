/**
 * Client cache set-ups for this schema, from `client/cache-config.json` (src/client/config.ts):
 * Apollo Client's `possibleTypes` and `typePolicies` (connections paged with `nodes` and `edges`,
 * id-less types merged) and urql graphcache's `keys` and `possibleTypes`. Plain objects and
 * functions, no client library imported: `new InMemoryCache(apolloCacheOptions(config))`,
 * `cacheExchange(graphcacheOptions(config))`. The README's "Client caches" shows each in use.
 */
import type { FieldPolicy, InMemoryCacheConfig, TypePolicies } from '@apollo/client';
import type { CacheExchangeOpts } from '@urql/exchange-graphcache';
import type { CacheConfig } from './config.ts';

const PAGING = new Set(['first', 'after', 'last', 'before']);

interface Page {
  edges?: unknown[];
  nodes?: unknown[];
  pageInfo?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * An Apollo field policy for a connection: one cache entry per set of filters (the paging
 * arguments aside); a page fetched with `after` is appended to what is cached, in `nodes` and in
 * `edges` alike, and `pageInfo` moves to its end; a page without `after` starts the list again.
 * (`relayStylePagination` from `@apollo/client/utilities` keeps `edges` only.)
 */
export function connectionPolicy(): FieldPolicy<Page> {
  return {
    keyArgs: (args) =>
      Object.keys(args ?? {})
        .filter((name) => !PAGING.has(name))
        .sort(),
    merge(existing, incoming, { args }) {
      if (!existing || args?.after == null) return incoming;
      const merged: Page = { ...existing, ...incoming };
      if (incoming.nodes) merged.nodes = [...(existing.nodes ?? []), ...incoming.nodes];
      if (incoming.edges) merged.edges = [...(existing.edges ?? []), ...incoming.edges];
      if (incoming.pageInfo) {
        merged.pageInfo = {
          ...incoming.pageInfo,
          hasPreviousPage: existing.pageInfo?.hasPreviousPage ?? false,
          startCursor: existing.pageInfo?.startCursor ?? null,
        };
      }
      return merged;
    },
  };
}

/** `new InMemoryCache(apolloCacheOptions(config))`. */
export function apolloCacheOptions(config: CacheConfig): InMemoryCacheConfig {
  const typePolicies: TypePolicies = {};
  for (const name of config.embeddedTypes) typePolicies[name] = { merge: true };
  for (const [type, fields] of Object.entries(config.connectionFields)) {
    typePolicies[type] = {
      ...typePolicies[type],
      fields: Object.fromEntries(fields.map((field) => [field, connectionPolicy()])),
    };
  }
  return { possibleTypes: config.possibleTypes, typePolicies };
}

/** `cacheExchange(graphcacheOptions(config))`: id-less types are embedded in their parent. */
export function graphcacheOptions(config: CacheConfig): CacheExchangeOpts {
  return {
    possibleTypes: config.possibleTypes,
    keys: Object.fromEntries(config.embeddedTypes.map((name) => [name, () => null])),
  };
}
