/** Error masking and secret redaction, in responses and in logs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestClient } from '../../src/rest/client.ts';
import { StripeError } from '../../src/rest/errors.ts';
import { recordingRest } from '../helpers.ts';
import { type Harness, startHarness } from './harness.ts';

const KEY = 'sk_test_MaskingSuiteKey0123456789';

/** A client that fails in chosen ways for chosen customer ids, and passes everything else on. */
function failing(rest: RestClient): RestClient {
  return recordingRest(rest, (request) => {
    const id = request.pathParams?.customer;
    if (id === 'cus_bug') throw new TypeError(`cannot read properties of undefined (key ${KEY})`);
    if (id === 'cus_declined') {
      throw new StripeError({
        kind: 'api',
        statusCode: 402,
        type: 'card_error',
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        message: `Your card has insufficient funds. (sent with ${KEY})`,
        requestId: 'req_test123',
      });
    }
    return undefined;
  });
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ STRIPE_SECRET_KEY: KEY }, { wrapRest: failing });
});
afterAll(() => h.close());

describe('error masking', () => {
  it('masks an unexpected error with a reference that the log line carries with the request id', async () => {
    const response = await h.query('{ customer(id: "cus_bug") { __typename } }', {
      headers: { 'x-request-id': 'req-masking-1' },
    });
    const error = response.body.errors?.[0];
    expect(error?.message).toMatch(/^Unexpected error\. Reference: [0-9a-f]{16}$/);
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error?.path).toEqual(['customer']);
    expect(JSON.stringify(response.body)).not.toContain('cannot read properties');
    const reference = error?.extensions?.reference;
    const logged = h.logs.find((line) => line.reference === reference);
    expect(logged).toMatchObject({ level: 'error', msg: 'unexpected error', requestId: 'req-masking-1' });
    expect(JSON.stringify(logged)).toContain('cannot read properties of undefined');
    expect(response.headers.get('x-request-id')).toBe('req-masking-1');
  });

  it('keeps the typed extensions of Stripe errors', async () => {
    const response = await h.query('{ customer(id: "cus_declined") { __typename } }');
    expect(response.body.errors?.[0]?.extensions).toEqual({
      code: 'STRIPE_CARD_ERROR',
      stripe: {
        kind: 'api',
        type: 'card_error',
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        statusCode: 402,
        requestId: 'req_test123',
      },
    });
  });

  it('keeps expected errors from the emulator (NOT_FOUND) as they are', async () => {
    const response = await h.query('{ customer(id: "cus_doesnotexist") { __typename } }');
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      stripe: { statusCode: 404 },
    });
    expect(response.body.errors?.[0]?.message).toContain('cus_doesnotexist');
  });

  it('never lets the secret key into a response or a log line', async () => {
    const declined = await h.query('{ customer(id: "cus_declined") { __typename } }');
    expect(declined.body.errors?.[0]?.message).toBe(
      'Your card has insufficient funds. (sent with [REDACTED])',
    );
    await h.query('{ customer(id: "cus_bug") { __typename } }');
    await h.query('{ customers(first: 2) { nodes { id } } }');
    const metrics = await (await h.fetch('/metrics')).text();
    const everything = [JSON.stringify(declined.body), metrics, ...h.rawLogs].join('\n');
    expect(h.rawLogs.length).toBeGreaterThan(3);
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(KEY.slice('sk_test_'.length));
    expect(h.rawLogs.some((line) => line.includes('[REDACTED]'))).toBe(true);
  });

  it('keeps syntax and validation errors readable', async () => {
    const syntax = await h.query('{ customer(id: ');
    expect(syntax.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const invalid = await h.query('{ nope }');
    expect(invalid.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('Cannot query field "nope" on type "Query"'),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});
