/**
 * Throughput of the gateway itself, beside Tailcall (a Rust GraphQL-over-REST runtime configured by
 * hand for the same queries and the same Stripe calls: bench/tailcall.ts): four queries (two flat,
 * two nested from the upstream suite), 32 connections (autocannon), against a fast local Stripe
 * stand-in with no injected latency (bench/stand-in.ts: the emulator behind a replay cache, in its
 * own process, so that the server under load is the bottleneck).
 *
 * The gateway runs as `npm start` runs it (the `start` script of package.json, with a key pointing
 * at the stand-in), twice: with NODE_ENV=production and in the default mode. Beside it, the Node
 * floor (bench/node-floor.ts: node:http, undici and JSON.parse doing only the four queries' work,
 * with the same answers), so that the distance to Tailcall splits into the gateway's own work and
 * the platform's. BEFORE_REF=<commit>
 * adds that commit's gateway (production mode), `git archive`d into a temporary folder with this
 * tree's node_modules linked in when the lockfiles match (otherwise `npm ci`), and its codegen run.
 *
 * Per query and server: req/s, latency p50/p99, CPU per request (the server's utime+stime from
 * /proc/<pid>/stat over the measured run, divided by the requests answered) and peak RSS (VmHWM from
 * /proc/<pid>/status, reset through /proc/<pid>/clear_refs before each run). Every server answers
 * each query once before the load (the gateways with the same data). Each query is loaded RUNS
 * times per server, in turn with the order rotating, so that all see the same load from the rest of
 * the machine; the median run is printed (the highest for peak RSS), and each CPU ratio is the
 * median of the runs' own ratios (with the lowest and highest). With BEFORE_REF, each query is also
 * loaded RUNS more times on this tree's production gateway and BEFORE_REF's at once (half the
 * connections each), the ratio that tells a change apart on a busy machine. Also: start-up (the README's
 * `npm start`, on the built-in emulator, to the first GraphQL answer) and RSS at rest (10 s later,
 * no request meanwhile), RUNS times.
 *
 * For an A/B of one change: THROUGHPUT_ONLY=together loads only the two production gateways
 * together (no slices in turn, no Tailcall, no start-up), and BEFORE_ENV='NAME=value …' sets
 * variables on BEFORE_REF's gateway only (BEFORE_REF=HEAD BEFORE_ENV=FAST_PATH=off: the fast path's
 * own share).
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
import { SEED } from '../src/emulator/seed/seed.ts';
import { buildDist, type Child, freePort, start, startCommand, waitFor } from './server.ts';
import { type BenchRow, printTable } from './table.ts';
import { startTailcall } from './tailcall.ts';
import { SUITE } from './upstream.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** A commit to load beside this tree (e.g. main before a change); none by default. */
const BEFORE_REF = process.env.BEFORE_REF;
/** Environment of BEFORE_REF's gateway only, as `NAME=value` words. */
const BEFORE_ENV = Object.fromEntries(
  (process.env.BEFORE_ENV ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]),
);
/** `together`: only this tree's and BEFORE_REF's production gateways, loaded together. */
const ONLY_TOGETHER = process.env.THROUGHPUT_ONLY === 'together';
const CONNECTIONS = 32;
const RUNS = Number(process.env.THROUGHPUT_RUNS ?? 5);
const DURATION_S = Number(process.env.THROUGHPUT_SECONDS ?? 8);
const WARMUP_S = 2;
const CHARGES = 50;
/** RSS at rest: this long after the first answer, with no request meanwhile. */
const REST_AFTER_MS = 10_000;
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
function checkoutBefore(ref: string): { tree: Tree; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'gateway-before-'));
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    const archive = join(root, 'before.tar');
    execFileSync('git', ['-C', ROOT, 'archive', '-o', archive, ref]);
    execFileSync('tar', ['-x', '-C', root, '-f', archive]);
    rmSync(archive);
    const lock = (dir: string) => readFileSync(join(dir, 'package-lock.json'), 'utf8');
    if (lock(root) === lock(ROOT)) {
      symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
      // What `npm ci` would run (scripts/prepare.mjs): codegen and the build, so that its `npm start`
      // runs dist/ as this tree's does, not src/ under tsx (seconds slower to start, more RSS).
      execFileSync('npm', ['run', '--silent', 'prepare'], { cwd: root, stdio: 'ignore' });
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
  const [command, ...args] = startCommand(tree.root, nodeFlags);
  const child = start(command!, args, { ...env, PORT: String(port) }, tree.root);
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(`the ${tree.name} gateway`, async () =>
    (await fetch(`${origin}/healthz`)).ok ? true : undefined,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  });
  return { child, pid: child.process.pid!, url: `${origin}/graphql` };
}

export async function measure(
  gateway: Gateway,
  query: string,
  warmupS = WARMUP_S,
  connections = CONNECTIONS,
): Promise<Figures> {
  const body = JSON.stringify({ query });
  const load = (duration: number) =>
    autocannon({
      url: gateway.url,
      method: 'POST',
      connections,
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

export async function seedCharges(url: string, key: string): Promise<void> {
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

/** The README's `npm start` (built-in emulator) to the first GraphQL answer, and RSS at rest after it. */
async function measureStartup(tree: Tree): Promise<{ ms: number; restRssMiB: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = start('npm', ['start', '--silent'], { PORT: String(port), LOG_LEVEL: 'warn' }, tree.root);
  try {
    const url = `http://127.0.0.1:${port}/graphql`;
    await waitFor(`${tree.name}: npm start`, async () => post(url, QUERIES[0]!.query));
    const ms = performance.now() - started;
    // At rest: idle long enough for the start script to give start-up's memory back
    // (scripts/idle-collect.mjs: a collection at the first idle second, another six seconds on).
    await new Promise((resolve) => setTimeout(resolve, REST_AFTER_MS));
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

/**
 * A server loaded by the bench: a gateway (this tree or BEFORE_REF's, in a mode), the Node floor
 * or Tailcall.
 */
interface Contender {
  name: string;
  /** its answers' data must match the others' so marked byte for byte (Tailcall's differ in shape) */
  sameData: boolean;
  start(): Promise<Gateway>;
}

/** The Node floor (bench/node-floor.ts) on a free port, reading from the stand-in. */
async function startNodeFloor(upstream: string, key: string): Promise<Gateway> {
  const port = await freePort();
  const child = start(process.execPath, ['--import', 'tsx', 'bench/node-floor.ts'], {
    UPSTREAM: upstream,
    KEY: key,
    PORT: String(port),
    QUERIES: JSON.stringify(QUERIES.map((q) => q.query)),
  });
  await waitFor('the Node floor', async () =>
    child.output().includes('listening') ? true : undefined,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  });
  return { child, pid: child.process.pid!, url: `http://127.0.0.1:${port}/graphql` };
}

export async function benchThroughput(): Promise<BenchRow[]> {
  // This tree's `npm start` runs the compiled dist/ when it is fresh: build it first.
  buildDist();
  const before = BEFORE_REF ? checkoutBefore(BEFORE_REF) : undefined;
  const standIn = await startStandIn().catch((error: unknown) => {
    before?.remove();
    throw error;
  });
  const workDir = mkdtempSync(join(tmpdir(), 'throughput-'));
  const upstream = { STRIPE_SECRET_KEY: standIn.key, STRIPE_API_BASE: standIn.url };
  const here: Tree = { name: 'after', root: ROOT };
  const contenders: Contender[] = [
    {
      name: 'production',
      sameData: true,
      start: () => startGateway(here, { NODE_ENV: 'production', ...upstream }),
    },
    { name: 'default', sameData: true, start: () => startGateway(here, { NODE_ENV: '', ...upstream }) },
    { name: 'node floor', sameData: true, start: () => startNodeFloor(standIn.url, standIn.key) },
    { name: 'tailcall', sameData: false, start: () => startTailcall(standIn.url, standIn.key, workDir) },
  ];
  if (before) {
    contenders.push({
      name: 'before',
      sameData: true,
      start: () => startGateway(before.tree, { NODE_ENV: 'production', ...upstream, ...BEFORE_ENV }),
    });
  }
  // THROUGHPUT_ONLY=together: the two production gateways only.
  const loaded =
    ONLY_TOGETHER && before
      ? contenders.filter((c) => c.name === 'production' || c.name === 'before')
      : contenders;
  const figures = new Map<string, Figures[]>();
  /** Per query: this tree's CPU per request over BEFORE_REF's, the two loaded together, per run. */
  const together = new Map<string, number[]>();
  const startups = new Map<string, { ms: number; restRssMiB: number }[]>();
  const loads: number[] = [];
  const servers = new Map<string, Gateway>();
  try {
    for (const contender of loaded) servers.set(contender.name, await contender.start());
    for (const { name, query } of QUERIES) {
      const answers = await Promise.all(
        loaded.map(async (c) => [c, await post(servers.get(c.name)!.url, query)] as const),
      );
      // The default mode adds extensions (the cost): the data must be the same.
      const dataOf = (answer: string) => JSON.stringify((JSON.parse(answer) as { data: unknown }).data);
      const sameAnswers = new Set(answers.filter(([c]) => c.sameData).map(([, answer]) => dataOf(answer)));
      if (sameAnswers.size !== 1) {
        throw new Error(`the servers answer ${name} differently:\n${[...sameAnswers].join('\n')}`);
      }
      // Short slices in turn (the order rotating), so that all see the same load from the machine.
      for (let run = 0; run < (ONLY_TOGETHER ? 0 : RUNS); run++) {
        const order = contenders.map((_, i) => contenders[(i + run) % contenders.length]!);
        for (const contender of order) {
          loads.push(loadavg()[0]!);
          const key = `${contender.name} ${name}`;
          const slice = await measure(servers.get(contender.name)!, query, run === 0 ? WARMUP_S : 1);
          figures.set(key, [...(figures.get(key) ?? []), slice]);
        }
      }
      // This tree against BEFORE_REF loaded at the same time, half the connections each: on a busy
      // machine slices in turn differ by more than a change does (bench/NOTES.md), while two
      // servers loaded together share whatever else the machine does within each slice.
      if (before) {
        for (let run = 0; run < RUNS; run++) {
          loads.push(loadavg()[0]!);
          const [after, earlier] = await Promise.all(
            // The first warm-up as long as any: the two come to it from different spells of idling.
            ['production', 'before'].map((c) =>
              measure(servers.get(c)!, query, run === 0 ? WARMUP_S : 1, CONNECTIONS / 2),
            ),
          );
          together.set(name, [
            ...(together.get(name) ?? []),
            after!.cpuMsPerRequest / earlier!.cpuMsPerRequest,
          ]);
        }
      }
    }
    for (const server of servers.values()) await server.child.stop();
    servers.clear();
    const trees = before ? [here, before.tree] : [here];
    for (let run = 0; run < (ONLY_TOGETHER ? 0 : RUNS); run++) {
      for (const tree of run % 2 === 0 ? trees : [...trees].reverse()) {
        startups.set(tree.name, [...(startups.get(tree.name) ?? []), await measureStartup(tree)]);
      }
    }
  } finally {
    for (const server of servers.values()) await server.child.stop();
    await standIn.child.stop();
    rmSync(workDir, { recursive: true, force: true });
    before?.remove();
  }

  const rows: BenchRow[] = [];
  const metrics: [keyof Figures, string, string][] = [
    ['rps', 'throughput', 'req/s'],
    ['p50', 'latency p50', 'ms'],
    ['p99', 'latency p99', 'ms'],
    ['cpuMsPerRequest', 'CPU per request', 'ms'],
    ['peakRssMiB', 'peak RSS under load', 'MiB'],
  ];
  /** Against another contender: CPU per request and peak RSS. */
  const compared: [string, string][] = [
    ['production', 'tailcall'],
    ['default', 'tailcall'],
    // Where the distance to Tailcall is: the gateway's own work, and the platform's.
    ['production', 'node floor'],
    ['node floor', 'tailcall'],
    ...(before ? ([['production', 'before']] as [string, string][]) : []),
  ];
  for (const { name } of QUERIES) {
    const bench = `throughput: ${name}`;
    const runsOf = (contender: string) => figures.get(`${contender} ${name}`)!;
    for (const [field, metric, unit] of ONLY_TOGETHER ? [] : metrics) {
      for (const contender of contenders) {
        // The peak is the highest of the runs; every other figure their median.
        const values = runsOf(contender.name).map((f) => f[field]);
        const value = field === 'peakRssMiB' ? Math.max(...values) : median(values);
        rows.push({ bench, metric: `${metric}, ${contender.name}`, value, unit });
      }
      if (field !== 'cpuMsPerRequest' && field !== 'peakRssMiB') continue;
      for (const [a, b] of compared) {
        // CPU: the median of each run's own ratio (the slices of one run are back to back, so a busy
        // spell of the machine weighs on both sides of the ratio it enters), with the lowest and
        // highest; peak RSS: the ratio of the peaks.
        if (field === 'peakRssMiB') {
          const peak = (c: string) => Math.max(...runsOf(c).map((f) => f.peakRssMiB));
          rows.push({ bench, metric: `${metric}, ${a}/${b}`, value: peak(a) / peak(b), unit: 'x' });
          continue;
        }
        const ratios = runsOf(a).map((f, i) => f[field] / runsOf(b)[i]![field]);
        rows.push(
          {
            bench,
            metric: `${metric}, ${a}/${b} (median of the runs' own)`,
            value: median(ratios),
            unit: 'x',
          },
          { bench, metric: `${metric}, ${a}/${b}, lowest run`, value: Math.min(...ratios), unit: 'x' },
          { bench, metric: `${metric}, ${a}/${b}, highest run`, value: Math.max(...ratios), unit: 'x' },
        );
      }
    }
    const paired = together.get(name);
    if (paired) {
      const metric = 'CPU per request, production/before, loaded together';
      rows.push(
        { bench, metric: `${metric} (median of the runs' own)`, value: median(paired), unit: 'x' },
        { bench, metric: `${metric}, lowest run`, value: Math.min(...paired), unit: 'x' },
        { bench, metric: `${metric}, highest run`, value: Math.max(...paired), unit: 'x' },
      );
    }
  }
  for (const [tree, runs] of startups) {
    const bench = 'throughput: npm start (built-in emulator)';
    const label = tree === 'after' ? 'this tree' : BEFORE_REF;
    rows.push(
      { bench, metric: `to first answer, ${label}`, value: median(runs.map((r) => r.ms)), unit: 'ms' },
      { bench, metric: `RSS at rest, ${label}`, value: median(runs.map((r) => r.restRssMiB)), unit: 'MiB' },
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
      `warm-up; ${BEFORE_REF ? `before = ${BEFORE_REF}; ` : ''}${((performance.now() - started) / 1000).toFixed(1)} s total`,
  );
}
