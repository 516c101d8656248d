/**
 * Relation edges, derived from the operations: nested collections (`GET /v1/customers/{customer}/cards`)
 * and top-level lists filtered by a parameter that names another resource (`GET /v1/invoices?customer=`).
 */
import type { ObjectSchema, Operation, OutType, RelationEdge, UnionSchema } from './types.ts';

export function deriveRelations(
  operations: readonly Operation[],
  objects: Record<string, ObjectSchema>,
  unions: Record<string, UnionSchema>,
): RelationEdge[] {
  const lastSegmentIsParam = (path: string) => path.endsWith('}');
  const parentPath = (path: string) => path.slice(0, path.lastIndexOf('/'));
  const relations: RelationEdge[] = [];
  const retrieveByPath = new Map(operations.filter((o) => o.kind === 'retrieve').map((o) => [o.path, o]));
  const liveTargets = (type: OutType | undefined): string[] => {
    if (type?.k !== 'ref') return [];
    const to = type.to;
    const names = to.k === 'object' ? [to.name] : unions[to.name]!.members;
    return names.filter((n) => objects[n]?.resource && !objects[n]?.deletedOf);
  };
  const lastSegment = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  for (const op of operations) {
    if (op.kind !== 'list') continue;
    if (op.pathParams.length > 0 && lastSegmentIsParam(parentPath(op.path))) {
      const parentOp = retrieveByPath.get(parentPath(op.path));
      if (parentOp?.resource) {
        relations.push({
          kind: 'nested',
          parent: parentOp.resource,
          name: lastSegment(op.path),
          operation: op.id,
          param: op.pathParams[op.pathParams.length - 1]!,
        });
      }
      continue;
    }
    // Previews (GET /v1/invoices/upcoming/lines) list objects that do not exist yet: no relation.
    if (op.pathParams.length > 0 || !op.resource || /\/(upcoming|preview)\//.test(op.path)) continue;
    const item = objects[op.resource];
    for (const param of op.query) {
      const prop = item?.props.find((p) => p.name === param.name);
      for (const parent of liveTargets(prop?.type)) {
        relations.push({
          kind: 'filter',
          parent,
          name: lastSegment(op.path),
          operation: op.id,
          param: param.name,
        });
      }
    }
  }

  // Two list endpoints of one resource (GET /v1/balance/history is the old name of
  // GET /v1/balance_transactions) give one relation: keep the endpoint that spells the resource.
  const spells = (edge: RelationEdge) => {
    const op = operations.find((o) => o.id === edge.operation)!;
    return lastSegment(op.path) === `${op.resource?.split('.').pop()}s`;
  };
  for (let i = relations.length - 1; i >= 0; i--) {
    const edge = relations[i]!;
    if (edge.kind !== 'filter') continue;
    const resource = operations.find((o) => o.id === edge.operation)!.resource;
    const twin = relations.find(
      (other) =>
        other !== edge &&
        other.kind === 'filter' &&
        other.parent === edge.parent &&
        other.param === edge.param &&
        operations.find((o) => o.id === other.operation)!.resource === resource,
    );
    if (twin && !spells(edge) && spells(twin)) relations.splice(i, 1);
  }
  return relations;
}
