/**
 * Federation beside subgraphs that use Stripe's common type names. A shop subgraph defines its own
 * `Address`, `Product`, `Price`, `Event`, `File`, `Person` and `LineItem`: with
 * `FEDERATION_TYPE_PREFIX=Stripe` the Stripe subgraph's types are `StripeAddress`, `StripeProduct`, …,
 * and the two compose with @theguild/federation-composition and @apollo/composition. Without the
 * prefix, a subgraph that shares a value type deliberately (`type Address @shareable`) composes with
 * the Stripe one's `@shareable` value types. The prefixed supergraph is queried through Hive Gateway
 * and @apollo/gateway: the shop's shipments with their Stripe customer and card, resolved by the
 * `Card @key(fields: "id customerId")` entity (a card has no by-id read).
 */

import { composeServices as apolloCompose } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices as guildCompose } from '@theguild/federation-composition';
import { type DocumentNode, parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type BuiltSchema, buildSchema } from '../../src/schema/index.ts';
import { printSubgraphSDL } from '../../src/schema/print.ts';
import { type Listener, listen } from '../../src/server/listen.ts';
import { type Harness, startHarness } from '../server/harness.ts';

const SHOP_TYPES = /* GraphQL */ `
  type Address { street: String! zip: String! }
  type Product @key(fields: "sku") { sku: ID! title: String! }
  type Price { amount: Int! currency: String! }
  type Event { id: ID! name: String! }
  type File { path: String! }
  type Person { id: ID! name: String! }
  type LineItem { product: Product! quantity: Int! price: Price! }
`;

const SHOP_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  type Query { shipments: [Shipment!]! }
  type Shipment {
    id: ID!
    address: Address!
    lines: [LineItem!]!
    customer: StripeCustomer!
    card: StripeCard
  }
  type StripeCustomer @key(fields: "id", resolvable: false) { id: ID! }
  type StripeCard @key(fields: "id customerId", resolvable: false) { id: ID! customerId: ID }
  ${SHOP_TYPES}
`;

/** A subgraph sharing Stripe's `Address`: a value type is shared whole (each subgraph resolves every field). */
const sharingSdl = (stripeSdl: string) => /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@shareable"])
  type Query { warehouses: [Warehouse!]! }
  type Warehouse { id: ID! address: Address! }
  ${/type Address @shareable \{[^}]*\}/.exec(stripeSdl)![0]}
`;

const SHIPMENTS = [
  {
    id: 'shp_1',
    address: { street: '1 Main St', zip: '10001' },
    lines: [
      { product: { sku: 'tee', title: 'T-shirt' }, quantity: 2, price: { amount: 2000, currency: 'usd' } },
    ],
    customer: { id: SEED.jenny.customer },
    card: { id: SEED.jenny.card, customerId: SEED.jenny.customer },
  },
];

const QUERY = /* GraphQL */ `
  {
    shipments {
      id
      address { street }
      lines { product { sku title } quantity }
      customer { id email }
      card { id brand last4 }
    }
  }
`;

function shopSubgraph() {
  const schema = buildSubgraphSchema({
    typeDefs: parse(SHOP_SDL),
    resolvers: { Query: { shipments: () => SHIPMENTS } } as never,
  });
  return createYoga({ schema, graphqlEndpoint: '/graphql', logging: false });
}

let built: BuiltSchema;
let prefixedSdl: string;
let harness: Harness;
let stripe: Listener;
let shop: Listener;

const services = (
  stripeSdl: string,
  other: { name: string; sdl: string; url?: string },
  stripeUrl?: string,
) => [
  {
    name: 'stripe',
    url: stripeUrl ?? 'http://stripe.test/graphql',
    typeDefs: parse(stripeSdl) as DocumentNode,
  },
  {
    name: other.name,
    url: other.url ?? 'http://other.test/graphql',
    typeDefs: parse(other.sdl) as DocumentNode,
  },
];

beforeAll(async () => {
  built = buildSchema({ descriptions: false, typePrefix: 'Stripe' });
  prefixedSdl = await printSubgraphSDL(built.schema);
  harness = await startHarness({}, { schema: built });
  stripe = await listen(
    async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const response = await harness.gateway.yoga.fetch(`http://127.0.0.1${req.url}`, {
        method: req.method ?? 'GET',
        headers: req.headers as Record<string, string>,
        ...(req.method === 'POST' ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
      });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    },
    { port: 0, host: '127.0.0.1' },
  );
  shop = await listen(shopSubgraph(), { port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await stripe?.close(1000);
  await shop?.close(1000);
  await harness?.close();
});

describe('federation beside subgraphs with the same type names', () => {
  it('FEDERATION_TYPE_PREFIX keeps Stripe’s types apart: StripeAddress, StripeProduct, …; roots, Node and PageInfo keep their names', () => {
    const { schema } = built;
    for (const name of ['Address', 'Product', 'Price', 'Event', 'File', 'Person', 'LineItem', 'Card']) {
      expect(schema.getType(name), name).toBeUndefined();
      expect(schema.getType(`Stripe${name}`), name).toBeDefined();
    }
    for (const name of ['Query', 'Mutation', 'Node', 'PageInfo', 'DateTime'])
      expect(schema.getType(name)).toBeDefined();
    expect(prefixedSdl).toMatch(/type StripeCard @key\(fields: "id customerId"\)/);
    expect(prefixedSdl).toMatch(
      /type StripeCustomer implements Node @key\(fields: "id stripeAccount"\) @key\(fields: "id"\)/,
    );
  });

  it('the prefixed subgraph composes with a shop that defines those types, with both composers', () => {
    const shopServices = services(prefixedSdl, { name: 'shop', sdl: SHOP_SDL });
    const guild = guildCompose(shopServices);
    expect(guild.errors?.map((e) => e.message)).toBeUndefined();
    const apollo = apolloCompose(shopServices);
    expect(apollo.errors?.map((e) => e.message)).toBeUndefined();
  }, 120_000);

  it('unprefixed, the @shareable value types compose with a subgraph sharing Address', async () => {
    const plainSdl = await printSubgraphSDL();
    expect(plainSdl).toMatch(/type Address @shareable/);
    const sharing = services(plainSdl, { name: 'warehouses', sdl: sharingSdl(plainSdl) });
    expect(guildCompose(sharing).errors?.map((e) => e.message)).toBeUndefined();
    expect(apolloCompose(sharing).errors?.map((e) => e.message)).toBeUndefined();
  }, 120_000);

  describe('queried through a router', () => {
    let supergraphSdl: string;
    beforeAll(() => {
      const result = guildCompose(
        services(
          prefixedSdl,
          { name: 'shop', sdl: SHOP_SDL, url: `${shop.origin}/graphql` },
          `${stripe.origin}/graphql`,
        ),
      );
      if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
      supergraphSdl = result.supergraphSdl;
    }, 120_000);

    const expected = [
      {
        id: 'shp_1',
        address: { street: '1 Main St' },
        lines: [{ product: { sku: 'tee', title: 'T-shirt' }, quantity: 2 }],
        customer: { id: SEED.jenny.customer, email: SEED.jenny.email },
        card: { id: SEED.jenny.card, brand: 'Visa', last4: '4242' },
      },
    ];

    it('Hive Gateway', async () => {
      const gateway = createGatewayRuntime({ supergraph: supergraphSdl, logging: false });
      try {
        const response = await gateway.fetch('http://router.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: QUERY }),
        });
        const body = (await response.json()) as { data?: { shipments: unknown }; errors?: unknown };
        expect(body.errors).toBeUndefined();
        expect(body.data?.shipments).toEqual(expected);
      } finally {
        await gateway.dispose();
      }
    }, 120_000);

    it('@apollo/gateway', async () => {
      const gateway = new ApolloGateway({
        supergraphSdl,
        buildService: ({ url }) => new RemoteGraphQLDataSource({ url: url! }),
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
      const { executor } = await gateway.load();
      try {
        const document = parse(QUERY);
        const result = await executor({
          request: { query: QUERY },
          document,
          operationName: null,
          operation: document.definitions[0],
          queryHash: 'shipments',
          context: {},
          cache: undefined,
          logger: { debug() {}, info() {}, warn() {}, error() {} },
          metrics: {},
          overallCachePolicy: { restrict() {}, replace() {} },
          schema: gateway.schema,
        } as never);
        expect(result.errors).toBeUndefined();
        expect((result.data as { shipments: unknown }).shipments).toEqual(expected);
      } finally {
        await gateway.stop();
      }
    }, 120_000);
  });
});
