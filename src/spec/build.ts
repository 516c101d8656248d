/**
 * Distils Stripe's OpenAPI document into the model (src/spec/types.ts). Pure and deterministic: the
 * same document gives the same model, iterating names in sorted order. Any construct it does not
 * know stops it with an error naming the schema and property, so nothing is dropped silently.
 * The work is split by concern: objects.ts (types), operations.ts (operations and their kinds),
 * relations.ts (relation edges).
 */

import { nameInputs } from './inputs.ts';
import { buildObjectModel } from './objects.ts';
import { buildOperations } from './operations.ts';
import { markPreview } from './preview.ts';
import { deriveRelations, linkIdReferences, markProperties } from './relations.ts';
import { type Descriptions, SpecError, type SpecNode, sorted } from './spec-error.ts';
import type { Model } from './types.ts';
import { harmonizeUnions } from './unions.ts';
import { splitUpcoming } from './upcoming.ts';

export { type Descriptions, SpecError } from './spec-error.ts';

export interface BuildResult {
  model: Model;
  descriptions: Descriptions;
}

export function buildModel(spec: SpecNode): BuildResult {
  const components: Record<string, SpecNode> = spec?.components?.schemas;
  if (!components || typeof components !== 'object') {
    throw new SpecError('components.schemas', 'missing: not a Stripe OpenAPI document');
  }
  const apiVersion: string = spec.info?.version;
  if (typeof apiVersion !== 'string') throw new SpecError('info.version', 'missing');

  const objectModel = buildObjectModel(components);
  const operations = buildOperations(spec, objectModel);
  const { objects, enums, unions, polymorphic, descriptions } = objectModel;
  splitUpcoming(objects, operations);
  linkIdReferences(operations, objects);
  const relations = deriveRelations(operations, objects, unions);
  markProperties(relations, objects);

  const model: Model = {
    apiVersion,
    objects: Object.fromEntries(sorted(objects)),
    enums: Object.fromEntries(sorted(enums)),
    unions: Object.fromEntries(sorted(unions)),
    operations,
    relations,
    polymorphic: Object.fromEntries(sorted(polymorphic)),
  };
  harmonizeUnions(model);
  markPreview(model, spec);
  nameInputs(model, descriptions);
  return { model, descriptions: Object.fromEntries(sorted(descriptions)) };
}
