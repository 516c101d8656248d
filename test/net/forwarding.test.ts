/**
 * Forwarding (src/emulator/transport/forwarding.ts) to a destination listening on loopback: the
 * card filled in on the way out, stored redacted, sent once per idempotency key. (It needs a
 * socket, so it is here rather than with the other lifecycles in test/emulator/flow-lifecycles.)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../server/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const f = {
  /** Runs an operation, failing on any error; returns its data. */
  async ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const response = await h.query(query, variables ? { variables } : {});
    expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
    return response.body.data as Record<string, any>;
  },
};

describe('Forwarding', () => {
  it('forwards to a loopback URL with the card filled in, and stores it redacted', async () => {
    const received: { headers: Record<string, unknown>; body: string }[] = [];
    const destination = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        // A destination that echoes the number and sets a session cookie: neither may be stored.
        const number = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}').number;
        res.writeHead(201, {
          'content-type': 'application/json',
          'x-vault': 'yes',
          'set-cookie': 'sid=s3cr3t',
        });
        res.end(JSON.stringify({ token: 'vault_1', number }));
      });
    });
    await new Promise<void>((resolve) => destination.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(destination.address() as AddressInfo).port}/cards`;
    try {
      const { createPaymentMethod: method } = await f.ok(`mutation {
        createPaymentMethod(input: { type: CARD, card: { number: "4242424242424242", expMonth: 4, expYear: 2031, cvc: "123" },
          billingDetails: { name: "Jenny Rosen" } }) { id }
      }`);
      const forward = `mutation($pm: ID!, $url: String!) { createForwardingRequest(idempotencyKey: "forward-once", input: {
          paymentMethod: $pm, url: $url, replacements: [CARD_NUMBER, CARD_EXPIRY, CARDHOLDER_NAME],
          request: { body: "{\\"number\\":\\"{{card_number}}\\",\\"expiry\\":\\"{{card_expiry}}\\",\\"name\\":\\"{{cardholder_name}}\\"}",
            headers: [{ name: "Destination-Api-Key", value: "vault-key" }, { name: "Authorization", value: "Bearer vault-token" },
              { name: "Destination-Idempotency-Key", value: "order-1" }] } }) {
          requestDetails { body httpMethod headers { name value } }
          responseDetails { status body headers { name value } }
          requestContext { destinationIpAddress destinationDuration }
        } }`;
      const { createForwardingRequest: forwarded } = await f.ok(forward, { pm: method.id, url });
      // A retry with the same idempotency key answers the same, without sending again.
      expect((await f.ok(forward, { pm: method.id, url })).createForwardingRequest).toEqual(forwarded);
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0]!.body)).toEqual({
        number: '4242424242424242',
        expiry: '04/31',
        name: 'Jenny Rosen',
      });
      expect(received[0]!.headers['destination-api-key']).toBe('vault-key');
      expect(received[0]!.headers.authorization).toBe('Bearer vault-token');
      expect(received[0]!.headers['content-type']).toBe('application/json');
      // Stored as Stripe stores it: credentials redacted, the Content-Type it adds listed.
      expect(forwarded.requestDetails.headers).toEqual([
        { name: 'Destination-Api-Key', value: '[REDACTED]' },
        { name: 'Authorization', value: '[REDACTED]' },
        { name: 'Destination-Idempotency-Key', value: 'order-1' },
        { name: 'Content-Type', value: 'application/json' },
      ]);
      expect(JSON.stringify(forwarded)).not.toMatch(/vault-key|vault-token|s3cr3t|4242424242424242/);
      expect(JSON.parse(forwarded.requestDetails.body)).toEqual({
        number: '424242******4242',
        expiry: '04/31',
        name: 'Jenny Rosen',
      });
      expect(forwarded.requestDetails.httpMethod).toBe('POST');
      expect(forwarded.responseDetails).toMatchObject({
        status: 201,
        body: '{"token":"vault_1","number":"424242******4242"}',
      });
      expect(forwarded.responseDetails.headers).toContainEqual({ name: 'x-vault', value: 'yes' });
      expect(forwarded.responseDetails.headers).toContainEqual({ name: 'set-cookie', value: '[REDACTED]' });
      expect(forwarded.requestContext.destinationIpAddress).toBe('127.0.0.1');

      // Elsewhere than loopback: recorded, not sent.
      const { createForwardingRequest: recorded } = await f.ok(
        `mutation($pm: ID!) { createForwardingRequest(input: { paymentMethod: $pm, url: "https://vault.example.com/cards",
          replacements: [CARD_NUMBER], request: { body: "{{card_number}}" } }) { requestDetails { body } responseDetails { status } } }`,
        { pm: method.id },
      );
      expect(recorded).toEqual({ requestDetails: { body: '424242******4242' }, responseDetails: null });
      expect(received).toHaveLength(1);
    } finally {
      destination.close();
    }
  });
});
