/**
 * Relation edges, derived from the operations: nested collections (`GET /v1/customers/{customer}/cards`)
 * and top-level lists filtered by a parameter that names another resource (`GET /v1/invoices?customer=`,
 * `GET /v1/transfers?destination=`). Each edge gets its GraphQL field name here, at codegen: two
 * edges with one name on one parent, or an edge whose name is also a property of the parent (other
 * than the inline list it serves), stop the generator until src/spec/overrides.ts settles them.
 */
import { camelCase } from './naming.ts';
import { propertyNameOverrides, relationOverrides } from './overrides.ts';
import { blankParams, endsWithParam, lastSegment, parentPath } from './paths.ts';
import { SpecError } from './spec-error.ts';
import type { ObjectSchema, Operation, OutProp, OutType, RelationEdge, UnionSchema } from './types.ts';

/** `treasury.financial_account` → `financial_account` */
const shortName = (resource: string) => resource.slice(resource.lastIndexOf('.') + 1);
const namespace = (resource: string) =>
  resource.includes('.') ? resource.slice(0, resource.lastIndexOf('.')) : '';

/** The GraphQL field name of a property, after the naming table. */
export function propertyFieldName(schema: string, prop: string): string {
  return propertyNameOverrides[`${schema}.${prop}`] ?? camelCase(prop);
}

/**
 * Plain-string properties that read like an id but are not one: `tax_id` on a boleto is the
 * customer's CPF/CNPJ number, a network token device's `location` is latitude/longitude, a card-present
 * source's `reader` is the reader's serial. Keyed `schema.property`.
 */
const NOT_ID_REFERENCES: ReadonlySet<string> = new Set([
  'payment_method_boleto.tax_id',
  'payment_method_details_boleto.tax_id',
  'issuing_network_token_device.location',
  'source_type_card_present.reader',
]);

/**
 * Turns the plain-string properties that hold another resource's id into references the schema can
 * follow (`subscription_item.subscription`, `line_item.invoice`, `charge.payment_method`,
 * `person.account`, `financial_account` on every Treasury object). Stripe types them as strings and
 * does not expand them; they become non-expandable references, which the schema reads as `x` (loaded
 * by id through the loaders) beside `xId`. A property is one when its name is the last segment of
 * exactly one live resource (preferring the object's own namespace, then the root one:
 * `financial_account` on an Issuing card is Treasury's, `product` is not Climate's), that resource
 * has a by-id retrieve, and the id field name (`xId`) is free. Returns the properties turned,
 * `schema.property` → resource.
 */
export function linkIdReferences(
  operations: readonly Operation[],
  objects: Record<string, ObjectSchema>,
): Map<string, string> {
  const byId = new Set(
    operations
      .filter((o) => o.kind === 'retrieve' && o.pathParams.length === 1 && endsWithParam(o.path))
      .map((o) => o.resource),
  );
  const resources = Object.values(objects).filter((o) => o.resource && !o.deletedOf);
  const linked = new Map<string, string>();
  for (const schema of Object.values(objects)) {
    const own = namespace(schema.resource ?? objects[schema.deletedOf ?? '']?.resource ?? '');
    for (const prop of schema.props) {
      if (prop.type.k !== 'string' || prop.name === 'id' || prop.gql) continue;
      if (NOT_ID_REFERENCES.has(`${schema.name}.${prop.name}`)) continue;
      if (schema.props.some((p) => p.name === `${prop.name}_id`)) continue;
      const candidates = resources.filter((r) => shortName(r.resource!) === prop.name);
      const near = candidates.filter((r) => namespace(r.resource!) === own);
      const root = candidates.filter((r) => namespace(r.resource!) === '');
      const chosen = near.length > 0 ? near : root.length > 0 ? root : candidates;
      // The name is decided first, then whether it can be loaded: a 3D Secure source's `card` is a
      // Card (read through its customer), never the Issuing card that alone has a by-id read.
      if (chosen.length !== 1 || chosen[0]!.name === schema.name || !byId.has(chosen[0]!.name)) continue;
      prop.type = { k: 'ref', to: { k: 'object', name: chosen[0]!.name } };
      prop.expandable = false;
      linked.set(`${schema.name}.${prop.name}`, chosen[0]!.name);
    }
  }
  return linked;
}

export function deriveRelations(
  operations: readonly Operation[],
  objects: Record<string, ObjectSchema>,
  unions: Record<string, UnionSchema>,
): RelationEdge[] {
  const relations: RelationEdge[] = [];
  const retrieveByRoute = new Map<string, Operation>();
  for (const op of operations) {
    if (op.kind === 'retrieve' && !retrieveByRoute.has(blankParams(op.path)))
      retrieveByRoute.set(blankParams(op.path), op);
  }
  const isLive = (name: string) => Boolean(objects[name]?.resource && !objects[name]?.deletedOf);
  const liveTargets = (type: OutType | undefined): string[] => {
    if (type?.k !== 'ref') return [];
    const to = type.to;
    const names = to.k === 'object' ? [to.name] : unions[to.name]!.members;
    return names.filter(isLive);
  };
  const resources = Object.values(objects).filter((o) => isLive(o.name));
  /**
   * A filter on a plain id property (`subscription_item.subscription`, `treasury.*.financial_account`)
   * names the resource whose last segment is the parameter, preferring the item's own namespace.
   */
  const targetByName = (param: string, item: string): string[] => {
    const candidates = resources.filter((r) => shortName(r.resource!) === param);
    const near = candidates.filter(
      (r) => namespace(r.resource!) === namespace(objects[item]!.resource ?? ''),
    );
    const chosen = near.length > 0 ? near : candidates;
    return chosen.length === 1 ? [chosen[0]!.name] : [];
  };

  for (const op of operations) {
    if (op.kind !== 'list') continue;
    if (op.pathParams.length > 0) {
      const parentOp = retrieveByRoute.get(blankParams(parentPath(op.path)));
      if (parentOp?.resource && endsWithParam(parentPath(op.path)) && isLive(parentOp.resource)) {
        relations.push({
          kind: 'nested',
          parent: parentOp.resource,
          name: lastSegment(op.path),
          field: camelCase(lastSegment(op.path)),
          operation: op.id,
          param: op.pathParams[op.pathParams.length - 1]!,
        });
      }
      continue;
    }
    // Previews (GET /v1/invoices/upcoming/lines) list objects that do not exist yet: no relation.
    if (!op.resource || /\/(upcoming|preview)(\/|$)/.test(op.path)) continue;
    const item = objects[op.resource];
    if (!item) continue;
    for (const param of op.query) {
      const prop = item.props.find((p) => p.name === param.name);
      const base = prop?.type.k === 'array' ? prop.type.of : prop?.type;
      // The filter names its parent by the item's reference (`invoice.customer`), by the resource the
      // item embeds whole (`promotion_code.coupon`, `issuing.card.cardholder`), or by its own name
      // (`GET /v1/subscriptions?price=`: a subscription carries its prices only under its items).
      const parents =
        base?.k === 'ref'
          ? liveTargets(base)
          : base?.k === 'object' && isLive(base.name)
            ? [base.name]
            : base?.k === 'string' || (!prop && param.type.k === 'string')
              ? targetByName(param.name, item.name)
              : [];
      for (const parent of parents) {
        // A filter the item has no property for, beside another filter of the same list naming the
        // same parent (`GET /v1/balance_transactions?payout=` beside `?source=` on a payout), is
        // named by its parameter: `Payout.balanceTransactionsByPayout`.
        const twin =
          !prop &&
          op.query.some((other) => {
            if (other === param) return false;
            const otherProp = item.props.find((p) => p.name === other.name);
            const otherBase = otherProp?.type.k === 'array' ? otherProp.type.of : otherProp?.type;
            return otherBase?.k === 'ref' && liveTargets(otherBase).includes(parent);
          });
        relations.push({
          kind: 'filter',
          parent,
          name: lastSegment(op.path),
          field: camelCase(twin ? `${lastSegment(op.path)}_by_${param.name}` : lastSegment(op.path)),
          operation: op.id,
          param: param.name,
        });
      }
    }
  }

  // Two list endpoints of one resource (GET /v1/balance/history is the old name of
  // GET /v1/balance_transactions) give one relation: keep the endpoint that spells the resource.
  const opById = new Map(operations.map((o) => [o.id, o]));
  const spells = (edge: RelationEdge) => {
    const op = opById.get(edge.operation)!;
    return lastSegment(op.path) === `${op.resource?.split('.').pop()}s`;
  };
  for (let i = relations.length - 1; i >= 0; i--) {
    const edge = relations[i]!;
    if (edge.kind !== 'filter') continue;
    const resource = opById.get(edge.operation)!.resource;
    const twin = relations.find(
      (other) =>
        other !== edge &&
        other.kind === 'filter' &&
        other.parent === edge.parent &&
        other.param === edge.param &&
        opById.get(other.operation)!.resource === resource,
    );
    if (twin && !spells(edge) && spells(twin)) relations.splice(i, 1);
  }

  const derived = new Set(relations.map((edge) => `${edge.parent}.${edge.operation}`));
  const stale = Object.keys(relationOverrides).filter((key) => !derived.has(key));
  if (stale.length > 0) {
    throw new SpecError('relationOverrides', `entries match no derived relation: ${stale.join(', ')}`);
  }
  return settleNames(relations, objects, (edge) => opById.get(edge.operation)?.resource);
}

/** Applies the naming table, finds the inline list each edge serves, and fails on any clash left. */
export function settleNames(
  derived: readonly RelationEdge[],
  objects: Record<string, ObjectSchema>,
  itemOf: (edge: RelationEdge) => string | undefined = () => undefined,
): RelationEdge[] {
  const settled: RelationEdge[] = [];
  for (const edge of derived) {
    const override = relationOverrides[`${edge.parent}.${edge.operation}`];
    if (override === null) continue;
    const named: RelationEdge = override ? { ...edge, field: override.field } : { ...edge };
    const inline = override?.inline ?? edge.name;
    const prop = objects[edge.parent]?.props.find((p) => p.name === inline);
    if (prop && (isListOf(prop, objects) || isArrayOf(prop, itemOf(edge)))) named.inline = prop.name;
    settled.push(named);
  }
  const clashes: string[] = [];
  const byField = new Map<string, RelationEdge>();
  for (const edge of settled) {
    const key = `${edge.parent}.${edge.field}`;
    const other = byField.get(key);
    if (other) {
      clashes.push(
        `${objects[edge.parent]?.gql}.${edge.field} would come from both ${other.operation} (${other.kind} ${other.param}) and ${edge.operation} (${edge.kind} ${edge.param})`,
      );
    }
    byField.set(key, edge);
    const parent = objects[edge.parent];
    for (const prop of parent?.props ?? []) {
      if (prop.name === edge.inline) continue;
      const names = [propertyFieldName(parent!.name, prop.name)];
      if (prop.type.k === 'ref' || (prop.type.k === 'array' && prop.type.of.k === 'ref')) {
        names.push(`${names[0]}${prop.type.k === 'array' ? 'Ids' : 'Id'}`);
      }
      if (names.includes(edge.field)) {
        clashes.push(
          `${parent!.gql}.${edge.field} is both the relation ${edge.operation} and the property "${prop.name}"`,
        );
      }
    }
  }
  if (clashes.length > 0) {
    throw new SpecError(
      'relations',
      `relation names clash; settle them in src/spec/overrides.ts:\n  ${clashes.join('\n  ')}`,
    );
  }
  return settled.sort((a, b) =>
    a.parent === b.parent ? (a.field < b.field ? -1 : 1) : a.parent < b.parent ? -1 : 1,
  );
}

/** A property holding one of Stripe's list objects (`{ object: "list", data, has_more, url }`). */
function isListOf(prop: OutProp, objects: Record<string, ObjectSchema>): boolean {
  const type = prop.type.k === 'ref' ? prop.type.to : prop.type;
  return type.k === 'object' && objects[type.name]?.object === 'list';
}

/**
 * A property holding every item of the list as a plain array (`dispute.balance_transactions`): the
 * relation answers its first page from it, so that the field has one shape on every parent.
 */
function isArrayOf(prop: OutProp, item: string | undefined): boolean {
  return prop.type.k === 'array' && prop.type.of.k === 'object' && prop.type.of.name === item;
}

/**
 * Marks the properties the naming table renames (`gql`) and the inline lists a relation serves
 * (`relation`): the schema reads those through the relation's field.
 */
export function markProperties(
  relations: readonly RelationEdge[],
  objects: Record<string, ObjectSchema>,
): void {
  for (const [key, gql] of Object.entries(propertyNameOverrides)) {
    const at = key.lastIndexOf('.');
    const prop = objects[key.slice(0, at)]?.props.find((p) => p.name === key.slice(at + 1));
    if (!prop) throw new SpecError('propertyNameOverrides', `"${key}" names no property`);
    prop.gql = gql;
  }
  for (const edge of relations) {
    if (!edge.inline) continue;
    const prop = objects[edge.parent]!.props.find((p) => p.name === edge.inline)!;
    prop.relation = edge.field;
  }
  // Every other list Stripe embeds (`upcoming_invoice.lines`, `financial_connections.session.accounts`,
  // a quote's `computed.upfront.line_items`) is a connection of the same shape, over its inline page
  // (src/schema/relations.ts, `addInlineLists`).
  for (const schema of Object.values(objects)) {
    for (const prop of schema.props) {
      if (!prop.relation && isListOf(prop, objects))
        prop.relation = propertyFieldName(schema.name, prop.name);
    }
  }
}

/** The item type of a list object schema (its `data` array), for a connection over it. */
export function listItemOf(schema: ObjectSchema | undefined): OutType | undefined {
  if (schema?.object !== 'list') return undefined;
  const data = schema.props.find((p) => p.name === 'data')?.type;
  return data?.k === 'array' ? data.of : undefined;
}
