/**
 * The Pothos builder: SchemaTypes, plugins and scalars. Types are added by the modules under
 * src/schema; src/schema/index.ts assembles them.
 */
import SchemaBuilder from '@pothos/core';
import { DateTimeResolver, JSONResolver, SafeIntResolver } from 'graphql-scalars';
import type { GatewayContext } from './context.ts';

export interface SchemaTypes {
  Context: GatewayContext;
  Scalars: {
    /** Stripe's unix-time integers, as ISO-8601 date-times */
    DateTime: { Input: Date; Output: Date };
    /** metadata and other free-form hashes */
    JSON: { Input: unknown; Output: unknown };
    /** Stripe integers (amounts, counts): 53-bit safe, never GraphQL's 32-bit Int */
    SafeInt: { Input: number; Output: number };
  };
}

export type Builder = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>>;

export function createBuilder(): Builder {
  const builder = new SchemaBuilder<SchemaTypes>({});
  // RFC 3339 date-times, as the GraphQL Scalars project specifies them (graphql-scalars leaves the
  // URL out of its DateTime): tools such as GraphQL Code Generator read `@specifiedBy`.
  builder.addScalarType('DateTime', DateTimeResolver, {
    specifiedByURL: 'https://scalars.graphql.org/andimarek/date-time',
  });
  builder.addScalarType('JSON', JSONResolver);
  builder.addScalarType('SafeInt', SafeIntResolver);
  builder.queryType({});
  return builder;
}
