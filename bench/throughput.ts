/**
 * Throughput of the gateway itself, beside the code before the performance work: four queries (two
 * flat, two nested from the upstream suite), 32 connections (autocannon), against a fast local
 * Stripe stand-in with no injected latency (bench/stand-in.ts: the emulator behind a replay cache,
 * in its own process, so that the gateway is the bottleneck).
 *
 * Both gateways run as `npm start` runs them (the `start` script of their own package.json, with
 * NODE_ENV=production and a key pointing at the stand-in), side by side, loaded in turn. The
 * "before" tree is `git archive` of BEFORE_REF (default a76df14, main before issue #17) in a
 * temporary folder, with this tree's node_modules linked in when the lockfiles match (otherwise
 * `npm ci`), and its codegen run.
 *
 * Per query and version: req/s, latency p50/p99, CPU per request (the gateway's utime+stime from
 * /proc/<pid>/stat over the measured run, divided by the requests answered) and peak RSS (VmHWM from
 * /proc/<pid>/status, reset through /proc/<pid>/clear_refs before each run). Both versions answer
 * each query once before the load, and the answers must be byte-identical. Each query is loaded
 * RUNS times per version, the versions alternating (which goes first alternates too), so that both
 * see the same load from the rest of the machine; the median run is printed (the highest for peak
 * RSS), and each ratio is the median of the runs' own after/before ratios (for CPU per request, the
 * lowest and highest run's ratio too). Also: start-up (the README's `npm start`, on the built-in
 * emulator, to the first GraphQL answer) and RSS at rest, RUNS times each, medians.
 *
 *   npx tsx bench/throughput.ts        (THROUGHPUT_RUNS=1 THROUGHPUT_SECONDS=5 for a quick look)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { SEED } from '../src/emulator/seed.ts';
import { buildDist, type Child, freePort, start, startCommand, waitFor } from './server.ts';
import { type BenchRow, printTable } from './table.ts';
import { SUITE } from './upstream.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BEFORE_REF = process.env.BEFORE_REF ?? 'a76df14';
const CONNECTIONS = 32;
const RUNS = Number(process.env.THROUGHPUT_RUNS ?? 5);
const DURATION_S = Number(process.env.THROUGHPUT_SECONDS ?? 8);
const WARMUP_S = 2;
const CHARGES = 50;
const CLOCK_TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

const suiteQuery = (prefix: string) => SUITE.find((q) => q.name.startsWith(prefix))!.query;

export const QUERIES = [
  {
    name: 'customers(first: 10) { nodes { id email } }',
    query: '{ customers(first: 10) { nodes { id email } } }',
  },
  { name: `${CHARGES} charges with their customer's email`, query: suiteQuery('50 charges') },
  { name: 'a customer, cards, invoices and lines', query: suiteQuery('a customer, its cards') },
  { name: 'an account, capabilities, transfers and reversals', query: suiteQuery('a connected account') },
];

export interface Tree {
  name: 'before' | 'after';
  root: string;
}

/** BEFORE_REF in a temporary folder, ready to start. */
function checkoutBefore(): { tree: Tree; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'gateway-before-'));
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    const archive = join(root, 'before.tar');
    execFileSync('git', ['-C', ROOT, 'archive', '-o', archive, BEFORE_REF]);
    execFileSync('tar', ['-x', '-C', root, '-f', archive]);
    rmSync(archive);
    const lock = (dir: string) => readFileSync(join(dir, 'package-lock.json'), 'utf8');
    if (lock(root) === lock(ROOT)) {
      symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
      execFileSync('npm', ['run', '--silent', 'codegen'], { cwd: root, stdio: 'ignore' });
    } else {
      execFileSync('npm', ['ci', '--silent'], { cwd: root, stdio: 'ignore' });
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { tree: { name: 'before', root }, remove };
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

function statusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN);
}

/** Resets the process's peak RSS (VmHWM) to its current RSS. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

async function post(url: string, query: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"')) throw new Error(`${query} failed: ${text}`);
  return text;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  peakRssMiB: number;
}

interface Gateway {
  child: Child;
  pid: number;
  url: string;
}

export async function startGateway(
  tree: Tree,
  env: NodeJS.ProcessEnv,
  nodeFlags: string[] = [],
): Promise<Gateway> {
  const port = await freePort();
  const [command, ...args] = startCommand(tree.root);
  const child = start(command!, [...nodeFlags, ...args], { ...env, PORT: String(port) }, tree.root);
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(`the ${tree.name} gateway`, async () =>
    (await fetch(`${origin}/healthz`)).ok ? true : undefined,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  });
  return { child, pid: child.process.pid!, url: `${origin}/graphql` };
}

export async function measure(gateway: Gateway, query: string, warmupS = WARMUP_S): Promise<Figures> {
  const body = JSON.stringify({ query });
  const load = (duration: number) =>
    autocannon({
      url: gateway.url,
      method: 'POST',
      connections: CONNECTIONS,
      duration,
      headers: { 'content-type': 'application/json' },
      body,
    });
  await load(warmupS);
  resetPeak(gateway.pid);
  const cpuBefore = cpuMs(gateway.pid);
  const result = await load(DURATION_S);
  const cpu = cpuMs(gateway.pid) - cpuBefore;
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0) throw new Error(`${failed} failed requests under load: ${query}`);
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerRequest: cpu / result.requests.total,
    peakRssMiB: statusKiB(gateway.pid, 'VmHWM') / 1024,
  };
}

/** The stand-in, with at least CHARGES charges (the demo data has a few). */
export async function startStandIn(): Promise<{ child: Child; url: string; key: string }> {
  const child = start(process.execPath, ['--import', 'tsx', 'bench/stand-in.ts'], {});
  const line = await waitFor('the stand-in', async () => child.output().match(/\{"url":.*\}/)?.[0]);
  const { url, key } = JSON.parse(line) as { url: string; key: string };
  try {
    await seedCharges(url, key);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { child, url, key };
}

async function seedCharges(url: string, key: string): Promise<void> {
  const auth = { authorization: `Bearer ${key}` };
  const existing = (await (await fetch(`${url}/v1/charges?limit=100`, { headers: auth })).json()) as {
    data: unknown[];
  };
  for (let i = existing.data.length; i < CHARGES; i++) {
    // Customers with a card on file, so that the emulator takes the charge.
    const customer = [SEED.jenny.customer, SEED.grace.customer][i % 2]!;
    const params = new URLSearchParams({ amount: String(1000 + i), currency: 'usd', customer });
    const response = await fetch(`${url}/v1/charges`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: params,
    });
    if (!response.ok) throw new Error(`creating a charge failed: ${await response.text()}`);
  }
}

/** The README's `npm start` (built-in emulator) to the first GraphQL answer, and RSS then. */
async function measureStartup(tree: Tree): Promise<{ ms: number; restRssMiB: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = start('npm', ['start', '--silent'], { PORT: String(port), LOG_LEVEL: 'warn' }, tree.root);
  try {
    const url = `http://127.0.0.1:${port}/graphql`;
    await waitFor(`${tree.name}: npm start`, async () => post(url, QUERIES[0]!.query));
    const ms = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // npm runs `sh -c "exec node …"`: the gateway is npm's only child.
    const node = Number(
      execFileSync('pgrep', ['-P', String(child.process.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n')[0],
    );
    return { ms, restRssMiB: statusKiB(node, 'VmRSS') / 1024 };
  } finally {
    await child.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchThroughput(): Promise<BenchRow[]> {
  // This tree's `npm start` runs the compiled dist/ when it is fresh: build it first.
  buildDist();
  const before = checkoutBefore();
  const trees: Tree[] = [before.tree, { name: 'after', root: ROOT }];
  const standIn = await startStandIn().catch((error: unknown) => {
    before.remove();
    throw error;
  });
  const figures = new Map<string, Figures[]>();
  const startups = new Map<string, { ms: number; restRssMiB: number }[]>();
  const loads: number[] = [];
  const gateways = new Map<string, Gateway>();
  try {
    for (const tree of trees) {
      const env = { NODE_ENV: 'production', STRIPE_SECRET_KEY: standIn.key, STRIPE_API_BASE: standIn.url };
      gateways.set(tree.name, await startGateway(tree, env));
    }
    for (const { name, query } of QUERIES) {
      const answers = await Promise.all(trees.map((tree) => post(gateways.get(tree.name)!.url, query)));
      if (answers[0] !== answers[1])
        throw new Error(`the two answer ${name} differently:\n${answers.join('\n')}`);
      // Short alternating slices, so that both versions see the same load from the rest of the machine.
      for (let run = 0; run < RUNS; run++) {
        for (const tree of run % 2 === 0 ? trees : [...trees].reverse()) {
          loads.push(loadavg()[0]!);
          const key = `${tree.name} ${name}`;
          const slice = await measure(gateways.get(tree.name)!, query, run === 0 ? WARMUP_S : 1);
          figures.set(key, [...(figures.get(key) ?? []), slice]);
        }
      }
    }
    for (const gateway of gateways.values()) await gateway.child.stop();
    gateways.clear();
    for (let run = 0; run < RUNS; run++) {
      for (const tree of run % 2 === 0 ? trees : [...trees].reverse()) {
        startups.set(tree.name, [...(startups.get(tree.name) ?? []), await measureStartup(tree)]);
      }
    }
  } finally {
    for (const gateway of gateways.values()) await gateway.child.stop();
    await standIn.child.stop();
    before.remove();
  }

  const rows: BenchRow[] = [];
  const metrics: [keyof Figures, string, string][] = [
    ['rps', 'throughput', 'req/s'],
    ['p50', 'latency p50', 'ms'],
    ['p99', 'latency p99', 'ms'],
    ['cpuMsPerRequest', 'CPU per request', 'ms'],
    ['peakRssMiB', 'peak RSS under load', 'MiB'],
  ];
  for (const { name } of QUERIES) {
    const bench = `throughput: ${name}`;
    for (const [field, metric, unit] of metrics) {
      // The peak is the highest of the runs; every other figure their median.
      const of = (tree: string) => {
        const values = figures.get(`${tree} ${name}`)!.map((f) => f[field]);
        return field === 'peakRssMiB' ? Math.max(...values) : median(values);
      };
      const [b, a] = [of('before'), of('after')];
      // The ratio is the median of each run's own ratio: the two slices of a run are back to back,
      // so a busy spell of the machine weighs on both sides of the ratio it enters.
      const pairs = figures
        .get(`before ${name}`)!
        .map((f, i) => [f, figures.get(`after ${name}`)![i]!] as const);
      const ratio =
        field === 'peakRssMiB' ? a / b : median(pairs.map(([before, after]) => after[field] / before[field]));
      rows.push(
        { bench, metric: `${metric}, before`, value: b, unit },
        { bench, metric: `${metric}, after`, value: a, unit },
        { bench, metric: `${metric}, after/before (median of the runs' own)`, value: ratio, unit: 'x' },
      );
      // The spread of the runs' own ratios: how far one run's figure may be from the median.
      if (field === 'cpuMsPerRequest') {
        const ratios = pairs.map(([before, after]) => after[field] / before[field]);
        rows.push(
          { bench, metric: `${metric}, after/before, lowest run`, value: Math.min(...ratios), unit: 'x' },
          { bench, metric: `${metric}, after/before, highest run`, value: Math.max(...ratios), unit: 'x' },
        );
      }
    }
  }
  for (const tree of trees) {
    const runs = startups.get(tree.name)!;
    const bench = 'throughput: npm start (built-in emulator)';
    rows.push(
      { bench, metric: `to first answer, ${tree.name}`, value: median(runs.map((r) => r.ms)), unit: 'ms' },
      {
        bench,
        metric: `RSS at rest, ${tree.name}`,
        value: median(runs.map((r) => r.restRssMiB)),
        unit: 'MiB',
      },
    );
  }
  rows.push({
    bench: 'throughput: machine',
    metric: `1-minute load average during the runs (median of ${loads.length})`,
    value: median(loads),
    unit: '',
  });
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  printTable(await benchThroughput());
  console.log(
    `\n${RUNS} runs (median shown; peak RSS the highest), ${CONNECTIONS} connections, ${DURATION_S} s per query after ${WARMUP_S} s of ` +
      `warm-up; before = ${BEFORE_REF}; ${((performance.now() - started) / 1000).toFixed(1)} s total`,
  );
}
