/**
 * The API the emulator serves, compiled once per process from the model: the resource registry,
 * the routes and their router, and where each inline list (`customer.sources`) is listed in full.
 */
import type { RelationEdge } from '../spec/types.ts';
import { loadRegistry, type Registry } from './registry.ts';
import { Router } from './router.ts';
import { compileRoutes, type Route } from './routes.ts';

export class Api {
  readonly registry: Registry;
  readonly routes: Route[];
  readonly router: Router;
  readonly apiVersion: string;
  private readonly listUrls = new Map<string, string>();
  /** resources whose retrieve answers `{ id, object, deleted: true }` once deleted (customers) */
  private readonly tombstoned = new Set<string>();
  /** resources addressable by id (a retrieve route), so references to them can be checked */
  private readonly stored = new Set<string>();

  constructor(registry: Registry) {
    this.registry = registry;
    this.routes = compileRoutes(registry);
    this.router = new Router(this.routes);
    this.apiVersion = registry.model.apiVersion;
    this.indexListUrls();
    for (const route of this.routes) {
      if (route.op.kind !== 'retrieve' || route.op.singleton) continue;
      for (const resource of route.resources) this.stored.add(resource);
      for (const name of registry.schemasOf(route.op.response)) {
        const live = registry.model.objects[name]?.deletedOf;
        if (live) this.tombstoned.add(live);
      }
    }
  }

  isStored(resource: string): boolean {
    return this.stored.has(resource);
  }

  keepsTombstone(resource: string): boolean {
    return this.tombstoned.has(resource);
  }

  /** Where the full list behind `resource.prop` lives, with `{}` for the parent's id. */
  listUrl(resource: string, prop: string): string | undefined {
    return this.listUrls.get(`${resource}.${prop}`);
  }

  /**
   * Where each inline list is listed in full, from the model's relations: the nested collection of
   * that name (`customer.sources` → `/v1/customers/{}/sources`), else one holding the same items,
   * else a top-level list filtered by the parent (`file.links` → `/v1/file_links?file={}`).
   */
  private indexListUrls(): void {
    const { operations, relations } = this.registry.model;
    const byId = new Map(operations.map((op) => [op.id, op]));
    const lists = new Map(this.routes.filter((r) => r.op.kind === 'list').map((r) => [r.op.id, r]));
    for (const info of this.registry.resources.values()) {
      for (const list of info.inlineLists) {
        const holds = (edge: RelationEdge) =>
          lists.get(edge.operation)?.resources.some((r) => list.items.includes(r)) ?? false;
        const edges = relations.filter((edge) => edge.parent === info.name && holds(edge));
        const nested = [
          ...edges.filter((edge) => edge.kind === 'nested'),
          ...this.nestedByParents(info.name).filter(holds),
        ];
        const edge =
          nested.find((e) => e.name === list.prop.name) ??
          nested.find((e) => list.items.every((item) => lists.get(e.operation)!.resources.includes(item))) ??
          nested[0] ??
          edges.find((e) => e.kind === 'filter') ??
          this.filterByParentProp(info.name, list.items);
        if (!edge) continue;
        const path = byId.get(edge.operation)!.path;
        const url =
          edge.kind === 'nested'
            ? path.replace(/\{([^}]+)\}/g, (_, param: string) => (param === edge.param ? '{}' : '_'))
            : `${path}?${edge.param}={}`;
        this.listUrls.set(`${info.name}.${list.prop.name}`, url);
      }
    }
  }

  /**
   * Nested lists under `parent` by the model's path addressing, for those the relations miss when
   * the list's path names the parent's id differently from its retrieve (`/v1/transfers/{id}/reversals`
   * beside `/v1/transfers/{transfer}`, `/v1/credit_notes/{credit_note}/lines` beside `{id}`).
   */
  private nestedByParents(parent: string): RelationEdge[] {
    const out: RelationEdge[] = [];
    for (const route of this.routes) {
      const last = route.op.parents?.at(-1);
      if (route.op.kind !== 'list' || last?.resource !== parent) continue;
      const name = route.op.path.slice(route.op.path.lastIndexOf('/') + 1);
      out.push({ kind: 'nested', parent, name, field: name, operation: route.op.id, param: last.param });
    }
    return out;
  }

  /**
   * A top-level list filtered by a plain string prop naming the parent, which the model's relations
   * do not derive (they follow references): `subscription.items` → `/v1/subscription_items?subscription=`,
   * `radar.value_list.list_items` → `/v1/radar/value_list_items?value_list=`.
   */
  private filterByParentProp(parent: string, items: readonly string[]): RelationEdge | undefined {
    for (const route of this.routes) {
      if (route.op.kind !== 'list' || route.parents.length > 0) continue;
      if (!route.resources.some((r) => items.includes(r))) continue;
      const param = route.op.query.find(
        (q) => this.registry.parentProp(items[0]!, parent, q.name) === q.name,
      );
      if (param)
        return { kind: 'filter', parent, name: '', field: '', operation: route.op.id, param: param.name };
    }
    return undefined;
  }
}

let api: Api | undefined;

export function loadApi(): Api {
  api ??= new Api(loadRegistry());
  return api;
}
