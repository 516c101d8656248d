/**
 * How to fetch a resource, read from the model's operations: its primary retrieve operation, the
 * concrete path of an object, the resource an object or id belongs to.
 */
import { isParamSegment } from './paths.ts';
import { resourceForId } from './prefixes.ts';
import type { Model, ObjectSchema, Operation } from './types.ts';

/** A Stripe object as it arrives on the wire. */
type WireObject = Readonly<Record<string, unknown>>;

export interface ResourceIndex {
  /** the primary retrieve operation of a resource (by schema name) */
  retrieveOf(resource: string): Operation | undefined;
  /** the by-id retrieve (exactly one path parameter) of a resource */
  retrieveByIdOf(resource: string): Operation | undefined;
  /** live resource schema for an object's `object` value */
  schemaOfObject(object: WireObject): ObjectSchema | undefined;
  /** concrete retrieve path of an object, when it has a by-id retrieve */
  retrievePathOf(object: WireObject): string | undefined;
  /**
   * How reads of a by-id retrieve template (`/v1/products/{id}`) are batched: the resource's list
   * takes an `ids[]` filter (`GET /v1/products?ids[]=…`), so up to a page of them cost one call.
   */
  batchReadOf(retrievePath: string): BatchRead | undefined;
}

/** A list that answers many by-id reads of one resource at once. */
export interface BatchRead {
  /** the list's path, e.g. /v1/products */
  list: string;
  /** the resource, as Stripe names it in "No such product: '…'" */
  resource: string;
}

/**
 * Picks among several retrieve operations of one resource: fewest path parameters first, then a
 * path that ends in the object's own id, then the path that spells the resource (`/v1/balance_transactions/{id}` over `/v1/balance/history/{id}`),
 * then alphabetical. Parameterless singletons (`/v1/account`) lose to a by-id retrieve.
 */
function rank(resource: string, op: Operation): [number, number, number, string] {
  const spelled = resource.replace(/\./g, '/');
  const literal = op.path
    .split('/')
    .filter((s) => s && !isParamSegment(s))
    .join('/');
  const spells = literal.endsWith(`${spelled}s`) || literal.endsWith(spelled) ? 0 : 1;
  const params = op.pathParams.length === 0 ? 99 : op.pathParams.length;
  // By its own id (`/v1/disputes/{dispute}`) over a sub-resource of a parent
  // (`/v1/charges/{charge}/dispute`, which is the relation `Charge.dispute`).
  const byOwnId = op.singleton ? 1 : 0;
  return [params, byOwnId, spells, op.path];
}

function compare(a: [number, number, number, string], b: [number, number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
}

export function indexResources(model: Model): ResourceIndex {
  const retrieves = new Map<string, Operation[]>();
  for (const op of model.operations) {
    if (op.kind !== 'retrieve' || !op.resource || op.produces) continue;
    const list = retrieves.get(op.resource) ?? [];
    list.push(op);
    retrieves.set(op.resource, list);
  }
  const primary = new Map<string, Operation>();
  for (const [resource, ops] of retrieves) {
    const best = [...ops].sort((a, b) => compare(rank(resource, a), rank(resource, b)))[0]!;
    primary.set(resource, best);
  }
  const byObject = new Map<string, ObjectSchema>();
  for (const schema of Object.values(model.objects)) {
    if (schema.resource && !schema.deletedOf && schema.object && !byObject.has(schema.object)) {
      byObject.set(schema.object, schema);
    }
  }
  const retrieveByIdOf = (resource: string) => {
    const op = primary.get(resource);
    return op && op.pathParams.length === 1 && !op.singleton ? op : undefined;
  };
  // The by-id retrieve path of each object type, split around its one placeholder: every object
  // that a request's answers bring may be indexed by it, so it is put together without a template
  // walk.
  const byIdPaths = new Map<string, readonly [string, string]>();
  for (const [object, schema] of byObject) {
    const path = retrieveByIdOf(schema.name)?.path;
    if (path) byIdPaths.set(object, [path.slice(0, path.indexOf('{')), path.slice(path.indexOf('}') + 1)]);
  }
  // A top-level list of the same resource that filters by `ids[]` answers its by-id reads in bulk.
  const batchReads = new Map<string, BatchRead>();
  for (const op of model.operations) {
    if (op.kind !== 'list' || !op.resource || op.pathParams.length > 0) continue;
    if (!op.query.some((p) => p.name === 'ids' && p.type.k === 'array')) continue;
    const retrieve = retrieveByIdOf(op.resource);
    if (retrieve) batchReads.set(retrieve.path, { list: op.path, resource: op.resource });
  }
  return {
    retrieveOf: (resource) => primary.get(resource),
    batchReadOf: (path) => batchReads.get(path),
    retrieveByIdOf,
    schemaOfObject(object) {
      return typeof object.object === 'string' ? byObject.get(object.object) : undefined;
    },
    retrievePathOf(object) {
      if (object.deleted === true || typeof object.id !== 'string') return undefined;
      const around = typeof object.object === 'string' ? byIdPaths.get(object.object) : undefined;
      return around ? `${around[0]}${encodeURIComponent(object.id)}${around[1]}` : undefined;
    },
  };
}

/** The member of `candidates` an id belongs to, by its prefix; undefined when the prefix does not say. */
export function candidateForId(id: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 1) return candidates[0];
  const match = resourceForId(id);
  return match.kind === 'match' && candidates.includes(match.resource) ? match.resource : undefined;
}
