/**
 * Preview resources in the model: what the spec document marks `x-stripePreview` (the overlay in
 * src/spec/overlay.ts) is marked `preview` in the model, and `withoutPreview` gives the model
 * without them (`STRIPE_PREVIEW_RESOURCES=off`).
 */
import { PREVIEW_EXTENSION } from './overlay.ts';
import type { SpecNode } from './spec-error.ts';
import type { Model, OutType } from './types.ts';

/**
 * Marks the model's objects, enums and unions that come from a preview component (the component
 * itself, or an inline schema or enum under it, named `component.path`) and its preview operations.
 */
export function markPreview(model: Model, spec: SpecNode): void {
  const components: Record<string, SpecNode> = spec.components?.schemas ?? {};
  const previewComponents = Object.keys(components).filter((name) => components[name]?.[PREVIEW_EXTENSION]);
  if (previewComponents.length === 0) return;
  const roots = new Set(previewComponents);
  const underPreview = (name: string) => {
    if (roots.has(name)) return true;
    for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
      if (roots.has(name.slice(0, dot))) return true;
    }
    return false;
  };
  for (const schema of Object.values(model.objects)) if (underPreview(schema.name)) schema.preview = true;
  for (const schema of Object.values(model.enums)) if (underPreview(schema.name)) schema.preview = true;
  for (const union of Object.values(model.unions)) {
    if (union.members.every((m) => model.objects[m]?.preview)) union.preview = true;
  }
  for (const op of model.operations) {
    if (spec.paths?.[op.path]?.[op.method]?.[PREVIEW_EXTENSION]) op.preview = true;
  }
}

/**
 * The model without its preview objects, enums, unions, operations and the relations through them.
 * A stable object that refers to a preview one is an error: the overlay must only add.
 */
export function withoutPreview(model: Model): Model {
  const keep = <T extends { preview?: true }>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).filter(([, value]) => !value.preview));
  const objects = keep(model.objects);
  const enums = keep(model.enums);
  const unions = keep(model.unions);
  const operations = model.operations.filter((op) => !op.preview);
  const kept = new Set(operations.map((op) => op.id));
  const isPreview = (name: string) =>
    model.objects[name]?.preview || model.enums[name]?.preview || model.unions[name]?.preview;
  for (const schema of Object.values(objects)) {
    for (const prop of schema.props) {
      const name = namedType(prop.type);
      if (name !== undefined && isPreview(name)) {
        throw new Error(`${schema.name}.${prop.name} refers to the preview type ${name}`);
      }
    }
  }
  return {
    ...model,
    objects,
    enums,
    unions,
    operations,
    relations: model.relations.filter((edge) => kept.has(edge.operation) && objects[edge.parent]),
    polymorphic: Object.fromEntries(
      Object.entries(model.polymorphic).filter(([, union]) => !model.unions[union]?.preview),
    ),
  };
}

/** The object, enum or union a property's type names, through arrays and references. */
function namedType(type: OutType): string | undefined {
  if (type.k === 'array') return namedType(type.of);
  if (type.k === 'ref') return namedType(type.to);
  return type.k === 'object' || type.k === 'enum' || type.k === 'union' ? type.name : undefined;
}
