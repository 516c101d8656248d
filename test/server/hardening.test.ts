/** The hardening bounds that need no socket: introspection off, the document cache, log scrubbing, CORS. */
import { type GraphQLObjectType, getNamedType, isLeafType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  boundedDocumentCache,
  MAX_CACHED_SOURCE_LENGTH,
  MAX_VARIABLE_NESTING,
  variablesProblem,
} from '../../src/server/limits.ts';
import { scrubMessage } from '../../src/server/masking.ts';
import { fragmentFanOut } from '../net/abuse.ts';
import { type Harness, sharedSchema, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ INTROSPECTION: 'false', CORS_ORIGINS: '*' });
});
afterAll(() => h.close());

describe('INTROSPECTION=false', () => {
  it('refuses __schema and __type with INTROSPECTION_DISABLED, and nothing else', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Customer") { name } }']) {
      const response = await h.query(query);
      expect(response.status).toBe(400);
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['INTROSPECTION_DISABLED']);
    }
    const typename = await h.query('{ __typename }');
    expect(typename.body).toMatchObject({ data: { __typename: 'Query' } });
  });
});

describe('the cost estimate', () => {
  it('walks each fragment once: 60 fragments that each spread the next twice are estimated at once', async () => {
    const response = await h.query(fragmentFanOut(60));
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      estimatedUpstreamCalls: 2 ** 60,
    });
    expect(h.upstreamCalls()).toBe(0);
  });
});

describe('cheap refusals before validation', () => {
  // 19 aliases × charges(first: 1000) × 35 fields: 665 fields of query, 665,038 of answer. One field
  // does not exist: full validation would refuse it as such, so an ANSWER_TOO_LARGE alone shows the
  // document was refused before graphql-js validated it.
  const charge = sharedSchema().schema.getType('Charge') as GraphQLObjectType;
  const leaves = Object.values(charge.getFields())
    .filter((f) => f.args.length === 0 && isLeafType(getNamedType(f.type)))
    .map((f) => f.name);
  const fields = `${leaves.slice(0, 34).join(' ')} notAField`;
  const huge = `{ ${Array.from({ length: 19 }, (_, i) => `c${i}: charges(first: 1000) { nodes { ${fields} } }`).join(' ')} }`;

  it('refuses a huge answer with ANSWER_TOO_LARGE, before validation and before Stripe', async () => {
    const response = await h.query(huge);
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['ANSWER_TOO_LARGE']);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ limit: 100_000 });
    expect(h.upstreamCalls()).toBe(0);
  });

  it('counts page sizes from the raw variables, and refuses by depth and aliases first', async () => {
    const byVariable = await h.query(
      `query ($n: Int) { ${Array.from({ length: 19 }, (_, i) => `c${i}: charges(first: $n) { nodes { ${fields} } }`).join(' ')} }`,
      { variables: { n: 1000 } },
    );
    expect(byVariable.body.errors?.map((e) => e.extensions?.code)).toEqual(['ANSWER_TOO_LARGE']);
    // The refusal depends on the variables: the same document with small pages is validated anew.
    const sameSmall = await h.query(
      `query ($n: Int) { ${Array.from({ length: 19 }, (_, i) => `c${i}: charges(first: $n) { nodes { ${fields} } }`).join(' ')} }`,
      { variables: { n: 2 } },
    );
    expect(sameSmall.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const deep = await h.query(
      `{ ${'customer(id: "cus_1") { ... on Customer { '.repeat(20)}notAField${' } }'.repeat(20)} }`,
    );
    expect(deep.body.errors?.map((e) => e.extensions?.code)).toEqual(['DEPTH_LIMIT']);
    // Within the bounds, full validation still runs and names the unknown field.
    const small = await h.query(`{ charges(first: 2) { nodes { ${fields} } } }`);
    expect(small.body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(small.body.errors?.[0]?.message).toMatch(/notAField/);
  });
});

describe('variables', () => {
  it('finds over-long lists and deep nesting without recursion', () => {
    expect(variablesProblem({ a: { b: [1, 2, 3] } }, 3)).toBeUndefined();
    expect(variablesProblem({ a: { b: [1, 2, 3, 4] } }, 3)).toMatchObject({ path: '$a.b' });
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(variablesProblem({ deep }, 10)).toMatchObject({ extensions: { limit: MAX_VARIABLE_NESTING } });
  });
});

describe('boundedDocumentCache', () => {
  it('keeps no long source, and at most a bounded number of short ones', () => {
    const cache = boundedDocumentCache<number>();
    const long = 'x'.repeat(MAX_CACHED_SOURCE_LENGTH + 1);
    cache.set(long, 1);
    expect(cache.get(long)).toBeUndefined();
    cache.set('short', 2);
    expect(cache.get('short')).toBe(2);
    for (let i = 0; i < 1_000; i++) cache.set(`q${i}`, i);
    // The least recently used entry went first.
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('q999')).toBe(999);
  });
});

describe('scrubMessage', () => {
  it('keeps field names and Stripe ids, drops quoted values, emails and long numbers', () => {
    const message =
      'String cannot represent value: { id: "cus_9s6XKzkNRiz8i3", name: "Jenny Rosen", phone: "+15555550123", note: mail jenny@example.com, card 4242424242424242 }';
    const scrubbed = scrubMessage(message);
    expect(scrubbed).toContain('"cus_9s6XKzkNRiz8i3"');
    expect(scrubbed).toContain('name:');
    for (const secret of ['Jenny', '5555550123', 'jenny@example.com', '4242424242424242']) {
      expect(scrubbed).not.toContain(secret);
    }
  });
});

describe('CORS_ORIGINS=*', () => {
  it('reflects any origin, but answers a sandboxed (null) origin with nothing', async () => {
    const preflight = (origin: string) =>
      h.fetch('/graphql', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const any = await preflight('https://any.example');
    expect(any.headers.get('access-control-allow-origin')).toBe('https://any.example');
    expect(any.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await preflight('null')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
