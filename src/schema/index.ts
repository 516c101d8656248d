/** Assembles the schema: the builder, the model's types, the root fields. */
import type { GraphQLSchema } from 'graphql';
import { loadDescriptions, loadModel } from '../spec/model.ts';
import { indexResources, type ResourceIndex } from '../spec/resources.ts';
import type { Model } from '../spec/types.ts';
import { ArgumentTypes } from './arguments.ts';
import { createBuilder } from './builder.ts';
import { addConnectedAccountScope } from './connect.ts';
import { Connections } from './connections.ts';
import { addEntities, toSubgraphSchema } from './federation.ts';
import { TypeRegistry } from './registry.ts';
import { addRelations } from './relations.ts';
import { rootFields } from './root.ts';

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
  const argumentTypes = new ArgumentTypes(registry);
  const fields = rootFields(registry, connections, argumentTypes);
  addRelations(registry, connections, argumentTypes);
  builder.queryFields((t) => Object.fromEntries(fields.map((f) => [f.name, f.build(t)])));
  addConnectedAccountScope(builder, fields);
  addEntities(builder, registry);
  return { schema: toSubgraphSchema(builder), model, index };
}
