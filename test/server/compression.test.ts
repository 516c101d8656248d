/**
 * Responses are compressed by Accept-Encoding (Brotli preferred, gzip, q-values), above the size
 * threshold only, never for event streams; the decompressed bytes are the uncompressed answer.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiateEncoding } from '../../src/server/compression.ts';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ INTROSPECTION: 'true' });
});
afterAll(() => h.close());

const PAGE = '{ customers(first: 100) { nodes { id email name created } } }';
const INTROSPECTION = '{ __schema { types { name kind fields { name } } } }';

async function post(query: string, acceptEncoding?: string) {
  const response = await h.fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }),
    },
    body: JSON.stringify({ query }),
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('negotiateEncoding', () => {
  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['br;q=0, gzip;q=0', undefined],
    ['*', 'br'],
    ['*;q=0.1, gzip', 'gzip'],
    ['identity', undefined],
    ['', undefined],
    [' GZIP ; q=1 ', 'gzip'],
  ] as const)('%j → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('response compression', () => {
  it('sends Brotli or gzip that decompress to the plain answer', async () => {
    const plain = await post(INTROSPECTION);
    expect(plain.response.headers.get('content-encoding')).toBeNull();
    expect(plain.response.headers.get('vary')).toMatch(/accept-encoding/i);
    const text = plain.bytes.toString('utf8');
    // Every type of the schema the gateway serves.
    expect(JSON.parse(text).data.__schema.types).toHaveLength(
      Object.keys(h.gateway.schema.schema.getTypeMap()).length,
    );

    const br = await post(INTROSPECTION, 'gzip, deflate, br');
    expect(br.response.headers.get('content-encoding')).toBe('br');
    expect(Number(br.response.headers.get('content-length'))).toBe(br.bytes.byteLength);
    expect(brotliDecompressSync(br.bytes).toString('utf8')).toBe(text);
    expect(br.bytes.byteLength * 5).toBeLessThan(plain.bytes.byteLength);

    const gz = await post(INTROSPECTION, 'gzip');
    expect(gz.response.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(gz.bytes).toString('utf8')).toBe(text);
  });

  it('compresses a 100-item page', async () => {
    const plain = await post(PAGE);
    const gz = await post(PAGE, 'gzip');
    expect(gz.response.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.bytes).toString('utf8'))).toEqual(
      JSON.parse(plain.bytes.toString('utf8')),
    );
  });

  it('leaves small answers, refused encodings and event streams alone', async () => {
    const small = await post('{ customers(first: 1) { nodes { id } } }', 'br');
    expect(small.response.headers.get('content-encoding')).toBeNull();
    expect(JSON.parse(small.bytes.toString('utf8')).data.customers.nodes).toHaveLength(1);

    const refused = await post(INTROSPECTION, 'br;q=0, gzip;q=0');
    expect(refused.response.headers.get('content-encoding')).toBeNull();

    const abort = new AbortController();
    const stream = await h.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'accept-encoding': 'br' },
      body: JSON.stringify({ query: 'subscription { stripeEvents { id } }' }),
      signal: abort.signal,
    });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    // Yoga marks event streams `Content-Encoding: none` (so that proxies do not buffer them).
    expect(stream.headers.get('content-encoding') ?? 'none').toBe('none');
    abort.abort();
  });

  it('is off with COMPRESSION=off', async () => {
    const off = await startHarness({ COMPRESSION: 'off', INTROSPECTION: 'true' });
    try {
      const response = await off.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-encoding': 'br' },
        body: JSON.stringify({ query: INTROSPECTION }),
      });
      expect(response.headers.get('content-encoding')).toBeNull();
      expect(response.headers.get('vary') ?? '').not.toMatch(/accept-encoding/i);
      await response.arrayBuffer();
    } finally {
      await off.close();
    }
  });
});
