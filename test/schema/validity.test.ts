import { GraphQLSchema, validateSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema, type SchemaOptions } from '../../src/schema/index.ts';

/**
 * buildSchema marks its schema valid (graphql-js's `assumeValid`) so that a start-up does not
 * validate it on the first operation: each variant the configuration can ask for is validated here
 * instead, on a copy graphql-js validates afresh.
 */
describe('the built schema', () => {
  const variants: [string, SchemaOptions][] = [
    ['the default', {}],
    [
      'prefixed, without preview resources and federation',
      { typePrefix: 'Stripe', preview: false, federation: false },
    ],
  ];
  for (const [name, options] of variants) {
    it(`is valid: ${name}`, () => {
      const { schema } = buildSchema(options);
      expect(schema.__validationErrors).toEqual([]);
      const copy = new GraphQLSchema({ ...schema.toConfig(), assumeValid: false });
      expect(copy.__validationErrors).toBeUndefined();
      expect(validateSchema(copy).map((error) => error.message)).toEqual([]);
    });
  }
});
