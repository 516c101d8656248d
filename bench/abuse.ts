/**
 * The "abuse" table: each attack of the adversarial suite (test/net/abuse.test.ts) against a
 * listening gateway on the emulator, all in this process: the time to answer, the longest
 * event-loop stall while it ran (perf_hooks.monitorEventLoopDelay) and the peak RSS above the
 * level before it. Every case must stay under 100 ms of stall and 50 MB of extra RSS.
 *
 *   npx tsx bench/abuse.ts
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createEmulator } from '../src/emulator/server.ts';
import { buildSchema } from '../src/schema/index.ts';
import { readServerConfig } from '../src/server/config.ts';
import { createGateway } from '../src/server/gateway.ts';
import { listen } from '../src/server/listen.ts';
import {
  aliasedIntrospection,
  fragmentFanOut,
  graphqlBody,
  itemFragmentFanOut,
  JSON_HEADERS,
  LIST_QUERY,
  NESTED_INTROSPECTION,
  paddedQuery,
  rawRequest,
} from '../test/net/abuse.ts';
import { type BenchRow, printTable } from './table.ts';

const RUNS = 5;
const MB = 1024 * 1024;

type Send = (origin: string) => Promise<number>;

const post =
  (body: string, headers: Record<string, string> = {}): Send =>
  async (origin) =>
    (
      await rawRequest(origin, {
        headers: { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(body)), ...headers },
        chunks: [body],
      })
    ).status;

const CASES: [string, Send][] = [
  ['1. introspection x50 aliases', post(graphqlBody(aliasedIntrospection(50)))],
  ['1. introspection types.fields.type.fields', post(graphqlBody(NESTED_INTROSPECTION))],
  ['2. fragment fan-out 2^30', post(graphqlBody(fragmentFanOut(30)))],
  ['2. fragment fan-out 2^40, executed', post(graphqlBody(itemFragmentFanOut(40)))],
  [
    '3. list variable of 30,000 items',
    post(graphqlBody(LIST_QUERY, { ids: Array.from({ length: 30_000 }, () => 0) })),
  ],
  [
    '3. list variable of 500 wrong items',
    post(graphqlBody(LIST_QUERY, { ids: Array.from({ length: 500 }, (_, i) => ({ wrong: i })) })),
  ],
  ['4. 2 MB body (Content-Length)', post(graphqlBody(paddedQuery(2_000_000)))],
  [
    '4. 2 MB body (chunked)',
    async (origin) =>
      (
        await rawRequest(origin, {
          headers: JSON_HEADERS,
          chunks: [
            '{"query":"{ __typename } #',
            ...Array.from({ length: 32 }, () => 'x'.repeat(64 * 1024)),
            '"}',
          ],
        })
      ).status,
  ],
  [
    '4. 40 distinct 90 KB documents',
    async (origin) => {
      let status = 0;
      for (let i = 0; i < 40; i++)
        status = await post(graphqlBody(paddedQuery(90_000, `${Math.random()}`)))(origin);
      return status;
    },
  ],
  [
    '5. id ".." and a 2 KB id',
    async (origin) => {
      const query = 'query ($id: ID!) { customer(id: $id) { ... on Customer { id } } }';
      await post(graphqlBody(query, { id: '..' }))(origin);
      return post(graphqlBody(query, { id: `cus_${'x'.repeat(2_000)}` }))(origin);
    },
  ],
  ['6. disallowed Host', post(graphqlBody('{ __typename }'), { host: 'attacker.example' })],
];

export async function benchAbuse(): Promise<BenchRow[]> {
  const emulator = await createEmulator();
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    LOG_LEVEL: 'silent',
  });
  const gateway = createGateway({ config, schema: buildSchema() });
  const listener = await listen(gateway.yoga, { port: 0, host: '127.0.0.1' });
  const rows: BenchRow[] = [];
  try {
    // Warm up every path once: first-use compilation is not what is measured.
    for (const [, send] of CASES) await send(listener.origin);
    for (const [name, send] of CASES) {
      const delay = monitorEventLoopDelay({ resolution: 1 });
      let answerMs = 0;
      let stallMs = 0;
      let extraRss = 0;
      for (let run = 0; run < RUNS; run++) {
        const baseline = process.memoryUsage.rss();
        let peak = baseline;
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage.rss());
        }, 2);
        delay.reset();
        delay.enable();
        const started = performance.now();
        const status = await send(listener.origin);
        answerMs = Math.max(answerMs, performance.now() - started);
        delay.disable();
        clearInterval(sampler);
        peak = Math.max(peak, process.memoryUsage.rss());
        if (status === 0) throw new Error(`${name}: no answer`);
        stallMs = Math.max(stallMs, delay.max / 1e6);
        extraRss = Math.max(extraRss, peak - baseline);
      }
      rows.push(
        { bench: `abuse: ${name}`, metric: 'time to answer (max)', value: answerMs, unit: 'ms' },
        { bench: `abuse: ${name}`, metric: 'longest event-loop stall', value: stallMs, unit: 'ms' },
        { bench: `abuse: ${name}`, metric: 'peak extra RSS', value: extraRss / MB, unit: 'MB' },
      );
    }
  } finally {
    await listener.close(1_000);
    await gateway.close();
    await emulator.close();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await benchAbuse());
