import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeBody, parseBody } from '../../src/rest/json.ts';

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strings that look like the separators the parser looks for, quotes and non-ASCII included. */
const TRICKY = ['},{"id":"ch_', '},\n    {\n      "id": "ch_', '"data":[', '\\', '"', 'é ✓ 𝄞', '}]}', ''];

function charge(next: () => number, index: number, nested: number): Record<string, unknown> {
  return {
    id: `ch_${index.toString(36).padStart(6, '0')}`,
    object: 'charge',
    amount: Math.floor(next() * 100_000),
    description: TRICKY[Math.floor(next() * TRICKY.length)]!.repeat(1 + Math.floor(next() * 3)),
    metadata: { note: 'x'.repeat(Math.floor(next() * 400)), tricky: TRICKY[index % TRICKY.length]! },
    // A nested list of the same kind: its separators look like the page's own.
    refunds: {
      object: 'list',
      data: Array.from({ length: nested }, (_, n) => ({
        id: `ch_n${index}_${n}`,
        object: 'charge',
        amount: n,
      })),
    },
    customer: {
      id: `cus_${index % 3}`,
      object: 'customer',
      email: `c${index % 3}@example.com`,
      padding: 'p'.repeat(1_500),
    },
  };
}

function page(items: number, nested: (index: number) => number, seed = 1): Record<string, unknown> {
  const next = random(seed);
  return {
    object: 'list',
    data: Array.from({ length: items }, (_, index) => charge(next, index, nested(index))),
    has_more: true,
    url: '/v1/charges',
  };
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('parseBody', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('parses a large page item by item, never as one string over 128 KiB', () => {
    const value = page(150, () => 0);
    const text = JSON.stringify(value);
    expect(text.length).toBeGreaterThan(250_000);
    const parse = vi.spyOn(JSON, 'parse');
    expect(parseBody(bytes(text))).toEqual(value);
    const longest = Math.max(...parse.mock.calls.map(([source]) => String(source).length));
    expect(longest).toBeLessThan(128 * 1024);
    expect(parse.mock.calls.length).toBeGreaterThan(100);
  });

  it('parses Stripe’s pretty-printed pages the same way', () => {
    const value = page(120, (index) => index % 2);
    const text = JSON.stringify(value, null, 2);
    const parse = vi.spyOn(JSON, 'parse');
    expect(parseBody(bytes(text))).toEqual(value);
    expect(Math.max(...parse.mock.calls.map(([source]) => String(source).length))).toBeLessThan(128 * 1024);
  });

  it('equals JSON.parse on pages with nested lists, separator-like strings and non-ASCII text', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const value = page(
        40 + Math.floor(next() * 120),
        () => (next() < 0.05 ? 1 + Math.floor(next() * 3) : 0),
        seed,
      );
      for (const text of [JSON.stringify(value), JSON.stringify(value, null, 2)]) {
        expect(parseBody(bytes(text))).toEqual(JSON.parse(text));
      }
    }
  });

  it('falls back to the whole answer when many separators lie inside items', () => {
    const value = page(80, () => 6);
    expect(parseBody(bytes(JSON.stringify(value)))).toEqual(value);
  });

  it('parses large answers that are not pages, and small ones, whole', () => {
    const object = {
      id: 'acct_1',
      object: 'account',
      blob: 'z'.repeat(200_000),
      data: [{ id: 'x_1' }, { id: 'x_2' }],
    };
    expect(parseBody(bytes(JSON.stringify(object)))).toEqual(object);
    const list = { data: page(60, () => 0).data, object: 'list' };
    expect(parseBody(bytes(JSON.stringify(list)))).toEqual(list);
    const empty = { object: 'list', data: [], has_more: false, url: '/v1/charges', pad: 'q'.repeat(130_000) };
    expect(parseBody(bytes(JSON.stringify(empty)))).toEqual(empty);
    expect(parseBody(bytes('{"id":"cus_1","object":"customer"}'))).toEqual({
      id: 'cus_1',
      object: 'customer',
    });
  });

  it('throws SyntaxError on an invalid or cut-off answer, large or small', () => {
    const text = JSON.stringify(page(100, () => 0));
    expect(() => parseBody(bytes(text.slice(0, -40)))).toThrow(SyntaxError);
    expect(() => parseBody(bytes(`${text.slice(0, 200_000)}}}`))).toThrow(SyntaxError);
    expect(() => parseBody(bytes(`${text}x`))).toThrow(SyntaxError);
    expect(() => parseBody(bytes('<html>502 Bad Gateway</html>'))).toThrow(SyntaxError);
  });

  it('skips a byte-order mark, as undici’s text() does', () => {
    const value = page(100, () => 0);
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(JSON.stringify(value))]);
    expect(parseBody(withBom)).toEqual(value);
    expect(decodeBody(Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]))).toBe('hi');
    expect(parseBody(new Uint8Array(Buffer.from('[1,2]')))).toEqual([1, 2]);
  });
});
