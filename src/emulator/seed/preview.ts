/**
 * Demo data for the preview resources (src/spec/overlay.ts), part of the emulator's seed:
 *
 * - Terminal hardware: four products (one no longer sold), SKUs for the US and the UK, shipping
 *   methods for both, and three orders: one pending, one shipped (with tracking), one delivered.
 * - Crypto Onramp: a session just initialized (ETH on Ethereum for $100) and one fulfilled
 *   (USDC on Solana, with its transaction id).
 *
 * Products, SKUs and shipping methods have no create endpoint (Stripe publishes them), so they are
 * stored directly; orders and sessions go through the API like a client's.
 */

import type { EmulatorHandle } from '../engine/handle.ts';
import { isObject, type JsonObject } from '../engine/json.ts';
import { seedId } from './seed.ts';

const DAY = 86_400;

const product = (name: string) => seedId('terminal.hardware_product', name);
const sku = (name: string) => seedId('terminal.hardware_sku', name);
const shippingMethod = (name: string) => seedId('terminal.hardware_shipping_method', name);

/** Ids of the seeded preview objects tests and docs refer to. */
export const SEED_PREVIEW = {
  products: {
    wisePosE: product('bbpos_wisepos_e'),
    s700: product('stripe_s700'),
    chipper: product('bbpos_chipper2x'),
    /** unavailable: listed only with `status: unavailable` */
    p400: product('verifone_P400'),
  },
  skus: {
    /** WisePOS E, US, $249 */
    wisePosEUs: sku('wisepos-e-us'),
    /** WisePOS E, UK, £199 */
    wisePosEGb: sku('wisepos-e-gb'),
    /** S700, US, $349 */
    s700Us: sku('s700-us'),
    /** Chipper 2X BT, US, $59 */
    chipperUs: sku('chipper-us'),
  },
  shippingMethods: {
    usStandard: shippingMethod('us-standard'),
    usExpress: shippingMethod('us-express'),
    usPriority: shippingMethod('us-priority'),
    gbStandard: shippingMethod('gb-standard'),
  },
  orders: {
    pending: seedId('terminal.hardware_order', 'pending'),
    shipped: seedId('terminal.hardware_order', 'shipped'),
    delivered: seedId('terminal.hardware_order', 'delivered'),
  },
  onrampSessions: {
    initialized: seedId('crypto.onramp_session', 'initialized'),
    fulfilled: seedId('crypto.onramp_session', 'fulfilled'),
  },
} as const;

const isoDate = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

const SHIPPING = {
  name: 'Jenny Rosen',
  email: 'jenny.rosen@example.com',
  phone: '4155550100',
  company: 'Rosen Coffee',
  address: {
    line1: '510 Townsend St',
    city: 'San Francisco',
    state: 'CA',
    postal_code: '94103',
    country: 'US',
  },
};

/** Adds the preview demo data; `tick` is the seed's clock (a minute per object). */
export function seedPreview(service: EmulatorHandle, tick: () => number): void {
  service.transaction(
    (ctx) => {
      const now = ctx.now;
      const products = [
        ['wisePosE', 'bbpos_wisepos_e', 'available', null],
        ['s700', 'stripe_s700', 'available', null],
        ['chipper', 'bbpos_chipper2x', 'available', null],
        ['p400', 'verifone_P400', 'unavailable', now - 30 * DAY],
      ] as const;
      for (const [key, type, status, unavailableAfter] of products) {
        ctx.insert(
          'terminal.hardware_product',
          ctx.build(
            'terminal.hardware_product',
            { status, type, unavailable_after: unavailableAfter },
            SEED_PREVIEW.products[key],
          ),
        );
      }
      const skus = [
        ['wisePosEUs', 'wisePosE', 'US', 'usd', 24_900],
        ['wisePosEGb', 'wisePosE', 'GB', 'gbp', 19_900],
        ['s700Us', 's700', 'US', 'usd', 34_900],
        ['chipperUs', 'chipper', 'US', 'usd', 5_900],
      ] as const;
      for (const [key, productKey, country, currency, amount] of skus) {
        ctx.insert(
          'terminal.hardware_sku',
          ctx.build(
            'terminal.hardware_sku',
            {
              amount,
              country,
              currency,
              orderable: 100,
              product: SEED_PREVIEW.products[productKey],
              provider: 'stripe',
              status: 'available',
              unavailable_after: null,
            },
            SEED_PREVIEW.skus[key],
          ),
        );
      }
      const methods = [
        ['usStandard', 'US', 'standard', 5, 7],
        ['usExpress', 'US', 'express', 2, 3],
        ['usPriority', 'US', 'priority', 1, 1],
        ['gbStandard', 'GB', 'standard', 3, 5],
      ] as const;
      for (const [key, country, name, minDays, maxDays] of methods) {
        ctx.insert(
          'terminal.hardware_shipping_method',
          ctx.build(
            'terminal.hardware_shipping_method',
            {
              country,
              estimated_delivery_window: {
                maximum_date: isoDate(now + maxDays * DAY),
                minimum_date: isoDate(now + minDays * DAY),
              },
              name,
              provider: 'stripe',
              status: 'available',
              unavailable_after: null,
            },
            SEED_PREVIEW.shippingMethods[key],
          ),
        );
      }
    },
    { now: tick() },
  );

  const call = (path: string, params: JsonObject = {}, ids: Record<string, string> = {}) =>
    service.call('POST', path, params, { now: tick(), ids });
  const order = (name: keyof typeof SEED_PREVIEW.orders, items: [string, number][], method: string) =>
    call(
      '/v1/terminal/hardware_orders',
      {
        hardware_order_items: items.map(([id, quantity]) => ({ terminal_hardware_sku: id, quantity })),
        payment_type: 'monthly_invoice',
        shipping: SHIPPING,
        shipping_method: method,
        metadata: { demo: 'true' },
      },
      { 'terminal.hardware_order': SEED_PREVIEW.orders[name] },
    );
  const { skus, shippingMethods, orders } = SEED_PREVIEW;
  order('delivered', [[skus.chipperUs, 5]], shippingMethods.usStandard);
  call(`/v1/test_helpers/terminal/hardware_orders/${orders.delivered}/ship`);
  call(`/v1/test_helpers/terminal/hardware_orders/${orders.delivered}/deliver`);
  order(
    'shipped',
    [
      [skus.wisePosEUs, 2],
      [skus.s700Us, 1],
    ],
    shippingMethods.usExpress,
  );
  call(`/v1/test_helpers/terminal/hardware_orders/${orders.shipped}/mark_ready_to_ship`);
  call(`/v1/test_helpers/terminal/hardware_orders/${orders.shipped}/ship`);
  order('pending', [[skus.wisePosEUs, 1]], shippingMethods.usStandard);

  const { onrampSessions } = SEED_PREVIEW;
  call(
    '/v1/crypto/onramp_sessions',
    {
      customer_ip_address: '203.0.113.7',
      destination_currency: 'usdc',
      destination_network: 'solana',
      source_amount: '250.00',
      source_currency: 'usd',
      wallet_addresses: { solana: 'EmuLatorDemoWa11etAddre55So1anaUSDCxxxxxxxx' },
    },
    { 'crypto.onramp_session': onrampSessions.fulfilled },
  );
  service.transaction(
    (ctx) => {
      const session = ctx.require(onrampSessions.fulfilled, ['crypto.onramp_session']);
      const details = isObject(session.data.transaction_details) ? session.data.transaction_details : {};
      ctx.set(session, {
        status: 'fulfillment_complete',
        transaction_details: { ...details, transaction_id: `emulator-${session.id.slice(4)}` },
      });
    },
    { now: tick() },
  );
  call(
    '/v1/crypto/onramp_sessions',
    {
      customer_ip_address: '203.0.113.8',
      destination_currencies: ['eth', 'usdc'],
      destination_currency: 'eth',
      destination_network: 'ethereum',
      destination_networks: ['ethereum', 'base'],
      source_amount: '100.00',
      source_currency: 'usd',
    },
    { 'crypto.onramp_session': onrampSessions.initialized },
  );
}
