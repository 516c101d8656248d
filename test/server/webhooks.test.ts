/**
 * Webhook intake and subscriptions, in-process: Stripe's signature scheme (accept, refuse, stale,
 * rolled secrets), de-duplication by event id, and events reaching `stripeEvents` and the
 * per-object streams (over SSE through `yoga.fetch`) with their typed, walkable object.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeObject } from '../../src/loaders/requests.ts';
import type { StripeEvent } from '../../src/schema/subscriptions.ts';
import { EVENTS_TOPIC } from '../../src/server/pubsub.ts';
import { signatureHeader, verifySignature } from '../../src/spec/webhook-signature.ts';
import { type Harness, startHarness } from './harness.ts';
import { listening, subscribeOver } from './sse.ts';

const SECRET = 'whsec_unit_test_secret';
const OLD_SECRET = 'whsec_rolled_away';

describe('verifySignature', () => {
  const payload = '{"id":"evt_1","object":"event"}';
  const now = 1_700_000_000;
  const secrets = [SECRET];

  it('accepts a header signed with the secret, and any matching v1 among several', () => {
    expect(verifySignature(signatureHeader(SECRET, payload, now), payload, { secrets, now })).toEqual({
      ok: true,
      timestamp: now,
    });
    const both = signatureHeader([OLD_SECRET, SECRET], payload, now);
    expect(both.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(both, payload, { secrets, now }).ok).toBe(true);
    // The receiver may hold several secrets too (rolling on its side).
    expect(
      verifySignature(signatureHeader(OLD_SECRET, payload, now), payload, {
        secrets: [SECRET, OLD_SECRET],
        now,
      }).ok,
    ).toBe(true);
  });

  it('refuses another secret, a changed payload, a missing or malformed header', () => {
    const header = signatureHeader(SECRET, payload, now);
    expect(verifySignature(signatureHeader(OLD_SECRET, payload, now), payload, { secrets, now })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySignature(header, payload.replace('evt_1', 'evt_2'), { secrets, now }).ok).toBe(false);
    // A signature over another timestamp does not match, whatever t says.
    expect(
      verifySignature(header.replace(`t=${now}`, `t=${now + 1}`), payload, { secrets, now: now + 1 }).ok,
    ).toBe(false);
    for (const bad of [undefined, '', 'garbage', `t=${now}`, 'v1=abc', `t=${now},v0=${'0'.repeat(64)}`]) {
      expect(verifySignature(bad, payload, { secrets, now })).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses a timestamp outside the tolerance (300 s by default), unless tolerance is 0', () => {
    const header = signatureHeader(SECRET, payload, now);
    expect(verifySignature(header, payload, { secrets, now: now + 300 }).ok).toBe(true);
    expect(verifySignature(header, payload, { secrets, now: now + 301 })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifySignature(header, payload, { secrets, now: now - 301 })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifySignature(header, payload, { secrets, now: now + 10, toleranceSeconds: 5 }).ok).toBe(false);
    expect(verifySignature(header, payload, { secrets, now: now + 99_999, toleranceSeconds: 0 }).ok).toBe(
      true,
    );
  });
});

let h: Harness;
let customerId: string;
beforeAll(async () => {
  h = await startHarness({ STRIPE_WEBHOOK_SECRET: `${SECRET},${OLD_SECRET}` });
  const page = await h.admin.request<{ data: StripeObject[] }>({
    method: 'GET',
    path: '/v1/customers',
    params: { limit: 20 },
  });
  customerId = String(page.data.find((c) => typeof c.default_source === 'string')!.id);
});
afterAll(() => h.close());

/** Changes the customer at the emulator and returns the event it recorded. */
async function updateCustomer(fields: Record<string, string>): Promise<StripeEvent> {
  await h.admin.request({
    method: 'POST',
    path: '/v1/customers/{customer}',
    pathParams: { customer: customerId },
    params: fields,
  });
  const events = await h.admin.request<{ data: StripeEvent[] }>({
    method: 'GET',
    path: '/v1/events',
    params: { limit: 1, type: 'customer.updated' },
  });
  return events.data[0]!;
}

function deliver(payload: string, header: string | undefined) {
  return h.fetch('/webhooks/stripe', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
    body: payload,
  });
}

const subscribe = (query: string, variables?: Record<string, unknown>) =>
  subscribeOver(h.gateway.yoga, query, variables ? { variables } : {});
const publish = (event: StripeEvent) => h.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, event);

let sentinels = 0;
const sentinel = (): StripeEvent => ({
  id: `evt_sentinel_${++sentinels}`,
  object: 'event',
  type: 'gateway.sentinel',
  created: 1,
  data: { object: { id: 'ping', object: 'ping' } },
});

describe('POST /webhooks/stripe', () => {
  it('publishes a validly signed event; stripeEvents gets it with its typed object', async () => {
    const stream = await subscribe(`subscription {
      stripeEvents {
        id type created account
        object { id ... on Customer { name email } }
        previousAttributes
      }
    }`);
    await listening(stream, publish, sentinel);

    const event = await updateCustomer({ name: 'Signed Name' });
    const payload = JSON.stringify(event);
    const response = await deliver(payload, signatureHeader(SECRET, payload));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });

    const result = await stream.next();
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      stripeEvents: {
        id: event.id,
        type: 'customer.updated',
        created: new Date(event.created * 1000).toISOString(),
        account: null,
        object: { id: customerId, name: 'Signed Name', email: expect.any(String) },
        previousAttributes: { name: expect.any(String) },
      },
    });
    stream.close();
  });

  it('refuses a bad signature, a stale one and a missing one with 400, and publishes nothing; a replay is answered 200 and not published', async () => {
    const published: string[] = [];
    const spy = h.gateway.live.shared.pubsub.subscribe(EVENTS_TOPIC);
    const collecting = (async () => {
      for await (const e of spy) {
        published.push(e.id);
        if (e.id === 'evt_end') break;
      }
    })();
    // The spy listens once its first next() runs.
    await new Promise((resolve) => setTimeout(resolve, 10));

    const event = await updateCustomer({ name: 'Refused Name' });
    const payload = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);
    const refusals = [
      [signatureHeader('whsec_someone_else', payload), 'BAD_SIGNATURE'],
      [signatureHeader(SECRET, payload, now - 301), 'STALE_SIGNATURE'],
      [signatureHeader(SECRET, payload, now + 301), 'STALE_SIGNATURE'],
      [signatureHeader(SECRET, `${payload} `), 'BAD_SIGNATURE'],
      [undefined, 'BAD_SIGNATURE'],
    ] as const;
    for (const [header, code] of refusals) {
      const response = await deliver(payload, header);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    // Signed with the secret being rolled away: still accepted.
    const first = await deliver(payload, signatureHeader(OLD_SECRET, payload));
    expect(first.status).toBe(200);
    // Stripe delivering it again (a retry, or a replay with a fresh signature): not published twice.
    const replay = await deliver(payload, signatureHeader(SECRET, payload));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ received: true, duplicate: true });
    // Signed, but not an event.
    const notEvent = JSON.stringify({ id: 'x', object: 'customer' });
    expect((await deliver(notEvent, signatureHeader(SECRET, notEvent))).status).toBe(400);

    const end = JSON.stringify({ ...event, id: 'evt_end' });
    expect((await deliver(end, signatureHeader(SECRET, end))).status).toBe(200);
    await collecting;
    expect(published).toEqual([event.id, 'evt_end']);

    const metrics = await (await h.fetch('/metrics')).text();
    expect(metrics).toMatch(/stripe_webhooks_total\{outcome="bad_signature"\} 3/);
    expect(metrics).toMatch(/stripe_webhooks_total\{outcome="stale"\} 2/);
    expect(metrics).toMatch(/stripe_webhooks_total\{outcome="duplicate"\} 1/);
  });

  it('is not served with GET, and the GraphQL endpoint is unaffected', async () => {
    expect((await h.fetch('/webhooks/stripe')).status).toBe(405);
    expect((await h.query('{ customer(id: "nope") { id } }')).status).toBe(200);
  });
});

describe('per-object streams', () => {
  it('customerUpdated(id:) gets that customer after its events, walkable through fresh loaders', async () => {
    const stream = await subscribe(
      `subscription($id: ID!) {
        customerUpdated(id: $id) {
          id name
          defaultSource { ... on Card { id last4 } }
        }
      }`,
      { id: customerId },
    );
    const customerSentinel = (): StripeEvent => ({
      ...sentinel(),
      data: { object: { id: customerId, object: 'customer', name: 'sentinel', default_source: null } },
    });
    await listening(stream, publish, customerSentinel);
    h.upstreamCalls();

    // Another customer's event is not this stream's.
    const other = { ...sentinel(), data: { object: { id: 'cus_other', object: 'customer', name: 'x' } } };
    h.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, other);

    for (const name of ['First Change', 'Second Change']) {
      const event = await updateCustomer({ name });
      const payload = JSON.stringify(event);
      expect((await deliver(payload, signatureHeader(SECRET, payload))).status).toBe(200);
      const result = await stream.next();
      expect(result.errors).toBeUndefined();
      const customer = (result.data as { customerUpdated: Record<string, unknown> }).customerUpdated;
      expect(customer).toMatchObject({ id: customerId, name });
      expect(customer.defaultSource).toMatchObject({ last4: expect.any(String) });
    }
    // Each event read its reference again (fresh loaders per event): one source read each, besides
    // the two updates and two event reads the test made.
    expect(h.upstreamCalls()).toBe(4 + 2);
    // Its deletion answers the typed DELETED error naming the id, as a read of it would.
    publish({
      ...sentinel(),
      type: 'customer.deleted',
      data: { object: { id: customerId, object: 'customer', deleted: true } },
    });
    const gone = await stream.next();
    expect(gone.errors?.[0]?.extensions).toMatchObject({ code: 'DELETED', id: customerId });
    expect(stream.pending).toBe(0);
    stream.close();
  });

  it('a platform subscriber does not see a connected account’s events', async () => {
    const stream = await subscribe('subscription { stripeEvents(types: ["customer.*"]) { id account } }');
    const platformSentinel = (): StripeEvent => ({ ...sentinel(), type: 'customer.sentinel' });
    await listening(stream, publish, platformSentinel);
    h.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, {
      ...platformSentinel(),
      id: 'evt_connected',
      account: 'acct_123',
    });
    h.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, {
      ...platformSentinel(),
      id: 'evt_other_type',
      type: 'charge.updated',
    });
    h.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, { ...platformSentinel(), id: 'evt_platform' });
    const result = await stream.next();
    expect(result.data).toEqual({ stripeEvents: { id: 'evt_platform', account: null } });
    stream.close();
  });
});

describe('intake faults and API versions', () => {
  it('answers 500 without the store’s text when publishing fails, and releases the claim so that the retry is published', async () => {
    const shared = h.gateway.live.shared;
    const publishing = shared.publish;
    let failures = 1;
    shared.publish = async (event) => {
      if (failures-- > 0) throw new Error('Connection is closed. (ioredis at 127.0.0.1:6379)');
      return publishing.call(shared, event);
    };
    try {
      const event = await updateCustomer({ name: 'Published Once Retried' });
      const payload = JSON.stringify(event);
      const failed = await deliver(payload, signatureHeader(SECRET, payload));
      expect(failed.status).toBe(500);
      const text = await failed.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'INTAKE_FAILED', message: 'Try again later' } });
      expect(text).not.toMatch(/ioredis|Connection is closed|6379/);
      // Stripe's retry: processed, not taken for a duplicate.
      const retried = await deliver(payload, signatureHeader(SECRET, payload));
      expect(await retried.json()).toEqual({ received: true });
    } finally {
      shared.publish = publishing;
    }
  });

  it('reads an event’s object again at the gateway’s version when the event was rendered at another', async () => {
    const stream = await subscribe(
      'subscription { stripeEvents { id object { id ... on Customer { name } } } }',
    );
    await listening(stream, publish, sentinel);
    const event = await updateCustomer({ name: 'Current Name' });
    // The same event as an endpoint pinned to a newer version would render it (fields renamed).
    const newer = {
      ...event,
      id: 'evt_newer_version',
      api_version: '2099-01-01.future',
      data: { object: { id: customerId, object: 'customer', full_name: 'Renamed Field' } },
    };
    const payload = JSON.stringify(newer);
    const response = await deliver(payload, signatureHeader(SECRET, payload));
    expect(await response.json()).toEqual({ received: true });
    const result = await stream.next();
    expect(result.data).toEqual({
      stripeEvents: { id: 'evt_newer_version', object: { id: customerId, name: 'Current Name' } },
    });

    // One whose object cannot be read again is dropped, with a reason in the log and a metric.
    const gone = {
      ...newer,
      id: 'evt_newer_gone',
      data: { object: { id: 'cus_DoesNotExist00', object: 'customer' } },
    };
    const gonePayload = JSON.stringify(gone);
    const dropped = await deliver(gonePayload, signatureHeader(SECRET, gonePayload));
    expect(await dropped.json()).toEqual({ received: true, dropped: true });
    expect(
      h.logs.find((l) => l.msg === 'webhook event dropped' && l.eventId === 'evt_newer_gone'),
    ).toMatchObject({
      reason: expect.stringContaining('2099-01-01.future'),
    });
    expect(await (await h.fetch('/metrics')).text()).toMatch(
      /stripe_webhooks_total\{outcome="dropped_version"\} 1/,
    );
    await expect(stream.next(200)).rejects.toThrow();
    stream.close();
  });
});
