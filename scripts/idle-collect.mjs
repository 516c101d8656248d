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
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** The share of a second the loop may be busy in a second that counts as idle. */
const IDLE_UTILISATION = 0.02;
/** Idle seconds between the first collection and the one that shrinks the young generation. */
const SHRINK_AFTER = 6;
/** Grown: the committed heap is this much above what the last collections left. */
const GROWN_RATIO = 1.25;
const GROWN_BYTES = 8 * 1024 * 1024;

/** Starts the watch; a no-op without `--expose-gc`. Returns a function that stops it. */
export function collectWhenIdle() {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') return () => {};
  let last = performance.eventLoopUtilization();
  let idleSeconds = 0;
  /** The committed heap the last collections left (0: start-up has not been collected). */
  let settled = 0;
  /** The idle second of this quiet spell at which the first collection ran (undefined: none yet). */
  let firstAt;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    if (utilization >= IDLE_UTILISATION) {
      idleSeconds = 0;
      firstAt = undefined;
      return;
    }
    idleSeconds += 1;
    if (firstAt === undefined) {
      const committed = getHeapStatistics().total_heap_size;
      if (settled > 0 && committed < settled * GROWN_RATIO + GROWN_BYTES) return;
      gc();
      firstAt = idleSeconds;
    } else if (idleSeconds - firstAt >= SHRINK_AFTER) {
      gc();
      settled = getHeapStatistics().total_heap_size;
      firstAt = undefined;
    } else {
      return;
    }
    // The collections' own time is not work.
    last = performance.eventLoopUtilization();
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
