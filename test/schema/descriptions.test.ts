/**
 * The runtime schema carries Stripe's descriptions (read from the spec package at build time);
 * they must be true of what each GraphQL field returns. The gateway's schema attaches them when
 * first read (src/schema/descriptions.ts): it must then answer as one built with them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getIntrospectionQuery, getNamedType, graphql, isObjectType, printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDescriptions, awaitsDescriptions, descriptionsOf } from '../../src/schema/descriptions.ts';
import { buildSchema, storedOptions } from '../../src/schema/index.ts';
import { printSDL } from '../../src/schema/print.ts';
import { readSchemaDescriptions, SCHEMA_DESCRIPTIONS_FILE } from '../../src/spec/model.ts';
import { type Harness, startHarness } from '../server/harness.ts';

const { schema } = buildSchema();

describe('runtime descriptions', () => {
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

describe('descriptions attached when first read', () => {
  const stripeDescription = (built: typeof schema) => {
    const customer = built.getType('Customer');
    if (!isObjectType(customer)) throw new Error('no Customer');
    return customer.getFields().created?.description;
  };
  const run = async (on: typeof schema, source: string) =>
    JSON.stringify(await graphql({ schema: on, source }));

  let harness: Harness;
  const lazy = buildSchema({ descriptions: 'lazy' });
  beforeAll(async () => {
    harness = await startHarness({}, { schema: lazy });
  });
  afterAll(() => harness.close());

  it('print and introspect as a schema built with them, through the gateway', async () => {
    expect(stripeDescription(lazy.schema)).toBeUndefined();
    // Printing (the committed SDL has no descriptions) and introspection that selects none
    // leave them unread.
    expect(printSDL(lazy.schema)).toBe(printSDL(schema));
    const names = '{ __type(name: "Customer") { name fields { name } } }';
    const unread = await harness.query(names);
    expect(unread.body.data).toEqual(JSON.parse(await run(schema, names)).data);
    expect(awaitsDescriptions(lazy.schema)).toBe(true);

    const introspection = await harness.query(getIntrospectionQuery({ specifiedByUrl: true }));
    expect(introspection.status).toBe(200);
    expect(JSON.stringify(introspection.body.data)).toBe(
      JSON.stringify(JSON.parse(await run(schema, getIntrospectionQuery({ specifiedByUrl: true }))).data),
    );
    expect(awaitsDescriptions(lazy.schema)).toBe(false);
    expect(stripeDescription(lazy.schema)).toBe(stripeDescription(schema));
  });

  it('are in the federation SDL (`_service { sdl }`) as before', async () => {
    const other = buildSchema({ descriptions: 'lazy' }).schema;
    expect(stripeDescription(other)).toBeUndefined();
    const service = '{ _service { sdl } }';
    expect(await run(other, service)).toBe(await run(schema, service));
    expect(awaitsDescriptions(other)).toBe(false);
  });
});

describe('descriptions stored by the build', () => {
  it('make a schema built without them print as one built with them', () => {
    const stored = descriptionsOf(schema);
    const other = buildSchema({ descriptions: 'lazy' }).schema;
    expect(printSchema(other)).not.toBe(printSchema(schema));
    applyDescriptions(stored, other);
    expect(printSchema(other)).toBe(printSchema(schema));
  });

  it('are read only for the options they were stored for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-descriptions-'));
    try {
      expect(readSchemaDescriptions(storedOptions({}), dir)).toBeUndefined();
      const descriptions = { Customer: 'A customer.', 'Customer.email': null };
      writeFileSync(
        join(dir, SCHEMA_DESCRIPTIONS_FILE),
        JSON.stringify({ options: storedOptions({}), descriptions }),
      );
      expect(readSchemaDescriptions(storedOptions({}), dir)).toEqual(descriptions);
      expect(readSchemaDescriptions(storedOptions({ typePrefix: 'Stripe' }), dir)).toBeUndefined();
      expect(readSchemaDescriptions(storedOptions({ preview: false }), dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
