/** Validation results cached per parsed document (src/server/validation-cache.ts). */
import { buildSchema, type GraphQLError, parse, validate } from 'graphql';
import { envelop, type Plugin, useSchema } from 'graphql-yoga';
import { describe, expect, it, vi } from 'vitest';
import { depthLimitRule } from '../../src/server/limits.ts';
import { useValidationCache } from '../../src/server/validation-cache.ts';

const schema = buildSchema('type Query { a: A } type A { b: A, c: Int }');

function setup(extraRule: () => boolean) {
  const spy = vi.fn(validate);
  const getEnveloped = envelop({
    plugins: [
      useSchema(schema),
      { onValidate: ({ setValidationFn }) => setValidationFn(spy) } satisfies Plugin,
      {
        onValidate({ addValidationRule }) {
          if (extraRule()) addValidationRule(depthLimitRule(2));
        },
      } satisfies Plugin,
      useValidationCache(),
    ],
  });
  const run = (document: ReturnType<typeof parse>): readonly GraphQLError[] => {
    const enveloped = getEnveloped({});
    return enveloped.validate(enveloped.schema, document);
  };
  return { spy, run };
}

describe('the validation cache', () => {
  it('validates a parsed document once, errors included, and again under other rules', () => {
    let withLimit = true;
    const { spy, run } = setup(() => withLimit);
    const deep = parse('{ a { b { b { c } } } }');
    const first = run(deep);
    expect(first.map((e) => e.extensions.code)).toEqual(['DEPTH_LIMIT']);
    expect(run(deep)).toBe(first);
    expect(spy).toHaveBeenCalledTimes(1);

    const fine = parse('{ a { c } }');
    expect(run(fine)).toEqual([]);
    expect(run(fine)).toEqual([]);
    expect(spy).toHaveBeenCalledTimes(2);

    // Another set of rules (here one fewer): validated, not answered from the cache.
    withLimit = false;
    expect(run(deep)).toEqual([]);
    expect(spy).toHaveBeenCalledTimes(3);
  });
});
