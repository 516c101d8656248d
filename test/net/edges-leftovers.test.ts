/**
 * What a graphql-ws client meets on a listening gateway over the emulator: every kind of operation
 * over the WebSocket, as over HTTP, with the same typed errors.
 */
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { GRAPHQL_ENDPOINT } from '../../src/server/gateway.ts';
import { type Listener, listen } from '../../src/server/listen.ts';
import { serveWebSockets, type WebSocketService } from '../../src/server/websocket.ts';
import { type Harness, startHarness } from '../server/harness.ts';

let h: Harness;
let listener: Listener;
let sockets: WebSocketService;
let client: Client;
beforeAll(async () => {
  h = await startHarness();
  listener = await listen(h.gateway.yoga, { port: 0, host: '127.0.0.1' });
  sockets = serveWebSockets(listener.server, h.gateway.yoga, GRAPHQL_ENDPOINT);
  const url = `${listener.origin.replace(/^http/, 'ws')}${GRAPHQL_ENDPOINT}`;
  client = createClient({ url, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
});
afterAll(async () => {
  await client.dispose();
  await sockets.close();
  await listener.close(1_000);
  await h.close();
});

/** What graphql-ws hands its sink for each result. */
type Result = Parameters<Parameters<Client['subscribe']>[1]['next']>[0];

/** The one result of an operation over the socket. */
const run = (query: string): Promise<Result> =>
  new Promise((resolve, reject) => {
    let result: Result | undefined;
    client.subscribe(
      { query },
      {
        next: (value) => {
          result = value;
        },
        error: (error) => reject(new Error(JSON.stringify(error))),
        complete: () => (result ? resolve(result) : reject(new Error('no result'))),
      },
    );
  });

describe('over graphql-ws', () => {
  it('runs a mutation, as over HTTP', async () => {
    const { data, errors } = await run(
      'mutation { createCustomer(input: { name: "Over The Socket" }) { id name } }',
    );
    expect(errors).toBeUndefined();
    const created = (data as { createCustomer: { id: string; name: string } }).createCustomer;
    expect(created.name).toBe('Over The Socket');
    const read = await h.query(`{ customer(id: "${created.id}") { name } }`);
    expect(read.body.data).toEqual({ customer: { name: 'Over The Socket' } });
  });

  it('answers a declined card with the typed error a POST gets', async () => {
    const declined = `mutation { createPaymentIntent(input: { amount: 2000, currency: "usd",
      customer: "${SEED.jenny.customer}", paymentMethod: "pm_card_chargeDeclined", paymentMethodTypes: ["card"],
      confirm: true }) { id } }`;
    const { data, errors } = await run(declined);
    expect(data).toEqual({ createPaymentIntent: null });
    expect(errors?.[0]?.extensions).toMatchObject({
      code: 'STRIPE_CARD_ERROR',
      stripe: { code: 'card_declined' },
      mayHaveHappened: false,
    });
    expect((await h.query(declined)).body.errors?.[0]?.extensions?.code).toBe('STRIPE_CARD_ERROR');
  });
});
