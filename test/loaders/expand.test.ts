import { execute, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { UpstreamSession } from '../../src/loaders/session.ts';
import type { RestClient, RestRequest } from '../../src/rest/client.ts';
import { buildSchema } from '../../src/schema/index.ts';

const { schema, index } = buildSchema({ descriptions: false });

/** A REST client that answers from canned objects and records what it was asked. */
function fakeRest(answer: (request: RestRequest) => unknown) {
  const requests: RestRequest[] = [];
  const rest: RestClient = {
    async request<T>(request: RestRequest) {
      requests.push(request);
      return answer(request) as T;
    },
    // biome-ignore lint/correctness/useYield: not used by these tests
    async *list() {
      throw new Error('not used');
    },
    async close() {},
  };
  return { rest, requests };
}

const customer = (id: string) => ({
  id,
  object: 'customer',
  created: 1,
  livemode: false,
  email: `${id}@example.com`,
});
const charge = (id: string, customerId: string) => ({
  id,
  object: 'charge',
  amount: 1000,
  created: 1,
  livemode: false,
  customer: customerId,
});

async function run(query: string, answer: (request: RestRequest) => unknown) {
  const { rest, requests } = fakeRest(answer);
  const loaders = new UpstreamSession({ rest, retrievePathOf: index.retrievePathOf });
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  const result = await execute({ schema, document, contextValue: { session: loaders } });
  return { result, requests, loaders };
}

describe('expand folding', () => {
  it('folds the references a list query selects into one request with data.x', async () => {
    const { result, requests } = await run(
      '{ charges(first: 2) { nodes { id customer { ... on Customer { email } } } } }',
      (request) => {
        expect((request.params as { expand?: string[] }).expand).toEqual(['data.customer']);
        return {
          object: 'list',
          url: '/v1/charges',
          has_more: false,
          data: [
            { ...charge('ch_1', 'cus_1'), customer: customer('cus_1') },
            { ...charge('ch_2', 'cus_2'), customer: customer('cus_2') },
          ],
        };
      },
    );
    expect(result.errors).toBeUndefined();
    expect(requests).toHaveLength(1);
    expect(result.data).toEqual({
      charges: {
        nodes: [
          { id: 'ch_1', customer: { email: 'cus_1@example.com' } },
          { id: 'ch_2', customer: { email: 'cus_2@example.com' } },
        ],
      },
    });
  });

  it('expands through fragments and nested references, up to four levels', async () => {
    const { requests } = await run(
      `query { charge(id: "ch_1") { ...C invoice { subscription { latestInvoice { customer { __typename } } } } } }
       fragment C on Charge { customer { ... on Customer { email } } }`.replace(
        '__typename',
        '... on Customer { testClock { id } }',
      ),
      () => charge('ch_1', 'cus_1'),
    );
    expect(requests[0]!.expand).toEqual([
      'customer',
      'invoice',
      'invoice.subscription',
      'invoice.subscription.latest_invoice',
      'invoice.subscription.latest_invoice.customer',
    ]);
  });

  it('asks for no expansion when only ids are selected', async () => {
    const { requests } = await run('{ charge(id: "ch_1") { id customerId } }', () => charge('ch_1', 'cus_1'));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.expand ?? []).toEqual([]);
  });
});

describe('loaders', () => {
  it('de-duplicates identical reads within a request and caches them', async () => {
    const { result, requests, loaders } = await run(
      '{ a: customer(id: "cus_1") { email } b: customer(id: "cus_1") { email } c: customer(id: "cus_2") { id } }',
      (request) => customer(String(request.pathParams?.customer)),
    );
    expect(result.errors).toBeUndefined();
    expect(requests.map((r) => `${r.path} ${r.pathParams?.customer}`).sort()).toEqual([
      '/v1/customers/{customer} cus_1',
      '/v1/customers/{customer} cus_2',
    ]);
    expect(loaders.upstreamCalls).toBe(2);
  });

  it('primes list items so that a later read of one costs no call', async () => {
    const { rest, requests } = fakeRest((request) =>
      request.path === '/v1/customers'
        ? {
            object: 'list',
            url: '/v1/customers',
            has_more: false,
            data: [customer('cus_1'), customer('cus_2')],
          }
        : customer('cus_x'),
    );
    const loaders = new UpstreamSession({ rest, retrievePathOf: index.retrievePathOf });
    await loaders.page({ path: '/v1/customers', params: { limit: 10 } });
    const again = await loaders.get<{ email: string }>({
      path: '/v1/customers/{customer}',
      pathParams: ['cus_2'],
    });
    expect(again.email).toBe('cus_2@example.com');
    expect(requests).toHaveLength(1);
  });

  it('returns an error per failed key without failing the others', async () => {
    const { result } = await run(
      '{ a: customer(id: "cus_1") { id } b: customer(id: "cus_missing") { id } }',
      (request) => {
        if (request.pathParams?.customer === 'cus_missing') throw new Error('boom');
        return customer('cus_1');
      },
    );
    expect(result.data).toEqual({ a: { id: 'cus_1' }, b: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.path).toEqual(['b']);
  });
});
