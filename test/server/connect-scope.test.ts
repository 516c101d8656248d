/**
 * connectedAccount(id:) without Stripe: loaders that record which account each read goes through
 * and never expand anything, so that nested references really are loaded below the scope.
 */
import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fillPath, type GetRequest, type Loaders } from '../../src/loaders/loaders.ts';
import type { GatewayContext } from '../../src/schema/context.ts';
import { sharedSchema } from './harness.ts';

type Read = [account: string, path: string];

function recordingLoaders(account: string, reads: Read[]): Loaders {
  const get = async <T>(request: GetRequest): Promise<T> => {
    const path = fillPath(request.path, request.pathParams);
    reads.push([account, path]);
    const id = path.split('/').pop()!;
    if (path.startsWith('/v1/customers/')) {
      return { id, object: 'customer', name: `${id} via ${account}`, created: 1, livemode: false } as T;
    }
    if (path === '/v1/charges') {
      const charge = { id: `ch_${account}`, object: 'charge', amount: 100, customer: `cus_of_${account}` };
      return { object: 'list', data: [charge], has_more: false, url: '/v1/charges' } as T;
    }
    throw new Error(`unexpected read ${path}`);
  };
  return {
    stripeAccount: account === 'platform' ? undefined : account,
    get,
    page: get,
    prime: () => {},
    upstreamCalls: 0,
    calls: [],
  } as Loaders;
}

function contextFor(reads: Read[], withLoadersFor = true): GatewayContext {
  const byAccount = new Map<string, Loaders>();
  return {
    loaders: recordingLoaders('platform', reads),
    ...(withLoadersFor
      ? {
          loadersFor: (account: string) => {
            let loaders = byAccount.get(account);
            if (!loaders) {
              loaders = recordingLoaders(account, reads);
              byAccount.set(account, loaders);
            }
            return loaders;
          },
        }
      : {}),
  };
}

const QUERY = parse(`{
  charges { nodes { customer { ... on Customer { name } } } }
  a: connectedAccount(id: "acct_A") {
    stripeAccount
    charges { nodes { customer { ... on Customer { name } } } }
  }
  b: connectedAccount(id: "acct_B") {
    charges { edges { node { customer { ... on Customer { name } } } } }
  }
}`);

describe('connectedAccount scoping', () => {
  it('sends every read below a scope, nested references included, through that account', async () => {
    const reads: Read[] = [];
    const result = await execute({
      schema: sharedSchema().schema,
      document: QUERY,
      contextValue: contextFor(reads),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      charges: { nodes: [{ customer: { name: 'cus_of_platform via platform' } }] },
      a: {
        stripeAccount: 'acct_A',
        charges: { nodes: [{ customer: { name: 'cus_of_acct_A via acct_A' } }] },
      },
      b: { charges: { edges: [{ node: { customer: { name: 'cus_of_acct_B via acct_B' } } }] } },
    });
    expect([...reads].sort()).toEqual(
      [
        ['platform', '/v1/charges'],
        ['platform', '/v1/customers/cus_of_platform'],
        ['acct_A', '/v1/charges'],
        ['acct_A', '/v1/customers/cus_of_acct_A'],
        ['acct_B', '/v1/charges'],
        ['acct_B', '/v1/customers/cus_of_acct_B'],
      ].sort(),
    );
  });

  it('answers CONNECT_UNAVAILABLE when the context cannot make scoped loaders', async () => {
    const result = await execute({
      schema: sharedSchema().schema,
      document: parse('{ connectedAccount(id: "acct_A") { stripeAccount } }'),
      contextValue: contextFor([], false),
    });
    expect(result.data).toEqual({ connectedAccount: null });
    expect(result.errors?.[0]?.extensions?.code).toBe('CONNECT_UNAVAILABLE');
  });
});
