/**
 * The README's client guide, run: Apollo Client set up from the generated client/cache-config.json
 * (src/client/policies.ts) pages a connection with `fetchMore`, keeping `nodes` and `edges` in step,
 * and reads `node(id:)` fragments back from its cache (which needs `possibleTypes`), with no console
 * warnings.
 */
import { readFileSync } from 'node:fs';
import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheConfig } from '../../src/client/config.ts';
import { apolloCacheOptions } from '../../src/client/policies.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { CACHE_CONFIG_FILE } from '../../src/schema/print.ts';
import { type Harness, startHarness } from '../server/harness.ts';
import { captureWarnings, gatewayLink } from './client-helpers.ts';

const config = JSON.parse(readFileSync(CACHE_CONFIG_FILE, 'utf8')) as CacheConfig;

let h: Harness;
const warnings = captureWarnings();
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const client = () =>
  new ApolloClient({ cache: new InMemoryCache(apolloCacheOptions(config)), link: gatewayLink(() => h) });

interface Page {
  customers: {
    nodes: { id: string }[];
    edges: { cursor: string; node: { id: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const CUSTOMERS = gql`
  query CustomersPage($after: String) {
    customers(first: 2, after: $after) {
      nodes { id email }
      edges { cursor node { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

describe('Apollo Client with the generated cache options', () => {
  it('pages as fetchMore does: nodes and edges grow together, pageInfo moves to the end', async () => {
    const apollo = client();
    // What `fetchMore` does: the next page is written into the same cache entry (the paging
    // arguments are not part of its key), where the field policy appends it.
    const first = await apollo.query<Page>({ query: CUSTOMERS });
    expect(first.data?.customers.nodes).toHaveLength(2);
    await apollo.query<Page>({
      query: CUSTOMERS,
      variables: { after: first.data!.customers.pageInfo.endCursor },
      fetchPolicy: 'network-only',
    });
    const merged = apollo.readQuery<Page>({ query: CUSTOMERS })!.customers;
    const ids = merged.nodes.map((n) => n.id);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    expect(merged.edges.map((e) => e.node.id)).toEqual(ids);
    expect(merged.edges.map((e) => e.cursor)).toEqual(ids);
    expect(merged.pageInfo.endCursor).toBe(ids[3]);
    // The same as asking for four at once.
    const four = await h.query('{ customers(first: 4) { nodes { id } } }');
    expect((four.body.data!.customers as { nodes: { id: string }[] }).nodes.map((n) => n.id)).toEqual(ids);
    expect(warnings).toEqual([]);
  });

  it('reads node(id:) fragments back from the cache (possibleTypes)', async () => {
    const apollo = client();
    const NODE = gql`
      fragment CustomerEmail on Customer { email }
      query Node($id: ID!) { node(id: $id) { id ...CustomerEmail } }
    `;
    const result = await apollo.query<{ node: { id: string; email: string } }>({
      query: NODE,
      variables: { id: SEED.jenny.customer },
    });
    expect(result.data?.node).toMatchObject({ id: SEED.jenny.customer, email: SEED.jenny.email });
    const cached = apollo.readQuery<{ node: { email: string } }>({
      query: NODE,
      variables: { id: SEED.jenny.customer },
    });
    expect(cached?.node.email).toBe(SEED.jenny.email);
    expect(warnings).toEqual([]);
  });
});
