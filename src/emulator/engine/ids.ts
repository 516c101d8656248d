/** Object ids: `<prefix>_<24 alphanumerics>`, with the prefix table in src/spec/prefixes.ts. */
import { ID_PREFIXES, UNPREFIXED_IDS } from '../../spec/prefixes.ts';
import type { Random } from './random.ts';

export const ID_SUFFIX_LENGTH = 24;

/**
 * The prefix for a resource without a table entry: the initials of its name's words
 * (`billing.meter_event_summary` → `bmes`), so ids still say what they are.
 */
export function derivedPrefix(resource: string): string {
  return resource
    .split(/[._]/)
    .filter(Boolean)
    .map((word) => word[0])
    .join('');
}

/** The prefix without its trailing underscore. */
export function prefixOf(resource: string): string {
  return ID_PREFIXES[resource]?.replace(/_$/, '') ?? derivedPrefix(resource);
}

export function newId(resource: string, random: Random): string {
  const bare = UNPREFIXED_IDS[resource];
  if (bare !== undefined) return random.upper(bare);
  return `${prefixOf(resource)}_${random.string(ID_SUFFIX_LENGTH)}`;
}

/** `req_` plus 14 alphanumerics, like Stripe's `Request-Id`. */
export function newRequestId(random: Random): string {
  return `req_${random.string(14)}`;
}
