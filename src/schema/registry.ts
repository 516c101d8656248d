/**
 * Turns the model into GraphQL types in one loop: an object type per object schema, an enum per
 * enum, a union per union, the `Node` interface on every resource with an id. Fields follow the
 * model's properties one to one (camelCase names, the spec's nullability); an expandable property
 * `x` becomes `x` (the object, taken inline or loaded) and `xId`.
 */
import type {
  EnumRef,
  FieldRef,
  InputRef,
  InterfaceRef,
  ObjectFieldBuilder,
  OutputRef,
  UnionRef,
} from '@pothos/core';
import { GraphQLError } from 'graphql';
import { idOf, type StripeObject } from '../loaders/requests.ts';
import { inherit, type UpstreamSession } from '../loaders/session.ts';
import { slot } from '../loaders/slot.ts';
import { camelCase, isGraphQLName } from '../spec/naming.ts';
import { ID_PREFIXES, resourceForId, UNPREFIXED_IDS } from '../spec/prefixes.ts';
import { candidateForId, type ResourceIndex } from '../spec/resources.ts';
import type { Model, ObjectSchema, OutProp, OutType } from '../spec/types.ts';
import { isOfKind, objectKindExtensions } from './abstract.ts';
import type { Builder, StripeObjectRef, Types } from './builder.ts';
import { sessionForAccount } from './connect.ts';
import { type GatewayContext, sessionOf } from './context.ts';
import { deletedError, unknownEnumValue, userError } from './errors.ts';
import { isMerchantChosen, qualifyId } from './ids.ts';
import {
  accountProperty,
  OTHER_ACCOUNT_REFERENCES,
  PLATFORM,
  planExtensions,
  wireExtensions,
} from './plans.ts';
import { previewMark } from './preview.ts';

/** An enum from the model: Stripe's wire strings in and out. */
export type StripeEnumRef = EnumRef<Types, string, string>;
/** A union of Stripe objects, told apart by `object` and `deleted`. */
export type StripeUnionRef = UnionRef<Types, StripeObject>;
/** A field's type from the model: a scalar's name or a built type (shapes vary, hence unknown). */
export type ModelOutputType = keyof Types['outputShapes'] | OutputRef<unknown>;
/** An argument's or input field's type from the model: a scalar's name or a built input type. */
export type ModelInputType = keyof Types['inputShapes'] | InputRef<unknown>;
/** The field builder of a Stripe object type. */
export type StripeFieldBuilder = ObjectFieldBuilder<Types, StripeObject>;
/** A field of a Stripe object type, as `fields` returns it. */
type StripeField = FieldRef<Types, unknown, 'Object'>;

/** A type's or field's `description` option, left out when there is none (exact optional types). */
export function describing(description: string | undefined): { description?: string } {
  return description === undefined ? {} : { description };
}

/** A Stripe object's `id`, as the `ID` and `String` fields that expose it read it. */
const stripeId = (object: StripeObject) => object.id as string;

export interface RegistryOptions {
  /** Stripe's descriptions, keyed `Type` / `Type.wire_field`; omitted from the printed SDL. */
  descriptions?: Record<string, string> | undefined;
}

/** A property's GraphQL field names: the property itself and, for expandable ids, `xId`/`xIds`. */
export function fieldNames(prop: OutProp): { field: string; idField?: string } {
  const field = prop.gql ?? camelCase(prop.name);
  const safe = isGraphQLName(field) ? field : `_${field}`;
  const base = prop.type.k === 'array' ? prop.type.of : prop.type;
  if (base.k !== 'ref') return { field: safe };
  // The ids of `accountTaxIds` (TaxId objects) are `accountTaxIdIds`, not `accountTaxIdsIds`.
  if (prop.type.k === 'array') return { field: safe, idField: `${safe.replace(/Ids$/, 'Id')}Ids` };
  return { field: safe, idField: `${safe}Id` };
}

export class TypeRegistry {
  readonly objects = new Map<string, StripeObjectRef>();
  readonly enums = new Map<string, StripeEnumRef>();
  readonly unions = new Map<string, StripeUnionRef>();
  readonly node: InterfaceRef<Types, StripeObject>;
  /** `${object}:${deleted}` → GraphQL type name, for resolveType */
  private readonly typeByObject = new Map<string, string>();

  constructor(
    readonly builder: Builder,
    readonly model: Model,
    readonly index: ResourceIndex,
    private readonly options: RegistryOptions = {},
  ) {
    this.node = builder.interfaceRef<StripeObject>('Node').implement({
      ...describing(this.describe('Node', 'An object with a Stripe id, refetchable through node(id).')),
      fields: (t) => ({ id: t.id({ nullable: false, resolve: stripeId }) }),
      // Resolved by `object` and `deleted`, with every abstract type (src/schema/abstract.ts).
    });
    for (const schema of Object.values(model.objects)) {
      this.objects.set(schema.name, builder.objectRef<StripeObject>(schema.gql));
      if (schema.object) {
        const key = `${schema.object}:${schema.props.some((p) => p.name === 'deleted')}`;
        if (schema.resource && !this.typeByObject.has(key)) this.typeByObject.set(key, schema.gql);
      }
    }
    for (const schema of Object.values(model.enums)) this.buildEnum(schema.name);
    for (const schema of Object.values(model.unions)) this.buildUnion(schema.name);
    for (const schema of Object.values(model.objects)) this.buildObject(schema);
  }

  /** The object type of a model object schema; a name the model lacks is a generator bug. */
  object(name: string): StripeObjectRef {
    return defined(this.objects.get(name), 'object type', name);
  }

  /** The enum type of a model enum; a name the model lacks is a generator bug. */
  enum(name: string): StripeEnumRef {
    return defined(this.enums.get(name), 'enum', name);
  }

  /** A description to attach, or undefined when descriptions are off (the printed SDL has none). */
  describe(key: string, fallback?: string): string | undefined {
    if (!this.options.descriptions) return undefined;
    return this.options.descriptions[key] ?? fallback;
  }

  /**
   * A type implements `Node` only if `node(id:)` fetches it: a live resource with a by-id retrieve
   * whose id prefix routes to it (src/spec/prefixes.ts). Coupons (ids chosen by the user), cards,
   * bank accounts, persons, capabilities (read through a parent) and plans (their `price_` prefix
   * routes to Price) are not.
   */
  isNode(schema: ObjectSchema): boolean {
    if (!schema.resource || schema.deletedOf || !this.index.retrieveByIdOf(schema.name)) return false;
    const kind = this.idKind(schema);
    if (kind !== 'id' && kind !== 'qualified') return false;
    const prefix = ID_PREFIXES[schema.resource];
    const match = prefix === undefined ? undefined : resourceForId(`${prefix}0`);
    return match?.kind === 'match' && match.resource === schema.name;
  }

  /**
   * How an object's `id` property reads (one rule for every type, so that union members agree):
   * `id` — `id: ID!`, Stripe's id (every resource, sub-objects that always carry one);
   * `composite` — `id: ID!` composed as `<parent id>/<Stripe id>` for a resource whose Stripe id is
   * unique only under its parent (a capability's id is its name, `card_payments`), with Stripe's own
   * value in `stripeId: String!`; `qualified` — `id: ID!` qualified by the connected account it
   * was read as (`acct_1…/SUMMER25`; Stripe's id on the platform) for a resource whose id the
   * merchant may choose (src/schema/ids.ts), Stripe's own value in `stripeId: String!`; `deleted` —
   * `deletedId: ID!` on a deleted form, which names the object deleted without taking its identity
   * in a client cache; `stripeId` — a sub-object whose id Stripe may omit
   * (`NotificationEventRequest.id`) reads as `stripeId: ID`, since it names something else;
   * undefined — no string `id` (a property named `id` holding an object is renamed in the naming
   * table, src/spec/overrides.ts).
   */
  idKind(schema: ObjectSchema): IdKind | undefined {
    const id = schema.props.find((p) => p.name === 'id');
    if (id?.type.k !== 'string' || id.gql) return undefined;
    if (schema.deletedOf) return 'deleted';
    if (this.idParent(schema)) return 'composite';
    if (isMerchantChosen(this.model, schema.name)) return 'qualified';
    return schema.resource || !isOptional(id) ? 'id' : 'stripeId';
  }

  /**
   * The property naming the parent of a resource whose ids carry no prefix and are read under a
   * parent (`GET /v1/accounts/{account}/capabilities/{capability}`: `capability.account`).
   */
  idParent(schema: ObjectSchema): string | undefined {
    if (!schema.resource || schema.deletedOf || ID_PREFIXES[schema.resource] !== undefined) return undefined;
    if (schema.resource in UNPREFIXED_IDS) return undefined;
    const parent = this.index.retrieveOf(schema.name)?.parents?.at(-1)?.param;
    return parent && schema.props.some((p) => p.name === parent) ? parent : undefined;
  }

  /** The GraphQL object type of a Stripe object, from `object` and `deleted`. */
  resolveObjectType(value: StripeObject): string {
    const key = `${String(value.object)}:${value.deleted === true}`;
    const name = this.typeByObject.get(key);
    if (!name)
      throw new GraphQLError(`Cannot tell the GraphQL type of a Stripe object "${String(value.object)}"`);
    return name;
  }

  private buildEnum(name: string): void {
    const schema = this.model.enums[name]!;
    // A filter's own values (`ALL`) are the enum's too (src/spec/inputs.ts), said so at run time.
    const filterOnly = this.describe('', 'Only a list filter takes this value; Stripe never returns it.');
    const values = Object.fromEntries([
      ...schema.gqlValues.map((gqlValue, i) => [gqlValue, { value: schema.values[i]! }]),
      ...(schema.filterGqlValues ?? []).map((gqlValue, i) => [
        gqlValue,
        { value: schema.filterValues![i]!, description: filterOnly },
      ]),
    ]);
    this.enums.set(
      name,
      this.builder.enumType(schema.gql, {
        values,
        ...previewMark(schema.preview, this.describe(schema.gql)),
      }),
    );
  }

  private buildUnion(name: string): void {
    const schema = this.model.unions[name]!;
    // Members are told apart by `object` and `deleted`, as every abstract type is
    // (src/schema/abstract.ts); what none represents is a typed error at the field.
    this.unions.set(
      name,
      this.builder.unionType(schema.gql, { types: schema.members.map((m) => this.object(m)) }),
    );
  }

  /** The live resources a reference may point at (a union's deleted forms are read as the live one). */
  private liveTargets(type: Extract<OutType, { k: 'ref' }>): string[] {
    return type.to.k === 'object'
      ? [type.to.name]
      : this.model.unions[type.to.name]!.members.filter((m) => !this.model.objects[m]?.deletedOf);
  }

  /**
   * A reference's fetch plan: the retrieve it loads by when one operation serves every target
   * (batched when its list takes `ids[]`), and the parent's property it folds into, if expandable.
   */
  private refPlan(
    type: Extract<OutType, { k: 'ref' }>,
    fold: string | undefined,
    account: string | undefined,
  ): Record<string, unknown> {
    const ops = new Set(this.liveTargets(type).map((t) => this.index.retrieveByIdOf(t)));
    const op = ops.size === 1 ? [...ops][0] : undefined;
    if (account) return planExtensions({ operation: op?.id ?? 'expand', shape: 'object', account });
    return planExtensions(
      {
        operation: op?.id ?? 'expand',
        shape: 'object',
        ...(ops.size === 1 && !op ? { unretrievable: true } : {}),
        ...(op && this.index.batchReadOf(op.path) ? { batch: true } : {}),
      },
      // One Stripe does not expand (`source.customer`) is read by id, never folded.
      fold ? { wire: fold, fold: 'reference' } : undefined,
    );
  }

  /**
   * A property Stripe includes only when expanded: an optional inline list (`customer.sources`,
   * `charge.refunds`) or an includable one (`issuing.card.number`, see src/spec/stripe.ts).
   */
  isOptIn(prop: OutProp): boolean {
    if (prop.includable) return true;
    const target = prop.type.k === 'object' ? this.model.objects[prop.type.name] : undefined;
    return prop.expandable && !prop.required && target?.object === 'list';
  }

  /** The parent property naming the account a reference's object lives on, when not the parent's. */
  private accountOf(schema: ObjectSchema, wire: string): string | undefined {
    return schema.resource ? OTHER_ACCOUNT_REFERENCES[schema.resource]?.[wire] : undefined;
  }

  /** The live member of a union of exactly a resource and its deleted form, else undefined. */
  liveOf(unionName: string): string | undefined {
    const members = this.model.unions[unionName]?.members ?? [];
    if (members.length !== 2) return undefined;
    const [a, b] = members as [string, string];
    if (this.model.objects[a]?.deletedOf === b) return b;
    if (this.model.objects[b]?.deletedOf === a) return a;
    return undefined;
  }

  /** The Pothos type of an output type (without list wrapping). */
  typeOf(type: OutType): ModelOutputType {
    switch (type.k) {
      case 'string':
        return type.id ? 'ID' : 'String';
      case 'const':
        return 'String';
      case 'int':
        return 'SafeInt';
      case 'float':
        return 'Float';
      case 'bool':
        return 'Boolean';
      case 'time':
        return 'DateTime';
      case 'json':
        return 'JSON';
      case 'enum':
        return this.enum(type.name);
      case 'object':
        return this.object(type.name);
      case 'union':
        return defined(this.unions.get(type.name), 'union', type.name);
      case 'ref': {
        // A reference that may be the deleted form reads as the live type (a deleted one is a
        // typed DELETED error at its path).
        const live = type.to.k === 'union' ? this.liveOf(type.to.name) : undefined;
        return live ? this.object(live) : this.typeOf(type.to);
      }
      case 'array':
        throw new Error('nested arrays are handled by the caller');
    }
  }

  private buildObject(schema: ObjectSchema): void {
    const ref = this.object(schema.name);
    const isNode = this.isNode(schema);
    const idKind = this.idKind(schema);
    const kind = schema.object
      ? {
          object: schema.object,
          // A live type with a `deleted` property (`apps.secret`) holds either form.
          deleted: schema.deletedOf
            ? true
            : schema.props.some((p) => p.name === 'deleted')
              ? ('either' as const)
              : false,
        }
      : undefined;
    this.builder.objectType(ref, {
      ...previewMark(
        schema.preview,
        this.describe(schema.gql),
        kind ? objectKindExtensions(kind) : undefined,
      ),
      ...(isNode ? { interfaces: [this.node] } : {}),
      ...(kind ? { isTypeOf: (value: unknown) => isOfKind(value, kind) } : {}),
      fields: (t) => {
        const fields: Record<string, StripeField> = {};
        const claim = (name: string, wire: string, field: StripeField) => {
          if (fields[name]) throw new Error(`${schema.gql}.${name} is defined twice (from ${wire})`);
          fields[name] = field;
        };
        for (const prop of schema.props) {
          const names = fieldNames(prop);
          const stripeText = this.describe(`${schema.gql}.${prop.name}`);
          const description = stripeText && describeValue(stripeText, prop);
          // An inline list that a relation serves is read through the relation's connection
          // (src/schema/relations.ts).
          if (prop.relation) continue;
          if (prop.name === 'id' && idKind) {
            this.idFields(t, schema, idKind, description, claim);
            continue;
          }
          claim(names.field, prop.name, this.valueField(t, schema, prop, description));
          if (names.idField) {
            const idText = stripeText ?? (this.options.descriptions ? '' : undefined);
            claim(names.idField, prop.name, this.idField(t, prop, idText && describeId(idText, names.field)));
          }
        }
        return fields;
      },
    });
  }

  /** The fields an `id` property gives (see `idKind`). */
  private idFields(
    t: StripeFieldBuilder,
    schema: ObjectSchema,
    kind: IdKind,
    description: string | undefined,
    claim: (name: string, wire: string, field: StripeField) => void,
  ): void {
    if (kind === 'stripeId') {
      claim('stripeId', 'id', t.id({ nullable: true, ...describing(description), resolve: stripeId }));
      return;
    }
    if (kind === 'deleted') {
      claim('deletedId', 'id', t.id({ nullable: false, ...describing(description), resolve: stripeId }));
      return;
    }
    if (kind === 'qualified') {
      const qualified = (p: StripeObject, _args: unknown, ctx: GatewayContext) =>
        qualifyId(sessionOf(ctx, p).stripeAccount, String(p.id));
      claim('id', 'id', t.id({ nullable: false, resolve: qualified }));
      claim('stripeId', 'id', t.string({ nullable: false, ...describing(description), resolve: stripeId }));
      return;
    }
    if (kind === 'id') {
      claim('id', 'id', t.id({ nullable: false, ...describing(description), resolve: stripeId }));
      return;
    }
    const parent = this.idParent(schema)!;
    claim(
      'id',
      'id',
      t.id({
        nullable: false,
        ...describing(
          this.options.descriptions
            ? `The ${camelCase(parent)}'s id and Stripe's id (\`stripeId\`) joined by "/" (\`acct_1/card_payments\`): unique per type.`
            : undefined,
        ),
        resolve: (p: StripeObject) => `${String(idOf(p[parent]))}/${String(p.id)}`,
      }),
    );
    claim('stripeId', 'id', t.string({ nullable: false, ...describing(description), resolve: stripeId }));
  }

  private valueField(
    t: StripeFieldBuilder,
    schema: ObjectSchema,
    prop: OutProp,
    description: string | undefined,
  ): StripeField {
    const wire = prop.name;
    const isArray = prop.type.k === 'array';
    const base = isArray ? (prop.type as { of: OutType }).of : prop.type;
    if (base.k === 'array') {
      // Arrays of arrays (rare in Stripe) are carried as JSON.
      return t.field({
        type: 'JSON',
        nullable: isOptional(prop),
        ...describing(description),
        resolve: (p: StripeObject) => p[wire],
      });
    }
    let resolve: (parent: StripeObject, args: unknown, ctx: GatewayContext) => unknown;
    if (base.k === 'time') {
      resolve = (p) => mapValue(p[wire], toDate);
    } else if (base.k === 'ref') {
      // A failure stays the item's own in a list of references (a rejection, not a throw).
      resolve = (p, _args, ctx) =>
        mapValue(
          p[wire],
          (value) => {
            try {
              return this.resolveRef(value, base, schema, p, wire, ctx);
            } catch (error) {
              return Promise.reject(error);
            }
          },
          true,
        );
    } else if (base.k === 'object' || base.k === 'union') {
      // A sub-object belongs to its parent's upstream session: references under it resolve there.
      resolve = (p) => inherit(p, p[wire]);
    } else if (base.k === 'enum') {
      resolve = this.enumResolver(schema, prop, base.name);
    } else {
      resolve = (p) => p[wire];
    }
    // A reference loads its object unless the parent's request expanded it (src/schema/plans.ts);
    // one Stripe does not expand is always loaded by id.
    // Sub-objects sit in the parent's object: what is selected below them folds at `wire.…`.
    const extensions =
      base.k === 'ref'
        ? this.refPlan(base, prop.expandable ? wire : undefined, this.accountOf(schema, wire))
        : base.k === 'object' || base.k === 'union'
          ? wireExtensions({ wire, ...(this.isOptIn(prop) ? { optIn: true } : {}) })
          : prop.includable
            ? wireExtensions({ wire, optIn: true })
            : undefined;
    const options = { ...describing(description), ...(extensions ? { extensions } : {}) };
    const type = this.typeOf(base);
    // An open enum's value may be one the spec does not list: its field (or item) reads null then.
    const open = base.k === 'enum' && this.model.enums[base.name]!.open;
    if (!isArray) {
      const nullable = isOptional(prop) || base.k === 'ref' || open;
      return t.field({ type, nullable, resolve, ...options });
    }
    return t.field({
      type: [type],
      nullable: { list: isOptional(prop), items: base.k === 'ref' || open },
      // An array property's value is an array, or null (`mapValue` keeps its shape).
      resolve: (p, args, ctx) => resolve(p, args, ctx) as readonly unknown[] | null,
      ...options,
    });
  }

  /**
   * An enum property's resolver. Stripe sends values an enum does not list where the spec marks it
   * open (`x-stripeBypassValidation`: `us_bank_transfer` for a bank transfer's `type`), and graphql-js
   * cannot serialize those: such a value is the field's (or the list item's) typed
   * UNKNOWN_ENUM_VALUE error, naming the enum and the value, with a warning in the request's log,
   * instead of an internal error. The field is nullable for an open enum, so the rest of the answer
   * stays; a closed enum's unknown value (a spec the pinned version breaks) nulls up to its parent.
   */
  private enumResolver(
    schema: ObjectSchema,
    prop: OutProp,
    name: string,
  ): (parent: StripeObject, args: unknown, ctx: GatewayContext) => unknown {
    const wire = prop.name;
    const enumSchema = this.model.enums[name]!;
    const known = new Set([...enumSchema.values, ...(enumSchema.filterValues ?? [])]);
    const field = `${schema.gql}.${fieldNames(prop).field}`;
    return (p, _args, ctx) =>
      mapValue(
        p[wire],
        (value) => {
          if (typeof value === 'string' && known.has(value)) return value;
          if (firstWarning(ctx, field, value)) {
            ctx.logger?.warn('unknown enum value', { enum: enumSchema.gql, value, field });
          }
          return Promise.reject(unknownEnumValue(enumSchema.gql, value, field));
        },
        true,
      );
  }

  private idField(t: StripeFieldBuilder, prop: OutProp, description: string | undefined): StripeField {
    const wire = prop.name;
    const isArray = prop.type.k === 'array';
    if (!isArray) {
      return t.id({ nullable: isOptional(prop), ...describing(description), resolve: (p) => idOf(p[wire]) });
    }
    return t.idList({
      nullable: { list: isOptional(prop), items: false },
      ...describing(description),
      // An item without an id is GraphQL's non-null error at that item.
      resolve: (p) => (Array.isArray(p[wire]) ? (p[wire].map(idOf) as string[]) : null),
    });
  }

  /**
   * The session a reference is read through: its parent's, or that of the account its object lives
   * on (`OTHER_ACCOUNT_REFERENCES`). The platform is the request's own session when the request
   * acts as the platform, else the context's platform session (a request sent with
   * `Stripe-Account` by a caller free to act as the platform); a caller bound to a connected
   * account reads it as its own account (where Stripe answers that it does not exist).
   */
  private sessionOfReference(
    ctx: GatewayContext,
    parentSchema: ObjectSchema,
    parent: StripeObject,
    wire: string,
  ): UpstreamSession | Promise<UpstreamSession> {
    const own = sessionOf(ctx, parent);
    const account = this.accountOf(parentSchema, wire);
    if (account === PLATFORM) {
      if (own.stripeAccount === undefined) return own;
      return ctx.platformSession?.() ?? (ctx.session.stripeAccount === undefined ? ctx.session : own);
    }
    if (!account) return own;
    const { via, property } = accountProperty(account);
    const sessionNamedBy = (holder: StripeObject | null, what: string): UpstreamSession => {
      const accountId = holder ? idOf(holder[property]) : undefined;
      return accountId && accountId !== own.stripeAccount ? sessionForAccount(ctx, accountId, what) : own;
    };
    if (!via) return sessionNamedBy(parent, `${parentSchema.gql}.${camelCase(property)}`);
    // The account is named by an object the parent references: that reference, read as its field would be.
    const prop = parentSchema.props.find((p) => p.name === via);
    const viaType = prop?.type.k === 'array' ? undefined : prop?.type;
    if (viaType?.k !== 'ref') throw new Error(`${parentSchema.name}.${via} is not a reference`);
    const what = `${parentSchema.gql}.${camelCase(via)}.${camelCase(property)}`;
    const holder = this.resolveRef(parent[via], viaType, parentSchema, parent, via, ctx);
    return holder instanceof Promise
      ? holder.then((object) => sessionNamedBy(object as StripeObject | null, what))
      : sessionNamedBy(holder as StripeObject | null, what);
  }

  /**
   * An expandable reference: taken inline when the parent arrived with it expanded, otherwise loaded
   * by id (through the parent's upstream session), otherwise re-read from the parent with `expand[]`.
   */
  private resolveRef(
    value: unknown,
    type: Extract<OutType, { k: 'ref' }>,
    parentSchema: ObjectSchema,
    parent: StripeObject,
    wire: string,
    ctx: GatewayContext,
  ): unknown {
    // An object on another account is read as that account (its id from the parent).
    const session = this.sessionOfReference(ctx, parentSchema, parent, wire);
    if (session instanceof Promise) {
      return session.then((known) => this.readRef(value, type, parentSchema, parent, wire, known));
    }
    return this.readRef(value, type, parentSchema, parent, wire, session);
  }

  /** `resolveRef` through the session the reference is read with. */
  private readRef(
    value: unknown,
    type: Extract<OutType, { k: 'ref' }>,
    parentSchema: ObjectSchema,
    parent: StripeObject,
    wire: string,
    session: UpstreamSession,
  ): unknown {
    const live = type.to.k === 'union' ? this.liveOf(type.to.name) : undefined;
    const checked = (object: StripeObject | null) => {
      if (live && object?.deleted === true) {
        throw deletedError(this.model.objects[live]!.gql, object);
      }
      return object;
    };
    // Expanded in the parent's answer: no call, and no promise either.
    if (typeof value === 'object' && value !== null) {
      session.prime(value as StripeObject);
      return checked(session.adopt(value as StripeObject));
    }
    if (typeof value !== 'string') return null;
    const target = candidateForId(value, this.liveTargets(type));
    const op = target ? this.index.retrieveByIdOf(target) : undefined;
    if (op) return session.get<StripeObject>({ path: op.path, pathParams: [value] }).then(checked);
    const parentOp = parentSchema.resource ? this.index.retrieveByIdOf(parentSchema.name) : undefined;
    if (parentOp && typeof parent.id === 'string') {
      return session
        .get<StripeObject>({ path: parentOp.path, pathParams: [parent.id], expand: [wire] })
        .then((expanded) => checked((expanded[wire] as StripeObject | undefined) ?? null));
    }
    throw userError(
      'NOT_RESOLVABLE',
      `${parentSchema.gql}.${camelCase(wire)} (${value}) cannot be loaded on its own; query ${camelCase(wire)}Id instead`,
    );
  }
}

/** The unknown enum values a request has logged, by field, on its context. */
const warned = slot<Set<string>>('unknown enum values logged');

/**
 * Whether this request has not yet logged `value` of `field`: one warning per request and value,
 * not one per list item, nor a second when a direct answer gives way to execution
 * (src/schema/direct.ts), which resolves the field again.
 */
function firstWarning(ctx: object, field: string, value: unknown): boolean {
  let seen = warned.get(ctx);
  if (!seen) {
    seen = new Set();
    warned.set(ctx, seen);
  }
  const key = `${field}\0${typeof value === 'string' ? value : JSON.stringify(value)}`;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** A type the model names, which the loops above built. */
function defined<T>(ref: T | undefined, kind: string, name: string): T {
  if (ref === undefined) throw new Error(`No ${kind} was built for ${name}`);
  return ref;
}

type IdKind = 'id' | 'composite' | 'qualified' | 'deleted' | 'stripeId';

/**
 * Stripe's description, made true of what the GraphQL field returns: a time is a DateTime, not
 * seconds since the epoch; a reference field returns the object, not its id.
 */
function describeValue(text: string, prop: OutProp): string {
  const base = prop.type.k === 'array' ? prop.type.of : prop.type;
  if (base.k === 'time') {
    return text
      .replace(/\s*Measured in seconds since (the )?Unix epoch\.?/gi, '')
      .replace(/\s*in epoch seconds/gi, '')
      .replace(
        /\b(a |the )?unix timestamp\b/gi,
        (_m, article: string | undefined) => `${article ?? ''}date-time`,
      )
      .trim();
  }
  if (base.k === 'ref') {
    return text.replace(/^(The )?IDs? of (the |an? )?/i, 'The ').replace(/\(IDs? of (an? |the )?/gi, '(');
  }
  return text;
}

/** The description of an `xId` field: Stripe's text where it speaks of the id, else a plain one. */
function describeId(text: string, field: string): string {
  return /\bID\b/.test(text) ? text : `The id of \`${field}\`.${text ? ` ${text}` : ''}`;
}

/**
 * Null in GraphQL when the spec says nullable, when the property may be absent, or when a union's
 * members must agree (src/spec/unions.ts).
 */
function isOptional(prop: OutProp): boolean {
  return prop.nullable || !prop.required || Boolean(prop.optionalInUnion);
}

function toDate(value: unknown): Date | null {
  return typeof value === 'number' ? new Date(value * 1000) : null;
}

/** Applies `fn` to a value or to each element of an array value; null stays null. */
function mapValue(value: unknown, fn: (v: unknown) => unknown, items = false): unknown {
  if (value == null) return null;
  if (Array.isArray(value)) return value.map((v) => (v == null && items ? null : fn(v)));
  return fn(value);
}
