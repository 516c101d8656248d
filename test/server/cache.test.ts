/**
 * The opt-in object cache (CACHE_TTL_SECONDS): a repeated read costs no Stripe call, a webhook
 * about the object makes the next read fresh, and answers are never shared between API keys,
 * connected accounts or caller scopes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeObject } from '../../src/loaders/requests.ts';
import type { RestClient, RestRequest } from '../../src/rest/client.ts';
import type { StripeEvent } from '../../src/schema/subscriptions.ts';
import { ObjectCache, objectIds } from '../../src/server/cache.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { createSharedState, type SharedState } from '../../src/server/pubsub.ts';
import { signatureHeader } from '../../src/spec/webhook-signature.ts';
import { type Harness, restOver, sharedSchema, startHarness } from './harness.ts';

const SECRET = 'whsec_cache_test';
let h: Harness;
let shared: SharedState;
let other: Gateway;
let customerId: string;

beforeAll(async () => {
  shared = createSharedState();
  h = await startHarness({ STRIPE_WEBHOOK_SECRET: SECRET, CACHE_TTL_SECONDS: '60' });
  const page = await h.admin.request<{ data: StripeObject[] }>({
    method: 'GET',
    path: '/v1/customers',
    params: { limit: 1 },
  });
  customerId = String(page.data[0]!.id);
});
afterAll(async () => {
  await other?.close();
  await h.close();
  await shared.close();
});

async function read(gateway: { yoga: Gateway['yoga'] }, id: string) {
  const response = await gateway.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ customer(id: "${id}") { ... on Customer { id name } } }` }),
  });
  return (await response.json()) as { data: { customer: { name: string } } };
}

describe('with CACHE_TTL_SECONDS', () => {
  it('answers a repeated read from the cache, and a webhook about the object makes the next read fresh', async () => {
    h.upstreamCalls();
    const first = await read(h.gateway, customerId);
    expect(h.upstreamCalls()).toBe(1);
    expect(await read(h.gateway, customerId)).toEqual(first);
    expect(h.upstreamCalls()).toBe(0);

    await h.admin.request({
      method: 'POST',
      path: '/v1/customers/{customer}',
      pathParams: { customer: customerId },
      params: { name: 'Fresh Name' },
    });
    const events = await h.admin.request<{ data: StripeEvent[] }>({
      method: 'GET',
      path: '/v1/events',
      params: { limit: 1, type: 'customer.updated' },
    });
    h.upstreamCalls();
    // Until the webhook arrives, the cached answer stands (the TTL bounds that).
    expect((await read(h.gateway, customerId)).data.customer.name).toBe(first.data.customer.name);
    expect(h.upstreamCalls()).toBe(0);

    const payload = JSON.stringify(events.data[0]);
    const delivered = await h.fetch('/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader(SECRET, payload) },
      body: payload,
    });
    expect(delivered.status).toBe(200);
    expect((await read(h.gateway, customerId)).data.customer.name).toBe('Fresh Name');
    expect(h.upstreamCalls()).toBe(1);
    expect(await read(h.gateway, customerId)).toMatchObject({ data: { customer: { name: 'Fresh Name' } } });
    expect(h.upstreamCalls()).toBe(0);

    const metrics = await (await h.fetch('/metrics')).text();
    expect(metrics).toMatch(/stripe_cache_lookups_total\{outcome="hit"\} 3/);
    expect(metrics).toMatch(/stripe_cache_lookups_total\{outcome="miss"\} 2/);
  });

  it('never shares an answer between API keys, even through one store', async () => {
    const config = (key: string) =>
      readServerConfig({
        STRIPE_SECRET_KEY: key,
        STRIPE_API_BASE: h.emulator.url,
        CACHE_TTL_SECONDS: '60',
        LOG_LEVEL: 'silent',
      });
    const over = (key: string) => {
      const settings = config(key);
      return createGateway({
        config: settings,
        rest: restOver(h.emulator, settings),
        schema: sharedSchema(),
        shared,
      });
    };
    const mine = over('sk_test_key_a');
    other = over('sk_test_key_b');
    try {
      h.upstreamCalls();
      await read(mine, customerId);
      await read(mine, customerId);
      expect(h.upstreamCalls()).toBe(1);
      await read(other, customerId);
      expect(h.upstreamCalls()).toBe(1);
      await read(other, customerId);
      expect(h.upstreamCalls()).toBe(0);
    } finally {
      await mine.close();
    }
  });
});

describe('ObjectCache', () => {
  /** A REST client that answers every GET with a fresh object and counts the calls. */
  function counting(): RestClient & { calls: RestRequest[] } {
    const calls: RestRequest[] = [];
    return {
      calls,
      async request<T>(request: RestRequest) {
        calls.push(request);
        const id = String(Object.values(request.pathParams ?? {})[0] ?? 'x');
        return {
          id,
          object: 'customer',
          n: calls.length,
          sources: { data: [{ id: 'card_1', object: 'card' }] },
        } as T;
      },
      list: () => {
        throw new Error('not used');
      },
      close: async () => {},
    };
  }
  const get = (id: string, extra: Partial<RestRequest> = {}): RestRequest => ({
    method: 'GET',
    path: '/v1/customers/{customer}',
    pathParams: { customer: id },
    ...extra,
  });

  it('keys entries by key, scope, account and request, and caches neither lists nor writes', async () => {
    const cache = new ObjectCache({ ttlSeconds: 60 });
    const upstream = counting();
    const a = cache.wrap(upstream, { secretKey: 'sk_test_1', scope: 'customer:cus_a' });
    const b = cache.wrap(upstream, { secretKey: 'sk_test_1', scope: 'customer:cus_b' });
    await a.request(get('cus_1'));
    await a.request(get('cus_1'));
    expect(upstream.calls).toHaveLength(1);
    await b.request(get('cus_1'));
    await a.request(get('cus_1', { stripeAccount: 'acct_1' }));
    await a.request(get('cus_1', { expand: ['default_source'] }));
    expect(upstream.calls).toHaveLength(4);
    // A call bringing its own key (passthrough auth) is that key's: never another key's answer.
    await a.request(get('cus_1', { apiKey: 'sk_test_caller_one' }));
    await a.request(get('cus_1', { apiKey: 'sk_test_caller_one' }));
    await a.request(get('cus_1', { apiKey: 'sk_test_caller_two' }));
    expect(upstream.calls.map((c) => c.apiKey)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'sk_test_caller_one',
      'sk_test_caller_two',
    ]);
    await a.request({ method: 'GET', path: '/v1/customers', params: { limit: 1 } });
    await a.request({ method: 'GET', path: '/v1/customers', params: { limit: 1 } });
    await a.request({ method: 'POST', path: '/v1/customers/{customer}', pathParams: { customer: 'cus_1' } });
    expect(upstream.calls).toHaveLength(9);
    expect(cache.hits).toBe(2);
  });

  it('drops every entry holding an object an event is about, nested ones included', async () => {
    const cache = new ObjectCache({ ttlSeconds: 60 });
    const upstream = counting();
    const client = cache.wrap(upstream, { secretKey: 'sk_test_1' });
    await client.request(get('cus_1'));
    await client.request(get('cus_2'));
    const event = (object: StripeObject): StripeEvent => ({
      id: 'evt',
      type: 'x',
      created: 1,
      data: { object },
    });
    // card_1 is inside both answers.
    expect(await cache.invalidate(event({ id: 'card_1', object: 'card' }))).toBe(2);
    await client.request(get('cus_1'));
    expect(upstream.calls).toHaveLength(3);
    expect(await cache.invalidate(event({ id: 'cus_9', object: 'customer' }))).toBe(0);
    expect([...objectIds({ id: 'a', object: 'x', list: [{ id: 'b', object: 'y' }, { id: 'c' }] })]).toEqual([
      'a',
      'b',
    ]);
  });

  it('expires entries after the TTL', async () => {
    const cache = new ObjectCache({ ttlSeconds: 0.05 });
    const upstream = counting();
    const client = cache.wrap(upstream, { secretKey: 'sk_test_1' });
    await client.request(get('cus_1'));
    await client.request(get('cus_1'));
    await new Promise((resolve) => setTimeout(resolve, 80));
    await client.request(get('cus_1'));
    expect(upstream.calls).toHaveLength(2);
  });
});
