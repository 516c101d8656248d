/**
 * What billing objects take from the terms they are made with: a Checkout Session's
 * `subscription_data` and `payment_intent_data`, checked against Stripe's.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { startHarness } from '../server/harness.ts';
import { PAYEE_ACCOUNT, startEmulatorHarness } from './helpers.ts';
import { monthlyPrice, oneTimePrice } from './prices.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
const gateway = await startHarness();
afterAll(() => Promise.all([h.close(), gateway.close()]));

type Obj = Record<string, any>;

const monthly = (amount: number) => monthlyPrice(stripe, amount);
const oneTime = (amount: number) => oneTimePrice(stripe, amount);

/** Pays a Checkout Session's hosted page (`url`, on `fetch`'s emulator) with the test card. */
async function pay(url: string, fetch = h.emulator.fetch): Promise<void> {
  const form = new URLSearchParams([
    ['card', '4242 4242 4242 4242'],
    ['email', 'buyer@example.com'],
  ]);
  const paid = await fetch(new Request(url, { method: 'POST', body: form }));
  expect(paid.status).toBeLessThan(400);
}

describe('a Checkout Session created with payment_intent_data', () => {
  it('makes its PaymentIntent with them once paid', async () => {
    const destination = await stripe.accounts.create({ ...PAYEE_ACCOUNT, type: 'express' });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://example.com/done',
      line_items: [{ price: (await oneTime(2000)).id, quantity: 1 }],
      payment_intent_data: {
        description: 'Order 7',
        metadata: { order: '7' },
        statement_descriptor_suffix: 'ORDER 7',
        application_fee_amount: 300,
        transfer_data: { destination: destination.id },
      },
    });
    await pay(session.url!);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid' });
    expect(paid.payment_intent).toMatchObject({
      status: 'succeeded',
      amount: 2000,
      description: 'Order 7',
      metadata: { order: '7' },
      statement_descriptor_suffix: 'ORDER 7',
      application_fee_amount: 300,
      transfer_data: { destination: destination.id },
    });
  });

  it('holds the payment with capture_method=manual: the session stays unpaid', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://example.com/done',
      line_items: [{ price: (await oneTime(1500)).id, quantity: 2 }],
      payment_intent_data: { capture_method: 'manual' },
    });
    await pay(session.url!);
    const held = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(held).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    expect(held.payment_intent).toMatchObject({
      status: 'requires_capture',
      capture_method: 'manual',
      amount_capturable: 3000,
    });
  });

  it('is what the PaymentIntent shows through GraphQL', async () => {
    const price = await gateway.admin.request<Obj>({
      method: 'POST',
      path: '/v1/prices',
      params: { currency: 'usd', unit_amount: 1200, product_data: { name: 'Through GraphQL' } },
    });
    const created = await gateway.query(
      `mutation($p: ID!) { createCheckoutSession(input: {
         mode: PAYMENT, successUrl: "https://example.com/done", lineItems: [{ price: $p, quantity: 1 }],
         paymentIntentData: { description: "Gift card", metadata: { kind: "gift" } }
       }) { id url } }`,
      { variables: { p: price.id } },
    );
    expect(created.body.errors).toBeUndefined();
    const session = (created.body.data as Obj).createCheckoutSession;
    await pay(session.url, gateway.emulator.fetch);
    const read = await gateway.query(
      'query($id: ID!) { checkoutSession(id: $id) { paymentStatus paymentIntent { description metadata } } }',
      { variables: { id: session.id } },
    );
    expect(read.body.errors).toBeUndefined();
    expect((read.body.data as Obj).checkoutSession).toEqual({
      paymentStatus: 'PAID',
      paymentIntent: { description: 'Gift card', metadata: { kind: 'gift' } },
    });
  });
});

describe('a Checkout Session created with setup_intent_data', () => {
  it('makes its SetupIntent with them once completed', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'setup',
      currency: 'usd',
      success_url: 'https://example.com/done',
      setup_intent_data: { description: 'Card on file', metadata: { plan: 'later' } },
    });
    await pay(session.url!);
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent'] });
    expect(done.setup_intent).toMatchObject({
      status: 'succeeded',
      description: 'Card on file',
      metadata: { plan: 'later' },
    });
  });
});

describe('a Checkout Session’s subscription', () => {
  it('takes the card entered as its own default, leaving the customer’s invoice default', async () => {
    const customer = await stripe.customers.create({ email: 'subscriber@example.com' });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      success_url: 'https://example.com/done',
      line_items: [{ price: (await monthly(1100)).id, quantity: 1 }],
    });
    await pay(session.url!);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    const subscription = paid.subscription as Stripe.Subscription;
    const card = subscription.default_payment_method as string;
    expect(card).toMatch(/^pm_/);
    expect((await stripe.paymentMethods.retrieve(card)).customer).toBe(customer.id);
    const buyer = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(buyer.invoice_settings.default_payment_method).toBeNull();
    expect(subscription.status).toBe('active');
  });
});

describe('a subscription Checkout Session paid with a declining card', () => {
  it('stays open with no subscription, and the page says why', async () => {
    const customer = await stripe.customers.create({ email: 'declined@example.com' });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      success_url: 'https://example.com/done',
      line_items: [{ price: (await monthly(1300)).id, quantity: 1 }],
    });
    const form = new URLSearchParams([['card', '4000 0000 0000 0002']]);
    const page = await h.emulator.fetch(new Request(session.url!, { method: 'POST', body: form }));
    expect(await page.text()).toContain('declined');
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({
      status: 'open',
      subscription: null,
    });
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toEqual([]);
  });
});

describe('a Checkout Session created with subscription_data', () => {
  it('starts its subscription with them once paid', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      success_url: 'https://example.com/done',
      line_items: [{ price: (await monthly(2900)).id, quantity: 1 }],
      subscription_data: {
        description: 'Team plan',
        metadata: { seat: 'a' },
        trial_period_days: 7,
        trial_settings: { end_behavior: { missing_payment_method: 'cancel' } },
      },
    });
    await pay(session.url!);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    expect(paid.payment_status).toBe('no_payment_required');
    const subscription = paid.subscription as Stripe.Subscription;
    expect(subscription).toMatchObject({
      description: 'Team plan',
      metadata: { seat: 'a' },
      status: 'trialing',
      trial_end: subscription.trial_start! + 7 * 86_400,
      trial_settings: { end_behavior: { missing_payment_method: 'cancel' } },
    });
  });
});

describe('a Checkout Session’s subscription for a connected account', () => {
  it('takes subscription_data’s Connect terms, and its first invoice carries them', async () => {
    const destination = await stripe.accounts.create({ ...PAYEE_ACCOUNT, type: 'express' });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      success_url: 'https://example.com/done',
      line_items: [{ price: (await monthly(2000)).id, quantity: 1 }],
      subscription_data: {
        application_fee_percent: 10,
        on_behalf_of: destination.id,
        transfer_data: { destination: destination.id, amount_percent: 75 },
      },
    });
    await pay(session.url!);
    const paid = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['subscription', 'invoice'],
    });
    expect(paid.subscription).toMatchObject({
      application_fee_percent: 10,
      on_behalf_of: destination.id,
      transfer_data: { destination: destination.id, amount_percent: 75 },
    });
    expect(paid.invoice).toMatchObject({
      total: 2000,
      application_fee_amount: 200,
      on_behalf_of: destination.id,
      transfer_data: { destination: destination.id, amount: 1500 },
    });
  });

  it('from a payment link takes the link’s fee percent, destination and on_behalf_of', async () => {
    const destination = await stripe.accounts.create({ ...PAYEE_ACCOUNT, type: 'express' });
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: (await monthly(4000)).id, quantity: 1 }],
      application_fee_percent: 5,
      on_behalf_of: destination.id,
      transfer_data: { destination: destination.id },
    });
    const opened = await h.emulator.fetch(new Request(link.url));
    const checkout = opened.headers.get('location')!;
    await pay(checkout);
    const session = await stripe.checkout.sessions.retrieve(checkout.split('/').pop()!, {
      expand: ['subscription.latest_invoice'],
    });
    const subscription = session.subscription as Stripe.Subscription;
    expect(subscription).toMatchObject({
      application_fee_percent: 5,
      on_behalf_of: destination.id,
      transfer_data: { destination: destination.id, amount_percent: null },
    });
    expect(subscription.latest_invoice).toMatchObject({
      application_fee_amount: 200,
      transfer_data: { destination: destination.id, amount: null },
    });
  });
});

describe('a subscription’s application fee asked of Checkout', () => {
  const base = { success_url: 'https://example.com/done', mode: 'subscription' as const };

  it('is refused at creation with no destination nor connected account to take it from', async () => {
    const line = { price: (await monthly(1000)).id, quantity: 1 };
    await expect(
      stripe.checkout.sessions.create({
        ...base,
        line_items: [line],
        subscription_data: { application_fee_percent: 10 },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'subscription_data[application_fee_percent]' });
    await expect(
      stripe.paymentLinks.create({ line_items: [line], application_fee_percent: 10 }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'application_fee_percent' });
  });

  it('is refused through GraphQL before a session is made', async () => {
    const price = await gateway.admin.request<Obj>({
      method: 'POST',
      path: '/v1/prices',
      params: {
        currency: 'usd',
        unit_amount: 900,
        recurring: { interval: 'month' },
        product_data: { name: 'Fee' },
      },
    });
    const refused = await gateway.query(
      `mutation($p: ID!) { createCheckoutSession(input: {
         mode: SUBSCRIPTION, successUrl: "https://example.com/done", lineItems: [{ price: $p, quantity: 1 }],
         subscriptionData: { applicationFeePercent: 10 }
       }) { id } }`,
      { variables: { p: price.id } },
    );
    expect(refused.body.errors?.[0]?.extensions?.stripe).toMatchObject({
      param: 'subscription_data[application_fee_percent]',
    });
  });

  it('is taken by a session made as the connected account (the Stripe-Account header)', async () => {
    const account = await stripe.accounts.create({ ...PAYEE_ACCOUNT, type: 'express' });
    const stripeAccount = account.id;
    const price = await stripe.prices.create(
      { currency: 'usd', unit_amount: 1000, recurring: { interval: 'month' }, product_data: { name: 'Own' } },
      { stripeAccount },
    );
    const session = await stripe.checkout.sessions.create(
      {
        ...base,
        line_items: [{ price: price.id, quantity: 1 }],
        subscription_data: { application_fee_percent: 10 },
      },
      { stripeAccount },
    );
    expect(session.status).toBe('open');
  });
});

describe('a Checkout Session’s prices', () => {
  const base = { success_url: 'https://example.com/done' };

  it('fit its mode: one-time for a payment, recurring ones of one cycle for a subscription', async () => {
    const [once, month] = [await oneTime(500), await monthly(900)];
    const year = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 9000,
      recurring: { interval: 'year' },
      product_data: { name: 'Yearly' },
    });
    const line = (price: { id: string }) => ({ price: price.id, quantity: 1 });
    const refused: [Stripe.Checkout.SessionCreateParams, string, RegExp][] = [
      [
        { ...base, mode: 'payment', line_items: [line(once), line(month)] },
        'line_items[1]',
        /recurring price/,
      ],
      [{ ...base, mode: 'subscription', line_items: [line(once)] }, 'line_items', /at least one recurring/],
      [{ ...base, mode: 'subscription', line_items: [line(month), line(year)] }, 'line_items', /interval/],
    ];
    for (const [params, param, message] of refused)
      await expect(stripe.checkout.sessions.create(params)).rejects.toMatchObject({
        statusCode: 400,
        param,
        message: expect.stringMatching(message),
      });
    await expect(stripe.paymentLinks.create({ line_items: [line(month), line(year)] })).rejects.toMatchObject(
      { statusCode: 400, param: 'line_items' },
    );
  });

  it('one-time beside recurring ones are billed once, on the subscription’s first invoice', async () => {
    const [fee, month] = [await oneTime(500), await monthly(900)];
    const session = await stripe.checkout.sessions.create({
      ...base,
      mode: 'subscription',
      line_items: [
        { price: month.id, quantity: 2 },
        { price: fee.id, quantity: 1 },
      ],
    });
    expect(session.amount_total).toBe(2300);
    await pay(session.url!);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'invoice'] });
    const subscription = paid.subscription as Stripe.Subscription;
    expect(subscription.items.data.map((i) => [i.price.id, i.quantity])).toEqual([[month.id, 2]]);
    const invoice = paid.invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 2300 });
    expect(invoice.lines.data.map((l) => [l.price?.id, l.amount]).sort()).toEqual(
      [
        [fee.id, 500],
        [month.id, 1800],
      ].sort(),
    );
  });
});

describe('a Checkout Session’s line items given as price_data', () => {
  const base = { success_url: 'https://example.com/done' };

  it('bill an inline price made of it, in its totals and its line items', async () => {
    const product = await stripe.products.create({ name: 'Named product' });
    const session = await stripe.checkout.sessions.create({
      ...base,
      mode: 'payment',
      line_items: [
        { price_data: { currency: 'eur', unit_amount: 700, product: product.id }, quantity: 3 },
        { price_data: { currency: 'eur', unit_amount: 250, product_data: { name: 'Gift wrap' } } },
      ],
    });
    expect(session).toMatchObject({ amount_subtotal: 2350, amount_total: 2350, currency: 'eur' });
    const lines = (await stripe.checkout.sessions.listLineItems(session.id)).data;
    expect(lines.map((l) => [l.description, l.quantity, l.amount_total])).toEqual([
      ['Named product', 3, 2100],
      ['Gift wrap', 1, 250],
    ]);
    const [named, wrap] = lines.map((l) => l.price!);
    expect(named).toMatchObject({
      id: expect.stringMatching(/^price_/),
      product: product.id,
      unit_amount: 700,
    });
    expect(await stripe.prices.retrieve(wrap!.id)).toMatchObject({ currency: 'eur', unit_amount: 250 });
    await pay(session.url!);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(paid.payment_intent).toMatchObject({ status: 'succeeded', amount: 2350, currency: 'eur' });
  });

  it('or a price are what each line item needs: one with neither is refused', async () => {
    const once = await oneTime(300);
    await expect(
      stripe.checkout.sessions.create({
        ...base,
        mode: 'payment',
        line_items: [{ price: once.id, quantity: 1 }, { quantity: 2 }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'line_items[1]' });
    await expect(
      stripe.checkout.sessions.create({ ...base, mode: 'payment', line_items: [{ price: 'price_nope' }] }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'line_items[0][price]' });
  });

  it('start a subscription of the inline recurring price once paid', async () => {
    const session = await stripe.checkout.sessions.create({
      ...base,
      mode: 'subscription',
      line_items: [
        {
          price_data: {
            currency: 'usd',
            unit_amount: 1200,
            product_data: { name: 'Inline plan' },
            recurring: { interval: 'month' },
          },
          quantity: 2,
        },
      ],
    });
    expect(session.amount_total).toBe(2400);
    await pay(session.url!);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'invoice'] });
    const subscription = paid.subscription as Stripe.Subscription;
    expect(subscription.items.data[0]).toMatchObject({
      quantity: 2,
      price: { unit_amount: 1200, recurring: { interval: 'month' } },
    });
    expect(paid.invoice).toMatchObject({ status: 'paid', amount_paid: 2400 });
  });

  it('are priced through GraphQL', async () => {
    const created = await gateway.query(
      `mutation { createCheckoutSession(input: {
         mode: PAYMENT, successUrl: "https://example.com/done",
         lineItems: [{ priceData: { currency: "usd", unitAmount: 450, productData: { name: "Mug" } }, quantity: 2 }]
       }) { amountTotal lineItems { nodes { description amountTotal } } } }`,
    );
    expect(created.body.errors).toBeUndefined();
    expect((created.body.data as Obj).createCheckoutSession).toEqual({
      amountTotal: 900,
      lineItems: { nodes: [{ description: 'Mug', amountTotal: 900 }] },
    });
  });
});

describe('a price made inline from price_data', () => {
  const inactive = (param: string) => ({
    statusCode: 400,
    message: 'The price specified is inactive. This field only accepts active prices.',
    param,
  });
  const recurringData = (name: string) => ({
    currency: 'usd',
    unit_amount: 900,
    product_data: { name },
    recurring: { interval: 'month' as const },
  });

  it('is archived at once: a subscription item’s is no other subscription’s', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const product = await stripe.products.create({ name: 'Inline seat' });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [
        {
          price_data: {
            currency: 'usd',
            unit_amount: 900,
            product: product.id,
            recurring: { interval: 'month' },
          },
        },
      ],
    });
    const price = subscription.items.data[0]!.price;
    expect(price).toMatchObject({ active: false, unit_amount: 900 });
    expect((await stripe.prices.list({ product: product.id })).data.map((p) => [p.id, p.active])).toEqual([
      [price.id, false],
    ]);
    await expect(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] }),
    ).rejects.toMatchObject(inactive('items[0][price]'));
  });

  it('changes a subscription’s item to it, on an update', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const product = await stripe.products.create({ name: 'Inline upgrade' });
    const month = await monthly(500);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: month.id }],
    });
    const updated = await stripe.subscriptions.update(subscription.id, {
      items: [
        {
          id: subscription.items.data[0]!.id,
          price_data: {
            currency: 'usd',
            unit_amount: 800,
            product: product.id,
            recurring: { interval: 'month' },
          },
        },
      ],
      proration_behavior: 'none',
    });
    expect(updated.items.data[0]!.price).toMatchObject({
      active: false,
      unit_amount: 800,
      product: product.id,
    });
  });

  it('is archived at once: an invoice item’s is no other invoice item’s', async () => {
    const customer = await stripe.customers.create({});
    const product = await stripe.products.create({ name: 'Inline fee' });
    const item = await stripe.invoiceItems.create({
      customer: customer.id,
      price_data: { currency: 'usd', unit_amount: 400, product: product.id },
    });
    expect(item.price).toMatchObject({ active: false, unit_amount: 400 });
    await expect(
      stripe.invoiceItems.create({ customer: customer.id, price: item.price!.id }),
    ).rejects.toMatchObject(inactive('price'));
  });

  it('reads as archived through GraphQL', async () => {
    const post = (path: string, params: Obj) => gateway.admin.request<Obj>({ method: 'POST', path, params });
    const customer = await post('/v1/customers', {});
    const product = await post('/v1/products', { name: 'GraphQL inline fee' });
    const item = await post('/v1/invoiceitems', {
      customer: customer.id,
      price_data: { currency: 'usd', unit_amount: 400, product: product.id },
    });
    const read = await gateway.query('query($id: ID!) { invoiceitem(id: $id) { price { active } } }', {
      variables: { id: item.id },
    });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toEqual({ invoiceitem: { price: { active: false } } });
  });

  it('of a Checkout Session is archived, and billed by the subscription its payment starts', async () => {
    const session = await stripe.checkout.sessions.create({
      success_url: 'https://example.com/done',
      mode: 'subscription',
      line_items: [
        { price_data: recurringData('Inline monthly'), quantity: 1 },
        { price_data: { currency: 'usd', unit_amount: 300, product_data: { name: 'Setup' } }, quantity: 1 },
      ],
    });
    const lines = (await stripe.checkout.sessions.listLineItems(session.id)).data;
    expect(lines.map((line) => line.price?.active)).toEqual([false, false]);
    await pay(session.url!);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'invoice'] });
    const subscription = paid.subscription as Stripe.Subscription;
    expect(subscription.items.data.map((item) => item.price.id)).toEqual([lines[0]!.price!.id]);
    expect(paid.invoice).toMatchObject({ status: 'paid', amount_paid: 1200 });
  });

  it('of a quote is archived, and billed by the subscription its acceptance starts', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const product = await stripe.products.create({ name: 'Quoted plan' });
    const quote = await stripe.quotes.create({
      customer: customer.id,
      line_items: [
        {
          price_data: {
            currency: 'usd',
            unit_amount: 1500,
            product: product.id,
            recurring: { interval: 'month' },
          },
          quantity: 1,
        },
      ],
    });
    await stripe.quotes.finalizeQuote(quote.id);
    const accepted = await stripe.quotes.accept(quote.id, { expand: ['subscription.latest_invoice'] });
    const subscription = accepted.subscription as Stripe.Subscription;
    expect(subscription.items.data[0]!.price).toMatchObject({ active: false, unit_amount: 1500 });
    expect(subscription.latest_invoice).toMatchObject({ status: 'paid', amount_paid: 1500 });
  });
});

describe('a quote’s prices', () => {
  it('one-time beside recurring ones bill once, on its subscription’s first invoice', async () => {
    const [fee, month] = [await oneTime(700), await monthly(1200)];
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const quote = await stripe.quotes.create({
      customer: customer.id,
      line_items: [
        { price: month.id, quantity: 1 },
        { price: fee.id, quantity: 1 },
      ],
    });
    await stripe.quotes.finalizeQuote(quote.id);
    const accepted = await stripe.quotes.accept(quote.id, { expand: ['subscription.latest_invoice'] });
    const subscription = accepted.subscription as Stripe.Subscription;
    expect(subscription.items.data.map((i) => i.price.id)).toEqual([month.id]);
    expect(subscription.latest_invoice).toMatchObject({ status: 'paid', amount_paid: 1900 });
  });

  it('recurring ones of different intervals are refused', async () => {
    const year = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 9000,
      recurring: { interval: 'year' },
      product_data: { name: 'Yearly quote' },
    });
    const customer = await stripe.customers.create();
    await expect(
      stripe.quotes.create({
        customer: customer.id,
        line_items: [{ price: (await monthly(1200)).id }, { price: year.id }],
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      param: 'line_items',
      message: expect.stringMatching(/interval/),
    });
  });
});

describe('a Checkout Session’s payment with invoice_creation', () => {
  it('is invoiced once paid: a paid invoice of its line items, for a customer it makes', async () => {
    const price = await oneTime(1500);
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://example.com/done',
      line_items: [{ price: price.id, quantity: 2 }],
      invoice_creation: {
        enabled: true,
        invoice_data: {
          description: 'Workshop seats',
          footer: 'Thank you',
          metadata: { order: '42' },
          custom_fields: [{ name: 'PO', value: '7781' }],
        },
      },
    });
    expect(session.invoice_creation).toMatchObject({ enabled: true, invoice_data: { footer: 'Thank you' } });
    await pay(session.url!);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['invoice'] });
    expect(paid.customer).toMatch(/^cus_/);
    const invoice = paid.invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({
      status: 'paid',
      paid: true,
      paid_out_of_band: false,
      customer: paid.customer,
      total: 3000,
      amount_paid: 3000,
      payment_intent: paid.payment_intent,
      description: 'Workshop seats',
      footer: 'Thank you',
      metadata: { order: '42' },
      custom_fields: [{ name: 'PO', value: '7781' }],
    });
    expect(invoice.lines.data.map((l) => [l.price?.id, l.quantity, l.amount])).toEqual([[price.id, 2, 3000]]);
    const intent = await stripe.paymentIntents.retrieve(paid.payment_intent as string);
    expect(intent).toMatchObject({ amount: 3000, status: 'succeeded', customer: paid.customer });
    expect(invoice.charge).toBe(intent.latest_charge);
  });

  it('is off unless enabled, in payment mode only; a payment link’s goes to its sessions', async () => {
    const price = await oneTime(800);
    const base = { success_url: 'https://example.com/done', line_items: [{ price: price.id, quantity: 1 }] };
    const plain = await stripe.checkout.sessions.create({ ...base, mode: 'payment' });
    expect(plain.invoice_creation).toMatchObject({ enabled: false, invoice_data: { metadata: {} } });
    await pay(plain.url!);
    expect(await stripe.checkout.sessions.retrieve(plain.id)).toMatchObject({
      invoice: null,
      customer: null,
    });
    await expect(
      stripe.checkout.sessions.create({
        ...base,
        mode: 'subscription',
        line_items: [{ price: (await monthly(800)).id, quantity: 1 }],
        invoice_creation: { enabled: true },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'invoice_creation' });
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
      invoice_creation: { enabled: true, invoice_data: { footer: 'From the link' } },
    });
    const opened = await h.emulator.fetch(new Request(link.url));
    const checkout = opened.headers.get('location')!;
    await pay(checkout);
    const session = await stripe.checkout.sessions.retrieve(checkout.split('/').pop()!, {
      expand: ['invoice'],
    });
    expect(session.invoice).toMatchObject({ status: 'paid', amount_paid: 800, footer: 'From the link' });
  });
});

describe('a payment link’s one-time purchase', () => {
  it('makes its PaymentIntent with the link’s Connect settings and capture method', async () => {
    const destination = await stripe.accounts.create({ ...PAYEE_ACCOUNT, type: 'express' });
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: (await oneTime(5000)).id, quantity: 1 }],
      application_fee_amount: 500,
      transfer_data: { destination: destination.id },
      payment_intent_data: { capture_method: 'manual', transfer_group: 'links' },
    });
    const opened = await h.emulator.fetch(new Request(link.url));
    const checkout = opened.headers.get('location')!;
    await pay(checkout);
    const session = await stripe.checkout.sessions.retrieve(checkout.split('/').pop()!, {
      expand: ['payment_intent'],
    });
    expect(session).toMatchObject({ payment_link: link.id, payment_status: 'unpaid' });
    expect(session.payment_intent).toMatchObject({
      status: 'requires_capture',
      application_fee_amount: 500,
      transfer_data: { destination: destination.id },
      transfer_group: 'links',
    });
  });
});

describe('a subscription created to cancel within a period', () => {
  const start = 1_700_000_000;
  /** A customer with a card on a test clock frozen at `start`. */
  async function clocked() {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    return { clock, customer: await stripe.customers.create({ source: 'tok_visa', test_clock: clock.id }) };
  }

  it('bills its first period only up to cancel_at, prorated, unless proration_behavior is none', async () => {
    const { customer } = await clocked();
    const price = await monthly(3000);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      cancel_at: start + 10 * 86_400,
      expand: ['latest_invoice'],
    });
    // 14 Nov to 14 Dec 2023: ten days of thirty.
    expect(subscription.current_period_end - subscription.current_period_start).toBe(30 * 86_400);
    const invoice = subscription.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: 'paid', amount_due: 1000, amount_paid: 1000 });
    expect(invoice.lines.data[0]).toMatchObject({
      amount: 1000,
      unit_amount_excluding_tax: '1000',
      period: { start, end: start + 10 * 86_400 },
    });

    const whole = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      cancel_at: start + 10 * 86_400,
      proration_behavior: 'none',
      expand: ['latest_invoice'],
    });
    expect((whole.latest_invoice as Stripe.Invoice).amount_due).toBe(3000);
  });

  it('bills a later period cut short by cancel_at for the time up to it, then ends', async () => {
    const { clock, customer } = await clocked();
    const first = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthly(3100)).id }],
      cancel_at: start + (30 + 15) * 86_400,
    });
    expect(
      ((await stripe.invoices.retrieve(first.latest_invoice as string)) as Stripe.Invoice).amount_due,
    ).toBe(3100);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 50 * 86_400 });
    const ended = await stripe.subscriptions.retrieve(first.id, { expand: ['latest_invoice'] });
    expect(ended).toMatchObject({ status: 'canceled', ended_at: start + 45 * 86_400 });
    // 14 Dec 2023 to 14 Jan 2024: fifteen days of thirty-one.
    expect(ended.latest_invoice).toMatchObject({
      billing_reason: 'subscription_cycle',
      amount_due: 1500,
      period_start: start,
    });
  });
});

describe('a schedule’s phase starting mid-period', () => {
  const start = 1_700_000_000;
  const day = 86_400;

  /** A schedule on a clock: 3000 a month for ten days, then 6000 a month with `proration_behavior`. */
  async function upgraded(proration_behavior?: 'always_invoice' | 'create_prorations' | 'none') {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ source: 'tok_visa', test_clock: clock.id });
    const [basic, pro] = [await monthly(3000), await monthly(6000)];
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: start,
      phases: [
        { items: [{ price: basic.id }], end_date: start + 10 * day },
        { items: [{ price: pro.id }], iterations: 1, ...(proration_behavior ? { proration_behavior } : {}) },
      ],
    });
    expect(schedule.phases[1]!.proration_behavior).toBe(proration_behavior ?? 'create_prorations');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 11 * day });
    const subscription = await stripe.subscriptions.retrieve(schedule.subscription as string, {
      expand: ['latest_invoice'],
    });
    expect(subscription.items.data.map((item) => item.price.id)).toEqual([pro.id]);
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    return { subscription, pending: pending.data.map((item) => [item.amount, item.period.start]) };
  }

  it('by default leaves its prorations pending, as of the phase’s start', async () => {
    const { subscription, pending } = await upgraded();
    // Twenty days of thirty: the basic price's unused time, then the pro price's remaining time.
    expect(pending.sort()).toEqual([
      [-2000, start + 10 * day],
      [4000, start + 10 * day],
    ]);
    expect((subscription.latest_invoice as Stripe.Invoice).billing_reason).toBe('subscription_create');
  });

  it('invoices them at once with always_invoice, and makes none with none', async () => {
    const invoiced = await upgraded('always_invoice');
    expect(invoiced.pending).toEqual([]);
    expect(invoiced.subscription.latest_invoice).toMatchObject({
      billing_reason: 'subscription_update',
      amount_due: 2000,
      status: 'paid',
      created: start + 10 * day,
    });

    const none = await upgraded('none');
    expect(none.pending).toEqual([]);
    expect((none.subscription.latest_invoice as Stripe.Invoice).billing_reason).toBe('subscription_create');
  });
});

describe('a payment link at its completed_sessions limit through GraphQL', () => {
  it('reads inactive', async () => {
    const price = await gateway.admin.request<Obj>({
      method: 'POST',
      path: '/v1/prices',
      params: { currency: 'usd', unit_amount: 800, product_data: { name: 'One of one' } },
    });
    const link = await gateway.admin.request<Obj>({
      method: 'POST',
      path: '/v1/payment_links',
      params: {
        line_items: [{ price: price.id, quantity: 1 }],
        restrictions: { completed_sessions: { limit: 1 } },
      },
    });
    const opened = await gateway.emulator.fetch(new Request(link.url));
    await pay(opened.headers.get('location')!, gateway.emulator.fetch);
    const read = await gateway.query(
      'query($id: ID!) { paymentLink(id: $id) { active restrictions { completedSessions { count limit } } } }',
      { variables: { id: link.id } },
    );
    expect(read.body.errors).toBeUndefined();
    expect((read.body.data as Obj).paymentLink).toEqual({
      active: false,
      restrictions: { completedSessions: { count: 1, limit: 1 } },
    });
  });
});

describe('the settings for what a session makes', () => {
  it('are refused outside their mode, and a link’s subscription_data without a recurring price', async () => {
    const [once, month] = [await oneTime(700), await monthly(700)];
    const base = { success_url: 'https://example.com/done' };
    await expect(
      stripe.checkout.sessions.create({
        ...base,
        mode: 'subscription',
        line_items: [{ price: month.id, quantity: 1 }],
        payment_intent_data: { description: 'Not for subscriptions' },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'payment_intent_data' });
    await expect(
      stripe.checkout.sessions.create({
        ...base,
        mode: 'payment',
        line_items: [{ price: once.id, quantity: 1 }],
        subscription_data: { description: 'Not for payments' },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'subscription_data' });
    await expect(
      stripe.paymentLinks.create({
        line_items: [{ price: once.id, quantity: 1 }],
        subscription_data: { description: 'Nothing recurs' },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'subscription_data' });
  });

  it('refuses the other parameters only some modes take, and customer_update without a customer', async () => {
    const [once, month] = [await oneTime(700), await monthly(700)];
    const base = { success_url: 'https://example.com/done' };
    const subscription = {
      ...base,
      mode: 'subscription' as const,
      line_items: [{ price: month.id, quantity: 1 }],
    };
    const payment = { ...base, mode: 'payment' as const, line_items: [{ price: once.id, quantity: 1 }] };
    const refused: [Stripe.Checkout.SessionCreateParams, string][] = [
      [{ ...subscription, customer_creation: 'always' }, 'customer_creation'],
      [{ ...subscription, submit_type: 'pay' }, 'submit_type'],
      [{ ...payment, payment_method_collection: 'if_required' }, 'payment_method_collection'],
      [{ ...payment, customer_update: { name: 'auto' } }, 'customer_update'],
    ];
    for (const [params, param] of refused)
      await expect(stripe.checkout.sessions.create(params)).rejects.toMatchObject({ statusCode: 400, param });
    // A subscription link's session takes no customer_creation, whatever the link's.
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: month.id, quantity: 1 }],
      customer_creation: 'always',
    });
    const opened = await h.emulator.fetch(new Request(link.url));
    expect(opened.status).toBe(303);
  });
});

describe('a subscription created with a future billing_cycle_anchor', () => {
  const start = 1_700_000_000; // 14 Nov 2023, 22:13:20 UTC
  const anchor = 1_701_388_800; // 1 Dec 2023, 00:00 UTC

  it('bills the time up to the anchor prorated, then whole periods from it', async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ source: 'tok_visa', test_clock: clock.id });
    const price = await monthly(3000);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      billing_cycle_anchor: anchor,
      expand: ['latest_invoice'],
    });
    expect(subscription).toMatchObject({
      billing_cycle_anchor: anchor,
      current_period_start: start,
      current_period_end: anchor,
    });
    // 1 388 800 s of November's 2 592 000.
    const first = subscription.latest_invoice as Stripe.Invoice;
    expect(first).toMatchObject({ amount_due: 1607, status: 'paid' });
    expect(first.lines.data[0]!.period).toEqual({ start, end: anchor });

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: anchor + 86_400 });
    const renewed = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(renewed).toMatchObject({ current_period_start: anchor, current_period_end: 1_704_067_200 });
    expect(renewed.latest_invoice).toMatchObject({ billing_reason: 'subscription_cycle', amount_due: 3000 });

    const free = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      billing_cycle_anchor: 1_704_067_200,
      proration_behavior: 'none',
      expand: ['latest_invoice'],
    });
    expect((free.latest_invoice as Stripe.Invoice).amount_due).toBe(0);
  });

  it('is what a Checkout Session’s subscription_data anchors its subscription to', async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ test_clock: clock.id });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      success_url: 'https://example.com/done',
      line_items: [{ price: (await monthly(3000)).id, quantity: 1 }],
      subscription_data: { billing_cycle_anchor: anchor, proration_behavior: 'none' },
    });
    await pay(session.url!);
    const paid = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['subscription.latest_invoice'],
    });
    const subscription = paid.subscription as Stripe.Subscription;
    expect(subscription).toMatchObject({ current_period_start: start, current_period_end: anchor });
    expect((subscription.latest_invoice as Stripe.Invoice).amount_due).toBe(0);
    // Nothing was paid now: the first period is free.
    expect(paid.payment_status).toBe('no_payment_required');
  });

  it('is what a subscription created through GraphQL bills to', async () => {
    const admin = <T = Obj>(path: string, params: Obj) =>
      gateway.admin.request<T>({ method: 'POST', path, params });
    const clock = await admin('/v1/test_helpers/test_clocks', { frozen_time: start });
    const customer = await admin('/v1/customers', { source: 'tok_visa', test_clock: clock.id });
    const price = await admin('/v1/prices', {
      currency: 'usd',
      unit_amount: 3000,
      product_data: { name: 'Anchored through GraphQL' },
      recurring: { interval: 'month' },
    });
    const created = await gateway.query(
      `mutation($c: ID!, $p: ID!, $a: DateTime) {
         createSubscription(input: { customer: $c, items: [{ price: $p }], billingCycleAnchor: $a }) {
           currentPeriodEnd latestInvoice { amountDue }
         }
       }`,
      { variables: { c: customer.id, p: price.id, a: new Date(anchor * 1000).toISOString() } },
    );
    expect(created.body.errors).toBeUndefined();
    const subscription = (created.body.data as Obj).createSubscription;
    expect(Date.parse(subscription.currentPeriodEnd) / 1000).toBe(anchor);
    expect(subscription.latestInvoice).toEqual({ amountDue: 1607 });
  });

  it('is refused past the next natural billing date', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    await expect(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: (await monthly(3000)).id }],
        billing_cycle_anchor: Math.floor(Date.now() / 1000) + 40 * 86_400,
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'billing_cycle_anchor' });
  });
});

/** A customer with a card and the paid first invoice of their subscription of `amount` a month. */
async function paidInvoice(amount: number) {
  const customer = await stripe.customers.create({ source: 'tok_visa' });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: (await monthly(amount)).id }],
  });
  return { customer, invoice: subscription.latest_invoice as string };
}

describe('a credit note’s effective_at', () => {
  it('is the one given, else when it was issued', async () => {
    const { invoice } = await paidInvoice(2000);
    const backdated = await stripe.creditNotes.create({ invoice, amount: 500, effective_at: 1_690_000_000 });
    expect(backdated.effective_at).toBe(1_690_000_000);
    const plain = await stripe.creditNotes.create({ invoice, amount: 500 });
    expect(plain.effective_at).toBe(plain.created);
  });
});

describe('a Checkout Session’s expires_at', () => {
  it('is the one given, from 30 minutes to 24 hours ahead, else 24 hours', async () => {
    const base = {
      mode: 'payment' as const,
      success_url: 'https://example.com/done',
      line_items: [{ price: (await oneTime(900)).id, quantity: 1 }],
    };
    const plain = await stripe.checkout.sessions.create(base);
    expect(plain.expires_at - plain.created).toBe(24 * 3600);
    const soon = await stripe.checkout.sessions.create({ ...base, expires_at: plain.created + 3600 });
    expect(soon.expires_at).toBe(plain.created + 3600);
    for (const expires_at of [plain.created + 60, plain.created + 25 * 3600])
      await expect(stripe.checkout.sessions.create({ ...base, expires_at })).rejects.toMatchObject({
        statusCode: 400,
        param: 'expires_at',
      });
  });
});

describe('a schedule’s phase settings', () => {
  it('set its subscription’s description and default tax rates for the phase’s time', async () => {
    const start = 1_700_000_000;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ source: 'tok_visa', test_clock: clock.id });
    const price = await monthly(1000);
    const rate = await stripe.taxRates.create({ display_name: 'VAT', percentage: 10, inclusive: false });
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: start,
      phases: [
        { items: [{ price: price.id }], iterations: 1, description: 'Intro month' },
        {
          items: [{ price: price.id }],
          iterations: 1,
          description: 'Taxed month',
          default_tax_rates: [rate.id],
        },
      ],
    });
    expect(schedule.phases[1]!.default_tax_rates).toMatchObject([{ id: rate.id }]);
    const id = schedule.subscription as string;
    expect((await stripe.subscriptions.retrieve(id)).description).toBe('Intro month');

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 31 * 86_400 });
    const second = await stripe.subscriptions.retrieve(id, { expand: ['latest_invoice'] });
    expect(second).toMatchObject({ description: 'Taxed month', default_tax_rates: [{ id: rate.id }] });
    expect(second.latest_invoice).toMatchObject({
      billing_reason: 'subscription_cycle',
      tax: 100,
      total: 1100,
    });
  });
});

describe('a subscription updated with billing_cycle_anchor=now', () => {
  const start = 1_700_000_000;
  const day = 86_400;

  /** A 3000-a-month subscription on a clock, ten days into its thirty-day first period. */
  async function tenDaysIn() {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ source: 'tok_visa', test_clock: clock.id });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthly(3000)).id }],
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 10 * day });
    return subscription;
  }

  it('starts a new period now, invoiced at once with the unused time credited', async () => {
    const subscription = await tenDaysIn();
    const reset = await stripe.subscriptions.update(subscription.id, {
      billing_cycle_anchor: 'now',
      expand: ['latest_invoice'],
    });
    expect(reset).toMatchObject({
      billing_cycle_anchor: start + 10 * day,
      current_period_start: start + 10 * day,
      current_period_end: start + 40 * day, // 24 Nov to 24 Dec 2023
    });
    // A new month (3000) less the unused twenty days of thirty (2000).
    expect(reset.latest_invoice).toMatchObject({
      billing_reason: 'subscription_update',
      amount_due: 1000,
      status: 'paid',
      created: start + 10 * day,
    });
  });

  it('credits nothing with proration_behavior=none, and keeps the cycle when unchanged', async () => {
    const subscription = await tenDaysIn();
    const kept = await stripe.subscriptions.update(subscription.id, { billing_cycle_anchor: 'unchanged' });
    expect(kept).toMatchObject({ billing_cycle_anchor: start, latest_invoice: subscription.latest_invoice });
    const reset = await stripe.subscriptions.update(subscription.id, {
      billing_cycle_anchor: 'now',
      proration_behavior: 'none',
      expand: ['latest_invoice'],
    });
    expect(reset.current_period_start).toBe(start + 10 * day);
    expect(reset.latest_invoice).toMatchObject({ billing_reason: 'subscription_update', amount_due: 3000 });
  });
});

describe('a paid invoice’s credit note', () => {
  it('settles its total exactly as refund, balance credit and credit outside Stripe', async () => {
    const { customer, invoice } = await paidInvoice(2000);
    for (const settle of [{ refund_amount: 800 }, { refund_amount: 300, credit_amount: 100 }])
      await expect(stripe.creditNotes.create({ invoice, amount: 500, ...settle })).rejects.toMatchObject({
        statusCode: 400,
      });
    const note = await stripe.creditNotes.create({
      invoice,
      amount: 500,
      refund_amount: 300,
      credit_amount: 200,
    });
    expect(note.refund).toMatch(/^re_/);
    expect(((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).balance).toBe(-200);
  });
});

describe('a trial that ends with no payment method', () => {
  const start = 1_700_000_000;
  const day = 86_400;

  /** A seven-day trial on a clock, for a customer with or without a card, advanced past its end. */
  async function trialEnded(missing_payment_method: 'cancel' | 'pause' | 'create_invoice', card: boolean) {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({
      test_clock: clock.id,
      ...(card ? { source: 'tok_visa' } : {}),
    });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await monthly(2500)).id }],
      trial_period_days: 7,
      trial_settings: { end_behavior: { missing_payment_method } },
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 8 * day });
    const ended = await stripe.subscriptions.retrieve(subscription.id);
    return { ended, first: subscription.latest_invoice };
  }

  it('cancels or pauses the subscription, uninvoiced, as its trial_settings say', async () => {
    const canceled = await trialEnded('cancel', false);
    expect(canceled.ended).toMatchObject({
      status: 'canceled',
      ended_at: start + 7 * day,
      latest_invoice: canceled.first,
    });
    const paused = await trialEnded('pause', false);
    expect(paused.ended).toMatchObject({ status: 'paused', latest_invoice: paused.first });
  });

  it('once paused, resumes into a new period from now, invoiced at once', async () => {
    const { ended } = await trialEnded('pause', false);
    await stripe.customers.update(ended.customer as string, { source: 'tok_visa' });
    const resumed = await stripe.subscriptions.resume(ended.id, { expand: ['latest_invoice'] });
    expect(resumed).toMatchObject({
      status: 'active',
      billing_cycle_anchor: start + 8 * day,
      current_period_start: start + 8 * day,
    });
    expect(resumed.latest_invoice).toMatchObject({
      billing_reason: 'subscription_update',
      amount_paid: 2500,
      status: 'paid',
    });
  });

  it('resumed with billing_cycle_anchor=unchanged, bills the rest of its cycle’s period', async () => {
    const { ended } = await trialEnded('pause', false);
    expect(ended.billing_cycle_anchor).toBe(start + 7 * day);
    await stripe.customers.update(ended.customer as string, { source: 'tok_visa' });
    // 21 Nov 2023 anchors the cycle; on 5 Jan 2024 its period is 21 Dec to 21 Jan.
    const now = start + 52 * day;
    await stripe.testHelpers.testClocks.advance(ended.test_clock as string, { frozen_time: now });
    const resumed = await stripe.subscriptions.resume(ended.id, { billing_cycle_anchor: 'unchanged' });
    const [periodStart, periodEnd] = [Date.UTC(2023, 11, 21, 22, 13, 20), Date.UTC(2024, 0, 21, 22, 13, 20)];
    expect(resumed).toMatchObject({
      status: 'active',
      billing_cycle_anchor: start + 7 * day,
      current_period_start: periodStart / 1000,
      current_period_end: periodEnd / 1000,
      latest_invoice: ended.latest_invoice,
    });
    const pending = await stripe.invoiceItems.list({ customer: ended.customer as string, pending: true });
    expect(pending.data.map((i) => [i.amount, i.proration, i.period.start, i.period.end])).toEqual([
      [Math.round((2500 * 16) / 31), true, now, periodEnd / 1000],
    ]);

    const other = await trialEnded('pause', false);
    await stripe.customers.update(other.ended.customer as string, { source: 'tok_visa' });
    const invoiced = await stripe.subscriptions.resume(other.ended.id, {
      billing_cycle_anchor: 'unchanged',
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
    });
    // A day into its first period (21 to 21 Dec 2023, thirty days): twenty-nine of them billed.
    expect(invoiced.latest_invoice).toMatchObject({
      billing_reason: 'subscription_update',
      status: 'paid',
      amount_paid: Math.round((2500 * 29) / 30),
    });
  });

  it('invoices as usual with a card, or with create_invoice', async () => {
    const paid = await trialEnded('cancel', true);
    expect(paid.ended.status).toBe('active');
    expect(paid.ended.latest_invoice).not.toBe(paid.first);
    const invoiced = await trialEnded('create_invoice', false);
    expect(invoiced.ended.status).toBe('past_due');
  });
});

describe('a payment link’s line_items updated', () => {
  it('sell the quantity they set from then on', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: (await oneTime(450)).id, quantity: 1 }],
    });
    const [item] = (await stripe.paymentLinks.listLineItems(link.id)).data;
    await stripe.paymentLinks.update(link.id, { line_items: [{ id: item!.id, quantity: 3 }] });
    expect((await stripe.paymentLinks.listLineItems(link.id)).data).toMatchObject([
      { id: item!.id, quantity: 3, amount_total: 1350 },
    ]);
    const opened = await h.emulator.fetch(new Request(link.url));
    const checkout = opened.headers.get('location')!;
    const session = await stripe.checkout.sessions.retrieve(checkout.split('/').pop()!);
    expect(session.amount_total).toBe(1350);
    await expect(
      stripe.paymentLinks.update(link.id, { line_items: [{ id: 'li_missing', quantity: 2 }] }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'line_items[0][id]' });
  });
});
