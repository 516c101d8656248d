/**
 * What a value must look like to be put in a Stripe URL path. Stripe ids are short, printable
 * and never `.` or `..`; a value that cannot be one would change the route (`..` through a proxy
 * that normalises dot segments, `/` however it is encoded) or be refused upstream (a 2 MB id comes
 * back 431). Checked where paths are filled, before any call.
 */

/** Longest value accepted in a path (Stripe's ids are well under 100 characters). */
export const MAX_PATH_PARAMETER_LENGTH = 255;

/** Why `value` cannot be a path parameter, or undefined when it can. */
export function pathParameterProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value === '.' || value === '..') return 'is a dot segment';
  if (value.length > MAX_PATH_PARAMETER_LENGTH) {
    return `is longer than ${MAX_PATH_PARAMETER_LENGTH} characters`;
  }
  // Control characters and slashes (which some proxies decode from %2F) have no place in an id;
  // the rest is URL-encoded.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c) return 'contains a control character or a slash';
  }
  return undefined;
}

/**
 * A path parameter that cannot be a Stripe id. It carries GraphQL-style `extensions`, which
 * graphql-js copies onto the error it reports, so the client sees `BAD_USER_INPUT`.
 */
export class InvalidPathParameterError extends TypeError {
  override readonly name = 'InvalidPathParameterError';
  readonly parameter: string;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(parameter: string, problem: string) {
    super(`Not a valid Stripe id for ${parameter}: it ${problem}`);
    this.parameter = parameter;
    this.extensions = { code: 'BAD_USER_INPUT', argument: parameter };
  }
}
