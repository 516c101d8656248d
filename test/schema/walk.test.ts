/**
 * No request stops the process, and nothing expected is INTERNAL_SERVER_ERROR: a generated walk
 * (test/schema/walk.ts) sends every root field, every relation two levels deep under the list
 * fields, and every mutation (minimal valid input from its input types) to the gateway over the
 * emulator's demo data. Each document runs twice, by graphql-js and then compiled by graphql-jit
 * (src/server/jit.ts), and `/healthz` must answer after each. An error thrown where the compiled
 * code has no catch (a type resolver) would be an unhandled rejection, which vitest reports as a
 * failure, and would leave the request unanswered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type GraphQLResponse, type Harness, startHarness } from '../server/harness.ts';
import {
  type IdBook,
  mutationDocuments,
  recordIds,
  relationDocuments,
  rootDocuments,
  type WalkDocument,
} from './walk.ts';

let h: Harness;
const book: IdBook = new Map();

beforeAll(async () => {
  // The walk's documents select much; the cost limit is not what it tests.
  h = await startHarness({
    LOG_LEVEL: 'error',
    QUERY_MAX_COST: '100000',
    QUERY_MAX_TOKENS: '1000000',
    QUERY_MAX_ALIASES: '100000',
    QUERY_MAX_DEPTH: '100',
    HTTP_MAX_BODY_BYTES: '5000000',
  });
});
afterAll(() => h.close());

interface Internal {
  label: string;
  path: unknown;
  logged: unknown;
}

/**
 * Sends a document twice (interpreted, then compiled), or once; records its INTERNAL errors and
 * checks health after each.
 */
async function twice(doc: WalkDocument, internals: Internal[], runs = 2): Promise<GraphQLResponse[]> {
  const answers: GraphQLResponse[] = [];
  for (let run = 0; run < runs; run++) {
    const logsBefore = h.logs.length;
    const answer = await h.query(doc.query, { variables: doc.variables });
    answers.push(answer);
    recordIds(book, answer.body.data);
    for (const error of answer.body.errors ?? []) {
      if (error.extensions?.code !== 'INTERNAL_SERVER_ERROR') continue;
      const reference = error.extensions.reference;
      const logged = h.logs.slice(logsBefore).find((l) => JSON.stringify(l).includes(String(reference)));
      internals.push({
        label: `${doc.label} (run ${run + 1})`,
        path: error.path,
        logged: logged?.error ?? logged,
      });
    }
    const health = await h.fetch('/healthz');
    expect(health.status, `/healthz after ${doc.label}`).toBe(200);
  }
  return answers;
}

/** Documents whose root field answered a value (not null, not only errors). */
function answered(answers: GraphQLResponse[][]): number {
  return answers.filter((a) => Object.values(a.at(-1)?.body.data ?? {}).some((v) => v != null)).length;
}

function codes(answers: GraphQLResponse[][]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers)
    for (const e of a.at(-1)?.body.errors ?? []) {
      const code = String(e.extensions?.code);
      out[code] = (out[code] ?? 0) + 1;
    }
  return out;
}

function report(internals: Internal[]): string {
  return internals.map((i) => `${i.label} ${JSON.stringify(i.path)}: ${JSON.stringify(i.logged)}`).join('\n');
}

describe('a union member Stripe answers with on delete', () => {
  // Stripe answers a detached Source with the Source itself (`consumed`), not a deleted stub.
  it('detaching a Source, three times with one document (later ones compiled), answers the consumed Source', async () => {
    const detach = `mutation ($customer: ID!, $id: ID!) {
      deleteCustomerSource(customer: $customer, id: $id) { __typename ... on Source { id status } }
    }`;
    for (let run = 0; run < 3; run++) {
      const source = await h.admin.request<{ id: string }>({
        method: 'POST',
        path: '/v1/sources',
        params: { type: 'card', token: 'tok_visa' },
      });
      await h.admin.request({
        method: 'POST',
        path: `/v1/customers/${SEED.alan.customer}/sources`,
        params: { source: source.id },
      });
      const { body } = await h.query(detach, { variables: { customer: SEED.alan.customer, id: source.id } });
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({
        deleteCustomerSource: { __typename: 'Source', id: source.id, status: 'consumed' },
      });
      expect((await h.fetch('/healthz')).status).toBe(200);
    }
  });
});

describe('generated walk', () => {
  it('every root field, twice each: no INTERNAL_SERVER_ERROR, the process keeps serving', {
    timeout: 600_000,
  }, async () => {
    const internals: Internal[] = [];
    // The fields without required arguments first: the by-id fields then read ids they listed.
    const schema = h.gateway.schema.schema;
    const free = rootDocuments(schema, book).filter((d) =>
      Object.keys(d.variables).every((v) => d.query.includes(`$${v}: Int`)),
    );
    const answers: GraphQLResponse[][] = [];
    for (const doc of free) answers.push(await twice(doc, internals));
    const labels = new Set(free.map((d) => d.label));
    const docs = [...free, ...rootDocuments(schema, book).filter((d) => !labels.has(d.label))];
    for (const doc of docs.slice(free.length)) answers.push(await twice(doc, internals));
    expect(docs.length).toBeGreaterThan(150);
    // Most fields answer data (the rest: ids the demo has none of, typed Stripe errors).
    expect(answered(answers), JSON.stringify(codes(answers))).toBeGreaterThan(150);
    expect(report(internals)).toBe('');
  });

  it('every relation two levels deep under the list fields: no INTERNAL_SERVER_ERROR', {
    timeout: 600_000,
  }, async () => {
    const internals: Internal[] = [];
    const docs = relationDocuments(h.gateway.schema.schema, book);
    expect(docs.length).toBeGreaterThan(100);
    const answers: GraphQLResponse[][] = [];
    // Once each: these documents are mostly past what is compiled (src/server/jit.ts), and the
    // root fields above already run their abstract types compiled.
    for (const doc of docs) answers.push(await twice(doc, internals, 1));
    expect(answered(answers), JSON.stringify(codes(answers))).toBeGreaterThan(300);
    expect(report(internals)).toBe('');
  });

  it('every mutation, minimal input, twice each: no INTERNAL_SERVER_ERROR, the process keeps serving', {
    timeout: 600_000,
  }, async () => {
    const internals: Internal[] = [];
    const docs = mutationDocuments(h.gateway.schema.schema, book);
    expect(docs.length).toBeGreaterThan(250);
    const answers: GraphQLResponse[][] = [];
    for (const doc of docs) answers.push(await twice(doc, internals));
    // Fewer than before the emulator's lifecycles: a minimal input now meets Stripe's state rules
    // (a dispute already submitted, a transfer already posted, a login link for a Custom account,
    // a credit note with no amount, a transfer or payout above the available balance) and gets
    // Stripe's typed refusal, as it should.
    expect(answered(answers), JSON.stringify(codes(answers))).toBeGreaterThan(120);
    expect(report(internals)).toBe('');
  });
});
