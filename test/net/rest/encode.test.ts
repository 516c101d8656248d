/**
 * Byte-for-byte parity with the official `stripe` SDK: the SDK and our client each send the same
 * parameters to a capture server, and the captured bodies / request lines must be identical.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripeRestClient } from '../../../src/rest/client.ts';
import { encodeForm } from '../../../src/rest/encode.ts';
import { sendJson, startServer, TEST_KEY, type TestServer } from './harness.ts';

type Params = Record<string, unknown>;

const SHAPES: ReadonlyArray<readonly [string, Params]> = [
  ['flat scalars', { email: 'jenny@example.com', name: 'Jenny Rosen', balance: 1500 }],
  [
    'nested hash',
    { address: { line1: '510 Townsend St', city: 'San Francisco', postal_code: '94103', country: 'US' } },
  ],
  [
    'array of hashes',
    {
      items: [
        { price: 'price_1', quantity: 2 },
        { price: 'price_2', quantity: 1, tax_rates: ['txr_1', 'txr_2'] },
      ],
    },
  ],
  ['array of scalars', { preferred_locales: ['en', 'fr', 'de'] }],
  ['empty string unsets', { description: '', phone: '' }],
  ['metadata keys and an unset key', { metadata: { order_id: '6735', 'key with spaces': 'v', removed: '' } }],
  ['metadata unset entirely', { metadata: '' }],
  [
    'booleans',
    { tax_exempt: 'none', invoice_settings: { rendering_options: null }, livemode: false, flag: true },
  ],
  ['numbers', { a: 0, b: -42, c: 2.5, d: 0.1 + 0.2, f: 1e21, e: 12345678901234 }],
  ['null unsets', { default_source: null, shipping: null }],
  ['Date becomes unix seconds', { trial_end: new Date('2024-04-10T12:34:56.789Z'), at: new Date(0) }],
  [
    'expand inside params',
    { email: 'x@example.com', expand: ['default_source', 'invoice_settings.default_payment_method'] },
  ],
  [
    'deep nesting',
    {
      payment_method_options: {
        card: {
          mandate_options: { amount: 100, supported_types: ['india'], nested: { deeper: { deepest: 'x' } } },
        },
      },
    },
  ],
  ['arrays of arrays', { matrix: [['a', 'b'], ['c']] }],
  [
    'undefined is omitted at every depth',
    { a: undefined, b: { c: undefined, d: 'kept' }, e: [undefined, 'x'] },
  ],
  ['empty array and empty hash emit nothing', { tags: [], metadata: {}, name: 'n' }],
  [
    'special characters',
    { name: `a&b=c?d/e f+g%h#i;j,k:l@m$n[o]p{q}r|s\\t"u'v!w*x(y)z~._-`, description: 'line1\nline2\r\ttab' },
  ],
  [
    'unicode',
    {
      name: 'Zoë Ünïcødé 山田太郎 😀',
      metadata: { ключ: 'значение', 'emoji_🚀': '✓' },
      address: { city: 'Zürich' },
    },
  ],
  ['brackets in values and keys', { metadata: { 'a[b]': '[c]' } }],
  ['bigint', { amount: 9007199254740993n }],
];

let server: TestServer;
let stripe: Stripe;
let client: StripeRestClient;

beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/v1/customers?')) {
      sendJson(res, 200, { object: 'list', data: [], has_more: false, url: '/v1/customers' });
    } else {
      sendJson(res, 200, { id: 'cus_1', object: 'customer' });
    }
  });
  stripe = new Stripe(TEST_KEY, {
    host: '127.0.0.1',
    port: server.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
  });
  client = new StripeRestClient({ secretKey: TEST_KEY, apiBase: server.url, maxRetries: 0 });
});

afterAll(async () => {
  await client.close();
  await server.close();
});

/** Runs `send` and returns what the capture server received for it. */
async function capture(send: () => Promise<unknown>): Promise<{ url: string; body: string }> {
  const before = server.requests.length;
  await send();
  expect(server.requests.length).toBe(before + 1);
  const captured = server.requests[before]!;
  return { url: captured.url, body: captured.body };
}

describe('form encoding matches the stripe SDK byte for byte', () => {
  it.each(SHAPES)('POST body: %s', async (_name, params) => {
    const sdk = await capture(() => stripe.customers.create(params as never));
    const ours = await capture(() => client.request({ method: 'POST', path: '/v1/customers', params }));
    expect(sdk.body).not.toBe('');
    expect(ours.body).toBe(sdk.body);
    expect(ours.url).toBe(sdk.url);
    expect(ours.body).toBe(encodeForm(params));
  });

  it.each(SHAPES)('GET query: %s', async (_name, params) => {
    const sdk = await capture(() => stripe.customers.list(params as never));
    const ours = await capture(() => client.request({ method: 'GET', path: '/v1/customers', params }));
    expect(sdk.url).toMatch(/^\/v1\/customers\?./);
    expect(ours.url).toBe(sdk.url);
    expect(ours.body).toBe('');
  });

  it('the expand option encodes like expand inside params (expand[0]=…)', async () => {
    const expand = ['default_source', 'invoice_settings.default_payment_method'];
    const sdk = await capture(() => stripe.customers.create({ email: 'x@example.com', expand }));
    const ours = await capture(() =>
      client.request({ method: 'POST', path: '/v1/customers', params: { email: 'x@example.com' }, expand }),
    );
    expect(ours.body).toBe(sdk.body);
    expect(ours.body).toBe(
      'email=x%40example.com&expand[0]=default_source&expand[1]=invoice_settings.default_payment_method',
    );
  });

  it('the expand option appends to expand given in params', async () => {
    const sdk = await capture(() => stripe.customers.create({ expand: ['a', 'b'] }));
    const ours = await capture(() =>
      client.request({ method: 'POST', path: '/v1/customers', params: { expand: ['a'] }, expand: ['b'] }),
    );
    expect(ours.body).toBe(sdk.body);
  });

  it('path parameters are URL-encoded like the SDK, with expand in the query', async () => {
    const id = 'cus_1..x y?z#w&ü%';
    const sdk = await capture(() => stripe.customers.retrieve(id, { expand: ['default_source'] }));
    const ours = await capture(() =>
      client.request({
        method: 'GET',
        path: '/v1/customers/{customer}',
        pathParams: { customer: id },
        expand: ['default_source'],
      }),
    );
    expect(ours.url).toBe(sdk.url);
    expect(ours.url).toBe('/v1/customers/cus_1..x%20y%3Fz%23w%26%C3%BC%25?expand[0]=default_source');
  });

  it('DELETE carries params in the query like the SDK', async () => {
    const sdk = await capture(() => stripe.customers.del('cus_1', { expand: ['x'] } as never));
    const ours = await capture(() =>
      client.request({
        method: 'DELETE',
        path: '/v1/customers/{customer}',
        pathParams: { customer: 'cus_1' },
        params: { expand: ['x'] },
      }),
    );
    expect(ours.url).toBe(sdk.url);
    expect(ours.body).toBe(sdk.body);
  });

  it('a POST without params sends an empty body, as the SDK does', async () => {
    const sdk = await capture(() => stripe.customers.create());
    const ours = await capture(() => client.request({ method: 'POST', path: '/v1/customers' }));
    expect(ours.body).toBe(sdk.body);
    expect(ours.body).toBe('');
  });
});
