/**
 * The API the emulator serves, compiled once per process from the model: the resource registry,
 * the routes and their router, and where each inline list (`customer.sources`) is listed in full.
 */
import { replaceParams } from '../../spec/paths.ts';
import type { RelationEdge } from '../../spec/types.ts';
import { loadRegistry, type ResourceRegistry } from './registry.ts';
import { Router } from './router.ts';
import { compileRoutes, type Route } from './routes.ts';

export class Api {
  readonly registry: ResourceRegistry;
  readonly routes: Route[];
  readonly router: Router;
  readonly apiVersion: string;
  private readonly listUrls = new Map<string, string>();
  /** resources whose retrieve answers `{ id, object, deleted: true }` once deleted (customers) */
  private readonly tombstoned = new Set<string>();
  /** resources addressable by id (a retrieve route), so references to them can be checked */
  private readonly stored = new Set<string>();

  constructor(registry: ResourceRegistry) {
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
   * Where each inline list is listed in full: the model's relation that serves it (`edge.inline`),
   * e.g. `customer.sources` → `/v1/customers/{}/sources`, `file.links` → `/v1/file_links?file={}`.
   * Its `url` names the nested path when the model has one under the parent by the same name, as
   * Stripe's does (`customer.subscriptions` → `/v1/customers/{}/subscriptions`), though the
   * relation pages the top-level list that takes more filters.
   */
  private indexListUrls(): void {
    const { operations, relations } = this.registry.model;
    const byId = new Map(operations.map((op) => [op.id, op]));
    for (const info of this.registry.resources.values()) {
      for (const list of info.inlineLists) {
        const served = relations.find((edge) => edge.parent === info.name && edge.inline === list.prop.name);
        if (!served) continue;
        const edge =
          served.kind === 'nested'
            ? served
            : (this.nestedByParents(info.name).find((e) => e.name === list.prop.name) ?? served);
        const path = byId.get(edge.operation)!.path;
        const url =
          edge.kind === 'nested'
            ? replaceParams(path, (param) => (param === edge.param ? '{}' : '_'))
            : `${path}?${edge.param}={}`;
        this.listUrls.set(`${info.name}.${list.prop.name}`, url);
      }
    }
  }

  /** Nested lists under `parent`, by the model's path addressing (`parents`) of list operations. */
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
}

let api: Api | undefined;

export function loadApi(): Api {
  api ??= new Api(loadRegistry());
  return api;
}
