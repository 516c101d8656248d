/**
 * Safe retries: a failed write's error carries the idempotency key the gateway sent
 * (`extensions.idempotencyKey`, the caller's or one it made) and whether Stripe may have applied it
 * anyway (`extensions.mayHaveHappened`). Faults are injected after the write reached the emulator
 * (a timeout, a lost connection, a 5xx); retrying with the key the error gave writes nothing twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RestClient } from '../../src/rest/client.ts';
import { StripeError, type StripeErrorInit } from '../../src/rest/errors.ts';
import { type RecordingRest, recordingRest } from '../helpers.ts';
import { type Harness, startHarness } from './harness.ts';

/** The fault to raise after the next POST has been forwarded (and applied). */
let fault: StripeErrorInit | undefined;
let rest: RecordingRest;
/** The idempotency keys of the POSTs sent upstream since the test began. */
const keysSent = () =>
  rest.requests.filter((request) => request.method === 'POST').map((request) => request.idempotencyKey);

/** Forwards each write, then raises `fault` (once) as though the answer had been lost. */
function faulty(inner: RestClient): RecordingRest {
  rest = recordingRest(inner, async (request, forward) => {
    const result = await forward();
    const injected = request.method === 'POST' ? fault : undefined;
    fault = undefined;
    if (injected) throw new StripeError(injected);
    return result;
  });
  return rest;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, { wrapRest: faulty });
});
afterAll(() => h.close());
beforeEach(() => {
  fault = undefined;
  rest.requests.length = 0;
});

const CREATE = `mutation Create($key: String, $email: String) {
  createCustomer(idempotencyKey: $key, input: { email: $email }) { id email }
}`;

async function customersWith(email: string): Promise<number> {
  const page = await h.admin.request<{ data: unknown[] }>({
    method: 'GET',
    path: '/v1/customers',
    params: { email },
  });
  return page.data.length;
}

describe('a failed write tells how to retry it safely', () => {
  it.each([
    ['a timeout', { kind: 'timeout', message: 'Request to Stripe timed out' }, 'STRIPE_TIMEOUT'],
    ['a lost connection', { kind: 'connection', message: 'socket hang up' }, 'STRIPE_UNREACHABLE'],
    [
      'a 500',
      { kind: 'api', type: 'api_error', statusCode: 500, message: 'Something went wrong' },
      'STRIPE_API_ERROR',
    ],
  ] as const)(
    'after %s: the key it used, mayHaveHappened, and a retry with it writes once',
    async (_, injected, code) => {
      const email = `retry-${code.toLowerCase()}@example.com`;
      fault = injected;
      const failed = await h.query(CREATE, { variables: { email } });
      const error = failed.body.errors?.[0];
      expect(error?.extensions?.code).toBe(code);
      expect(error?.extensions?.mayHaveHappened).toBe(true);
      const key = error?.extensions?.idempotencyKey as string;
      expect(key).toMatch(/^[0-9a-f-]{36}$/);
      expect(keysSent()).toEqual([key]);
      // The write did happen.
      expect(await customersWith(email)).toBe(1);

      const retried = await h.query(CREATE, { variables: { email, key } });
      expect(retried.body.errors).toBeUndefined();
      expect(await customersWith(email)).toBe(1);

      // A retry without the key writes again: what the key prevents.
      await h.query(CREATE, { variables: { email } });
      expect(await customersWith(email)).toBe(2);
    },
  );

  it('a refusal by Stripe (4xx) carries the key and says the write did not happen; the caller’s key is echoed', async () => {
    const refused = await h.query(
      `mutation { updateCustomer(id: "cus_doesnotexist000000", idempotencyKey: "mine-1", input: { name: "x" }) { id } }`,
    );
    const error = refused.body.errors?.[0];
    expect(error?.extensions?.code).toBe('NOT_FOUND');
    expect(error?.extensions?.idempotencyKey).toBe('mine-1');
    expect(error?.extensions?.mayHaveHappened).toBe(false);
  });
});
