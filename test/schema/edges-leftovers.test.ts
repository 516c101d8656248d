/**
 * What a frontend developer meets at the gateway's edges through the schema and a client library:
 * the notes each argument carries at run time, checked against what the gateway then does on the
 * emulator, and Apollo Client's persisted-queries link on a gateway without trusted documents.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** The run-time description of `mutation`'s `idempotencyKey` argument. */
function keyNote(mutation: string): string | null | undefined {
  const root = sharedSchema().schema.getMutationType();
  if (!isObjectType(root)) throw new Error('no Mutation root');
  return root.getFields()[mutation]?.args.find((a) => a.name === 'idempotencyKey')?.description;
}

describe('idempotencyKey on the writes Stripe serves with DELETE', () => {
  it('says it is not sent, where a POST write says it is', () => {
    for (const mutation of ['deleteCustomer', 'deleteCustomerCard', 'cancelSubscription']) {
      expect(keyNote(mutation), mutation).toMatch(/^Not sent: Stripe serves this write with DELETE/);
    }
    for (const mutation of ['createCustomer', 'updateCustomer', 'finalizeInvoice']) {
      expect(keyNote(mutation), mutation).toMatch(/^Stripe's Idempotency-Key/);
    }
  });

  it('is not sent: a repeated delete answers NOT_FOUND, with no key to retry with', async () => {
    const { id } = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: {},
    });
    const remove = `mutation { deleteCustomer(id: "${id}", idempotencyKey: "edges-delete-1") { deletedId } }`;
    expect((await h.query(remove)).body).toMatchObject({ data: { deleteCustomer: { deletedId: id } } });
    const again = await h.query(remove);
    expect(again.body.data).toEqual({ deleteCustomer: null });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', mayHaveHappened: false });
    expect(again.body.errors?.[0]?.extensions).not.toHaveProperty('idempotencyKey');
  });
});

/**
 * Jenny's customer read by Apollo Client through its persisted-queries link over `gateway`; what
 * the link sent and what it was answered, request by request.
 */
async function readThroughPersistedQueries(gateway: Harness) {
  const answers: { sent: Record<string, unknown>; body: { errors?: { extensions?: unknown }[] } }[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await gateway.fetch('/graphql', init);
    const text = await response.text();
    answers.push({ sent: JSON.parse(String(init?.body)), body: JSON.parse(text) });
    return new Response(text, { status: response.status, headers: response.headers });
  };
  const persisted = new PersistedQueryLink({
    sha256: (query) => createHash('sha256').update(query).digest('hex'),
  });
  const client = new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([persisted, new HttpLink({ uri: 'http://localhost/graphql', fetch })]),
  });
  const { data, error } = await client.query({
    query: gql`query Jenny($id: ID!) { customer(id: $id) { id email } }`,
    variables: { id: SEED.jenny.customer },
  });
  return { data, error, answers };
}

/** The hash alone first, answered `code` as Apollo's protocol says; then the text, answered. */
async function expectTextAfter(gateway: Harness, code: string): Promise<void> {
  const { data, error, answers } = await readThroughPersistedQueries(gateway);
  expect(error).toBeUndefined();
  expect(data).toMatchObject({ customer: { id: SEED.jenny.customer, email: SEED.jenny.email } });
  expect(answers).toHaveLength(2);
  expect(answers[0]!.sent).not.toHaveProperty('query');
  expect(answers[0]!.body.errors?.[0]?.extensions).toMatchObject({ code });
  expect(answers[1]!.sent).toHaveProperty('query');
}

describe('Apollo Client’s persisted-queries link, trusted documents off (the default)', () => {
  it('is told hashes are not supported, and sends the text instead', async () => {
    await expectTextAfter(h, 'PERSISTED_QUERY_NOT_SUPPORTED');
  });

  it('names the switch to a client that sends a document id alone', async () => {
    for (const body of [{ documentId: 'abc123' }, { doc_id: 'abc123' }]) {
      const response = await h.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { errors: { message: string; extensions: unknown }[] };
      expect(answer.errors[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_SUPPORTED' });
      expect(answer.errors[0]?.message).toMatch(/TRUSTED_DOCUMENTS/);
    }
  });
});

describe('Apollo Client’s persisted-queries link, TRUSTED_DOCUMENTS=allow', () => {
  it('is told an id outside the manifest is not found, and sends the text instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edges-manifest-'));
    const manifest = join(dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ other: '{ customers(first: 1) { nodes { id } } }' }));
    const allowing = await startHarness({ TRUSTED_DOCUMENTS: 'allow', TRUSTED_DOCUMENTS_MANIFEST: manifest });
    try {
      await expectTextAfter(allowing, 'PERSISTED_QUERY_NOT_FOUND');
    } finally {
      await allowing.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
