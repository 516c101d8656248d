/**
 * Events as Stripe emits them, flow by flow (the table in src/emulator/engine/events.ts): the spec's event
 * type names, in Stripe's order, `previous_attributes` on updates, the request that caused them,
 * and their delivery through the emulator's webhooks to a GraphQL subscription.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOWS, specEventTypes } from '../../src/emulator/engine/events.ts';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import { EmulatorService } from '../../src/emulator/service.ts';
import { type FlowHarness, startFlows } from './flow-harness.ts';
import { PAYEE_ACCOUNT, startEmulatorHarness } from './helpers.ts';

/** An emulator without demo data, and the event types each call records. */
function emulator() {
  const service = new EmulatorService({ seed: false });
  let recorded: JsonObject[] = [];
  service.onEvents((events) => recorded.push(...events));
  const call = (method: string, path: string, params: JsonObject = {}) => service.call(method, path, params);
  /** The events of the calls `fn` makes (their types, or the events themselves). */
  const events = (fn: () => unknown): JsonObject[] => {
    recorded = [];
    try {
      fn();
    } catch {
      // a declined payment still records its events
    }
    return recorded;
  };
  const types = (fn: () => unknown) => events(fn).map((e) => String(e.type));
  return { service, call, events, types };
}

describe('the flow table', () => {
  it('names only event types the spec lists', () => {
    const service = new EmulatorService({ seed: false });
    const types = specEventTypes(service.api.registry.model);
    expect(types.size).toBeGreaterThan(100);
    const prefixes: Record<string, string> = {
      subscription: 'customer.subscription',
      dispute: 'charge.dispute',
    };
    for (const [object, flow] of Object.entries(FLOWS)) {
      const prefix = prefixes[object] ?? object.replaceAll('.', '_');
      for (const rule of flow.rules) {
        const type = `${prefix}.${rule.event}`;
        const alt = `${object}.${rule.event}`;
        expect(types.has(type) || types.has(alt), type).toBe(true);
      }
    }
  });
});

describe('events by flow', () => {
  const { call, events, types } = emulator();
  let customer: string;
  let price: string;
  beforeAll(() => {
    customer = String(call('POST', '/v1/customers', { name: 'Flow', source: 'tok_visa' }).id);
    price = String(
      call('POST', '/v1/prices', {
        unit_amount: 1500,
        currency: 'usd',
        recurring: { interval: 'month' },
        product_data: { name: 'Flow plan' },
      }).id,
    );
  });

  it('an update: `customer.updated` with previous_attributes, nothing when nothing changed', () => {
    const [event, ...rest] = events(() => call('POST', `/v1/customers/${customer}`, { name: 'Renamed' }));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      object: 'event',
      type: 'customer.updated',
      api_version: '2024-04-10',
      data: { object: { id: customer, name: 'Renamed' }, previous_attributes: { name: 'Flow' } },
    });
    expect(types(() => call('POST', `/v1/customers/${customer}`, { name: 'Renamed' }))).toEqual([]);
  });

  it('a confirmed PaymentIntent: created, charge.succeeded, succeeded', () => {
    const recorded = events(() =>
      call('POST', '/v1/payment_intents', {
        amount: 2000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        payment_method_types: ['card'],
        confirm: true,
      }),
    );
    expect(recorded.map((e) => e.type)).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
    const [created, charge, succeeded] = recorded.map((e) => (e.data as JsonObject).object as JsonObject);
    expect(created!.status).toBe('requires_confirmation');
    expect(charge).toMatchObject({ object: 'charge', amount: 2000, payment_intent: succeeded!.id });
    expect(succeeded).toMatchObject({
      status: 'succeeded',
      amount_received: 2000,
      latest_charge: charge!.id,
    });
  });

  it('a decline: charge.failed, payment_intent.payment_failed', () => {
    const recorded = events(() =>
      call('POST', '/v1/payment_intents', {
        amount: 900,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        payment_method_types: ['card'],
        confirm: true,
      }),
    );
    expect(recorded.map((e) => e.type)).toEqual([
      'payment_intent.created',
      'charge.failed',
      'payment_intent.payment_failed',
    ]);
    expect((recorded[2]!.data as JsonObject).object).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined', decline_code: 'generic_decline' },
    });
  });

  it('a manual capture: amount_capturable_updated, then charge.captured and succeeded', () => {
    let id = '';
    expect(
      types(() => {
        id = String(
          call('POST', '/v1/payment_intents', {
            amount: 700,
            currency: 'usd',
            payment_method: 'pm_card_visa',
            payment_method_types: ['card'],
            capture_method: 'manual',
            confirm: true,
          }).id,
        );
      }),
    ).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.amount_capturable_updated']);
    expect(
      types(() => call('POST', `/v1/payment_intents/${id}/capture`, { amount_to_capture: 500 })),
    ).toEqual(['charge.captured', 'payment_intent.succeeded']);
  });

  it('a cancellation: payment_intent.canceled', () => {
    const id = String(call('POST', '/v1/payment_intents', { amount: 300, currency: 'usd' }).id);
    expect(types(() => call('POST', `/v1/payment_intents/${id}/cancel`))).toEqual([
      'payment_intent.canceled',
    ]);
  });

  it('a refund: charge.refunded, refund.created', () => {
    const charge = call('POST', '/v1/charges', { amount: 5000, currency: 'usd', source: 'tok_visa' });
    const recorded = events(() => call('POST', '/v1/refunds', { charge: String(charge.id), amount: 1200 }));
    expect(recorded.map((e) => e.type)).toEqual(['charge.refunded', 'refund.created']);
    expect((recorded[0]!.data as JsonObject).object).toMatchObject({ id: charge.id, amount_refunded: 1200 });
  });

  it("a subscription's first cycle: created, then its invoice created, finalized, paid", () => {
    const recorded = types(() => call('POST', '/v1/subscriptions', { customer, items: [{ price }] }));
    expect(recorded.filter((t) => t.startsWith('customer.') || t.startsWith('invoice.'))).toEqual([
      'customer.subscription.created',
      'invoice.created',
      'invoice.finalized',
      'invoice.paid',
      'invoice.payment_succeeded',
    ]);
    expect(recorded).toContain('charge.succeeded');
  });

  it('a subscription canceled: customer.subscription.deleted', () => {
    const sub = call('POST', '/v1/subscriptions', { customer, items: [{ price }] });
    expect(types(() => call('DELETE', `/v1/subscriptions/${sub.id}`))).toEqual([
      'customer.subscription.deleted',
    ]);
  });

  it('an invoice voided, and one marked uncollectible', () => {
    const invoice = () => {
      call('POST', '/v1/invoiceitems', { customer, amount: 400, currency: 'usd' });
      const id = String(
        call('POST', '/v1/invoices', {
          customer,
          collection_method: 'send_invoice',
          days_until_due: 30,
          pending_invoice_items_behavior: 'include',
        }).id,
      );
      // A finalized invoice with an amount due gets the PaymentIntent it is paid through.
      expect(types(() => call('POST', `/v1/invoices/${id}/finalize`))).toEqual([
        'invoice.finalized',
        'payment_intent.created',
      ]);
      return id;
    };
    const voided = invoice();
    expect(types(() => call('POST', `/v1/invoices/${voided}/void`))).toEqual([
      'invoice.voided',
      'payment_intent.canceled',
    ]);
    const uncollectible = invoice();
    expect(types(() => call('POST', `/v1/invoices/${uncollectible}/mark_uncollectible`))).toEqual([
      'invoice.marked_uncollectible',
    ]);
  });

  it('a transfer reversal: transfer.reversed about the transfer, the refund of its payment to the destination', () => {
    const account = call('POST', '/v1/accounts', PAYEE_ACCOUNT);
    // A transfer takes available funds: this emulator has no demo data, so a top-up brings them.
    call('POST', '/v1/topups', { amount: 5000, currency: 'usd' });
    const transfer = call('POST', '/v1/transfers', {
      amount: 1000,
      currency: 'usd',
      destination: String(account.id),
    });
    const recorded = events(() => call('POST', `/v1/transfers/${transfer.id}/reversals`, { amount: 400 }));
    expect(recorded.map((e) => [e.type, e.account ?? null])).toEqual([
      ['charge.refunded', account.id],
      ['refund.created', account.id],
      ['transfer.reversed', null],
    ]);
    expect((recorded[2]!.data as JsonObject).object).toMatchObject({ id: transfer.id, amount_reversed: 400 });
  });

  it('a deletion: customer.deleted with the object as it was', () => {
    const id = String(call('POST', '/v1/customers', { name: 'Gone' }).id);
    const recorded = events(() => call('DELETE', `/v1/customers/${id}`));
    expect(recorded.map((e) => e.type)).toEqual(['customer.deleted']);
    expect((recorded[0]!.data as JsonObject).object).toMatchObject({ id, name: 'Gone' });
  });

  it('nothing for a request that fails and rolls back', () => {
    expect(types(() => call('POST', '/v1/customers/cus_missing', { name: 'x' }))).toEqual([]);
  });
});

describe('over HTTP', () => {
  it("events carry the request's id and idempotency key", async () => {
    const h = await startEmulatorHarness({ seed: false });
    try {
      const response = await h.request('POST', '/v1/customers', {
        body: 'name=Requested',
        headers: { 'Idempotency-Key': 'flow-key-1' },
      });
      const events = await h.request('GET', '/v1/events?limit=1');
      expect(events.body.data[0]).toMatchObject({
        type: 'customer.created',
        request: { id: response.headers.get('request-id'), idempotency_key: 'flow-key-1' },
        data: { object: { id: response.body.id } },
      });
    } finally {
      await h.close();
    }
  });
});

describe('delivered to a GraphQL subscription', () => {
  let f: FlowHarness;
  beforeAll(async () => {
    f = await startFlows();
  });
  afterAll(() => f.close());

  it("the README's subscription gets payment_intent.succeeded with the typed PaymentIntent", async () => {
    const stream = await f.subscribe(
      ['customer.*', 'payment_intent.succeeded'],
      'id ... on Customer { name email } ... on PaymentIntent { status amount }',
    );
    const data = await f.ok(`mutation {
      createPaymentIntent(input: { amount: 4200, currency: "usd", paymentMethod: "pm_card_visa", paymentMethodTypes: ["card"], confirm: true }) {
        id status amount
      }
    }`);
    expect(data.createPaymentIntent).toMatchObject({ status: 'SUCCEEDED', amount: 4200 });
    const [event] = await stream.take(1);
    expect(event).toMatchObject({
      type: 'payment_intent.succeeded',
      object: { id: data.createPaymentIntent.id, status: 'SUCCEEDED', amount: 4200 },
    });
    stream.close();
  });

  it('a decline reaches it in order: payment_intent.created, charge.failed, payment_intent.payment_failed', async () => {
    const stream = await f.subscribe(['payment_intent.*', 'charge.*']);
    const code = await f.fails(`mutation {
      createPaymentIntent(input: { amount: 1300, currency: "usd", paymentMethod: "pm_card_chargeDeclined", paymentMethodTypes: ["card"], confirm: true }) { id }
    }`);
    expect(code).toBe('STRIPE_CARD_ERROR');
    const events = await stream.take(3);
    expect(events.map((e) => e.type)).toEqual([
      'payment_intent.created',
      'charge.failed',
      'payment_intent.payment_failed',
    ]);
    expect(events[2]!.data).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { decline_code: 'generic_decline' },
    });
    stream.close();
  });

  it('an update reaches it with previousAttributes', async () => {
    const stream = await f.subscribe(['customer.updated'], '... on Customer { name }');
    const created = await f.ok('mutation { createCustomer(input: { name: "Before" }) { id } }');
    await f.ok('mutation($id: ID!) { updateCustomer(id: $id, input: { name: "After" }) { id } }', {
      id: created.createCustomer.id,
    });
    const [event] = await stream.take(1);
    expect(event).toMatchObject({ object: { name: 'After' }, previousAttributes: { name: 'Before' } });
    stream.close();
  });
});
