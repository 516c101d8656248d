/**
 * Cache identity with real client caches against the emulator (src/schema/ids.ts): the platform's
 * coupon `SUMMER25` (25 % off) and a connected account's `SUMMER25` (50 % off) are two cache
 * entries, not one; a delete answers `deletedId`, so the deleted form never takes the live
 * object's identity, and the client evicts the live one by it. Apollo Client and urql graphcache,
 * set up from the generated client/cache-config.json with the helpers of src/client/policies.ts,
 * with no console warnings. (Relay: test/net/relay-cache.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { Client, fetchExchange, gql as urqlGql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheConfig } from '../../src/client/config.ts';
import { apolloCacheOptions, graphcacheOptions } from '../../src/client/policies.ts';
import { CACHE_CONFIG_FILE, printCacheConfig } from '../../src/schema/print.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';
import { addConnectedSummer25, CONNECTED, captureWarnings, gatewayLink } from './client-helpers.ts';

const config = JSON.parse(readFileSync(CACHE_CONFIG_FILE, 'utf8')) as CacheConfig;

const COUPONS = `query Coupons($account: ID!) {
  coupon(id: "SUMMER25") { id stripeId percentOff }
  connectedAccount(id: $account) { stripeAccount coupon(id: "SUMMER25") { id stripeId percentOff } }
}`;
const CUSTOMER = `query Customer($id: ID!) { customer(id: $id) { id email } }`;
const DELETE = `mutation Delete($id: ID!) { deleteCustomer(id: $id) { deletedId deleted } }`;

interface Coupons {
  coupon: { id: string; stripeId: string; percentOff: number };
  connectedAccount: { stripeAccount: string; coupon: { id: string; stripeId: string; percentOff: number } };
}

let h: Harness;
const warnings = captureWarnings();

beforeAll(async () => {
  h = await startHarness();
  await addConnectedSummer25(h);
});
afterAll(() => h.close());

const newCustomer = () =>
  h.admin.request<{ id: string }>({
    method: 'POST',
    path: '/v1/customers',
    params: { email: 'gone@example.com' },
  });

function expectTwoCoupons(data: Coupons | null | undefined) {
  expect(data?.coupon).toMatchObject({ id: 'SUMMER25', stripeId: 'SUMMER25', percentOff: 25 });
  expect(data?.connectedAccount.coupon).toMatchObject({
    id: `${CONNECTED}/SUMMER25`,
    stripeId: 'SUMMER25',
    percentOff: 50,
  });
}

describe('cache identity', () => {
  it('client/cache-config.json is what npm run schema:print writes', () => {
    expect(readFileSync(CACHE_CONFIG_FILE, 'utf8')).toBe(printCacheConfig(sharedSchema().schema));
  });

  it('the types whose ids the merchant chooses have an account-qualified id; deleted forms have deletedId', () => {
    const { schema } = sharedSchema();
    for (const name of ['Coupon', 'Plan', 'Product']) {
      const fields = (schema.getType(name) as { getFields(): Record<string, unknown> }).getFields();
      expect(Object.keys(fields), name).toEqual(expect.arrayContaining(['id', 'stripeId']));
    }
    const deleted = Object.values(schema.getTypeMap()).filter(
      (t) => t.name.startsWith('Deleted') && 'getFields' in t,
    );
    expect(deleted.length).toBeGreaterThan(10);
    for (const type of deleted) {
      const fields = (type as unknown as { getFields(): Record<string, unknown> }).getFields();
      if (!('deleted' in fields)) continue;
      expect(Object.keys(fields), type.name).toContain('deletedId');
      expect(Object.keys(fields), type.name).not.toContain('id');
    }
  });

  describe('Apollo Client', () => {
    const link = gatewayLink(() => h);
    const client = () => new ApolloClient({ cache: new InMemoryCache(apolloCacheOptions(config)), link });

    it('keeps two accounts’ SUMMER25 apart', async () => {
      const apollo = client();
      const result = await apollo.query<Coupons>({ query: gql(COUPONS), variables: { account: CONNECTED } });
      expectTwoCoupons(result.data);
      const cached = apollo.readQuery<Coupons>({ query: gql(COUPONS), variables: { account: CONNECTED } });
      expectTwoCoupons(cached);
      const keys = Object.keys(apollo.cache.extract() as object).filter((k) => k.startsWith('Coupon:'));
      expect(keys.sort()).toEqual(['Coupon:SUMMER25', `Coupon:${CONNECTED}/SUMMER25`]);
      expect(warnings).toEqual([]);
    });

    it('a delete followed by reads: the live customer is evicted by deletedId, the deleted form stored apart', async () => {
      const apollo = client();
      const { id } = await newCustomer();
      await apollo.query({ query: gql(CUSTOMER), variables: { id } });
      expect(apollo.cache.extract()).toHaveProperty(`Customer:${id}`);
      const deleted = await apollo.mutate<{ deleteCustomer: { deletedId: string; deleted: boolean } }>({
        mutation: gql(DELETE),
        variables: { id },
        update(cache, { data }) {
          const customer = cache.identify({ __typename: 'Customer', id: data!.deleteCustomer.deletedId });
          if (customer) cache.evict({ id: customer });
          cache.gc();
        },
      });
      expect(deleted.data?.deleteCustomer).toEqual({
        __typename: 'DeletedCustomer',
        deletedId: id,
        deleted: true,
      });
      const keys = Object.keys(apollo.cache.extract() as object);
      expect(keys).not.toContain(`Customer:${id}`);
      expect(keys.filter((k) => k.includes(id))).toEqual([]);
      const read = await apollo.query<{ customer: unknown }>({
        query: gql(CUSTOMER),
        variables: { id },
        fetchPolicy: 'network-only',
        errorPolicy: 'all',
      });
      expect(read.data?.customer ?? null).toBeNull();
      expect(read.error?.message).toMatch(/deleted/);
      expect(warnings).toEqual([]);
    });
  });

  describe('urql graphcache', () => {
    const client = () =>
      new Client({
        url: 'http://gateway.test/graphql',
        // urql sends queries as GET by default; the gateway's CSRF check refuses a GET without a
        // preflight header, so queries are POSTed (README, Client caches).
        preferGetMethod: false,
        fetch: (_url, init) => h.fetch('/graphql', init as RequestInit),
        exchanges: [
          cacheExchange({
            ...graphcacheOptions(config),
            updates: {
              Mutation: {
                deleteCustomer(result, _args, cache) {
                  const deleted = result.deleteCustomer as { deletedId: string };
                  cache.invalidate({ __typename: 'Customer', id: deleted.deletedId });
                },
              },
            },
          }),
          fetchExchange,
        ],
      });

    it('keeps two accounts’ SUMMER25 apart', async () => {
      const urql = client();
      const result = await urql.query<Coupons>(urqlGql(COUPONS), { account: CONNECTED }).toPromise();
      expect(result.error).toBeUndefined();
      expectTwoCoupons(result.data);
      const cached = urql.readQuery<Coupons>(urqlGql(COUPONS), { account: CONNECTED });
      expectTwoCoupons(cached?.data);
      expect(warnings).toEqual([]);
    });

    it('a delete followed by reads', async () => {
      const urql = client();
      const { id } = await newCustomer();
      const first = await urql.query(urqlGql(CUSTOMER), { id }).toPromise();
      expect(first.data?.customer).toMatchObject({ id });
      expect(urql.readQuery(urqlGql(CUSTOMER), { id })?.data?.customer).toMatchObject({ id });
      const deleted = await urql.mutation(urqlGql(DELETE), { id }).toPromise();
      expect(deleted.data?.deleteCustomer).toMatchObject({ deletedId: id, deleted: true });
      // The cached customer is gone: a cache-only read misses, and the next read asks the gateway.
      expect(urql.readQuery(urqlGql(CUSTOMER), { id })?.data ?? null).toBeNull();
      const again = await urql
        .query(urqlGql(CUSTOMER), { id }, { requestPolicy: 'network-only' })
        .toPromise();
      expect(again.error?.graphQLErrors[0]?.extensions.code).toBe('DELETED');
      expect(warnings).toEqual([]);
    });
  });
});
