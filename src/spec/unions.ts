/**
 * Union members that agree on their common fields. A client selects a field on several members of a
 * union at once (`source { ... on Charge { currency } ... on Refund { currency } }`), and GraphQL
 * accepts that only when the members' fields have one shape (graphql-js's
 * OverlappingFieldsCanBeMerged). Stripe's objects disagree in small ways; these rules settle them in
 * the model, once, for every union:
 *
 * 1. A plain id string where another member has the reference (`source.customer` beside
 *    `card.customer`, `platform_tax_fee.account` beside `application_fee.account`) becomes the same
 *    reference, read by id (Stripe does not expand it, so `expandable` stays false): the object
 *    field loads it through the parent's upstream session, and its `…Id` twin reads the string.
 * 2. Two members' enums with the same values are one enum (`BankAccount.availablePayoutMethods`
 *    and `Card.availablePayoutMethods`), named after the property when that name is free.
 * 3. A field non-null on some members and nullable on others is nullable on all of them (the
 *    GraphQL type, and the `…Id` twin of a reference, alike; `optionalInUnion`, since the wire
 *    shape, which the emulator serves, is unchanged).
 *
 * Enums that differ in their values (`Charge.status: ChargeStatus!` beside `Refund.status: String`)
 * keep their own precise types: widening them would take the enum from every client. A query that
 * selects such a field on two members aliases one of them (README, "Clients").
 */
import { pascalCase } from './naming.ts';
import type { EnumSchema, Model, ObjectSchema, OutProp, OutType } from './types.ts';

const baseOf = (type: OutType): OutType => (type.k === 'array' ? type.of : type);

/** The named GraphQL leaf a property reads as, or `composite` for objects, unions and references. */
function leafOf(type: OutType): string {
  const base = baseOf(type);
  switch (base.k) {
    case 'string':
    case 'const':
      return 'String';
    case 'enum':
      return `enum:${base.name}`;
    case 'object':
    case 'union':
    case 'ref':
      return 'composite';
    default:
      return base.k;
  }
}

/** GraphQL nullability of a property (src/schema/registry.ts), and so of a reference's `…Id` twin. */
const idNullable = (prop: OutProp) => prop.nullable || !prop.required || Boolean(prop.optionalInUnion);
/** GraphQL nullability of the value field: a reference is always nullable. */
const valueNullable = (prop: OutProp) => idNullable(prop) || prop.type.k === 'ref';

/** Every pair of members of every union, with the properties they share (inline lists aside). */
function* sharedProps(model: Model): Generator<[OutProp, OutProp]> {
  for (const union of Object.values(model.unions)) {
    const members = union.members.map((m) => model.objects[m]).filter((o): o is ObjectSchema => !!o);
    for (const [i, a] of members.entries()) {
      for (const b of members.slice(i + 1)) {
        for (const prop of a.props) {
          const other = b.props.find((p) => p.name === prop.name);
          if (other && !prop.relation && !other.relation && !prop.gql && !other.gql) yield [prop, other];
        }
      }
    }
  }
}

export function harmonizeUnions(model: Model): void {
  // 1. A plain id where another member has the reference.
  for (const [a, b] of sharedProps(model)) {
    for (const [plain, ref] of [
      [a, b],
      [b, a],
    ] as const) {
      if (plain.type.k === 'string' && ref.type.k === 'ref') plain.type = { ...ref.type };
    }
  }
  // 2. One enum for one set of values.
  const shareEnum = (a: EnumSchema, b: EnumSchema, prop: string): void => {
    const taken = new Set(
      [...Object.values(model.objects), ...Object.values(model.enums), ...Object.values(model.unions)].map(
        (n) => n.gql,
      ),
    );
    const [kept, dropped] = a.name < b.name ? [a, b] : [b, a];
    const name = pascalCase(prop);
    if (!taken.has(name)) kept.gql = name;
    for (const object of Object.values(model.objects)) {
      for (const p of object.props) {
        const base = baseOf(p.type);
        if (base.k === 'enum' && base.name === dropped.name) base.name = kept.name;
      }
    }
    delete model.enums[dropped.name];
  };
  for (const [a, b] of sharedProps(model)) {
    const [ea, eb] = [baseOf(a.type), baseOf(b.type)];
    if (ea.k !== 'enum' || eb.k !== 'enum' || ea.name === eb.name) continue;
    const [x, y] = [model.enums[ea.name]!, model.enums[eb.name]!];
    if (x.open === y.open && [...x.values].sort().join('|') === [...y.values].sort().join('|'))
      shareEnum(x, y, a.name);
  }
  // 3. Nullable on all where nullable on one, until nothing changes (a change may meet a third member).
  for (let changed = true; changed; ) {
    changed = false;
    const widen = (props: OutProp[], nullable: (p: OutProp) => boolean) => {
      if (props.every(nullable) || !props.some(nullable)) return;
      for (const p of props.filter((q) => !nullable(q))) p.optionalInUnion = true;
      changed = true;
    };
    for (const [a, b] of sharedProps(model)) {
      if ((a.type.k === 'array') !== (b.type.k === 'array') || leafOf(a.type) !== leafOf(b.type)) continue;
      widen([a, b], valueNullable);
      if (baseOf(a.type).k === 'ref' && baseOf(b.type).k === 'ref') widen([a, b], idNullable);
    }
  }
}
