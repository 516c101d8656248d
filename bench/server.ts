/**
 * The gateway under load: throughput and latency (p50/p99) of a single-object query and of a
 * 100-item list query, 32 connections (autocannon), against the emulator with no injected latency;
 * the gateway's memory at rest and under load (read from its /metrics); and the time from
 * `npm start` to /healthz and to GraphiQL being served.
 *
 * Three processes share the machine: the gateway (`src/server/main.ts`, as `npm start` runs it),
 * the emulator (its own process) and this one (autocannon).
 *
 *   npx tsx bench/server.ts
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { createRestClient } from '../src/rest/client.ts';
import type { StripePage } from '../src/rest/paginate.ts';
import { type BenchRow, printTable } from './table.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONNECTIONS = 32;
const DURATION_S = 10;
const WARMUP_S = 2;
const STARTUP_RUNS = 3;
const LIST_SIZE = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The tree's `npm start` command line, without npm and the shell's `exec`: `env NAME=value …` (the
 * malloc settings) and this node with `nodeFlags` before the script's own.
 */
export function startCommand(root: string = ROOT, nodeFlags: string[] = []): string[] {
  const script = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  const words = script.replace(/^exec\s+/, '').split(/\s+/);
  const node = words.indexOf('node');
  const env = words.slice(0, node);
  if (node < 0 || (env.length > 0 && (env[0] !== 'env' || !env.slice(1).every((w) => /^\w+=/.test(w))))) {
    throw new Error(`unexpected start script: ${script}`);
  }
  return [...env, process.execPath, ...nodeFlags, ...words.slice(node + 1)];
}

let built = false;

/** `npm run build`, once per bench run: what `npm start` runs is the compiled dist/. */
export function buildDist(): void {
  if (built) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
  built = true;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface Child {
  process: ChildProcess;
  output(): string;
  /** SIGTERM to the child's process group, then wait for it to exit. */
  stop(): Promise<void>;
}

/** Process groups started by start() and still running: stopped when the bench itself is signalled. */
const groups = new Set<number>();
let stopsGroups = false;

/** On SIGTERM/SIGINT the bench's children (in process groups of their own) go with it. */
function stopGroupsOnSignal(): void {
  if (stopsGroups) return;
  stopsGroups = true;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      for (const pid of groups) {
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {}
      }
      process.exit(1);
    });
  }
}

export function start(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string = ROOT): Child {
  stopGroupsOnSignal();
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stopping `npm start` also stops the node process npm runs.
    detached: true,
  });
  // The last 64 KiB of output (a gateway under load writes an access line per request).
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 128 * 1024) output = output.slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  const pid = child.pid;
  if (pid !== undefined) {
    groups.add(pid);
    void exited.then(() => groups.delete(pid));
  }
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function waitFor<T>(
  what: string,
  poll: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await poll().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The emulator in a process of its own, no faults. */
async function startEmulator(): Promise<{ child: Child; url: string; key: string }> {
  const script = `
    const { createEmulator } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/emulator/server.ts')).href)});
    const emulator = await createEmulator({ faults: {} });
    console.log(JSON.stringify({ url: emulator.url, key: emulator.key }));
    process.on('SIGTERM', () => emulator.close().then(() => process.exit(0)));
  `;
  const child = start(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {});
  const line = await waitFor('the emulator', async () => child.output().match(/\{"url":.*\}/)?.[0]);
  return { child, ...(JSON.parse(line) as { url: string; key: string }) };
}

/** Ids of at least `count` customers (created when the demo data has fewer). */
async function customers(url: string, key: string, count: number): Promise<string[]> {
  const rest = createRestClient({ secretKey: key, apiBase: url });
  try {
    const page = await rest.request<StripePage<{ id: string }>>({
      method: 'GET',
      path: '/v1/customers',
      params: { limit: 100 },
    });
    const ids = page.data.map((c) => c.id);
    for (let i = ids.length; i < count; i++) {
      const created = await rest.request<{ id: string }>({
        method: 'POST',
        path: '/v1/customers',
        params: { name: `Bench Customer ${i}`, email: `bench${i}@example.com` },
      });
      ids.push(created.id);
    }
    return ids;
  } finally {
    await rest.close();
  }
}

interface Memory {
  rss: number;
  heapUsed: number;
}

async function memoryOf(origin: string): Promise<Memory> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const value = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? Number.NaN);
  return { rss: value('process_resident_memory_bytes'), heapUsed: value('nodejs_heap_used_bytes') };
}

async function load(url: string, query: string, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
}

const MB = 1024 * 1024;

async function measureLoad(origin: string, customerId: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const url = `${origin}/graphql`;
  const scenarios = [
    {
      name: 'customer(id:) query',
      query: `{ customer(id: "${customerId}") { ... on Customer { id name email created } } }`,
    },
    {
      name: `customers(first: ${LIST_SIZE}) query`,
      query: `{ customers(first: ${LIST_SIZE}) { nodes { id name email created } } }`,
    },
  ];
  // Check both answer with data before loading them.
  for (const { name, query } of scenarios) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: unknown };
    if (response.status !== 200 || body.errors) throw new Error(`${name} failed: ${JSON.stringify(body)}`);
  }
  const rest = await memoryOf(origin);
  rows.push(
    { bench: 'server: gateway memory', metric: 'RSS at rest', value: rest.rss / MB, unit: 'MiB' },
    { bench: 'server: gateway memory', metric: 'heap used at rest', value: rest.heapUsed / MB, unit: 'MiB' },
  );

  let peak: Memory = { ...rest };
  for (const { name, query } of scenarios) {
    await load(url, query, WARMUP_S);
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const now = await memoryOf(origin).catch(() => undefined);
        if (now) peak = { rss: Math.max(peak.rss, now.rss), heapUsed: Math.max(peak.heapUsed, now.heapUsed) };
        await sleep(250);
      }
    })();
    const result = await load(url, query, DURATION_S);
    sampling = false;
    await sampler;
    const bench = `server: ${name}, ${CONNECTIONS} connections`;
    rows.push(
      { bench, metric: 'throughput', value: result.requests.total / result.duration, unit: 'req/s' },
      { bench, metric: 'latency p50', value: result.latency.p50, unit: 'ms' },
      { bench, metric: 'latency p99', value: result.latency.p99, unit: 'ms' },
      {
        bench,
        metric: 'errors and non-2xx',
        value: result.errors + result.timeouts + result.non2xx,
        unit: 'requests',
      },
    );
  }
  rows.push(
    { bench: 'server: gateway memory', metric: 'peak RSS under load', value: peak.rss / MB, unit: 'MiB' },
    {
      bench: 'server: gateway memory',
      metric: 'peak heap used under load',
      value: peak.heapUsed / MB,
      unit: 'MiB',
    },
  );
  return rows;
}

/** `npm start` (emulator mode, as the README says) until /healthz answers and GraphiQL is served. */
async function measureStartup(): Promise<BenchRow[]> {
  buildDist();
  const runs: { healthz: number; graphiql: number; assets: number }[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const started = performance.now();
    const child = start('npm', ['start', '--silent'], { PORT: String(port), LOG_LEVEL: 'warn' });
    try {
      await waitFor('/healthz', async () => ((await fetch(`${origin}/healthz`)).ok ? true : undefined));
      const healthz = performance.now() - started;
      const page = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
      if (!page.ok || !(await page.text()).includes('yoga-graphiql.js'))
        throw new Error('GraphiQL was not served');
      const graphiql = performance.now() - started;
      const bundle = await fetch(`${origin}/graphiql/yoga-graphiql.js`);
      if (!bundle.ok) throw new Error('the GraphiQL bundle was not served');
      await bundle.arrayBuffer();
      runs.push({ healthz, graphiql, assets: performance.now() - started });
    } catch (error) {
      throw new Error(`npm start failed: ${(error as Error).message}\n${child.output()}`);
    } finally {
      await child.stop();
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const bench = `server: npm start (emulator mode), ${STARTUP_RUNS} runs`;
  return [
    { bench, metric: 'to /healthz 200, first run', value: runs[0]!.healthz, unit: 'ms' },
    { bench, metric: 'to /healthz 200, median', value: median(runs.map((r) => r.healthz)), unit: 'ms' },
    {
      bench,
      metric: 'to GraphiQL page served, median',
      value: median(runs.map((r) => r.graphiql)),
      unit: 'ms',
    },
    {
      bench,
      metric: 'to GraphiQL bundle served, median',
      value: median(runs.map((r) => r.assets)),
      unit: 'ms',
    },
  ];
}

export async function benchServer(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  rows.push(...(await measureStartup()));
  const emulator = await startEmulator();
  let gateway: Child | undefined;
  try {
    const ids = await customers(emulator.url, emulator.key, LIST_SIZE);
    const port = await freePort();
    buildDist();
    const [command, ...args] = startCommand();
    gateway = start(command!, args, {
      PORT: String(port),
      STRIPE_SECRET_KEY: emulator.key,
      STRIPE_API_BASE: emulator.url,
      LOG_LEVEL: 'warn',
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitFor('the gateway', async () => ((await fetch(`${origin}/healthz`)).ok ? true : undefined));
    rows.push(...(await measureLoad(origin, ids[0]!)));
  } finally {
    await gateway?.stop();
    await emulator.child.stop();
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  printTable(await benchServer());
  console.log(
    `\n${CONNECTIONS} connections, ${DURATION_S} s per scenario after ${WARMUP_S} s of warm-up; gateway, emulator and ` +
      `load generator on one ${(await import('node:os')).availableParallelism()}-core machine; ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s total`,
  );
}
