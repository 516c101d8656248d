/**
 * The attacks of the adversarial suite (test/net/abuse.test.ts) and the "abuse" benchmark
 * (bench/abuse.ts): each is one small request that used to stall, crash or misdirect the gateway,
 * with what the gateway must now answer.
 */
import { request as httpRequest } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over a fresh socket; `chunks` are written one by one (chunked when no length is set). */
export function rawRequest(
  origin: string,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    chunks?: readonly (string | Buffer)[];
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${origin}${options.path ?? '/graphql'}`,
      { method: options.method ?? 'POST', headers: options.headers ?? {}, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

export const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/graphql-response+json',
};

/** A JSON GraphQL POST body. */
export function graphqlBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables ? { query, variables } : { query });
}

/** Fragments F0…F(n-1) on Query, each spreading the next one twice: 2^n copies once expanded. */
export function fragmentFanOut(n: number): string {
  const fragments = Array.from(
    { length: n },
    (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
  ).join('\n');
  return `query { ...F0 }\n${fragments}\nfragment F${n} on Query { customer(id: "cus_1") { id } }`;
}

/**
 * The same fan-out under a connection's items with fields that cost nothing: admitted, it runs,
 * and every walk of the selection (execution, expand planning) must follow each fragment once.
 */
export function itemFragmentFanOut(n: number): string {
  const fragments = Array.from(
    { length: n },
    (_, i) => `fragment C${i} on Customer { ...C${i + 1} ...C${i + 1} }`,
  ).join('\n');
  return `query { customers(first: 3) { nodes { ...C0 } } }\n${fragments}\nfragment C${n} on Customer { id email }`;
}

/** `count` aliased copies of the schema's introspection. */
export function aliasedIntrospection(count: number): string {
  const copies = Array.from(
    { length: count },
    (_, i) => `s${i}: __schema { types { name fields { name } } }`,
  );
  return `{ ${copies.join(' ')} }`;
}

/** An introspection chain that multiplies the answer by the schema's size at each step. */
export const NESTED_INTROSPECTION =
  '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }';

/** A query padded with a comment to `bytes` bytes (few tokens, many bytes). */
export function paddedQuery(bytes: number, salt = ''): string {
  const query = `{ __typename } # ${salt}`;
  return query + 'x'.repeat(Math.max(0, bytes - query.length));
}

export const LIST_QUERY = 'query ($ids: [String!]) { products(ids: $ids, first: 1) { nodes { id } } }';

/** Ids that cannot be Stripe ids. */
export const BAD_IDS: readonly [string, string][] = [
  ['empty', ''],
  ['dot', '.'],
  ['dot-dot', '..'],
  ['slash', 'cus_1/../../v1/balance'],
  ['control character', 'cus_1\u0000'],
  ['2 KB', `cus_${'x'.repeat(2_000)}`],
];
