/**
 * The preview resources (src/spec/overlay.ts) end to end: read through GraphQL against the emulator's
 * demo data, relations walked (an order to its SKUs, their products and its shipping method; an
 * onramp session to its quote), objects created, canceled and moved along by the test-mode helpers
 * with the `stripe` SDK against the emulator and read back through GraphQL; the preview marker in
 * introspection; and the schema without them when `STRIPE_PREVIEW_RESOURCES=off`.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_PREVIEW } from '../../src/emulator/seed/preview.ts';
import { printSDL } from '../../src/schema/print.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway } from '../../src/server/gateway.ts';
import { sdk, sdkRequest } from '../emulator/helpers.ts';
import { type Harness, restOver, startHarness } from '../server/harness.ts';

let h: Harness;
let stripe: Stripe;

beforeAll(async () => {
  h = await startHarness();
  stripe = sdk(h.emulator);
});
afterAll(() => h.close());

/** Runs a query and fails the test on any GraphQL error. */
async function data(query: string, variables?: Record<string, unknown>): Promise<any> {
  const { body } = await h.query(query, variables ? { variables } : {});
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

const ORDER_FIELDS = `
  id status amount currency tax paymentType
  hardwareOrderItems { quantity amount terminalHardwareSku { id amount country product { id type status } } }
  shippingMethodId
  shippingMethod { id name country estimatedDeliveryWindow { minimumDate maximumDate } }
  shipping { name amount address { line1 country } }
  shipmentTracking { carrier trackingNumber }
  totalTaxAmounts { amount rate { displayName percentage } }
`;

describe('Terminal hardware ordering through GraphQL', () => {
  it('reads the seeded orders and walks an order to its SKUs, their products and its shipping method', async () => {
    h.upstreamCalls();
    const result = await data(`{
      terminalHardwareOrders(first: 10) { nodes { id status } }
      delivered: terminalHardwareOrders(status: DELIVERED) { nodes { id } }
      shipped: terminalHardwareOrder(id: "${SEED_PREVIEW.orders.shipped}") { ${ORDER_FIELDS} }
    }`);
    const statuses = Object.fromEntries(
      result.terminalHardwareOrders.nodes.map((o: { id: string; status: string }) => [o.id, o.status]),
    );
    expect(statuses).toMatchObject({
      [SEED_PREVIEW.orders.pending]: 'PENDING',
      [SEED_PREVIEW.orders.shipped]: 'SHIPPED',
      [SEED_PREVIEW.orders.delivered]: 'DELIVERED',
    });
    // Two lists, and the order with its SKUs' products and its shipping method folded into expand[].
    expect(h.upstreamCalls()).toBe(3);
    expect(result.delivered.nodes).toEqual([{ id: SEED_PREVIEW.orders.delivered }]);
    const order = result.shipped;
    expect(order.hardwareOrderItems).toEqual([
      {
        quantity: 2,
        amount: 49_800,
        terminalHardwareSku: {
          id: SEED_PREVIEW.skus.wisePosEUs,
          amount: 24_900,
          country: 'US',
          product: { id: SEED_PREVIEW.products.wisePosE, type: 'bbpos_wisepos_e', status: 'AVAILABLE' },
        },
      },
      {
        quantity: 1,
        amount: 34_900,
        terminalHardwareSku: {
          id: SEED_PREVIEW.skus.s700Us,
          amount: 34_900,
          country: 'US',
          product: { id: SEED_PREVIEW.products.s700, type: 'stripe_s700', status: 'AVAILABLE' },
        },
      },
    ]);
    expect(order.shippingMethodId).toBe(SEED_PREVIEW.shippingMethods.usExpress);
    expect(order.shippingMethod).toMatchObject({ name: 'EXPRESS', country: 'US' });
    expect(order.shippingMethod.estimatedDeliveryWindow.minimumDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(order.shipmentTracking).toHaveLength(1);
    expect(order.shipmentTracking[0].carrier).toBe('UPS');
    // items + express shipping + 8.25% sales tax
    const subtotal = 49_800 + 34_900 + order.shipping.amount;
    expect(order.tax).toBe(Math.round(subtotal * 0.0825));
    expect(order.amount).toBe(subtotal + order.tax);
    expect(order.totalTaxAmounts).toEqual([
      { amount: order.tax, rate: { displayName: 'Sales Tax', percentage: 8.25 } },
    ]);
  });

  it('lists products, SKUs and shipping methods with their filters (available ones by default)', async () => {
    const result = await data(`{
      products: terminalHardwareProducts { nodes { id type } }
      retired: terminalHardwareProducts(status: UNAVAILABLE) { nodes { id type unavailableAfter } }
      us: terminalHardwareSkus(country: "US") { nodes { id } }
      wisePos: terminalHardwareSkus(country: "GB", product: "${SEED_PREVIEW.products.wisePosE}") {
        nodes { id currency product { type } }
      }
      methods: terminalHardwareShippingMethods(country: "US", name: PRIORITY) { nodes { id name } }
      wisePosE: terminalHardwareProduct(id: "${SEED_PREVIEW.products.wisePosE}") {
        us: hardwareSkus(country: "US") { nodes { id amount } }
        gb: hardwareSkus(country: "GB") { nodes { id amount } }
      }
    }`);
    expect(result.products.nodes.map((p: { type: string }) => p.type).sort()).toEqual([
      'bbpos_chipper2x',
      'bbpos_wisepos_e',
      'stripe_s700',
    ]);
    expect(result.retired.nodes).toEqual([
      { id: SEED_PREVIEW.products.p400, type: 'verifone_P400', unavailableAfter: expect.any(String) },
    ]);
    expect(result.us.nodes.map((s: { id: string }) => s.id).sort()).toEqual(
      [SEED_PREVIEW.skus.wisePosEUs, SEED_PREVIEW.skus.s700Us, SEED_PREVIEW.skus.chipperUs].sort(),
    );
    expect(result.wisePos.nodes).toEqual([
      { id: SEED_PREVIEW.skus.wisePosEGb, currency: 'gbp', product: { type: 'bbpos_wisepos_e' } },
    ]);
    expect(result.methods.nodes).toEqual([{ id: SEED_PREVIEW.shippingMethods.usPriority, name: 'PRIORITY' }]);
    // The relation from the SKU list's product filter: a product's SKUs, per country.
    expect(result.wisePosE).toEqual({
      us: { nodes: [{ id: SEED_PREVIEW.skus.wisePosEUs, amount: 24_900 }] },
      gb: { nodes: [{ id: SEED_PREVIEW.skus.wisePosEGb, amount: 19_900 }] },
    });
  });

  it('fetches each resource by id through node(id)', async () => {
    const ids = [
      SEED_PREVIEW.orders.pending,
      SEED_PREVIEW.skus.chipperUs,
      SEED_PREVIEW.products.chipper,
      SEED_PREVIEW.shippingMethods.gbStandard,
      SEED_PREVIEW.onrampSessions.fulfilled,
    ];
    const result = await data(
      `{ ${ids.map((id, i) => `n${i}: node(id: "${id}") { id __typename }`).join(' ')} }`,
    );
    expect(Object.values(result).map((n: any) => n.__typename)).toEqual([
      'TerminalHardwareOrder',
      'TerminalHardwareSku',
      'TerminalHardwareProduct',
      'TerminalHardwareShippingMethod',
      'CryptoOnrampSession',
    ]);
  });

  it('creates an order with the SDK, cancels it, and GraphQL reads each state', async () => {
    const created = await sdkRequest(stripe, 'POST', '/v1/terminal/hardware_orders', {
      hardware_order_items: [{ terminal_hardware_sku: SEED_PREVIEW.skus.wisePosEGb, quantity: 3 }],
      payment_type: 'monthly_invoice',
      shipping: {
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        phone: '2075550100',
        address: { line1: '12 St James Sq', city: 'London', postal_code: 'SW1Y 4LB', country: 'GB' },
      },
      shipping_method: SEED_PREVIEW.shippingMethods.gbStandard,
      po_number: 'PO-1815',
    });
    expect(created.id).toMatch(/^thor_/);
    const query = `query($id: ID!) { terminalHardwareOrder(id: $id) { status poNumber currency amount tax shippingMethod { country } } }`;
    const before = await data(query, { id: created.id });
    expect(before.terminalHardwareOrder).toMatchObject({
      status: 'PENDING',
      poNumber: 'PO-1815',
      currency: 'gbp',
      shippingMethod: { country: 'GB' },
    });
    // 3 × £199 + £8 shipping, and 20% VAT
    expect(before.terminalHardwareOrder.tax).toBe(Math.round((3 * 19_900 + 800) * 0.2));

    const canceled = await sdkRequest(
      stripe,
      'POST',
      `/v1/terminal/hardware_orders/${created.id}/cancel`,
      {},
    );
    expect(canceled.status).toBe('canceled');
    expect((await data(query, { id: created.id })).terminalHardwareOrder.status).toBe('CANCELED');
    await expect(
      sdkRequest(stripe, 'POST', `/v1/test_helpers/terminal/hardware_orders/${created.id}/ship`, {}),
    ).rejects.toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
  });

  it('moves an order along with the test-mode helpers; a shipped order cannot be canceled', async () => {
    const { id } = await sdkRequest(stripe, 'POST', '/v1/terminal/hardware_orders', {
      hardware_order_items: [{ terminal_hardware_sku: SEED_PREVIEW.skus.chipperUs, quantity: 1 }],
      payment_type: 'monthly_invoice',
      shipping: {
        name: 'Grace Hopper',
        email: 'grace@example.com',
        phone: '2025550100',
        address: { line1: '1 Navy Yard', postal_code: '20374', country: 'US' },
      },
      shipping_method: SEED_PREVIEW.shippingMethods.usPriority,
    });
    const status = async () =>
      (await data(`{ terminalHardwareOrder(id: "${id}") { status shipmentTracking { trackingNumber } } }`))
        .terminalHardwareOrder;
    const helper = (verb: string) =>
      sdkRequest(stripe, 'POST', `/v1/test_helpers/terminal/hardware_orders/${id}/${verb}`, {});
    await helper('mark_ready_to_ship');
    expect((await status()).status).toBe('READY_TO_SHIP');
    await helper('ship');
    const shipped = await status();
    expect(shipped.status).toBe('SHIPPED');
    expect(shipped.shipmentTracking[0].trackingNumber).toMatch(/^1Z/);
    await expect(
      sdkRequest(stripe, 'POST', `/v1/terminal/hardware_orders/${id}/cancel`, {}),
    ).rejects.toMatchObject({ statusCode: 400 });
    await helper('mark_undeliverable');
    expect((await status()).status).toBe('UNDELIVERABLE');
  });

  it('refuses an order for a SKU sold in another country, and creates nothing', async () => {
    const count = async () =>
      (await data('{ terminalHardwareOrders(first: 100) { nodes { id } } }')).terminalHardwareOrders.nodes
        .length;
    const before = await count();
    await expect(
      sdkRequest(stripe, 'POST', '/v1/terminal/hardware_orders', {
        hardware_order_items: [{ terminal_hardware_sku: SEED_PREVIEW.skus.wisePosEGb, quantity: 1 }],
        payment_type: 'monthly_invoice',
        shipping: {
          name: 'Alan Turing',
          email: 'alan@example.com',
          phone: '2025550100',
          address: { line1: '1 Main St', postal_code: '10001', country: 'US' },
        },
        shipping_method: SEED_PREVIEW.shippingMethods.usStandard,
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'hardware_order_items[0][terminal_hardware_sku]' });
    expect(await count()).toBe(before);
  });
});

describe('Crypto Onramp through GraphQL', () => {
  it('reads the seeded sessions and walks a session to its quote', async () => {
    h.upstreamCalls();
    const result = await data(`{
      cryptoOnrampSessions(first: 10) { nodes { id status } }
      cryptoOnrampSession(id: "${SEED_PREVIEW.onrampSessions.initialized}") {
        status clientSecret
        transactionDetails {
          sourceAmount sourceCurrency destinationCurrency destinationNetwork destinationAmount
          destinationNetworks fees { networkFeeAmount transactionFeeAmount }
        }
        quote {
          sourceAmount sourceCurrency
          destinationNetworkQuotes {
            ethereum { destinationCurrency destinationNetwork destinationAmount fees { networkFeeMonetary } }
            bitcoin { destinationAmount }
          }
        }
      }
    }`);
    expect(result.cryptoOnrampSessions.nodes).toEqual(
      expect.arrayContaining([
        { id: SEED_PREVIEW.onrampSessions.initialized, status: 'INITIALIZED' },
        { id: SEED_PREVIEW.onrampSessions.fulfilled, status: 'FULFILLMENT_COMPLETE' },
      ]),
    );
    // The list, the session, and its quote (read with the session's own parameters).
    expect(h.upstreamCalls()).toBe(3);
    const filtered = await data(`{
      solana: cryptoOnrampSessions(destinationNetwork: SOLANA) { nodes { id } }
      eth: cryptoOnrampSessions(destinationCurrency: ETH, status: INITIALIZED) { nodes { id } }
      none: cryptoOnrampSessions(destinationNetwork: SOLANA, status: INITIALIZED) { nodes { id } }
    }`);
    expect(filtered).toEqual({
      solana: { nodes: [{ id: SEED_PREVIEW.onrampSessions.fulfilled }] },
      eth: { nodes: [{ id: SEED_PREVIEW.onrampSessions.initialized }] },
      none: { nodes: [] },
    });
    const session = result.cryptoOnrampSession;
    expect(session.status).toBe('INITIALIZED');
    expect(session.clientSecret).toMatch(new RegExp(`^${SEED_PREVIEW.onrampSessions.initialized}_secret_`));
    expect(session.transactionDetails).toMatchObject({
      sourceAmount: '100.00',
      sourceCurrency: 'USD',
      destinationCurrency: 'ETH',
      destinationNetwork: 'ETHEREUM',
      destinationNetworks: ['ETHEREUM', 'BASE'],
    });
    // The quote is for the session's own conversion: its source amount, currency and network.
    expect(session.quote.sourceAmount).toBe('100.00');
    expect(session.quote.sourceCurrency).toBe('USD');
    expect(session.quote.destinationNetworkQuotes.bitcoin).toBeNull();
    expect(session.quote.destinationNetworkQuotes.ethereum).toEqual([
      {
        destinationCurrency: 'ETH',
        destinationNetwork: 'ETHEREUM',
        destinationAmount: session.transactionDetails.destinationAmount,
        fees: { networkFeeMonetary: session.transactionDetails.fees.networkFeeAmount },
      },
    ]);
  });

  it('creates a session with the SDK and reads it, and its quote, through GraphQL', async () => {
    const created = await sdkRequest(stripe, 'POST', '/v1/crypto/onramp_sessions', {
      destination_currency: 'usdc',
      destination_network: 'polygon',
      destination_networks: ['polygon'],
      source_amount: '40.00',
      source_currency: 'usd',
      wallet_addresses: { polygon: '0x0000000000000000000000000000000000000001' },
      metadata: { order: 'test-1' },
    });
    expect(created.id).toMatch(/^cos_/);
    const result = await data(
      `query($id: ID!) {
      cryptoOnrampSession(id: $id) {
        status metadata
        transactionDetails { walletAddress destinationAmount walletAddresses { polygon } }
        quote { destinationNetworkQuotes { polygon { destinationCurrency destinationAmount } ethereum { id } } }
      }
    }`,
      { id: created.id },
    );
    const session = result.cryptoOnrampSession;
    expect(session.status).toBe('INITIALIZED');
    expect(session.metadata).toEqual({ order: 'test-1' });
    expect(session.transactionDetails).toEqual({
      walletAddress: '0x0000000000000000000000000000000000000001',
      destinationAmount: '40.000000',
      walletAddresses: { polygon: '0x0000000000000000000000000000000000000001' },
    });
    expect(session.quote.destinationNetworkQuotes).toEqual({
      polygon: [{ destinationCurrency: 'USDC', destinationAmount: '40.000000' }],
      ethereum: null,
    });
  });

  it('answers cryptoOnrampQuote with its arguments, and refuses a destination amount without one currency', async () => {
    const result = await data(`{
      cryptoOnrampQuote(destinationAmount: "0.5", destinationCurrencies: [SOL], destinationNetworks: [SOLANA]) {
        sourceAmount destinationNetworkQuotes { solana { destinationAmount sourceTotalAmount } polygon { id } }
      }
    }`);
    expect(result.cryptoOnrampQuote.destinationNetworkQuotes.solana).toEqual([
      { destinationAmount: '0.500000000', sourceTotalAmount: expect.stringMatching(/^\d+\.\d\d$/) },
    ]);
    expect(result.cryptoOnrampQuote.destinationNetworkQuotes.polygon).toBeNull();
    const { body } = await h.query('{ cryptoOnrampQuote(destinationAmount: "1") { id } }');
    expect(body.data?.cryptoOnrampQuote).toBeNull();
    expect(body.errors?.[0]?.extensions?.stripe).toMatchObject({ param: 'destination_amount' });
  });
});

describe('preview mutations through GraphQL', () => {
  it('create a hardware order, move it along with the test-mode helpers, and cancel another', async () => {
    const input = {
      hardwareOrderItems: [{ terminalHardwareSku: SEED_PREVIEW.skus.wisePosEGb, quantity: 2 }],
      paymentType: 'MONTHLY_INVOICE',
      shipping: {
        name: 'Grace Hopper',
        email: 'grace@example.com',
        phone: '2075550101',
        address: { line1: '1 Navy Way', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' },
      },
      shippingMethod: SEED_PREVIEW.shippingMethods.gbStandard,
    };
    const create = `mutation($input: CreateTerminalHardwareOrderInput!) {
      createTerminalHardwareOrder(input: $input) { id status currency shippingMethod { country } }
    }`;
    const first = (await data(create, { input })).createTerminalHardwareOrder;
    expect(first).toMatchObject({ status: 'PENDING', currency: 'gbp', shippingMethod: { country: 'GB' } });
    const moved = await data(
      `mutation($id: ID!) {
        ready: markReadyToShipTerminalHardwareOrder(id: $id) { status }
      }`,
      { id: first.id },
    );
    expect(moved.ready.status).toBe('READY_TO_SHIP');
    expect(
      (await data('mutation($id: ID!) { shipTerminalHardwareOrder(id: $id) { status } }', { id: first.id }))
        .shipTerminalHardwareOrder.status,
    ).toBe('SHIPPED');

    const second = (await data(create, { input })).createTerminalHardwareOrder;
    const canceled = await data('mutation($id: ID!) { cancelTerminalHardwareOrder(id: $id) { id status } }', {
      id: second.id,
    });
    expect(canceled.cancelTerminalHardwareOrder).toEqual({ id: second.id, status: 'CANCELED' });
  });

  it('create an onramp session and walk to its quote', async () => {
    const created = await data(
      `mutation {
        createCryptoOnrampSession(input: {
          sourceAmount: "25.00"
          sourceCurrency: USD
          destinationNetworks: [ETHEREUM]
          walletAddresses: { ethereum: "0x0000000000000000000000000000000000000002" }
        }) { id status transactionDetails { sourceAmount } }
      }`,
    );
    expect(created.createCryptoOnrampSession.id).toMatch(/^cos_/);
    expect(created.createCryptoOnrampSession.transactionDetails.sourceAmount).toBe('25.00');
  });
});

describe('the preview marker', () => {
  it('is in introspection: the types and root fields say Preview:, and @preview is declared', async () => {
    const type = async (name: string, selection = 'description') =>
      (await data(`{ __type(name: "${name}") { ${selection} } }`)).__type;
    const result = {
      order: await type('TerminalHardwareOrder'),
      customer: await type('Customer'),
      query: await type('Query', 'fields { name description }'),
      ...(await data('{ __schema { directives { name } } }')),
    };
    expect(result.order.description).toMatch(/^Preview: /);
    expect(result.customer.description ?? '').not.toMatch(/^Preview:/);
    const fields = Object.fromEntries(
      result.query.fields.map((f: { name: string; description: string | null }) => [f.name, f.description]),
    );
    for (const name of [
      'terminalHardwareOrders',
      'terminalHardwareSku',
      'cryptoOnrampSession',
      'cryptoOnrampQuote',
    ]) {
      expect(fields[name], name).toMatch(/^Preview: /);
    }
    expect(fields.customers ?? '').not.toMatch(/^Preview:/);
    expect(result.__schema.directives.map((d: { name: string }) => d.name)).toContain('preview');
  });

  it('is in the printed SDL as @preview on the preview types and root fields', () => {
    const sdl = printSDL();
    expect(sdl).toMatch(/^type TerminalHardwareOrder implements Node @preview \{$/m);
    expect(sdl).toMatch(/^ {2}terminalHardwareOrder\(id: ID!\): TerminalHardwareOrder @preview$/m);
    expect(sdl).toMatch(/^enum TerminalHardwareOrderStatus @preview \{$/m);
    expect(sdl).toMatch(/^type Customer implements Node \{$/m);
  });
});

describe('STRIPE_PREVIEW_RESOURCES=off', () => {
  it('builds the schema without the preview resources', async () => {
    const config = readServerConfig({
      STRIPE_SECRET_KEY: h.emulator.key,
      STRIPE_API_BASE: h.emulator.url,
      STRIPE_MAX_RETRIES: '0',
      LOG_LEVEL: 'silent',
      STRIPE_PREVIEW_RESOURCES: 'off',
    });
    const gateway = createGateway({ config, rest: restOver(h.emulator, config), logSink: () => {} });
    try {
      const ask = async (query: string) => {
        const response = await gateway.yoga.fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        });
        return (await response.json()) as { data?: any; errors?: { message: string }[] };
      };
      for (const name of ['TerminalHardwareOrder', 'CryptoOnrampSession']) {
        expect((await ask(`{ __type(name: "${name}") { name } }`)).data.__type, name).toBeNull();
      }
      const directives = (await ask('{ __schema { directives { name } } }')).data.__schema.directives;
      expect(directives.map((d: { name: string }) => d.name)).not.toContain('preview');
      const field = await ask('{ terminalHardwareOrders { nodes { id } } }');
      expect(field.errors?.[0]?.message).toMatch(
        /Cannot query field "terminalHardwareOrders" on type "Query"/,
      );
      const stable = await ask('{ customers(first: 1) { nodes { id } } }');
      expect(stable.errors).toBeUndefined();
      expect(stable.data.customers.nodes).toHaveLength(1);
    } finally {
      await gateway.close();
    }
    const sdl = printSDL({ preview: false });
    expect(sdl).not.toContain('@preview');
    expect(sdl).not.toMatch(/TerminalHardware|CryptoOnramp/);
  });
});
