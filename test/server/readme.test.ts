/** The README's example operations are valid and run cleanly on the emulator's demo data. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, sharedSchema, startHarness } from './harness.ts';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const examples = [...README.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('README examples', () => {
  it('has some', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((query, i) => [i + 1, query] as const))(
    'example %i is valid and runs',
    async (_i, query) => {
      expect(validate(sharedSchema().schema, parse(query)).map((e) => e.message)).toEqual([]);
      // Subscriptions are run by test/server/webhooks.test.ts; here they are validated.
      if (query.trimStart().startsWith('subscription')) return;
      const response = await h.query(query);
      expect(response.body.errors).toBeUndefined();
      // Every example shows demo data: no empty list, no null field at the top.
      expect(JSON.stringify(response.body.data)).not.toContain('"nodes":[]');
      expect(Object.values(response.body.data ?? {})).not.toContain(null);
    },
  );
});
