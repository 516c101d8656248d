/**
 * Names by meaning for what a client writes: the input objects and enums of request bodies and
 * query parameters, settled at codegen and written into the model's `InType`s (src/spec/types.ts).
 *
 * A parameter is named after the resource it writes and its path there, as its output field is:
 * `CreateRefundInput.reason` shares `RefundReason` (the output enum, when the parameter's values are
 * among its values), `UpdateCustomerInput.address` takes `AddressInput` (the output field's type is
 * Stripe's `address`, a concept named once), a nested object with no output counterpart is
 * `<Resource><param path>Input` (`PaymentIntentPaymentMethodOptionsCardMandateOptionsInput`,
 * shortened to the 60-character limit by src/spec/naming.ts). The create, update and filter forms of
 * one field share one type when they have the same shape; where they differ, each takes the verb
 * (`UpdateCustomerShippingInput`), and as a last resort the operation's id. The generator checks
 * that each name fits every use (it names the use's resource, or is the output type at that path)
 * and stops otherwise.
 *
 * Ids, from the model rather than a list: a string parameter holds a Stripe object's id when the
 * property it writes is a reference (an expansion target) or a resource, or when its name is a
 * resource's (`customer`, `tax_rates`, `default_payment_method`), or it is an `id`. A parameter that
 * writes a number (`exp_month`, sent as digits), an enumerated property (`source.type`) or a time
 * (`tax_date`, an integer on the wire) is typed as that property.
 *
 * Filters (list and search query parameters) share the enum of the field they filter, with the
 * values only a filter takes (`all`, `ended`) joined to it as `filterValues`.
 *
 * Descriptions: Stripe's parameter descriptions (else the output field's at the same path) go to
 * the generated descriptions under `<InputType>.<wire>`, `op:<operationId>.<wire>` for a body's or
 * query's top level and `op:<operationId>` for the operation; the model keeps none.
 */
import { enumValueName, pascalCase, shortenedName, singular, TYPE_NAME_LIMIT } from './naming.ts';
import { inputTypeNameOverrides } from './overrides.ts';
import { type Descriptions, SpecError } from './spec-error.ts';
import type { InParam, InType, Model, ObjectSchema, Operation, OutType } from './types.ts';

type Obj = Extract<InType, { k: 'object' }>;
type AnyOf = Extract<InType, { k: 'anyOf' }>;
type Enum = Extract<InType, { k: 'enum' }>;

/** `""` alone: Stripe's "unset" marker among a parameter's alternatives. */
export const isEmptyMarker = (t: InType): boolean =>
  t.k === 'enum' && t.values.length === 1 && t.values[0] === '';

/** An object GraphQL can express as an input object (else it is JSON). */
export const isShaped = (t: InType): t is Obj => t.k === 'object' && t.props.length > 0;

/**
 * The alternatives of an anyOf without Stripe's `""` marker, several objects merged into one (a
 * property is required when every object requires it; the first object's parameter is kept, but
 * one the objects type as different enums takes all their values: `t.merged`, once named).
 */
export function alternatives(t: AnyOf): { alts: InType[]; unsettable: boolean } {
  const unsettable = t.of.some(isEmptyMarker);
  const rest = t.of.filter((x) => !isEmptyMarker(x));
  const objects = rest.filter((x): x is Obj => x.k === 'object');
  if (objects.length < 2) return { alts: rest, unsettable };
  const merged = new Map<string, InParam>();
  for (const object of objects) {
    for (const prop of object.props) {
      const inAll = objects.every((o) => o.props.some((p) => p.name === prop.name && p.required));
      if (!merged.has(prop.name))
        merged.set(prop.name, { ...prop, required: inAll, type: mergedEnum(t, objects, prop) });
    }
  }
  const object: Obj = {
    k: 'object',
    props: [...merged.values()],
    additional: objects.some((o) => o.additional),
    ...(t.details ? { gql: t.details } : {}),
  };
  return { alts: [object, ...rest.filter((x) => x.k !== 'object')], unsettable };
}

/** A parameter's type in the merged object: the enum of every object's values where they differ. */
function mergedEnum(t: AnyOf, objects: Obj[], prop: InParam): InType {
  const named = t.merged?.[prop.name];
  if (named) return named;
  const types = objects.flatMap((o) => o.props.filter((p) => p.name === prop.name).map((p) => p.type));
  if (!types.every((x): x is Enum => x.k === 'enum')) return prop.type;
  const values = [...new Set(types.flatMap((x) => x.values))];
  return values.length === (prop.type as Enum).values.length ? prop.type : { k: 'enum', values };
}

/** The enum values a GraphQL enum has: Stripe's `""` (unset) is `null` in GraphQL, not a value. */
export const enumValuesOf = (t: Enum): string[] => t.values.filter((v) => v !== '');

/** Values that map to distinct GraphQL names (time zones do not: they stay strings). */
const distinct = (values: string[]) => new Set(values.map(enumValueName)).size === values.length;

interface Use {
  op: Operation;
  /** the GraphQL name of the resource the operation writes or reads */
  owner: string;
  /** `Create`, `Update`, an action's verb (`Finalize`), `List` */
  verb: string;
}

interface Node {
  kind: 'input' | 'enum';
  t: InType;
  use: Use;
  /** names in order of preference; `level` indexes the one in use */
  candidates: string[];
  level: number;
  /** the output type at the same path, when the first candidate is named after it */
  concept?: string;
  /** where it sits, for errors: `PostCustomers body.address` */
  where: string;
  /** for the merged object of an anyOf: the anyOf */
  detailsOf?: AnyOf;
}

const WRITES = new Set(['create', 'update', 'delete', 'action']);

function verbOf(op: Operation): string {
  if (op.kind !== 'action') return pascalCase(op.kind);
  const literal = op.path.split('/').filter((s) => s && !s.startsWith('{'));
  return pascalCase(literal.at(-1) ?? 'action');
}

/** Names within the limit, shortened by the output types' rules where they are longer. */
function fitting(names: string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const short = name.length <= TYPE_NAME_LIMIT ? name : shortenedName(name);
    if (short.length <= TYPE_NAME_LIMIT && !out.includes(short)) out.push(short);
  }
  return out;
}

export function nameInputs(model: Model, descriptions: Descriptions): void {
  const { objects, enums, unions } = model;
  const live = Object.values(objects).filter((o) => o.resource && !o.deletedOf);
  /** Every resource's last word (`customer`, `tax_rate`, `financial_account`). */
  const resourceWords = new Set(live.map((o) => o.resource!.split('.').pop()!));
  const enumsByGql = new Map(Object.values(enums).map((e) => [e.gql, e]));
  const outputNames = new Set(
    [...Object.values(objects), ...Object.values(enums), ...Object.values(unions)].map((s) => s.gql),
  );

  /** The object schemas an output type stands for (a union's members), unwrapped from lists. */
  const schemasOf = (type: OutType | undefined): ObjectSchema[] => {
    if (!type) return [];
    if (type.k === 'array') return schemasOf(type.of);
    if (type.k === 'ref') return schemasOf(type.to);
    if (type.k === 'object') return objects[type.name] ? [objects[type.name]!] : [];
    if (type.k === 'union')
      return unions[type.name]!.members.map((m) => objects[m]!).filter((o) => !o.deletedOf);
    return [];
  };
  const leaf = (type: OutType | undefined): OutType | undefined =>
    type?.k === 'array' ? leaf(type.of) : type;
  const counterpart = (schemas: ObjectSchema[], name: string) => {
    for (const schema of schemas) {
      const prop = schema.props.find((p) => p.name === name);
      if (prop) return { schema, prop };
    }
    return undefined;
  };

  /** Whether a string parameter holds a Stripe object's id. */
  const holdsId = (param: string, out: OutType | undefined): boolean => {
    const base = leaf(out);
    if (param === 'id' || base?.k === 'ref') return true;
    if (base?.k === 'object' && objects[base.name]?.resource) return true;
    const words = [param, singular(param)];
    if (words.some((w) => resourceWords.has(w))) return true;
    // `default_card`, `account_token`: named for a resource, unless the property it writes is a
    // plain string of its own (`client_secret` is no `apps.secret`).
    const ownString = base?.k === 'string' && !base.id;
    return !ownString && words.some((w) => [...resourceWords].some((r) => w.endsWith(`_${r}`)));
  };

  // An output string named for a resource (`charge.payment_method`, `invoice_line_item`) holds its
  // id, as a reference would; a one-word resource ends a name by chance (`client_secret`).
  for (const object of Object.values(objects))
    for (const prop of object.props) {
      const base = leaf(prop.type);
      const words = [prop.name, singular(prop.name)];
      const named = (w: string) =>
        resourceWords.has(w) || [...resourceWords].some((r) => r.includes('_') && w.endsWith(`_${r}`));
      if (base?.k === 'string' && prop.name !== 'id' && words.some(named)) base.id = true;
    }

  const nodes: Node[] = [];
  const ownerOf = (op: Operation): { owner: string; schemas: ObjectSchema[] } => {
    const response = op.response.k === 'ref' ? op.response.to : op.response;
    const schemas = op.resource && objects[op.resource] ? [objects[op.resource]!] : schemasOf(response);
    let owner: string | undefined;
    if (op.resource && objects[op.resource]) owner = objects[op.resource]!.gql;
    else if (response.k === 'union') owner = unions[response.name]!.gql;
    else if (response.k === 'object') owner = objects[response.name]?.gql;
    return { owner: owner ?? pascalCase(op.id), schemas };
  };

  const describe = (
    key: string,
    param: InParam,
    out: { schema: ObjectSchema; prop: { name: string } } | undefined,
  ) => {
    const text = param.description ?? (out ? descriptions[`${out.schema.gql}.${out.prop.name}`] : undefined);
    if (text && descriptions[key] === undefined) descriptions[key] = text;
  };

  /** Walks a parameter's type beside the output type it writes, annotating and collecting nodes. */
  const visit = (
    t: InType,
    out: OutType | undefined,
    base: string,
    param: string,
    use: Use,
    where: string,
    filter: boolean,
  ): void => {
    switch (t.k) {
      case 'array':
        visit(t.of, out?.k === 'array' ? out.of : out, base, param, use, where, filter);
        return;
      case 'anyOf': {
        const { alts } = alternatives(t);
        const oneOf = alts.length > 1;
        if (oneOf) nodes.push(named('input', t, base, use, where, undefined));
        // An object alternative is the `details` of a oneOf, else the parameter's own type.
        const inner = oneOf ? `${base}Details` : base;
        const objs = t.of.filter((x): x is Obj => x.k === 'object');
        if (objs.length >= 2) {
          const merged = alternatives(t).alts[0] as Obj;
          // Enums merged from several objects' are the anyOf's own, kept in the model with their name.
          for (const p of merged.props)
            if (!objs.some((o) => o.props.some((q) => q.type === p.type)))
              t.merged = { ...t.merged, [p.name]: p.type };
          const node = named('input', merged, inner, use, `${where}.details`, undefined);
          node.detailsOf = t;
          nodes.push(node);
          props(merged, out, inner, use, where, node);
          // The merged object's parameters are the first object's: annotate the others the same way.
          for (const o of objs) props(o, out, inner, use, where, undefined);
        }
        for (const alt of alts) {
          if (alt.k === 'object' && objs.length >= 2) continue;
          visit(alt, out, alt.k === 'object' ? inner : base, param, use, where, filter);
        }
        return;
      }
      case 'object': {
        if (!isShaped(t)) return;
        const outObject = leaf(out);
        const concept =
          outObject?.k === 'object' && objects[outObject.name] && !objects[outObject.name]!.resource
            ? objects[outObject.name]!.gql
            : undefined;
        const node = named('input', t, base, use, where, concept);
        nodes.push(node);
        props(t, out, base, use, where, node);
        return;
      }
      case 'enum': {
        const values = enumValuesOf(t);
        if (values.length === 0) return;
        const outEnum = leaf(out);
        if (outEnum?.k === 'enum') {
          const schema = enums[outEnum.name]!;
          const extra = values.filter((v) => !schema.values.includes(v));
          if (extra.length === 0) {
            t.enum = schema.name;
            return;
          }
          // A filter's own values (`all`, `ended`) join the enum of the field it filters.
          if (filter && distinct([...schema.values, ...(schema.filterValues ?? []), ...extra])) {
            const joined = [...(schema.filterValues ?? [])];
            for (const v of extra) if (!joined.includes(v)) joined.push(v);
            schema.filterValues = joined;
            schema.filterGqlValues = joined.map(enumValueName);
            t.enum = schema.name;
            return;
          }
        }
        // The output enum of this very path, where the output's type could not be followed there
        // (a property Stripe types as one of several objects): named alike, it is the same field.
        const same = enumsByGql.get(fitting([base])[0] ?? '');
        if (same && values.every((v) => same.values.includes(v))) {
          t.enum = same.name;
          return;
        }
        if (!distinct(values)) return;
        nodes.push(named('enum', t, base, use, where, undefined));
        return;
      }
      case 'string': {
        if (t.format === 'binary') return;
        const base = leaf(out);
        if (holdsId(param, out)) t.id = true;
        else if (base?.k === 'int' || base?.k === 'float') t.as = base.k;
        else if (base?.k === 'enum') t.enum = base.name;
        return;
      }
      case 'int':
        if (leaf(out)?.k === 'time') t.as = 'time';
        return;
      case 'time': {
        // The spec marks the parameter a unix time and not the property (`tos_acceptance.date`).
        const base = leaf(out);
        if (base?.k === 'int') (base as OutType).k = 'time';
        return;
      }
      default:
        return;
    }
  };

  const props = (
    t: Obj,
    out: OutType | undefined,
    base: string,
    use: Use,
    where: string,
    node: Node | undefined,
  ) => {
    const schemas = schemasOf(out);
    for (const p of t.props) {
      const found = counterpart(schemas, p.name);
      if (node) describeLater.push({ node, param: p, out: found, path: wirePath(where, p.name) });
      visit(
        p.type,
        found?.prop.type,
        `${base}${pascalCase(p.name)}`,
        p.name,
        use,
        `${where}.${p.name}`,
        false,
      );
    }
  };

  const named = (
    kind: Node['kind'],
    t: InType,
    base: string,
    use: Use,
    where: string,
    concept: string | undefined,
  ): Node => {
    const suffix = kind === 'input' ? 'Input' : '';
    // The path's words after the owner: a deep path too long for the limit keeps its last ones.
    const path = base.slice(use.owner.length).match(/[A-Z][a-z0-9]*|[a-z0-9]+/g) ?? [];
    const tails = [3, 2].filter((n) => path.length > n).map((n) => path.slice(-n).join(''));
    const names = [
      ...(concept ? [`${concept}${suffix}`] : []),
      `${base}${suffix}`,
      `${use.verb}${base}${suffix}`,
      ...tails.map((tail) => `${use.owner}${tail}${suffix}`),
      ...tails.map((tail) => `${use.verb}${use.owner}${tail}${suffix}`),
      `${pascalCase(use.op.id)}${base.slice(use.owner.length)}${suffix}`,
    ];
    const fitted = concept ? fitting([`${concept}${suffix}`])[0] : undefined;
    return {
      kind,
      t,
      use,
      candidates: fitting(names).map((name) => inputTypeNameOverrides[name] ?? name),
      level: 0,
      where,
      ...(fitted ? { concept: fitted } : {}),
    };
  };

  const describeLater: { node: Node; param: InParam; out: ReturnType<typeof counterpart>; path: string }[] =
    [];
  /** `PostCustomers.invoice_settings` + `footer` → `invoice_settings[footer]`, as Stripe's docs write it */
  const wirePath = (where: string, name: string) => {
    const [, ...parts] = where.split(/[.?]/).filter((x) => x !== 'details');
    return [...parts, name].map((x, i) => (i === 0 ? x : `[${x}]`)).join('');
  };

  for (const op of model.operations) {
    const write = WRITES.has(op.kind);
    const params = write ? op.body : op.query;
    if (params.length === 0 && !write) continue;
    const { owner, schemas } = ownerOf(op);
    const use: Use = { op, owner, verb: verbOf(op) };
    const filter = op.kind === 'list' || op.kind === 'search';
    for (const p of [...op.query, ...op.body]) {
      const found = counterpart(schemas, p.name);
      describe(`op:${op.id}.${p.name}`, p, found);
    }
    // The body's (or a read's query's) parameters; a write's query parameters (rare) are arguments.
    const top = [
      ...params.map((p) => ({ p, at: `${op.id}.${p.name}`, filter })),
      ...(write ? op.query.map((p) => ({ p, at: `${op.id}?${p.name}`, filter: false })) : []),
    ];
    for (const { p, at, filter: asFilter } of top) {
      const found = counterpart(schemas, p.name);
      visit(p.type, found?.prop.type, `${owner}${pascalCase(p.name)}`, p.name, use, at, asFilter);
    }
  }

  settle(nodes, outputNames);

  for (const node of nodes) {
    const name = node.candidates[node.level]!;
    if (node.detailsOf) node.detailsOf.details = name;
    else (node.t as Obj | AnyOf | Enum).gql = name;
  }
  for (const { node, param, out, path } of describeLater) {
    const name = node.candidates[node.level]!;
    describe(`${name}.${param.name}`, param, out);
    // Else the output type named like the input (`AddressInput` → `Address.city`), else the
    // gateway's note naming Stripe's parameter, so that its reference can be looked up.
    const key = `${name}.${param.name}`;
    if (descriptions[key] === undefined) {
      const same = descriptions[`${name.replace(/Input$/, '')}.${param.name}`];
      descriptions[key] = same ?? `Stripe's parameter \`${path}\`.`;
    }
  }
  checkFit(nodes);
  // The model carries no prose.
  const strip = (t: InType): void => {
    if (t.k === 'array') strip(t.of);
    else if (t.k === 'anyOf') t.of.forEach(strip);
    else if (t.k === 'object')
      for (const p of t.props) {
        delete p.description;
        strip(p.type);
      }
  };
  for (const op of model.operations)
    for (const p of [...op.query, ...op.body]) {
      delete p.description;
      strip(p.type);
    }
}

/**
 * Gives each node the first of its names that no other shape takes: uses named alike share one type
 * when their shapes agree; otherwise the most common shape keeps the name and the others move on to
 * their next name, until nothing changes. A name an output type has is never an input's.
 */
function settle(nodes: Node[], outputNames: ReadonlySet<string>): void {
  const byType = new Map<InType, Node>();
  for (const node of nodes) if (!node.detailsOf) byType.set(node.t, node);
  const detailsByAnyOf = new Map<InType, Node>();
  for (const node of nodes) if (node.detailsOf) detailsByAnyOf.set(node.detailsOf, node);
  const nameOf = (node: Node) => node.candidates[node.level];

  for (let round = 0; ; round++) {
    if (round > 50) throw new SpecError('inputs', 'input names do not settle');
    const sigs = new Map<Node, string>();
    const repr = (t: InType): string => {
      const node = byType.get(t);
      if (node) return `@${nameOf(node)}`;
      switch (t.k) {
        case 'array':
          return `[${repr(t.of)}]`;
        case 'anyOf': {
          const { alts, unsettable } = alternatives(t);
          return `(${alts.map(repr).join('|')}${unsettable ? '|""' : ''})`;
        }
        case 'enum':
          return t.enum ? `enum:${t.enum}` : `<${t.values.join('/')}>`;
        case 'string':
          return `string${t.id ? ':id' : ''}${t.as ? `:${t.as}` : ''}${t.enum ? `:${t.enum}` : ''}`;
        case 'object':
          return isShaped(t) ? sigOfObject(t) : 'json';
        default:
          return t.k;
      }
    };
    const sigOfObject = (t: Obj) =>
      `{${t.props.map((p) => `${p.name}${p.required ? '!' : ''}:${repr(p.type)}`).join(',')}${t.additional ? ',*' : ''}}`;
    for (const node of nodes) {
      const t = node.t;
      let sig: string;
      if (t.k === 'enum') sig = `enum<${enumValuesOf(t).join('/')}>`;
      else if (t.k === 'object') sig = `input${sigOfObject(t)}`;
      else {
        const { alts } = alternatives(t as AnyOf);
        const details = detailsByAnyOf.get(t);
        sig = `oneOf(${alts.map((a) => (a.k === 'object' && details ? `@${nameOf(details)}` : repr(a))).join('|')})`;
      }
      sigs.set(node, sig);
    }
    const groups = new Map<string, Node[]>();
    for (const node of nodes) {
      const name = nameOf(node);
      if (name === undefined)
        throw new SpecError(node.where, `no input type name left among ${node.candidates.join(', ')}`);
      groups.set(name, [...(groups.get(name) ?? []), node]);
    }
    const bump: Node[] = [];
    for (const [name, group] of groups) {
      if (outputNames.has(name)) {
        bump.push(...group);
        continue;
      }
      const counts = new Map<string, number>();
      for (const node of group) counts.set(sigs.get(node)!, (counts.get(sigs.get(node)!) ?? 0) + 1);
      if (counts.size === 1) continue;
      const kept = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
      for (const node of group) if (sigs.get(node) !== kept) bump.push(node);
    }
    if (bump.length === 0) return;
    for (const node of bump) node.level++;
  }
}

/** Refuses a name that fits none of its uses: it names the use's resource, or the output type there. */
function checkFit(nodes: Node[]): void {
  for (const node of nodes) {
    const name = node.candidates[node.level]!;
    const { owner, verb, op } = node.use;
    const fits =
      name === node.concept ||
      name.startsWith(owner) ||
      name.startsWith(`${verb}${owner}`) ||
      name.startsWith(pascalCase(op.id));
    if (!fits) throw new SpecError(node.where, `input type name "${name}" does not name ${owner}`);
  }
}
