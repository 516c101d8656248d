/**
 * The gateway as an Apollo Federation v2 subgraph, in process: subgraph.graphql is fresh, `_service`
 * answers the same SDL, and `_entities` reads representations through the request's sessions
 * (batched, de-duplicated, references folded into expand[], connected accounts by key).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { printSubgraphSDL, SUBGRAPH_FILE, withoutDescriptions } from '../../src/schema/print.ts';
import { type Harness, restOver, startHarness } from '../server/harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness.close();
});

const ENTITIES = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Customer { id email stripeAccount defaultSource { ... on Card { last4 } } }
      ... on PaymentIntent { id amount }
    }
  }
`;

async function entities(representations: Record<string, unknown>[]) {
  const response = await harness.query(ENTITIES, { variables: { representations } });
  return { ...response.body, calls: harness.upstreamCalls() };
}

/** An SDL's lines, sorted (arguments and directive locations too): any order compares equal. */
const sortedLines = (sdl: string) =>
  sdl
    .split('\n')
    .map((line) =>
      line.replace(/\(([^()]*)\)/, (_m, args: string) => `(${args.split(', ').sort().join(', ')})`),
    )
    .map((line) =>
      line.startsWith('directive ')
        ? line.replace(/ on (.*)$/, (_m, on: string) => ` on ${on.split(' | ').sort().join(' | ')}`)
        : line,
    )
    .sort();

describe('subgraph.graphql', async () => {
  const printed = await printSubgraphSDL();

  it('is fresh: npm run schema:print has been run after the last schema change', () => {
    // On failure: run `npm run schema:print` and commit subgraph.graphql.
    expect(readFileSync(SUBGRAPH_FILE, 'utf8') === printed).toBe(true);
  });

  it('links Federation v2, keys every retrievable resource by id and by id and account, and holds no descriptions', () => {
    expect(printed).toMatch(/^extend schema @link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/);
    for (const type of ['Customer', 'PaymentIntent', 'Charge', 'Product']) {
      expect(printed).toContain(
        `type ${type} implements Node @key(fields: "id stripeAccount") @key(fields: "id") {`,
      );
    }
    expect(printed).toContain('type PageInfo @shareable {');
    expect(printed).toContain('type CustomerConnection @shareable {');
    expect(printed).not.toContain('"""');
  });

  it('is what _service { sdl } answers, descriptions aside (the file also marks preview fields)', async () => {
    const response = await harness.query('{ _service { sdl } }');
    const service = response.body.data?._service as { sdl: string } | undefined;
    const served = withoutDescriptions(service?.sdl ?? '', harness.gateway.schema.schema);
    expect(sortedLines(served)).toEqual(sortedLines(printed));
    expect(harness.upstreamCalls()).toBe(0);
  });
});

describe('_entities', () => {
  it('reads each distinct entity once, in the order asked, in one batch', async () => {
    const result = await entities([
      { __typename: 'Customer', id: SEED.jenny.customer },
      { __typename: 'PaymentIntent', id: SEED.alan.paymentIntent },
      { __typename: 'Customer', id: SEED.alan.customer },
      { __typename: 'Customer', id: SEED.jenny.customer },
    ]);
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      {
        __typename: 'Customer',
        id: SEED.jenny.customer,
        email: SEED.jenny.email,
        stripeAccount: null,
        defaultSource: { last4: '4242' },
      },
      { __typename: 'PaymentIntent', id: SEED.alan.paymentIntent, amount: 12_000 },
      expect.objectContaining({ __typename: 'Customer', id: SEED.alan.customer }),
      expect.objectContaining({ __typename: 'Customer', id: SEED.jenny.customer }),
    ]);
    // Two customers and a payment intent; each default card came folded into its customer's expand[].
    expect(result.calls).toBe(3);
  });

  it('reads an entity keyed with its connected account through that account', async () => {
    const key = { __typename: 'Customer', id: SEED.connected.customer };
    const scoped = await entities([{ ...key, stripeAccount: SEED.connected.account }]);
    expect(scoped.errors).toBeUndefined();
    expect(scoped.data?._entities).toEqual([
      expect.objectContaining({ id: SEED.connected.customer, stripeAccount: SEED.connected.account }),
    ]);
    expect(scoped.calls).toBe(1);

    // The platform cannot see the connected account's customer.
    const platform = await entities([key]);
    expect(platform.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const nulled = await entities([{ ...key, stripeAccount: null }]);
    expect(nulled.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a key without an id, or whose account is not an account id, without calling Stripe', async () => {
    const result = await entities([
      { __typename: 'Customer', id: SEED.jenny.customer, stripeAccount: 'cus_1' },
    ]);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.data?._entities).toEqual([null]);
    expect(result.calls).toBe(0);
    const noId = await entities([{ __typename: 'Customer' }, { __typename: 'Customer', id: 42 }]);
    expect(noId.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(noId.calls).toBe(0);
  });

  it('answers DELETED for a deleted customer', async () => {
    const created = await harness.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: { name: 'Gone Soon' },
    });
    await harness.admin.request({ method: 'DELETE', path: `/v1/customers/${created.id}` });
    harness.upstreamCalls();
    const result = await entities([{ __typename: 'Customer', id: created.id }]);
    expect(result.errors?.[0]?.extensions?.code).toBe('DELETED');
    expect(result.calls).toBe(1);
  });

  it('is counted by the query cost limit: a call per distinct representation', async () => {
    const distinct = Array.from({ length: 220 }, (_, i) => ({ __typename: 'Customer', id: `cus_cost${i}` }));
    const result = await entities(distinct);
    // 220 distinct entities: over QUERY_MAX_COST (200), refused before any call.
    expect(result.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.calls).toBe(0);
    // 220 references to one customer are one read (its default source folded in): admitted.
    const same = Array.from({ length: 220 }, () => ({ __typename: 'Customer', id: SEED.jenny.customer }));
    const small = await entities(same);
    expect(small.errors).toBeUndefined();
    expect(small.calls).toBe(1);
  });
});

describe('_entities refuses what is not an entity representation', () => {
  it('answers BAD_USER_INPUT per item for a non-entity or unknown __typename, a missing one and a non-object, and still resolves the rest', async () => {
    const response = await harness.query(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { __typename ... on Customer { id } } }`,
      {
        variables: {
          representations: [
            { __typename: 'Card', id: 'card_1' },
            { __typename: 'NoSuchType', id: 'x' },
            { id: SEED.jenny.customer },
            42,
            'Customer',
            { __typename: 'Customer', id: SEED.jenny.customer },
          ],
        },
      },
    );
    expect(response.body.data?._entities).toEqual([
      null,
      null,
      null,
      null,
      null,
      { __typename: 'Customer', id: SEED.jenny.customer },
    ]);
    expect(response.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [['_entities', i], 'BAD_USER_INPUT']),
    );
    expect(harness.upstreamCalls()).toBe(1);
  });
});

describe('FEDERATION=off', () => {
  it('serves neither _entities nor _service, and the rest of the graph as before', async () => {
    const { createEmulator } = await import('../../src/emulator/server.ts');
    const { readServerConfig } = await import('../../src/server/config.ts');
    const { createGateway } = await import('../../src/server/gateway.ts');
    const emulator = await createEmulator({ listen: false });
    const config = readServerConfig({
      STRIPE_SECRET_KEY: emulator.key,
      STRIPE_API_BASE: emulator.url,
      FEDERATION: 'off',
      LOG_LEVEL: 'warn',
    });
    expect(config.federation).toBe(false);
    const gateway = createGateway({ config, rest: restOver(emulator, config), logSink: () => {} });
    try {
      const ask = async (query: string) =>
        (await (
          await gateway.yoga.fetch('http://localhost/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query }),
          })
        ).json()) as { data?: unknown; errors?: { message: string }[] };
      const fields = gateway.yoga.getEnveloped().schema.getQueryType()!.getFields();
      expect(Object.keys(fields)).not.toContain('_entities');
      expect(Object.keys(fields)).not.toContain('_service');
      expect((await ask('{ _service { sdl } }')).errors?.[0]?.message).toMatch(
        /Cannot query field "_service"/,
      );
      expect(await ask(`{ customer(id: "${SEED.jenny.customer}") { email } }`)).toMatchObject({
        data: { customer: { email: SEED.jenny.email } },
      });
    } finally {
      await gateway.close();
      await emulator.close();
    }
  });
});
