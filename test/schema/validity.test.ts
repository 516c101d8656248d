import { GraphQLSchema, validateSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema, nameOrder, type SchemaOptions } from '../../src/schema/index.ts';

/**
 * buildSchema marks its schema valid (graphql-js's `assumeValid`) so that a start-up does not
 * validate it on the first operation: each variant the configuration can ask for is validated here
 * instead, on a copy graphql-js validates afresh. It also orders the Query root without ICU's
 * collator (`nameOrder`): checked here against English collation on every name it sorts.
 */
describe('the built schema', () => {
  const variants: [string, SchemaOptions][] = [
    ['the default', {}],
    [
      'prefixed, without preview resources and federation',
      { typePrefix: 'Stripe', preview: false, federation: false },
    ],
  ];
  const built = buildSchema();
  for (const [name, options] of variants) {
    it(`is valid: ${name}`, () => {
      const { schema } = name === 'the default' ? built : buildSchema(options);
      expect(schema.__validationErrors).toEqual([]);
      const copy = new GraphQLSchema({ ...schema.toConfig(), assumeValid: false });
      expect(copy.__validationErrors).toBeUndefined();
      expect(validateSchema(copy).map((error) => error.message)).toEqual([]);
    });
  }

  it("sorts the Query root's resources and fields as English collation does", () => {
    const { schema, model } = built;
    const names = new Set([
      ...Object.keys(schema.getQueryType()!.getFields()),
      ...Object.entries(model.objects).flatMap(([resource, object]) => [resource, object.gql]),
    ]);
    const english = [...names].sort((a, b) => a.localeCompare(b, 'en'));
    expect(names.size).toBeGreaterThan(500);
    expect([...names].sort(nameOrder)).toEqual(english);
  });
});
