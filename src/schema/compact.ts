/**
 * What the built schema keeps for as long as the process serves it, trimmed to what the run time
 * reads. Measured with heap snapshots before and after `buildSchema()` (`v8.writeHeapSnapshot()`,
 * self sizes summed by retainer): the schema's share of the heap was 32.7 MB, most of it the
 * build's bookkeeping rather than types; 11.6 MB once compacted (used heap after a full GC).
 *
 * - Every field, argument, input field and enum value of graphql-js has an `extensions` object, made
 *   with a null prototype (graphql-js's `toObjMap`), which V8 keeps as a hash table (dictionary
 *   mode): a few hundred bytes even when empty, for 22,000 elements. Pothos fills them with its
 *   build state (`pothosConfig`, `pothosOptions`, the original resolver, argument mappers). The
 *   compacted `extensions` keep the other keys (the fetch plans, the wire facts, `preview`,
 *   federation's `apollo` and non-empty `directives`) in an ordinary object, and the elements
 *   without any share one frozen empty object.
 * - @pothos/plugin-federation records the directives each builder uses in a module-level `Map`
 *   keyed by the builder (not a `WeakMap`), and resolvers' closures capture type refs whose
 *   callbacks close over the builder's config store: either keeps every type's and field's build
 *   configuration alive. `releaseBuilder` lets it go.
 */
import { type GraphQLSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import type { Builder } from './builder.ts';

type Extensions = Readonly<Record<string, unknown>>;

const NONE: Extensions = Object.freeze({});

/** Pothos's build state: read while building, never once the schema exists. */
const isBuildState = (key: string): boolean => key.startsWith('pothos');

function compacted(extensions: Extensions | null | undefined): Extensions {
  if (!extensions) return NONE;
  let kept: Record<string, unknown> | undefined;
  for (const key of Object.keys(extensions)) {
    const value = extensions[key];
    if (isBuildState(key) || value === undefined) continue;
    if (key === 'directives' && Array.isArray(value) && value.length === 0) continue;
    kept ??= {};
    kept[key] = value;
  }
  return kept ?? NONE;
}

interface WithExtensions {
  extensions: Extensions | null | undefined;
}

function compact(element: WithExtensions): void {
  element.extensions = compacted(element.extensions);
}

/** Replaces, in place, every `extensions` of the schema's elements with its compact form. */
export function compactExtensions(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    compact(type as WithExtensions);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        compact(field as WithExtensions);
        for (const arg of field.args) compact(arg as WithExtensions);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) compact(field as WithExtensions);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) compact(value as WithExtensions);
    }
  }
  for (const directive of schema.getDirectives()) {
    for (const arg of directive.args) compact(arg as WithExtensions);
  }
  return schema;
}

/** A Pothos type ref's build-time callbacks and field thunks (Sets), cleared once built. */
const REF_BUILD_STATE = ['configCallbacks', 'fieldCbs', 'fields'] as const;

/**
 * Lets the builder's configuration go once `toSchema()` has built from it. Two things keep it
 * reachable: the federation plugin's module-level map holds the builder (see above), and every type
 * ref a resolver's closure captured holds callbacks that close over the config store. Clearing the
 * refs' callback sets and the builder's store leaves the refs as what the resolvers use them for
 * (a name), and the store with every field's configuration to the collector.
 */
export function releaseBuilder(builder: Builder): void {
  // Pothos's own fields (the store's `refs` is private): read through a view of what is cleared.
  const built = builder as unknown as { configStore: { refs?: Iterable<object> } | undefined };
  for (const ref of built.configStore?.refs ?? []) {
    for (const key of REF_BUILD_STATE) {
      const value: unknown = Reflect.get(ref, key);
      if (value instanceof Set) value.clear();
    }
    // The type's built configuration (its fields' and values' options), as its constructor leaves it.
    if (Reflect.get(ref, 'currentConfig')) Reflect.set(ref, 'currentConfig', null);
  }
  built.configStore = undefined;
}
