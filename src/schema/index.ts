/** Assembles the schema: the builder, the model's types, the root fields. */
import type { GraphQLSchema } from 'graphql';
import { loadDescriptions, loadModel } from '../spec/model.ts';
import type { Model } from '../spec/types.ts';
import { createBuilder } from './builder.ts';
import { addConnectedAccountScope } from './connect.ts';
import { Connections } from './connections.ts';
import { TypeRegistry } from './registry.ts';
import { indexResources, type ResourceIndex } from './resources.ts';
import { rootFields } from './root.ts';
import { addSubscriptions } from './subscriptions.ts';

export interface SchemaOptions {
  /** Attach Stripe's descriptions (read from the spec package at build time). Default true. */
  descriptions?: boolean;
  model?: Model;
}

export interface BuiltSchema {
  schema: GraphQLSchema;
  model: Model;
  index: ResourceIndex;
}

export function buildSchema(options: SchemaOptions = {}): BuiltSchema {
  const model = options.model ?? loadModel();
  const index = indexResources(model);
  const builder = createBuilder();
  const registry = new TypeRegistry(builder, model, index, {
    descriptions: options.descriptions === false ? undefined : loadDescriptions(),
  });
  const connections = new Connections(builder);
  const fields = rootFields(registry, connections);
  builder.queryFields((t) => Object.fromEntries(fields.map((f) => [f.name, f.build(t)])));
  addConnectedAccountScope(builder, fields);
  addSubscriptions(builder, registry);
  return { schema: builder.toSchema({ sortSchema: false }), model, index };
}
