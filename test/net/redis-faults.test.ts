/**
 * Redis as an accelerator, not a single point of failure, with a real redis-server stopped and
 * started again under a gateway that shares its cache, rate budget and webhook ids through it:
 * queries keep working while it is down (this process' cache and budget stand in, with a metric
 * and a log line), `/readyz` names Redis, the webhook intake answers 500 without the store's text,
 * and the duplicate filter, kept in Redis' append-only file, survives the restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEvent } from '../../src/schema/subscriptions.ts';
import { signatureHeader } from '../../src/spec/webhook-signature.ts';
import { until } from '../helpers.ts';
import { type Harness, startHarness } from '../server/harness.ts';
import { type RedisServer, startRedis } from './redis.ts';

const SECRET = 'whsec_redis_faults';
let dir: string;
let redis: RedisServer;
let h: Harness;
let customer: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sgg-redis-'));
  redis = await startRedis({ persistDir: dir });
  h = await startHarness({
    REDIS_URL: redis.url,
    STRIPE_WEBHOOK_SECRET: SECRET,
    CACHE_TTL_SECONDS: '30',
    STRIPE_RATE_LIMIT: '50',
    READY_CACHE_MS: '0',
  });
  customer = (await h.admin.request<{ data: { id: string }[] }>({ method: 'GET', path: '/v1/customers' }))
    .data[0]!.id;
  await until(() => h.gateway.live.shared.redis?.status === 'ready', {
    what: 'redis status',
    timeoutMs: 10_000,
  });
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function event(id: string): string {
  const value: StripeEvent = {
    id,
    object: 'event',
    type: 'customer.updated',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: customer, object: 'customer' } },
  };
  return JSON.stringify(value);
}

async function deliver(payload: string) {
  const response = await h.fetch('/webhooks/stripe', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader(SECRET, payload) },
    body: payload,
  });
  return { status: response.status, text: await response.text() };
}

const READ = `{ customers(first: 2) { nodes { id } } customer(id: "CUSTOMER") { ... on Customer { id name } } }`;
const fallbacks = async (use: string) =>
  Number(
    new RegExp(`redis_fallbacks_total\\{use="${use}"\\} (\\d+)`).exec(
      await (await h.fetch('/metrics')).text(),
    )?.[1] ?? 0,
  );

describe('Redis down, then back', () => {
  it('keeps answering queries, says so in /readyz, refuses webhooks cleanly, and remembers event ids across the restart', async () => {
    const query = READ.replace('CUSTOMER', customer);
    const up = await h.query(query);
    expect(up.body.errors).toBeUndefined();
    const seen = await deliver(event('evt_before_restart'));
    expect(JSON.parse(seen.text)).toEqual({ received: true });
    const ready = await (await h.fetch('/readyz')).json();
    expect(ready).toMatchObject({ ready: true, dependencies: { stripe: 'ok', redis: 'ok' } });

    await redis.stop();
    await until(() => h.gateway.live.shared.redis?.status !== 'ready', {
      what: 'redis status',
      timeoutMs: 10_000,
    });

    // Queries: answered, from Stripe, with this process' cache and rate budget.
    for (let i = 0; i < 3; i++) {
      const down = await h.query(query);
      expect(down.status).toBe(200);
      expect(down.body.errors).toBeUndefined();
      expect(down.body.data).toEqual(up.body.data);
    }
    expect(await fallbacks('cache')).toBeGreaterThan(0);
    expect(await fallbacks('rate_budget')).toBeGreaterThan(0);
    expect(h.logs.filter((l) => l.msg === 'redis unavailable: using this process instead')).not.toHaveLength(
      0,
    );

    const readyz = await h.fetch('/readyz');
    expect(readyz.status).toBe(200);
    const state = await readyz.json();
    expect(state.dependencies).toMatchObject({ stripe: 'ok', redis: expect.stringMatching(/unreachable/) });
    expect(state.degraded).toMatch(/^redis/);

    // A webhook cannot be claimed: 500, no ioredis text, and Stripe will retry it.
    const refused = await deliver(event('evt_during_outage'));
    expect(refused.status).toBe(500);
    expect(JSON.parse(refused.text)).toEqual({
      error: { code: 'INTAKE_FAILED', message: 'Try again later' },
    });
    expect(refused.text).not.toMatch(/redis|connection|ECONNREFUSED/i);

    // Restarted on its append-only file: the ids it had are still claimed.
    redis = await startRedis({ port: redis.port, persistDir: dir });
    await until(() => h.gateway.live.shared.redis?.status === 'ready', {
      what: 'redis status',
      timeoutMs: 10_000,
    });
    expect(JSON.parse((await deliver(event('evt_before_restart'))).text)).toEqual({
      received: true,
      duplicate: true,
    });
    expect(JSON.parse((await deliver(event('evt_during_outage'))).text)).toEqual({ received: true });
    expect((await (await h.fetch('/readyz')).json()).dependencies.redis).toBe('ok');
  });
});
