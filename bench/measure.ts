/**
 * One abuse case measured: the time to answer, the CPU time this process spent meanwhile (a figure
 * other work on the machine changes less than the stall), the longest event-loop stall while it ran
 * (perf_hooks.monitorEventLoopDelay) and the same in CPU time (the most CPU spent between two
 * ticks of a 2 ms timer: on a shared machine the stall also counts the time other processes held
 * the core; this counts V8's helper threads too, so it errs high), the peak RSS above the level before it, and the RSS still
 * held a moment after, once a full collection ran, and the heap (memory returned: V8 keeps RSS
 * it grew for seconds after, its heap shows what is still reachable), the worst of `runs` runs
 * after one warm-up.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
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
  let cpuStallMs = 0;
  let extraRss = 0;
  let heldRss = 0;
  let heldHeap = 0;
  let status = 0;
  for (let run = 0; run < runs; run++) {
    collect();
    const baselineHeap = process.memoryUsage().heapUsed;
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    let tick = process.cpuUsage();
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
      // The CPU spent between two ticks 2 ms apart: what blocked the loop meanwhile, without the
      // time other processes held the core (which the stall counts).
      const { user, system } = process.cpuUsage(tick);
      tick = process.cpuUsage();
      cpuStallMs = Math.max(cpuStallMs, (user + system) / 1000);
    }, 2);
    delay.reset();
    delay.enable();
    const started = performance.now();
    const cpu = process.cpuUsage();
    status = await send(origin);
    if (status === 0) throw new Error(`${name}: no answer`);
    answerMs = Math.max(answerMs, performance.now() - started);
    const { user, system } = process.cpuUsage(cpu);
    cpuMs = Math.max(cpuMs, (user + system) / 1000);
    delay.disable();
    clearInterval(sampler);
    stallMs = Math.max(stallMs, delay.max / 1e6);
    extraRss = Math.max(extraRss, Math.max(peak, process.memoryUsage.rss()) - baseline);
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
    { bench, metric: 'longest stall in CPU time', value: cpuStallMs, unit: 'ms' },
    { bench, metric: 'peak extra RSS', value: extraRss / MB, unit: 'MB' },
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
