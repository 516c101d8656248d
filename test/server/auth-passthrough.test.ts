/**
 * AUTH_MODE=passthrough: the gateway holds no key; each request's calls carry its caller's own key
 * and nothing (session, loader, cache) is shared between keys, even in concurrent requests. The
 * emulator here knows only KEY_1, so a request with KEY_2 can succeed only by borrowing KEY_1's
 * answers — which it must not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { type RecordingRest, recordingRest } from '../helpers.ts';
import { bearer } from './auth-helpers.ts';
import { restOver, sharedSchema } from './harness.ts';
import { readResults } from './sse.ts';

const KEY_1 = 'sk_test_passthroughCallerOne0001';
const KEY_2 = 'sk_test_passthroughCallerTwo0002';
const RESTRICTED = 'rk_test_passthroughRestricted003';

let emulator: Emulator;
let gateway: Gateway;
let rest: RecordingRest;
/** Every call the gateway sent upstream: the caller's key and the path template. */
const sent = () => rest.requests.map(({ apiKey, path }) => ({ apiKey, path }));
const rawLogs: string[] = [];

beforeAll(async () => {
  emulator = await createEmulator({ apiKeys: [KEY_1, RESTRICTED], listen: false });
  const config = readServerConfig({
    AUTH_MODE: 'passthrough',
    STRIPE_API_BASE: emulator.url,
    STRIPE_MAX_RETRIES: '0',
    LOG_LEVEL: 'info',
  });
  expect(config.rest.secretKey).toBeUndefined();
  gateway = createGateway({
    config,
    schema: sharedSchema(),
    rest: restOver(emulator, config, (client) => {
      rest = recordingRest(client);
      return rest;
    }),
    logSink: (line) => rawLogs.push(line),
  });
});
afterAll(async () => {
  await gateway.close();
  await emulator.close();
});

const QUERY = `{
  customers(first: 5) { nodes { id email defaultSource { ... on Card { id last4 } } } }
  charges(first: 5) { nodes { id customer { ... on Customer { id } } } }
}`;

async function query(headers: Record<string, string>, body = QUERY) {
  const response = await gateway.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query: body }),
  });
  return { status: response.status, text: await response.text() };
}

describe('passthrough', () => {
  it('refuses a request without a Stripe key, or with something else, before calling Stripe', async () => {
    rest.requests.length = 0;
    for (const headers of [{}, bearer('pk_test_publishable123'), bearer('not a key'), bearer('eyJ.x.y')]) {
      const response = await query(headers);
      expect(response.status).toBe(401);
      expect(JSON.parse(response.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    expect(sent()).toEqual([]);
  });

  it('concurrent requests with two keys: each call carries its own request’s key, nothing is shared', async () => {
    rest.requests.length = 0;
    const [one, two, three] = await Promise.all([
      query(bearer(KEY_1)),
      query(bearer(KEY_2)),
      query(bearer(RESTRICTED)),
    ]);
    // KEY_1 and the restricted key read; KEY_2 is refused by Stripe on every call it makes, and is not
    // served from the cache KEY_1's request filled at the same moment.
    const data1 = JSON.parse(one.text);
    expect(data1.errors).toBeUndefined();
    expect(data1.data.customers.nodes.length).toBeGreaterThan(0);
    expect(JSON.parse(three.text).data).toEqual(data1.data);
    const refused = JSON.parse(two.text);
    // Root fields are nullable: every field of the refused key's request is null.
    expect(Object.values(refused.data ?? {}).every((value) => value === null)).toBe(true);
    expect(refused.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toContain(
      'STRIPE_AUTHENTICATION_FAILED',
    );

    const byKey = (key: string) =>
      sent()
        .filter((call) => call.apiKey === key)
        .map((call) => call.path);
    expect(sent().every((call) => [KEY_1, KEY_2, RESTRICTED].includes(call.apiKey!))).toBe(true);
    // The same query, the same calls, once per key: no request reused another key's answers.
    expect(byKey(KEY_1).length).toBeGreaterThan(0);
    expect(byKey(RESTRICTED).sort()).toEqual(byKey(KEY_1).sort());
    expect(byKey(KEY_2).length).toBeGreaterThan(0);
  });

  it('never shows or logs a caller’s key', async () => {
    const responses = await Promise.all(
      [KEY_1, KEY_2, 'sk_live_aLiveKeyTheEmulatorRefuses'].map((k) => query(bearer(k))),
    );
    const everything = [...responses.map((r) => r.text), ...rawLogs].join('\n');
    for (const key of [KEY_1, KEY_2, RESTRICTED, 'sk_live_aLiveKeyTheEmulatorRefuses']) {
      expect(everything).not.toContain(key);
    }
  });

  it('is ready when Stripe answers its keyless probe (with 401)', async () => {
    const response = await gateway.yoga.fetch('http://localhost/readyz');
    expect(response.status).toBe(200);
  });

  it('serves no subscription: a caller’s key may be any account’s, and events are the gateway’s', async () => {
    const abort = new AbortController();
    const response = await gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...bearer(KEY_1) },
      body: JSON.stringify({ query: 'subscription { stripeEvents { id } }' }),
      signal: abort.signal,
    });
    const stream = readResults(response, abort);
    const result = await stream.next();
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['LIVE_UNAVAILABLE']);
    stream.close();
  });
});

describe('passthrough keys', () => {
  it('takes every key the emulator takes: the same shape, however short', async () => {
    const open = await createEmulator({ listen: false });
    const config = readServerConfig({
      AUTH_MODE: 'passthrough',
      STRIPE_API_BASE: open.url,
      LOG_LEVEL: 'warn',
    });
    const through = createGateway({
      config,
      schema: sharedSchema(),
      rest: restOver(open, config),
      logSink: () => {},
    });
    try {
      const ask = (key: string) =>
        through.yoga.fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(key) },
          body: JSON.stringify({ query: '{ customers(first: 1) { nodes { id } } }' }),
        });
      for (const key of ['sk_test_x', 'rk_test_a_b', `sk_test_${'a'.repeat(99)}`]) {
        const body = await (await ask(key)).json();
        expect(body.errors, key).toBeUndefined();
        expect(body.data.customers.nodes).toHaveLength(1);
      }
      expect((await ask('sk_test_')).status).toBe(401);
    } finally {
      await through.close();
      await open.close();
    }
  });
});
