/**
 * Invoice items, invoices and their lines, subscriptions and their items.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type EmulatorHarness, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;
let stripe: Stripe;

beforeAll(async () => {
  h = await startEmulatorHarness();
  stripe = h.stripe;
});
afterAll(() => h.close());

const lines = (invoice: Stripe.Invoice) => invoice.lines.data;

describe('invoices', () => {
  it('pull the customer’s pending items in as lines and total them', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const byPrice = await stripe.invoiceItems.create({
      customer: customer.id,
      price: SEED.prices.setupFee,
      quantity: 2,
    });
    const byAmount = await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 1234,
      currency: 'usd',
    });
    expect(byPrice).toMatchObject({
      amount: 10_000,
      quantity: 2,
      unit_amount: 5000,
      price: { id: SEED.prices.setupFee },
    });
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    expect(invoice).toMatchObject({
      status: 'draft',
      subtotal: 11_234,
      total: 11_234,
      amount_due: 11_234,
      amount_remaining: 11_234,
    });
    expect(lines(invoice).map((l) => [l.object, l.type, l.invoice_item, l.amount])).toEqual([
      ['line_item', 'invoiceitem', byPrice.id, 10_000],
      ['line_item', 'invoiceitem', byAmount.id, 1234],
    ]);
    expect(invoice.lines.url).toBe(`/v1/invoices/${invoice.id}/lines`);
    expect((await stripe.invoiceItems.retrieve(byAmount.id)).invoice).toBe(invoice.id);
    const listed = await stripe.invoices.listLineItems(invoice.id, { limit: 1 });
    expect(listed).toMatchObject({ has_more: true, data: [{ invoice_item: byPrice.id }] });
    expect((await stripe.invoiceItems.list({ invoice: invoice.id })).data).toHaveLength(2);

    const added = await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 66,
      currency: 'usd',
      invoice: invoice.id,
    });
    expect((await stripe.invoices.retrieve(invoice.id)).total).toBe(11_300);
    await stripe.invoiceItems.del(added.id);
    expect((await stripe.invoices.retrieve(invoice.id)).total).toBe(11_234);
    await stripe.invoiceItems.update(byAmount.id, { amount: 1000 });
    const updated = await stripe.invoices.retrieve(invoice.id);
    expect(updated.total).toBe(11_000);
    expect(lines(updated)).toHaveLength(2);
  });

  it('pending_invoice_items_behavior=exclude leaves the items pending', async () => {
    const customer = await stripe.customers.create({});
    await stripe.invoiceItems.create({ customer: customer.id, amount: 500, currency: 'usd' });
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'exclude',
    });
    expect(invoice.total).toBe(0);
    expect(lines(invoice)).toEqual([]);
  });

  it('finalize, pay, void and mark uncollectible follow the status rules', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 700, currency: 'usd' });
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    const open = await stripe.invoices.finalizeInvoice(invoice.id);
    expect(open).toMatchObject({ status: 'open', status_transitions: { finalized_at: expect.any(Number) } });
    // The emulator's own hosted invoice page (src/emulator/hosted/invoice.ts).
    expect(open.hosted_invoice_url).toBe(`${h.emulator.url}/invoice/${invoice.id}`);
    await expect(stripe.invoices.finalizeInvoice(invoice.id)).rejects.toMatchObject({ statusCode: 400 });
    const paid = await stripe.invoices.pay(invoice.id, { expand: ['charge'] });
    expect(paid).toMatchObject({ status: 'paid', paid: true, amount_paid: 700, attempted: true });
    expect(paid.charge).toMatchObject({
      amount: 700,
      invoice: invoice.id,
      customer: customer.id,
    });
    await expect(stripe.invoices.voidInvoice(invoice.id)).rejects.toMatchObject({ statusCode: 400 });

    await stripe.invoiceItems.create({ customer: customer.id, amount: 100, currency: 'usd' });
    const second = await stripe.invoices.finalizeInvoice(
      (await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: 'include' })).id,
    );
    expect(second.number).not.toBe(open.number);
    expect((await stripe.invoices.voidInvoice(second.id)).status).toBe('void');
    await stripe.invoiceItems.create({ customer: customer.id, amount: 100, currency: 'usd' });
    const third = await stripe.invoices.finalizeInvoice(
      (await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: 'include' })).id,
    );
    expect((await stripe.invoices.markUncollectible(third.id)).status).toBe('uncollectible');
  });

  it('paying with a declining card fails and leaves the invoice open', async () => {
    const customer = await stripe.customers.create({ source: 'tok_chargeCustomerFail' });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 900, currency: 'usd' });
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    await expect(stripe.invoices.pay(invoice.id)).rejects.toMatchObject({
      statusCode: 402,
      code: 'card_declined',
    });
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      status: 'open',
      paid: false,
      attempt_count: 1,
    });
    expect((await stripe.invoices.pay(invoice.id, { paid_out_of_band: true })).status).toBe('paid');
  });

  it('a zero invoice is paid when finalized', async () => {
    const customer = await stripe.customers.create({});
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    expect((await stripe.invoices.finalizeInvoice(invoice.id)).status).toBe('paid');
  });

  it('lists filter by customer and status', async () => {
    const paid = await stripe.invoices.list({ customer: SEED.jenny.customer, status: 'paid' });
    expect(paid.data.map((i) => i.id)).toContain(SEED.jenny.invoice);
    expect(paid.data.every((i) => i.status === 'paid' && i.customer === SEED.jenny.customer)).toBe(true);
    expect((await stripe.invoices.list({ status: 'draft' })).data.map((i) => i.id)).toContain(
      SEED.linus.draftInvoice,
    );
    expect((await stripe.invoices.retrieve(SEED.katherine.openInvoice)).status).toBe('open');
  });

  it('the upcoming invoice previews the next period and pending items', async () => {
    const upcoming = await h.request('GET', `/v1/invoices/upcoming?customer=${SEED.jenny.customer}`);
    expect(upcoming.status).toBe(200);
    expect(upcoming.body).not.toHaveProperty('id');
    const types = upcoming.body.lines.data.map((l: Stripe.InvoiceLineItem) => l.type).sort();
    expect(types).toEqual(['invoiceitem', 'subscription']);
    expect(upcoming.body.total).toBe(1000 + 700);
  });
});

describe('subscriptions', () => {
  it('create items, a period from the price interval and a paid first invoice', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }, { price: SEED.prices.proMonthly, quantity: 3 }],
    });
    const start = new Date(subscription.current_period_start * 1000);
    const end = new Date(subscription.current_period_end * 1000);
    expect(end.getUTCMonth()).toBe((start.getUTCMonth() + 1) % 12);
    expect(subscription.status).toBe('active');
    expect(subscription.items.url).toBe(`/v1/subscription_items?subscription=${subscription.id}`);
    expect(subscription.items.data.map((i) => [i.object, i.price.id, i.quantity])).toEqual([
      ['subscription_item', SEED.prices.basicMonthly, 1],
      ['subscription_item', SEED.prices.proMonthly, 3],
    ]);
    const items = await stripe.subscriptionItems.list({ subscription: subscription.id });
    expect(items.data.map((i) => i.id)).toEqual(subscription.items.data.map((i) => i.id));

    const invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(invoice).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_create',
      total: 1000 + 3 * 2500,
    });
    expect(lines(invoice).map((l) => [l.type, l.subscription_item, l.amount])).toEqual([
      ['subscription', subscription.items.data[0]!.id, 1000],
      ['subscription', subscription.items.data[1]!.id, 7500],
    ]);
    expect((await stripe.invoices.list({ subscription: subscription.id })).data.map((i) => i.id)).toEqual([
      invoice.id,
    ]);
    expect(
      (await stripe.subscriptions.list({ price: SEED.prices.proMonthly, customer: customer.id })).data,
    ).toHaveLength(1);
  });

  it('a yearly price gives a year-long period', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.proYearly }],
    });
    expect(new Date(subscription.current_period_end * 1000).getUTCFullYear()).toBe(
      new Date(subscription.current_period_start * 1000).getUTCFullYear() + 1,
    );
  });

  it('update adds, changes and removes items', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
    });
    const first = subscription.items.data[0]!;
    const updated = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: first.id, quantity: 4 }, { price: SEED.prices.proMonthly }],
    });
    expect(updated.items.data.map((i) => [i.price.id, i.quantity])).toEqual([
      [SEED.prices.basicMonthly, 4],
      [SEED.prices.proMonthly, 1],
    ]);
    const removed = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: first.id, deleted: true }],
    });
    expect(removed.items.data.map((i) => i.price.id)).toEqual([SEED.prices.proMonthly]);
    const item = await stripe.subscriptionItems.create({
      subscription: subscription.id,
      price: SEED.prices.basicMonthly,
      quantity: 2,
    });
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data).toHaveLength(2);
    expect(await stripe.subscriptionItems.del(item.id)).toMatchObject({ id: item.id, deleted: true });
  });

  it('a trial starts trialing with a zero first invoice', async () => {
    const ada = await stripe.subscriptions.retrieve(SEED.ada.subscription, { expand: ['latest_invoice'] });
    expect(ada.status).toBe('trialing');
    expect(ada.trial_end! - ada.trial_start!).toBe(14 * 86_400);
    expect((ada.latest_invoice as Stripe.Invoice).total).toBe(0);
  });

  it('a declining default card leaves the subscription incomplete', async () => {
    const customer = await stripe.customers.create({ source: 'tok_chargeCustomerFail' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
    });
    expect(subscription.status).toBe('incomplete');
    expect((await stripe.invoices.retrieve(subscription.latest_invoice as string)).status).toBe('open');
    await expect(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: SEED.prices.basicMonthly }],
        payment_behavior: 'error_if_incomplete',
      }),
    ).rejects.toMatchObject({ statusCode: 402 });
  });

  it('cancel with DELETE, hidden from default lists', async () => {
    const margaret = await stripe.subscriptions.retrieve(SEED.margaret.canceledSubscription);
    expect(margaret).toMatchObject({
      status: 'canceled',
      canceled_at: expect.any(Number),
      ended_at: expect.any(Number),
    });
    expect((await stripe.subscriptions.list({ customer: SEED.margaret.customer })).data).toEqual([]);
    expect(
      (await stripe.subscriptions.list({ customer: SEED.margaret.customer, status: 'all' })).data,
    ).toHaveLength(1);
    const viaCustomer = await stripe.customers.retrieve(SEED.margaret.customer, {
      expand: ['subscriptions'],
    });
    expect((viaCustomer as Stripe.Customer).subscriptions!.data).toEqual([]);
    await expect(stripe.subscriptions.cancel(SEED.margaret.canceledSubscription)).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('items must use recurring prices', async () => {
    await expect(
      stripe.subscriptions.create({
        customer: SEED.jenny.customer,
        items: [{ price: SEED.prices.setupFee }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'items[0][price]' });
  });
});

describe('path-addressed objects', () => {
  it('the upcoming invoice’s lines page like a list', async () => {
    const first = await h.request(
      'GET',
      `/v1/invoices/upcoming/lines?customer=${SEED.jenny.customer}&limit=1`,
    );
    expect(first.body).toMatchObject({
      object: 'list',
      has_more: true,
      data: [{ object: 'line_item', type: 'subscription' }],
    });
    const next = await h.request(
      'GET',
      `/v1/invoices/upcoming/lines?customer=${SEED.jenny.customer}&limit=1&starting_after=${first.body.data[0].id}`,
    );
    expect(next.body).toMatchObject({
      has_more: false,
      data: [{ type: 'invoiceitem', invoice_item: SEED.jenny.pendingInvoiceItem }],
    });
  });

  it('the upcoming invoice’s lines keep their ids from one read to the next, a pending item’s named after it', async () => {
    const customer = await stripe.customers.create();
    const items = [];
    for (const amount of [500, 700]) {
      items.push(await stripe.invoiceItems.create({ customer: customer.id, amount, currency: 'usd' }));
    }
    const read = async () => (await stripe.invoices.retrieveUpcoming({ customer: customer.id })).lines.data;
    const first = await read();
    expect(first.map((l) => l.id)).toEqual(items.map((item) => `il_tmp_${item.id.slice('ii_'.length)}`));
    expect((await read()).map((l) => l.id)).toEqual(first.map((l) => l.id));
    // A cursor from one read pages another.
    const rest = await stripe.invoices.listUpcomingLines({
      customer: customer.id,
      starting_after: first[0]!.id,
    });
    expect(rest.data.map((l) => l.invoice_item)).toEqual([items[1]!.id]);
  });

  it('a customer’s discount from a promotion code, readable and deletable', async () => {
    const customer = await stripe.customers.create({ promotion_code: SEED.promotionCode });
    expect(customer.discount).toMatchObject({
      object: 'discount',
      coupon: { id: SEED.coupons.summer },
      customer: customer.id,
    });
    const discount = await h.request('GET', `/v1/customers/${customer.id}/discount`);
    expect(discount.body).toMatchObject({ object: 'discount', promotion_code: SEED.promotionCode });
    const deleted = await h.request('DELETE', `/v1/customers/${customer.id}/discount`);
    expect(deleted.body).toMatchObject({ object: 'discount', deleted: true, id: discount.body.id });
    expect(((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).discount).toBeNull();
    expect((await stripe.promotionCodes.retrieve(SEED.promotionCode)).times_redeemed).toBe(1);
  });

  it('finds apps secrets by name and previews credit notes', async () => {
    await h.request('POST', '/v1/apps/secrets', {
      body: 'name=api_token&payload=s3cret&scope[type]=account',
    });
    const found = await h.request('GET', '/v1/apps/secrets/find?name=api_token&scope[type]=account');
    expect(found.body).toMatchObject({ object: 'apps.secret', name: 'api_token' });
    expect((await h.request('GET', '/v1/apps/secrets/find?name=nope&scope[type]=account')).status).toBe(404);
    const preview = await h.request(
      'GET',
      `/v1/credit_notes/preview?invoice=${SEED.jenny.invoice}&amount=100`,
    );
    expect(preview.body).toMatchObject({ object: 'credit_note', invoice: SEED.jenny.invoice });
  });

  it('a tok_createDispute charge is disputed at once', async () => {
    const charge = await stripe.charges.create({
      amount: 1500,
      currency: 'usd',
      source: 'tok_createDispute',
    });
    expect(charge.disputed).toBe(true);
    const dispute = await h.request('GET', `/v1/charges/${charge.id}/dispute`);
    expect(dispute.body).toMatchObject({
      object: 'dispute',
      charge: charge.id,
      status: 'needs_response',
      amount: 1500,
    });
    expect((await stripe.disputes.list({ charge: charge.id })).data.map((d) => d.id)).toEqual([
      dispute.body.id,
    ]);
    const closed = await h.request('POST', `/v1/charges/${charge.id}/dispute/close`, { body: '' });
    expect(closed.body.status).toBe('lost');
  });
});

describe('delete parameters', () => {
  it('are read from the query string, as the SDK sends them', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
    });
    const canceled = await stripe.subscriptions.cancel(subscription.id, {
      invoice_now: false,
      prorate: false,
      cancellation_details: { comment: 'too pricey' },
    });
    expect(canceled).toMatchObject({
      status: 'canceled',
      cancellation_details: { comment: 'too pricey', reason: 'cancellation_requested' },
    });
    const unknown = await h.request('DELETE', `/v1/subscriptions/${subscription.id}?bogus=1`);
    expect(unknown.body.error).toMatchObject({ code: 'parameter_unknown', param: 'bogus' });
  });
});
