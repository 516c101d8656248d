/**
 * How the schema shows what comes from a Stripe preview API (the model's `preview` flag, from
 * src/spec/overlay.ts): the type or root field carries `extensions.preview`, which the printed SDL
 * shows as `@preview`, and, when descriptions are on, a description starting with `Preview:`, which
 * every client sees through introspection.
 */
import { DirectiveLocation, GraphQLDirective, type GraphQLSchema } from 'graphql';

export const PREVIEW_DESCRIPTION_PREFIX = 'Preview:';
const PREVIEW_NOTE = 'from a Stripe preview API that the pinned spec lacks; its shape may change.';

export const previewDirective = new GraphQLDirective({
  name: 'preview',
  description: `Marks what comes ${PREVIEW_NOTE}`,
  // In the order a sorted schema prints them, so the printed and served SDL agree.
  locations: [DirectiveLocation.ENUM, DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.OBJECT],
});

/**
 * The options of a type or field: its description and extensions and, when it comes from a preview
 * API, `extensions.preview` and a description starting with `Preview:` (src/schema/print.ts strips
 * descriptions from the committed SDL, which shows `@preview` instead).
 */
export function previewMark(
  preview: boolean | undefined,
  description: string | undefined,
  extensions?: Record<string, unknown>,
): { description?: string; extensions?: Record<string, unknown> } {
  if (!preview) {
    return { ...(description === undefined ? {} : { description }), ...(extensions ? { extensions } : {}) };
  }
  return {
    description: `${PREVIEW_DESCRIPTION_PREFIX} ${description ?? PREVIEW_NOTE}`,
    extensions: { ...extensions, preview: true },
  };
}

/** Whether a schema element (type or field) is marked preview. */
export function isPreview(element: { extensions?: Readonly<Record<string, unknown>> | null }): boolean {
  return element.extensions?.preview === true;
}

/** Whether the schema holds anything marked preview (then it declares `@preview`). */
export function hasPreview(schema: GraphQLSchema): boolean {
  return Object.values(schema.getTypeMap()).some(isPreview);
}
