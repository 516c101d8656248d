/**
 * `npm run bench`: every benchmark in turn, one table. Each bench module also runs alone
 * (`node --import tsx bench/<name>.ts`).
 */
import { benchAbuse } from './abuse.ts';
import { benchAbuseSizes } from './abuse-sizes.ts';
import { benchAuth } from './auth.ts';
import { benchCompression } from './compression.ts';
import { benchEstimate } from './estimate.ts';
import { benchInProcess } from './inprocess.ts';
import { benchLive } from './live.ts';
import { formatVerdicts, loadRow } from './measure.ts';
import { benchObservability } from './observability.ts';
import { benchRest } from './rest.ts';
import { benchSchema } from './schema.ts';
import { benchServer } from './server.ts';
import { type BenchRow, printTable } from './table.ts';
import { benchThroughput } from './throughput.ts';
import { benchUpstream } from './upstream.ts';

const benches: [string, () => Promise<BenchRow[]>][] = [
  ['schema', benchSchema],
  ['upstream', benchUpstream],
  ['estimate', benchEstimate],
  ['rest', benchRest],
  ['server', benchServer],
  ['throughput', benchThroughput],
  ['inprocess', benchInProcess],
  ['live', benchLive],
  ['abuse', async () => [...(await benchAbuse()), ...(await benchAbuseSizes()), loadRow('end, sizes too')]],
  ['auth', benchAuth],
  ['compression', benchCompression],
  ['observability', benchObservability],
];

const only = process.argv.slice(2);
const rows: BenchRow[] = [];
for (const [name, run] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await run()));
}
printTable(rows);
// The abuse cases' verdict against issue 25's goals, one line a case.
if (rows.some((row) => row.bench.startsWith('abuse: '))) console.log(`\n${formatVerdicts(rows)}`);
