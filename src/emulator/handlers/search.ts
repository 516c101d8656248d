/**
 * Stripe's search query language (the subset documented at docs.stripe.com/search):
 * `field:"value"` (or single quotes, as Stripe's docs write it), `field:value`, `field~"substring"`, numeric `field>10`, `field<10`,
 * `field>=10`, `field<=10`, `-field:value` (negation), `metadata["key"]:"value"`, `field:null`,
 * clauses joined by `AND` (or a space) or by `OR`, but not both. Exact matches ignore case.
 */
import type { OutType } from '../../spec/types.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject, refId } from '../engine/json.ts';
import type { ResourceRegistry } from '../engine/registry.ts';

type Operator = ':' | '~' | '>' | '<' | '>=' | '<=';

export interface Clause {
  negate: boolean;
  /** a dotted path (`payment_method_details.card.last4`) or `metadata` with `key` */
  path: string[];
  metadataKey?: string;
  op: Operator;
  value: string | number | null;
}

export interface SearchQuery {
  clauses: Clause[];
  join: 'AND' | 'OR';
}

const queryError = (message: string) => invalidRequest(message, { param: 'query' });

const TOKEN =
  /\s*(-)?([A-Za-z_][A-Za-z0-9_.]*)(?:\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\])?\s*(>=|<=|:|~|>|<)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s"']+))/y;
const JOIN = /\s+(AND|OR)\s+|\s+/y;

export function parseSearchQuery(text: string): SearchQuery {
  const clauses: Clause[] = [];
  const joins = new Set<'AND' | 'OR'>();
  let index = 0;
  const source = text.trim();
  if (source === '') throw queryError('The search query cannot be empty.');
  while (index < source.length) {
    TOKEN.lastIndex = index;
    const match = TOKEN.exec(source);
    if (!match)
      throw queryError(`Invalid search query near position ${index}: ${source.slice(index, index + 30)}`);
    const [, negate, field, keyDouble, keySingle, op, quotedDouble, quotedSingle, bare] = match;
    const key = keyDouble ?? keySingle;
    const quoted = quotedDouble ?? quotedSingle;
    const raw = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare!;
    let value: string | number | null = raw;
    if (quoted === undefined && raw === 'null') value = null;
    else if (op !== ':' && op !== '~') {
      const number = Number(raw);
      if (!Number.isFinite(number)) throw queryError(`The value for ${field} must be a number to use ${op}.`);
      value = number;
    }
    const clause: Clause = { negate: negate === '-', path: field!.split('.'), op: op as Operator, value };
    if (key !== undefined) {
      if (field !== 'metadata') throw queryError(`Only metadata supports the ["key"] syntax, not ${field}.`);
      clause.metadataKey = key;
    }
    clauses.push(clause);
    index = TOKEN.lastIndex;
    if (index >= source.length) break;
    JOIN.lastIndex = index;
    const join = JOIN.exec(source);
    if (!join)
      throw queryError(`Invalid search query near position ${index}: ${source.slice(index, index + 30)}`);
    joins.add((join[1] as 'AND' | 'OR' | undefined) ?? 'AND');
    index = JOIN.lastIndex;
  }
  if (joins.size > 1) throw queryError('Search queries cannot mix AND and OR.');
  return { clauses, join: joins.has('OR') ? 'OR' : 'AND' };
}

/** Checks that every clause names a field of `resource`; Stripe rejects unsupported fields. */
export function checkFields(
  registry: ResourceRegistry,
  resource: string,
  query: SearchQuery,
  plural: string,
): void {
  for (const clause of query.clauses) {
    let schema: string | undefined = resource;
    for (const segment of clause.path) {
      const prop: { type: OutType } | undefined = schema ? registry.prop(schema, segment) : undefined;
      if (!prop) {
        throw queryError(
          `Field \`${clause.path.join('.')}\` is an unsupported search field for resource \`${plural}\`. See http://stripe.com/docs/search#query-fields-for-${plural} for a list of supported fields.`,
        );
      }
      schema = registry.schemasOf(prop.type)[0];
    }
  }
}

function valueAt(data: JsonObject, clause: Clause): Json | undefined {
  if (clause.metadataKey !== undefined) {
    const metadata = data.metadata;
    return isObject(metadata) ? metadata[clause.metadataKey] : undefined;
  }
  let value: Json | undefined = data;
  for (const segment of clause.path) {
    if (!isObject(value)) return refId(value) !== undefined && segment === 'id' ? refId(value) : undefined;
    value = value[segment];
  }
  return value;
}

function test(clause: Clause, data: JsonObject): boolean {
  let value = valueAt(data, clause);
  if (isObject(value)) value = refId(value) ?? null;
  const wanted = clause.value;
  switch (clause.op) {
    case ':':
      if (wanted === null) return value === null || value === undefined;
      if (value === null || value === undefined) return false;
      return String(value).toLowerCase() === String(wanted).toLowerCase();
    case '~':
      return (
        typeof value === 'string' &&
        wanted !== null &&
        value.toLowerCase().includes(String(wanted).toLowerCase())
      );
    case '>':
      return typeof value === 'number' && value > (wanted as number);
    case '<':
      return typeof value === 'number' && value < (wanted as number);
    case '>=':
      return typeof value === 'number' && value >= (wanted as number);
    case '<=':
      return typeof value === 'number' && value <= (wanted as number);
  }
}

export function matchesQuery(query: SearchQuery, data: JsonObject): boolean {
  const results = query.clauses.map((clause) => test(clause, data) !== clause.negate);
  return query.join === 'AND' ? results.every(Boolean) : results.some(Boolean);
}

/** The `page` cursor: the id of the last object of the previous page. */
export const encodePage = (lastId: string) => `page_${Buffer.from(lastId).toString('base64url')}`;

export function decodePage(page: string): string {
  const id = page.startsWith('page_') ? Buffer.from(page.slice(5), 'base64url').toString('utf8') : '';
  if (!/^[A-Za-z0-9_]+$/.test(id)) throw invalidRequest(`Invalid page: ${page}`, { param: 'page' });
  return id;
}
