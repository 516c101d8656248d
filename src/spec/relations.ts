/**
 * Relation edges, derived from the operations: nested collections (`GET /v1/customers/{customer}/cards`)
 * and top-level lists filtered by a parameter that names another resource (`GET /v1/invoices?customer=`,
 * `GET /v1/transfers?destination=`). Each edge gets its GraphQL field name here, at codegen: two
 * edges with one name on one parent, or an edge whose name is also a property of the parent (other
 * than the inline list it serves), stop the generator until src/spec/overrides.ts settles them.
 */
import { camelCase } from './naming.ts';
import { propertyNameOverrides, relationOverrides } from './overrides.ts';
import { SpecError } from './spec-error.ts';
import type { ObjectSchema, Operation, OutProp, OutType, RelationEdge, UnionSchema } from './types.ts';

const lastSegment = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const parentPath = (path: string) => path.slice(0, path.lastIndexOf('/'));
/** `/v1/transfers/{id}` and `/v1/transfers/{transfer}` are one route. */
const route = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
/** `treasury.financial_account` → `financial_account` */
const shortName = (resource: string) => resource.slice(resource.lastIndexOf('.') + 1);
const namespace = (resource: string) =>
  resource.includes('.') ? resource.slice(0, resource.lastIndexOf('.')) : '';

/** The GraphQL field name of a property, after the naming table. */
export function propertyFieldName(schema: string, prop: string): string {
  return propertyNameOverrides[`${schema}.${prop}`] ?? camelCase(prop);
}

export function deriveRelations(
  operations: readonly Operation[],
  objects: Record<string, ObjectSchema>,
  unions: Record<string, UnionSchema>,
): RelationEdge[] {
  const relations: RelationEdge[] = [];
  const retrieveByRoute = new Map<string, Operation>();
  for (const op of operations) {
    if (op.kind === 'retrieve' && !retrieveByRoute.has(route(op.path)))
      retrieveByRoute.set(route(op.path), op);
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
      const parentOp = retrieveByRoute.get(route(parentPath(op.path)));
      if (parentOp?.resource && parentPath(op.path).endsWith('}') && isLive(parentOp.resource)) {
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
      const parents =
        base?.k === 'ref'
          ? liveTargets(base)
          : base?.k === 'string' || (!prop && param.required)
            ? targetByName(param.name, item.name)
            : [];
      for (const parent of parents) {
        relations.push({
          kind: 'filter',
          parent,
          name: lastSegment(op.path),
          field: camelCase(lastSegment(op.path)),
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
}
