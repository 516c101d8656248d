import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildModel, SpecError } from '../../src/spec/build.ts';
import { generate } from '../../src/spec/generate.ts';
import { settleNames } from '../../src/spec/relations.ts';
import { loadSpec } from '../../src/spec/source.ts';

const { spec } = loadSpec();

/** A minimal spec document with one resource, for bad-input cases. */
function tinySpec(customerProps: Record<string, unknown>) {
  return {
    info: { version: '2024-04-10' },
    components: {
      schemas: {
        customer: {
          'x-resourceId': 'customer',
          type: 'object',
          required: ['id', 'object'],
          properties: {
            id: { type: 'string' },
            object: { type: 'string', enum: ['customer'] },
            ...customerProps,
          },
        },
      },
    },
    paths: {},
  };
}

describe('codegen', () => {
  it('is deterministic: two runs give identical bytes, equal to the generated files', () => {
    const first = generate();
    const second = generate();
    expect(second.model).toBe(first.model);
    expect(second.descriptions).toBe(first.descriptions);
    const onDisk = readFileSync(join(import.meta.dirname, '../../src/spec/generated/model.json'), 'utf8');
    expect(onDisk).toBe(first.model);
  });

  it('models every resource, operation and deleted form of the spec', () => {
    const { model } = buildModel(spec);
    const raw = spec as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    const resourceIds = Object.values(raw.components.schemas).filter((s) => s['x-resourceId']);
    const polymorphic = resourceIds.filter((s) => s.anyOf && !s.properties);
    const modelled = Object.values(model.objects).filter((o) => o.resource);
    expect(modelled.length + Object.keys(model.polymorphic).length).toBe(resourceIds.length);
    const deleted = resourceIds.filter((s) => String(s['x-resourceId']).startsWith('deleted_'));
    expect(deleted.length).toBe(22);
    expect(polymorphic.length).toBe(4);
    const operations = Object.values(raw.paths).flatMap((item) =>
      ['get', 'post', 'delete'].filter((m) => item[m]),
    );
    expect(model.operations.length).toBe(operations.length);
  });

  it('classifies operations and derives relation edges', () => {
    const { model } = buildModel(spec);
    const op = (method: string, path: string) =>
      model.operations.find((o) => o.method === method && o.path === path);
    expect(op('get', '/v1/customers/{customer}')?.kind).toBe('retrieve');
    expect(op('get', '/v1/customers')?.kind).toBe('list');
    expect(op('get', '/v1/customers/search')?.kind).toBe('search');
    expect(op('post', '/v1/customers')?.kind).toBe('create');
    expect(op('post', '/v1/customers/{customer}')?.kind).toBe('update');
    expect(op('delete', '/v1/customers/{customer}')?.kind).toBe('delete');
    expect(op('post', '/v1/invoices/{invoice}/pay')?.kind).toBe('action');
    expect(op('post', '/v1/customers/{customer}/sources')?.kind).toBe('create');
    const edge = (parent: string, name: string) =>
      model.relations.find((r) => r.parent === parent && r.name === name);
    expect(edge('customer', 'sources')).toMatchObject({ kind: 'nested', param: 'customer' });
    expect(edge('account', 'capabilities')).toMatchObject({ kind: 'nested', param: 'account' });
    expect(edge('customer', 'invoices')).toMatchObject({ kind: 'filter', param: 'customer' });
    expect(edge('account', 'transfers')).toMatchObject({ kind: 'filter', param: 'destination' });
  });

  it('models expandable fields with their target resources', () => {
    const { model } = buildModel(spec);
    const customer = model.objects.charge!.props.find((p) => p.name === 'customer')!;
    expect(customer.type).toEqual({ k: 'ref', to: { k: 'union', name: 'customer_or_deleted_customer' } });
    expect(model.unions.customer_or_deleted_customer!.members).toEqual(['customer', 'deleted_customer']);
    const invoice = model.objects.charge!.props.find((p) => p.name === 'invoice')!;
    expect(invoice.type).toEqual({ k: 'ref', to: { k: 'object', name: 'invoice' } });
  });

  describe('bad input stops codegen with the schema and property named', () => {
    it.each([
      ['an unknown type', { weird: { type: 'tuple' } }, /customer\.weird: unknown type "tuple"/],
      ['a schema without type', { vague: { description: 'x' } }, /customer\.vague: schema without type/],
      [
        'a dangling $ref',
        { address: { $ref: '#/components/schemas/nowhere' } },
        /customer\.address: \$ref to unknown schema "nowhere"/,
      ],
      ['an array without items', { tags: { type: 'array' } }, /customer\.tags: array without items/],
      [
        'a non-string enum',
        { level: { type: 'string', enum: [1, 2] } },
        /customer\.level: non-string enum value 1/,
      ],
    ])('%s', (_name, props, message) => {
      expect(() => buildModel(tinySpec(props))).toThrow(SpecError);
      expect(() => buildModel(tinySpec(props))).toThrow(message);
    });

    it('a missing spec package', () => {
      const dir = mkdtempSync(join(tmpdir(), 'nospec-'));
      expect(() => loadSpec(pathToFileURL(join(dir, 'x.js')).href)).toThrow(
        /cannot find @opensdks\/sdk-stripe\/stripe\.oas\.json: install the devDependencies/,
      );
    });

    it('an unreadable spec file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'badspec-'));
      const pkg = join(dir, 'node_modules', '@opensdks', 'sdk-stripe');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'package.json'), '{"version":"0.0.2"}');
      writeFileSync(join(pkg, 'stripe.oas.json'), '{ not json');
      expect(() => loadSpec(pathToFileURL(join(dir, 'x.js')).href)).toThrow(
        /stripe\.oas\.json is not valid JSON/,
      );
    });

    it('a document that is not a Stripe spec', () => {
      expect(() => buildModel({ openapi: '3.0.0' })).toThrow(/components\.schemas: missing/);
    });
  });

  it('fails on a relation name clash, naming both relations, until the naming table settles it', () => {
    const { model } = buildModel(spec);
    const invoices = model.relations.find((r) => r.parent === 'customer' && r.field === 'invoices')!;
    // Planted: a second edge named like an existing one, and an edge named like a property.
    const twin = { ...invoices, operation: 'GetCreditNotes', param: 'customer' };
    expect(() => settleNames([invoices, twin], model.objects)).toThrow(
      /Customer\.invoices would come from both GetInvoices \(filter customer\) and GetCreditNotes \(filter customer\)/,
    );
    const onProperty = { ...invoices, field: 'email' };
    expect(() => settleNames([onProperty], model.objects)).toThrow(
      /settle them in src\/spec\/overrides\.ts[\s\S]*Customer\.email is both the relation GetInvoices and the property "email"/,
    );
  });
});
