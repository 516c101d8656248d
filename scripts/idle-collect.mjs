/**
 * Gives memory back when the process falls idle with a grown heap, for `npm start`.
 *
 * Start-up is the process's most wasteful moment: building the schema allocates a few hundred MB,
 * most of it dead a second later, and V8 meets that by growing the young generation to its
 * maximum (`--max-semi-space-size`) and the old one far past the live heap. Nothing gives that
 * back while the process idles: no collection runs without allocation, and the young generation
 * only shrinks at a collection that follows a spell of low allocation. A replica at rest held
 * about 200 MB of RSS for 40 MB of live heap.
 *
 * A timer samples the event loop's utilisation each second (`performance.eventLoopUtilization`;
 * unref'd, it never keeps the process up). Once the loop has been busy for less than 2 % of a
 * second, and V8's committed heap is well above what the last collection left, it runs a full
 * collection (`gc()`: `npm start` passes `--expose-gc`), which frees the old generation's garbage;
 * SHRINK_AFTER seconds later, still idle, a second one, which V8 follows by shrinking the young
 * generation (the allocation rate since the first is low). Each costs a pause of some 30–60 ms on
 * a 40 MB heap, when no request is waiting. Nothing runs again until the heap has grown again.
 *
 * A replica that is sent traffic as soon as it is ready never idles: start-up's garbage then stayed
 * in the old generation, whose limit the build had raised, and the load's promotions piled on top
 * (the throughput bench's queries from the first second: peak RSS 246–273 MiB without, 213–224 MiB
 * with this collection, bench/NOTES.md). So if no collection has run BUSY_AFTER seconds after
 * start-up, one runs then, busy or not: one pause, once in the process's life.
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** The share of a second the loop may be busy in a second that counts as idle. */
const IDLE_UTILISATION = 0.02;
/** Idle seconds between the first collection and the one that shrinks the young generation. */
const SHRINK_AFTER = 6;
/** Seconds after start-up by which start-up's garbage is collected even if the loop never idles. */
export const BUSY_AFTER = 5;
/** Grown: the committed heap is this much above what the last collections left. */
const GROWN_RATIO = 1.25;
const GROWN_BYTES = 8 * 1024 * 1024;

/**
 * The decisions, one call per second: `second(utilisation)` is told the loop's utilisation over
 * the second gone, runs `gc` when one is due and says whether it did (the collection's own time is
 * not work: the caller starts its next measurement after it). `committedBytes` reads V8's committed
 * heap.
 */
export function idleCollector(gc, committedBytes) {
  let seconds = 0;
  let idleSeconds = 0;
  /** The committed heap the last collections left (0: start-up has not been collected). */
  let settled = 0;
  /** Whether any collection has run (start-up's garbage is gone). */
  let collected = false;
  /** The idle second of this quiet spell at which the first collection ran (undefined: none yet). */
  let firstAt;
  const collect = () => {
    gc();
    collected = true;
    return true;
  };
  return {
    second(utilisation) {
      seconds += 1;
      if (utilisation >= IDLE_UTILISATION) {
        idleSeconds = 0;
        firstAt = undefined;
        return !collected && seconds >= BUSY_AFTER ? collect() : false;
      }
      idleSeconds += 1;
      if (firstAt === undefined) {
        const committed = committedBytes();
        if (settled > 0 && committed < settled * GROWN_RATIO + GROWN_BYTES) return false;
        firstAt = idleSeconds;
        return collect();
      }
      if (idleSeconds - firstAt < SHRINK_AFTER) return false;
      collect();
      settled = committedBytes();
      firstAt = undefined;
      return true;
    },
  };
}

/** Starts the watch; a no-op without `--expose-gc`. Returns a function that stops it. */
export function collectWhenIdle() {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') return () => {};
  const collector = idleCollector(gc, () => getHeapStatistics().total_heap_size);
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    if (collector.second(utilization)) last = performance.eventLoopUtilization();
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
