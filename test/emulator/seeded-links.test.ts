/**
 * The demo data's links lead to the emulator from the first start, not only after a reset: a paid
 * invoice's hosted page, a charge's receipt and a Sigma run's result file, read through GraphQL
 * and opened as a new user would from GraphiQL (through the emulator's in-process fetch handler).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, startHarness } from '../server/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

it("the seeded invoice, receipt and Sigma file links are the emulator's and open", async () => {
  const response = await h.query(
    `query($invoice: ID!, $charge: ID!) {
      invoice(id: $invoice) { hostedInvoiceUrl number }
      charge(id: $charge) { receiptUrl }
      sigmaScheduledQueryRuns(first: 1) { nodes { status file { url size } } }
    }`,
    { variables: { invoice: SEED.jenny.invoice, charge: SEED.grace.charge } },
  );
  expect(response.body.errors).toBeUndefined();
  const data = response.body.data as {
    invoice: { hostedInvoiceUrl: string; number: string };
    charge: { receiptUrl: string };
    sigmaScheduledQueryRuns: { nodes: { status: string; file: { url: string; size: number } }[] };
  };
  const run = data.sigmaScheduledQueryRuns.nodes[0]!;
  for (const url of [data.invoice.hostedInvoiceUrl, data.charge.receiptUrl, run.file.url])
    expect(url.startsWith(`${h.emulator.url}/`), url).toBe(true);
  const invoicePage = await h.emulator.fetch(new Request(data.invoice.hostedInvoiceUrl));
  expect(invoicePage.status).toBe(200);
  expect(await invoicePage.text()).toContain(data.invoice.number);
  expect((await h.emulator.fetch(new Request(data.charge.receiptUrl))).status).toBe(200);
  // The result file is the query's answer over the demo charges, its size the bytes served.
  const file = await h.emulator.fetch(
    new Request(run.file.url, { headers: { authorization: `Bearer ${h.emulator.key}` } }),
  );
  expect(file.status).toBe(200);
  const csv = await file.text();
  expect(csv.split('\n')[0]).toBe('month,sum');
  expect(csv.split('\n').filter((line) => /^\d{4}-\d{2}-01,\d+$/.test(line)).length).toBeGreaterThan(0);
  expect(Buffer.byteLength(csv)).toBe(run.file.size);
});
