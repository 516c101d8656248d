/**
 * HTTP guards that run before any GraphQL work, each costing a header lookup on the common path:
 * - `Host` and `Origin` (the channel policy below, shared with the WebSocket upgrade in
 *   src/server/websocket.ts): a request naming another host gets 421 HOST_NOT_ALLOWED (DNS
 *   rebinding), a browser request from an origin not allowed gets 403 ORIGIN_NOT_ALLOWED
 *   (`/healthz` and `/readyz` excepted: probes address pods by IP);
 * - body size: a `Content-Length` above the limit gets 413 BODY_TOO_LARGE without reading a byte;
 *   a chunked body (no `Content-Length`) is counted as it is read and refused at the limit. Bodies
 *   with a length are read by Yoga as they are, with no per-chunk accounting (Yoga's own
 *   `maxRequestBodySize` pipes every body through a TransformStream and is turned off: measured at
 *   roughly 1.6x the CPU per small query). Paths with a limit of their own (the webhook intake)
 *   are left to it;
 * - framing: HTML pages (GraphiQL) carry `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`;
 * - CORS: only an allowed origin is reflected, never `null` (see `corsFor`).
 */
import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { isPromise } from '../loaders/promises.ts';
import { slot } from '../loaders/slot.ts';
import { type ChannelConfig, isLoopback } from './config.ts';
import { type TurnGate, turnGate } from './turns.ts';

export interface GuardOptions {
  policy: ChannelPolicy;
  maxBodyBytes: number;
  /** paths that count their bodies themselves (the webhook intake) */
  ownBodyLimit?: readonly string[];
  /** the turns HTTP requests start their GraphQL work in, shared with the fast path (a new gate if none) */
  gate?: TurnGate;
}

const PROBES = new Set(['/healthz', '/readyz']);

/** What the listener and the WebSocket server of a gateway apply (src/server/listen.ts, websocket.ts). */
export interface Transport {
  readonly policy: ChannelPolicy;
  readonly channels: ChannelConfig;
  /** told of each WebSocket refused at the upgrade or closed for breaking a bound (metrics, a log line) */
  readonly onRefusal?: (refusal: WebSocketRefusal) => void;
}

/** A WebSocket refused: `status` is the upgrade's HTTP status, or the close code of an open socket. */
export interface WebSocketRefusal extends Refusal {
  readonly stage: 'upgrade' | 'message';
}

/** The transport settings a gateway keeps on its Yoga instance, for `listen()` and `serveWebSockets()`. */
export const transportOf = slot<Transport>('transport');

/** Why a channel (an HTTP request or a WebSocket upgrade) is refused before any GraphQL work. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
}

export interface ChannelPolicyOptions {
  /** Accepted host names (lower case, no port); empty accepts any. */
  allowedHosts: readonly string[];
  /** Browser origins allowed cross-origin (`CORS_ORIGINS`); `['*']` any (but `null`). */
  origins: readonly string[];
  /** Also allow http(s) origins on a loopback name, any port (AUTH_MODE=none's default). */
  loopbackOrigins: boolean;
}

/**
 * One Host/Origin policy for every transport: HTTP requests (queries, SSE subscriptions) and the
 * WebSocket upgrade ask the same `check`, and CORS reflects what `allowsOrigin` admits.
 * A request without `Origin` is not a browser's cross-origin request and passes; `Origin: null`
 * (sandboxed frames, `file:` pages, some redirects) is refused; the server's own origin (the
 * Origin naming the Host it was sent to) passes.
 */
export interface ChannelPolicy {
  check(host: string | null | undefined, origin: string | null | undefined): Refusal | undefined;
  allowsOrigin(origin: string): boolean;
  /** whether any cross-origin browser request can be allowed (CORS headers are sent at all) */
  readonly crossOrigin: boolean;
}

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function loopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      isLoopback(url.hostname.replace(/^\[|\]$/g, ''))
    );
  } catch {
    return false;
  }
}

export function createChannelPolicy(options: ChannelPolicyOptions): ChannelPolicy {
  const hosts = new Set(options.allowedHosts);
  const any = options.origins.includes('*');
  const listed = new Set(options.origins);
  const allowsOrigin = (origin: string): boolean =>
    origin !== 'null' && (any || listed.has(origin) || (options.loopbackOrigins && loopbackOrigin(origin)));
  return {
    crossOrigin: options.origins.length > 0 || options.loopbackOrigins,
    allowsOrigin,
    check(host, origin) {
      const hostname = host ? hostnameOf(host) : undefined;
      if (hosts.size > 0 && (hostname === undefined || !hosts.has(hostname))) {
        return {
          status: 421,
          code: 'HOST_NOT_ALLOWED',
          message: 'This server does not answer for that Host (ALLOWED_HOSTS)',
        };
      }
      if (origin === null || origin === undefined || allowsOrigin(origin)) return undefined;
      // Same origin: a page this server served (GraphiQL) talking back to it.
      if (origin !== 'null' && host && hostnameOf(host) !== undefined) {
        try {
          if (new URL(origin).host === host.toLowerCase()) return undefined;
        } catch {
          // not a URL: refused below
        }
      }
      return {
        status: 403,
        code: 'ORIGIN_NOT_ALLOWED',
        message: 'Browser requests from this Origin are not allowed (CORS_ORIGINS)',
      };
    },
  };
}

type FetchAPI = { Response: typeof Response; Request: typeof Request };

export function refusalBody(
  code: string,
  message: string,
): { errors: { message: string; extensions: { code: string } }[] } {
  return { errors: [{ message, extensions: { code } }] };
}

function refuse(fetchAPI: FetchAPI, status: number, code: string, message: string): Response {
  return fetchAPI.Response.json(
    refusalBody(code, message),
    // The rest of a refused body is not worth reading: close the connection instead.
    { status, headers: { connection: 'close', 'cache-control': 'no-store' } },
  );
}

function tooLarge(fetchAPI: FetchAPI, maxBodyBytes: number): Response {
  return refuse(
    fetchAPI,
    413,
    'BODY_TOO_LARGE',
    `The request body is larger than the maximum of ${maxBodyBytes} bytes`,
  );
}

export class BodyTooLarge extends Error {}

/** A request whose client went away before sending its whole body. */
function abandoned(req: IncomingMessage): boolean {
  return req.destroyed && !req.complete;
}

/**
 * What a request abandoned half-sent is answered (nobody reads it): 499, nginx's "client closed
 * request", so that the access log and the HTTP metrics tell it from a client's bad JSON (400).
 */
function clientClosed(): Response {
  return new Response(null, { status: 499, headers: { connection: 'close' } });
}

type RequestParser = (request: Request) => unknown;

/**
 * The rest of `req`'s body, read from the socket; `undefined` if the client goes away first. No
 * error is made of an abandoned body: Node's `aborted` error ends here, unlike a Fetch body's read,
 * which Yoga's parser turns into a GraphQLError whose stack it captures (in issue 25's flood of
 * 1,500 slow bodies cut at once, those errors were 60 % of a 320 ms stall).
 */
function readRest(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer> | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer<ArrayBuffer>[] = [];
    req.on('data', (chunk: Buffer<ArrayBuffer>) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once('error', () => resolve(undefined));
    req.once('close', () => resolve(undefined));
  });
}

/**
 * `parse`, except that a body cut short by the client's going away is answered `clientClosed()`:
 * not a BAD_REQUEST through Yoga's error path (its error, masking and serialization, for a
 * socket that is gone: issue 25 measured some 0.4 ms a request, in bursts of thousands). A body
 * still arriving when parsing starts (a slow client; the usual small body arrives whole with its
 * headers, and takes Yoga's path) is read here, where its abandonment costs no error at all (`readRest`), and handed
 * to `parse` as a Request of Yoga's class (a native one wraps its bytes in a web stream: measured at
 * 0.4 ms a request in a flood of 2,000 SSE POSTs).
 */
function unlessAbandoned<P extends RequestParser>(
  parse: P,
  req: IncomingMessage,
  { Request }: FetchAPI,
  gate: TurnGate,
): P {
  const parseWhole = (request: Request) => {
    const parsed: unknown = parse(request);
    if (!isPromise(parsed)) return parsed;
    return parsed.then(undefined, (error: unknown) => {
      if (abandoned(req)) return clientClosed();
      throw error;
    });
  };
  const start = (request: Request) => {
    if (req.complete || req.destroyed || req.readableDidRead) return parseWhole(request);
    // Parsing may start while Node's HTTP parser is still in the packet that carried the headers:
    // once it is through (a microtask later), a body that came with them is complete.
    return Promise.resolve().then(() => {
      if (req.complete || req.destroyed || req.readableDidRead) return parseWhole(request);
      return readRest(req).then((bytes) => {
        if (bytes !== undefined)
          return parse(
            new Request(request.url, { method: request.method, headers: request.headers, body: bytes }),
          );
        // Clients that go away together (their sockets close in one turn) are answered over several.
        const wait = gate.enter();
        return wait === undefined ? clientClosed() : wait.then(clientClosed);
      });
    });
  };
  // The GraphQL work of requests that arrive together is spread over turns (src/server/turns.ts).
  return ((request: Request) => {
    const wait = gate.enter();
    return wait === undefined ? start(request) : wait.then(() => start(request));
  }) as P;
}

/** Reads a body, counting bytes as they arrive; throws `BodyTooLarge` past the limit. */
export async function readCounted(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Requests whose GraphQL work starts in one turn of the event loop; the rest wait for the next. */
export const REQUESTS_PER_TURN = 32;

export function useRequestGuards(options: GuardOptions): Plugin {
  const { maxBodyBytes, policy } = options;
  const gate = options.gate ?? turnGate(REQUESTS_PER_TURN);
  const ownLimit = new Set(options.ownBodyLimit ?? []);
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (!PROBES.has(url.pathname)) {
        const refusal = policy.check(request.headers.get('host') ?? url.host, request.headers.get('origin'));
        if (refusal) {
          endResponse(refuse(fetchAPI, refusal.status, refusal.code, refusal.message));
          return;
        }
      }
      const length = request.headers.get('content-length');
      if (length === null || ownLimit.has(url.pathname)) return;
      // One non-negative integer only (a list of lengths is a request-smuggling attempt).
      if (!/^\d+$/.test(length)) {
        endResponse(refuse(fetchAPI, 400, 'BAD_REQUEST', 'The Content-Length header is invalid'));
      } else if (Number(length) > maxBodyBytes) {
        endResponse(tooLarge(fetchAPI, maxBodyBytes));
      }
    },
    onRequestParse({ request, requestParser, setRequestParser, serverContext, fetchAPI }) {
      if (!requestParser) return;
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      if (request.headers.get('content-length') !== null) {
        if (req !== undefined && request.method === 'POST')
          setRequestParser(unlessAbandoned(requestParser, req, fetchAPI, gate));
        return;
      }
      const parse = requestParser;
      if (request.body === null) {
        // A GET (a query, or GraphiQL's subscriptions over SSE): spread over turns as POSTs are.
        setRequestParser((get: Request) => {
          const wait = gate.enter();
          return wait === undefined ? parse(get) : wait.then(() => parse(get));
        });
        return;
      }
      setRequestParser(async (chunked) => {
        let bytes: Uint8Array<ArrayBuffer>;
        try {
          bytes = await readCounted(chunked.body!, maxBodyBytes);
        } catch (error) {
          if (error instanceof BodyTooLarge) return tooLarge(globalThis, maxBodyBytes);
          if (req !== undefined && abandoned(req)) return clientClosed();
          throw error;
        }
        const headers = new Headers(chunked.headers);
        headers.delete('transfer-encoding');
        // Read whole: its GraphQL work starts in the shared turns, as a POST with a length does.
        await gate.enter();
        return parse(new fetchAPI.Request(chunked.url, { method: chunked.method, headers, body: bytes }));
      });
    },
    onResponse({ response }) {
      if (response.headers.get('content-type')?.startsWith('text/html')) {
        response.headers.set('x-frame-options', 'DENY');
        response.headers.set('content-security-policy', "frame-ancestors 'none'");
      }
    },
  };
}

/** Yoga's `cors` option: reflects only an origin the policy allows, never `null`. */
export function corsFor(policy: ChannelPolicy, base: Record<string, unknown>) {
  if (!policy.crossOrigin) return false as const;
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !policy.allowsOrigin(origin)) return false as const;
    // `*` makes Yoga reflect the request's origin and add `Vary: Origin` (credentials are never allowed).
    return { ...base, origin: ['*'] };
  };
}
