/**
 * The adversarial suite: one small request per attack against a real listening gateway (on the
 * emulator), each answered with a typed error or held to a bound, while `/healthz` keeps
 * answering 200 during and after it. The stall and memory of each attack are measured by the
 * abuse bench (`npm run bench -- abuse`, bench/abuse.ts), never here.
 */
import type { ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { createRestClient, type RestClient } from '../../src/rest/client.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { REQUESTS_PER_TURN } from '../../src/server/guards.ts';
import { type Listener, listen } from '../../src/server/listen.ts';
import { sharedSchema } from '../server/harness.ts';
import {
  aliasedIntrospection,
  BAD_IDS,
  fragmentFanOut,
  graphqlBody,
  itemFragmentFanOut,
  JSON_HEADERS,
  LIST_QUERY,
  NESTED_INTROSPECTION,
  paddedQuery,
  type RawResponse,
  rawRequest,
} from './abuse.ts';

const ALLOWED_ORIGINS = ['https://app.example.com', 'https://admin.example.com'];
const REQUEST_TIMEOUT_MS = 1_000;

let emulator: Emulator;
let gateway: Gateway;
let listener: Listener;
const logs: string[] = [];
/** Customer ids whose retrieve answers carry a value the schema cannot serialize. */
const CORRUPT = 'cus_CorruptObject0000';

/** Serves `CORRUPT` as a customer whose `email` is an object full of customer data. */
function corrupting(rest: RestClient): RestClient {
  return {
    async request<T>(request: Parameters<RestClient['request']>[0]): Promise<T> {
      if (request.pathParams?.customer === CORRUPT) {
        return {
          id: CORRUPT,
          object: 'customer',
          email: { name: 'Jenny Rosen', email: 'jenny.rosen@example.com', phone: '+15555550123' },
        } as T;
      }
      return rest.request<T>(request);
    },
    list: (request) => rest.list(request),
    close: () => rest.close(),
  };
}

beforeAll(async () => {
  emulator = await createEmulator();
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    STRIPE_MAX_RETRIES: '2',
    CORS_ORIGINS: ALLOWED_ORIGINS.join(','),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HTTP_HEADERS_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    LOG_LEVEL: 'info',
  });
  const { secretKey, ...restConfig } = config.rest;
  gateway = createGateway({
    config,
    schema: sharedSchema(),
    rest: (onRequest) => corrupting(createRestClient({ ...restConfig, secretKey: secretKey!, onRequest })),
    logSink: (line) => logs.push(line),
  });
  listener = await listen(gateway.yoga, {
    port: 0,
    host: '127.0.0.1',
    requestTimeoutMs: config.http.requestTimeoutMs,
    headersTimeoutMs: config.http.headersTimeoutMs,
  });
  // Warm up (first validation, first execution, first coercion): cold starts are not the subject.
  for (const body of [
    graphqlBody('{ customers(first: 1) { nodes { id } } }'),
    graphqlBody(aliasedIntrospection(2)),
    graphqlBody(fragmentFanOut(3)),
    graphqlBody(LIST_QUERY, { ids: ['prod_1', 2] }),
    graphqlBody('{ customer(id: ".") { __typename } }'),
  ]) {
    await post(body);
  }
  // The first fetch() loads undici's fetch.
  await (await fetch(`${listener.origin}/healthz`)).arrayBuffer();
});
afterAll(async () => {
  await listener.close(1_000);
  await gateway.close();
  await emulator.close();
});

/**
 * Runs `attack` while probing `/healthz` back to back (at least once while it runs) and once after
 * it: every probe must answer 200, so the gateway kept serving and is still up. How promptly it
 * answers is the abuse bench's to measure (`npm run bench -- abuse`: stall and CPU per attack), not
 * a test's: this machine is shared, and no test here is timed.
 */
async function whileProbing<T>(attack: () => Promise<T>): Promise<T> {
  let done = false;
  const running = attack().finally(() => {
    done = true;
  });
  let probes = 0;
  while (!done || probes === 0) {
    const response = await rawRequest(listener.origin, { method: 'GET', path: '/healthz' });
    expect(response.status).toBe(200);
    probes++;
  }
  const result = await running;
  const after = await rawRequest(listener.origin, { method: 'GET', path: '/healthz' });
  expect(after.status).toBe(200);
  return result;
}

function post(body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(listener.origin, {
    headers: { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(body)), ...headers },
    chunks: [body],
  });
}

type Errors = { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
const errorsOf = (response: RawResponse): Errors =>
  (JSON.parse(response.body) as { errors?: Errors }).errors ?? [];
const codesOf = (response: RawResponse) => errorsOf(response).map((e) => e.extensions?.code);

function upstreamCallsDuring<T>(run: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const before = emulator.stats().total;
  return run().then((result) => ({ result, calls: emulator.stats().total - before }));
}

describe('1. introspection is bounded like any field', () => {
  it('refuses 50 aliased copies of __schema (ALIAS_LIMIT, INTROSPECTION_LIMIT)', async () => {
    const result = await whileProbing(() => post(graphqlBody(aliasedIntrospection(50))));
    expect(result.status).toBe(400);
    expect(codesOf(result)).toContain('ALIAS_LIMIT');
    expect(codesOf(result)).toContain('INTROSPECTION_LIMIT');
  });

  it('refuses aliases under the alias limit too, and chains of types and fields', async () => {
    const result = await whileProbing(async () => [
      await post(graphqlBody(aliasedIntrospection(5))),
      await post(graphqlBody(NESTED_INTROSPECTION)),
    ]);
    for (const response of result) {
      expect(response.status).toBe(400);
      expect(codesOf(response)).toContain('INTROSPECTION_LIMIT');
    }
  });
});

describe('2. the cost estimate is linear in the document', () => {
  it('estimates 30 fragments that each spread the next twice at once (QUERY_TOO_COMPLEX)', async () => {
    const result = await whileProbing(() => upstreamCallsDuring(() => post(graphqlBody(fragmentFanOut(30)))));
    expect(result.result.status).toBe(400);
    const [error] = errorsOf(result.result);
    expect(error?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', estimatedUpstreamCalls: 2 ** 30 });
    expect(result.calls).toBe(0);
  });

  it('runs 40 cost-free fragments that each spread the next twice under a connection', async () => {
    const result = await whileProbing(() =>
      upstreamCallsDuring(() => post(graphqlBody(itemFragmentFanOut(40)))),
    );
    expect(result.result.status).toBe(200);
    const body = JSON.parse(result.result.body) as { data: { customers: { nodes: { id: string }[] } } };
    expect(body.data.customers.nodes).toHaveLength(3);
    expect(result.calls).toBe(1);
  });
});

describe('3. variable coercion is bounded', () => {
  it('refuses a list variable longer than QUERY_MAX_LIST_ITEMS before coercing it (BAD_USER_INPUT)', async () => {
    const ids = Array.from({ length: 30_000 }, () => 0);
    const result = await whileProbing(() => post(graphqlBody(LIST_QUERY, { ids })));
    expect(result.status).toBe(400);
    const [error] = errorsOf(result);
    expect(error?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 500,
      items: 30_000,
      path: '$ids',
    });
  });

  it('stops coercion after a few errors, each typed', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => ({ wrong: i }));
    const result = await whileProbing(() => post(graphqlBody(LIST_QUERY, { ids })));
    expect(result.status).toBe(400);
    const errors = errorsOf(result);
    expect(errors.length).toBeGreaterThan(1);
    expect(errors.length).toBeLessThanOrEqual(11);
    expect(new Set(codesOf(result))).toEqual(new Set(['BAD_USER_INPUT']));
  });

  it('refuses deeply nested variables without recursing into them', async () => {
    const body = `{"query":${JSON.stringify(LIST_QUERY)},"variables":{"ids":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    const result = await whileProbing(() => post(body));
    expect(result.status).toBe(400);
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('4. request bodies are bounded', () => {
  it('refuses a body over HTTP_MAX_BODY_BYTES by its Content-Length (413 BODY_TOO_LARGE)', async () => {
    const result = await whileProbing(() => post(graphqlBody(paddedQuery(2_000_000, 'length'))));
    expect(result.status).toBe(413);
    expect(codesOf(result)).toEqual(['BODY_TOO_LARGE']);
  });

  it('counts a chunked body and refuses it at the limit; a small chunked body is served', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const result = await whileProbing(async () => [
      await rawRequest(listener.origin, {
        headers: JSON_HEADERS,
        chunks: [`{"query":"{ __typename } #`, ...Array.from({ length: 32 }, () => chunk), '"}'],
      }),
      await rawRequest(listener.origin, {
        headers: JSON_HEADERS,
        chunks: ['{"query":', '"{ __typename }"}'],
      }),
    ]);
    const [large, small] = result;
    expect(large?.status).toBe(413);
    expect(codesOf(large!)).toEqual(['BODY_TOO_LARGE']);
    expect(small?.status).toBe(200);
    expect(JSON.parse(small!.body)).toMatchObject({ data: { __typename: 'Query' } });
  });

  it('serves many distinct padded documents under the limit without caching them', async () => {
    const result = await whileProbing(async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await post(graphqlBody(paddedQuery(90_000, `d${i}`)))).status);
      return statuses;
    });
    expect(result).toEqual(Array.from({ length: 20 }, () => 200));
  });
});

describe('5. ids that cannot be Stripe ids never reach Stripe', () => {
  it.each(BAD_IDS)('refuses an id that is %s (BAD_USER_INPUT)', async (_name, id) => {
    const result = await whileProbing(() =>
      upstreamCallsDuring(() =>
        post(graphqlBody('query ($id: ID!) { customer(id: $id) { ... on Customer { id } } }', { id })),
      ),
    );
    expect(codesOf(result.result)).toEqual(['BAD_USER_INPUT']);
    expect(result.calls).toBe(0);
  });
});

describe('6. browser-facing HTTP', () => {
  const preflight = (origin: string) =>
    rawRequest(listener.origin, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });

  it('reflects only an allowed origin, never null', async () => {
    const result = await whileProbing(async () => ({
      allowed: await preflight(ALLOWED_ORIGINS[1]!),
      other: await preflight('https://evil.example'),
      sandboxed: await preflight('null'),
      post: await post(graphqlBody('{ __typename }'), { origin: 'https://evil.example' }),
    }));
    expect(result.allowed.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGINS[1]);
    expect(result.allowed.headers.vary).toMatch(/origin/i);
    for (const response of [result.other, result.sandboxed, result.post]) {
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('answers only for allowed Host names (421 HOST_NOT_ALLOWED), probes excepted', async () => {
    const { port } = listener;
    const result = await whileProbing(async () => ({
      rebound: await post(graphqlBody('{ __typename }'), { host: `attacker.example:${port}` }),
      localhost: await post(graphqlBody('{ __typename }'), { host: `localhost:${port}` }),
      probe: await rawRequest(listener.origin, {
        method: 'GET',
        path: '/healthz',
        headers: { host: '10.0.0.7' },
      }),
    }));
    expect(result.rebound.status).toBe(421);
    expect(codesOf(result.rebound)).toEqual(['HOST_NOT_ALLOWED']);
    expect(result.localhost.status).toBe(200);
    expect(result.probe.status).toBe(200);
  });

  it('forbids framing GraphiQL', async () => {
    const result = await whileProbing(() =>
      rawRequest(listener.origin, { method: 'GET', headers: { accept: 'text/html' } }),
    );
    expect(result.status).toBe(200);
    expect(result.headers['x-frame-options']).toBe('DENY');
    expect(result.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  /** Writes `head` on a raw socket and never finishes the request; resolves when the server closes it. */
  const unfinished = (head: string) =>
    new Promise<{ elapsedMs: number; answer: string }>((resolve, reject) => {
      const started = performance.now();
      const socket = connect(listener.port, '127.0.0.1', () => {
        socket.write(head);
      });
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        answer += chunk;
      });
      socket.on('error', reject);
      socket.on('close', () => resolve({ elapsedMs: performance.now() - started, answer }));
    });

  it('drops a request whose headers never finish after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const result = await whileProbing(() =>
      unfinished('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nx-slow: '),
    );
    expect(result.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
  });

  it('drops a request whose body never finishes after HTTP_REQUEST_TIMEOUT_MS', async () => {
    const result = await whileProbing(() =>
      unfinished(
        'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"que',
      ),
    );
    expect(result.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
  });

  it('answers a body its client abandoned half-sent 499, not a BAD_REQUEST for its JSON', async () => {
    const requestId = `abandoned-${Math.random().toString(36).slice(2)}`;
    const line = () => logs.find((l) => l.includes(requestId));
    const socket = connect(listener.port, '127.0.0.1', () => {
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nx-request-id: ${requestId}\r\n` +
          'content-type: application/json\r\ncontent-length: 100\r\n\r\n{"query":"',
        () => socket.destroy(),
      );
    });
    await vi.waitFor(() => expect(line()).toBeDefined(), { timeout: 2_000, interval: 10 });
    expect(JSON.parse(line()!)).toMatchObject({ requestId, path: '/graphql', status: 499 });
    // A client that sends bad JSON and waits is still told why.
    const bad = await rawRequest(listener.origin, {
      headers: { ...JSON_HEADERS, 'content-length': '10' },
      chunks: ['{"query":"'],
    });
    expect(bad.status).toBe(400);
    // A slow client's body, its second half sent once the gateway waits for it, is served.
    const body = graphqlBody('{ __typename }');
    const half = body.length >> 1;
    const slow = await new Promise<string>((resolve) => {
      let answer = '';
      const socket = connect(listener.port, '127.0.0.1', () => {
        socket.write(
          'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nconnection: close\r\ncontent-type: application/json\r\n' +
            `content-length: ${body.length}\r\n\r\n${body.slice(0, half)}`,
        );
        setTimeout(() => socket.write(body.slice(half)), 50);
      });
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString();
      });
      socket.on('close', () => resolve(answer));
    });
    expect(slow).toMatch(/^HTTP\/1\.1 200/);
    expect(slow).toContain('"__typename":"Query"');
  });
});

describe('7. bursts', () => {
  /** Sockets connected first; resolves once every one is. */
  const connected = (n: number) =>
    Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connect(listener.port, '127.0.0.1', () => resolve(socket));
            socket.once('error', reject);
          }),
      ),
    );
  /** The whole answer on `socket` (the request asked for `connection: close`). */
  const answerOf = (socket: Socket) =>
    new Promise<string>((resolve, reject) => {
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        answer += chunk;
      });
      socket.once('error', reject);
      socket.once('close', () => resolve(answer));
    });

  /**
   * `n` copies of `request` written in one turn on sockets the server has accepted (on loopback
   * they are all readable in its next poll), and `started()` (a count of operations started)
   * read once per turn of the event loop by a check-phase ticker: the operations started in each
   * turn that started any. Resolves once every answer is in, with the answers.
   */
  async function burst(request: string, n: number, started: () => number) {
    let accepted = 0;
    const onConnection = () => accepted++;
    listener.server.on('connection', onConnection);
    const sockets = await connected(n);
    // Accepted by the server too (it accepts one connection a turn while the loop is busy).
    await vi.waitFor(() => expect(accepted).toBe(n), { timeout: 5_000, interval: 5 });
    listener.server.off('connection', onConnection);
    const answers = sockets.map(answerOf);
    const perTurn: number[] = [];
    let seen = started();
    let ticking = true;
    const tick = () => {
      if (started() > seen) perTurn.push(started() - seen);
      seen = started();
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    for (const socket of sockets) socket.write(request);
    const texts = await Promise.all(answers);
    ticking = false;
    return { texts, perTurn };
  }
  const typename = (text: string) => /^HTTP\/1\.1 200/.test(text) && text.includes('"__typename":"Query"');

  it('starts at most REQUESTS_PER_TURN repeated POSTs on the fast path per turn, every one answered', async () => {
    const fastPath = gateway.fastPath!;
    const body = graphqlBody('{ __typename }');
    // Taught to the fast path (a document Yoga has validated cleanly), then answered on it.
    expect((await post(body)).status).toBe(200);
    const before = fastPath.served;
    expect((await post(body)).status).toBe(200);
    expect(fastPath.served).toBe(before + 1);

    const n = 3 * REQUESTS_PER_TURN + 4;
    const request =
      'POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n' +
      `content-type: ${JSON_HEADERS['content-type']}\r\naccept: ${JSON_HEADERS.accept}\r\n` +
      `content-length: ${body.length}\r\n\r\n${body}`;
    // The fast path's answers to `{ __typename }` are sent in the turn the operation starts in (no
    // I/O), so its count of answers is the operations started (with the fast path not entering the
    // gate, all of them start in one turn).
    const { texts, perTurn } = await burst(request, n, () => fastPath.served);
    expect(texts.filter(typename)).toHaveLength(n);
    expect(perTurn.reduce((sum, count) => sum + count, 0)).toBe(n);
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(REQUESTS_PER_TURN);
    expect(perTurn.length).toBeGreaterThanOrEqual(Math.ceil(n / REQUESTS_PER_TURN));
  });

  const chunked = graphqlBody('{ __typename }');
  it.each([
    [
      'GETs',
      `GET /graphql?query=${encodeURIComponent('{ __typename }')} HTTP/1.1\r\nhost: 127.0.0.1\r\n` +
        `connection: close\r\naccept: ${JSON_HEADERS.accept}\r\nx-graphql-yoga-csrf: 1\r\n\r\n`,
    ],
    [
      'chunked POSTs',
      'POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ntransfer-encoding: chunked\r\n' +
        `content-type: ${JSON_HEADERS['content-type']}\r\naccept: ${JSON_HEADERS.accept}\r\n\r\n` +
        `${chunked.length.toString(16)}\r\n${chunked}\r\n0\r\n\r\n`,
    ],
  ])(
    'starts at most REQUESTS_PER_TURN %s per turn on Yoga’s path, every one answered',
    async (_name, request) => {
      // Counted when their answers' heads are written: in the turn they start (no I/O).
      let heads = 0;
      const countHeads = (_req: unknown, res: ServerResponse) => {
        const writeHead = res.writeHead;
        res.writeHead = ((...args: Parameters<typeof writeHead>) => {
          heads++;
          return writeHead.apply(res, args);
        }) as typeof writeHead;
      };
      // Before the gateway's handler, which may answer at once.
      listener.server.prependListener('request', countHeads);
      try {
        const n = 3 * REQUESTS_PER_TURN + 4;
        const { texts, perTurn } = await burst(request, n, () => heads);
        expect(texts.filter(typename)).toHaveLength(n);
        expect(perTurn.reduce((sum, count) => sum + count, 0)).toBe(n);
        expect(Math.max(...perTurn)).toBeLessThanOrEqual(REQUESTS_PER_TURN);
      } finally {
        listener.server.off('request', countHeads);
      }
    },
  );
});

describe('8. masked-error logs carry ids, codes and paths, not customer data', () => {
  it('logs a serialization failure without the object it could not serialize', async () => {
    const result = await whileProbing(() =>
      post(graphqlBody(`{ customer(id: "${CORRUPT}") { ... on Customer { id email } } }`)),
    );
    const [error] = errorsOf(result);
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const line = logs.find((l) => l.includes(String(error?.extensions?.reference)));
    expect(line).toBeDefined();
    const logged = JSON.parse(line!) as Record<string, unknown>;
    expect(logged).toMatchObject({ msg: 'unexpected error', path: 'customer.email' });
    expect(line).toContain('String cannot represent value');
    expect(line).not.toContain('Jenny');
    expect(line).not.toContain('jenny.rosen@example.com');
    expect(line).not.toContain('5555550123');
  });
});

describe('9. retries cancelled by a client disconnect', () => {
  it('are counted as aborted in stripe_requests_total', async () => {
    emulator.setFaults({ errorRate500: 1 });
    try {
      await whileProbing(async () => {
        const controller = new AbortController();
        const request = fetch(`${listener.origin}/graphql`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: graphqlBody('{ balance { object } }'),
          signal: controller.signal,
        }).catch(() => undefined);
        // The first attempt answers 500 at once; the disconnect lands in the backoff (>= 500 ms).
        await new Promise((resolve) => setTimeout(resolve, 250));
        controller.abort();
        await request;
        await new Promise((resolve) => setTimeout(resolve, 100));
      });
      const metrics = await (await fetch(`${listener.origin}/metrics`)).text();
      expect(metrics).toMatch(
        /stripe_requests_total\{method="GET",path_template="\/v1\/balance",status="aborted",retried="false"\} \d+/,
      );
      expect(metrics).not.toMatch(/path_template="\/v1\/balance",status="500"/);
    } finally {
      emulator.setFaults({});
    }
  });
});
