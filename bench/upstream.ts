/**
 * Upstream calls per query, the gateway's headline number: a fixed suite of nested queries over the
 * demo data, against the emulator with 30 ms injected per upstream call. For each query: the calls
 * made (counted by the emulator), the minimum Stripe's API allows (worked out by hand, beside each
 * query), the cost estimate (an upper bound, checked before execution), the wall time against the
 * round-trip depth × latency, and the same query with loaders and expand folding switched off.
 * Then the latency suite (issue 34): the wall time of nested queries whose children's parameters
 * are in the query, against one call's, with the prefetch (src/schema/prefetch.ts) on and off,
 * medians measured in the same run.
 */

import { fileURLToPath } from 'node:url';
import { execute, Kind, type OperationDefinitionNode, parse, validate } from 'graphql';
import { SEED } from '../src/emulator/seed/seed.ts';
import { createEmulator } from '../src/emulator/server.ts';
import { UpstreamSession } from '../src/loaders/session.ts';
import { createRestClient } from '../src/rest/client.ts';
import { buildSchema } from '../src/schema/index.ts';
import { prefetchOperation } from '../src/schema/prefetch.ts';
import { estimateCost } from '../src/server/cost.ts';
import { type BenchRow, printTable } from './table.ts';

const LATENCY_MS = 30;

interface SuiteQuery {
  name: string;
  query: string;
  /** the fewest calls Stripe's API allows for it, and why */
  minimum: number;
  /** round trips that must follow one another (each waits for ids from the one before) */
  depth: number;
}

export const SUITE: SuiteQuery[] = [
  {
    name: '50 charges with their customers’ emails',
    // One list call: `expand[]=data.customer` brings every customer inline, repeats included.
    query: '{ charges(first: 50) { nodes { amount customer { email } } } }',
    minimum: 1,
    depth: 1,
  },
  {
    name: 'a customer, its cards, its invoices and their lines',
    // The customer, its cards (GET /v1/customers/{id}/cards) and its invoices
    // (GET /v1/invoices?customer=), side by side (the id is in the query: prefetched); each
    // invoice brings its lines inline.
    query: `{ customer(id: "${SEED.jenny.customer}") {
        email cards(first: 10) { nodes { brand last4 } }
        invoices(first: 10) { nodes { number status lines { nodes { amount description } } } }
      } }`,
    minimum: 3,
    depth: 1,
  },
  {
    name: 'a connected account, its capabilities, the transfers to it and their reversals',
    // The account, its capabilities and the transfers with destination=acct_…, side by side (the
    // id is in the query: prefetched); each transfer brings its reversals inline.
    query: `{ account(id: "${SEED.connected.account}") {
        email capabilities { nodes { id status } }
        transfers(first: 10) { nodes { amount reversals { nodes { amount } } } }
      } }`,
    minimum: 3,
    depth: 1,
  },
  {
    name: '10 customers, default source, subscriptions’ prices and products',
    // One list call expanding data.default_source and data.subscriptions (items and their prices
    // come inline in a subscription); price.product sits deeper than Stripe's four expand levels,
    // so one list call by ids follows (`GET /v1/products?ids[]=…`, a page of 100 distinct products).
    query: `{ customers(first: 10) { nodes {
        email defaultSource { ... on Card { last4 } }
        subscriptions { nodes { status items { nodes { price { unitAmount product { name } } } } } }
      } } }`,
    minimum: 2,
    depth: 2,
  },
  {
    name: 'federation _entities: 8 references to 4 customers, with their default cards',
    // What a router sends for a list of orders: one GET per distinct customer, side by side, each
    // with default_source folded into its expand[].
    query: `{ _entities(representations: [${[SEED.jenny, SEED.alan, SEED.grace, SEED.ada]
      .flatMap((c) => [c, c])
      .map((c) => `{ __typename: "Customer", id: "${c.customer}" }`)
      .join(', ')}]) { ... on Customer { email defaultSource { ... on Card { last4 } } } } }`,
    minimum: 4,
    depth: 1,
  },
  {
    name: 'the same customer read three ways',
    // One GET: the loaders de-duplicate identical reads within a request.
    query: `{ a: customer(id: "${SEED.jenny.customer}") { email } b: customer(id: "${SEED.jenny.customer}") { name }
       c: node(id: "${SEED.jenny.customer}") { id } }`,
    minimum: 1,
    depth: 1,
  },
];

/** Issue 34's queries: each nested one should answer within 1.3× of the one-call query's time. */
export const LATENCY_SUITE: { name: string; query: string }[] = [
  { name: 'one call: customers(first: 10)', query: '{ customers(first: 10) { nodes { id email } } }' },
  {
    name: 'customer(id) { sources invoices(first: 10) }',
    query: `{ customer(id: "${SEED.jenny.customer}") { email sources { nodes { __typename } }
        invoices(first: 10) { nodes { id number status } } } }`,
  },
  {
    name: 'account(id) { capabilities transfers(first: 10) }',
    query: `{ account(id: "${SEED.connected.account}") { email capabilities { nodes { id status } }
        transfers(first: 10) { nodes { id amount } } } }`,
  },
];

const LATENCY_RUNS = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchUpstream(): Promise<BenchRow[]> {
  const emulator = await createEmulator({ faults: { latencyMs: LATENCY_MS } });
  const rest = createRestClient({ secretKey: emulator.key, apiBase: emulator.url, maxConcurrency: 32 });
  const { schema, index } = buildSchema({ descriptions: false });
  const rows: BenchRow[] = [];
  const run = async (document: ReturnType<typeof parse>, naive: boolean, prefetch = !naive) => {
    emulator.resetStats();
    const session = new UpstreamSession({
      rest,
      retrievePathOf: index.retrievePathOf,
      batchReadOf: index.batchReadOf,
      naive,
    });
    const started = performance.now();
    // What the gateway's onExecute hook does before execution.
    if (prefetch) prefetchOperation({ schema, document, contextValue: { session } });
    const result = await execute({ schema, document, contextValue: { session } });
    const ms = performance.now() - started;
    if (result.errors) throw new Error(result.errors.map((e) => e.message).join('; '));
    return { calls: emulator.stats().total, ms };
  };
  try {
    for (const { name, query, minimum, depth } of SUITE) {
      const document = parse(query);
      const invalid = validate(schema, document);
      if (invalid.length > 0) throw new Error(`${name}: ${invalid.map((e) => e.message).join('; ')}`);
      const operation = document.definitions.find(
        (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
      )!;
      const estimate = estimateCost(schema, operation, {}, {}).upstreamCalls;
      await run(document, false); // warm-up
      const folded = await run(document, false);
      const off = await run(document, true);
      const bench = `upstream: ${name}`;
      rows.push(
        { bench, metric: 'Stripe calls made', value: folded.calls, unit: 'calls' },
        { bench, metric: 'minimum with Stripe’s API', value: minimum, unit: 'calls' },
        { bench, metric: 'cost estimate (upper bound)', value: estimate, unit: 'calls' },
        { bench, metric: `wall time (${LATENCY_MS} ms per call)`, value: folded.ms, unit: 'ms' },
        { bench, metric: 'round-trip depth × latency', value: depth * LATENCY_MS, unit: 'ms' },
        { bench, metric: 'loaders and folding off: calls', value: off.calls, unit: 'calls' },
        { bench, metric: 'loaders and folding off: wall time', value: off.ms, unit: 'ms' },
      );
    }
    let oneCall = Number.NaN;
    for (const { name, query } of LATENCY_SUITE) {
      const document = parse(query);
      await run(document, false); // warm-up
      const on: number[] = [];
      const off: number[] = [];
      let calls = { on: 0, off: 0 };
      // Alternated, so that noise from other work on the machine falls on both alike.
      for (let i = 0; i < LATENCY_RUNS; i++) {
        const withPrefetch = await run(document, false, true);
        const without = await run(document, false, false);
        on.push(withPrefetch.ms);
        off.push(without.ms);
        calls = { on: withPrefetch.calls, off: without.calls };
      }
      // The one-call query makes nothing to prefetch: its on and off runs are alike, all ten count.
      if (Number.isNaN(oneCall)) oneCall = median([...on, ...off]);
      const bench = `latency: ${name}`;
      rows.push(
        { bench, metric: 'Stripe calls (prefetch on / off)', value: calls.on, unit: `/ ${calls.off} calls` },
        {
          bench,
          metric: `wall time, prefetch on (median of ${LATENCY_RUNS}, ${LATENCY_MS} ms per call)`,
          value: median(on),
          unit: 'ms',
        },
        {
          bench,
          metric: `wall time, prefetch off (median of ${LATENCY_RUNS})`,
          value: median(off),
          unit: 'ms',
        },
        { bench, metric: 'prefetch on ÷ one call’s wall time', value: median(on) / oneCall, unit: '×' },
      );
    }
  } finally {
    await rest.close();
    await emulator.close();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await benchUpstream());
