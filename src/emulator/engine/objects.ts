/**
 * Builds complete objects generically from the model: every required property present with a value
 * of its type (strings `''`, numbers 0, booleans false, times now, enums their first or a sensible
 * value, constants, nested sub-objects recursively), plus `id`, `object`, `created`, `livemode` and
 * `metadata`. Request parameters are copied onto props of the same name in the prop's shape; hashes
 * merge on update, and an empty string unsets (Stripe's convention).
 *
 * Optional props are left out unless given or set by a rule or `defaults.ts`: the spec does not say
 * which ones Stripe sends as `null` and which it omits, and a `null` the spec does not allow would
 * break clients that validate.
 */
import type { OutProp, OutType } from '../../spec/types.ts';
import { NAMED_BOOL_DEFAULTS, NAMED_STRING_DEFAULTS, PROP_DEFAULTS } from './defaults.ts';
import { deepClone, isObject, type Json, type JsonObject } from './json.ts';
import type { ResourceRegistry } from './registry.ts';

export interface BuildEnv {
  registry: ResourceRegistry;
  /** Unix seconds */
  now: number;
}

const MAX_DEPTH = 8;
const SKIP = Symbol('skip');

/** The value a required prop gets when nothing sets it. */
export function defaultFor(env: BuildEnv, schema: string, prop: OutProp, depth: number): Json {
  const preset = PROP_DEFAULTS[`${schema}.${prop.name}`];
  if (preset !== undefined) return deepClone(preset);
  if (prop.nullable) return null;
  return defaultOfType(env, prop.type, prop.name, depth);
}

function defaultOfType(env: BuildEnv, type: OutType, name: string, depth: number): Json {
  switch (type.k) {
    case 'string':
      return NAMED_STRING_DEFAULTS[name] ?? '';
    case 'int':
    case 'float':
      return 0;
    case 'bool':
      return NAMED_BOOL_DEFAULTS[name] ?? false;
    case 'time':
      return env.now;
    case 'json':
      return {};
    case 'enum':
      return env.registry.model.enums[type.name]?.values[0] ?? '';
    case 'const':
      return type.value;
    case 'array':
      return [];
    case 'ref':
      return '';
    case 'object':
      return buildSubObject(env, type.name, {}, depth + 1);
    case 'union': {
      const first = env.registry.model.unions[type.name]?.members[0];
      return first ? buildSubObject(env, first, {}, depth + 1) : {};
    }
  }
}

/**
 * A sub-object of schema `name` (or a resource embedded whole, like `subscription_item.price`) with
 * `fields` and defaults for the remaining required props.
 */
export function buildSubObject(env: BuildEnv, name: string, fields: JsonObject, depth = 0): JsonObject {
  const schema = env.registry.model.objects[name];
  if (!schema) return { ...fields };
  const list = env.registry.inlineListOf({ k: 'object', name });
  if (list) return { object: 'list', data: [], has_more: false, url: '', ...fields };
  const out: JsonObject = {};
  for (const prop of schema.props) {
    if (prop.name in fields) out[prop.name] = fields[prop.name]!;
    else if (prop.required && depth < MAX_DEPTH) out[prop.name] = defaultFor(env, name, prop, depth);
    else if (PROP_DEFAULTS[`${name}.${prop.name}`] !== undefined)
      out[prop.name] = defaultFor(env, name, prop, depth);
  }
  return out;
}

/**
 * A new resource object: `id` and `object` first, then the schema's props in order with defaults,
 * then `fields` (final values, not parameters) on top.
 */
export function buildResource(
  env: BuildEnv,
  resource: string,
  id: string | undefined,
  fields: JsonObject = {},
): JsonObject {
  const schema = env.registry.schema(resource);
  const out: JsonObject = {};
  const props = env.registry.props(resource);
  if (props.has('id') && id !== undefined) out.id = id;
  if (props.has('object')) out.object = schema.object ?? resource;
  for (const prop of schema.props) {
    if (prop.name === 'id' || prop.name === 'object') continue;
    if (prop.name in fields) out[prop.name] = fields[prop.name]!;
    else if (prop.name === 'livemode') out.livemode = false;
    else if (prop.name === 'created' && (prop.type.k === 'time' || prop.type.k === 'int'))
      out.created = env.now;
    else if (prop.name === 'metadata' && prop.type.k === 'json') out.metadata = {};
    else if (env.registry.inlineListOf(prop.type))
      continue; // built from children when read
    else if (prop.required || PROP_DEFAULTS[`${resource}.${prop.name}`] !== undefined) {
      out[prop.name] = defaultFor(env, resource, prop, 0);
    }
  }
  return out;
}

/** Copies `params` onto the props of the same name of `draft` (a mutable copy), in the props' shapes. */
export function applyParams(
  env: BuildEnv,
  schemaName: string,
  draft: JsonObject,
  params: JsonObject,
  update: boolean,
): void {
  const props = env.registry.props(schemaName);
  for (const key of Object.keys(params)) {
    const prop = props.get(key);
    if (!prop || key === 'id' || key === 'object') continue;
    const value = fromParam(env, prop.type, params[key]!, draft[key], update);
    if (value !== SKIP) draft[key] = value;
  }
}

function fromParam(
  env: BuildEnv,
  type: OutType,
  value: Json,
  existing: Json | undefined,
  update: boolean,
): Json | typeof SKIP {
  if (value === '') {
    if (type.k === 'json') return {};
    if (type.k === 'array') return [];
    return null;
  }
  switch (type.k) {
    case 'json':
      if (!isObject(value)) return SKIP;
      return mergeJson(update && isObject(existing) ? existing : {}, value);
    case 'string':
    case 'enum':
    case 'const':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return SKIP;
    case 'int':
    case 'float':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value !== '' && Number.isFinite(Number(value))) return Number(value);
      return SKIP;
    case 'time':
      if (typeof value === 'number') return value;
      if (value === 'now') return env.now;
      return SKIP;
    case 'bool':
      return typeof value === 'boolean' ? value : SKIP;
    case 'ref':
      if (typeof value === 'string') return value;
      return isObject(value) && typeof value.id === 'string' ? value.id : SKIP;
    case 'object': {
      if (!isObject(value) || env.registry.inlineListOf(type)) return SKIP;
      const draft: JsonObject = update && isObject(existing) ? { ...existing } : {};
      applyParams(env, type.name, draft, value, update);
      return buildSubObject(env, type.name, draft);
    }
    case 'array': {
      if (!Array.isArray(value)) return SKIP;
      const out: Json[] = [];
      for (const item of value) {
        const converted = fromParam(env, type.of, item, undefined, false);
        if (converted === SKIP) return SKIP;
        out.push(converted);
      }
      return out;
    }
    case 'union':
      return SKIP;
  }
}

/** Metadata-style merge: keys with `''` are removed. */
function mergeJson(base: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const key of Object.keys(patch)) {
    const value = patch[key]!;
    if (value === '') delete out[key];
    else out[key] = value;
  }
  return out;
}
