/**
 * connectedAccount(id:) without Stripe: sessions over a REST client that records which account each
 * read goes through and never expands anything, so that nested references really are loaded below the scope.
 */
import { execute, isObjectType, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { UpstreamSession } from '../../src/loaders/session.ts';
import type { RestClient } from '../../src/rest/client.ts';
import type { GatewayContext } from '../../src/schema/context.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { filledPath, recordingRest } from '../helpers.ts';
import { sharedSchema } from './harness.ts';

type Read = [account: string, path: string];

/** A REST client that records the account of every read and answers from a tiny fixed world. */
function recordingRestOf(reads: Read[]): RestClient {
  return recordingRest(undefined, (request) => {
    const account = request.stripeAccount ?? 'platform';
    const path = filledPath(request);
    reads.push([account, path]);
    const id = path.split('/').pop()!;
    if (path.startsWith('/v1/customers/')) {
      return { id, object: 'customer', name: `${id} via ${account}`, created: 1, livemode: false };
    }
    if (path === '/v1/charges') {
      const charge = { id: `ch_${account}`, object: 'charge', amount: 100, customer: `cus_of_${account}` };
      return { object: 'list', data: [charge], has_more: false, url: '/v1/charges' };
    }
    throw new Error(`unexpected read ${path}`);
  });
}

function contextFor(reads: Read[], withSessionFor = true): GatewayContext {
  const rest = recordingRestOf(reads);
  const byAccount = new Map<string, UpstreamSession>();
  return {
    session: new UpstreamSession({ rest }),
    ...(withSessionFor
      ? {
          sessionFor: (account: string) => {
            let session = byAccount.get(account);
            if (!session) {
              session = new UpstreamSession({ rest, stripeAccount: account });
              byAccount.set(account, session);
            }
            return session;
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

  it('scopes by where the data came from, not by any field annotation', async () => {
    // A copy of the schema with every field's extensions removed (as a field added without a cost
    // annotation would be) reads exactly as scoped as the original.
    const { schema } = buildSchema({ descriptions: false });
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        (field as { extensions: Record<string, unknown> }).extensions = {};
      }
    }
    const reads: Read[] = [];
    const result = await execute({ schema, document: QUERY, contextValue: contextFor(reads) });
    expect(result.errors).toBeUndefined();
    expect(reads.filter(([account]) => account === 'acct_B')).toEqual([
      ['acct_B', '/v1/charges'],
      ['acct_B', '/v1/customers/cus_of_acct_B'],
    ]);
  });

  it('answers CONNECT_UNAVAILABLE when the context cannot make scoped sessions', async () => {
    const result = await execute({
      schema: sharedSchema().schema,
      document: parse('{ connectedAccount(id: "acct_A") { stripeAccount } }'),
      contextValue: contextFor([], false),
    });
    expect(result.data).toEqual({ connectedAccount: null });
    expect(result.errors?.[0]?.extensions?.code).toBe('CONNECT_UNAVAILABLE');
  });
});
