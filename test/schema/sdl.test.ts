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

  it('keeps Query, Mutation and Subscription for the roots (the subscription resource is StripeSubscription)', () => {
    const schema = buildFromSDL(printed);
    for (const root of ['Mutation', 'Subscription']) {
      const type = schema.getType(root);
      if (type) expect([schema.getMutationType(), schema.getSubscriptionType()]).toContain(type);
    }
    expect(schema.getType('StripeSubscription')).toBeDefined();
    expect(schema.getQueryType()?.getFields().subscription?.type.toString()).toBe('StripeSubscription');
    expect(schema.getSubscriptionType()?.name ?? 'Subscription').toBe('Subscription');
    expect(schema.getSubscriptionType()?.getFields().status).toBeUndefined();
  });
});
