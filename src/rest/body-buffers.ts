/**
 * Buffers for Stripe's larger answers, used again once an answer is parsed. An answer that comes
 * in several socket reads is gathered into one buffer (src/rest/exchange.ts) that lives as long as
 * its transfer. Under load that spans scavenges, so V8 promotes the buffer's wrapper to the old
 * generation, and its memory (a large page is a few hundred KB, mapped outside V8's heap) stays
 * until the next mark-compact: with 32 pages in flight, some 12 MB of dead buffers besides the live
 * ones (bench/NOTES.md). Handing the buffer back once the answer is parsed (the parsed values and
 * decoded strings are copies) lets the next answer of its size class reuse it.
 *
 * Sizes are rounded up to a power of two from MIN_BYTES; answers over MAX_BYTES are not kept. At most
 * SPARE_BYTES wait for reuse; a buffer handed back past that is left to the collector.
 */

const MIN_BYTES = 16 * 1024;
const MAX_BYTES = 4 * 1024 * 1024;
const SPARE_BYTES = 4 * 1024 * 1024;

/** Spare buffers by size class (log2 of the size). */
const spare = new Map<number, Buffer[]>();
let spareBytes = 0;

function sizeClass(bytes: number): number {
  return Math.max(Math.ceil(Math.log2(Math.max(bytes, 1))), Math.log2(MIN_BYTES));
}

/**
 * A buffer of `bytes` bytes (a view of a possibly larger one), its content undefined; `give` hands
 * it back (once; later calls do nothing). Its bytes must not be read after that.
 */
export function takeBuffer(bytes: number): { buffer: Buffer; give(): void } {
  if (bytes > MAX_BYTES) return { buffer: Buffer.allocUnsafeSlow(bytes), give: () => {} };
  const size = sizeClass(bytes);
  let whole = spare.get(size)?.pop();
  if (whole) spareBytes -= whole.length;
  else whole = Buffer.allocUnsafeSlow(2 ** size);
  const kept = whole;
  let given = false;
  return {
    buffer: kept.subarray(0, bytes),
    give() {
      if (given) return;
      given = true;
      if (spareBytes + kept.length > SPARE_BYTES) return;
      spareBytes += kept.length;
      const list = spare.get(size);
      if (list) list.push(kept);
      else spare.set(size, [kept]);
    },
  };
}

/** Bytes waiting for reuse (for tests). */
export function spareBufferBytes(): number {
  return spareBytes;
}
