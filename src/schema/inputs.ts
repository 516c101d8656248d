/**
 * GraphQL input types for Stripe request bodies, from the model's `InParam`s, and the conversion of
 * input values back to Stripe's wire form. The names and the types a parameter takes (an output
 * enum, `ID`, the integer it writes) are settled at codegen (src/spec/inputs.ts); this builds them.
 *
 * - Names are camelCase, mapped back to the wire's snake_case.
 * - Nested objects are input objects; free-form hashes (`metadata`) are JSON.
 * - `anyOf` with Stripe's empty string (`""`, "unset") is the other alternative. An explicit `null`
 *   in the input sends `""`, as the official SDKs do: that is how a client unsets a field (Stripe
 *   answers 400 where a field cannot be unset); a field left out is not sent.
 * - Other alternatives (a token or a card hash, `now` or a time) are `@oneOf` input objects: `id` for a
 *   string, `at` for a time, `value` for a number or boolean, `details` for an object (several object
 *   alternatives are merged into one), and one `Boolean` field per enum value (`{ now: true }`).
 * - At run time each field carries Stripe's description of its parameter (generated, never
 *   committed), with the gateway's note where null unsets it.
 */

import type { InputFieldBuilder, InputFieldRef, InputObjectRef } from '@pothos/core';
import { alternatives, enumValuesOf, isEmptyMarker, isShaped } from '../spec/inputs.ts';
import { camelCase, enumValueName, isGraphQLName } from '../spec/naming.ts';
import type { InParam, InType } from '../spec/types.ts';
import type { Types } from './builder.ts';
import { describing, type ModelInputType, type TypeRegistry } from './registry.ts';

/** An input field's type, in Pothos's `t.field({ type })` form. */
type FieldType = ModelInputType | [ModelInputType];
type InputObject = InputObjectRef<Types, Record<string, unknown>>;

/** Converts a GraphQL input value to its wire form. */
export type ToWire = (value: unknown) => unknown;

export interface InputField {
  /** GraphQL field name */
  name: string;
  /** wire parameter name */
  wire: string;
  required: boolean;
  /** Stripe's spec lists `""` (unset) for this field; an explicit null sends `""` on any field */
  unsettable: boolean;
  /** the gateway's note on what Stripe takes here, where the type admits more */
  note?: string;
  /** the GraphQL type, in Pothos's `t.field({ type })` form */
  type: FieldType;
  toWire: ToWire;
  /** the input object under this field (for mapping Stripe's `param` back to an input path) */
  shape?: InputShape;
}

export interface InputShape {
  name: string;
  fields: InputField[];
  /** the GraphQL input object */
  ref?: InputObject;
  /** the descriptions' key of a field: `<key>.<wire>` */
  describedAs?: string;
}

interface Resolved {
  type: FieldType;
  toWire: ToWire;
  unsettable: boolean;
  note?: string;
  shape?: InputShape;
}

const identity: ToWire = (v) => v;
const toUnix: ToWire = (v) => (v instanceof Date ? Math.floor(v.getTime() / 1000) : v);

/** The gateway's note on a field whose parameter Stripe lets a client unset. */
export const UNSET_NOTE = 'Send null to unset it (Stripe takes an empty value here).';

const inputEnums = new WeakMap<TypeRegistry, Map<string, { key: string; ref: ModelInputType }>>();

/**
 * A parameter's enum: the output enum it shares, else its own, named at codegen; the same name twice
 * must carry the same values (codegen settled that). Shared by the inputs and the list arguments.
 */
export function enumOf(registry: TypeRegistry, t: Extract<InType, { k: 'enum' }>): ModelInputType {
  if (t.enum) return registry.enum(t.enum);
  if (!t.gql) return 'String';
  const built = inputEnums.get(registry) ?? new Map<string, { key: string; ref: ModelInputType }>();
  inputEnums.set(registry, built);
  const values = enumValuesOf(t);
  const key = values.join('/');
  const existing = built.get(t.gql);
  if (existing) {
    if (existing.key !== key) throw new Error(`enum ${t.gql} is named for two value sets`);
    return existing.ref;
  }
  const ref = registry.builder.enumType(t.gql, {
    values: Object.fromEntries(values.map((value) => [enumValueName(value), { value }])),
  });
  built.set(t.gql, { key, ref });
  return ref;
}

/** The gateway's note on a `@oneOf` alternative (it has no parameter of its own). */
function oneOfNote(field: InputField): string {
  switch (field.name) {
    case 'id':
      return 'The id (or token) Stripe takes for this parameter.';
    case 'details':
      return 'The details Stripe takes in place of an id.';
    case 'at':
      return 'A date-time.';
    case 'value':
      return 'The value itself.';
    default:
      return `Sends Stripe's keyword \`${String(field.toWire(true))}\`.`;
  }
}

export class InputTypes {
  /** input type name → the built type */
  private readonly byName = new Map<string, Resolved>();
  /** names taken by request bodies */
  private readonly reserved = new Set<string>();

  constructor(private readonly registry: TypeRegistry) {}

  /** Reserves a top-level input name before nested types are named (they must not take it). */
  reserve(name: string): void {
    if (this.reserved.has(name)) throw new Error(`input type name "${name}" is taken twice`);
    this.reserved.add(name);
  }

  /**
   * The top-level input object of a request body, named `name` (reserved first); its fields are
   * described by the operation's parameters (`op:<operation id>.<wire>`).
   */
  body(name: string, operationId: string, params: readonly InParam[]): InputShape {
    const shape: InputShape = { name, fields: [], describedAs: `op:${operationId}` };
    shape.ref = this.registry.builder.inputType(name, { fields: (t) => this.buildFields(t, shape) });
    shape.fields = this.fieldsOf({ k: 'object', props: [...params], additional: false }, name);
    return shape;
  }

  private buildFields(
    t: InputFieldBuilder<Types, 'InputObject'>,
    shape: InputShape,
  ): Record<string, InputFieldRef<Types, unknown>> {
    const key = shape.describedAs ?? shape.name;
    return Object.fromEntries(
      shape.fields.map((f) => {
        const stripe = this.registry.describe(f.wire ? `${key}.${f.wire}` : '', f.wire ? '' : oneOfNote(f));
        const description =
          stripe === undefined
            ? undefined
            : [stripe, f.note ?? '', f.unsettable ? UNSET_NOTE : ''].filter(Boolean).join(' ');
        return [
          f.name,
          t.field({ type: f.type, required: f.required, ...describing(description || undefined) }),
        ];
      }),
    );
  }

  private fieldsOf(object: Extract<InType, { k: 'object' }>, where: string): InputField[] {
    const fields: InputField[] = [];
    const seen = new Set<string>();
    for (const prop of object.props) {
      const camel = camelCase(prop.name);
      const name = isGraphQLName(camel) ? camel : `_${camel}`;
      if (seen.has(name)) throw new Error(`input ${where}: two parameters named ${name}`);
      seen.add(name);
      const resolved = this.resolve(prop.type, `${where}.${name}`);
      fields.push({
        name,
        wire: prop.name,
        required: prop.required,
        unsettable: resolved.unsettable,
        ...(resolved.note ? { note: resolved.note } : {}),
        type: resolved.type,
        toWire: resolved.toWire,
        ...(resolved.shape ? { shape: resolved.shape } : {}),
      });
    }
    return fields;
  }

  private resolve(t: InType, where: string): Resolved {
    const plain = (type: FieldType, toWire: ToWire = identity): Resolved => ({
      type,
      toWire,
      unsettable: false,
    });
    switch (t.k) {
      case 'string':
        if (t.format === 'binary') return plain('Upload');
        if (t.id) return plain('ID');
        if (t.as === 'int') return plain('SafeInt');
        if (t.as === 'float') return plain('Float');
        if (t.enum) return plain(this.registry.enum(t.enum));
        return plain('String');
      case 'int':
        return t.as === 'time' ? plain('DateTime', toUnix) : plain('SafeInt');
      case 'float':
        return plain('Float');
      case 'bool':
        return plain('Boolean');
      case 'time':
        return plain('DateTime', toUnix);
      case 'json':
        return plain('JSON');
      case 'enum':
        if (isEmptyMarker(t)) return { type: 'Boolean', toWire: () => '', unsettable: true };
        return {
          type: enumOf(this.registry, t),
          toWire: identity,
          unsettable: t.values.includes(''),
          ...this.subsetNote(t),
        };
      case 'array': {
        const inner = this.resolve(t.of, where);
        // Stripe's parameters nest no array directly in an array (a hash sits between).
        if (Array.isArray(inner.type)) throw new Error(`${where} is a list of lists`);
        return {
          type: [inner.type],
          toWire: (v) => (v as unknown[]).map(inner.toWire),
          unsettable: false,
          ...(inner.note ? { note: inner.note } : {}),
          ...(inner.shape ? { shape: inner.shape } : {}),
        };
      }
      case 'object':
        return isShaped(t) ? this.object(t, where) : plain('JSON');
      case 'anyOf': {
        const { alts, unsettable } = alternatives(t);
        if (alts.length === 1) return { ...this.resolve(alts[0]!, where), unsettable };
        return { ...this.oneOf(t, alts, where), unsettable };
      }
    }
  }

  /**
   * A parameter that shares its field's enum but takes fewer of its values (a card is created
   * `ACTIVE` or `INACTIVE`, never `CANCELED`): the note says which, since the type cannot.
   */
  private subsetNote(t: Extract<InType, { k: 'enum' }>): { note?: string } {
    const shared = t.enum ? this.registry.model.enums[t.enum] : undefined;
    if (!shared) return {};
    const taken = enumValuesOf(t);
    const all = [...shared.values, ...(shared.filterValues ?? [])];
    if (taken.length >= all.length) return {};
    const names = taken.map((v) => enumValueName(v));
    return { note: `Stripe takes ${names.join(', ')} here.` };
  }

  private named(name: string | undefined, where: string): { name: string; existing?: Resolved } {
    if (!name) throw new Error(`input ${where} has no name: run npm run codegen`);
    if (this.reserved.has(name)) throw new Error(`input type name "${name}" is a request body's`);
    const existing = this.byName.get(name);
    return existing ? { name, existing } : { name };
  }

  private object(t: Extract<InType, { k: 'object' }>, where: string): Resolved {
    const { name, existing } = this.named(t.gql, where);
    if (existing) return existing;
    const shape: InputShape = { name, fields: [] };
    const type = this.registry.builder.inputType(name, { fields: (f) => this.buildFields(f, shape) });
    const resolved: Resolved = {
      type,
      unsettable: false,
      shape,
      toWire: (value) => objectToWire(shape, value as Record<string, unknown>),
    };
    this.byName.set(name, resolved);
    shape.fields = this.fieldsOf(t, name);
    return resolved;
  }

  /** Alternatives as a `@oneOf` input object. */
  private oneOf(t: Extract<InType, { k: 'anyOf' }>, alts: InType[], where: string): Resolved {
    const { name, existing } = this.named(t.gql, where);
    if (existing) return existing;
    const shape: InputShape = { name, fields: [] };
    const type = this.registry.builder.inputType(name, {
      isOneOf: true,
      fields: (f) => this.buildFields(f, shape),
    });
    const resolved: Resolved = {
      type,
      unsettable: false,
      shape,
      toWire: (value) => {
        const v = value as Record<string, unknown>;
        const field = fields.find((f) => v[f.name] != null);
        return field ? field.toWire(v[field.name]) : undefined;
      },
    };
    this.byName.set(name, resolved);
    const fields: InputField[] = [];
    const add = (field: string, r: Resolved, toWire: ToWire = r.toWire) => {
      if (fields.some((x) => x.name === field))
        throw new Error(`oneOf ${name}: two alternatives named ${field}`);
      fields.push({
        name: field,
        wire: '',
        required: false,
        unsettable: false,
        type: r.type,
        toWire,
        ...(r.shape ? { shape: r.shape } : {}),
      });
    };
    for (const alt of alts) {
      if (alt.k === 'enum') {
        for (const value of alt.values) {
          const field = camelCase(enumValueName(value).toLowerCase());
          add(field, { type: 'Boolean', toWire: identity, unsettable: false }, () => value);
        }
      } else if (alt.k === 'object') add('details', this.resolve(alt, `${name}.details`));
      else if (alt.k === 'string') add('id', this.resolve(alt, name));
      else if (alt.k === 'time') add('at', this.resolve(alt, name));
      else add('value', this.resolve(alt, name));
    }
    shape.fields = fields;
    return resolved;
  }
}

/** An input object value in wire form: an explicit null sends `""` (unset), an absent field nothing. */
export function objectToWire(shape: InputShape, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of shape.fields) {
    if (!(field.name in value)) continue;
    const v = value[field.name];
    if (v === undefined) continue;
    if (v === null) {
      // Explicit null unsets: Stripe's empty string, as the official SDKs send it.
      out[field.wire] = '';
      continue;
    }
    const wire = field.toWire(v);
    if (wire !== undefined) out[field.wire] = wire;
  }
  return out;
}

/**
 * Stripe's `param` (`address[postal_code]`, `items[0][price]`) as the GraphQL input path under
 * `root` (`input.address.postalCode`, `input.items.0.price`); undefined when it names no input field.
 */
export function inputPath(shape: InputShape, param: string, root = 'input'): string | undefined {
  const parts = param.split('[').map((p) => p.replace(/]$/, ''));
  const out = [root];
  let current: InputShape | undefined = shape;
  for (const part of parts) {
    if (/^\d+$/.test(part)) {
      out.push(part);
      continue;
    }
    const field: InputField | undefined = current?.fields.find((f) => f.wire === part);
    if (!field) return current ? undefined : [...out, part].join('.');
    out.push(field.name);
    // A oneOf's object alternative: the path goes through `details`.
    const details: InputField | undefined = field.shape?.fields.find(
      (f) => f.wire === '' && f.name === 'details',
    );
    if (details?.shape) {
      out.push('details');
      current = details.shape;
    } else current = field.shape;
  }
  return out.join('.');
}
