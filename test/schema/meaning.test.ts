/**
 * What the served schema's types say, computed from the schema itself (issue 26):
 *
 * - Names: an enum or input type "belongs" to the resource whose GraphQL type name is the longest
 *   that begins its name (`BillingMeterStatus` → `BillingMeter`, `IssuingCardStatus` → `IssuingCard`;
 *   `AddressInput` belongs to none). A use of it is a field of an input reached from a mutation (the
 *   mutation's resource: its return type, a union's members) or an argument of a list (the listed
 *   type). A type fits a use when it belongs to no resource, to the use's resource, begins with the
 *   mutation's own name (`UpdateCustomer…`), or is the output type at the same path (`AddressInput`
 *   where the output field is an `Address`). None may belong to another resource.
 * - Ids: an input field or argument holds an id when the output field at its path is a reference
 *   (it has an `xId` companion) or a Node, or when its name is a resource's (`customer`,
 *   `defaultPaymentMethod`, `taxRates`); none may be a String.
 * - Types: an input field is typed like the output field it writes (an input object for an object,
 *   `ID` for a reference); the few that differ are listed here with the reason.
 * - Descriptions at run time: >= 95 % of mutations, >= 90 % of input fields.
 */
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { loadModel } from '../../src/spec/model.ts';
import { camelCase, shortenedName, singular } from '../../src/spec/naming.ts';
import { type Harness, startHarness } from '../server/harness.ts';

const { schema } = buildSchema();
const model = loadModel();
const resourceNames = [
  ...Object.values(model.objects)
    .filter((o) => o.resource && !o.deletedOf)
    .map((o) => o.gql),
  ...Object.values(model.polymorphic).map((u) => model.unions[u]?.gql ?? ''),
].filter(Boolean);
/** `customer`, `paymentMethod`, `taxRate`: the last word of every resource, camelCase. */
const resourceWords = Object.values(model.objects)
  .filter((o) => o.resource && !o.deletedOf)
  .map((o) => camelCase(o.resource!.split('.').pop()!));

const belongsTo = (name: string): string | undefined =>
  resourceNames.filter((r) => name.startsWith(r)).sort((a, b) => b.length - a.length)[0];

const mutations = Object.values(schema.getMutationType()!.getFields());

/** The object types a type stands for: itself, a union's members, a connection's nodes. */
function objectsOf(type: GraphQLNamedType | undefined): GraphQLObjectType[] {
  if (!type) return [];
  if (isUnionType(type)) return [...type.getTypes()];
  if (isObjectType(type)) {
    const nodes = type.getFields().nodes;
    return nodes ? objectsOf(getNamedType(nodes.type)) : [type];
  }
  return [];
}

const byGql = new Map(Object.values(model.objects).map((o) => [o.gql, o]));
/**
 * The resources a field returning `type` writes or reads: the type, a union's members, and the
 * resource of a deleted form or a preview (`DeletedSubscriptionItem`, `UpcomingInvoice`).
 */
function ownersOf(type: string, outs: GraphQLObjectType[]): string[] {
  const names = [type, ...outs.map((o) => o.name)];
  const extra = names.flatMap((name) => {
    const o = byGql.get(name);
    const live = o?.deletedOf ?? (o?.object && model.objects[o.object]?.resource ? o.object : undefined);
    return live && model.objects[live] ? [model.objects[live]!.gql] : [];
  });
  return [...names, ...extra];
}

interface Use {
  /** the input type holding the field, or the field holding the argument */
  holder: string;
  field: GraphQLInputField | GraphQLArgument;
  /** the parameter's name: the field's, or for a oneOf's alternative the oneOf field's */
  param: string;
  /** the resource types the use writes or reads */
  owners: string[];
  /** the mutation's name, PascalCase */
  prefix: string;
  /** the output fields at the same path (several for a union) */
  out: GraphQLField<unknown, unknown>[];
  /** the output objects holding `out` */
  outHolders: GraphQLObjectType[];
}

/** Every input field reachable from a mutation, and every argument of a root list or search field. */
function uses(): Use[] {
  const found: Use[] = [];
  const walk = (
    holder: string,
    fields: (GraphQLInputField | GraphQLArgument)[],
    outs: GraphQLObjectType[],
    owners: string[],
    prefix: string,
    seen: Set<string>,
  ) => {
    for (const field of fields) {
      const out = outs.flatMap((o) => (o.getFields()[field.name] ? [o.getFields()[field.name]!] : []));
      found.push({ holder, field, param: field.name, owners, prefix, out, outHolders: outs });
      const type = getNamedType(field.type);
      if (!isInputObjectType(type)) continue;
      const key = `${type.name}@${owners.join('|')}@${out.map((o) => getNamedType(o.type).name).join('|')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const inner = out.flatMap((o) => objectsOf(getNamedType(o.type)));
      if (!type.isOneOf) {
        walk(type.name, Object.values(type.getFields()), inner, owners, prefix, seen);
        continue;
      }
      // A oneOf's fields (`id`, `at`, `details`...) each stand for the parameter itself.
      for (const alt of Object.values(type.getFields())) {
        found.push({
          holder: type.name,
          field: alt,
          param: field.name,
          owners,
          prefix,
          out,
          outHolders: outs,
        });
        const altType = getNamedType(alt.type);
        if (isInputObjectType(altType))
          walk(altType.name, Object.values(altType.getFields()), inner, owners, prefix, seen);
      }
    }
  };
  for (const m of mutations) {
    const outs = objectsOf(getNamedType(m.type));
    const owners = ownersOf(getNamedType(m.type).name, outs);
    const input = m.args.find((a) => a.name === 'input');
    const prefix = m.name[0]!.toUpperCase() + m.name.slice(1);
    const seen = new Set<string>();
    walk(
      `Mutation.${m.name}`,
      m.args.filter((a) => a !== input),
      outs,
      owners,
      prefix,
      seen,
    );
    if (input) {
      const type = getNamedType(input.type);
      if (isInputObjectType(type))
        walk(type.name, Object.values(type.getFields()), outs, owners, prefix, seen);
    }
  }
  // Arguments of root fields and of the relations on every object (`Customer.subscriptions(status:)`).
  const readers = Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((t) => !t.name.startsWith('__') && t !== schema.getMutationType())
    .flatMap((t) => Object.values(t.getFields()).map((f) => ({ holder: t.name, field: f })))
    .filter(({ field }) => field.args.length > 0);
  for (const { holder, field: q } of readers) {
    const outs = objectsOf(getNamedType(q.type));
    const type = getNamedType(q.type);
    // A connection's items: the union or type its nodes are.
    const nodes = isObjectType(type) ? type.getFields().nodes : undefined;
    const owners = ownersOf(nodes ? getNamedType(nodes.type).name : type.name, outs);
    const prefix = q.name[0]!.toUpperCase() + q.name.slice(1);
    walk(`${holder}.${q.name}`, [...q.args], outs, owners, prefix, new Set());
  }
  return found;
}

const all = uses();
const where = (u: Use) => `${u.holder}.${u.field.name}`;

describe('the served schema means what it says (issue 26)', () => {
  it('names no enum or input type after a resource other than the one a field using it writes', () => {
    const wrong = all.flatMap((u) => {
      const type = getNamedType(u.field.type);
      if (!isEnumType(type) && !isInputObjectType(type)) return [];
      const name = type.name;
      const resource = belongsTo(name);
      if (!resource || u.owners.some((o) => name.startsWith(o)) || name.startsWith(u.prefix)) return [];
      const outNames = u.out.map((o) => getNamedType(o.type).name);
      if (outNames.some((o) => name === o || name === shortenedName(`${o}Input`))) return [];
      // A type of the output's own sub-object (`PaymentIntentPaymentMethodOptionsCard…`) belongs
      // to the resource that sub-object is named after.
      if (u.outHolders.some((o) => belongsTo(o.name) === resource)) return [];
      return [`${where(u)}: ${name}`];
    });
    expect([...new Set(wrong)]).toEqual([]);
    // The examples.
    const field = (type: string, name: string) => {
      const t = schema.getType(type);
      if (!isInputObjectType(t)) throw new Error(`no input ${type}`);
      return getNamedType(t.getFields()[name]!.type).name;
    };
    expect(field('CreateIssuingCardInput', 'status')).toBe('IssuingCardStatus');
    expect(field('CreateRefundInput', 'reason')).toBe('RefundReason');
    expect(field('CreateInvoiceInput', 'collectionMethod')).toBe('InvoiceCollectionMethod');
    expect(field('UpdateCustomerInput', 'address')).toBe('AddressInput');
  });

  it('types every id-holding input field and argument ID', () => {
    const holdsId = (u: Use) => {
      const name = u.param;
      const words = [name, singular(name)];
      if (name === 'id' || words.some((w) => resourceWords.includes(w))) return true;
      // `defaultCard`, `accountToken`: named for a resource, unless the output field of that name is
      // a String of its own (`clientSecret` holds no `apps.secret`).
      const ownString = u.out.some((o) => getNamedType(o.type).name === 'String');
      const suffix = (w: string) => resourceWords.some((r) => w.endsWith(r[0]!.toUpperCase() + r.slice(1)));
      if (!ownString && words.some(suffix)) return true;
      return u.out.some((o) => {
        const t = getNamedType(o.type);
        const holder = u.outHolders.find((h) => h.getFields()[o.name] === o);
        return (
          Boolean(holder?.getFields()[`${o.name}Id`] || holder?.getFields()[`${o.name}Ids`]) ||
          (isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Node'))
        );
      });
    };
    const strings = all.filter((u) => getNamedType(u.field.type).name === 'String' && holdsId(u));
    expect([...new Set(strings.map(where))]).toEqual([]);
    const ids = all.filter((u) => getNamedType(u.field.type).name === 'ID');
    expect(ids.length).toBeGreaterThan(300);
  });

  it('types an input field like the output field it writes, but for the listed few', () => {
    const scalars = new Set(['String', 'ID', 'SafeInt', 'Float', 'Boolean', 'DateTime', 'JSON', 'Upload']);
    /** Differences by kind, each with its reason; anything else is listed below. */
    const narrower: string[] = [];
    const keywords: string[] = [];
    const mismatched = all.flatMap((u) => {
      if (!u.holder.endsWith('Input') || u.out.length === 0) return [];
      const input = getNamedType(u.field.type);
      const outs = u.out.map((o) => getNamedType(o.type));
      const fits = outs.some((out) => {
        if (input.name === out.name) return true;
        // The output is free-form JSON (Stripe types it as one of several objects): any shape.
        if (out.name === 'JSON' || input.name === 'JSON') return true;
        if (isInputObjectType(input) && input.isOneOf) return false;
        if (isInputObjectType(input)) return !scalars.has(out.name) && !isEnumType(out);
        if (input.name === 'ID')
          return isObjectType(out) || isUnionType(out) || isInterfaceType(out) || out.name === 'ID';
        // The parameter's own values, named after the same field.
        if (isEnumType(input) && isEnumType(out)) return true;
        return false;
      });
      if (fits) return [];
      const line = `${where(u)}: ${input.name} / ${outs.map((o) => o.name).join('|')}`;
      // Stripe enumerates the parameter but not the property (which may hold values the
      // parameter does not take): the input is an enum, the output a String.
      if (isEnumType(input) && outs.every((o) => o.name === 'String')) narrower.push(line);
      // The parameter takes a keyword besides the value (`trialEnd: { now: true }`, `upTo: { inf:
      // true }`, `billingCycleAnchor: NOW`): a oneOf or an enum where the output is a time or number.
      else if ((isInputObjectType(input) && input.isOneOf) || isEnumType(input)) keywords.push(line);
      else if (input.name === 'Boolean' && u.param !== u.field.name) keywords.push(line);
      else return [line];
      return [];
    });
    const listed = [...new Set(mismatched)].sort();
    console.log(
      `enum parameters writing a String property: ${new Set(narrower).size}; keyword alternatives: ${new Set(keywords).size}`,
    );
    // Each of these differs because Stripe's parameter is not the property of that name:
    expect(listed).toEqual([
      // `application_fee` on a charge's create/capture is an amount (the older name of
      // `application_fee_amount`); the property is the ApplicationFee object.
      'CaptureChargeInput.applicationFee: SafeInt / ApplicationFee',
      'CreateChargeInput.applicationFee: SafeInt / ApplicationFee',
    ]);
  });

  it('describes the writes at run time', () => {
    const described = mutations.filter((m) => m.description).length;
    const inputs = Object.values(schema.getTypeMap()).filter(isInputObjectType);
    const fields = inputs.flatMap((t) => Object.values(t.getFields()));
    const fieldsDescribed = fields.filter((f) => f.description).length;
    // Where Stripe's spec has no words for a nested parameter, the gateway names Stripe's parameter.
    const byStripe = fields.filter(
      (f) => f.description && !/^Stripe's parameter `/.test(f.description),
    ).length;
    console.log(
      `mutations described: ${described}/${mutations.length}; input fields: ${fieldsDescribed}/${fields.length}, ${byStripe} in Stripe's words`,
    );
    expect(byStripe / fields.length).toBeGreaterThanOrEqual(0.6);
    expect(described / mutations.length).toBeGreaterThanOrEqual(0.95);
    // The gateway's own notes: idempotency keys, and which fields null unsets.
    const createCustomer = mutations.find((m) => m.name === 'createCustomer')!;
    expect(createCustomer.args.find((a) => a.name === 'idempotencyKey')?.description).toMatch(
      /Idempotency-Key/,
    );
    const update = schema.getType('UpdateCustomerInput');
    if (!isInputObjectType(update)) throw new Error('no UpdateCustomerInput');
    expect(update.getFields().address?.description).toMatch(/address.*Send null to unset it/s);
    expect(update.getFields().email?.description).not.toMatch(/unset/);
    // A parameter taking fewer values than its field's enum says which.
    const card = schema.getType('CreateIssuingCardInput');
    if (!isInputObjectType(card)) throw new Error('no CreateIssuingCardInput');
    expect(card.getFields().status?.description).toMatch(/Stripe takes ACTIVE, INACTIVE here\./);
    expect(fieldsDescribed / fields.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('ids and filters end to end (issue 26)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  const ok = async (query: string, variables: Record<string, unknown>) => {
    const response = await h.query(query, { variables });
    expect(response.body.errors).toBeUndefined();
    return response.body.data as Record<string, any>;
  };

  it('takes a variable typed ID! in every id input', async () => {
    const { createPaymentIntent } = await ok(
      `mutation ($c: ID!) { createPaymentIntent(input: { customer: $c, amount: 1000, currency: "usd" }) { id customer { id } } }`,
      { c: SEED.jenny.customer },
    );
    expect(createPaymentIntent.customer.id).toBe(SEED.jenny.customer);
  });

  it('filters subscriptions by the enum of their status, with ALL and ENDED joined to it', async () => {
    const { createSubscription } = await ok(
      `mutation ($c: ID!, $p: ID!) { createSubscription(input: { customer: $c, items: [{ price: $p }] }) { id status } }`,
      { c: SEED.jenny.customer, p: SEED.prices.basicMonthly },
    );
    expect(createSubscription.status).toBe('ACTIVE');
    const list = `query ($c: ID!, $s: StripeSubscriptionStatus) {
      subscriptions(customer: $c, status: $s, first: 100) { nodes { id status } } }`;
    const ids = async (s?: string) =>
      (
        (await ok(list, { c: SEED.jenny.customer, ...(s ? { s } : {}) })).subscriptions.nodes as {
          id: string;
        }[]
      ).map((n) => n.id);
    expect(await ids('ACTIVE')).toContain(createSubscription.id);
    await ok(`mutation ($id: ID!) { cancelSubscription(id: $id) { id status } }`, {
      id: createSubscription.id,
    });
    expect(await ids('ACTIVE')).not.toContain(createSubscription.id);
    expect(await ids()).not.toContain(createSubscription.id);
    expect(await ids('ENDED')).toContain(createSubscription.id);
    expect(await ids('ALL')).toContain(createSubscription.id);
    expect(await ids('CANCELED')).toContain(createSubscription.id);
  });

  it('counts only where Stripe counts: search results, asked with expand[]=total_count', async () => {
    const { searchCustomers } = await ok(
      `query ($q: String!) { searchCustomers(query: $q) { totalCount nodes { id } } }`,
      { q: `email:'${SEED.jenny.email}'` },
    );
    expect(searchCustomers.totalCount).toBe(searchCustomers.nodes.length);
    expect(searchCustomers.totalCount).toBeGreaterThan(0);
    const counted = Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .filter((t) => t.getFields().totalCount)
      .map((t) => t.name);
    expect(counted.length).toBeGreaterThan(0);
    expect(counted.filter((name) => !name.endsWith('SearchConnection'))).toEqual([]);
  });

  it('makes every status the spec enumerates an enum on output', () => {
    const strings = Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .flatMap((t) => {
        const status = t.getFields().status;
        if (!status || getNamedType(status.type).name !== 'String') return [];
        // The spec enumerates neither the property nor any parameter of that name for the resource.
        const schemaOf = byGql.get(t.name);
        const prop = schemaOf?.props.find((p) => p.name === 'status');
        const enumerated =
          prop?.type.k !== 'string' ||
          model.operations.some(
            (op) =>
              op.resource === schemaOf?.name &&
              [...op.query, ...op.body].some((p) => p.name === 'status' && p.type.k === 'enum'),
          );
        return enumerated ? [t.name] : [];
      });
    expect(strings).toEqual([]);
  });
});
