/**
 * Where a request's CPU goes, measured without the sampler (issue #32): the production gateway in
 * this process (dist/, as `npm start` runs it), its Stripe the emulator replayed in memory (the
 * first GET of a URL reaches the emulator, later ones are answered from its recorded bytes in the
 * next turn of the event loop, as a socket's answer would be), loaded over HTTP from a worker
 * thread. The figure is the main thread's own CPU per request (user and system time of that thread
 * from /proc, 10 ms ticks over some 3 s of load), so neither the load generator nor a Stripe
 * stand-in is counted, and V8's helper threads are not either; GC pauses on the main thread are.
 *
 * Each query runs against gateways that differ in one setting, alternating, so that the difference
 * is the setting's: by default `STRIPE_MAX_CONCURRENCY` (16, the default) against a cap no query
 * reaches, at 32 and at 8 connections. `{ __typename }` is the floor: HTTP, the fast path, the
 * hooks and the access log, no Stripe call.
 *
 *   npx tsx bench/inprocess.ts            (or `npm run bench -- inprocess`)
 *   INPROCESS_ENV='{"ACCESS_LOG":"off"}' npx tsx bench/inprocess.ts   (a variant against the default)
 */
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Dispatcher } from 'undici';
import { buildDist } from './server.ts';
import { type BenchRow, printTable } from './table.ts';
import { QUERIES, seedCharges } from './throughput.ts';

const ROOT = join(import.meta.dirname, '..');
const SECONDS = Number(process.env.INPROCESS_SECONDS ?? 3);
const ROUNDS = Number(process.env.INPROCESS_ROUNDS ?? 2);
const WARMUP_MS = 1_500;

/** The dist/ module of a src/ one, typed as the source. */
async function built<T>(path: string): Promise<T> {
  return (await import(pathToFileURL(join(ROOT, 'dist', path)).href)) as T;
}

interface Recorded {
  status: number;
  raw: Buffer[];
  body: Buffer;
}

/** The emulator's answers replayed from memory: a GET's first answer is kept and served again. */
class Replay extends Dispatcher {
  readonly #recorded = new Map<string, Recorded>();
  constructor(
    readonly serve: (method: string, path: string, headers: Record<string, string>) => Promise<Recorded>,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers: Record<string, string> = {};
    const given = options.headers as Record<string, string> | string[] | undefined;
    if (Array.isArray(given)) {
      for (let i = 0; i + 1 < given.length; i += 2) headers[given[i]!.toLowerCase()] = given[i + 1]!;
    } else if (given) {
      for (const [name, value] of Object.entries(given)) headers[name.toLowerCase()] = String(value);
    }
    const key = `${options.method} ${options.path} ${headers.authorization} ${headers['stripe-account']}`;
    const answer = (recorded: Recorded): void => {
      handler.onConnect?.(() => {});
      handler.onHeaders?.(recorded.status, recorded.raw, () => {}, STATUS_CODES[recorded.status] ?? '');
      handler.onData?.(recorded.body);
      handler.onComplete?.([]);
    };
    const hit = this.#recorded.get(key);
    if (hit) {
      setImmediate(answer, hit);
      return true;
    }
    this.serve(options.method, options.path, headers).then(
      (recorded) => {
        if (options.method === 'GET') this.#recorded.set(key, recorded);
        answer(recorded);
      },
      (error: unknown) => handler.onError?.(error as Error),
    );
    return true;
  }

  override close(): Promise<void> {
    return Promise.resolve();
  }

  override destroy(): Promise<void> {
    return Promise.resolve();
  }
}

const LOAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let body = '';
let port = 0;
let done = 0;
let failed = 0;
let running = 0;
let generation = 0;
function one(gen) {
  if (gen !== generation) { running--; return; }
  const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => { text += chunk; });
    res.on('end', () => {
      if (res.statusCode !== 200 || text.includes('"errors"')) { failed++; if (failed < 3) console.error(text.slice(0, 300)); }
      done++;
      one(gen);
    });
  });
  req.on('error', () => { failed++; running--; });
  req.end(body);
}
parentPort.on('message', (message) => {
  if (message.start) {
    generation++;
    body = JSON.stringify({ query: message.start.query });
    port = message.start.port;
    done = 0;
    failed = 0;
    running = message.start.connections;
    for (let i = 0; i < running; i++) one(generation);
  } else if (message === 'count') {
    parentPort.postMessage({ done, failed });
  } else if (message === 'stop') {
    generation++;
    const wait = () => (running <= 0 ? parentPort.postMessage('stopped') : setTimeout(wait, 5));
    wait();
  }
});
`;

/** The main thread's CPU so far, in ms: user and system (10 ms ticks). */
function mainThreadMs(): { user: number; system: number } {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
}

interface Figures {
  cpuUs: number;
  systemUs: number;
  gcUs: number;
  requests: number;
}

export async function benchInProcess(): Promise<BenchRow[]> {
  buildDist();
  type Emulator = typeof import('../src/emulator/server.ts');
  type Gateway = typeof import('../src/server/gateway.ts');
  const { createEmulator } = await built<Emulator>('emulator/server.js');
  const { createGateway } = await built<Gateway>('server/gateway.js');
  const { createRestClient } = await built<typeof import('../src/rest/client.ts')>('rest/client.js');
  const { buildSchema } = await built<typeof import('../src/schema/index.ts')>('schema/index.js');
  const { readServerConfig } = await built<typeof import('../src/server/config.ts')>('server/config.js');
  const { readProductionConfig } = await built<typeof import('../src/server/production-config.ts')>(
    'server/production-config.js',
  );
  const { listen } = await built<typeof import('../src/server/listen.ts')>('server/listen.js');

  const emulator = await createEmulator({ faults: {} });
  await seedCharges(emulator.url, emulator.key);
  const replay = new Replay(async (method, path, headers) => {
    const answer = await emulator.service.handle({ method, url: path, headers });
    const raw: Buffer[] = [];
    for (const [name, value] of Object.entries(answer.headers))
      raw.push(Buffer.from(name), Buffer.from(value));
    return { status: answer.status, raw, body: Buffer.from(answer.body) };
  });
  const schema = buildSchema({ descriptions: 'lazy' });
  const variant = process.env.INPROCESS_ENV
    ? (JSON.parse(process.env.INPROCESS_ENV) as Record<string, string>)
    : undefined;
  const settings: [string, Record<string, string>][] = variant
    ? [
        ['default', {}],
        [process.env.INPROCESS_ENV!, variant],
      ]
    : [
        ['cap 16 (default)', {}],
        ['no cap reached', { STRIPE_MAX_CONCURRENCY: '1000', STRIPE_MAX_CONCURRENCY_PER_PATH: '1000' }],
      ];
  const servers = await Promise.all(
    settings.map(async ([name, extra]) => {
      const env = {
        NODE_ENV: 'production',
        STRIPE_SECRET_KEY: emulator.key,
        STRIPE_API_BASE: emulator.url,
        ...extra,
      };
      const config = readServerConfig(env);
      const gateway = createGateway({
        config,
        production: readProductionConfig(env),
        schema,
        rest: (onRequest, limiter) =>
          createRestClient({
            ...config.rest,
            onRequest,
            dispatcher: replay,
            ...(limiter ? { limiter } : {}),
          }),
        // The access line is formatted and redacted as in production, then dropped.
        logSink: () => {},
      });
      return { name, gateway, listener: await listen(gateway.yoga, { port: 0, host: '127.0.0.1' }) };
    }),
  );

  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  const worker = new Worker(LOAD_SOURCE, { eval: true });
  worker.on('error', () => {});
  const ask = <T>(message: unknown): Promise<T> =>
    new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(message);
    });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** One slice of load on one gateway: CPU of the main thread per request. */
  const slice = async (port: number, query: string, connections: number): Promise<Figures> => {
    worker.postMessage({ start: { query, connections, port } });
    await sleep(WARMUP_MS);
    const before = await ask<{ done: number; failed: number }>('count');
    const cpu = mainThreadMs();
    const gc0 = gcMs;
    await sleep(SECONDS * 1000);
    const after = await ask<{ done: number; failed: number }>('count');
    const cpu1 = mainThreadMs();
    const gcSpent = gcMs - gc0;
    await ask('stop');
    if (after.failed > 0) throw new Error(`${after.failed} failed requests: ${query}`);
    const requests = after.done - before.done;
    const total = cpu1.user + cpu1.system - cpu.user - cpu.system;
    return {
      cpuUs: (total * 1000) / requests,
      systemUs: ((cpu1.system - cpu.system) * 1000) / requests,
      gcUs: (gcSpent * 1000) / requests,
      requests,
    };
  };

  const rows: BenchRow[] = [];
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const cases = [
    { name: '{ __typename }', query: '{ __typename }', connections: [32] },
    ...QUERIES.map((q) => ({ name: q.name, query: q.query, connections: [32, 8] })),
  ];
  try {
    for (const { name, query, connections } of cases) {
      for (const conns of connections) {
        const figures = new Map<string, Figures[]>();
        for (let round = 0; round < ROUNDS; round++) {
          // Alternating, each round in the other order.
          const order = round % 2 === 0 ? servers : [...servers].reverse();
          for (const server of order) {
            const measured = await slice(server.listener.port, query, conns);
            figures.set(server.name, [...(figures.get(server.name) ?? []), measured]);
          }
        }
        for (const [setting, list] of figures) {
          const bench = `inprocess: ${name}, ${conns} connections, ${setting}`;
          rows.push(
            {
              bench,
              metric: 'main thread CPU per request',
              value: median(list.map((f) => f.cpuUs)),
              unit: 'µs',
            },
            { bench, metric: 'of which system', value: median(list.map((f) => f.systemUs)), unit: 'µs' },
            { bench, metric: 'GC pauses per request', value: median(list.map((f) => f.gcUs)), unit: 'µs' },
          );
        }
      }
    }
  } finally {
    gc.disconnect();
    await worker.terminate();
    for (const { listener, gateway } of servers) {
      await listener.close(500);
      await gateway.close();
    }
    await emulator.close();
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await benchInProcess());
}
