/**
 * The emulator's rules for the preview resources (src/emulator/rules/terminal-hardware.ts and
 * crypto-onramp.ts), through the `stripe` SDK: bad orders, sessions and quotes are refused with
 * Stripe-shaped errors, and an order's status moves only along its transitions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_PREVIEW } from '../../src/emulator/seed/preview.ts';
import { type EmulatorHarness, sdkRequest, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;
beforeAll(async () => {
  h = await startEmulatorHarness();
});
afterAll(() => h.close());

const post = (path: string, params: Record<string, unknown> = {}) =>
  sdkRequest(h.stripe, 'POST', path, params);

const usOrder = (items: { terminal_hardware_sku: string; quantity: number }[], method: string) => ({
  hardware_order_items: items,
  payment_type: 'monthly_invoice',
  shipping: {
    name: 'Katherine Johnson',
    email: 'katherine@example.com',
    phone: '7575550100',
    address: { line1: '1 NASA Dr', postal_code: '23681', country: 'US' },
  },
  shipping_method: method,
});

describe('Terminal hardware orders', () => {
  it.each([
    [
      'an unknown SKU',
      usOrder(
        [{ terminal_hardware_sku: 'thsku_nope', quantity: 1 }],
        SEED_PREVIEW.shippingMethods.usStandard,
      ),
      { code: 'resource_missing', param: 'hardware_order_items[0][terminal_hardware_sku]' },
    ],
    [
      'more than the SKU can supply',
      usOrder(
        [{ terminal_hardware_sku: SEED_PREVIEW.skus.s700Us, quantity: 101 }],
        SEED_PREVIEW.shippingMethods.usStandard,
      ),
      { code: 'terminal_hardware_sku_unavailable', param: 'hardware_order_items[0][quantity]' },
    ],
    [
      'a shipping method of another country',
      usOrder(
        [{ terminal_hardware_sku: SEED_PREVIEW.skus.s700Us, quantity: 1 }],
        SEED_PREVIEW.shippingMethods.gbStandard,
      ),
      { param: 'shipping_method' },
    ],
  ])('refuses %s with a 400 naming the parameter', async (_name, params, error) => {
    await expect(post('/v1/terminal/hardware_orders', params)).rejects.toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      ...error,
    });
  });

  it('moves pending → ready_to_ship → shipped → delivered, and refuses any other step', async () => {
    const order = await post(
      '/v1/terminal/hardware_orders',
      usOrder(
        [{ terminal_hardware_sku: SEED_PREVIEW.skus.chipperUs, quantity: 2 }],
        SEED_PREVIEW.shippingMethods.usExpress,
      ),
    );
    expect(order).toMatchObject({ status: 'pending', amount: expect.any(Number), updated: null });
    const helper = (verb: string) => post(`/v1/test_helpers/terminal/hardware_orders/${order.id}/${verb}`);
    const refused = { statusCode: 400, code: 'terminal_hardware_order_invalid_status' };
    await expect(helper('deliver')).rejects.toMatchObject(refused);
    await expect(helper('mark_undeliverable')).rejects.toMatchObject(refused);
    expect((await helper('mark_ready_to_ship')).status).toBe('ready_to_ship');
    await expect(post(`/v1/terminal/hardware_orders/${order.id}/cancel`)).rejects.toMatchObject(refused);
    const shipped = await helper('ship');
    expect(shipped.status).toBe('shipped');
    expect(shipped.shipment_tracking).toEqual([
      { carrier: 'ups', tracking_number: expect.stringMatching(/^1Z/) },
    ]);
    const delivered = await helper('deliver');
    expect(delivered).toMatchObject({ status: 'delivered', updated: expect.any(Number) });
    await expect(helper('ship')).rejects.toMatchObject(refused);
    const read = await h.request('GET', `/v1/terminal/hardware_orders/${order.id}`);
    expect(read.body.status).toBe('delivered');
  });

  it('lists only available SKUs unless asked, and answers 404 for an unknown order', async () => {
    const unavailable = await h.request('GET', '/v1/terminal/hardware_skus?country=US&status=unavailable');
    expect(unavailable.body.data).toEqual([]);
    const gb = await h.request('GET', '/v1/terminal/hardware_skus?country=GB');
    expect(gb.body.data.map((s: { id: string }) => s.id)).toEqual([SEED_PREVIEW.skus.wisePosEGb]);
    const missing = await h.request('GET', '/v1/terminal/hardware_orders/thor_missing');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'resource_missing', param: 'id' });
  });
});

describe('Crypto Onramp', () => {
  it.each([
    [
      'both amounts',
      {
        source_amount: '10',
        destination_amount: '1',
        destination_currency: 'eth',
        destination_network: 'ethereum',
      },
      'destination_amount',
    ],
    [
      'a currency it does not offer',
      { destination_currencies: ['usdc'], destination_currency: 'eth' },
      'destination_currency',
    ],
    [
      'a destination amount without a network',
      { destination_amount: '1', destination_currency: 'eth' },
      'destination_amount',
    ],
    ['a negative amount', { source_amount: '-5' }, 'source_amount'],
  ])('refuses a session with %s', async (_name, params, param) => {
    await expect(post('/v1/crypto/onramp_sessions', params)).rejects.toMatchObject({
      statusCode: 400,
      param,
    });
  });

  it('quotes for a destination amount only with one currency and one network', async () => {
    const two = await h.request(
      'GET',
      '/v1/crypto/onramp/quotes?destination_amount=1&destination_currencies[]=eth&destination_currencies[]=usdc',
    );
    expect(two.status).toBe(400);
    expect(two.body.error).toMatchObject({ type: 'invalid_request_error', param: 'destination_amount' });
    const { body: quote } = await h.request(
      'GET',
      '/v1/crypto/onramp/quotes?destination_amount=2&destination_currencies[]=usdc&destination_networks[]=stellar',
    );
    expect(quote.object).toBe('crypto.onramp.quotes');
    expect(quote.source_amount).toBe('2.00');
    expect(quote.destination_network_quotes.stellar).toEqual([
      expect.objectContaining({ destination_amount: '2.000000', destination_currency: 'usdc' }),
    ]);
    expect(quote.destination_network_quotes.ethereum).toBeNull();
  });
});
