/**
 * What a normalised client cache must know about the schema and cannot discover alone, computed
 * from the schema and written by `npm run schema:print` to `client/cache-config.json`:
 * - `possibleTypes`: the members of `Node` and of every union (Apollo and urql graphcache match
 *   fragments on an interface or union with it; without it Apollo silently drops the fields of
 *   `node(id:) { ... on Customer }`);
 * - `embeddedTypes`: the object types without an `id` (sub-objects, connections, `DeletedCustomer`):
 *   stored inside their parent, merged rather than replaced (Apollo `merge: true`, graphcache
 *   `keys: () => null`);
 * - `connectionFields`: per type, the fields that are Relay connections, for a pagination policy.
 * The helpers build the client options from it (src/client/policies.ts).
 */
import { type GraphQLSchema, getNamedType, isInterfaceType, isObjectType, isUnionType } from 'graphql';

export interface CacheConfig {
  possibleTypes: Record<string, string[]>;
  embeddedTypes: string[];
  connectionFields: Record<string, string[]>;
}

const isConnection = (name: string) => name.endsWith('Connection');

export function cacheConfig(schema: GraphQLSchema): CacheConfig {
  const possibleTypes: Record<string, string[]> = {};
  const embeddedTypes: string[] = [];
  const connectionFields: Record<string, string[]> = {};
  const roots = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].map((t) => t?.name),
  );
  const types = Object.values(schema.getTypeMap())
    .filter((type) => !type.name.startsWith('__'))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const type of types) {
    if (isInterfaceType(type) || isUnionType(type)) {
      possibleTypes[type.name] = schema
        .getPossibleTypes(type)
        .map((t) => t.name)
        .sort();
    }
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    if (!roots.has(type.name) && !('id' in fields)) embeddedTypes.push(type.name);
    const connections = Object.values(fields)
      .filter((field) => isConnection(getNamedType(field.type).name))
      .map((field) => field.name)
      .sort();
    if (connections.length > 0) connectionFields[type.name] = connections;
  }
  return { possibleTypes, embeddedTypes, connectionFields };
}
