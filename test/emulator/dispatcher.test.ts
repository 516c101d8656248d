/**
 * The REST client reaches the emulator in-process through an undici dispatcher: no socket (the
 * API base does not even resolve), with the client's encoding, idempotency, retries and error
 * mapping working as over HTTP.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { EmulatorDispatcher } from '../../src/emulator/dispatcher.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { EmulatorService } from '../../src/emulator/service.ts';
import { createRestClient, type RequestEvent } from '../../src/rest/client.ts';
import { StripeError } from '../../src/rest/errors.ts';

const service = new EmulatorService({ faults: {}, randomSeed: 7 });
const events: RequestEvent[] = [];
const client = createRestClient({
  secretKey: service.defaultKey,
  apiBase: 'http://emulator.invalid',
  dispatcher: new EmulatorDispatcher(service),
  initialRetryDelayMs: 0,
  maxRetryDelayMs: 0,
  onRequest: (event) => events.push(event),
});
afterAll(() => client.close());

describe('the REST client over the emulator dispatcher', () => {
  it('reads, with path parameters, expand and the connected-account header', async () => {
    const customer = await client.request<{ id: string; email: string; sources: { data: unknown[] } }>({
      method: 'GET',
      path: '/v1/customers/{customer}',
      pathParams: { customer: SEED.jenny.customer },
      expand: ['sources'],
    });
    expect(customer).toMatchObject({ id: SEED.jenny.customer, email: SEED.jenny.email });
    expect(customer.sources.data).toHaveLength(1);
    const connected = await client.request<{ data: { id: string }[] }>({
      method: 'GET',
      path: '/v1/customers',
      stripeAccount: SEED.connected.account,
    });
    expect(connected.data.map((c) => c.id)).toEqual([SEED.connected.customer]);
  });

  it('pages through a list', async () => {
    const ids: string[] = [];
    for await (const customer of client.list<{ id: string }>({ path: '/v1/customers', params: { limit: 3 } }))
      ids.push(customer.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(SEED.customers));
  });

  it('writes form bodies, and an idempotency key replays the first answer', async () => {
    const request = {
      method: 'POST' as const,
      path: '/v1/customers',
      params: { name: 'Dispatched', metadata: { via: 'dispatcher' } },
      idempotencyKey: 'dispatcher-test-1',
    };
    const first = await client.request<{ id: string; metadata: unknown }>(request);
    const again = await client.request<{ id: string }>(request);
    expect(first.metadata).toEqual({ via: 'dispatcher' });
    expect(again.id).toBe(first.id);
  });

  it("maps Stripe's errors", async () => {
    const error = await client
      .request({ method: 'GET', path: '/v1/customers/{customer}', pathParams: { customer: 'cus_nope' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StripeError);
    expect(error).toMatchObject({
      kind: 'api',
      statusCode: 404,
      code: 'resource_missing',
      message: "No such customer: 'cus_nope'",
    });
    expect((error as StripeError).requestId).toMatch(/^req_/);
  });

  it('a dropped connection is a connection error, retried', async () => {
    service.setFaults({ dropRate: 1 });
    try {
      events.length = 0;
      const error = await client.request({ method: 'GET', path: '/v1/balance' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'connection' });
      expect(events[0]).toMatchObject({ attempts: 3, retried: true, status: null });
    } finally {
      service.setFaults({});
    }
  });
});
