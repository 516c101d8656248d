/**
 * REST client overhead: retrieve-customer calls against a local server that answers instantly
 * (in a worker thread, so it does not compete with the client for the event loop), comparing
 * raw undici, this client and the official `stripe` SDK, sequentially and 32 at a time.
 *
 *   npx tsx bench/rest.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Stripe from 'stripe';
import { Pool } from 'undici';
import { StripeRestClient } from '../src/rest/client.ts';
import { type BenchRow, printTable } from './table.ts';

const CALLS = 3_000;
const WARMUP = 1_000;
const ROUNDS = 3;
const CONCURRENCY = 32;
const KEY = 'sk_test_bench_0000000000000000';

const SERVER_SOURCE = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
const body = Buffer.from(JSON.stringify({
  id: 'cus_bench', object: 'customer', address: null, balance: 0, created: 1712707200, currency: 'usd',
  default_source: null, delinquent: false, description: null, discount: null, email: 'bench@example.com',
  invoice_prefix: 'BENCH01', invoice_settings: { custom_fields: null, default_payment_method: null, footer: null,
  rendering_options: null }, livemode: false, metadata: {}, name: 'Bench Customer', phone: null,
  preferred_locales: [], shipping: null, tax_exempt: 'none', test_clock: null,
}));
const headers = { 'content-type': 'application/json', 'content-length': body.length, 'request-id': 'req_bench' };
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, headers); res.end(body); });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

type Call = () => Promise<unknown>;

/** The run with the median throughput. */
function median(runs: readonly Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Run {
  readonly rps: number;
  readonly meanUs: number;
  readonly p99Us: number;
}

async function measure(call: Call, calls: number, concurrency: number): Promise<Run> {
  const latencies = new Float64Array(calls);
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < calls) {
      const index = next++;
      const t0 = performance.now();
      await call();
      latencies[index] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort();
  let sum = 0;
  for (const latency of latencies) sum += latency;
  return {
    rps: (calls / elapsedMs) * 1000,
    meanUs: (sum / calls) * 1000,
    p99Us: (latencies[Math.min(calls - 1, Math.floor(calls * 0.99))] ?? 0) * 1000,
  };
}

async function startServer(): Promise<{ port: number; stop: () => Promise<number> }> {
  const worker = new Worker(SERVER_SOURCE, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { port, stop: () => worker.terminate() };
}

export async function benchRest(): Promise<BenchRow[]> {
  const server = await startServer();
  const base = `http://127.0.0.1:${server.port}`;

  const pool = new Pool(base, { connections: CONCURRENCY, keepAliveTimeout: 10_000 });
  const raw: Call = async () => {
    const response = await pool.request({
      method: 'GET',
      path: '/v1/customers/cus_bench',
      headers: { authorization: `Bearer ${KEY}`, 'stripe-version': '2024-04-10' },
    });
    return response.body.json();
  };
  const client = new StripeRestClient({ secretKey: KEY, apiBase: base, maxConcurrency: CONCURRENCY });
  const ours: Call = () =>
    client.request({
      method: 'GET',
      path: '/v1/customers/{customer}',
      pathParams: { customer: 'cus_bench' },
    });
  const stripe = new Stripe(KEY, { host: '127.0.0.1', port: server.port, protocol: 'http' });
  const sdk: Call = () => stripe.customers.retrieve('cus_bench');

  const subjects = [
    ['raw undici', raw],
    ['ours', ours],
    ['stripe SDK', sdk],
  ] as const;
  const modes = [
    ['sequential', 1],
    [`concurrency ${CONCURRENCY}`, CONCURRENCY],
  ] as const;

  const rows: BenchRow[] = [];
  try {
    for (const [mode, concurrency] of modes) {
      const bench = `rest: retrieve customer, ${mode}`;
      for (const [, call] of subjects) await measure(call, WARMUP, concurrency);
      // Interleave rounds so drift (JIT, GC, CPU frequency) hits every subject alike; keep the median.
      const rounds = new Map<string, Run[]>(subjects.map(([name]) => [name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, call] of subjects) rounds.get(name)!.push(await measure(call, CALLS, concurrency));
      }
      const results = new Map<string, Run>();
      for (const [name] of subjects) {
        const run = median(rounds.get(name)!);
        results.set(name, run);
        rows.push(
          { bench, metric: `${name} throughput`, value: run.rps, unit: 'req/s' },
          { bench, metric: `${name} latency mean`, value: run.meanUs, unit: 'µs' },
          { bench, metric: `${name} latency p99`, value: run.p99Us, unit: 'µs' },
        );
      }
      const base = results.get('raw undici')!;
      const mine = results.get('ours')!;
      const theirs = results.get('stripe SDK')!;
      rows.push(
        {
          bench,
          metric: 'ours added latency mean (vs raw undici)',
          value: mine.meanUs - base.meanUs,
          unit: 'µs',
        },
        {
          bench,
          metric: 'ours added latency p99 (vs raw undici)',
          value: mine.p99Us - base.p99Us,
          unit: 'µs',
        },
        {
          bench,
          metric: 'SDK added latency mean (vs raw undici)',
          value: theirs.meanUs - base.meanUs,
          unit: 'µs',
        },
        {
          bench,
          metric: 'SDK added latency p99 (vs raw undici)',
          value: theirs.p99Us - base.p99Us,
          unit: 'µs',
        },
        { bench, metric: 'throughput ratio ours/SDK', value: mine.rps / theirs.rps, unit: 'x' },
        { bench, metric: 'mean latency ratio ours/SDK', value: mine.meanUs / theirs.meanUs, unit: 'x' },
      );
    }
  } finally {
    await Promise.all([client.close(), pool.close()]);
    await server.stop();
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  printTable(await benchRest());
  console.log(
    `\nmedian of ${ROUNDS} interleaved rounds of ${CALLS} calls per subject and mode, after ${WARMUP} warm-up calls; ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s total`,
  );
}
