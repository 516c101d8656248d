/**
 * Every channel checked and bounded (issue 25), against listening gateways on the emulator: the
 * WebSocket upgrade passes the same Host/Origin policy as HTTP POST and SSE; WebSocket messages,
 * WebSockets, subscriptions per connection and in total, and TCP connections are capped, each with
 * a typed refusal; a subscription opened with a JWT ends with UNAUTHENTICATED at the token's `exp`.
 */
import { connect } from 'node:net';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { createRestClient } from '../../src/rest/client.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway, GRAPHQL_ENDPOINT } from '../../src/server/gateway.ts';
import { type Listener, listen } from '../../src/server/listen.ts';
import { serveWebSockets, type WebSocketService } from '../../src/server/websocket.ts';
import { bearer, JWT_ENV, token } from '../server/auth-helpers.ts';
import { sharedSchema } from '../server/harness.ts';
import { readResults } from '../server/sse.ts';
import { rawRequest } from './abuse.ts';

interface Served {
  gateway: Gateway;
  listener: Listener;
  sockets: WebSocketService;
  url: string;
  ws: string;
}

let emulator: Emulator;
const served: Served[] = [];

async function serve(env: Record<string, string>): Promise<Served> {
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    LOG_LEVEL: 'silent',
    // The intake on (no event is sent): a gateway with no event source refuses subscriptions.
    STRIPE_WEBHOOK_SECRET: 'whsec_channels_unused',
    ...env,
  });
  const { secretKey, ...restConfig } = config.rest;
  const gateway = createGateway({
    config,
    schema: sharedSchema(),
    rest: (onRequest) => createRestClient({ ...restConfig, secretKey: secretKey!, onRequest }),
  });
  const listener = await listen(gateway.yoga, { port: 0, host: '127.0.0.1' });
  const sockets = serveWebSockets(listener.server, gateway.yoga, GRAPHQL_ENDPOINT);
  const url = `${listener.origin}${GRAPHQL_ENDPOINT}`;
  const s = { gateway, listener, sockets, url, ws: url.replace(/^http/, 'ws') };
  served.push(s);
  return s;
}

let open: Served;
beforeAll(async () => {
  emulator = await createEmulator();
  open = await serve({
    WS_MAX_PAYLOAD_BYTES: '4096',
    WS_MAX_CONNECTIONS: '3',
    SUBSCRIPTIONS_PER_CONNECTION: '2',
    MAX_SUBSCRIPTIONS: '4',
  });
});
afterAll(async () => {
  for (const s of served) {
    await s.sockets.close();
    await s.listener.close(500);
    await s.gateway.close();
  }
  await emulator.close();
});

const QUERY = '{ customers(first: 1) { nodes { id } } }';
const EVENTS = 'subscription { stripeEvents { id } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The outcome of one WebSocket upgrade: 101, or the refusal's status and body. */
function upgrade(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body?: { errors?: { extensions?: { code?: string } }[] }; socket?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    socket.once('error', (error) => {
      if (!String(error).includes('Unexpected server response')) reject(error);
    });
  });
}

const codeOf = (body?: { errors?: { extensions?: { code?: string } }[] }) =>
  body?.errors?.[0]?.extensions?.code;

/** A graphql-ws client whose socket carries `headers` on its upgrade. */
function client(url: string, headers: Record<string, string> = {}): Client {
  class WithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createClient({ url, webSocketImpl: WithHeaders, lazy: false, retryAttempts: 0 });
}

/** Runs one operation over `c`: its results, then how it ended. */
function run(c: Client, query: string) {
  const results: { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] }[] = [];
  let stop: () => void = () => {};
  const ended = new Promise<{ error?: unknown }>((resolve) => {
    stop = c.subscribe(
      { query },
      {
        next: (value) => {
          results.push(value as unknown as (typeof results)[number]);
        },
        error: (error) => resolve({ error }),
        complete: () => resolve({}),
      },
    );
  });
  return { results, ended, stop: () => stop() };
}

function postFrom(url: string, headers: Record<string, string>, accept = 'application/json') {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...headers },
    body: JSON.stringify({ query: accept === 'text/event-stream' ? EVENTS : QUERY }),
  });
}

/** A POST over node:http (fetch cannot set `Host`); SSE answers of a refusal end at once. */
async function rawPost(url: string, headers: Record<string, string>, accept: string) {
  const body = JSON.stringify({ query: accept === 'text/event-stream' ? EVENTS : QUERY });
  const response = await rawRequest(new URL(url).origin, {
    headers: {
      'content-type': 'application/json',
      accept,
      'content-length': String(body.length),
      ...headers,
    },
    chunks: [body],
  });
  return { status: response.status, json: () => JSON.parse(response.body) };
}

describe('one Host/Origin policy for HTTP, SSE and the WebSocket upgrade', () => {
  it('refuses a rebound Host and foreign or null Origins at the upgrade, as HTTP does', async () => {
    const { port } = open.listener;
    const cases: [Record<string, string>, number, string | undefined][] = [
      [{ host: `rebound.evil.example:${port}` }, 421, 'HOST_NOT_ALLOWED'],
      [{ origin: 'https://evil.example' }, 403, 'ORIGIN_NOT_ALLOWED'],
      [{ origin: 'null' }, 403, 'ORIGIN_NOT_ALLOWED'],
    ];
    for (const [headers, status, code] of cases) {
      const ws = await upgrade(open.ws, headers);
      expect({ headers, status: ws.status, code: codeOf(ws.body) }).toEqual({ headers, status, code });
      for (const accept of ['application/json', 'text/event-stream']) {
        const http = await rawPost(open.url, headers, accept);
        expect({ headers, accept, status: http.status }).toEqual({ headers, accept, status });
        expect(codeOf(await http.json())).toBe(code);
      }
    }
  });

  it('admits clients without Origin, the server’s own origin and (AUTH_MODE=none) loopback origins', async () => {
    for (const headers of [{}, { origin: open.listener.origin }, { origin: 'http://localhost:5173' }]) {
      const ws = await upgrade(open.ws, headers);
      expect(ws.status).toBe(101);
      ws.socket!.close();
      const http = await postFrom(open.url, headers);
      expect(http.status).toBe(200);
    }
    const cors = await postFrom(open.url, { origin: 'http://localhost:5173' });
    expect(cors.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    // And a query over an admitted socket answers.
    const c = client(open.ws, { origin: 'http://127.0.0.1:3000' });
    const op = run(c, QUERY);
    await op.ended;
    expect(op.results[0]).toMatchObject({ data: { customers: { nodes: [{ id: expect.any(String) }] } } });
    await c.dispose();
  });

  it('with AUTH_MODE=jwt and no CORS_ORIGINS, loopback origins are foreign too', async () => {
    const jwt = await serve({ ...JWT_ENV });
    expect((await upgrade(jwt.ws, { origin: 'http://localhost:5173' })).status).toBe(403);
    expect((await postFrom(jwt.url, { origin: 'http://localhost:5173' })).status).toBe(403);
  });
});

describe('bounds on WebSockets and subscriptions', () => {
  it('refuses a huge answer over WebSocket before validation, with ANSWER_TOO_LARGE', async () => {
    // 19 × 1,000 charges × 10 fields; `notAField` would fail validation, which never runs.
    const fields = 'id amount currency status created paid captured refunded livemode disputed notAField';
    const aliases = Array.from(
      { length: 19 },
      (_, i) => `c${i}: charges(first: 1000) { nodes { ${fields} } }`,
    );
    const c = client(open.ws);
    const huge = run(c, `{ ${aliases.join(' ')} }`);
    const refused = await huge.ended;
    expect((refused.error as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code)).toEqual([
      'ANSWER_TOO_LARGE',
    ]);
    await c.dispose();
  });

  it('closes a socket whose message is over WS_MAX_PAYLOAD_BYTES with 1009, quietly and counted', async () => {
    const printed = [vi.spyOn(console, 'error'), vi.spyOn(process.stderr, 'write')];
    try {
      const { socket } = await upgrade(open.ws, {});
      const closed = new Promise<number>((resolve) => socket!.once('close', (code) => resolve(code)));
      socket!.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(50_000) } }));
      expect(await closed).toBe(1009);
      expect(open.gateway.metrics.render()).toMatch(
        /websocket_refusals_total\{stage="message",code="MESSAGE_TOO_LARGE"\} 1\n/,
      );
      for (const spy of printed) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of printed) spy.mockRestore();
    }
  });

  it('refuses the upgrade past WS_MAX_CONNECTIONS with 503 TOO_MANY_CONNECTIONS, and admits again after a close', async () => {
    const sockets = [];
    for (let i = 0; i < 3; i++) sockets.push((await upgrade(open.ws, {})).socket!);
    const refused = await upgrade(open.ws, {});
    expect(refused.status).toBe(503);
    expect(codeOf(refused.body)).toBe('TOO_MANY_CONNECTIONS');
    sockets.pop()!.close();
    for (let i = 0; i < 50 && open.sockets.size >= 3; i++) await sleep(10);
    const again = await upgrade(open.ws, {});
    expect(again.status).toBe(101);
    for (const s of [...sockets, again.socket!]) s.close();
    for (let i = 0; i < 50 && open.sockets.size > 0; i++) await sleep(10);
  });

  it('refuses a subscription past SUBSCRIPTIONS_PER_CONNECTION and past MAX_SUBSCRIPTIONS (SSE and WebSocket together)', async () => {
    const a = client(open.ws);
    const first = [run(a, EVENTS), run(a, EVENTS)];
    const third = run(a, EVENTS);
    const refused = await third.ended;
    expect((refused.error as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe(
      'TOO_MANY_SUBSCRIPTIONS',
    );
    // Two more over SSE make four, the server's maximum.
    const sse = [];
    for (let i = 0; i < 2; i++) {
      const abort = new AbortController();
      sse.push(readResults(await postFrom(open.url, {}, 'text/event-stream').then((r) => r), abort));
    }
    await sleep(100);
    const fifth = await postFrom(open.url, {}, 'text/event-stream');
    const text = await fifth.text();
    expect(text).toContain('TOO_MANY_SUBSCRIPTIONS');
    // Refused before validation, as past the connection's own bound: an `error` message.
    const b = client(open.ws);
    const overWs = run(b, EVENTS);
    const full = await overWs.ended;
    expect((full.error as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe(
      'TOO_MANY_SUBSCRIPTIONS',
    );
    // A query on the same socket is not a subscription: it runs.
    const query = run(b, QUERY);
    expect(await query.ended).toEqual({});
    expect(query.results[0]?.data).toBeDefined();
    // Ending one frees its place.
    first[0]!.stop();
    await sleep(100);
    const freed = run(b, EVENTS);
    await sleep(100);
    expect(await Promise.race([freed.ended.then(() => 'ended'), sleep(200).then(() => 'open')])).toBe('open');
    freed.stop();
    first[1]!.stop();
    for (const s of sse) s.close();
    await a.dispose();
    await b.dispose();
  });

  it('answers a connection past MAX_CONNECTIONS 503 TOO_MANY_CONNECTIONS before reading it', async () => {
    const small = await serve({ MAX_CONNECTIONS: '3' });
    const { port } = small.listener;
    const held = await Promise.all(
      Array.from(
        { length: 3 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    for (let i = 0; i < 50 && small.listener.connections < 3; i++) await sleep(10);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 26\r\n\r\n{"query":"{ __typename }"}`,
        );
      });
      socket.on('data', (chunk) => {
        text += chunk.toString('utf8');
      });
      socket.on('close', () => resolve(text));
      socket.on('error', () => {});
    });
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toContain('TOO_MANY_CONNECTIONS');
    // One answer only: the request it carried was not served.
    expect(answer).not.toContain('__typename"');
    for (const socket of held) socket.destroy();
    for (let i = 0; i < 50 && small.listener.connections > 0; i++) await sleep(10);
    expect(
      (
        await fetch(`${small.url}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
        })
      ).status,
    ).toBe(200);
  });
});

describe('subscribers that go away', () => {
  it('release their pub/sub listener at once, without waiting for an event', async () => {
    // Listeners on the events topic, counted where they are added and removed.
    let listeners = 0;
    const { addEventListener, removeEventListener } = EventTarget.prototype;
    type Listen = (this: EventTarget, type: string, ...rest: unknown[]) => void;
    const counted = (original: Listen, step: number): Listen =>
      function (type, ...rest) {
        if (type === 'stripe:events') listeners += step;
        original.call(this, type, ...rest);
      };
    EventTarget.prototype.addEventListener = counted(
      addEventListener as Listen,
      1,
    ) as typeof addEventListener;
    EventTarget.prototype.removeEventListener = counted(
      removeEventListener as Listen,
      -1,
    ) as typeof removeEventListener;
    try {
      const streams = [];
      for (let i = 0; i < 3; i++) {
        const abort = new AbortController();
        const response = await fetch(open.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query: EVENTS }),
          signal: abort.signal,
        });
        streams.push(readResults(response, abort));
      }
      const c = client(open.ws);
      const ws = run(c, 'subscription { customerUpdated(id: "cus_Quiet") { id } }');
      const live = open.gateway.live!;
      for (let i = 0; i < 100 && live.subscribers < 4; i++) await sleep(10);
      expect(live.subscribers).toBe(4);
      // One listener on the topic for all of this process' subscribers.
      expect(listeners).toBe(1);
      for (const stream of streams) stream.close();
      ws.stop();
      for (let i = 0; i < 100 && live.subscribers > 0; i++) await sleep(10);
      expect(live.subscribers).toBe(0);
      expect(listeners).toBe(0);
      await c.dispose();
    } finally {
      EventTarget.prototype.addEventListener = addEventListener;
      EventTarget.prototype.removeEventListener = removeEventListener;
    }
  });
});

describe('a subscription ends when its token expires', () => {
  it('over SSE and over WebSocket, with UNAUTHENTICATED at exp', async () => {
    const jwt = await serve({ ...JWT_ENV, JWT_CLOCK_TOLERANCE_S: '0' });
    const short = await token({ scope: 'stripe:admin' }, { expiresIn: 2 });
    const exp = JSON.parse(Buffer.from(short.split('.')[1]!, 'base64url').toString()).exp * 1000;
    const abort = new AbortController();
    const sse = readResults(
      await fetch(jwt.url, {
        method: 'POST',
        headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...bearer(short) },
        body: JSON.stringify({ query: EVENTS }),
        signal: abort.signal,
      }),
      abort,
    );
    const c = client(jwt.ws, bearer(short));
    const ws = run(c, EVENTS);
    const fromSse = await sse.next(4_000);
    const sseAt = Date.now();
    expect(fromSse.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(sseAt).toBeGreaterThanOrEqual(exp - 50);
    expect(sseAt).toBeLessThan(exp + 1_000);
    // Nothing follows: the stream has ended.
    await expect(sse.next(500)).rejects.toThrow();
    expect(await ws.ended).toEqual({});
    expect(ws.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    await c.dispose();
  });
});

describe('a subscription ends when its token is revoked', () => {
  /** An SSE stream of `EVENTS` opened with `jwt`. */
  async function sseStream(url: string, jwt: string) {
    const abort = new AbortController();
    return readResults(
      await fetch(url, {
        method: 'POST',
        headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...bearer(jwt) },
        body: JSON.stringify({ query: EVENTS }),
        signal: abort.signal,
      }),
      abort,
    );
  }

  it('by jti and by subject, over SSE and over WebSocket, at once, with UNAUTHENTICATED (revoked)', async () => {
    const jwt = await serve(JWT_ENV);
    const revocations = jwt.gateway.revocations!;
    const byId = await token({ scope: 'stripe:admin', jti: 'tok_revoked_1', sub: 'user_a' });
    const bySubject = await token({ scope: 'stripe:admin', sub: 'user_b' });
    const kept = await token({ scope: 'stripe:admin', jti: 'tok_kept', sub: 'user_c' });
    const sse = await sseStream(jwt.url, byId);
    const sseSubject = await sseStream(jwt.url, bySubject);
    const sseKept = await sseStream(jwt.url, kept);
    const c = client(jwt.ws, bearer(byId));
    const ws = run(c, EVENTS);
    const cSubject = client(jwt.ws, bearer(bySubject));
    const wsSubject = run(cSubject, EVENTS);
    // Every stream is live: one event reaches each.
    const live = async () => {
      const event = {
        id: `evt_live_${Date.now()}`,
        type: 'customer.updated',
        created: 1,
        data: { object: {} },
      };
      for (let i = 0; i < 100 && (ws.results.length === 0 || wsSubject.results.length === 0); i++) {
        await jwt.gateway.live.shared.publish(event);
        await sleep(20);
      }
    };
    await live();
    for (const stream of [sse, sseSubject, sseKept]) expect((await stream.next(2_000)).data).toBeDefined();
    while (sse.pending + sseSubject.pending + sseKept.pending > 0)
      for (const stream of [sse, sseSubject, sseKept]) if (stream.pending > 0) await stream.next(10);

    const revoked = { code: 'UNAUTHENTICATED', reason: 'revoked' };
    await revocations.revoke({ jti: 'tok_revoked_1' });
    expect((await sse.next(5_000)).errors?.[0]?.extensions).toEqual(revoked);
    expect(await ws.ended).toEqual({});
    expect(ws.results.at(-1)?.errors?.[0]?.extensions).toEqual(revoked);
    await expect(sse.next(300)).rejects.toThrow();
    // A token issued at or before `before` of its subject: its streams end too.
    const issuedAt = JSON.parse(Buffer.from(bySubject.split('.')[1]!, 'base64url').toString()).iat;
    await revocations.revoke({ subject: 'user_b', before: issuedAt });
    expect((await sseSubject.next(5_000)).errors?.[0]?.extensions).toEqual(revoked);
    expect(await wsSubject.ended).toEqual({});
    expect(wsSubject.results.at(-1)?.errors?.[0]?.extensions).toEqual(revoked);

    // The other token's stream lives on, and the revoked ones are refused from now on.
    await jwt.gateway.live.shared.publish({
      id: 'evt_after',
      type: 'customer.updated',
      created: 1,
      data: { object: {} },
    });
    expect((await sseKept.next(5_000)).data).toEqual({ stripeEvents: { id: 'evt_after' } });
    for (const [credential, expected] of [
      [byId, 401],
      [bySubject, 401],
      [kept, 200],
    ] as const) {
      const response = await postFrom(jwt.url, bearer(credential));
      expect(response.status).toBe(expected);
      if (expected === 401)
        expect((await response.json()).errors[0].message).toBe('Unauthenticated: the token has been revoked');
    }
    sseKept.close();
    await c.dispose();
    await cSubject.dispose();
  });
});
