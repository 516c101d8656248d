/**
 * The API the emulator serves, compiled once per process from the model: the resource registry,
 * the routes and their router, and where each inline list (`customer.sources`) is listed in full.
 */
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
      if (route.kind !== 'retrieve') continue;
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

  private indexListUrls(): void {
    const lists = this.routes.filter((r) => r.kind === 'list');
    for (const info of this.registry.resources.values()) {
      for (const list of info.inlineLists) {
        const overlaps = (route: Route) => route.resources.some((r) => list.items.includes(r));
        const candidates = lists.filter(
          (route) =>
            route.parents.length > 0 &&
            route.parents.at(-1)!.resources.includes(info.name) &&
            overlaps(route),
        );
        const nested =
          candidates.find((route) => route.op.path.endsWith(`/${list.prop.name}`)) ??
          candidates.find((route) => list.items.every((item) => route.resources.includes(item))) ??
          candidates[0];
        let url: string | undefined;
        if (nested) {
          let index = 0;
          url = nested.op.path.replace(/\{[^}]+\}/g, () =>
            index++ === nested.parents.length - 1 ? '{}' : '_',
          );
        } else {
          for (const route of lists) {
            if (route.parents.length > 0 || !overlaps(route)) continue;
            const param = route.op.query.find(
              (q) => this.registry.parentProp(list.items[0]!, info.name, q.name) === q.name,
            );
            if (param) {
              url = `${route.op.path}?${param.name}={}`;
              break;
            }
          }
        }
        if (url) this.listUrls.set(`${info.name}.${list.prop.name}`, url);
      }
    }
  }
}

let api: Api | undefined;

export function loadApi(): Api {
  api ??= new Api(loadRegistry());
  return api;
}
