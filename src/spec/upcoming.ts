/**
 * Upcoming objects: responses that describe a resource which does not exist yet (`GET /v1/invoices/upcoming`,
 * `POST /v1/invoices/create_preview`). Stripe omits the id there, which is why the spec marks
 * `invoice.id` optional; rather than make every invoice's id nullable, the preview shape is its own
 * object schema (`upcoming_invoice` → `UpcomingInvoice`) without an `id`, and the resource keeps a
 * required one. Runs before the relations are marked, so the copy has its own properties.
 */
import { SpecError } from './spec-error.ts';
import type { ObjectSchema, Operation } from './types.ts';

/** A path that previews rather than reads: `/upcoming` or `…preview` as a segment. */
export const UPCOMING_PATH = /\/(upcoming|[a-z_]*preview)(\/|$)/;

export function splitUpcoming(objects: Record<string, ObjectSchema>, operations: Operation[]): void {
  for (const op of operations) {
    if (op.paged || op.response.k !== 'object' || !UPCOMING_PATH.test(op.path)) continue;
    const resource = objects[op.response.name];
    const id = resource?.props.find((p) => p.name === 'id');
    if (!resource?.resource || !id || (id.required && !id.nullable)) continue;
    const name = `upcoming_${resource.name}`;
    objects[name] ??= previewOf(resource, name, objects);
    op.response = { k: 'object', name };
  }
}

function previewOf(
  resource: ObjectSchema,
  name: string,
  objects: Record<string, ObjectSchema>,
): ObjectSchema {
  const gql = `Upcoming${resource.gql}`;
  const taken = Object.values(objects).find((o) => o.gql === gql);
  if (taken) throw new SpecError(name, `GraphQL type name "${gql}" is already taken by "${taken.name}"`);
  const preview: ObjectSchema = {
    name,
    gql,
    inline: true,
    props: resource.props.filter((p) => p.name !== 'id').map((p) => ({ ...p })),
  };
  if (resource.object !== undefined) preview.object = resource.object;
  return preview;
}
