/**
 * Objects whole through the gateway, as a new user meets them: every object of every root list the
 * demo data fills is read back through GraphQL (`node(id:)`, over the emulator, in-process) with a
 * selection of every property its REST answer carries, and each property must come back with the
 * same value: camelCase fields, enums as their GraphQL values, timestamps as DateTime, expandable
 * references as `xId`, nested objects and arrays in full. (Connections, `relation` properties, are
 * lists of their own and are checked as such by the lists they page.)
 */
import {
  type GraphQLField,
  type GraphQLObjectType,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApi } from '../../src/emulator/engine/api.ts';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import { VERSION_EXTRA } from '../../src/emulator/handlers/version.ts';
import { fieldNames } from '../../src/schema/registry.ts';
import type { ObjectSchema, OutProp, OutType } from '../../src/spec/types.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';
import { PREVIEW_OBJECTS } from './declarations.ts';

const api = loadApi();
const model = api.registry.model;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ LOG_LEVEL: 'error' });
});
afterAll(() => h.close());

/** A selection of `value`'s properties on `type`, and how to compare the answer; or why not. */
interface Plan {
  selection: string;
  compare: (answer: unknown, at: string, problems: string[]) => void;
}

/** Properties the plan leaves out, by reason (for the report). */
const skipped = new Map<string, number>();
const skip = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);

const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The plan of one wire value of model type `type` answered by GraphQL field `field`. */
function planValue(value: unknown, type: OutType, field: GraphQLField<unknown, unknown>): Plan | undefined {
  const named = getNamedType(field.type);
  if (value === null)
    return {
      selection: isLeafType(named) ? '' : isObjectType(named) ? ' { __typename }' : ' { __typename }',
      compare: (answer, at, problems) => {
        if (answer !== null) problems.push(`${at}: ${JSON.stringify(answer)?.slice(0, 60)}, not null`);
      },
    };
  switch (type.k) {
    case 'array': {
      if (!Array.isArray(value)) return undefined;
      const items = value.map((v) => planValue(v, type.of, field));
      if (items.some((p) => p === undefined)) return undefined;
      // One selection for all items: the union of theirs (objects), or the leaf's (none).
      const inner = (p: Plan) => p.selection.trim().replace(/^\{|\}$/g, '');
      const selection = isLeafType(named)
        ? ''
        : ` { ${mergeSelections(items.map((p) => inner(p!))) || '__typename'} }`;
      return {
        selection,
        compare: (answer, at, problems) => {
          if (!Array.isArray(answer) || answer.length !== value.length) {
            problems.push(`${at}: ${JSON.stringify(answer)?.slice(0, 60)}, not ${value.length} items`);
            return;
          }
          for (const [i, p] of items.entries()) p!.compare(answer[i], `${at}[${i}]`, problems);
        },
      };
    }
    case 'enum': {
      const schema = model.enums[type.name];
      const index = schema?.values.indexOf(String(value)) ?? -1;
      const want = index >= 0 ? schema!.gqlValues[index] : undefined;
      return {
        selection: '',
        compare: (answer, at, problems) => {
          if (answer !== want)
            problems.push(`${at}: ${String(answer)}, not ${String(want)} (${String(value)})`);
        },
      };
    }
    case 'time':
      return {
        selection: '',
        compare: (answer, at, problems) => {
          if (typeof answer !== 'string' || Date.parse(answer) !== Number(value) * 1000)
            problems.push(`${at}: ${String(answer)}, not ${new Date(Number(value) * 1000).toISOString()}`);
        },
      };
    case 'object': {
      const schema = model.objects[type.name];
      if (!schema || !isObjectType(named) || typeof value !== 'object') return undefined;
      const plan = planObject(value as JsonObject, schema, named);
      return { ...plan, selection: ` { ${plan.selection} }` };
    }
    case 'string':
    case 'int':
    case 'float':
    case 'bool':
    case 'json':
      return {
        selection: '',
        compare: (answer, at, problems) => {
          if (!equal(answer, value))
            problems.push(
              `${at}: ${JSON.stringify(answer)?.slice(0, 60)}, not ${JSON.stringify(value)?.slice(0, 60)}`,
            );
        },
      };
    default:
      return undefined;
  }
}

/** `a b { c }` and `a b { d }` → one selection naming each field once (nested ones merged). */
function mergeSelections(selections: string[]): string {
  const fields = new Map<string, string[]>();
  for (const selection of selections) {
    for (const [name, inner] of topLevel(selection)) {
      const list = fields.get(name) ?? [];
      if (inner !== undefined) list.push(inner);
      fields.set(name, list);
    }
  }
  return [...fields]
    .map(([name, inners]) => (inners.length > 0 ? `${name} { ${mergeSelections(inners)} }` : name))
    .join(' ');
}

/** The top-level fields of a selection, with their inner selection. */
function topLevel(selection: string): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  let i = 0;
  while (i < selection.length) {
    while (selection[i] === ' ') i++;
    if (i >= selection.length) break;
    let name = '';
    while (i < selection.length && /[\w]/.test(selection[i]!)) name += selection[i++];
    while (selection[i] === ' ') i++;
    if (selection[i] === '{') {
      let depth = 0;
      const start = i + 1;
      for (; i < selection.length; i++) {
        if (selection[i] === '{') depth++;
        else if (selection[i] === '}' && --depth === 0) break;
      }
      out.push([name, selection.slice(start, i).trim()]);
      i++;
    } else out.push([name, undefined]);
  }
  return out;
}

/** The plan of a wire object of model schema `schema`, answered as GraphQL type `type`. */
function planObject(value: JsonObject, schema: ObjectSchema, type: GraphQLObjectType): Plan {
  const fields = type.getFields();
  const parts: { key: string; field: string; plan: Plan }[] = [];
  const missing: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (VERSION_EXTRA[schema.name]?.[key] !== undefined) {
      skip('sent by 2024-04-10, not in the model');
      continue;
    }
    const prop: OutProp | undefined = schema.props.find((p) => p.name === key);
    if (!prop) {
      missing.push(`${key} (not in the model)`);
      continue;
    }
    if (prop.type.k === 'const') continue;
    if (prop.relation) {
      skip('connection');
      continue;
    }
    const names = fieldNames(prop);
    const base = prop.type.k === 'array' ? prop.type.of : prop.type;
    if (base.k === 'ref' || base.k === 'union') {
      // A reference: its id (`xId`), from the id or the expanded object.
      const idField = names.idField && fields[names.idField] ? names.idField : undefined;
      if (!idField) {
        skip(base.k === 'union' ? 'polymorphic object' : 'reference without an id field');
        continue;
      }
      const ids = Array.isArray(v) ? v.map(idOf) : idOf(v);
      parts.push({
        key,
        field: idField,
        plan: {
          selection: '',
          compare: (answer, at, problems) => {
            if (!equal(answer, ids))
              problems.push(`${at}: ${JSON.stringify(answer)}, not ${JSON.stringify(ids)}`);
          },
        },
      });
      continue;
    }
    // A sub-object's optional id, or a merchant-chosen one, is Stripe's own in `stripeId`.
    const name = key === 'id' && fields.stripeId ? 'stripeId' : names.field;
    const field = fields[name];
    if (!field) {
      missing.push(`${key} (no field ${names.field})`);
      continue;
    }
    const named = getNamedType(field.type);
    if (!isObjectType(named) && !isLeafType(named)) {
      skip('polymorphic object');
      continue;
    }
    const plan = planValue(v, prop.type, field);
    if (!plan) {
      skip(`unplanned ${prop.type.k}`);
      continue;
    }
    parts.push({ key, field: name, plan });
  }
  return {
    selection: parts.map((p) => `${p.field}${p.plan.selection}`).join(' ') || '__typename',
    compare: (answer, at, problems) => {
      for (const m of missing) problems.push(`${at}.${m}: not in GraphQL`);
      if (!answer || typeof answer !== 'object') {
        problems.push(`${at}: ${JSON.stringify(answer)}, not an object`);
        return;
      }
      for (const p of parts) p.plan.compare((answer as JsonObject)[p.field], `${at}.${p.key}`, problems);
    },
  };
}

function idOf(value: unknown): unknown {
  if (value && typeof value === 'object' && 'id' in value) return (value as JsonObject).id;
  return value;
}

describe('objects whole through the gateway', () => {
  it('every object of every root list with demo data, read through node(id:)', async () => {
    const schema = sharedSchema().schema;
    const node = schema.getType('Node') ?? undefined;
    const problems: string[] = [];
    const unreachable = new Set<string>();
    /** Root fields that read one object by `id`, by the type they answer. */
    const byId = new Map<string, string>();
    for (const [name, field] of Object.entries(schema.getQueryType()!.getFields()))
      if (
        field.args.some((a) => a.name === 'id') &&
        field.args.every((a) => a.name === 'id' || !isNonNullType(a.type))
      )
        byId.set(getNamedType(field.type).name, name);
    let checked = 0;
    for (const route of api.routes) {
      const { op } = route;
      if (op.kind !== 'list' || op.paged !== 'list' || op.pathParams.length > 0 || op.subject) continue;
      if (op.query.some((q) => q.required)) continue;
      const limit = op.query.some((q) => q.name === 'limit') ? { limit: 100 } : {};
      const page = h.emulator.service.call('GET', op.path, limit);
      for (const object of page.data as JsonObject[]) {
        if (PREVIEW_OBJECTS.has(String(object.object))) continue;
        const resource = route.resources.find((r) => api.registry.resources.get(r)?.object === object.object);
        const modelSchema = resource ? model.objects[resource] : undefined;
        const type = modelSchema ? schema.getType(modelSchema.gql) : undefined;
        if (!modelSchema || !type || !isObjectType(type)) continue;
        // Through `node(id:)`, or the type's own root field where it is no Node (a coupon).
        const isNode = node !== undefined && type.getInterfaces().some((i) => i.name === 'Node');
        const root = isNode ? 'node' : byId.get(type.name);
        if (!root) {
          unreachable.add(type.name);
          continue;
        }
        const plan = planObject(object, modelSchema, type);
        const response = await h.query(
          `query($id: ID!) { one: ${root}(id: $id) { ... on ${type.name} { ${plan.selection} } } }`,
          { variables: { id: object.id } },
        );
        if (response.body.errors) {
          problems.push(`${type.name} ${String(object.id)}: ${response.body.errors[0]!.message}`);
          continue;
        }
        checked++;
        plan.compare(response.body.data?.one, `${type.name} ${String(object.id)}`, problems);
      }
    }
    console.log(
      `objects through GraphQL: ${checked} checked; no root field: ${[...unreachable].join(', ')}; ` +
        `left out: ${JSON.stringify(Object.fromEntries(skipped))}`,
    );
    expect(problems.slice(0, 40)).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  });
});
