/**
 * How the emulator reads each operation of the model: what kind of request it is (the model's
 * `kind`, refined where the path says more), which resources it returns, which path parameters name
 * ancestors, and which object an action acts on. Derived generically from paths and types.
 */
import type { Operation } from '../spec/types.ts';
import type { Registry } from './registry.ts';

export type RouteKind =
  | 'list'
  | 'search'
  /** GET an object by the id in the last path segment */
  | 'retrieve'
  /** GET an object addressed by its path alone (`/v1/balance`, `/v1/customers/{c}/cash_balance`) */
  | 'singleton'
  | 'create'
  | 'update'
  | 'delete'
  | 'action';

export interface PathParent {
  /** the path parameter */
  param: string;
  /** its position among the path parameters */
  index: number;
  /** live resources the parameter can name; empty when the path does not say */
  resources: string[];
}

export interface Route {
  op: Operation;
  method: 'GET' | 'POST' | 'DELETE';
  kind: RouteKind;
  /** live resources returned (the item type for lists) */
  resources: string[];
  /** the name rules are keyed by: the operation's resource (`payment_source`) or the first resource */
  ruleResource: string;
  /** path parameters that address ancestors, outermost first */
  parents: PathParent[];
  /** path parameter names in path order (the operation lists them in its own order) */
  params: string[];
  /** the index of the path parameter holding the object's own id (retrieve, update, delete, action) */
  target?: number;
  /** for `singleton` and singleton updates: the singleton's key (the path with parameters blanked) */
  singleton?: string;
  /** for actions: the route that retrieves the object acted on, and the verb (`pay`, `shipping/deliver`) */
  subject?: Route;
  verb?: string;
  /** for lists under a path-addressed object (`/v1/invoices/upcoming/lines`): that object's route */
  within?: Route;
  /** the response is the deleted form (`deleted_customer`), or the live object for cancel-like deletes */
  deletedResponse: boolean;
}

const isParam = (segment: string) => segment.startsWith('{');
/** `/v1/customers/{customer}/sources` → `/v1/customers/{}/sources`: templates compared structurally. */
export const blankParams = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
const stripTestHelpers = (path: string) => path.replace('/v1/test_helpers/', '/v1/');

export function compileRoutes(registry: Registry): Route[] {
  const ops = registry.model.operations;
  const byShape = new Map<string, Operation>();
  for (const op of ops) byShape.set(`${op.method} ${blankParams(op.path)}`, op);
  const getAt = (path: string) => byShape.get(`get ${blankParams(path)}`);

  const resourcesOfOp = (op: Operation): string[] => {
    const fromType = registry.resourcesOf(op.response);
    if (fromType.length > 0) return fromType;
    return op.resource ? registry.resourcesNamed(op.resource) : [];
  };

  /** Resources a path ending in a parameter names: its retrieve op, else the list one level up. */
  const resourcesAt = (prefix: string): string[] => {
    for (const path of [prefix, stripTestHelpers(prefix)]) {
      const retrieve = getAt(path);
      if (retrieve && !retrieve.paged) return resourcesOfOp(retrieve);
      const list = getAt(path.slice(0, path.lastIndexOf('/')));
      if (list?.paged === 'list') return resourcesOfOp(list);
    }
    return [];
  };

  const parentsOf = (path: string, upTo: number): PathParent[] => {
    const segments = path.split('/');
    const parents: PathParent[] = [];
    let index = 0;
    for (let i = 0; i < segments.length && index < upTo; i++) {
      const segment = segments[i]!;
      if (!isParam(segment)) continue;
      parents.push({
        param: segment.slice(1, -1),
        index,
        resources: resourcesAt(segments.slice(0, i + 1).join('/')),
      });
      index++;
    }
    return parents;
  };

  const routes = new Map<Operation, Route>();
  const build = (op: Operation): Route => {
    const existing = routes.get(op);
    if (existing) return existing;
    const segments = op.path.split('/');
    const lastIsParam = isParam(segments[segments.length - 1]!);
    const resources = resourcesOfOp(op);
    const params = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const route: Route = {
      op,
      params,
      method: op.method.toUpperCase() as Route['method'],
      kind: 'retrieve',
      resources,
      ruleResource: op.resource ?? resources[0] ?? op.id,
      parents: [],
      deletedResponse: false,
    };
    routes.set(op, route);
    const paramCount = params.length;
    const withTarget = () => {
      route.target = paramCount - 1;
      route.parents = parentsOf(op.path, paramCount - 1);
    };
    const asSingleton = () => {
      route.singleton = blankParams(stripTestHelpers(op.path));
      route.parents = parentsOf(op.path, paramCount);
    };

    if (op.method === 'get') {
      if (op.paged) {
        route.kind = op.paged;
        route.parents = parentsOf(op.path, paramCount);
      } else if (lastIsParam) {
        route.kind = 'retrieve';
        withTarget();
      } else {
        route.kind = 'singleton';
        asSingleton();
      }
      return route;
    }
    if (op.method === 'delete') {
      route.kind = 'delete';
      route.deletedResponse = registry
        .schemasOf(op.response)
        .some((n) => registry.model.objects[n]?.deletedOf);
      if (lastIsParam) withTarget();
      else asSingleton();
      return route;
    }
    // POST
    if (lastIsParam) {
      route.kind = 'update';
      withTarget();
      return route;
    }
    const get = getAt(op.path);
    if (get && !get.paged && op.path.split('{').length === get.path.split('{').length) {
      route.kind = 'update';
      asSingleton();
      return route;
    }
    if (get?.paged === 'list') {
      route.kind = 'create';
      route.parents = parentsOf(op.path, paramCount);
      return route;
    }
    const subject = subjectOf(op);
    if (subject?.route.resources.some((r) => resources.includes(r))) {
      route.kind = 'action';
      route.subject = subject.route;
      route.parents = subject.route.parents;
      if (subject.route.target !== undefined) route.target = subject.route.target;
      route.verb = subject.verb;
      return route;
    }
    route.kind = 'create';
    route.parents = parentsOf(op.path, paramCount);
    return route;
  };

  /** The retrieve route of the object an action path acts on: the nearest ancestor path with a GET. */
  const subjectOf = (op: Operation): { route: Route; verb: string } | undefined => {
    const segments = op.path.split('/');
    for (let end = segments.length - 1; end > 2; end--) {
      const prefix = segments.slice(0, end).join('/');
      const get = getAt(prefix) ?? getAt(stripTestHelpers(prefix));
      if (get && !get.paged) return { route: build(get), verb: segments.slice(end).join('/') };
    }
    return undefined;
  };

  for (const op of ops) build(op);
  for (const route of routes.values()) {
    if (route.kind !== 'list') continue;
    const holder = getAt(route.op.path.slice(0, route.op.path.lastIndexOf('/')));
    const holderRoute = holder ? routes.get(holder) : undefined;
    if (holderRoute?.kind === 'singleton') route.within = holderRoute;
  }
  return [...routes.values()];
}
