/**
 * How an exchange gathers an answer's body (src/rest/exchange.ts), driven through undici's handler
 * calls by a dispatcher that plays the answer back in the pieces a socket would deliver: the bytes
 * come out exactly as sent, whatever the pieces, with or without a `Content-Length`, and an answer
 * with a length holds none of the socket's pieces once it has copied them.
 */
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { spareBufferBytes, takeBuffer } from '../../src/rest/body-buffers.ts';
import { AnswerTooLargeError, exchange } from '../../src/rest/exchange.ts';

/** A dispatcher that answers with `pieces` (each a fresh buffer, as a socket read is). */
function playing(pieces: Buffer[], headers: Record<string, string>): Dispatcher {
  const raw = Object.entries(headers).flatMap(([name, value]) => [Buffer.from(name), Buffer.from(value)]);
  return {
    dispatch(_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      queueMicrotask(() => {
        handler.onConnect?.(() => {});
        if (handler.onHeaders?.(200, raw, () => {}, 'OK') === false) return;
        for (const piece of pieces) if (handler.onData?.(piece) === false) return;
        handler.onComplete?.([]);
      });
      return true;
    },
  } as unknown as Dispatcher;
}

/** `bytes` cut at the given offsets, each piece in a buffer of its own. */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const edges = [0, ...at, bytes.length];
  return edges.slice(1).map((end, i) => Buffer.from(bytes.subarray(edges[i]!, end)));
}

const OPTIONS = { origin: 'http://stripe.test', method: 'GET', path: '/v1/charges' } as const;
// Multi-byte characters (2, 3 and 4 bytes) so that cuts fall inside them.
const BODY = Buffer.from(
  JSON.stringify({
    object: 'list',
    data: Array.from({ length: 40 }, (_, i) => ({ id: `ch_${i}`, note: 'é✓𝄞' })),
  }),
);
// Cuts inside a character, at the edges and one byte apart.
const CUTS = [1, 2, 37, 38, 39, 700, 701, BODY.length - 1];

describe('an answer in several pieces', () => {
  it('with a Content-Length: one buffer of that size, the pieces copied in and let go', async () => {
    const pieces = cut(BODY, CUTS);
    const answer = await exchange(playing(pieces, { 'Content-Length': String(BODY.length) }), OPTIONS).answer;
    expect(answer.body.equals(BODY)).toBe(true);
    // The body shares no memory with the socket's pieces: they can be collected once copied.
    for (const piece of pieces) expect(piece.buffer).not.toBe(answer.body.buffer);
    for (const piece of pieces) piece.fill(0);
    expect(answer.body.equals(BODY)).toBe(true);
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual(JSON.parse(BODY.toString('utf8')));
  });

  it('a released body serves the next answer of its size; spare buffers are bounded', async () => {
    const sized = () => playing(cut(BODY, CUTS), { 'content-length': String(BODY.length) });
    const first = await exchange(sized(), OPTIONS).answer;
    const memory = first.body.buffer;
    first.release();
    first.release();
    const second = await exchange(sized(), OPTIONS).answer;
    expect(second.body.buffer).toBe(memory);
    expect(second.body.equals(BODY)).toBe(true);
    // Not handed back: the next one gets other memory.
    const third = await exchange(sized(), OPTIONS).answer;
    expect(third.body.buffer).not.toBe(memory);
    expect(third.body.equals(BODY)).toBe(true);
    second.release();
    third.release();
    // Handing back more than the spare bound keeps only what fits.
    const taken = Array.from({ length: 40 }, () => takeBuffer(200_000));
    for (const t of taken) t.give();
    expect(spareBufferBytes()).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(spareBufferBytes()).toBeGreaterThan(0);
    // Larger than any size kept: never pooled.
    const huge = takeBuffer(8 * 1024 * 1024);
    const before = spareBufferBytes();
    huge.give();
    expect(spareBufferBytes()).toBe(before);
  });

  it('without a length (chunked): the pieces joined at the end', async () => {
    const answer = await exchange(playing(cut(BODY, CUTS), {}), OPTIONS).answer;
    expect(answer.body.equals(BODY)).toBe(true);
  });

  it('more bytes than the declared length: every byte kept', async () => {
    const declared = 700;
    const answer = await exchange(playing(cut(BODY, CUTS), { 'content-length': String(declared) }), OPTIONS)
      .answer;
    expect(answer.body.equals(BODY)).toBe(true);
  });

  it('a length that is not a number: read as if none were declared', async () => {
    const answer = await exchange(playing(cut(BODY, CUTS), { 'content-length': 'many' }), OPTIONS).answer;
    expect(answer.body.equals(BODY)).toBe(true);
  });

  it('one piece: that piece, not a copy', async () => {
    const [piece] = cut(BODY, []);
    const answer = await exchange(playing([piece!], { 'content-length': String(BODY.length) }), OPTIONS)
      .answer;
    expect(answer.body).toBe(piece);
  });

  it('past maxBytes in pieces, with a length that lies: cut off', async () => {
    const call = exchange(playing(cut(BODY, CUTS), { 'content-length': '10' }), OPTIONS, 500);
    await expect(call.answer).rejects.toBeInstanceOf(AnswerTooLargeError);
  });
});
