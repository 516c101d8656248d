/**
 * The runtime schema carries Stripe's descriptions (read from the spec package at build time);
 * they must be true of what each GraphQL field returns.
 */
import { getNamedType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/index.ts';

describe('runtime descriptions', () => {
  const { schema } = buildSchema();
  const fields = Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((t) => !t.name.startsWith('__'))
    .flatMap((type) => Object.values(type.getFields()).map((field) => ({ type, field })));

  it('do not call a DateTime seconds since the epoch', () => {
    const wrong = fields.filter(
      ({ field }) =>
        getNamedType(field.type).name === 'DateTime' &&
        /seconds since|epoch|unix timestamp/i.test(field.description ?? ''),
    );
    expect(wrong.map(({ type, field }) => `${type.name}.${field.name}`)).toEqual([]);
    const created = (
      schema.getType('Customer') as { getFields(): Record<string, { description?: string | null }> }
    ).getFields().created;
    expect(created?.description).toBeTruthy();
  });

  it('do not call an object field an id, and describe the id fields', () => {
    const wrong = fields.filter(
      ({ field }) =>
        isObjectType(getNamedType(field.type)) && /^(the )?ids? of /i.test(field.description ?? ''),
    );
    expect(wrong.map(({ type, field }) => `${type.name}.${field.name}`)).toEqual([]);
    const customer = schema.getType('Customer');
    if (!isObjectType(customer)) throw new Error('no Customer');
    expect(customer.getFields().defaultSourceId?.description).toMatch(/ID/);
    expect(customer.getFields().defaultSource?.description).not.toMatch(/^ID of/);
  });
});
