/**
 * A second subgraph for the federation tests: a shop's orders, each holding a Stripe customer id
 * (and the connected account it lives in, if any) and a payment intent id. `Customer` and
 * `PaymentIntent` are entities it references but cannot resolve (`resolvable: false`): the router
 * fetches them from the Stripe gateway's `_entities`.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';

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
