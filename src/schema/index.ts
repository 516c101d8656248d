/** Assembles the schema: the builder, the model's types, the root fields. */
import { GraphQLSchema, specifiedDirectives } from 'graphql';
import { loadDescriptions, loadModel } from '../spec/model.ts';
import { withoutPreview } from '../spec/preview.ts';
import { indexResources, type ResourceIndex } from '../spec/resources.ts';
import type { Model } from '../spec/types.ts';
import { ArgumentTypes } from './arguments.ts';
import { createBuilder } from './builder.ts';
import { addConnectedAccountScope } from './connect.ts';
import { Connections } from './connections.ts';
import { addOnrampSessionQuote } from './crypto-onramp.ts';
import { addEntities, prefixTypes, toSubgraphSchema } from './federation.ts';
import { addMutations } from './mutations.ts';
import { previewDirective } from './preview.ts';
import { TypeRegistry } from './registry.ts';
import { addInlineLists, addRelations } from './relations.ts';
import { rootFields } from './root.ts';
import { addSubscriptions } from './subscriptions.ts';

export interface SchemaOptions {
  /** Attach Stripe's descriptions (read from the spec package at build time). Default true. */
  descriptions?: boolean;
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
}

export interface BuiltSchema {
  schema: GraphQLSchema;
  model: Model;
  index: ResourceIndex;
}

export function buildSchema(options: SchemaOptions = {}): BuiltSchema {
  const full = options.model ?? loadModel();
  const model = options.preview === false ? withoutPreview(full) : full;
  const index = indexResources(model);
  const builder = createBuilder();
  const registry = new TypeRegistry(builder, model, index, {
    descriptions: options.descriptions === false ? undefined : loadDescriptions(),
  });
  const connections = new Connections(builder);
  const argumentTypes = new ArgumentTypes(registry);
  const fields = rootFields(registry, connections, argumentTypes);
  addRelations(registry, connections, argumentTypes);
  addInlineLists(registry, connections);
  builder.queryFields((t) => Object.fromEntries(fields.map((f) => [f.name, f.build(t)])));
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
  const served = options.reachableOnly === false ? schema : reachableOnly(schema);
  const named = options.typePrefix ? prefixTypes(served, options.typePrefix) : served;
  return { schema: toSubgraphSchema(named), model, index };
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
