/**
 * Bad input answers Stripe's error shape and status, and changes nothing: the store holds the same
 * objects and no event was recorded (every change records one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type EmulatorHarness, type RequestOptions, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await startEmulatorHarness();
});
afterAll(() => h.close());

interface Case {
  name: string;
  method: string;
  path: string | (() => string);
  options?: RequestOptions;
  status: number;
  error: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'unknown parameter',
    method: 'POST',
    path: '/v1/customers',
    options: { body: 'name=A&foo=bar' },
    status: 400,
    error: {
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      param: 'foo',
      message: 'Received unknown parameter: foo',
    },
  },
  {
    name: 'unknown nested parameter',
    method: 'POST',
    path: '/v1/customers',
    options: { body: 'address[planet]=mars' },
    status: 400,
    error: {
      code: 'parameter_unknown',
      param: 'address[planet]',
      message: 'Received unknown parameter: address[planet]',
    },
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    path: '/v1/customers?colour=blue',
    status: 400,
    error: { code: 'parameter_unknown', param: 'colour' },
  },
  {
    // A list without paging parameters: the gateway must not send `limit` (Stripe answers this 400).
    name: 'paging parameter on a list that takes none',
    method: 'GET',
    path: '/v1/reporting/report_types?limit=3',
    status: 400,
    error: {
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      param: 'limit',
      message: 'Received unknown parameter: limit',
    },
  },
  {
    name: 'wrong type: integer',
    method: 'GET',
    path: '/v1/customers?limit=abc',
    status: 400,
    error: {
      type: 'invalid_request_error',
      code: 'parameter_invalid_integer',
      param: 'limit',
      message: 'Invalid integer: abc',
    },
  },
  {
    name: 'wrong type: boolean',
    method: 'POST',
    path: '/v1/products',
    options: { body: 'name=P&active=maybe' },
    status: 400,
    error: { param: 'active', message: 'Invalid boolean: maybe' },
  },
  {
    name: 'wrong type: enum',
    method: 'POST',
    path: '/v1/customers',
    options: { body: 'tax_exempt=sometimes' },
    status: 400,
    error: { param: 'tax_exempt', message: 'Invalid tax_exempt: must be one of exempt, none, reverse' },
  },
  {
    name: 'wrong type: hash for a string',
    method: 'POST',
    path: '/v1/customers',
    options: { body: 'email[a]=b' },
    status: 400,
    error: { param: 'email' },
  },
  {
    name: 'empty string where it cannot unset',
    method: 'POST',
    path: '/v1/products',
    options: { body: 'name=P&active=' },
    status: 400,
    error: { code: 'parameter_invalid_empty', param: 'active' },
  },
  {
    name: 'missing required parameter',
    method: 'POST',
    path: '/v1/invoiceitems',
    options: { body: 'amount=100&currency=usd' },
    status: 400,
    error: {
      type: 'invalid_request_error',
      code: 'parameter_missing',
      param: 'customer',
      message: 'Missing required param: customer.',
    },
  },
  {
    name: 'missing required nested parameter',
    method: 'POST',
    path: '/v1/customers',
    options: { body: 'shipping[name]=Jenny' },
    status: 400,
    error: { code: 'parameter_missing', param: 'shipping[address]' },
  },
  {
    name: 'unknown id in the path',
    method: 'GET',
    path: '/v1/customers/cus_nope',
    status: 404,
    error: {
      type: 'invalid_request_error',
      code: 'resource_missing',
      param: 'id',
      message: "No such customer: 'cus_nope'",
    },
  },
  {
    name: 'unknown id of the wrong kind',
    method: 'GET',
    path: () => `/v1/customers/${SEED.grace.charge}`,
    status: 404,
    error: { code: 'resource_missing', message: `No such customer: '${SEED.grace.charge}'` },
  },
  {
    name: 'unknown parent in a nested path',
    method: 'POST',
    path: '/v1/customers/cus_nope/sources',
    options: { body: 'source=tok_visa' },
    status: 404,
    error: { code: 'resource_missing', message: "No such customer: 'cus_nope'" },
  },
  {
    name: 'unknown id in a parameter',
    method: 'POST',
    path: '/v1/invoiceitems',
    options: { body: 'customer=cus_nope&amount=100&currency=usd' },
    status: 400,
    error: { code: 'resource_missing', param: 'customer', message: "No such customer: 'cus_nope'" },
  },
  {
    name: 'unknown cursor',
    method: 'GET',
    path: '/v1/customers?starting_after=cus_nope',
    status: 400,
    error: { code: 'resource_missing', param: 'starting_after' },
  },
  {
    name: 'limit out of range',
    method: 'GET',
    path: '/v1/customers?limit=101',
    status: 400,
    error: { param: 'limit', message: 'This value must be less than or equal to 100.' },
  },
  {
    name: 'search limit out of range',
    method: 'GET',
    path: '/v1/customers/search?query=email%3A%22a%40b.c%22&limit=0',
    status: 400,
    error: { param: 'limit', message: 'This value must be greater than or equal to 1.' },
  },
  {
    name: 'both cursors',
    method: 'GET',
    path: () => `/v1/customers?starting_after=${SEED.jenny.customer}&ending_before=${SEED.jenny.customer}`,
    status: 400,
    error: { code: 'parameters_exclusive' },
  },
  {
    name: 'bad key',
    method: 'GET',
    path: '/v1/customers',
    options: { key: 'pk_test_1234567890abcdef' },
    status: 401,
    error: { type: 'invalid_request_error', message: 'Invalid API Key provided: pk_test_************cdef' },
  },
  {
    name: 'live key',
    method: 'POST',
    path: '/v1/customers',
    options: { key: 'sk_live_abcdefghijklmnop', body: 'name=A' },
    status: 401,
    error: { message: 'Invalid API Key provided: sk_live_************mnop' },
  },
  {
    name: 'no key',
    method: 'POST',
    path: '/v1/customers',
    options: { key: null, body: 'name=A' },
    status: 401,
    error: { type: 'invalid_request_error' },
  },
  {
    name: 'malformed body: bad percent-encoding',
    method: 'POST',
    path: '/v1/customers',
    options: { body: 'name=%zz' },
    status: 400,
    error: { type: 'invalid_request_error' },
  },
  {
    name: 'malformed body: a value and a hash under one name',
    method: 'POST',
    path: '/v1/customers',
    options: { body: 'metadata=x&metadata[a]=b' },
    status: 400,
    error: { type: 'invalid_request_error' },
  },
  {
    name: 'non-expandable field',
    method: 'GET',
    path: () => `/v1/customers/${SEED.jenny.customer}?expand[]=email`,
    status: 400,
    error: { type: 'invalid_request_error', message: 'This property cannot be expanded (email).' },
  },
  {
    name: 'non-expandable field on a create',
    method: 'POST',
    path: '/v1/customers',
    options: { body: 'name=A&expand[]=metadata' },
    status: 400,
    error: { message: 'This property cannot be expanded (metadata).' },
  },
  {
    name: 'list expansion without data.',
    method: 'GET',
    path: '/v1/customers?expand[]=default_source',
    status: 400,
    error: {
      message:
        "This property cannot be expanded (default_source). You may want to try expanding 'data.default_source' instead.",
    },
  },
  {
    name: 'expansion deeper than four levels',
    method: 'GET',
    path: '/v1/customers?expand[]=data.default_source.customer.default_source.customer',
    status: 400,
    error: { code: 'property_expansion_max_depth', param: 'expand' },
  },
  {
    name: 'unknown route',
    method: 'GET',
    path: '/v1/nothing',
    status: 404,
    error: {
      type: 'invalid_request_error',
      message:
        'Unrecognized request URL (GET: /v1/nothing). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
    },
  },
  {
    name: 'method not served on a known path',
    method: 'DELETE',
    path: '/v1/charges',
    status: 404,
    error: { message: expect.stringContaining('Unrecognized request URL (DELETE: /v1/charges)') },
  },
  {
    name: 'unknown connected account',
    method: 'POST',
    path: '/v1/customers',
    options: { body: 'name=A', headers: { 'Stripe-Account': 'acct_nope' } },
    status: 403,
    error: { type: 'invalid_request_error', code: 'account_invalid' },
  },
  {
    name: 'malformed Stripe-Version',
    method: 'GET',
    path: '/v1/customers',
    options: { headers: { 'Stripe-Version': 'yesterday' } },
    status: 400,
    error: { message: 'Invalid Stripe API version: yesterday' },
  },
  {
    name: 'a Stripe-Version Stripe never had',
    method: 'GET',
    path: '/v1/customers',
    options: { headers: { 'Stripe-Version': '2024-04-11' } },
    status: 400,
    error: { type: 'invalid_request_error', message: 'Invalid Stripe API version: 2024-04-11' },
  },
  {
    name: 'a Stripe-Version Stripe has, but the emulator does not serve',
    method: 'GET',
    path: '/v1/customers',
    options: { headers: { 'Stripe-Version': '2023-10-16' } },
    status: 400,
    error: {
      type: 'invalid_request_error',
      code: 'api_version_unsupported',
      message:
        'The emulator serves Stripe API version 2024-04-10 only, and this request asked for 2023-10-16. Send Stripe-Version: 2024-04-10, or no Stripe-Version header.',
    },
  },
  {
    name: 'a later named release',
    method: 'GET',
    path: '/v1/customers',
    options: { headers: { 'Stripe-Version': '2026-10-28.endive' } },
    status: 400,
    error: { code: 'api_version_unsupported' },
  },
  {
    name: 'refund above what remains',
    method: 'POST',
    path: '/v1/refunds',
    options: { body: `charge=${SEED.grace.charge}&amount=100000` },
    status: 400,
    error: {
      param: 'amount',
      message: 'Refund amount ($1000.00) is greater than unrefunded amount on charge ($39.99)',
    },
  },
  {
    name: 'a one-time price on a subscription',
    method: 'POST',
    path: '/v1/subscriptions',
    options: {
      body: `customer=${SEED.jenny.customer}&items[0][price]=${SEED.prices.proMonthly}&items[1][price]=${SEED.prices.setupFee}`,
    },
    status: 400,
    error: { param: 'items[1][price]', message: expect.stringContaining('type=recurring') },
  },
  {
    name: 'a rule failing half-way rolls back the whole request',
    method: 'POST',
    path: () => `/v1/subscriptions/${SEED.jenny.subscription}`,
    options: {
      body: `metadata[x]=1&items[0][price]=${SEED.prices.proMonthly}&items[1][id]=si_nope&items[1][quantity]=2`,
    },
    status: 400,
    error: { code: 'resource_missing', param: 'items[1][id]' },
  },
];

/** What any change would alter: the number of stored entries and the newest event. */
async function snapshot(): Promise<string> {
  const events = await h.request('GET', '/v1/events?limit=1');
  return `${h.emulator.store.platform.size}/${events.body.data[0]?.id}`;
}

describe('bad input', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const before = await snapshot();
      const path = typeof c.path === 'function' ? c.path() : c.path;
      const response = await h.request(c.method, path, c.options);
      expect(response.status).toBe(c.status);
      expect(response.body).toEqual({ error: expect.objectContaining(c.error) });
      expect(response.headers.get('request-id')).toMatch(/^req_/);
      expect(await snapshot()).toBe(before);
    });
  }

  it('says how to send a key when none was sent', async () => {
    const response = await h.request('GET', '/v1/customers', { key: null });
    expect(response.body.error.message).toMatch(/^You did not provide an API key\. /);
  });
});

describe('idempotency', () => {
  it('replays the first response for the same key and parameters', async () => {
    const first = await h.request('POST', '/v1/customers', {
      body: 'name=Once',
      headers: { 'Idempotency-Key': 'key-1' },
    });
    expect(first.status).toBe(200);
    const before = await snapshot();
    const again = await h.request('POST', '/v1/customers', {
      body: 'name=Once',
      headers: { 'Idempotency-Key': 'key-1' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('idempotency-key')).toBe('key-1');
    expect(await snapshot()).toBe(before);
  });

  it('refuses the same key with other parameters', async () => {
    await h.request('POST', '/v1/customers', { body: 'name=First', headers: { 'Idempotency-Key': 'key-2' } });
    const before = await snapshot();
    const other = await h.request('POST', '/v1/customers', {
      body: 'name=Second',
      headers: { 'Idempotency-Key': 'key-2' },
    });
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({
      type: 'idempotency_error',
      message: expect.stringMatching(
        /^Keys for idempotent requests can only be used with the same parameters they were first used with\./,
      ),
    });
    expect(await snapshot()).toBe(before);
  });

  it('keeps keys per connected account and replays errors raised by the operation', async () => {
    const declined = await h.request('POST', '/v1/charges', {
      body: 'amount=1000&currency=usd&source=tok_chargeDeclined',
      headers: { 'Idempotency-Key': 'key-3' },
    });
    expect(declined.status).toBe(402);
    const replay = await h.request('POST', '/v1/charges', {
      body: 'amount=1000&currency=usd&source=tok_chargeDeclined',
      headers: { 'Idempotency-Key': 'key-3' },
    });
    expect(replay.body).toEqual(declined.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const connected = await h.request('POST', '/v1/customers', {
      body: 'name=Elsewhere',
      headers: { 'Idempotency-Key': 'key-1', 'Stripe-Account': SEED.connected.account },
    });
    expect(connected.status).toBe(200);
    expect(connected.headers.get('idempotent-replayed')).toBeNull();
  });

  it('does not keep validation errors', async () => {
    const invalid = await h.request('POST', '/v1/customers', {
      body: 'bogus=1',
      headers: { 'Idempotency-Key': 'key-4' },
    });
    expect(invalid.status).toBe(400);
    const valid = await h.request('POST', '/v1/customers', {
      body: 'name=Fixed',
      headers: { 'Idempotency-Key': 'key-4' },
    });
    expect(valid.status).toBe(200);
  });
});
