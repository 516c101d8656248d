/** Assembles the schema: the builder, the model's types, the root fields. */
import { GraphQLSchema } from 'graphql';
import { loadDescriptions, loadModel } from '../spec/model.ts';
import { indexResources, type ResourceIndex } from '../spec/resources.ts';
import type { Model } from '../spec/types.ts';
import { ArgumentTypes } from './arguments.ts';
import { createBuilder } from './builder.ts';
import { addConnectedAccountScope } from './connect.ts';
import { Connections } from './connections.ts';
import { TypeRegistry } from './registry.ts';
import { addRelations } from './relations.ts';
import { rootFields } from './root.ts';

export interface SchemaOptions {
  /** Attach Stripe's descriptions (read from the spec package at build time). Default true. */
  descriptions?: boolean;
  model?: Model;
  /**
   * Drop the types no operation reaches (default true). The spec coverage test turns it off to
   * check that every component still gets a type.
   */
  reachableOnly?: boolean;
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
  const schema = builder.toSchema({ sortSchema: false });
  return { schema: options.reachableOnly === false ? schema : reachableOnly(schema), model, index };
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
