/**
 * Billing, walked through GraphQL on the emulator: a subscription's first cycle with the
 * customer's credit applied, the minimum charge, credit notes, void from uncollectible, quotes
 * accepted into subscriptions and invoices, test clocks renewing subscriptions, schedules from a
 * subscription and usage record summaries, each with the events a GraphQL subscription receives;
 * and a plan's id taken wherever a price's is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlowHarness, startFlows, typesAmong } from './flow-harness.ts';

let f: FlowHarness;
let price: string;
let oneOff: string;
beforeAll(async () => {
  f = await startFlows();
  const monthly = await f.ok(`mutation {
    createPrice(input: { unitAmount: 1000, currency: "usd", recurring: { interval: MONTH }, productData: { name: "Flow plan" } }) { id }
  }`);
  price = monthly.createPrice.id;
  const once = await f.ok(`mutation {
    createPrice(input: { unitAmount: 2500, currency: "usd", productData: { name: "Set-up" } }) { id }
  }`);
  oneOff = once.createPrice.id;
});
afterAll(() => f.close());

const customer = async (fields = '') =>
  (
    await f.ok(
      `mutation { createCustomer(input: { name: "Billing flow", source: "tok_visa" ${fields} }) { id } }`,
    )
  ).createCustomer.id as string;

const INVOICE = `id status total amountDue amountPaid amountRemaining startingBalance endingBalance billingReason
  subscription { id } customer { id balance }`;

describe('billing', () => {
  it("a subscription's first cycle applies the customer's credit and pays the rest", async () => {
    const id = await customer('balance: -300');
    const stream = await f.subscribe(['customer.subscription.*', 'invoice.*']);
    const { createSubscription: sub } = await f.ok(
      `mutation($customer: ID!, $price: ID!) {
        createSubscription(input: { customer: $customer, items: [{ price: $price }] }) {
          id status latestInvoice { ${INVOICE} }
        }
      }`,
      { customer: id, price },
    );
    expect(sub.status).toBe('ACTIVE');
    expect(sub.latestInvoice).toMatchObject({
      status: 'PAID',
      total: 1000,
      startingBalance: -300,
      endingBalance: 0,
      amountDue: 700,
      amountPaid: 700,
      billingReason: 'SUBSCRIPTION_CREATE',
      subscription: { id: sub.id },
      customer: { id, balance: 0 },
    });
    const events = await stream.take(5);
    expect(events.map((e) => e.type)).toEqual([
      'customer.subscription.created',
      'invoice.created',
      'invoice.finalized',
      'invoice.paid',
      'invoice.payment_succeeded',
    ]);
    expect(events[4]!.data).toMatchObject({ subscription: sub.id, amount_paid: 700 });
    stream.close();
  });

  it('an amount below the minimum charge is marked paid and carried to the balance', async () => {
    const id = await customer();
    await f.ok(
      'mutation($c: ID!) { createInvoiceitem(input: { customer: $c, amount: 30, currency: "usd" }) { id } }',
      { c: id },
    );
    const { createInvoice: draft } = await f.ok(
      'mutation($c: ID!) { createInvoice(input: { customer: $c, pendingInvoiceItemsBehavior: INCLUDE }) { id amountDue } }',
      { c: id },
    );
    expect(draft.amountDue).toBe(30);
    const { finalizeInvoice: invoice } = await f.ok(
      `mutation($id: ID!) { finalizeInvoice(id: $id) { ${INVOICE} } }`,
      { id: draft.id },
    );
    expect(invoice).toMatchObject({
      status: 'PAID',
      amountDue: 30,
      amountPaid: 0,
      customer: { balance: 30 },
    });
  });

  it('credit notes: refused on a draft, on an open invoice with customer, totals and lines; voided', async () => {
    const id = await customer();
    await f.ok(
      'mutation($c: ID!) { createInvoiceitem(input: { customer: $c, amount: 4000, currency: "usd", description: "Consulting" }) { id } }',
      { c: id },
    );
    const { createInvoice: draft } = await f.ok(
      'mutation($c: ID!) { createInvoice(input: { customer: $c, collectionMethod: SEND_INVOICE, daysUntilDue: 30, pendingInvoiceItemsBehavior: INCLUDE }) { id lines(first: 10) { nodes { id amount } } } }',
      { c: id },
    );
    const note = `mutation($invoice: ID!, $line: ID!) {
      createCreditNote(input: { invoice: $invoice, lines: [{ type: INVOICE_LINE_ITEM, invoiceLineItem: $line, amount: 1500 }] }) {
        id status type total subtotal customer { id } invoice { id amountRemaining }
        lines(first: 10) { nodes { type amount description } }
      }
    }`;
    const line = draft.lines.nodes[0].id;
    expect(await f.fails(note, { invoice: draft.id, line })).toBeDefined();
    await f.ok('mutation($id: ID!) { finalizeInvoice(id: $id) { id } }', { id: draft.id });
    const stream = await f.subscribe(['credit_note.*']);
    const { createCreditNote: credit } = await f.ok(note, { invoice: draft.id, line });
    expect(credit).toMatchObject({
      status: 'ISSUED',
      type: 'PRE_PAYMENT',
      total: 1500,
      subtotal: 1500,
      customer: { id },
      invoice: { id: draft.id, amountRemaining: 2500 },
      lines: { nodes: [{ type: 'INVOICE_LINE_ITEM', amount: 1500, description: 'Consulting' }] },
    });
    const { voidCreditNote: voided } = await f.ok(
      'mutation($id: ID!) { voidCreditNote(id: $id) { status invoice { amountRemaining } } }',
      { id: credit.id },
    );
    expect(voided).toMatchObject({ status: 'VOID', invoice: { amountRemaining: 4000 } });
    expect((await stream.take(2)).map((e) => e.type)).toEqual(['credit_note.created', 'credit_note.voided']);
    stream.close();
  });

  it('an uncollectible invoice can be voided', async () => {
    const id = await customer();
    await f.ok(
      'mutation($c: ID!) { createInvoiceitem(input: { customer: $c, amount: 900, currency: "usd" }) { id } }',
      { c: id },
    );
    const { createInvoice: draft } = await f.ok(
      'mutation($c: ID!) { createInvoice(input: { customer: $c, collectionMethod: SEND_INVOICE, daysUntilDue: 10, pendingInvoiceItemsBehavior: INCLUDE }) { id } }',
      { c: id },
    );
    await f.ok('mutation($id: ID!) { finalizeInvoice(id: $id) { id } }', { id: draft.id });
    const stream = await f.subscribe(['invoice.*']);
    const marked = await f.ok('mutation($id: ID!) { markUncollectibleInvoice(id: $id) { status } }', {
      id: draft.id,
    });
    expect(marked.markUncollectibleInvoice.status).toBe('UNCOLLECTIBLE');
    const voided = await f.ok('mutation($id: ID!) { voidInvoice(id: $id) { status amountRemaining } }', {
      id: draft.id,
    });
    expect(voided.voidInvoice).toMatchObject({ status: 'VOID', amountRemaining: 0 });
    expect((await stream.take(2)).map((e) => e.type)).toEqual([
      'invoice.marked_uncollectible',
      'invoice.voided',
    ]);
    stream.close();
  });

  it('a quote has its line items and totals; accepting it creates the subscription', async () => {
    const id = await customer();
    const stream = await f.subscribe(['quote.*', 'customer.subscription.created']);
    const { createQuote: quote } = await f.ok(
      `mutation($c: ID!, $price: ID!) {
        createQuote(input: { customer: $c, lineItems: [{ price: $price, quantity: 3 }] }) {
          id status amountSubtotal amountTotal lineItems(first: 10) { nodes { quantity amountTotal description } }
        }
      }`,
      { c: id, price },
    );
    expect(quote).toMatchObject({
      status: 'DRAFT',
      amountSubtotal: 3000,
      amountTotal: 3000,
      lineItems: { nodes: [{ quantity: 3, amountTotal: 3000, description: 'Flow plan' }] },
    });
    const finalized = await f.ok('mutation($id: ID!) { finalizeQuote(id: $id) { status number } }', {
      id: quote.id,
    });
    expect(finalized.finalizeQuote.status).toBe('OPEN');
    const { acceptQuote: accepted } = await f.ok(
      'mutation($id: ID!) { acceptQuote(id: $id) { status subscription { id status items(first: 5) { nodes { quantity } } } } }',
      { id: quote.id },
    );
    expect(accepted).toMatchObject({
      status: 'ACCEPTED',
      subscription: { status: 'ACTIVE', items: { nodes: [{ quantity: 3 }] } },
    });
    const events = await stream.until([
      'quote.created',
      'quote.finalized',
      'customer.subscription.created',
      'quote.accepted',
    ]);
    expect(typesAmong(events, ['quote.created', 'quote.finalized', 'quote.accepted'])).toEqual([
      'quote.created',
      'quote.finalized',
      'quote.accepted',
    ]);
  });

  it('accepting a one-off quote creates its invoice', async () => {
    const id = await customer();
    const { createQuote: quote } = await f.ok(
      'mutation($c: ID!, $price: ID!) { createQuote(input: { customer: $c, lineItems: [{ price: $price, quantity: 2 }] }) { id amountTotal } }',
      { c: id, price: oneOff },
    );
    expect(quote.amountTotal).toBe(5000);
    await f.ok('mutation($id: ID!) { finalizeQuote(id: $id) { id } }', { id: quote.id });
    const { acceptQuote } = await f.ok(
      'mutation($id: ID!) { acceptQuote(id: $id) { status invoice { total customer { id } } } }',
      { id: quote.id },
    );
    expect(acceptQuote).toMatchObject({ status: 'ACCEPTED', invoice: { total: 5000, customer: { id } } });
  });

  it("advancing a test clock renews its customers' subscriptions, invoice by invoice", async () => {
    const start = Date.UTC(2025, 0, 15) / 1000;
    const { createTestClock: clock } = await f.ok(
      'mutation($t: DateTime!) { createTestClock(input: { frozenTime: $t, name: "Flow clock" }) { id status frozenTime } }',
      { t: new Date(start * 1000).toISOString() },
    );
    expect(clock.status).toBe('READY');
    const id = await customer(`testClock: "${clock.id}"`);
    const { createSubscription: sub } = await f.ok(
      'mutation($c: ID!, $p: ID!) { createSubscription(input: { customer: $c, items: [{ price: $p }] }) { id currentPeriodStart testClock { id } } }',
      { c: id, p: price },
    );
    expect(sub).toMatchObject({
      currentPeriodStart: new Date(start * 1000).toISOString(),
      testClock: { id: clock.id },
    });
    const stream = await f.subscribe(['test_helpers.*', 'invoice.paid']);
    const to = new Date(Date.UTC(2025, 2, 20)).toISOString();
    const { advanceTestClock } = await f.ok(
      'mutation($id: ID!, $t: DateTime!) { advanceTestClock(id: $id, input: { frozenTime: $t }) { status frozenTime } }',
      { id: clock.id, t: to },
    );
    expect(advanceTestClock).toMatchObject({ status: 'READY', frozenTime: to });
    const { subscription, invoices } = await f.ok(
      `query($id: ID!) { subscription(id: $id) { status currentPeriodStart
        invoices: latestInvoice { billingReason } } invoices(subscription: $id, first: 10) { nodes { billingReason status total } } }`,
      { id: sub.id },
    );
    expect(subscription).toMatchObject({
      status: 'ACTIVE',
      currentPeriodStart: new Date(Date.UTC(2025, 2, 15)).toISOString(),
      invoices: { billingReason: 'SUBSCRIPTION_CYCLE' },
    });
    expect(invoices.nodes).toEqual([
      { billingReason: 'SUBSCRIPTION_CYCLE', status: 'PAID', total: 1000 },
      { billingReason: 'SUBSCRIPTION_CYCLE', status: 'PAID', total: 1000 },
      { billingReason: 'SUBSCRIPTION_CREATE', status: 'PAID', total: 1000 },
    ]);
    const events = await stream.until(['test_helpers.test_clock.advancing', 'test_helpers.test_clock.ready']);
    // Two periods ended (February 15 and March 15): two renewal invoices paid.
    expect(
      typesAmong(events, [
        'invoice.paid',
        'test_helpers.test_clock.advancing',
        'test_helpers.test_clock.ready',
      ]),
    ).toEqual([
      'test_helpers.test_clock.advancing',
      'invoice.paid',
      'invoice.paid',
      'test_helpers.test_clock.ready',
    ]);
    stream.close();
  });

  it('a schedule from a subscription; usage records add up in the summary', async () => {
    const id = await customer();
    const { createSubscription: sub } = await f.ok(
      'mutation($c: ID!, $p: ID!) { createSubscription(input: { customer: $c, items: [{ price: $p, quantity: 2 }] }) { id items(first: 1) { nodes { id } } } }',
      { c: id, p: price },
    );
    const { createSubscriptionSchedule: schedule } = await f.ok(
      'mutation($s: ID!) { createSubscriptionSchedule(input: { fromSubscription: $s }) { id status customer { id } subscription { id schedule { id } } phases { items { quantity } } } }',
      { s: sub.id },
    );
    expect(schedule).toMatchObject({
      status: 'ACTIVE',
      customer: { id },
      subscription: { id: sub.id, schedule: { id: schedule.id } },
      phases: [{ items: [{ quantity: 2 }] }],
    });
    const released = await f.ok(
      'mutation($id: ID!) { releaseSubscriptionSchedule(id: $id) { status releasedSubscription } }',
      { id: schedule.id },
    );
    expect(released.releaseSubscriptionSchedule).toMatchObject({
      status: 'RELEASED',
      releasedSubscription: sub.id,
    });

    const item = sub.items.nodes[0].id;
    for (const quantity of [5, 7])
      await f.ok(
        'mutation($i: ID!, $q: SafeInt!) { createSubscriptionItemUsageRecord(subscriptionItem: $i, input: { quantity: $q }) { id quantity } }',
        { i: item, q: quantity },
      );
    const { subscriptionItem } = await f.ok(
      'query($i: ID!) { subscriptionItem(id: $i) { usageRecordSummaries(first: 5) { nodes { totalUsage } } } }',
      { i: item },
    );
    expect(subscriptionItem.usageRecordSummaries.nodes).toEqual([{ totalUsage: 12 }]);
  });

  it("a plan's id is taken wherever a price is: subscriptions, items, schedules, quotes, Checkout", async () => {
    const { createPlan: plan } = await f.ok(`mutation {
      createPlan(input: { id: "flow-gold-monthly", amount: 1500, currency: "usd", interval: MONTH, product: { details: { name: "Gold" } } }) { id }
    }`);
    const id = await customer();
    const { createSubscription: sub } = await f.ok(
      `mutation($c: ID!, $p: ID!) { createSubscription(input: { customer: $c, items: [{ price: $p }] }) {
        status items(first: 1) { nodes { price { id unitAmount type recurring { interval } } } }
        latestInvoice { total amountPaid } } }`,
      { c: id, p: plan.id },
    );
    expect(sub).toEqual({
      status: 'ACTIVE',
      items: {
        nodes: [
          {
            price: {
              id: 'flow-gold-monthly',
              unitAmount: 1500,
              type: 'RECURRING',
              recurring: { interval: 'MONTH' },
            },
          },
        ],
      },
      latestInvoice: { total: 1500, amountPaid: 1500 },
    });
    const { createInvoiceitem: item } = await f.ok(
      'mutation($c: ID!, $p: ID!) { createInvoiceitem(input: { customer: $c, price: $p, quantity: 2 }) { amount price { id } } }',
      { c: id, p: plan.id },
    );
    expect(item).toEqual({ amount: 3000, price: { id: 'flow-gold-monthly' } });
    const { createSubscriptionSchedule: schedule } = await f.ok(
      `mutation($c: ID!, $p: ID!) { createSubscriptionSchedule(input: { customer: $c, startDate: { now: true },
        phases: [{ items: [{ price: $p, quantity: 3 }], iterations: 1 }] }) { phases { items { quantity price { id } } } } }`,
      { c: id, p: plan.id },
    );
    expect(schedule.phases).toEqual([{ items: [{ quantity: 3, price: { id: 'flow-gold-monthly' } }] }]);
    const { createQuote: quote } = await f.ok(
      'mutation($c: ID!, $p: ID!) { createQuote(input: { customer: $c, lineItems: [{ price: $p, quantity: 2 }] }) { amountTotal } }',
      { c: id, p: plan.id },
    );
    expect(quote).toEqual({ amountTotal: 3000 });
    const { createCheckoutSession: session } = await f.ok(
      'mutation($c: ID!, $p: ID!) { createCheckoutSession(input: { customer: $c, mode: SUBSCRIPTION, successUrl: "https://example.com/done", lineItems: [{ price: $p, quantity: 1 }] }) { amountTotal } }',
      { c: id, p: plan.id },
    );
    expect(session).toEqual({ amountTotal: 1500 });
    expect(
      await f.fails(
        'mutation($c: ID!) { createInvoiceitem(input: { customer: $c, price: "plan_nope" }) { id } }',
        {
          c: id,
        },
      ),
    ).toBe('STRIPE_INVALID_REQUEST');
  });
});
