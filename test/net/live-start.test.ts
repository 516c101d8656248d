/**
 * `npm start` with no key gives live events with no set-up: the gateway registers itself as the
 * built-in emulator's webhook endpoint, so a write made with the `stripe` SDK against the printed
 * emulator URL reaches a subscriber; WebSocket clients get typed errors for bad documents.
 */
import { createClient } from 'graphql-ws';
import Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { STRIPE_API_VERSION } from '../../src/spec/stripe.ts';
import { readResults } from '../server/sse.ts';
import { type Cli, graphqlUrlOf, startCli } from './cli.ts';

let cli: Cli | undefined;
afterAll(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
});

describe('npm start on the built-in emulator', () => {
  it('delivers the emulator’s events to subscribers with no set-up', async () => {
    cli = startCli({ LOG_LEVEL: 'warn' });
    const url = await graphqlUrlOf(cli);
    const emulatorUrl = new URL((await cli.waitFor(/demo data at (http:\/\/\S+)/))[1]!);
    await cli.waitFor(/Stripe webhooks: POST http:\/\/\S+\/webhooks\/stripe\n/);
    const stripe = new Stripe('sk_test_anything', {
      host: emulatorUrl.hostname,
      port: Number(emulatorUrl.port),
      protocol: 'http',
      // The emulator serves the spec's version only (a newer SDK would send its own).
      apiVersion: STRIPE_API_VERSION as string as Stripe.LatestApiVersion,
    });
    const endpoints = await stripe.webhookEndpoints.list({ limit: 100 });
    expect(endpoints.data.some((e) => e.url === `${new URL(url).origin}/webhooks/stripe`)).toBe(true);

    const abort = new AbortController();
    const response = await fetch(url, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'subscription { stripeEvents(types: ["customer.created"]) { type object { ... on Customer { id name } } } }',
      }),
      signal: abort.signal,
    });
    const stream = readResults(response, abort);
    // The subscription listens a moment after its headers: create customers until one is seen.
    let result: Awaited<ReturnType<typeof stream.next>> | undefined;
    let created: Stripe.Customer | undefined;
    for (let i = 0; i < 50 && !result; i++) {
      created = await stripe.customers.create({ name: `Live ${i}` });
      result = await stream.next(200).catch(() => undefined);
    }
    expect(result?.data).toMatchObject({
      stripeEvents: {
        type: 'customer.created',
        object: { id: expect.stringMatching(/^cus_/), name: expect.stringMatching(/^Live /) },
      },
    });
    expect(created).toBeDefined();
    stream.close();

    // A bad document over WebSocket is an error to that operation, not a dropped connection.
    const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket });
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: 'subscription { stripeEvents { ' },
        { next: resolve, error: resolve, complete: () => resolve('complete') },
      );
    });
    expect(JSON.stringify(outcome)).toMatch(/Syntax Error/);
    const fine = await new Promise<unknown>((resolve, reject) => {
      client.subscribe(
        { query: '{ customers(first: 1) { nodes { id } } }' },
        { next: resolve, error: reject, complete: () => {} },
      );
    });
    expect(fine).toMatchObject({ data: { customers: { nodes: [{ id: expect.any(String) }] } } });
    await client.dispose();
  });
});
