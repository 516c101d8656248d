/**
 * GraphQL arguments for Stripe query parameters (list filters, retrieve options): a GraphQL input
 * type per parameter type, and the conversion of argument values back to Stripe's wire form. Which
 * parameters hold ids and which enum a filter shares (that of the field it filters, with values
 * such as `all` joined to it) is settled at codegen (src/spec/inputs.ts); each argument carries
 * Stripe's description of its parameter at run time.
 */

import type { ArgBuilder, ArgumentRef, InputObjectRef } from '@pothos/core';
import { InvalidPathParameterError, pathParameterProblem } from '../rest/path-params.ts';
import { alternatives } from '../spec/inputs.ts';
import { camelCase, isUnixTimeName } from '../spec/naming.ts';
import type { InParam, InType, ObjectSchema } from '../spec/types.ts';
import type { Types } from './builder.ts';
import { enumOf } from './inputs.ts';
import type { ModelInputType, TypeRegistry } from './registry.ts';

/** What builds arguments: any field builder (`t.arg`). */
export interface ArgsBuilder {
  arg: ArgBuilder<Types>;
}
type Range = InputObjectRef<
  Types,
  Partial<Record<(typeof RANGE_KEYS)[number] | 'eq', Date | number | null | undefined>>
>;

export interface ArgSpec {
  /** GraphQL argument name */
  name: string;
  /** wire parameter name */
  wire: string;
  build: (t: ArgsBuilder) => ArgumentRef<Types, unknown>;
  toWire: (value: unknown) => unknown;
}

const toUnix = (value: unknown): unknown =>
  value instanceof Date ? Math.floor(value.getTime() / 1000) : value;

const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'] as const;

/**
 * How each bound of a DateTime range reaches Stripe's whole seconds so that it selects the same
 * objects (whose times are whole seconds) as the instant itself: `gte`/`lt` an instant inside a
 * second round up (`created >= S.5` is `created >= S+1`), `gt`/`lte` down (`created > S.5` is
 * `created > S`). A whole second is itself either way.
 */
const ROUNDING: Record<(typeof RANGE_KEYS)[number], (seconds: number) => number> = {
  gt: Math.floor,
  gte: Math.ceil,
  lt: Math.ceil,
  lte: Math.floor,
};

/** A range's bound on the wire: a DateTime in seconds, rounded as its operator needs; a number as is. */
const boundToWire = (key: (typeof RANGE_KEYS)[number], value: unknown): unknown =>
  value instanceof Date ? ROUNDING[key](value.getTime() / 1000) : value;

/**
 * A range as Stripe's parameter: `eq` an exact value, or the bounds given. An `eq` instant inside a
 * second equals no object's time: it becomes the empty range between the seconds around it.
 */
function rangeToWire(range: Record<string, unknown>): unknown {
  const { eq } = range;
  if (eq instanceof Date && eq.getTime() % 1000 !== 0) {
    return { gt: boundToWire('gt', eq), lt: boundToWire('lt', eq) };
  }
  if (eq != null) return toUnix(eq);
  const out: Record<string, unknown> = {};
  for (const key of RANGE_KEYS) if (range[key] != null) out[key] = boundToWire(key, range[key]);
  return out;
}

function isRange(type: InType): type is Extract<InType, { k: 'object' }> {
  return (
    type.k === 'object' &&
    type.props.length > 0 &&
    type.props.every((p) => (RANGE_KEYS as readonly string[]).includes(p.name))
  );
}

export class ArgumentTypes {
  private ranges = new Map<string, Range>();

  /** the operation of each query parameter, for its description (`op:<operation id>.<wire>`) */
  private readonly operationOf = new WeakMap<InParam, string>();

  constructor(private readonly registry: TypeRegistry) {
    for (const op of registry.model.operations) for (const p of op.query) this.operationOf.set(p, op.id);
  }

  /** `DateTimeRange` / `SafeIntRange`: Stripe's `{gt, gte, lt, lte}` filters, or an exact value `eq`. */
  private range(scalar: 'DateTime' | 'SafeInt'): Range {
    const existing = this.ranges.get(scalar);
    if (existing) return existing;
    const ref = this.registry.builder.inputType(`${scalar}Range`, {
      fields: (t) => {
        const field = (note: string) => {
          const description = this.registry.describe('', note);
          return t.field({ type: scalar, required: false, ...(description ? { description } : {}) });
        };
        return {
          eq: field('Exactly this value.'),
          gt: field('Greater than.'),
          gte: field('Greater than or equal to.'),
          lt: field('Less than.'),
          lte: field('Less than or equal to.'),
        };
      },
    });
    this.ranges.set(scalar, ref);
    return ref;
  }

  /**
   * The argument for one parameter. `item` is the schema of the objects the endpoint returns: a filter
   * named after one of its enum properties reuses that enum, and a time property makes a range a
   * DateTime range.
   */
  argFor(param: InParam, item: ObjectSchema | undefined): ArgSpec {
    const prop = item?.props.find((p) => p.name === param.name);
    const propType = prop?.type.k === 'array' ? prop.type.of : prop?.type;
    // One rule for times: `created` and `*_at` are DateTime in every list.
    const isTime = propType?.k === 'time' || isUnixTimeName(param.name);
    const required = param.required;
    const name = camelCase(param.name);
    const op = this.operationOf.get(param);
    const text = op ? this.registry.describe(`op:${op}.${param.name}`) : undefined;
    const spec = (
      type: ModelInputType | [ModelInputType],
      toWire: (v: unknown) => unknown = (v) => v,
    ): ArgSpec => ({
      name,
      wire: param.name,
      build: (t) => t.arg({ type, required, ...(text ? { description: text } : {}) }),
      toWire: (v) => (v == null ? undefined : toWire(v)),
    });
    const type = param.type;
    // A range filter, or an exact value: `created: {gte: …}` or `created: {eq: …}`.
    if ((type.k === 'anyOf' && type.of.some(isRange)) || isRange(type)) {
      const alternatives = type.k === 'anyOf' ? type.of : [type];
      const scalar = isTime || alternatives.some((t) => t.k === 'time') ? 'DateTime' : 'SafeInt';
      return spec(this.range(scalar), (value) => rangeToWire(value as Record<string, unknown>));
    }
    // A value or Stripe's `""` (unset) is the value.
    const core =
      type.k === 'anyOf' && alternatives(type).alts.length === 1 ? alternatives(type).alts[0]! : type;
    const leaf = core.k === 'array' ? core.of : core;
    const list = (ref: ModelInputType): ArgSpec => (core.k === 'array' ? spec([ref]) : spec(ref));
    // An id (`customer=cus_…`, `ids[]=…`) or an enum, as codegen settled it.
    if (leaf.k === 'string' && leaf.id) return list('ID');
    if (leaf.k === 'string' && leaf.enum) return list(this.registry.enum(leaf.enum));
    if (leaf.k === 'enum') return list(enumOf(this.registry, leaf));
    const scalar = this.scalarFor(type, isTime);
    if (scalar) return spec(scalar.type, scalar.toWire);
    if (type.k === 'array') {
      const inner = this.scalarFor(type.of, isTime);
      if (inner) return spec([inner.type], (v) => (v as unknown[]).map(inner.toWire));
    }
    if (type.k === 'anyOf') {
      // A value or an empty string ("unset"), or several scalars: the first scalar alternative.
      const first = type.of.map((t) => this.scalarFor(t, isTime)).find(Boolean);
      if (first && type.of.every((t) => t.k !== 'object' && t.k !== 'array'))
        return spec(first.type, first.toWire);
    }
    return spec('JSON');
  }

  private scalarFor(
    type: InType,
    isTime: boolean,
  ):
    | { type: 'String' | 'DateTime' | 'SafeInt' | 'Float' | 'Boolean'; toWire: (v: unknown) => unknown }
    | undefined {
    switch (type.k) {
      case 'string':
        return { type: 'String', toWire: (v) => v };
      case 'int':
        return isTime ? { type: 'DateTime', toWire: toUnix } : { type: 'SafeInt', toWire: (v) => v };
      case 'time':
        return { type: 'DateTime', toWire: toUnix };
      case 'float':
        return { type: 'Float', toWire: (v) => v };
      case 'bool':
        return { type: 'Boolean', toWire: (v) => v };
      default:
        return undefined;
    }
  }
}

/** Converts GraphQL argument values to wire parameters, dropping absent ones. */
export function wireParams(
  specs: readonly ArgSpec[],
  args: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const value = spec.toWire(args[spec.name]);
    if (value !== undefined) out[spec.wire] = value;
  }
  return out;
}

/**
 * Refuses, named by its GraphQL argument, an id argument that cannot fill the URL path (empty, a
 * dot segment, a slash…): the REST client would refuse it too, but under Stripe's name of the path
 * parameter (`customer` for `customer(id:)`), which is no argument of the field.
 */
export function checkPathArguments(args: Readonly<Record<string, unknown>>, names: readonly string[]): void {
  for (const name of names) {
    const value = args[name];
    if (value == null) continue;
    const problem = pathParameterProblem(String(value));
    if (problem !== undefined) throw new InvalidPathParameterError(name, problem);
  }
}
