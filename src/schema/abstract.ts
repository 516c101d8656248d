/**
 * Abstract-type resolution for every union and interface of the schema (the model's unions, the
 * deleted-form unions of delete mutations, `Node`, federation's `_Entity`), decided in one place.
 *
 * A Stripe object says what it is with `object` and `deleted`; each object type of the schema
 * knows its pair (`extensions.stripeObject`, set by the registry). An abstract type resolves a
 * value to the member with the same pair. What no member represents (a deleted source in
 * `PaymentSourceDeleteResult`, which has no deleted-source member; a bare id where an object was
 * expected; an object of a kind the union does not hold) is a typed field error raised by the field
 * that returned it, never by the type resolver: graphql-jit calls type resolvers inside the
 * promise callbacks of its compiled code, where a throw is an unhandled rejection that stops the
 * process (and leaves the request waiting). So the type resolvers and `isTypeOf` checks installed
 * here never throw, and every field whose type is abstract checks its value first.
 */
import {
  type GraphQLAbstractType,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
  getNamedType,
  getNullableType,
  isAbstractType,
  isInterfaceType,
  isListType,
  isObjectType,
} from 'graphql';
import { isPromise } from '../loaders/promises.ts';
import type { StripeObject } from '../loaders/requests.ts';
import { userError } from './errors.ts';

/** What a GraphQL object type holds on the wire: Stripe's `object` and whether it is the deleted form. */
export interface StripeObjectKind {
  object: string;
  /** the deleted form (`deleted: true`), the live one, or a live type that may say `deleted` (`apps.secret`) */
  deleted: boolean | 'either';
}

/** The extensions an object type built from a Stripe schema with an `object` carries. */
export function objectKindExtensions(kind: StripeObjectKind): Record<string, unknown> {
  return { stripeObject: kind };
}

function kindOf(type: GraphQLObjectType): StripeObjectKind | undefined {
  const kind = type.extensions?.stripeObject as StripeObjectKind | undefined;
  return kind && typeof kind.object === 'string' ? kind : undefined;
}

const keyOf = (object: unknown, deleted: unknown) => `${String(object)}:${deleted === true}`;

/** How one abstract type tells its members apart. */
interface Resolution {
  readonly name: string;
  /** `${object}:${deleted}` → member type name */
  readonly byKind: ReadonlyMap<string, string>;
  /** member type names (a value naming one in `__typename` resolves to it: federation, tests) */
  readonly members: ReadonlySet<string>;
}

function memberOf(resolution: Resolution, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as StripeObject;
  const byKind = resolution.byKind.get(keyOf(v.object, v.deleted));
  if (byKind) return byKind;
  const named = v.__typename;
  return typeof named === 'string' && resolution.members.has(named) ? named : undefined;
}

/** The typed error for a value an abstract type has no member for. */
function unrepresentable(resolution: Resolution, value: unknown): Error {
  if (typeof value !== 'object' || value === null) {
    return userError(
      'NOT_RESOLVABLE',
      `${resolution.name} cannot represent ${typeof value === 'string' ? `the bare id ${value}` : `a ${typeof value}`}`,
    );
  }
  const v = value as StripeObject;
  const what = typeof v.object === 'string' ? v.object : 'unknown';
  const id = typeof v.id === 'string' ? v.id : undefined;
  if (v.deleted === true) {
    return userError(
      'DELETED',
      `${id ?? `The ${what}`} has been deleted; ${resolution.name} has no type for a deleted ${what}`,
      { ...(id ? { id } : {}), object: what },
    );
  }
  return userError('NOT_RESOLVABLE', `${resolution.name} cannot represent a "${what}" object`, {
    ...(id ? { id } : {}),
    object: what,
  });
}

/** A value, a list of values or a promise of either, each checked; a bad list item fails alone. */
function checked(resolution: Resolution, list: boolean, value: unknown): unknown {
  if (value == null) return value;
  if (isPromise(value)) {
    return value.then((v) => checked(resolution, list, v));
  }
  if (list && Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item == null || isPromise(item)) {
        if (item != null) {
          copy ??= [...value];
          copy[i] = checked(resolution, false, item);
        }
        continue;
      }
      if (memberOf(resolution, item) === undefined) {
        copy ??= [...value];
        copy[i] = Promise.reject(unrepresentable(resolution, item));
      }
    }
    return copy ?? value;
  }
  if (memberOf(resolution, value) === undefined) throw unrepresentable(resolution, value);
  return value;
}

function ownResolution(type: GraphQLObjectType, kind: StripeObjectKind): Resolution {
  const forms = kind.deleted === 'either' ? [true, false] : [kind.deleted];
  return {
    name: type.name,
    byKind: new Map(forms.map((deleted) => [keyOf(kind.object, deleted), type.name])),
    members: new Set(),
  };
}

/** Whether a Stripe object is of the kind an object type holds (its `isTypeOf`). */
export function isOfKind(value: unknown, kind: StripeObjectKind): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as StripeObject;
  return v.object === kind.object && (kind.deleted === 'either' || (v.deleted === true) === kind.deleted);
}

/** Whether a field's type is a list (nullable or not). */
export function isListOf(type: GraphQLType): boolean {
  return isListType(getNullableType(type));
}

/**
 * Installs the resolution on every abstract type of `schema` and wraps every field that returns
 * one; `isTypeOf` checks are made unable to throw. Returns the schema (changed in place).
 */
export function guardAbstractTypes(schema: GraphQLSchema): GraphQLSchema {
  const resolutions = new Map<string, Resolution>();
  const resolutionOf = (type: GraphQLAbstractType): Resolution => {
    let resolution = resolutions.get(type.name);
    if (resolution) return resolution;
    const byKind = new Map<string, string>();
    const members = new Set<string>();
    // An exact form first; a type that may be either takes the keys left.
    for (const exact of [true, false]) {
      for (const member of schema.getPossibleTypes(type)) {
        members.add(member.name);
        const kind = kindOf(member);
        if (!kind || (kind.deleted === 'either') === exact) continue;
        for (const deleted of kind.deleted === 'either' ? [true, false] : [kind.deleted]) {
          if (!byKind.has(keyOf(kind.object, deleted))) byKind.set(keyOf(kind.object, deleted), member.name);
        }
      }
    }
    resolution = { name: type.name, byKind, members };
    resolutions.set(type.name, resolution);
    return resolution;
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isAbstractType(type)) {
      const resolution = resolutionOf(type);
      // Never throws: an undefined type is reported by the executor as a field error, and the
      // fields below have already refused what no member represents.
      type.resolveType = (value: unknown) => memberOf(resolution, value);
      continue;
    }
    if (isObjectType(type) && type.isTypeOf) {
      const isTypeOf = type.isTypeOf;
      type.isTypeOf = (value, context, info) => {
        try {
          return typeof value === 'object' && value !== null && isTypeOf(value, context, info) === true;
        } catch {
          return false;
        }
      };
    }
  }
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      // An object type is checked where a whole Stripe object arrives (a root field, a mutation's
      // result, a reference): a deleted secret where `AppsSecret` is expected is DELETED, not a
      // failed `isTypeOf`. Sub-objects embedded in their parent always match their type.
      const kind = isObjectType(named) ? kindOf(named) : undefined;
      const arrives = roots.has(type as GraphQLObjectType) || Boolean(field.extensions?.stripePlan);
      if (!isAbstractType(named) && !(kind && arrives)) continue;
      const resolution = isAbstractType(named)
        ? resolutionOf(named)
        : ownResolution(named as GraphQLObjectType, kind!);
      const list = isListOf(field.type);
      const resolve: GraphQLFieldResolver<unknown, unknown> =
        field.resolve ?? ((source, _args, _ctx, info) => (source as StripeObject)?.[info.fieldName]);
      field.resolve = (source, args, context, info) =>
        checked(resolution, list, resolve(source, args, context, info));
    }
  }
  return schema;
}
