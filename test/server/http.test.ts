/**
 * HTTP behaviour: the GraphQL-over-HTTP audit, CSRF prevention, CORS, GraphiQL with local assets
 * and its default query.
 */
import { parse, validate } from 'graphql';
import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { DEFAULT_QUERY } from '../../src/server/default-query.ts';
import { type Harness, sharedSchema, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ CORS_ORIGINS: 'https://app.example.com,https://admin.example.com' });
});
afterAll(() => h.close());

describe('GraphQL over HTTP', () => {
  it('passes the graphql-http server audit with no MUST failing', async () => {
    const results = await auditServer({
      url: 'http://localhost/graphql',
      fetchFn: async (input: string, init?: RequestInit) => h.gateway.yoga.fetch(input, init ?? {}),
    });
    expect(results.length).toBeGreaterThan(30);
    const mustFailures = results
      .filter((r) => r.name.startsWith('MUST') && r.status !== 'ok')
      .map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(mustFailures).toEqual([]);
    const shouldFailures = results
      .filter((r) => r.name.startsWith('SHOULD') && r.status !== 'ok')
      .map((r) => r.id);
    expect(shouldFailures).toEqual([]);
  });
});

describe('CSRF prevention', () => {
  const get = (headers: Record<string, string> = {}) =>
    h.fetch(`/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', ...headers },
    });

  it('refuses GET requests without a preflight-forcing header', async () => {
    const response = await get();
    expect(response.status).toBe(403);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('CSRF_PREVENTED');
  });

  it('accepts GET requests that carry one', async () => {
    const response = await get({ 'x-graphql-yoga-csrf': '1' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ data: { __typename: 'Query' } });
  });

  it('refuses form-like POSTs (text/plain, urlencoded) and accepts JSON', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await h.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: contentType === 'text/plain' ? '{"query":"{ __typename }"}' : 'query=%7B__typename%7D',
      });
      expect(response.status).toBe(403);
    }
    const json = await h.query('{ __typename }');
    expect(json.status).toBe(200);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    h.fetch('/graphql', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, stripe-account',
      },
    });

  it('allows the configured origins, with the gateway headers', async () => {
    const response = await preflight('https://admin.example.com');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(response.headers.get('access-control-allow-headers')).toContain('stripe-account');
    const post = await h.fetch('/graphql', {
      method: 'POST',
      headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(post.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('does not allow other origins', async () => {
    const response = await preflight('https://evil.example.net');
    expect(response.headers.get('access-control-allow-origin')).not.toBe('https://evil.example.net');
  });

  it('sends no CORS headers when no origins are configured', async () => {
    const plain = await startHarness();
    try {
      const response = await plain.fetch('/graphql', {
        method: 'POST',
        headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe('GraphiQL', () => {
  it('serves a page that loads its assets from this server, with the default query', async () => {
    const response = await h.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('src="/graphiql/yoga-graphiql.js"');
    expect(html).toContain('href="/graphiql/graphiql.css"');
    expect(html).not.toMatch(/unpkg|jsdelivr|cdn\./);
    expect(html).toMatch(/renderYogaGraphiQL\([^;]*"defaultQuery":"# Stripe GraphQL gateway[^"]*query Tour/);
  });

  it('serves the bundle, the stylesheet and the workers with caching headers', async () => {
    for (const [name, type] of [
      ['yoga-graphiql.js', 'text/javascript'],
      ['graphiql.css', 'text/css'],
      ['editor.worker.js', 'text/javascript'],
      ['json.worker.js', 'text/javascript'],
      ['graphql.worker.js', 'text/javascript'],
      ['favicon.ico', 'image/x-icon'],
    ] as const) {
      const response = await h.fetch(`/graphiql/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
      const etag = response.headers.get('etag')!;
      const cached = await h.fetch(`/graphiql/${name}`, { headers: { 'if-none-match': etag } });
      expect(cached.status).toBe(304);
    }
    const gzipped = await h.fetch('/graphiql/yoga-graphiql.js', {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect((await h.fetch('/graphiql/nothing.js')).status).toBe(404);
  });

  it('is off when GRAPHIQL=false (and so is extensions.cost with COST_EXTENSIONS=false)', async () => {
    const off = await startHarness({ GRAPHIQL: 'false', COST_EXTENSIONS: 'false' });
    try {
      const page = await off.fetch('/graphql', { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('yoga-graphiql.js');
      expect((await off.fetch('/graphiql/yoga-graphiql.js')).status).toBe(404);
      const response = await off.query('{ customers(first: 1) { nodes { id } } }');
      expect(response.body.data).toBeTruthy();
      expect(response.body.extensions).toBeUndefined();
    } finally {
      await off.close();
    }
  });

  it('opens with a default query that is valid, within limits and runs cleanly', async () => {
    expect(validate(sharedSchema().schema, parse(DEFAULT_QUERY))).toEqual([]);
    const response = await h.query(DEFAULT_QUERY);
    expect(response.body.errors).toBeUndefined();
    // The demo data: Jenny Rosen and her Visa card, a charge with its customer, the connected account.
    const data = response.body.data as {
      customers: {
        nodes: { id: string; name: string; defaultSource: { brand?: string; last4?: string } | null }[];
      };
      charges: { nodes: { customer: { name?: string } | null }[] };
      accounts: { nodes: { id: string }[] };
    };
    const jenny = data.customers.nodes.find((c) => c.id === SEED.jenny.customer);
    expect(jenny).toMatchObject({ name: 'Jenny Rosen', defaultSource: { brand: 'Visa', last4: '4242' } });
    expect(data.charges.nodes[0]?.customer?.name).toEqual(expect.any(String));
    expect(data.accounts.nodes.map((a) => a.id)).toContain(SEED.connected.account);
    expect(response.body.extensions?.cost).toMatchObject({ estimatedUpstreamCalls: expect.any(Number) });
  });
});
