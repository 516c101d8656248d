/**
 * The emulator delivers webhooks like Stripe: to endpoints created through its API, for the types
 * they enable, signed with each endpoint's own secret, retried with growing delays until the
 * endpoint answers 2xx.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { STRIPE_API_VERSION } from '../../src/spec/stripe.ts';
import { verifySignature } from '../../src/spec/webhook-signature.ts';
import { until } from '../helpers.ts';

interface Received {
  path: string;
  signature: string | undefined;
  body: string;
}

let emulator: Emulator;
let receiver: Server;
let origin: string;
const received: Received[] = [];
/** answers per path: the first N deliveries to it fail with 500 */
const failFirst = new Map<string, number>();
let stripe: Stripe;

beforeAll(async () => {
  emulator = await createEmulator({ webhooks: { retryDelaysMs: [50, 100, 200] } });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, signature: req.headers['stripe-signature'] as string | undefined, body });
      const failures = failFirst.get(path) ?? 0;
      if (failures > 0) {
        failFirst.set(path, failures - 1);
        res.writeHead(500).end('not now');
      } else res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  stripe = new Stripe(emulator.key, {
    host: '127.0.0.1',
    port: emulator.port,
    protocol: 'http',
    // The emulator serves the spec's version only (a newer SDK would send its own).
    apiVersion: STRIPE_API_VERSION as string as Stripe.LatestApiVersion,
    maxNetworkRetries: 0,
  });
});
afterAll(async () => {
  await emulator.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe('emulator webhooks', () => {
  it('delivers the events an endpoint enables, signed with its own secret', async () => {
    const all = await stripe.webhookEndpoints.create({ url: `${origin}/all`, enabled_events: ['*'] });
    const charges = await stripe.webhookEndpoints.create({
      url: `${origin}/charges`,
      enabled_events: ['charge.succeeded'],
    });
    expect(all.secret).toMatch(/^whsec_/);
    expect(charges.secret).not.toBe(all.secret);

    const customer = await stripe.customers.create({ name: 'Hooked' });
    const delivery = await until(() =>
      received.find((r) => r.path === '/all' && r.body.includes(customer.id)),
    );
    const event = JSON.parse(delivery.body) as { type: string; data: { object: { id: string } } };
    expect(event).toMatchObject({
      object: 'event',
      type: 'customer.created',
      data: { object: { id: customer.id } },
    });
    expect(verifySignature(delivery.signature, delivery.body, { secrets: [all.secret!] }).ok).toBe(true);
    expect(verifySignature(delivery.signature, delivery.body, { secrets: [charges.secret!] }).ok).toBe(false);
    // The official SDK's verifier accepts it too.
    expect(stripe.webhooks.constructEvent(delivery.body, delivery.signature!, all.secret!).id).toBeTruthy();

    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.filter((r) => r.path === '/charges')).toEqual([]);
    await stripe.webhookEndpoints.update(all.id, { disabled: true });
    await stripe.customers.create({ name: 'Unheard' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.some((r) => r.body.includes('Unheard'))).toBe(false);
    await stripe.webhookEndpoints.del(charges.id);
  });

  it('retries a failing endpoint with growing delays until it answers 2xx', async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: `${origin}/flaky`,
      enabled_events: ['customer.created'],
    });
    failFirst.set('/flaky', 2);
    const customer = await stripe.customers.create({ name: 'Retried' });
    // The emulator logs an attempt once it has read the answer, after the receiver saw the request.
    const attempts = await until(() => {
      const logged = emulator.webhooks.attempts.filter((a) => a.endpoint === endpoint.id);
      return logged.some((a) => a.ok) ? logged : undefined;
    });
    expect(attempts.map((a) => [a.attempt, a.status, a.ok])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 200, true],
    ]);
    expect(new Set(received.filter((r) => r.path === '/flaky').map((r) => JSON.parse(r.body).id)).size).toBe(
      1,
    );
    expect(attempts[0]!.eventId).toMatch(/^evt_/);
    expect(received.find((r) => r.path === '/flaky')!.body).toContain(customer.id);
    // The delays grow: 50 ms, then 100 ms (scheduled after each failure).
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(45);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(95);
    await stripe.webhookEndpoints.del(endpoint.id);
  });

  it('gives up after the last retry, and calls no host but loopback', async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: `${origin}/down`,
      enabled_events: ['customer.created'],
    });
    failFirst.set('/down', 100);
    await stripe.customers.create({ name: 'Never Acknowledged' });
    await until(() => emulator.webhooks.attempts.filter((a) => a.endpoint === endpoint.id).length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(emulator.webhooks.attempts.filter((a) => a.endpoint === endpoint.id)).toHaveLength(4);
    // The demo data's endpoints (example.com) were never called.
    expect(emulator.webhooks.attempts.some((a) => a.url.includes('example.com'))).toBe(false);
  });
});
