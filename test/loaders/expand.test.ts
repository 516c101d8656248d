import { execute, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { UpstreamSession } from '../../src/loaders/session.ts';
import type { RestClient, RestRequest } from '../../src/rest/client.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { type Harness, startHarness } from '../server/harness.ts';

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

describe('the plan made before execution, read by the resolvers (gateway and emulator)', () => {
  let h: Harness;
  /** Every upstream request: path template, expand[] and limit. */
  const sent: { path: string; expand: readonly string[]; limit?: unknown }[] = [];
  beforeAll(async () => {
    h = await startHarness(
      { LOG_LEVEL: 'silent' },
      {
        wrapRest: (rest) => ({
          request<T>(request: RestRequest): Promise<T> {
            const params = request.params as { limit?: unknown; expand?: string[] } | undefined;
            sent.push({
              path: request.path,
              // A list's expand[] rides in its parameters.
              expand: request.expand ?? params?.expand ?? [],
              ...(params?.limit === undefined ? {} : { limit: params.limit }),
            });
            return rest.request<T>(request);
          },
          list: (request) => rest.list(request),
          close: () => rest.close(),
        }),
      },
    );
  });
  afterAll(() => h.close());

  async function run(query: string, variables: Record<string, unknown> = {}) {
    sent.length = 0;
    h.upstreamCalls();
    const { body } = await h.query(query, { variables });
    const cost = body.extensions?.cost as { estimatedUpstreamCalls: number } | undefined;
    return { body, sent: [...sent], actual: h.upstreamCalls(), estimated: cost?.estimatedUpstreamCalls };
  }

  it('reads a reversal’s balance transaction in the transfers’ own request', async () => {
    const query =
      'query ($a: ID) { transfers(destination: $a, first: 100) { nodes { reversals { nodes { balanceTransaction { id } } } } } }';
    const r = await run(query, { a: SEED.connected.account });
    expect(r.body.errors).toBeUndefined();
    expect(r.sent).toEqual([
      { path: '/v1/transfers', expand: ['data.reversals.data.balance_transaction'], limit: 100 },
    ]);
    const transfers = r.body.data?.transfers as { nodes: { reversals: { nodes: unknown[] } }[] } | undefined;
    const reversals = transfers?.nodes.flatMap((t) => t.reversals.nodes) ?? [];
    expect(reversals.length).toBeGreaterThan(0);
    expect(reversals).toContainEqual({ balanceTransaction: { id: expect.stringMatching(/^txn_/) } });
    expect(r.actual).toBe(1);
    expect(r.estimated).toBe(1);
    // The second run executes the compiled document (graphql-jit): the same request.
    const again = await run(query, { a: SEED.connected.account });
    expect(again.sent).toEqual(r.sent);
    expect(again.body.data).toEqual(r.body.data);
  });

  it('lists the sources past the embedded page without also asking the customer for them', async () => {
    const r = await run(
      'query ($c: ID!) { customer(id: $c) { sources(first: 50) { nodes { __typename } } } }',
      {
        c: SEED.jenny.customer,
      },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.sent).toEqual([
      { path: '/v1/customers/{customer}', expand: [] },
      { path: '/v1/customers/{customer}/sources', expand: [], limit: 50 },
    ]);
    expect(r.estimated).toBe(2);
    // Within the embedded page: one call.
    const inline = await run(
      'query ($c: ID!) { customer(id: $c) { sources(first: 5) { nodes { __typename } } } }',
      {
        c: SEED.jenny.customer,
      },
    );
    expect(inline.sent).toEqual([{ path: '/v1/customers/{customer}', expand: ['sources'] }]);
    expect(inline.estimated).toBe(1);
  });
});
