/** What a handler produces, before rendering (expand, inline lists) turns it into the response. */
import type { JsonObject } from './json.ts';
import type { Entry } from './store.ts';

export type Result =
  /** a stored object, rendered from its current version */
  | { kind: 'entry'; entry: Entry }
  /** data of a schema that is not stored as such (an embedded discount, a preview) */
  | { kind: 'object'; data: JsonObject; schema: string }
  /** a literal body (deleted stubs) */
  | { kind: 'raw'; body: JsonObject }
  | { kind: 'list'; entries: Entry[]; hasMore: boolean; url: string }
  /** a list of objects that are not stored (the lines of an upcoming invoice) */
  | { kind: 'items'; items: JsonObject[]; schema: string; hasMore: boolean; url: string }
  | {
      kind: 'search';
      entries: Entry[];
      hasMore: boolean;
      url: string;
      nextPage: string | null;
      total: number;
    };
