import { readFileSync } from 'node:fs';
import { buildSchema as buildFromSDL, validateSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printSDL, SCHEMA_FILE } from '../../src/schema/print.ts';

describe('schema.graphql', () => {
  const printed = printSDL();

  it('is fresh: npm run schema:print has been run after the last schema change', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    // On failure: run `npm run schema:print` and commit schema.graphql.
    expect(committed === printed).toBe(true);
  });

  it('is valid SDL', () => {
    const schema = buildFromSDL(printed);
    expect(validateSchema(schema)).toEqual([]);
  });

  it('is stable across builds', () => {
    expect(printSDL()).toBe(printed);
  });

  it('holds no descriptions (Stripe prose is not committed)', () => {
    expect(printed).not.toContain('"""');
    expect(printed).not.toMatch(/^\s*"[^"]/m);
  });
});
