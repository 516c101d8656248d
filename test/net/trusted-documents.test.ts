/**
 * Trusted documents end to end: GraphQL Code Generator's client preset writes the manifest
 * (`persistedDocuments: true`) for a frontend's operations; a gateway with
 * `TRUSTED_DOCUMENTS=only` runs them by id (the client preset's `documentId`, Apollo's
 * `persistedQuery` extension, Relay's `doc_id`, a GET's `documentId`) and refuses everything else,
 * over HTTP and WebSocket; `allow` takes both; a manifest that does not fit the schema stops the start.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { printSDL } from '../../src/schema/print.ts';
import { GRAPHQL_ENDPOINT } from '../../src/server/gateway.ts';
import { listen } from '../../src/server/listen.ts';
import { loadManifest } from '../../src/server/trusted-documents.ts';
import { serveWebSockets } from '../../src/server/websocket.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const WORK = join(ROOT, 'node_modules', '.cache', `trusted-documents-${process.pid}`);
const MANIFEST = join(WORK, 'gql', 'persisted-documents.json');

let ids: Record<string, string>;

beforeAll(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  writeFileSync(join(WORK, 'schema.graphql'), printSDL());
  writeFileSync(
    join(WORK, 'operations.ts'),
    `import { graphql } from './gql/index.js';
export const Customers = graphql(\`query Customers { customers(first: 2) { nodes { id email } } }\`);
export const Customer = graphql(\`query Customer($id: ID!) { customer(id: $id) { id email } }\`);
`,
  );
  await generate(
    {
      schema: join(WORK, 'schema.graphql'),
      documents: join(WORK, 'operations.ts'),
      generates: {
        [`${join(WORK, 'gql')}/`]: {
          preset: 'client',
          presetConfig: { persistedDocuments: true },
          // Types for these operations only: the manifest is what this file is about.
          config: { onlyOperationTypes: true },
        },
      },
      silent: true,
    },
    true,
  );
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
  ids = Object.fromEntries(Object.entries(manifest).map(([id, text]) => [/query (\w+)/.exec(text)![1]!, id]));
}, 120_000);
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

async function post(h: Harness, body: unknown) {
  const response = await h.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('TRUSTED_DOCUMENTS=only', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ TRUSTED_DOCUMENTS: 'only', TRUSTED_DOCUMENTS_MANIFEST: MANIFEST });
  });
  afterAll(() => h.close());

  it('runs the manifest’s documents by id, however the client sends it', async () => {
    expect(Object.keys(ids).sort()).toEqual(['Customer', 'Customers']);
    const byId = await post(h, { documentId: ids.Customers });
    expect(byId.status).toBe(200);
    expect(byId.body.data.customers.nodes).toHaveLength(2);
    const id = byId.body.data.customers.nodes[0].id as string;

    const apollo = await post(h, {
      variables: { id },
      extensions: { persistedQuery: { version: 1, sha256Hash: ids.Customer } },
    });
    expect(apollo.body.data.customer.id).toBe(id);

    const relay = await post(h, { doc_id: ids.Customer, variables: { id } });
    expect(relay.body.data.customer.id).toBe(id);

    const get = await h.fetch(`/graphql?documentId=${ids.Customers}`, {
      headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
    });
    expect(((await get.json()) as any).data.customers.nodes).toHaveLength(2);
  });

  it('refuses any other document, before a Stripe call', async () => {
    h.upstreamCalls();
    const text = await post(h, { query: '{ customers(first: 2) { nodes { id email } } }' });
    expect(text.status).toBe(400);
    expect(text.body.errors[0].extensions.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
    expect(text.body.data).toBeUndefined();

    const unknown = await post(h, { documentId: 'sha256:0000' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].extensions.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');

    const none = await post(h, { variables: {} });
    expect(none.body.errors[0].extensions.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
    expect(h.upstreamCalls()).toBe(0);
  });

  it('holds over WebSocket too: only a manifest document’s exact text runs', async () => {
    const listener = await listen(h.gateway.yoga, { port: 0, host: '127.0.0.1' });
    const sockets = serveWebSockets(listener.server, h.gateway.yoga, GRAPHQL_ENDPOINT);
    const client = createClient({
      url: `ws://127.0.0.1:${listener.port}${GRAPHQL_ENDPOINT}`,
      webSocketImpl: WebSocket,
    });
    const once = (query: string) =>
      new Promise<unknown>((resolve) => {
        client.subscribe({ query }, { next: resolve, error: resolve, complete: () => {} });
      });
    try {
      const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
      const trusted = (await once(manifest[ids.Customers!]!)) as { data?: any };
      expect(trusted.data.customers.nodes).toHaveLength(2);
      const other = await once('{ customers(first: 3) { nodes { id } } }');
      expect(JSON.stringify(other)).toMatch(/TRUSTED_DOCUMENT_REQUIRED|Only trusted documents/);
    } finally {
      await client.dispose();
      await sockets.close();
      await listener.close(1000);
    }
  });
});

describe('TRUSTED_DOCUMENTS=allow', () => {
  it('runs ids and text', async () => {
    const h = await startHarness({ TRUSTED_DOCUMENTS: 'allow', TRUSTED_DOCUMENTS_MANIFEST: MANIFEST });
    try {
      expect((await post(h, { documentId: ids.Customers })).body.data.customers.nodes).toHaveLength(2);
      expect(
        (await post(h, { query: '{ customers(first: 1) { nodes { id } } }' })).body.data.customers.nodes,
      ).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe('the manifest', () => {
  it('must fit the schema', () => {
    const stale = join(WORK, 'stale.json');
    writeFileSync(stale, JSON.stringify({ abc: '{ customers(first: 1) { nodes { id nickname } } }' }));
    expect(() => loadManifest(stale, sharedSchema().schema)).toThrow(/"abc" does not fit the schema/);
    expect(() => loadManifest(join(WORK, 'missing.json'), sharedSchema().schema)).toThrow(/cannot read/);
  });
});
