/**
 * How the emulator reads each operation of the model. Everything that classifies an operation (its
 * kind, whether its object is addressed by path alone, its subject, which path parameters name
 * ancestors) comes from the model (`src/spec/operations.ts`); a route only resolves those facts to
 * what the store needs: live resource names and parameter positions.
 */
import { blankParams, endsWithParam, withoutTestHelpers } from '../../spec/paths.ts';
import type { Operation } from '../../spec/types.ts';
import type { ResourceRegistry } from './registry.ts';

export interface PathParent {
  /** the path parameter */
  param: string;
  /** its position among the path parameters */
  index: number;
  /** live resources the parameter can name; empty when the model does not say */
  resources: string[];
}

export interface Route {
  op: Operation;
  method: 'GET' | 'POST' | 'DELETE';
  /** live resources returned (the item type for lists) */
  resources: string[];
  /** the name rules are keyed by: the operation's resource (`payment_source`) or the first resource */
  ruleResource: string;
  /** the model's `parents`, resolved */
  parents: PathParent[];
  /** path parameter names in path order */
  params: string[];
  /** the index of the path parameter holding the addressed object's own id (none for singletons) */
  target?: number;
  /** the model's `subject`: the route retrieving the object addressed, and the action's verb */
  subject?: Route;
  verb?: string;
  /** a singleton's key: its path with parameters blanked */
  singleton?: string;
}

export function compileRoutes(registry: ResourceRegistry): Route[] {
  const ops = registry.model.operations;
  const byId = new Map(ops.map((op) => [op.id, op]));

  const resourcesOfOp = (op: Operation): string[] => {
    const fromType = registry.resourcesOf(op.response);
    if (fromType.length > 0) return fromType;
    return op.resource ? registry.resourcesNamed(op.resource) : [];
  };

  const routes = new Map<Operation, Route>();
  const build = (op: Operation): Route => {
    const existing = routes.get(op);
    if (existing) return existing;
    const params = op.pathParams;
    const route: Route = {
      op,
      params,
      method: op.method.toUpperCase() as Route['method'],
      resources: resourcesOfOp(op),
      ruleResource: op.resource ?? resourcesOfOp(op)[0] ?? op.id,
      parents: (op.parents ?? []).map((parent) => ({
        param: parent.param,
        index: params.indexOf(parent.param),
        resources: parent.resource ? registry.resourcesNamed(parent.resource) : [],
      })),
    };
    routes.set(op, route);
    const subject = op.subject ? byId.get(op.subject.operation) : undefined;
    if (subject) {
      route.subject = build(subject);
      if (op.subject?.verb !== undefined) route.verb = op.subject.verb;
    }
    const addressed = op.kind === 'action' && route.subject ? route.subject : route;
    if (addressed.op.singleton) route.singleton = blankParams(withoutTestHelpers(addressed.op.path));
    else if (endsWithParam(addressed.op.path) && op.kind !== 'list' && op.kind !== 'create')
      route.target = addressed.params.length - 1;
    return route;
  };
  for (const op of ops) build(op);
  return [...routes.values()];
}
