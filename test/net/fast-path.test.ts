/**
 * The fast path (src/server/fast-path.ts) answers a repeated document as Yoga does: one gateway
 * listened on twice, through its fast path (`listen(gateway.yoga)`) and through Yoga alone (a
 * plain handler), each request sent to Yoga first (which teaches the fast path the document) and
 * then to the fast path; status, body and headers must match, and the fast path's counter says
 * which requests it answered.
 */
import { request } from 'node:http';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { MAX_DIRECT_DOCUMENTS } from '../../src/server/fast-path.ts';
import { type Listener, listen } from '../../src/server/listen.ts';
import { sessionWithPermissions } from '../schema/open-enum-helpers.ts';
import { bearer, JWT_ENV, token } from '../server/auth-helpers.ts';
import { type Harness, startHarness } from '../server/harness.ts';

let h: Harness;
let fast: Listener;
let plain: Listener;
let admin: string;
let customerToken: string;

beforeAll(async () => {
  h = await startHarness({
    ...JWT_ENV,
    ALLOWED_HOSTS: '127.0.0.1',
    QUERY_MAX_COST: '5',
    COMPRESSION_MIN_BYTES: '200',
  });
  fast = await listen(h.gateway.yoga, { port: 0, host: '127.0.0.1' });
  plain = await listen((req, res) => h.gateway.yoga(req, res), { port: 0, host: '127.0.0.1' });
  admin = await token({ scope: 'stripe:admin', sub: 'fast-path-admin' });
  customerToken = await token({ stripe_customer: SEED.jenny.customer, sub: 'fast-path-customer' });
});
afterAll(async () => {
  await fast.close(1000);
  await plain.close(1000);
  await h.close();
});

interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let requestIds = 0;

function send(
  listener: Listener,
  init: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: listener.port,
        method: init.method ?? 'POST',
        path: init.path ?? '/graphql',
        headers: {
          ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }),
          ...init.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          let bytes = Buffer.concat(chunks);
          if (res.headers['content-encoding'] === 'br') bytes = brotliDecompressSync(bytes);
          resolve({ status: res.statusCode!, headers: res.headers, body: bytes.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The headers a client reads (node's own `date`, `connection` and `keep-alive` left out). */
function relevant(headers: Sent['headers']): Record<string, unknown> {
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...rest } = headers;
  return rest;
}

/** Stripe's request ids differ from call to call. */
const stable = (body: string) => body.replace(/"requestId":"req_\w+"/g, '"requestId":"req_…"');

/**
 * Sends the same request through Yoga (which teaches the fast path the document, and runs it with
 * graphql-js), then through the fast path and Yoga in turn (from its second run a document is
 * compiled: both are); they must answer alike. Returns Yoga's answer and how many of the fast
 * listener's requests the fast path served.
 */
async function both(
  init: Parameters<typeof send>[1],
): Promise<{ answer: Sent; served: number; bodyOf: () => Record<string, unknown> }> {
  const id = `fast-path-test-${++requestIds}`;
  const withId = { ...init, headers: { 'x-request-id': id, ...init.headers } };
  await send(plain, withId);
  const before = h.gateway.fastPath!.served;
  const first = await send(fast, withId);
  const yoga = await send(plain, withId);
  const second = await send(fast, withId);
  const served = h.gateway.fastPath!.served - before;
  for (const answer of [first, second]) {
    expect(answer.status).toBe(yoga.status);
    expect(stable(answer.body)).toBe(stable(yoga.body));
    expect(relevant(answer.headers)).toEqual(relevant(yoga.headers));
  }
  return { answer: yoga, served, bodyOf: () => JSON.parse(yoga.body) as Record<string, unknown> };
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', host: `127.0.0.1`, ...headers },
  body: JSON.stringify(body),
});

const CUSTOMERS = '{ customers(first: 3) { nodes { id email } } }';

describe('the fast path', () => {
  it('answers a repeated query as Yoga does, compiled and not, and counts it', async () => {
    const { answer, served, bodyOf } = await both(json({ query: CUSTOMERS }, bearer(admin)));
    expect(answer.status).toBe(200);
    expect(served).toBe(2);
    expect((bodyOf().data as { customers: { nodes: unknown[] } }).customers.nodes).toHaveLength(3);
    expect(answer.headers['x-request-id']).toMatch(/^fast-path-test-/);
    // Both paths counted in the HTTP metrics and logged once each.
    const lines = h.logs.filter(
      (line) => line.msg === 'request' && line.requestId === answer.headers['x-request-id'],
    );
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map((line) => `${line.method} ${line.path} ${line.status}`))).toEqual(
      new Set(['POST /graphql 200']),
    );
  });

  it('compresses when asked, with the same headers', async () => {
    const query = '{ customers(first: 8) { nodes { id email name created } } }';
    const { answer, served } = await both(json({ query }, { ...bearer(admin), 'accept-encoding': 'br' }));
    expect(answer.headers['content-encoding']).toBe('br');
    expect(answer.headers.vary).toContain('accept-encoding');
    expect(served).toBe(2);
  });

  it('answers an unknown id NOT_FOUND, a forbidden scope, a cost refusal and no credential alike', async () => {
    const missing = await both(json({ query: '{ customer(id: "cus_nope") { id } }' }, bearer(admin)));
    expect(missing.answer.body).toContain('NOT_FOUND');
    expect(missing.served).toBe(2);

    const forbidden = await both(json({ query: CUSTOMERS }, bearer(customerToken)));
    expect(forbidden.answer.body).toMatch(/FORBIDDEN/);
    expect(forbidden.served).toBe(2);

    const costly = await both(
      json(
        { query: '{ customers(first: 10) { nodes { invoices(first: 10) { nodes { id } } } } }' },
        { ...bearer(admin), accept: 'application/graphql-response+json' },
      ),
    );
    expect(costly.answer.status).toBe(400);
    expect(costly.answer.body).toContain('QUERY_TOO_COMPLEX');
    expect(costly.served).toBe(2);

    const anonymous = await both(json({ query: CUSTOMERS }));
    expect(anonymous.answer.status).toBe(401);
    expect(anonymous.answer.headers['www-authenticate']).toBe('Bearer');
    expect(anonymous.served).toBe(2);
  });

  it('answers each Accept a JSON answer matches as Yoga does, its processor choice remembered', async () => {
    const remembered = h.gateway.fastPath!.acceptsRemembered;
    // (Accept values no test before sends.)
    const accepts = [
      'application/graphql-response+json; charset=utf-8',
      'application/json; charset=utf-8',
      'application/json, application/graphql-response+json',
      'application/graphql-response+json;charset=utf-8, application/json',
      '*/*',
    ];
    for (const accept of accepts) {
      const { answer, served } = await both(json({ query: CUSTOMERS }, { ...bearer(admin), accept }));
      expect(answer.status).toBe(200);
      expect(served).toBe(2);
    }
    expect(h.gateway.fastPath!.acceptsRemembered).toBe(remembered + accepts.length);
  });

  it('runs a mutation with its idempotency key and the request extensions', async () => {
    const query = `mutation Create($key: String) {
      createCustomer(idempotencyKey: $key, input: { email: "fast.path@example.com" }) { id email }
    }`;
    const { bodyOf, served } = await both(
      json(
        {
          query,
          variables: { key: 'fast-path-create-1' },
          operationName: 'Create',
          extensions: { client: 't' },
        },
        bearer(admin),
      ),
    );
    expect((bodyOf().data as { createCustomer: { email: string } }).createCustomer.email).toBe(
      'fast.path@example.com',
    );
    expect(served).toBe(2);
  });

  it('leaves to Yoga a bad Host, a preflight, a browser origin and a malformed body', async () => {
    // Taught first, so that only the request's own shape sends it to Yoga.
    await send(plain, json({ query: CUSTOMERS }, bearer(admin)));

    const badHost = await both(json({ query: CUSTOMERS }, { ...bearer(admin), host: 'evil.example' }));
    expect(badHost.answer.status).toBe(421);
    expect(badHost.served).toBe(0);

    const preflight = await both({
      method: 'OPTIONS',
      headers: {
        host: '127.0.0.1',
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
      },
    });
    expect(preflight.served).toBe(0);

    const browser = await both(json({ query: CUSTOMERS }, { ...bearer(admin), origin: 'http://127.0.0.1' }));
    expect(browser.served).toBe(0);

    const malformed = await both({
      headers: { 'content-type': 'application/json', host: '127.0.0.1', ...bearer(admin) },
      body: '{"query": "{ customers',
    });
    expect(malformed.answer.status).toBe(400);
    expect(malformed.answer.body).toContain('BAD_REQUEST');
    expect(malformed.served).toBe(0);

    const unexpected = await both(json({ query: CUSTOMERS, extra: 1 }, bearer(admin)));
    expect(unexpected.answer.status).toBe(400);
    expect(unexpected.served).toBe(0);
  });

  it('logs a body the client abandoned half-sent as 499, as Yoga does', async () => {
    const body = JSON.stringify({ query: CUSTOMERS });
    const before = h.gateway.fastPath!.served;
    for (const listener of [plain, fast]) {
      const id = `fast-path-abandoned-${listener.port}`;
      await new Promise<void>((resolve) => {
        const req = request({
          host: '127.0.0.1',
          port: listener.port,
          method: 'POST',
          path: '/graphql',
          headers: {
            'content-type': 'application/json',
            'content-length': String(body.length),
            'x-request-id': id,
            ...bearer(admin),
          },
        });
        req.on('error', () => resolve());
        req.flushHeaders();
        req.write(body.slice(0, 10), () => {
          req.destroy();
          resolve();
        });
      });
      await vi.waitFor(() =>
        expect(h.logs.find((line) => line.msg === 'request' && line.requestId === id)?.status).toBe(499),
      );
    }
    expect(h.gateway.fastPath!.served).toBe(before);
  });
});

/**
 * Sends a document through Yoga and the fast path until the fast path has learnt to answer it
 * directly (src/schema/direct.ts), then once more through each: the two answers (status, body,
 * headers) and the Stripe calls each made must agree. Returns Yoga's answer and whether the last
 * fast answer was a direct one.
 */
async function directly(
  query: string,
  headers: Record<string, string> = bearer(admin),
  variables?: Record<string, unknown>,
): Promise<{ answer: Sent; direct: boolean; calls: number }> {
  const id = `direct-answer-test-${++requestIds}`;
  const init = json({ query, ...(variables ? { variables } : {}) }, { 'x-request-id': id, ...headers });
  await send(plain, init);
  await send(fast, init);
  h.upstreamCalls();
  const yoga = await send(plain, init);
  const yogaCalls = h.upstreamCalls();
  const before = h.gateway.fastPath!.answeredDirectly;
  const answer = await send(fast, init);
  const calls = h.upstreamCalls();
  const direct = h.gateway.fastPath!.answeredDirectly - before === 1;
  expect(answer.status).toBe(yoga.status);
  expect(stable(answer.body)).toBe(stable(yoga.body));
  expect(relevant(answer.headers)).toEqual(relevant(yoga.headers));
  expect(calls).toBe(yogaCalls);
  return { answer: yoga, direct, calls };
}

describe('direct answers', () => {
  const taken = {
    'scalars, times, enums, lists, sub-objects, __typename and page info': `{ customers(first: 5) {
      nodes { __typename id email name created taxExempt preferredLocales balance
        address { city country line1 } invoiceSettings { footer customFields { name } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
    'edges, cursors and a folded reference': `{ charges(first: 5) { edges { cursor node {
      amount currency status paid captured customer { email name } created } } } }`,
    'a customer, its cards, its invoices and their lines': `{ customer(id: "${SEED.jenny.customer}") {
      email cards(first: 10) { nodes { brand last4 expMonth expYear } }
      invoices(first: 10) { nodes { number status total lines { nodes { amount description } } } } } }`,
    'an account, its capabilities, its transfers and their reversals': `{ account(id: "${SEED.connected.account}") {
      email capabilities { nodes { id status } }
      transfers(first: 10) { nodes { amount reversals { nodes { amount } } } } } }`,
    'aliases, twice the same field with other arguments': `{ a: customers(first: 2) { nodes { id } }
      b: customers(first: 3) { nodes { mail: email } } }`,
    'prices and their products': `{ prices(first: 5) { nodes { unitAmount currency type
      recurring { interval intervalCount } product { name active } } } }`,
    'the subgraph SDL a router reads': '{ _service { sdl } }',
    'subscriptions, their items and customers': `{ subscriptions(first: 3) { nodes { status
      currentPeriodEnd items { nodes { quantity price { unitAmount } } } customer { email } } } }`,
    'a fragment': `{ customers(first: 2) { nodes { ...C } } } fragment C on Customer { id email }`,
    'an interface': `{ node(id: "${SEED.jenny.customer}") { id } }`,
    'a union': `{ customers(first: 2) { nodes { defaultSource { __typename } } } }`,
    'interfaces of two types, fragments on each and merged fields, as a client cache writes them': `{
      a: node(id: "${SEED.jenny.customer}") { __typename id ... on Customer { email ...C } }
      b: node(id: "${SEED.connected.account}") { __typename id ... on Account { email country } }
      customers(first: 3) { nodes { __typename ...C ...C email defaultSource { __typename
        ... on Card { brand last4 } ... on Source { type } } } } }
      fragment C on Customer { id email name }`,
  };
  it.each(Object.entries(taken))(
    'answers %s as execution does, with the same Stripe calls',
    async (_name, query) => {
      const { answer, direct, calls } = await directly(query);
      expect(answer.status).toBe(200);
      expect(answer.body).not.toContain('"errors"');
      expect(direct).toBe(true);
      // Every document but the SDL reads Stripe.
      if (!query.includes('_service')) expect(calls).toBeGreaterThan(0);
    },
  );

  const executed = {
    'a directive': `{ customers(first: 2) { nodes { id email @include(if: true) } } }`,
    introspection: '{ __type(name: "Customer") { name } }',
  };
  it.each(Object.entries(executed))(
    'executes a document with %s, with the same answer',
    async (_name, query) => {
      const { answer, direct } = await directly(query);
      expect(answer.status).toBe(200);
      expect(direct).toBe(false);
    },
  );

  it('answers a document with variables, each request with its own', async () => {
    const query = `query Page($n: Int, $id: ID!) { customers(first: $n) { nodes { id email } }
      customer(id: $id) { email invoices(first: $n) { nodes { number } } } }`;
    for (const variables of [
      { n: 2, id: SEED.jenny.customer },
      { n: 3, id: SEED.grace.customer },
    ]) {
      const { answer, direct } = await directly(query, bearer(admin), variables);
      expect(direct).toBe(true);
      const data = JSON.parse(answer.body).data as { customers: { nodes: unknown[] } };
      expect(data.customers.nodes).toHaveLength(variables.n);
    }
    // A variable that does not coerce is execution's error, as on Yoga's path.
    const bad = await directly(query, bearer(admin), { n: 'two', id: SEED.jenny.customer });
    expect(bad.direct).toBe(false);
    expect(bad.answer.body).toContain('"errors"');
  });

  it('executes what the program abandons, without calling Stripe twice', async () => {
    // A resolver rejects: the executor writes the error, from the calls the program already made.
    const missing = await directly(`{ customer(id: "cus_nope") { id email } }`);
    expect(missing.answer.body).toContain('NOT_FOUND');
    expect(missing.direct).toBe(false);
    expect(missing.calls).toBe(1);
    // Half of the answer resolves, the other half is refused by the caller's scope.
    const scoped = await directly(
      `{ customer(id: "${SEED.jenny.customer}") { email } other: customer(id: "${SEED.grace.customer}") { email } }`,
      bearer(customerToken),
    );
    expect(scoped.answer.body).toContain('jenny.rosen@example.com');
    expect(scoped.answer.body).toMatch(/FORBIDDEN|NOT_FOUND/);
    expect(scoped.direct).toBe(false);
  });

  it('gives way to execution on an unknown enum value, which is logged once per request', async () => {
    const id = await sessionWithPermissions(h, ['balances', 'not_in_the_spec']);
    const { answer, direct } = await directly(`{ financialConnectionsSession(id: "${id}") { permissions } }`);
    expect(direct).toBe(false);
    expect(answer.body).toContain('UNKNOWN_ENUM_VALUE');
    const requestId = answer.headers['x-request-id'];
    // Four requests (two through each path), one warning each: none twice for the abandoned program.
    const warnings = h.logs.filter(
      (line) => line.msg === 'unknown enum value' && line.requestId === requestId,
    );
    expect(warnings).toHaveLength(4);
  });

  it('keeps the programs of the documents used last, no more than MAX_DIRECT_DOCUMENTS', async () => {
    const sendTwice = async (query: string) => {
      await send(plain, json({ query }, bearer(admin)));
      await send(fast, json({ query }, bearer(admin)));
    };
    for (let i = 0; i < MAX_DIRECT_DOCUMENTS + 5; i++)
      await sendTwice(`{ customers(first: 1) { nodes { id } } n${i}: __typename }`);
    expect(h.gateway.fastPath!.directDocuments).toBe(MAX_DIRECT_DOCUMENTS);
    // The first ones were forgotten: executed again (and learnt again), not answered directly.
    const before = h.gateway.fastPath!.answeredDirectly;
    await send(
      fast,
      json({ query: '{ customers(first: 1) { nodes { id } } n0: __typename }' }, bearer(admin)),
    );
    expect(h.gateway.fastPath!.answeredDirectly).toBe(before);
    await send(
      fast,
      json(
        { query: `{ customers(first: 1) { nodes { id } } n${MAX_DIRECT_DOCUMENTS + 4}: __typename }` },
        bearer(admin),
      ),
    );
    expect(h.gateway.fastPath!.answeredDirectly).toBe(before + 1);
  });

  it('counts a direct answer in the operation metrics and logs it', async () => {
    const metric = async () => {
      const { body: text } = await send(plain, {
        method: 'GET',
        path: '/metrics',
        headers: { host: '127.0.0.1' },
      });
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith('graphql_operations_total{operation_name="anonymous",operation_type="query"}'),
        );
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await metric();
    const { answer, direct } = await directly('{ customers(first: 1) { nodes { id } } }');
    expect(direct).toBe(true);
    // Two through Yoga, one through the fast path's executor, one direct: four operations, four lines.
    expect((await metric()) - before).toBe(4);
    expect(
      h.logs.filter((line) => line.msg === 'request' && line.requestId === answer.headers['x-request-id']),
    ).toHaveLength(4);
  });
});

describe('DIRECT_ANSWERS=off', () => {
  it('executes every document on the fast path', async () => {
    const off = await startHarness({ DIRECT_ANSWERS: 'off', ALLOWED_HOSTS: '127.0.0.1' });
    const listener = await listen(off.gateway.yoga, { port: 0, host: '127.0.0.1' });
    try {
      for (let i = 0; i < 3; i++) {
        const answer = await send(listener, json({ query: CUSTOMERS }));
        expect(answer.body).toContain('"customers"');
      }
      expect(off.gateway.fastPath!.served).toBe(2);
      expect(off.gateway.fastPath!.answeredDirectly).toBe(0);
    } finally {
      await listener.close(1000);
      await off.close();
    }
  });
});
