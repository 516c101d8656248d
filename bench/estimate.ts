/**
 * How tight the cost estimate is: random queries over the schema (test/server/random-queries.ts,
 * the property test's generator, seeded) run against the emulator's demo data, and the ratio of
 * `estimatedUpstreamCalls` to the calls the emulator served is summarised (an upper bound: the
 * ratio is never below 1; queries that made no call count as exact when estimated at 0).
 */
import { fileURLToPath } from 'node:url';
import { SEED } from '../src/emulator/seed/seed.ts';
import { startHarness } from '../test/server/harness.ts';
import { demoIds, measureEstimates, randomQueries } from '../test/server/random-queries.ts';
import { type BenchRow, printTable } from './table.ts';

const QUERIES = 200;
const BENCH = `estimate: ${QUERIES} random queries`;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export async function benchEstimate(): Promise<BenchRow[]> {
  const h = await startHarness({ LOG_LEVEL: 'silent', QUERY_MAX_COST: '100000', QUERY_MAX_ALIASES: '1000' });
  try {
    const ids = await demoIds(h);
    const queries = randomQueries(h.gateway.schema.schema, 24, QUERIES, {
      ids,
      accounts: [SEED.connected.account],
    });
    const measured = await measureEstimates(h, queries);
    const calling = measured.filter((m) => m.actual > 0);
    const ratios = calling.map((m) => m.estimated / m.actual).sort((a, b) => a - b);
    const exact = measured.filter((m) => m.estimated === m.actual).length;
    const row = (metric: string, value: number, unit: string): BenchRow => ({
      bench: BENCH,
      metric,
      value,
      unit,
    });
    return [
      row('estimate == actual', (100 * exact) / measured.length, '% of queries'),
      row('estimate < actual', measured.filter((m) => m.estimated < m.actual).length, 'queries'),
      row('estimate / actual p50', quantile(ratios, 0.5), 'x'),
      row('estimate / actual p90', quantile(ratios, 0.9), 'x'),
      row('estimate / actual p99', quantile(ratios, 0.99), 'x'),
      row('estimate / actual max', ratios.at(-1) ?? Number.NaN, 'x'),
      row(
        'queries that made no call, estimated above 0',
        measured.filter((m) => m.actual === 0 && m.estimated > 0).length,
        'queries',
      ),
    ];
  } finally {
    await h.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await benchEstimate());
