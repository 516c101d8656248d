/** scripts/idle-collect.mjs: when `npm start`'s process runs a full collection, second by second. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM script without types
import { BUSY_AFTER as busyAfter, idleCollector } from '../../scripts/idle-collect.mjs';

const BUSY_AFTER = busyAfter as number;
const MB = 1024 * 1024;
const BUSY = 0.5;
const IDLE = 0;

/** A collector over a fake heap; `run(utilisations)` gives the seconds (1-based) that collected. */
function collector(heap = { committed: 100 * MB }) {
  let gcs = 0;
  const watch = (
    idleCollector as (gc: () => void, committed: () => number) => { second(u: number): boolean }
  )(
    () => {
      gcs += 1;
      heap.committed = 40 * MB;
    },
    () => heap.committed,
  );
  let second = 0;
  return {
    heap,
    gcs: () => gcs,
    run(utilisations: number[]): number[] {
      const collectedAt: number[] = [];
      for (const utilisation of utilisations) {
        second += 1;
        if (watch.second(utilisation)) collectedAt.push(second);
      }
      return collectedAt;
    },
  };
}

const seconds = (n: number, utilisation: number) => Array<number>(n).fill(utilisation);

describe('the idle collector', () => {
  it('collects start-up at the first idle second, then once more to shrink the young generation', () => {
    const c = collector();
    expect(c.run([BUSY, IDLE, ...seconds(10, IDLE)])).toEqual([2, 8]);
    // Nothing more while the heap stays near what the collections left.
    expect(c.run(seconds(20, IDLE))).toEqual([]);
    // A load (seconds 33–35) that grew the heap is given back once idle again (36, then 42).
    c.heap.committed = 120 * MB;
    expect(c.run([...seconds(3, BUSY), ...seconds(8, IDLE)])).toEqual([36, 42]);
  });

  it('collects start-up once even if the process never idles', () => {
    const c = collector();
    expect(c.run(seconds(60, BUSY))).toEqual([BUSY_AFTER]);
    expect(c.gcs()).toBe(1);
  });

  it('runs no busy collection when start-up was collected while idle', () => {
    const c = collector();
    expect(c.run([IDLE, ...seconds(60, BUSY)])).toEqual([1]);
  });
});
