/**
 * A second subgraph beside the Stripe gateway, for the README's federation recipe and the federation
 * tests: a shop's orders, each holding a Stripe customer id (and the connected account it lives in,
 * if any) and a payment intent id. `Customer` and `PaymentIntent` are entities it references but
 * cannot resolve (`resolvable: false`): the router fetches them from the Stripe gateway's `_entities`.
 *
 * `npx tsx scripts/orders-subgraph.ts [--port 4001] [--host 127.0.0.1]` serves the demo orders below
 * (ids of the emulator's demo data) at /graphql.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { SEED } from '../src/emulator/seed/seed.ts';

export const ORDERS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Query {
    orders: [Order!]!
  }

  type Order {
    id: ID!
    total: Int!
    customer: Customer!
    paymentIntent: PaymentIntent
  }

  type Customer @key(fields: "id stripeAccount", resolvable: false) {
    id: ID!
    stripeAccount: ID
  }

  type PaymentIntent @key(fields: "id", resolvable: false) {
    id: ID!
  }
`;

export interface Order {
  id: string;
  total: number;
  customer: string;
  /** the connected account the customer belongs to; none for the platform's customers */
  stripeAccount?: string;
  paymentIntent?: string;
}

export function createOrdersSubgraph(orders: readonly Order[]): YogaServerInstance<object, object> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(ORDERS_SDL),
    resolvers: {
      Query: { orders: () => orders },
      Order: {
        customer: (order: Order) => ({ id: order.customer, stripeAccount: order.stripeAccount ?? null }),
        paymentIntent: (order: Order) => (order.paymentIntent ? { id: order.paymentIntent } : null),
      },
    },
  });
  return createYoga({ schema, logging: false });
}

/** Orders of the emulator's demo customers (the platform's and a connected account's). */
export const DEMO_ORDERS: readonly Order[] = [
  { id: 'ord_1', total: 4200, customer: SEED.jenny.customer, paymentIntent: SEED.jenny.paymentIntent },
  { id: 'ord_2', total: 12_000, customer: SEED.alan.customer, paymentIntent: SEED.alan.paymentIntent },
  { id: 'ord_3', total: 3000, customer: SEED.alan.customer, paymentIntent: SEED.alan.openPaymentIntent },
  { id: 'ord_4', total: 4999, customer: SEED.grace.customer },
  { id: 'ord_5', total: 1500, customer: SEED.jenny.customer, paymentIntent: SEED.jenny.paymentIntent },
  {
    id: 'ord_6',
    total: 900,
    customer: SEED.connected.customer,
    stripeAccount: SEED.connected.account,
  },
];

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '4001' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  const server = createServer(createOrdersSubgraph(DEMO_ORDERS));
  server.listen(Number(values.port), values.host, () => {
    process.stdout.write(`Orders subgraph: http://${values.host}:${values.port}/graphql\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
