/**
 * Conformance with the official `stripe` SDK pointed at the emulator: CRUD, lists and pagination,
 * search and nested resources for the common resources.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type EmulatorHarness, newPayee, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;
let stripe: Stripe;

beforeAll(async () => {
  h = await startEmulatorHarness();
  stripe = h.stripe;
});
afterAll(() => h.close());

describe('customers', () => {
  it('create, retrieve, update, list, delete', async () => {
    const created = await stripe.customers.create({
      email: 'sdk@example.com',
      name: 'SDK',
      metadata: { a: '1', b: '2' },
    });
    expect(created.id).toMatch(/^cus_[A-Za-z0-9]{24}$/);
    expect(created).toMatchObject({
      object: 'customer',
      email: 'sdk@example.com',
      livemode: false,
      metadata: { a: '1', b: '2' },
    });
    expect((await stripe.customers.retrieve(created.id)).id).toBe(created.id);
    const updated = await stripe.customers.update(created.id, {
      name: 'SDK 2',
      metadata: { a: '' },
      description: 'x',
    });
    expect(updated).toMatchObject({ name: 'SDK 2', metadata: { b: '2' }, description: 'x' });
    expect((await stripe.customers.update(created.id, { description: '' })).description).toBeNull();
    expect(
      (await stripe.customers.update(created.id, { metadata: '' as unknown as Stripe.MetadataParam }))
        .metadata,
    ).toEqual({});
    const list = await stripe.customers.list({ limit: 1 });
    expect(list.data[0]!.id).toBe(created.id);
    expect(list.has_more).toBe(true);
    expect(list.url).toBe('/v1/customers');
    const deleted = await stripe.customers.del(created.id);
    expect(deleted).toEqual({ id: created.id, object: 'customer', deleted: true });
    expect(await stripe.customers.retrieve(created.id)).toMatchObject({ id: created.id, deleted: true });
    await expect(stripe.customers.update(created.id, { name: 'gone' })).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('paginates with starting_after and ending_before, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stripe.customers.create({ email: 'page@example.com' })).id);
    const first = await stripe.customers.list({ email: 'page@example.com', limit: 2 });
    expect(first.data.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    const second = await stripe.customers.list({
      email: 'page@example.com',
      limit: 2,
      starting_after: ids[3]!,
    });
    expect(second.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    expect(second.has_more).toBe(true);
    const back = await stripe.customers.list({ email: 'page@example.com', limit: 2, ending_before: ids[1]! });
    expect(back.data.map((c) => c.id)).toEqual([ids[3], ids[2]]);
    expect(back.has_more).toBe(true);
    const last = await stripe.customers.list({
      email: 'page@example.com',
      limit: 2,
      starting_after: ids[1]!,
    });
    expect(last.data.map((c) => c.id)).toEqual([ids[0]]);
    expect(last.has_more).toBe(false);
  });

  it('auto-pagination over 250 objects returns each once', async () => {
    const created = new Set<string>();
    for (let batch = 0; batch < 10; batch++) {
      const made = await Promise.all(
        Array.from({ length: 25 }, () => stripe.customers.create({ email: 'bulk@example.com' })),
      );
      for (const c of made) created.add(c.id);
    }
    const viaArray = await stripe.customers
      .list({ email: 'bulk@example.com', limit: 100 })
      .autoPagingToArray({ limit: 1000 });
    expect(viaArray).toHaveLength(250);
    expect(new Set(viaArray.map((c) => c.id))).toEqual(created);
    const seen: string[] = [];
    for await (const customer of stripe.customers.list({ email: 'bulk@example.com', limit: 33 }))
      seen.push(customer.id);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });

  it('search', async () => {
    const result = await stripe.customers.search({ query: `email:"${SEED.jenny.email}"` });
    expect(result.object).toBe('search_result');
    expect(result.data.map((c) => c.id)).toEqual([SEED.jenny.customer]);
    const names = await stripe.customers.search({ query: 'name~"Lovelace" OR name:"Grace Hopper"' });
    expect(names.data.map((c) => c.name).sort()).toEqual(['Ada Lovelace', 'Grace Hopper']);
    const paged = await stripe.customers.search({ query: 'metadata["demo"]:"true"', limit: 4 });
    expect(paged.has_more).toBe(true);
    const all = await stripe.customers
      .search({ query: 'metadata["demo"]:"true"', limit: 4 })
      .autoPagingToArray({ limit: 100 });
    expect(all).toHaveLength(10);
  });
});

describe('cards and sources', () => {
  it('create, retrieve, update, list and delete a customer card', async () => {
    const customer = await stripe.customers.create({ name: 'Card holder' });
    const card = (await stripe.customers.createSource(customer.id, {
      source: 'tok_mastercard',
    })) as Stripe.Card;
    expect(card).toMatchObject({ object: 'card', brand: 'MasterCard', last4: '4444', customer: customer.id });
    const fetched = (await stripe.customers.retrieveSource(customer.id, card.id)) as Stripe.Card;
    expect(fetched.id).toBe(card.id);
    const updated = (await stripe.customers.updateSource(customer.id, card.id, {
      name: 'Holder',
      metadata: { k: 'v' },
    })) as Stripe.Card;
    expect(updated).toMatchObject({ name: 'Holder', metadata: { k: 'v' } });
    const cards = await stripe.customers.listSources(customer.id, { object: 'card' });
    expect(cards.data.map((c) => c.id)).toEqual([card.id]);
    expect(cards.url).toBe(`/v1/customers/${customer.id}/sources`);
    const deleted = await stripe.customers.deleteSource(customer.id, card.id);
    expect(deleted).toMatchObject({ id: card.id, object: 'card', deleted: true });
    expect((await stripe.customers.listSources(customer.id)).data).toEqual([]);
  });

  it('creates sources and attaches them', async () => {
    const source = await stripe.sources.create({
      type: 'ach_credit_transfer',
      currency: 'usd',
      owner: { email: 'o@example.com' },
    });
    expect(source.id).toMatch(/^src_/);
    const customer = await stripe.customers.create({ source: source.id });
    expect(customer.default_source).toBe(source.id);
    expect((await stripe.sources.retrieve(source.id)).customer).toBe(customer.id);
  });
});

describe('products and prices', () => {
  it('product CRUD', async () => {
    const product = await stripe.products.create({ name: 'Widget', metadata: { sku: 'w-1' } });
    expect(product).toMatchObject({ object: 'product', name: 'Widget', active: true });
    expect((await stripe.products.update(product.id, { description: 'A widget' })).description).toBe(
      'A widget',
    );
    expect((await stripe.products.retrieve(product.id)).name).toBe('Widget');
    expect((await stripe.products.list({ limit: 1 })).data[0]!.id).toBe(product.id);
    expect(await stripe.products.del(product.id)).toEqual({
      id: product.id,
      object: 'product',
      deleted: true,
    });
    await expect(stripe.products.retrieve(product.id)).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('price create, retrieve, update, list', async () => {
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 1234,
      recurring: { interval: 'week' },
      product_data: { name: 'Weekly box' },
    });
    expect(price).toMatchObject({
      type: 'recurring',
      unit_amount: 1234,
      recurring: { interval: 'week', interval_count: 1 },
    });
    expect((await stripe.prices.update(price.id, { nickname: 'box' })).nickname).toBe('box');
    expect((await stripe.prices.retrieve(price.id, { expand: ['product'] })).product).toMatchObject({
      name: 'Weekly box',
    });
    const listed = await stripe.prices.list({ product: price.product as string });
    expect(listed.data.map((p) => p.id)).toEqual([price.id]);
    expect(
      (await stripe.prices.list({ type: 'one_time', limit: 100 })).data.every((p) => p.type === 'one_time'),
    ).toBe(true);
    expect((await stripe.prices.list({ lookup_keys: ['pro_yearly'] })).data.map((p) => p.id)).toEqual([
      SEED.prices.proYearly,
    ]);
    expect((await stripe.prices.search({ query: 'lookup_key:"basic_monthly"' })).data[0]!.id).toBe(
      SEED.prices.basicMonthly,
    );
  });
});

describe('invoices and invoice items', () => {
  it('invoice item and invoice lifecycle', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const item = await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 2500,
      currency: 'usd',
      description: 'Hours',
    });
    expect(item).toMatchObject({ object: 'invoiceitem', amount: 2500, invoice: null });
    expect((await stripe.invoiceItems.update(item.id, { description: 'Billable hours' })).description).toBe(
      'Billable hours',
    );
    expect((await stripe.invoiceItems.retrieve(item.id)).id).toBe(item.id);
    expect((await stripe.invoiceItems.list({ customer: customer.id })).data.map((i) => i.id)).toEqual([
      item.id,
    ]);
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    expect(invoice).toMatchObject({ status: 'draft', total: 2500, amount_due: 2500 });
    expect(invoice.lines.data.map((l) => l.invoice_item)).toEqual([item.id]);
    expect((await stripe.invoices.update(invoice.id, { description: 'April' })).description).toBe('April');
    expect((await stripe.invoices.list({ customer: customer.id })).data.map((i) => i.id)).toEqual([
      invoice.id,
    ]);
    const finalized = await stripe.invoices.finalizeInvoice(invoice.id);
    expect(finalized.status).toBe('open');
    expect(finalized.number).toMatch(/^[A-Z0-9]{8}-0001$/);
    const paid = await stripe.invoices.pay(invoice.id);
    expect(paid).toMatchObject({ status: 'paid', paid: true, amount_paid: 2500, amount_remaining: 0 });
    await expect(stripe.invoices.del(invoice.id)).rejects.toMatchObject({ statusCode: 400 });
    const draft = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    expect(await stripe.invoices.del(draft.id)).toMatchObject({ id: draft.id, deleted: true });
    const spare = await stripe.invoiceItems.create({ customer: customer.id, amount: 100, currency: 'usd' });
    expect(await stripe.invoiceItems.del(spare.id)).toMatchObject({ id: spare.id, deleted: true });
  });
});

describe('subscriptions', () => {
  const periodEnd = (subscription: Stripe.Subscription) => subscription.current_period_end;

  it('create, retrieve, update, list, cancel', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.proMonthly, quantity: 2 }],
      expand: ['latest_invoice'],
    });
    expect(subscription.status).toBe('active');
    expect(subscription.items.data).toHaveLength(1);
    expect((subscription.latest_invoice as Stripe.Invoice).status).toBe('paid');
    expect((await stripe.subscriptions.retrieve(subscription.id)).id).toBe(subscription.id);
    const updated = await stripe.subscriptions.update(subscription.id, {
      metadata: { plan: 'pro' },
      cancel_at_period_end: true,
    });
    // Stripe sets cancel_at to the period's end while cancel_at_period_end holds, and clears it.
    expect(updated).toMatchObject({
      metadata: { plan: 'pro' },
      cancel_at_period_end: true,
      cancel_at: periodEnd(subscription),
    });
    const kept = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false });
    expect(kept).toMatchObject({ cancel_at_period_end: false, cancel_at: null });
    const leaving = await stripe.subscriptions.create({
      customer: (await stripe.customers.create({ source: 'tok_visa' })).id,
      items: [{ price: SEED.prices.basicMonthly }],
      cancel_at_period_end: true,
    });
    expect(leaving.cancel_at).toBe(periodEnd(leaving));
    await stripe.subscriptions.cancel(leaving.id);
    expect((await stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([
      subscription.id,
    ]);
    const canceled = await stripe.subscriptions.cancel(subscription.id);
    expect(canceled.status).toBe('canceled');
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]);
    expect(
      (await stripe.subscriptions.list({ customer: customer.id, status: 'canceled' })).data,
    ).toHaveLength(1);
    expect(
      (await stripe.subscriptions.search({ query: `status:"canceled" AND customer:"${customer.id}"` })).data,
    ).toHaveLength(1);
  });
});

describe('charges and refunds', () => {
  it('charge CRUD and refunds', async () => {
    const charge = await stripe.charges.create({
      amount: 5000,
      currency: 'usd',
      source: 'tok_visa',
      description: 'Tea',
    });
    expect(charge).toMatchObject({ status: 'succeeded', paid: true, captured: true, amount_captured: 5000 });
    expect((await stripe.charges.update(charge.id, { description: 'Green tea' })).description).toBe(
      'Green tea',
    );
    expect(
      (await stripe.charges.retrieve(charge.id, { expand: ['balance_transaction'] })).balance_transaction,
    ).toMatchObject({
      object: 'balance_transaction',
      amount: 5000,
      fee: 175,
      net: 4825,
    });
    expect((await stripe.charges.list({ limit: 1 })).data[0]!.id).toBe(charge.id);
    const refund = await stripe.refunds.create({ charge: charge.id, amount: 1000 });
    expect(refund).toMatchObject({ object: 'refund', amount: 1000, charge: charge.id, status: 'succeeded' });
    expect((await stripe.refunds.update(refund.id, { metadata: { why: 'cold' } })).metadata).toEqual({
      why: 'cold',
    });
    expect((await stripe.refunds.retrieve(refund.id)).id).toBe(refund.id);
    expect((await stripe.refunds.list({ charge: charge.id })).data.map((r) => r.id)).toEqual([refund.id]);
    expect((await stripe.charges.retrieve(charge.id)).amount_refunded).toBe(1000);
  });
});

describe('connect', () => {
  it('accounts, capabilities, transfers and reversals', async () => {
    const account = await stripe.accounts.create({
      type: 'custom',
      country: 'US',
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
    });
    // Requested, and inactive until the account provides what is due.
    expect(account.capabilities).toEqual({ card_payments: 'inactive', transfers: 'inactive' });
    expect((await stripe.accounts.update(account.id, { metadata: { tier: 'gold' } })).metadata).toEqual({
      tier: 'gold',
    });
    expect((await stripe.accounts.retrieve(account.id)).id).toBe(account.id);
    expect((await stripe.accounts.list({ limit: 1 })).data[0]!.id).toBe(account.id);
    const capabilities = await stripe.accounts.listCapabilities(account.id);
    expect(capabilities.data.map((c) => c.id).sort()).toEqual(['card_payments', 'transfers']);
    const capability = await stripe.accounts.retrieveCapability(account.id, 'card_payments');
    expect(capability).toMatchObject({ account: account.id, requested: true, status: 'inactive' });
    const off = await stripe.accounts.updateCapability(account.id, 'transfers', { requested: false });
    expect(off).toMatchObject({ requested: false, status: 'inactive' });

    // An account whose `transfers` is not active receives none: transfers go to an onboarded one.
    const payee = await newPayee(stripe);
    const transfer = await stripe.transfers.create({ amount: 4000, currency: 'usd', destination: payee });
    expect(transfer).toMatchObject({ amount_reversed: 0, reversed: false, destination: payee });
    expect((await stripe.transfers.update(transfer.id, { description: 'share' })).description).toBe('share');
    expect((await stripe.transfers.retrieve(transfer.id)).id).toBe(transfer.id);
    expect((await stripe.transfers.list({ destination: payee })).data.map((t) => t.id)).toEqual([
      transfer.id,
    ]);
    const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 1000 });
    expect(reversal).toMatchObject({ object: 'transfer_reversal', amount: 1000, transfer: transfer.id });
    expect(
      (await stripe.transfers.updateReversal(transfer.id, reversal.id, { metadata: { r: '1' } })).metadata,
    ).toEqual({ r: '1' });
    expect((await stripe.transfers.retrieveReversal(transfer.id, reversal.id)).id).toBe(reversal.id);
    expect((await stripe.transfers.listReversals(transfer.id)).data.map((r) => r.id)).toEqual([reversal.id]);
    expect(await stripe.accounts.del(account.id)).toMatchObject({ id: account.id, deleted: true });
  });
});

describe('webhook endpoints, tax rates, coupons, promotion codes', () => {
  it('webhook endpoint CRUD', async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: 'https://example.com/hook',
      enabled_events: ['charge.succeeded'],
    });
    expect(endpoint).toMatchObject({
      object: 'webhook_endpoint',
      status: 'enabled',
      enabled_events: ['charge.succeeded'],
    });
    expect((await stripe.webhookEndpoints.update(endpoint.id, { disabled: true })).status).toBe('disabled');
    expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).url).toBe('https://example.com/hook');
    expect((await stripe.webhookEndpoints.list({ limit: 1 })).data[0]!.id).toBe(endpoint.id);
    expect(await stripe.webhookEndpoints.del(endpoint.id)).toMatchObject({ id: endpoint.id, deleted: true });
  });

  it('tax rate create, retrieve, update, list', async () => {
    const rate = await stripe.taxRates.create({ display_name: 'GST', percentage: 5, inclusive: false });
    expect(rate).toMatchObject({ active: true, percentage: 5 });
    expect((await stripe.taxRates.update(rate.id, { active: false })).active).toBe(false);
    expect((await stripe.taxRates.retrieve(rate.id)).display_name).toBe('GST');
    expect((await stripe.taxRates.list({ active: false })).data.map((r) => r.id)).toContain(rate.id);
  });

  it('coupon CRUD and promotion codes', async () => {
    const coupon = await stripe.coupons.create({ percent_off: 10, duration: 'forever', id: 'TEN' });
    expect(coupon).toMatchObject({ id: 'TEN', valid: true, percent_off: 10 });
    expect((await stripe.coupons.update('TEN', { name: 'Ten' })).name).toBe('Ten');
    expect((await stripe.coupons.retrieve('TEN')).id).toBe('TEN');
    const promo = await stripe.promotionCodes.create({ coupon: 'TEN', code: 'TENOFF' });
    expect(promo).toMatchObject({ code: 'TENOFF', active: true, coupon: { id: 'TEN' } });
    expect((await stripe.promotionCodes.update(promo.id, { active: false })).active).toBe(false);
    expect((await stripe.promotionCodes.retrieve(promo.id)).code).toBe('TENOFF');
    expect((await stripe.promotionCodes.list({ code: 'TENOFF' })).data.map((p) => p.id)).toEqual([promo.id]);
    expect((await stripe.coupons.list({ limit: 100 })).data.map((c) => c.id)).toContain('TEN');
    expect(await stripe.coupons.del('TEN')).toMatchObject({ id: 'TEN', deleted: true });
    await expect(
      stripe.coupons.create({ percent_off: 5, duration: 'once', id: SEED.coupons.summer }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_already_exists',
    });
  });
});

describe('headers', () => {
  it('answers with a Request-Id, the Stripe-Version it was sent and JSON', async () => {
    const response = await h.request('GET', '/v1/balance', { headers: { 'Stripe-Version': '2024-04-10' } });
    expect(response.headers.get('request-id')).toMatch(/^req_[A-Za-z0-9]{14}$/);
    expect(response.headers.get('stripe-version')).toBe('2024-04-10');
    expect(response.headers.get('content-type')).toBe('application/json');
    const other = await h.request('GET', '/v1/balance');
    expect(other.headers.get('request-id')).not.toBe(response.headers.get('request-id'));
    expect(other.headers.get('stripe-version')).toBe('2024-04-10');
  });
});
