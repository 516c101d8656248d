/** Assembles the schema: the builder, the model's types, the root fields. */
import { type GraphQLNamedType, type GraphQLObjectType, GraphQLSchema, specifiedDirectives } from 'graphql';
import { loadDescriptions, loadModel, readDescriptions, readSchemaDescriptions } from '../spec/model.ts';
import { withoutPreview } from '../spec/preview.ts';
import { indexResources, type ResourceIndex } from '../spec/resources.ts';
import type { Model } from '../spec/types.ts';
import { guardAbstractTypes } from './abstract.ts';
import { ArgumentTypes } from './arguments.ts';
import { createBuilder } from './builder.ts';
import { compactExtensions, releaseBuilder } from './compact.ts';
import { addConnectedAccountScope } from './connect.ts';
import { Connections } from './connections.ts';
import { addOnrampSessionQuote } from './crypto-onramp.ts';
import { applyDescriptions, describeLater, descriptionsOf } from './descriptions.ts';
import { addEntities, prefixTypes, toSubgraphSchema } from './federation.ts';
import { addMutations } from './mutations.ts';
import { previewDirective } from './preview.ts';
import { TypeRegistry } from './registry.ts';
import { addInlineLists, addRelations } from './relations.ts';
import { type RootField, rootFields } from './root.ts';
import { addSubscriptions } from './subscriptions.ts';

export interface SchemaOptions {
  /**
   * Attach Stripe's descriptions (read from the spec package at build time). Default true; `'lazy'`:
   * only when introspection or `_service { sdl }` first reads one (src/schema/descriptions.ts), as
   * the gateway builds it.
   */
  descriptions?: boolean | 'lazy';
  model?: Model;
  /** Include the preview resources (src/spec/overlay.ts). Default true; `STRIPE_PREVIEW_RESOURCES=off`. */
  preview?: boolean;
  /**
   * Drop the types no operation reaches (default true). The spec coverage test turns it off to
   * check that every component still gets a type.
   */
  reachableOnly?: boolean;
  /** Prefix every Stripe type name (`Stripe` → `StripeAddress`): `FEDERATION_TYPE_PREFIX`. */
  typePrefix?: string | undefined;
  /** Serve `_entities` and `_service`, as an Apollo Federation subgraph (default true; `FEDERATION`). */
  federation?: boolean;
}

export interface BuiltSchema {
  schema: GraphQLSchema;
  model: Model;
  index: ResourceIndex;
}

export function buildSchema(options: SchemaOptions = {}): BuiltSchema {
  if (options.descriptions !== 'lazy') {
    return build(options, options.descriptions === false ? undefined : loadDescriptions());
  }
  const built = build(options, undefined);
  describeLater(built.schema, (schema) => {
    // Those the build stored for these options (dist/), else a second build's, read afresh and
    // let go once copied.
    const stored = options.model === undefined ? readSchemaDescriptions(storedOptions(options)) : undefined;
    applyDescriptions(stored ?? descriptionsOf(build(options, readDescriptions()).schema), schema);
  });
  return built;
}

/** The options the descriptions stored by the build are keyed by (scripts/dump-descriptions.mjs). */
export function storedOptions(options: SchemaOptions): Record<string, unknown> {
  return {
    preview: options.preview !== false,
    reachableOnly: options.reachableOnly !== false,
    typePrefix: options.typePrefix ?? '',
    federation: options.federation !== false,
  };
}

function build(options: SchemaOptions, descriptions: Record<string, string> | undefined): BuiltSchema {
  const full = options.model ?? loadModel();
  const model = options.preview === false ? withoutPreview(full) : full;
  const index = indexResources(model);
  const builder = createBuilder();
  const registry = new TypeRegistry(builder, model, index, { descriptions });
  const connections = new Connections(builder);
  const argumentTypes = new ArgumentTypes(registry);
  const fields = rootFields(registry, connections, argumentTypes);
  addRelations(registry, connections, argumentTypes);
  addInlineLists(registry, connections);
  builder.queryFields((t) => Object.fromEntries(byResource(fields, model).map((f) => [f.name, f.build(t)])));
  addOnrampSessionQuote(builder, registry);
  addConnectedAccountScope(builder, fields, registry.objects.get('account'));
  addMutations(registry);
  addEntities(builder, registry);
  addSubscriptions(builder, registry);
  const previewUsed = model.operations.some((op) => op.preview);
  const schema = builder.toSchema({
    sortSchema: false,
    ...(previewUsed ? { directives: [...specifiedDirectives, previewDirective] } : {}),
  });
  releaseBuilder(builder);
  const served = options.reachableOnly === false ? schema : readerOrder(reachableOnly(schema), model);
  const named = options.typePrefix ? prefixTypes(served, options.typePrefix) : served;
  const subgraph = options.federation === false ? named : toSubgraphSchema(named);
  return { schema: assumeValid(compactExtensions(guardAbstractTypes(subgraph))), model, index };
}

/**
 * Marks the schema valid, as graphql-js's `assumeValid` does, sparing each start-up the validation
 * graphql-js otherwise runs on the first operation (the whole schema's types, fields and interfaces:
 * a tenth of the first answer's CPU). The schema is built by this code from the generated model, the
 * same on every start of one build with one set of options; test/schema/validity.test.ts validates
 * each variant the configuration can ask for instead.
 */
function assumeValid(schema: GraphQLSchema): GraphQLSchema {
  schema.__validationErrors ??= [];
  return schema;
}

/**
 * The schema without the types no operation can reach (sub-objects of components no response uses):
 * graphql-js collects the types reachable from the roots; `Node`'s implementors are kept, since
 * `node(id:)` returns them.
 */
function reachableOnly(schema: GraphQLSchema): GraphQLSchema {
  const node = schema.getType('Node');
  const implementors = node && 'getFields' in node ? schema.getPossibleTypes(node as never) : [];
  return new GraphQLSchema({ ...schema.toConfig(), types: [...implementors] });
}

/** The order of a resource's root fields: its read, its list, its search, then the rest. */
const KIND_RANK: Readonly<Record<string, number>> = { retrieve: 0, list: 1, search: 2 };

/**
 * The Query root's fields grouped by resource, in the resources' alphabetical order: `node` first,
 * then `customer`, `customers`, `searchCustomers` side by side (GraphiQL's Docs list them in this
 * order). A field without a resource (node) sorts first.
 */
function byResource(fields: RootField[], model: Model): RootField[] {
  const key = (f: RootField): string => {
    const resource = f.operation?.resource;
    return resource ? (model.objects[resource]?.gql ?? resource) : '';
  };
  const rank = (f: RootField): number => KIND_RANK[f.operation?.kind ?? ''] ?? 3;
  return [...fields].sort(
    (a, b) => nameOrder(key(a), key(b)) || rank(a) - rank(b) || nameOrder(a.name, b.name),
  );
}

/**
 * English collation's order (`localeCompare(b, 'en')`) for names of ASCII letters, digits, `_` and
 * `.`: letters case-insensitive first, punctuation before digits before letters, then at the first
 * difference of case the lower-case letter first. ICU's collator would map 2 MB of the node binary's
 * collation data into the process for this one sort; test/schema/validity.test.ts compares the two
 * on every name sorted here.
 */
export function nameOrder(a: string, b: string): number {
  const primary = (s: string) => s.toLowerCase().replace(/[_.]/g, (c) => (c === '_' ? '\u0001' : '\u0002'));
  const pa = primary(a);
  const pb = primary(b);
  if (pa !== pb) return pa < pb ? -1 : 1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! > b[i]! ? -1 : 1;
  }
  return 0;
}

/**
 * The types in the order a reader looks for them: the roots, then the resources (and their deleted
 * forms) by name, then every other type by name. graphql-js keeps the order of `types` in the type map, which
 * GraphiQL's Docs use for "All Schema Types" and for the order of search hits, so `Customer` is the
 * first hit for "Customer" rather than the thirty-third, behind its sub-objects.
 */
function readerOrder(schema: GraphQLSchema, model: Model): GraphQLSchema {
  const byName = (a: GraphQLNamedType, b: GraphQLNamedType) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (t): t is GraphQLObjectType => t != null,
  );
  const resources = new Set<GraphQLNamedType>();
  for (const object of Object.values(model.objects)) {
    const type = object.resource ? schema.getType(object.gql) : undefined;
    if (type) resources.add(type);
  }
  const rest = Object.values(schema.getTypeMap()).filter(
    (t) => !t.name.startsWith('__') && !resources.has(t) && !roots.includes(t as GraphQLObjectType),
  );
  return new GraphQLSchema({
    ...schema.toConfig(),
    types: [...roots, ...[...resources].sort(byName), ...rest.sort(byName)],
  });
}
