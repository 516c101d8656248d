/**
 * Upstream calls per query, the gateway's headline number: representative queries over the demo
 * data, each run with fresh per-request loaders against the emulator. Reports the calls made (counted
 * by the emulator), what a resolver-per-reference gateway would make (the cost estimator's upper
 * bound, which assumes one call per reference), and the wall time of one run. Counts are exact and
 * repeatable; times are indicative.
 */

import { fileURLToPath } from 'node:url';
import { execute, Kind, type OperationDefinitionNode, parse, validate } from 'graphql';
import { SEED } from '../src/emulator/seed.ts';
import { createEmulator } from '../src/emulator/server.ts';
import { UpstreamSession } from '../src/loaders/session.ts';
import { createRestClient } from '../src/rest/client.ts';
import { buildSchema } from '../src/schema/index.ts';
import { estimateCost } from '../src/server/cost.ts';
import { type BenchRow, printTable } from './table.ts';

const QUERIES: [string, string][] = [
  [
    'customer with default card and subscriptions',
    `{ customer(id: "${SEED.jenny.customer}") {
        email defaultSource { ... on Card { brand last4 } }
        subscriptions { data { status items { data { price { unitAmount product { ... on Product { name } } } } } } }
      } }`,
  ],
  [
    '10 customers, each with its default card',
    '{ customers(first: 10) { nodes { email defaultSource { ... on Card { last4 } } } } }',
  ],
  [
    '20 charges with customer and invoice',
    `{ charges(first: 20) { nodes { amount customer { ... on Customer { email } } invoice { number status } } } }`,
  ],
  [
    'invoices with lines, prices and products',
    `{ invoices(first: 10) { nodes { number customer { ... on Customer { name } }
        lines { data { amount price { product { ... on Product { name } } } } } } } }`,
  ],
  [
    'same customer read three ways',
    `{ a: customer(id: "${SEED.jenny.customer}") { email } b: customer(id: "${SEED.jenny.customer}") { name }
       c: node(id: "${SEED.jenny.customer}") { id } }`,
  ],
];

export async function benchUpstream(): Promise<BenchRow[]> {
  const emulator = await createEmulator();
  const rest = createRestClient({ secretKey: emulator.key, apiBase: emulator.url });
  const { schema, index } = buildSchema({ descriptions: false });
  const rows: BenchRow[] = [];
  try {
    for (const [name, query] of QUERIES) {
      const document = parse(query);
      const invalid = validate(schema, document);
      if (invalid.length > 0) throw new Error(`${name}: ${invalid.map((e) => e.message).join('; ')}`);
      const operation = document.definitions.find(
        (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
      )!;
      const naive = estimateCost(schema, operation, {}, {}).upstreamCalls;
      emulator.resetStats();
      const loaders = new UpstreamSession({ rest, retrievePathOf: index.retrievePathOf });
      const started = performance.now();
      const result = await execute({ schema, document, contextValue: { session: loaders } });
      const ms = performance.now() - started;
      if (result.errors) throw new Error(`${name}: ${result.errors.map((e) => e.message).join('; ')}`);
      const bench = `upstream: ${name}`;
      rows.push(
        { bench, metric: 'Stripe calls made', value: emulator.stats().total, unit: 'calls' },
        { bench, metric: 'one call per reference (estimate)', value: naive, unit: 'calls' },
        { bench, metric: 'wall time, one run', value: ms, unit: 'ms' },
      );
    }
  } finally {
    await rest.close();
    await emulator.close();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await benchUpstream());
