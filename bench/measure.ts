/**
 * One abuse case measured: the time to answer, the CPU time this process spent meanwhile (a figure
 * other work on the machine changes less than the stall), the longest event-loop stall while it ran
 * (perf_hooks.monitorEventLoopDelay: wall time, so on a shared machine it also counts the time
 * other processes held the core), the CPU the main thread spent in its longest turn (the most it
 * spent between two ticks of a 2 ms timer, from Linux's per-thread schedstat: the loop's own work,
 * its collections included, without V8's helper threads or the time the core was taken), the
 * longest the main thread waited for a core between two ticks (ready to run while other
 * processes held both cores: the machine's share of the stall), the peak RSS above the level before it (and how much of it
 * was V8's young generation growing: it grows to its maximum, 2 x 16 MB by default, once more
 * than some 15 MB survive its collections, whatever the objects, and shrinks back when the process
 * is idle; a process under steady load keeps it grown), and the RSS still
 * held a moment after, once a full collection ran, and the heap (memory returned: V8 keeps RSS
 * it grew for seconds after, its heap shows what is still reachable), the worst of `runs` runs
 * after one warm-up.
 */
import { openSync, readSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { BenchRow } from './table.ts';

const MB = 1024 * 1024;

/** Sends one case to the gateway at `origin`; resolves with the HTTP status it got. */
export type Send = (origin: string) => Promise<number>;

export interface MeasureOptions {
  /** how long to wait before reading what RSS is still held (default 300 ms) */
  settleMs?: number;
  /** skip the warm-up send (the caller warmed every case up already) */
  warm?: boolean;
}

/** A full collection, whether or not node runs with --expose-gc. */
export const collect: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** The main thread's time on a core and waiting for one, in ms, so far (Linux); undefined elsewhere. */
export const mainThreadTimes: () => { runMs: number; waitMs: number } | undefined = (() => {
  let fd: number;
  try {
    // The main thread's id is the process id.
    fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
  } catch {
    return () => undefined;
  }
  const buffer = Buffer.alloc(128);
  return () => {
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    // "<ns on a core> <ns waiting on a run queue> <time slices>"
    const [run, wait] = buffer.toString('latin1', 0, read).split(' ');
    return { runMs: Number(run) / 1e6, waitMs: Number(wait) / 1e6 };
  };
})();

/** The size of V8's young generation (its two semi-spaces), in bytes. */
const youngGeneration = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;

/** The CPU the process spent since `since` (every thread), in ms. */
const processCpuMs = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

export async function measure(
  name: string,
  send: Send,
  origin: string,
  runs: number,
  { settleMs = 300, warm = false }: MeasureOptions = {},
): Promise<BenchRow[]> {
  if (!warm) await send(origin); // warm-up: first-use compilation is not what is measured
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let answerMs = 0;
  let cpuMs = 0;
  let stallMs = 0;
  let turnCpuMs = 0;
  /** the longest the main thread waited for a core between two ticks of the sampler */
  let waitMs = 0;
  let extraRss = 0;
  /** of the worst run's peak extra RSS, what V8's young generation grew by then */
  let youngGrowth = 0;
  let heldRss = 0;
  let heldHeap = 0;
  let status = 0;
  for (let run = 0; run < runs; run++) {
    collect();
    const baselineHeap = process.memoryUsage().heapUsed;
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const youngBefore = youngGeneration();
    let youngAtPeak = youngBefore;
    let tickTimes = mainThreadTimes();
    let tickCpu = process.cpuUsage();
    const sampler = setInterval(() => {
      const rss = process.memoryUsage.rss();
      if (rss > peak) {
        peak = rss;
        youngAtPeak = youngGeneration();
      }
      // Between two ticks 2 ms apart: the CPU the main thread spent (the turn that blocked the
      // loop meanwhile), and how long it waited for a core (held by other processes).
      const times = mainThreadTimes();
      if (times === undefined || tickTimes === undefined) {
        turnCpuMs = Math.max(turnCpuMs, processCpuMs(tickCpu));
        tickCpu = process.cpuUsage();
      } else {
        turnCpuMs = Math.max(turnCpuMs, times.runMs - tickTimes.runMs);
        waitMs = Math.max(waitMs, times.waitMs - tickTimes.waitMs);
      }
      tickTimes = times;
    }, 2);
    delay.reset();
    delay.enable();
    const started = performance.now();
    const cpu = process.cpuUsage();
    status = await send(origin);
    if (status === 0) throw new Error(`${name}: no answer`);
    answerMs = Math.max(answerMs, performance.now() - started);
    cpuMs = Math.max(cpuMs, processCpuMs(cpu));
    delay.disable();
    clearInterval(sampler);
    stallMs = Math.max(stallMs, delay.max / 1e6);
    const extra = Math.max(peak, process.memoryUsage.rss()) - baseline;
    if (extra >= extraRss) youngGrowth = youngAtPeak - youngBefore;
    extraRss = Math.max(extraRss, extra);
    // What is still held once the sockets are gone and a full collection ran (a leak grows this
    // run after run; without the collection, this is whatever V8 has not given back yet: its
    // memory reducer waits for seconds of idle time).
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    collect();
    heldRss = Math.max(heldRss, process.memoryUsage.rss() - baseline);
    heldHeap = Math.max(heldHeap, process.memoryUsage().heapUsed - baselineHeap);
  }
  const bench = `abuse: ${name}`;
  return [
    { bench, metric: 'HTTP status', value: status, unit: '' },
    { bench, metric: 'time to answer (max)', value: answerMs, unit: 'ms' },
    { bench, metric: 'CPU time (max)', value: cpuMs, unit: 'ms' },
    { bench, metric: 'longest event-loop stall', value: stallMs, unit: 'ms' },
    { bench, metric: 'longest turn, main-thread CPU', value: turnCpuMs, unit: 'ms' },
    { bench, metric: 'longest wait for a core', value: waitMs, unit: 'ms' },
    { bench, metric: 'peak extra RSS', value: extraRss / MB, unit: 'MB' },
    { bench, metric: 'of which young generation growth', value: youngGrowth / MB, unit: 'MB' },
    { bench, metric: `RSS held ${settleMs} ms after, GC`, value: heldRss / MB, unit: 'MB' },
    { bench, metric: 'heap held after, GC', value: heldHeap / MB, unit: 'MB' },
  ];
}

/**
 * Runs `bench` with source-mapped stack traces off, as the gateway runs deployed (`node dist/…`,
 * no `--enable-source-maps`). tsx turns them on, and then every error stack formatted (Node's
 * stream `destroy` reads `err.stack` of each aborted request) looks up source maps: in a flood of
 * 1,500 aborted requests that was 100 ms of the bench's stall, none of it the deployed gateway's.
 */
export async function asDeployed<T>(bench: () => Promise<T>): Promise<T> {
  const enabled = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    return await bench();
  } finally {
    process.setSourceMapsEnabled(enabled);
  }
}

/** The goals of issue 25 for every abuse case. */
export const GOALS = { stallMs: 100, extraRssMb: 50, heldHeapMb: 1 } as const;

/** The machine's 1-minute load average now, as a row (the wall stall depends on it). */
export function loadRow(when: string): BenchRow {
  return { bench: 'abuse: machine', metric: `load average (1 min), ${when}`, value: loadavg()[0]!, unit: '' };
}

/**
 * The verdict per abuse case and goal, from the rows `measure` made: the stall in wall time (the
 * goal as stated; on a loaded machine it counts the time other processes held the core, shown as
 * "waited"), the main thread's CPU in its longest turn (what the gateway's own work blocks the loop
 * for, which a quiet machine's wall stall comes down to), the peak extra RSS (and of it, the young
 * generation's growth), and the heap still
 * held after a full collection (memory returned).
 */
export function formatVerdicts(rows: readonly BenchRow[]): string {
  const cases = new Map<string, Map<string, number>>();
  for (const { bench, metric, value } of rows) {
    if (!bench.startsWith('abuse: ')) continue;
    const metrics = cases.get(bench) ?? new Map<string, number>();
    cases.set(bench, metrics.set(metric, value));
  }
  const verdict = (value: number | undefined, goal: number) =>
    value === undefined ? '-' : value <= goal ? 'PASS' : 'FAIL';
  const figure = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1));
  const header = [
    'case',
    'stall ms',
    'waited ms',
    'turn CPU ms',
    `stall<=${GOALS.stallMs}`,
    `CPU<=${GOALS.stallMs}`,
    'peak RSS MB',
    'young gen MB',
    `RSS<=${GOALS.extraRssMb}`,
    'heap held MB',
    'returned',
  ];
  const lines: string[][] = [];
  const machine: string[] = [];
  for (const [bench, metrics] of cases) {
    if (bench === 'abuse: machine') {
      for (const [metric, value] of metrics) machine.push(`${metric} ${value.toFixed(2)}`);
      continue;
    }
    const stall = metrics.get('longest event-loop stall');
    const turn = metrics.get('longest turn, main-thread CPU');
    const rss = metrics.get('peak extra RSS');
    const heap = metrics.get('heap held after, GC');
    lines.push([
      bench.slice('abuse: '.length),
      figure(stall),
      figure(metrics.get('longest wait for a core')),
      figure(turn),
      verdict(stall, GOALS.stallMs),
      verdict(turn, GOALS.stallMs),
      figure(rss),
      figure(metrics.get('of which young generation growth')),
      verdict(rss, GOALS.extraRssMb),
      figure(heap),
      verdict(heap, GOALS.heldHeapMb),
    ]);
  }
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (line: readonly string[]) =>
    line
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    `abuse goals (issue 25): ${availableParallelism()} cores, ${machine.join(', ')}`,
    format(header),
    format(widths.map((width) => '-'.repeat(width))),
    ...lines.map(format),
  ].join('\n');
}
