/**
 * Coverage computed from the spec itself (not from the model or a list in this file): every
 * resource has its type, and every property of every resource, sub-object and inline object has
 * its field in the GraphQL schema. The spec is the document the product is built from: Stripe's,
 * with the preview overlay (src/spec/overlay.ts) merged in.
 */
import { GraphQLObjectType, GraphQLUnionType } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/index.ts';
import { camelCase, pascalCase, withoutNoise } from '../../src/spec/naming.ts';
import { buildObjectModel } from '../../src/spec/objects.ts';
import { PREVIEW_OVERLAY } from '../../src/spec/overlay.ts';
import { propertyNameOverrides, settleTypeName } from '../../src/spec/overrides.ts';
import { loadSpec } from '../../src/spec/source.ts';
import { exclusions } from './coverage-exclusions.ts';

type Json = any;

const { spec } = loadSpec() as { spec: Json };
const components: Record<string, Json> = spec.components.schemas;
const overlayResources = Object.entries(PREVIEW_OVERLAY.components.schemas)
  .filter(([, s]) => s['x-resourceId'])
  .map(([name]) => name);
const hasProps = (s: Json) => s?.properties && Object.keys(s.properties).length > 0;
// A family with a name over the limit is named where it sits (src/spec/objects.ts): the naming code says.
const placed = buildObjectModel(components).objects;
const gqlNameOf = (name: string) =>
  placed[name]?.gql ??
  settleTypeName(name, pascalCase(components[name]?.['x-resourceId'] ?? withoutNoise(name)));

describe('coverage of the spec by the GraphQL schema', () => {
  let schema: ReturnType<typeof buildSchema>['schema'];
  beforeAll(() => {
    // Every component's type, including those no operation reaches yet (the served schema drops them).
    schema = buildSchema({ descriptions: false, reachableOnly: false }).schema;
  });

  it('has a type for each of the spec resources (129 + 22 deleted forms) and the 6 preview ones', () => {
    const resources = Object.entries(components).filter(([, s]) => s['x-resourceId']);
    expect(resources.length).toBe(151 + 6);
    expect(overlayResources.sort()).toEqual([
      'crypto.onramp_quote',
      'crypto.onramp_session',
      'terminal.hardware_order',
      'terminal.hardware_product',
      'terminal.hardware_shipping_method',
      'terminal.hardware_sku',
    ]);
    for (const name of overlayResources) {
      expect(schema.getType(gqlNameOf(name))?.extensions.preview, name).toBe(true);
    }
    const missing: string[] = [];
    for (const [name, s] of resources) {
      const type = schema.getType(gqlNameOf(name));
      if (s.anyOf && !s.properties) {
        // a polymorphic resource: a union, named after the resource or after its members
        const unions = Object.values(schema.getTypeMap()).filter((t) => t instanceof GraphQLUnionType);
        const members = new Set<string>();
        const collect = (refs: Json[]) => {
          for (const ref of refs) {
            const target = ref.$ref.split('/').pop();
            if (components[target].anyOf && !components[target].properties) collect(components[target].anyOf);
            else members.add(gqlNameOf(target));
          }
        };
        collect(s.anyOf);
        const found = unions.some((u) => {
          const names = (u as GraphQLUnionType).getTypes().map((m) => m.name);
          return names.length === members.size && names.every((n) => members.has(n));
        });
        if (!found) missing.push(name);
      } else if (!(type instanceof GraphQLObjectType)) missing.push(name);
    }
    expect(missing).toEqual([]);
  });

  it('has a field for every property of every resource, sub-object and inline object', () => {
    const missing: string[] = [];
    let checked = 0;
    const excluded = new Set(exclusions.map((e) => e.schema));
    const used = new Set<string>();
    const isExcluded = (where: string) => excluded.has(where) && used.add(where) !== undefined;
    const visitObject = (typeName: string, where: string, s: Json) => {
      const type = schema.getType(typeName);
      if (!(type instanceof GraphQLObjectType)) {
        if (!isExcluded(where)) missing.push(`${where} (type ${typeName})`);
        return;
      }
      const fields = type.getFields();
      for (const [prop, propSchema] of Object.entries<Json>(s.properties)) {
        checked++;
        const field = propertyNameOverrides[`${where}.${prop}`] ?? camelCase(prop);
        // A sub-object's optional `id` names something else and reads as `stripeId`; a deleted form's
        // `id` reads as `deletedId`, so it never takes the live object's identity (src/schema/registry.ts).
        const present = fields[field] ?? (prop === 'id' ? (fields.stripeId ?? fields.deletedId) : undefined);
        if (!present && !isExcluded(`${where}.${prop}`))
          missing.push(`${where}.${prop} (${typeName}.${field})`);
        visitInline(`${typeName}${pascalCase(prop)}`, `${where}.${prop}`, propSchema);
      }
    };
    const visitInline = (typeName: string, where: string, s: Json) => {
      if (s.type === 'array' && s.items) return visitInline(typeName, where, s.items);
      if (s.anyOf?.length === 1) return visitInline(typeName, where, s.anyOf[0]);
      if (s.type === 'object' && hasProps(s) && !s.$ref) visitObject(typeName, where, s);
    };
    for (const [name, s] of Object.entries(components)) {
      if (hasProps(s)) visitObject(gqlNameOf(name), name, s);
    }
    expect(missing).toEqual([]);
    // Every exclusion must still be needed, and say why.
    expect(exclusions.filter((e) => !used.has(e.schema)).map((e) => e.schema)).toEqual([]);
    for (const exclusion of exclusions) expect(exclusion.reason.length).toBeGreaterThan(10);
    // The walk really visited the spec (2024-04-10 has about 5,000 properties).
    expect(checked).toBeGreaterThan(4000);
  });
});
