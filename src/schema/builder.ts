/**
 * The Pothos builder: SchemaTypes, plugins and scalars. Types are added by the modules under
 * src/schema; src/schema/index.ts assembles them.
 */
import SchemaBuilder, { type ObjectRef } from '@pothos/core';
import FederationPlugin from '@pothos/plugin-federation';
import { DateTimeResolver, JSONResolver, SafeIntResolver } from 'graphql-scalars';
import type { StripeObject } from '../loaders/requests.ts';
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
    /**
     * An upload through the GraphQL multipart request spec (input only). Not `File`, which is
     * Stripe's file object.
     */
    Upload: { Input: File; Output: never };
  };
}

const isUpload = (value: unknown): value is File =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Blob).arrayBuffer === 'function' &&
  typeof (value as Blob).size === 'number';

export type Types = PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>;
export type Builder = PothosSchemaTypes.SchemaBuilder<Types>;
/** A Stripe object type: its fields resolve from Stripe's JSON object. */
export type StripeObjectRef = ObjectRef<Types, StripeObject>;

export function createBuilder(): Builder {
  // Federation (src/schema/federation.ts): entity keys and @shareable.
  const builder = new SchemaBuilder<SchemaTypes>({ plugins: [FederationPlugin] });
  // RFC 3339 date-times, as the GraphQL Scalars project specifies them (graphql-scalars leaves the
  // URL out of its DateTime): tools such as GraphQL Code Generator read `@specifiedBy`.
  builder.addScalarType('DateTime', DateTimeResolver, {
    specifiedByURL: 'https://scalars.graphql.org/andimarek/date-time',
  });
  builder.addScalarType('JSON', JSONResolver);
  builder.addScalarType('SafeInt', SafeIntResolver);
  builder.scalarType('Upload', {
    serialize: () => {
      throw new TypeError('Upload is an input-only scalar');
    },
    parseValue: (value) => {
      // Yoga's File may be its fetch ponyfill's rather than Node's: a Blob-like with a name.
      if (isUpload(value)) return value;
      throw new TypeError('Upload expects a file (GraphQL multipart request)');
    },
  });
  builder.queryType({});
  builder.mutationType({});
  builder.subscriptionType({});
  return builder;
}
