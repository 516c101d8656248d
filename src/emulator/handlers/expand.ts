/**
 * `expand[]`: parsed into a tree and checked against the response type before anything runs.
 * A path may only name props the spec lists in `x-expandableFields` (references, sub-objects and
 * opt-in lists such as `customer.sources`), at most four levels deep (`data.` counts on lists).
 */
import { isIncludable, MAX_EXPAND_DEPTH } from '../../spec/stripe.ts';
import type { OutType } from '../../spec/types.ts';
import { invalidRequest } from '../engine/errors.ts';
import type { ResourceRegistry } from '../engine/registry.ts';

/** prop → what to expand inside it */
export type ExpandTree = Map<string, ExpandTree>;

const notExpandable = (path: string, suggestion?: string) =>
  invalidRequest(
    `This property cannot be expanded (${path}).${
      suggestion ? ` You may want to try expanding '${suggestion}' instead.` : ''
    }`,
  );

/** Types one level down: the prop `name` of any object `types` can be, if expandable. */
function step(registry: ResourceRegistry, types: OutType[], name: string): OutType[] {
  const next: OutType[] = [];
  for (const type of types) {
    for (const schema of registry.schemasOf(type)) {
      const prop = registry.model.objects[schema] ? registry.prop(schema, name) : undefined;
      if (prop && (prop.expandable || isIncludable(schema, name)))
        next.push(prop.type.k === 'array' ? prop.type.of : prop.type);
    }
  }
  return next;
}

/**
 * Checks `paths` against `response` (the item type for lists and search results) and returns the
 * tree. `extra` names top-level pseudo-fields that are accepted as is (`total_count` on search).
 */
export function parseExpand(
  registry: ResourceRegistry,
  paths: readonly string[],
  response: OutType,
  paged: 'list' | 'search' | undefined,
  extra: readonly string[] = [],
): ExpandTree {
  const tree: ExpandTree = new Map();
  for (const path of paths) {
    if (extra.includes(path)) continue;
    const segments = path.split('.');
    if (segments.some((s) => s === '')) throw notExpandable(path);
    if (segments.length > MAX_EXPAND_DEPTH) {
      throw invalidRequest(
        `You cannot expand more than ${MAX_EXPAND_DEPTH} levels of a property. Property: ${path}`,
        { code: 'property_expansion_max_depth', param: 'expand' },
      );
    }
    let rest = segments;
    if (paged) {
      if (segments[0] !== 'data') {
        const valid = step(registry, [response], segments[0]!).length > 0;
        throw notExpandable(segments[0]!, valid ? `data.${path}` : undefined);
      }
      rest = segments.slice(1);
      if (rest.length === 0) continue;
    }
    let types: OutType[] = [response];
    let node = tree;
    for (let i = 0; i < rest.length; i++) {
      const name = rest[i]!;
      types = step(registry, types, name);
      if (types.length === 0)
        throw notExpandable((paged ? ['data', ...rest] : rest).slice(0, (paged ? 2 : 1) + i).join('.'));
      let child = node.get(name);
      if (!child) {
        child = new Map();
        node.set(name, child);
      }
      node = child;
    }
  }
  return tree;
}
