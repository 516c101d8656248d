/**
 * Stripe's path templates (`/v1/customers/{customer}/sources/{id}`), taken apart and filled in here
 * only: the model, the REST client, the loaders and the emulator all go through these functions.
 * Whether an operation addresses its object by an id in the path is the model's fact
 * (`Operation.singleton`), decided once from `endsWithParam`.
 */

const PARAM = /\{([^}]+)\}/g;
/** The same, for `split`: literal pieces and parameter names alternate. */
const PARAM_SPLIT = /\{([^}]+)\}/;
/** Templates kept taken apart: the model's few hundred (any more are taken apart on each call). */
const MAX_TEMPLATES = 4_096;
const templates = new Map<string, readonly string[]>();

/**
 * The template as literal pieces and parameter names in turn (`['/v1/customers/', 'customer',
 * '/sources']`), worked out once per template: every upstream call fills one in (issue #32).
 */
function partsOf(template: string): readonly string[] {
  let parts = templates.get(template);
  if (parts === undefined) {
    parts = template.split(PARAM_SPLIT);
    if (templates.size < MAX_TEMPLATES) templates.set(template, parts);
  }
  return parts;
}

/** The template's parameter names, in path order. */
export function paramNames(template: string): string[] {
  const parts = partsOf(template);
  const names: string[] = [];
  for (let i = 1; i < parts.length; i += 2) names.push(parts[i]!);
  return names;
}

/** The template with each parameter replaced by what `replace` gives for it (nothing encoded). */
export function replaceParams(template: string, replace: (name: string, index: number) => string): string {
  const parts = partsOf(template);
  let out = parts[0]!;
  for (let i = 1, index = 0; i < parts.length; i += 2, index++)
    out += replace(parts[i]!, index) + parts[i + 1]!;
  return out;
}

/**
 * The concrete path: each parameter's value URL-encoded. `value` may throw to refuse a value
 * (the REST client refuses anything that cannot be a Stripe id).
 */
export function fillParams(template: string, value: (name: string, index: number) => string): string {
  return replaceParams(template, (name, i) => encodeURIComponent(value(name, i)));
}

/** The concrete path from values in template order (a missing value fills in empty). */
export function fillPath(template: string, values: readonly string[] = []): string {
  return fillParams(template, (_name, i) => values[i] ?? '');
}

/** The template's parameter names paired with values in template order, as the REST client takes them. */
export function namedParams(template: string, values: readonly string[]): Record<string, string> {
  const named: Record<string, string> = {};
  for (const [i, name] of paramNames(template).entries()) named[name] = values[i] ?? '';
  return named;
}

/** `/v1/customers/{customer}/sources` → `/v1/customers/{}/sources`: templates compared structurally. */
export function blankParams(template: string): string {
  return template.replace(PARAM, '{}');
}

/** A test helper's path as the path of what it acts on (`/v1/test_helpers/issuing/…` → `/v1/issuing/…`). */
export function withoutTestHelpers(path: string): string {
  return path.replace('/v1/test_helpers/', '/v1/');
}

/** One level up: `/v1/customers/{customer}/sources` → `/v1/customers/{customer}`. */
export function parentPath(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

/** The last segment: `/v1/invoices/{invoice}/pay` → `pay`. */
export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Whether a segment of a template is a parameter (`{customer}`). */
export function isParamSegment(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

/** Whether the template ends in a parameter: what it addresses is named by an id there. */
export function endsWithParam(template: string): boolean {
  return isParamSegment(lastSegment(template));
}
