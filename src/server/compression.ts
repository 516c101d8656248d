/**
 * Response compression: Brotli or gzip by the request's `Accept-Encoding` (q-values honoured; Brotli
 * when both are equally welcome), for JSON, HTML, JavaScript, CSS and text answers of at least
 * `thresholdBytes`. Streams (SSE, multipart) and answers that already carry a `Content-Encoding`
 * (GraphiQL's pre-gzipped assets) pass untouched. Compression runs on libuv's thread pool
 * (node:zlib's asynchronous calls), not on the event loop.
 *
 * Not @whatwg-node/server's `useContentEncoding`: it compresses every answer whatever its size
 * (a 40-byte error too), through a CompressionStream, which in Node 20 has no Brotli, and reads
 * `Accept-Encoding` without q-values or spaces (`gzip, br` matches only gzip).
 *
 * `npm run bench -- compression` (2-core machine, CPU per answer served through yoga.fetch):
 *   introspection, 3,515 KiB: gzip 6 → 280 KiB, +22 ms; Brotli 4 → 210 KiB, +24 ms;
 *                             Brotli 11 → 157 KiB, +3,667 ms (so 4 for dynamic answers)
 *   100-item page, 19.2 KiB:  gzip 6 → 3.2 KiB, +0.52 ms; Brotli 4 → 2.9 KiB, +0.45 ms;
 *                             Brotli 11 → 2.7 KiB, +25.7 ms
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

export type Encoding = 'br' | 'gzip';

export interface CompressionOptions {
  /** Smaller answers go out as they are (compressing them saves less than its headers cost). */
  thresholdBytes: number;
  /** 0-11; dynamic answers want a low one: 11 costs tens of times the CPU of 4 for a few % more. */
  brotliQuality: number;
  /** 1-9 */
  gzipLevel: number;
}

export const DEFAULT_COMPRESSION: CompressionOptions = {
  thresholdBytes: 1024,
  brotliQuality: 4,
  gzipLevel: 6,
};

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Media types worth compressing; event streams and multipart answers are streamed, not buffered. */
const COMPRESSIBLE =
  /^(?:application\/(?:json|graphql-response\+json|javascript)|text\/(?:html|plain|css|javascript))\b/;

/**
 * The encoding to answer with for an `Accept-Encoding` header: the welcome one (q > 0) with the
 * highest q among Brotli and gzip, Brotli on a tie; `*` stands for any encoding not named.
 */
export function negotiateEncoding(header: string | null | undefined): Encoding | undefined {
  if (!header) return undefined;
  const q: Partial<Record<string, number>> = {};
  for (const part of header.split(',')) {
    const [raw, ...params] = part.toLowerCase().split(';');
    const name = raw?.trim();
    if (!name) continue;
    let weight = 1;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key === 'q') weight = Number(value);
    }
    q[name] = Number.isFinite(weight) ? weight : 0;
  }
  const weightOf = (name: Encoding) => q[name] ?? q['*'] ?? 0;
  const br = weightOf('br');
  const gz = weightOf('gzip');
  if (br <= 0 && gz <= 0) return undefined;
  return br >= gz ? 'br' : 'gzip';
}

/** Compresses `body` with `encoding` on the thread pool. */
export function compress(body: Uint8Array, encoding: Encoding, options: CompressionOptions): Promise<Buffer> {
  return encoding === 'br'
    ? brotliAsync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: options.brotliQuality,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
        },
      })
    : gzipAsync(body, { level: options.gzipLevel });
}

/**
 * The answer's body without reading it as a stream when Yoga made it from a string or bytes
 * (@whatwg-node's Response keeps what it was given as `bodyInit`).
 */
function bodyOf(response: Response): string | Uint8Array | Promise<Uint8Array<ArrayBuffer>> {
  const init = (response as { bodyInit?: unknown }).bodyInit;
  if (typeof init === 'string' || init instanceof Uint8Array) return init;
  return response.arrayBuffer().then((buffer) => new Uint8Array(buffer));
}

/** At least `threshold` bytes, without encoding a string when its length decides. */
export function atLeast(body: string | Uint8Array, threshold: number): boolean {
  if (typeof body !== 'string') return body.byteLength >= threshold;
  if (body.length >= threshold) return true;
  return body.length * 3 >= threshold && Buffer.byteLength(body) >= threshold;
}

export function useCompression(options: CompressionOptions = DEFAULT_COMPRESSION): Plugin {
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method === 'HEAD' || response.status === 204 || response.status === 304) return;
      const headers = response.headers;
      if (headers.has('content-encoding')) return;
      if (!COMPRESSIBLE.test(headers.get('content-type') ?? '')) return;
      // `set`, not `append`: @whatwg-node's Headers then stay the plain object Yoga made them from,
      // which node:http writes in one `writeHead`; `append` builds a Map and a per-header copy.
      const vary = headers.get('vary');
      headers.set('vary', vary ? `${vary}, accept-encoding` : 'accept-encoding');
      const encoding = negotiateEncoding(request.headers.get('accept-encoding'));
      if (encoding === undefined) return;
      const status = response.status;
      const statusText = response.statusText;
      const send = async (body: string | Uint8Array) => {
        const bytes = typeof body === 'string' ? Buffer.from(body) : body;
        const compressed = await compress(bytes, encoding, options);
        const out = new fetchAPI.Headers(headers);
        out.set('content-encoding', encoding);
        out.set('content-length', String(compressed.byteLength));
        const view = new Uint8Array(
          compressed.buffer as ArrayBuffer,
          compressed.byteOffset,
          compressed.byteLength,
        );
        setResponse(new fetchAPI.Response(view, { status, statusText, headers: out }));
      };
      const body = bodyOf(response);
      if (!(body instanceof Promise)) return atLeast(body, options.thresholdBytes) ? send(body) : undefined;
      // The stream was read: answer with its bytes, compressed or not.
      return body.then((bytes) =>
        atLeast(bytes, options.thresholdBytes)
          ? send(bytes)
          : setResponse(new fetchAPI.Response(bytes, { status, statusText, headers })),
      );
    },
  };
}
