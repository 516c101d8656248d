/**
 * GraphQL input types for Stripe request bodies, generated from the model's `InParam`s, and the
 * conversion of input values back to Stripe's wire form.
 *
 * - Names are camelCase, mapped back to the wire's snake_case.
 * - Enums reuse an output enum with exactly the same values where there is one, else get their own.
 * - Nested objects are input objects; free-form hashes (`metadata`) are JSON.
 * - `anyOf` with Stripe's empty string (`""`, "unset") is the other alternative. An explicit `null`
 *   in the input sends `""`, as the official SDKs do: that is how a client unsets a field (Stripe
 *   answers 400 where a field cannot be unset); a field left out is not sent.
 * - Other alternatives (a token or a card hash, `now` or a time) are `@oneOf` input objects: `id` for a
 *   string, `at` for a time, `value` for a number or boolean, `details` for an object (several object
 *   alternatives are merged into one), and one `Boolean` field per enum value (`{ now: true }`).
 * - Input object names are short and deterministic: a nested object is `<Param>Input` when every
 *   object under that parameter name has the same shape, else the first free of
 *   `<ParentParam><Param>Input` and the longer chains of its parents, in model order; identical shapes
 *   share one type, named after the parameter that carries it most often.
 */
import {
  camelCase,
  enumValueName,
  isGraphQLName,
  pascalCase,
  shortenedName,
  TYPE_NAME_LIMIT,
} from '../spec/naming.ts';
import type { InParam, InType } from '../spec/types.ts';
import type { TypeRegistry } from './registry.ts';

type Ref = any;

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
  /** the GraphQL type, in Pothos's `t.field({ type })` form */
  type: Ref;
  toWire: ToWire;
  /** the input object under this field (for mapping Stripe's `param` back to an input path) */
  shape?: InputShape;
}

export interface InputShape {
  name: string;
  fields: InputField[];
  /** the GraphQL input object */
  ref?: Ref;
}

interface Resolved {
  type: Ref;
  toWire: ToWire;
  unsettable: boolean;
  shape?: InputShape;
}

const isEmptyMarker = (t: InType) => t.k === 'enum' && t.values.length === 1 && t.values[0] === '';
const identity: ToWire = (v) => v;
const toUnix: ToWire = (v) => (v instanceof Date ? Math.floor(v.getTime() / 1000) : v);

const signatures = new WeakMap<InType, string>();

/** A structural signature of an input type: identical shapes share a GraphQL type (memoised). */
function signature(t: InType): string {
  const known = signatures.get(t);
  if (known !== undefined) return known;
  let sig: string;
  switch (t.k) {
    case 'object':
      sig = `{${t.props.map((p) => `${p.name}${p.required ? '!' : ''}:${signature(p.type)}`).join(',')}${t.additional ? ',*' : ''}}`;
      break;
    case 'array':
      sig = `[${signature(t.of)}]`;
      break;
    case 'anyOf':
      sig = `(${t.of.map(signature).join('|')})`;
      break;
    case 'enum':
      sig = `<${t.values.join('/')}>`;
      break;
    default:
      sig = t.k;
  }
  signatures.set(t, sig);
  return sig;
}

/** The alternatives of an anyOf without Stripe's `""` marker; several objects merged into one. */
function alternatives(t: Extract<InType, { k: 'anyOf' }>): { alts: InType[]; unsettable: boolean } {
  const unsettable = t.of.some(isEmptyMarker);
  const rest = t.of.filter((x) => !isEmptyMarker(x));
  const objects = rest.filter((x): x is Extract<InType, { k: 'object' }> => x.k === 'object');
  if (objects.length < 2) return { alts: rest, unsettable };
  const merged = new Map<string, InParam>();
  for (const object of objects) {
    for (const prop of object.props) {
      const inAll = objects.every((o) => o.props.some((p) => p.name === prop.name && p.required));
      if (!merged.has(prop.name)) merged.set(prop.name, { ...prop, required: inAll });
    }
  }
  const object: InType = {
    k: 'object',
    props: [...merged.values()],
    additional: objects.some((o) => o.additional),
  };
  return { alts: [object, ...rest.filter((x) => x.k !== 'object')], unsettable };
}

/** An object type GraphQL can express as an input object (else it is JSON). */
const isShaped = (t: InType): t is Extract<InType, { k: 'object' }> => t.k === 'object' && t.props.length > 0;

export class InputTypes {
  /** input type name → signature, to refuse two shapes under one name */
  private readonly names = new Map<string, string>();
  /** signature → the built type */
  private readonly bySignature = new Map<string, Resolved>();
  /** param name → the distinct object shapes under that name, across every write */
  private readonly shapesByName = new Map<string, Set<string>>();
  /** signature → how often each parameter name carries it */
  private readonly namesBySignature = new Map<string, Map<string, number>>();
  /** signature → the name its type is named after: the parameter name that carries it most often */
  private readonly nameOfSignature = new Map<string, string>();
  /** enum value set → every output enum with those values */
  private readonly outputEnumsByValues = new Map<string, { gql: string; ref: Ref }[]>();
  /** input enums built here, by value set */
  private readonly inputEnums = new Map<string, Ref>();
  private readonly outputNames: ReadonlySet<string>;

  constructor(
    private readonly registry: TypeRegistry,
    bodies: readonly (readonly InParam[])[],
  ) {
    for (const body of bodies) for (const p of body) this.collect(p.name, p.type);
    for (const [sig, counts] of this.namesBySignature) {
      const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
      this.nameOfSignature.set(sig, best);
      const shapes = this.shapesByName.get(best) ?? new Set();
      shapes.add(sig);
      this.shapesByName.set(best, shapes);
    }
    const { objects, enums: outEnums, unions } = registry.model;
    this.outputNames = new Set(
      [...Object.values(objects), ...Object.values(outEnums), ...Object.values(unions)].map((s) => s.gql),
    );
    const enums = Object.values(registry.model.enums).sort((a, b) => a.gql.localeCompare(b.gql));
    for (const schema of enums) {
      const key = [...schema.values].sort().join('/');
      const list = this.outputEnumsByValues.get(key) ?? [];
      list.push({ gql: schema.gql, ref: registry.enums.get(schema.name) });
      this.outputEnumsByValues.set(key, list);
    }
  }

  private collect(name: string, t: InType): void {
    if (t.k === 'array') {
      this.collect(name, t.of);
      return;
    }
    if (t.k === 'anyOf') {
      const { alts } = alternatives(t);
      if (alts.length === 1) {
        this.collect(name, alts[0]!);
        return;
      }
      this.count(signature({ k: 'anyOf', of: alts }), name);
      for (const alt of alts) if (alt.k === 'object') for (const p of alt.props) this.collect(p.name, p.type);
      return;
    }
    if (!isShaped(t)) return;
    this.count(signature(t), name);
    for (const p of t.props) this.collect(p.name, p.type);
  }

  private count(sig: string, name: string): void {
    const counts = this.namesBySignature.get(sig) ?? new Map<string, number>();
    counts.set(name, (counts.get(name) ?? 0) + 1);
    this.namesBySignature.set(sig, counts);
  }

  /** The top-level input object of a request body, named `name`. */
  /** Reserves a top-level input name before nested types are named (they must not take it). */
  reserve(name: string): void {
    this.claim(name, `body:${name}`);
  }

  /**
   * The top-level input object of a request body, named `name` (reserved first); nested types are
   * named after `noun` (`CustomerShippingInput`), else after the body (`UpdateCustomerShippingInput`).
   */
  body(name: string, noun: string, params: readonly InParam[]): InputShape {
    const shape: InputShape = { name, fields: [] };
    shape.ref = this.registry.builder.inputType(name, { fields: (t: Ref) => this.buildFields(t, shape) });
    const object: InType = { k: 'object', props: [...params], additional: false };
    shape.fields = this.fieldsOf(object, [noun, name.replace(/Input$/, '')]);
    return shape;
  }

  private claim(name: string, sig: string): void {
    if (!this.tryClaim(name, sig)) throw new Error(`input type name "${name}" is taken by another shape`);
  }

  private tryClaim(name: string, sig: string): boolean {
    const existing = this.names.get(name);
    if ((existing !== undefined && existing !== sig) || this.outputNames.has(name)) return false;
    this.names.set(name, sig);
    return true;
  }

  /** The first free name of `candidates` (bases, without the suffix) for this shape. */
  private pick(bases: readonly string[], used: string, suffix: string, sig: string): string {
    const param = this.nameOfSignature.get(sig) ?? used;
    const single = (this.shapesByName.get(param)?.size ?? 0) <= 1;
    const all = [
      ...(single ? [`${pascalCase(param)}${suffix}`] : []),
      ...bases.map((b) => `${b}${pascalCase(param)}${suffix}`),
    ];
    // Names within the limit first; a longer one shortened by the output types' rules.
    const candidates = [
      ...all.filter((c) => c.length <= TYPE_NAME_LIMIT),
      ...all.filter((c) => c.length > TYPE_NAME_LIMIT).map(shortenedName),
    ];
    const name = candidates.find((c) => this.tryClaim(c, sig));
    if (!name) throw new Error(`no free input type name among ${candidates.join(', ')}`);
    return name;
  }

  private buildFields(t: Ref, shape: InputShape): Record<string, Ref> {
    return Object.fromEntries(
      shape.fields.map((f) => [
        f.name,
        t.field({
          type: f.type,
          required: f.required,
          // The runtime schema says where Stripe documents an empty value (the printed SDL has no prose).
          description: f.unsettable
            ? this.registry.describe('', 'Send null to unset (Stripe accepts an empty value here).')
            : undefined,
        }),
      ]),
    );
  }

  /** `bases`: name prefixes for nested types, preferred first. */
  private fieldsOf(object: Extract<InType, { k: 'object' }>, bases: readonly string[]): InputField[] {
    const fields: InputField[] = [];
    const seen = new Set<string>();
    for (const prop of object.props) {
      const camel = camelCase(prop.name);
      const name = isGraphQLName(camel) ? camel : `_${camel}`;
      if (seen.has(name)) throw new Error(`input ${bases[0]}: two parameters named ${name}`);
      seen.add(name);
      const resolved = this.resolve(prop.type, prop.name, bases);
      fields.push({
        name,
        wire: prop.name,
        required: prop.required,
        unsettable: resolved.unsettable,
        type: resolved.type,
        toWire: resolved.toWire,
        ...(resolved.shape ? { shape: resolved.shape } : {}),
      });
    }
    return fields;
  }

  private resolve(t: InType, param: string, bases: readonly string[]): Resolved {
    switch (t.k) {
      case 'string':
        if (t.format === 'binary') return { type: 'Upload', toWire: identity, unsettable: false };
        return { type: 'String', toWire: identity, unsettable: false };
      case 'int':
        return { type: 'SafeInt', toWire: identity, unsettable: false };
      case 'float':
        return { type: 'Float', toWire: identity, unsettable: false };
      case 'bool':
        return { type: 'Boolean', toWire: identity, unsettable: false };
      case 'time':
        return { type: 'DateTime', toWire: toUnix, unsettable: false };
      case 'json':
        return { type: 'JSON', toWire: identity, unsettable: false };
      case 'enum':
        if (isEmptyMarker(t)) return { type: 'Boolean', toWire: () => '', unsettable: true };
        return { type: this.enumFor(t.values, param, bases), toWire: identity, unsettable: false };
      case 'array': {
        const inner = this.resolve(t.of, param, bases);
        return {
          type: [inner.type],
          toWire: (v) => (v as unknown[]).map(inner.toWire),
          unsettable: false,
          ...(inner.shape ? { shape: inner.shape } : {}),
        };
      }
      case 'object':
        return isShaped(t)
          ? this.object(t, param, bases)
          : { type: 'JSON', toWire: identity, unsettable: false };
      case 'anyOf': {
        const { alts, unsettable } = alternatives(t);
        if (alts.length === 1) return { ...this.resolve(alts[0]!, param, bases), unsettable };
        return { ...this.oneOf(alts, param, bases), unsettable };
      }
    }
  }

  private object(t: Extract<InType, { k: 'object' }>, param: string, bases: readonly string[]): Resolved {
    const sig = signature(t);
    const existing = this.bySignature.get(sig);
    if (existing) return existing;
    const name = this.pick(bases, param, 'Input', sig);
    const shape: InputShape = { name, fields: [] };
    const type = this.registry.builder.inputType(name, { fields: (f: Ref) => this.buildFields(f, shape) });
    const resolved: Resolved = {
      type,
      unsettable: false,
      shape,
      toWire: (value) => objectToWire(shape, value as Record<string, unknown>),
    };
    this.bySignature.set(sig, resolved);
    shape.fields = this.fieldsOf(t, nestedBasesOf(name, bases, param));
    return resolved;
  }

  /** Alternatives as a `@oneOf` input object. */
  private oneOf(alts: InType[], param: string, bases: readonly string[]): Resolved {
    const sig = signature({ k: 'anyOf', of: alts });
    const existing = this.bySignature.get(sig);
    if (existing) return existing;
    const name = this.pick(bases, param, 'Input', sig);
    const inner = nestedBasesOf(name, bases, param);
    const shape: InputShape = { name, fields: [] };
    const type = this.registry.builder.inputType(name, {
      isOneOf: true,
      fields: (f: Ref) => this.buildFields(f, shape),
    });
    const fields: InputField[] = [];
    const add = (field: string, resolved: Resolved, toWire: ToWire = resolved.toWire) => {
      if (fields.some((x) => x.name === field))
        throw new Error(`oneOf ${name}: two alternatives named ${field}`);
      fields.push({
        name: field,
        wire: '',
        required: false,
        unsettable: false,
        type: resolved.type,
        toWire,
        ...(resolved.shape ? { shape: resolved.shape } : {}),
      });
    };
    for (const alt of alts) {
      if (alt.k === 'enum') {
        for (const value of alt.values) {
          const field = camelCase(enumValueName(value).toLowerCase());
          add(field, { type: 'Boolean', toWire: identity, unsettable: false }, () => value);
        }
      } else if (alt.k === 'object') add('details', this.resolve(alt, `${param}_details`, bases));
      else if (alt.k === 'string') add('id', this.resolve(alt, param, inner));
      else if (alt.k === 'time') add('at', this.resolve(alt, param, inner));
      else add('value', this.resolve(alt, param, inner));
    }
    shape.fields = fields;
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
    this.bySignature.set(sig, resolved);
    return resolved;
  }

  /** An enum: the output enum with the same values where there is one, else a new one. */
  private enumFor(values: string[], param: string, bases: readonly string[]): Ref {
    const key = [...values].sort().join('/');
    // The output enum with these values whose name ends with the parameter's, else the shortest.
    const outputs = this.outputEnumsByValues.get(key);
    if (outputs) {
      const suffix = pascalCase(param);
      const rank = (e: { gql: string }) => (e.gql.endsWith(suffix) ? 0 : 1);
      return [...outputs].sort(
        (a, b) => rank(a) - rank(b) || a.gql.length - b.gql.length || a.gql.localeCompare(b.gql),
      )[0]!.ref;
    }
    const built = this.inputEnums.get(key);
    if (built) return built;
    const gqlValues = values.map(enumValueName);
    // Values that do not map to distinct GraphQL names (time zones: `America/Buenos_Aires` and
    // `America/Argentina/Buenos_Aires`...) stay strings, as Stripe sends them.
    if (new Set(gqlValues).size !== gqlValues.length) return 'String';
    const name = this.pick(bases, param, '', `enum:${key}`);
    const ref = this.registry.builder.enumType(name, {
      values: Object.fromEntries(values.map((value, i) => [gqlValues[i]!, { value }])),
    });
    this.inputEnums.set(key, ref);
    return ref;
  }
}

/** Name prefixes for the types nested in `name` (built for `param` under `bases`). */
function nestedBasesOf(name: string, bases: readonly string[], param: string): string[] {
  const own = name.replace(/Input$/, '');
  // Shortest first: the parent parameter's name (`AcssDebit` + `MandateOptions`), then the chain.
  const candidates = [pascalCase(param), own, ...bases.map((b) => `${b}${pascalCase(param)}`)];
  return [...new Set(candidates)];
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
