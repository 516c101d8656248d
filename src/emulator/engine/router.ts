/**
 * Matches `METHOD /path` against the model's path templates with a segment trie built once:
 * static segments win over parameters (`/v1/customers/search` before `/v1/customers/{customer}`),
 * with backtracking when a static branch dead-ends. Cost is proportional to the path's length.
 */
import { isParamSegment } from '../../spec/paths.ts';
import type { Route } from './routes.ts';

interface Node {
  statics: Map<string, Node>;
  param?: Node;
  routes: Map<string, Route>;
}

const newNode = (): Node => ({ statics: new Map(), routes: new Map() });

export interface Match {
  route: Route;
  /** path parameter values in template order, URL-decoded */
  values: string[];
  /** the same values by parameter name */
  params: Record<string, string>;
}

export class Router {
  private readonly root = newNode();

  constructor(routes: readonly Route[]) {
    for (const route of routes) {
      let node = this.root;
      for (const segment of route.op.path.split('/').slice(1)) {
        if (isParamSegment(segment)) node = node.param ??= newNode();
        else {
          let next = node.statics.get(segment);
          if (!next) {
            next = newNode();
            node.statics.set(segment, next);
          }
          node = next;
        }
      }
      node.routes.set(route.method, route);
    }
  }

  /** The route for `method` and `path` (without the query string), or undefined. */
  match(method: string, path: string): Match | undefined {
    if (!path.startsWith('/')) return undefined;
    const segments = path.split('/').slice(1);
    if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop(); // trailing slash
    const values: string[] = [];
    const route = this.walk(this.root, segments, 0, method, values);
    if (!route) return undefined;
    const decoded: string[] = [];
    for (const value of values) {
      try {
        decoded.push(decodeURIComponent(value));
      } catch {
        return undefined;
      }
    }
    const params: Record<string, string> = {};
    route.params.forEach((name, i) => {
      params[name] = decoded[i]!;
    });
    return { route, values: decoded, params };
  }

  private walk(
    node: Node,
    segments: string[],
    i: number,
    method: string,
    values: string[],
  ): Route | undefined {
    if (i === segments.length) return node.routes.get(method);
    const segment = segments[i]!;
    const next = node.statics.get(segment);
    if (next) {
      const found = this.walk(next, segments, i + 1, method, values);
      if (found) return found;
    }
    if (node.param && segment !== '') {
      values.push(segment);
      const found = this.walk(node.param, segments, i + 1, method, values);
      if (found) return found;
      values.pop();
    }
    return undefined;
  }
}
