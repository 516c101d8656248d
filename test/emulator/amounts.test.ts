/**
 * What invoices bill: prices' amounts (tiers, transformed quantities), tax rates, discounts,
 * credit notes and the upcoming invoice.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
afterAll(() => h.close());

const monthly = { interval: 'month' as const };

/** A subscription of a new customer with a card, its first invoice expanded. */
async function subscribe(
  params: Omit<Stripe.SubscriptionCreateParams, 'customer'>,
): Promise<Stripe.Subscription> {
  const customer = await stripe.customers.create({ source: 'tok_visa' });
  return stripe.subscriptions.create({ customer: customer.id, expand: ['latest_invoice'], ...params });
}

/** The first invoice of a subscription to one item. */
const firstInvoice = async (item: Stripe.SubscriptionCreateParams.Item) =>
  (await subscribe({ items: [item] })).latest_invoice as Stripe.Invoice;

/** A monthly price of a new product. */
const monthlyPrice = (name: string, unit_amount: number) =>
  stripe.prices.create({ currency: 'usd', product_data: { name }, recurring: monthly, unit_amount });

/** A monthly tiered price of a new product. */
const tieredPrice = (
  name: string,
  tiers_mode: 'graduated' | 'volume',
  tiers: Stripe.PriceCreateParams.Tier[],
  expand: string[] = [],
) =>
  stripe.prices.create({
    currency: 'usd',
    product_data: { name },
    recurring: monthly,
    billing_scheme: 'tiered',
    tiers_mode,
    tiers,
    expand,
  });

const byUnitsAndHalfPrice: Stripe.PriceCreateParams.Tier[] = [
  { up_to: 5, unit_amount: 1000 },
  { up_to: 'inf', unit_amount: 500 },
];

describe('price amounts', () => {
  it('a graduated price bills each tier its own units', async () => {
    const price = await tieredPrice('Seats', 'graduated', byUnitsAndHalfPrice, ['tiers']);
    expect(price.tiers?.map((t) => t.up_to)).toEqual([5, null]);
    const invoice = await firstInvoice({ price: price.id, quantity: 8 });
    expect(invoice.lines.data[0]).toMatchObject({ amount: 6500, quantity: 8 });
    expect(invoice.total).toBe(6500);
  });

  it('a tier reads each amount given also as its decimal, and what was not given null', async () => {
    const price = await tieredPrice(
      'Decimal tiers',
      'graduated',
      [
        { up_to: 5, unit_amount: 1000 },
        { up_to: 'inf', unit_amount_decimal: '500', flat_amount: 200 },
      ],
      ['tiers'],
    );
    expect(price.tiers).toEqual([
      {
        up_to: 5,
        unit_amount: 1000,
        unit_amount_decimal: '1000',
        flat_amount: null,
        flat_amount_decimal: null,
      },
      {
        up_to: null,
        unit_amount: 500,
        unit_amount_decimal: '500',
        flat_amount: 200,
        flat_amount_decimal: '200',
      },
    ]);
  });

  it('a volume price bills every unit at the tier the quantity falls in, plus its flat amount', async () => {
    const price = await tieredPrice('Volume seats', 'volume', [
      { up_to: 5, unit_amount: 1000 },
      { up_to: 'inf', unit_amount: 500, flat_amount: 200 },
    ]);
    expect((await firstInvoice({ price: price.id, quantity: 8 })).total).toBe(8 * 500 + 200);
    expect((await firstInvoice({ price: price.id, quantity: 5 })).total).toBe(5 * 1000);
  });

  it('a graduated tier’s flat amount is billed once the quantity reaches it', async () => {
    const price = await tieredPrice('Flat tiers', 'graduated', [
      { up_to: 2, flat_amount: 3000 },
      { up_to: 'inf', unit_amount: 100, flat_amount: 50 },
    ]);
    expect((await firstInvoice({ price: price.id, quantity: 1 })).total).toBe(3000);
    expect((await firstInvoice({ price: price.id, quantity: 4 })).total).toBe(3000 + 50 + 2 * 100);
  });

  it('transform_quantity divides the quantity and rounds it', async () => {
    const make = (round: 'up' | 'down') =>
      stripe.prices.create({
        currency: 'usd',
        product_data: { name: `Packs ${round}` },
        recurring: monthly,
        unit_amount: 1000,
        transform_quantity: { divide_by: 10, round },
      });
    expect((await firstInvoice({ price: (await make('up')).id, quantity: 25 })).total).toBe(3000);
    expect((await firstInvoice({ price: (await make('down')).id, quantity: 25 })).total).toBe(2000);
  });
});

describe('tiered prices beyond the first invoice', () => {
  const graduated = () => tieredPrice('Graduated', 'graduated', byUnitsAndHalfPrice);

  it('the line names no unit amount, and the upcoming invoice bills the tiers', async () => {
    const price = await graduated();
    const subscription = await subscribe({
      items: [{ price: price.id, quantity: 8 }],
    });
    const line = (subscription.latest_invoice as Stripe.Invoice).lines.data[0]!;
    expect(line.description).toBe('8 × Graduated');
    expect(line.unit_amount_excluding_tax).toBe('812.5');
    const upcoming = await stripe.invoices.retrieveUpcoming({ subscription: subscription.id });
    expect(upcoming.lines.data.map((l) => l.amount)).toEqual([6500]);
  });

  it('a quantity change prorates what the tiers bill', async () => {
    const price = await graduated();
    const subscription = await subscribe({
      items: [{ price: price.id, quantity: 8 }],
    });
    const item = subscription.items.data[0]!;
    // At the period's start: the whole period is unused, so the prorations are the full amounts.
    await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, quantity: 10 }],
      proration_date: subscription.current_period_start,
    });
    const customer = subscription.customer as string;
    const pending = await stripe.invoiceItems.list({ customer, pending: true });
    expect(pending.data.map((i) => i.amount).sort((a, b) => a - b)).toEqual([-6500, 7500]);
  });
});

describe('what a price bills outside subscriptions', () => {
  /** A one-time price sold in packs of ten, a part pack billed as a whole one. */
  const packs = () =>
    stripe.prices.create({
      currency: 'usd',
      product_data: { name: 'Packs of ten' },
      unit_amount: 1000,
      transform_quantity: { divide_by: 10, round: 'up' },
    });

  it('a Checkout Session and its line items bill the tiers', async () => {
    const price = await tieredPrice('Checkout seats', 'graduated', byUnitsAndHalfPrice);
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      success_url: 'https://example.com/done',
      line_items: [{ price: price.id, quantity: 8 }],
    });
    expect(session).toMatchObject({ amount_subtotal: 6500, amount_total: 6500 });
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data.map((i) => [i.amount_subtotal, i.amount_total])).toEqual([[6500, 6500]]);
  });

  it('a quote and its line items bill the tiers', async () => {
    const price = await tieredPrice('Quoted seats', 'graduated', byUnitsAndHalfPrice);
    const customer = await stripe.customers.create();
    const quote = await stripe.quotes.create({
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 8 }],
    });
    expect(quote).toMatchObject({ amount_subtotal: 6500, amount_total: 6500 });
    expect(quote.computed.recurring?.amount_total).toBe(6500);
    const items = await stripe.quotes.listLineItems(quote.id);
    expect(items.data.map((i) => i.amount_total)).toEqual([6500]);
  });

  it('an accepted quote’s invoice bills the transformed quantity', async () => {
    const price = await packs();
    const customer = await stripe.customers.create();
    const quote = await stripe.quotes.create({
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 25 }],
    });
    expect(quote.amount_total).toBe(3000);
    await stripe.quotes.finalizeQuote(quote.id);
    const accepted = await stripe.quotes.accept(quote.id, { expand: ['invoice'] });
    expect((accepted.invoice as Stripe.Invoice).total).toBe(3000);
  });

  it('an invoice item with a price and a quantity bills what the price does', async () => {
    const price = await packs();
    const customer = await stripe.customers.create();
    const item = await stripe.invoiceItems.create({ customer: customer.id, price: price.id, quantity: 25 });
    expect(item.amount).toBe(3000);
    const updated = await stripe.invoiceItems.update(item.id, { quantity: 31 });
    expect(updated.amount).toBe(4000);
  });
});

describe('tax rates', () => {
  const rate = (percentage: number, inclusive: boolean) =>
    stripe.taxRates.create({ display_name: inclusive ? 'VAT' : 'Sales tax', percentage, inclusive });

  it('a subscription’s default rate taxes its invoices on top of the subtotal', async () => {
    const txr = await rate(10, false);
    const price = await monthlyPrice('Taxed plan', 2000);
    const subscription = await subscribe({
      items: [{ price: price.id }],
      default_tax_rates: [txr.id],
    });
    expect(subscription.default_tax_rates?.map((r) => r.id)).toEqual([txr.id]);
    const invoice = subscription.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({
      subtotal: 2000,
      tax: 200,
      total: 2200,
      total_excluding_tax: 2000,
      amount_paid: 2200,
      total_tax_amounts: [{ amount: 200, inclusive: false, tax_rate: txr.id, taxable_amount: 2000 }],
    });
    expect(invoice.default_tax_rates.map((r) => r.id)).toEqual([txr.id]);
    expect(invoice.lines.data[0]!.tax_amounts).toEqual([
      { amount: 200, inclusive: false, tax_rate: txr.id, taxability_reason: null, taxable_amount: 2000 },
    ]);
  });

  it('an item’s inclusive rate is inside the amount', async () => {
    const txr = await rate(25, true);
    const price = await monthlyPrice('Tax-inclusive plan', 1000);
    const invoice = await firstInvoice({ price: price.id, tax_rates: [txr.id] });
    expect(invoice).toMatchObject({
      subtotal: 1000,
      subtotal_excluding_tax: 800,
      tax: 200,
      total: 1000,
      total_excluding_tax: 800,
    });
    expect(invoice.lines.data[0]).toMatchObject({
      amount: 1000,
      amount_excluding_tax: 800,
      tax_rates: [{ id: txr.id }],
      tax_amounts: [{ amount: 200, inclusive: true, taxable_amount: 800 }],
    });
  });

  it('an invoice item’s own rate wins over the invoice’s default, after the discount', async () => {
    const fallback = await rate(10, false);
    const own = await rate(20, false);
    const coupon = await stripe.coupons.create({ percent_off: 50 });
    const customer = await stripe.customers.create({ coupon: coupon.id });
    const item = await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 1000,
      currency: 'usd',
      tax_rates: [own.id],
    });
    expect(item.tax_rates?.map((r) => r.id)).toEqual([own.id]);
    await stripe.invoiceItems.create({ customer: customer.id, amount: 3000, currency: 'usd' });
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      default_tax_rates: [fallback.id],
      pending_invoice_items_behavior: 'include',
    });
    // Half off each line: 500 taxed at 20 %, 1500 at 10 %.
    expect(
      invoice.lines.data.map((l) => [l.discount_amounts, (l.tax_amounts ?? []).map((t) => t.amount)]),
    ).toEqual([
      [[{ amount: 500, discount: (invoice.discount as Stripe.Discount).id }], [100]],
      [[{ amount: 1500, discount: (invoice.discount as Stripe.Discount).id }], [150]],
    ]);
    expect(invoice).toMatchObject({ subtotal: 4000, tax: 250, total: 2250 });
  });
});

describe('discounts', () => {
  it('discounts[0][coupon] discounts a subscription, listed in discounts', async () => {
    const coupon = await stripe.coupons.create({ percent_off: 25, duration: 'forever' });
    const price = await monthlyPrice('Discounted plan', 4000);
    const subscription = await subscribe({
      items: [{ price: price.id }],
      discounts: [{ coupon: coupon.id }],
    });
    const discount = subscription.discount!;
    expect(discount).toMatchObject({ coupon: { id: coupon.id }, subscription: subscription.id });
    expect(subscription.discounts).toEqual([discount.id]);
    const invoice = subscription.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ subtotal: 4000, total: 3000, discounts: [discount.id] });
    expect(invoice.lines.data[0]!.discount_amounts).toEqual([{ amount: 1000, discount: discount.id }]);
  });

  it('the deprecated coupon lists its discount in discounts too', async () => {
    const coupon = await stripe.coupons.create({ amount_off: 500, currency: 'usd' });
    const price = await monthlyPrice('Coupon plan', 4000);
    const subscription = await subscribe({
      items: [{ price: price.id }],
      coupon: coupon.id,
    });
    expect(subscription.discounts).toEqual([subscription.discount!.id]);
  });

  it('discounts[0][coupon] discounts an invoice of its own', async () => {
    const coupon = await stripe.coupons.create({ amount_off: 700, currency: 'usd' });
    const customer = await stripe.customers.create({});
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      discounts: [{ coupon: coupon.id }],
    });
    expect(invoice.discount).toMatchObject({ coupon: { id: coupon.id }, invoice: invoice.id });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: invoice.id,
      amount: 2000,
      currency: 'usd',
    });
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      subtotal: 2000,
      total: 1300,
      discounts: [invoice.discount!.id],
      total_discount_amounts: [{ amount: 700, discount: invoice.discount!.id }],
    });
  });
});

describe('a draft invoice’s update', () => {
  /** A draft invoice of a new customer with one $20.00 item. */
  const draftInvoice = async () => {
    const customer = await stripe.customers.create();
    await stripe.invoiceItems.create({ customer: customer.id, amount: 2000, currency: 'usd' });
    return stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: 'include' });
  };

  it('default_tax_rates re-taxes its lines', async () => {
    const draft = await draftInvoice();
    const rate = await stripe.taxRates.create({ display_name: 'Tax', percentage: 10, inclusive: false });
    const taxed = await stripe.invoices.update(draft.id, { default_tax_rates: [rate.id] });
    expect(taxed).toMatchObject({ subtotal: 2000, tax: 200, total: 2200, amount_due: 2200 });
    expect(taxed.default_tax_rates.map((r) => r.id)).toEqual([rate.id]);
    expect(taxed.lines.data[0]!.tax_amounts?.map((t) => t.amount)).toEqual([200]);
    const cleared = await stripe.invoices.update(draft.id, { default_tax_rates: '' });
    expect(cleared).toMatchObject({ tax: null, total: 2000, default_tax_rates: [] });
  });

  it('discounts[0][coupon] discounts it, once redeemed; a finalized one refuses', async () => {
    const draft = await draftInvoice();
    const coupon = await stripe.coupons.create({ percent_off: 25 });
    const discounted = await stripe.invoices.update(draft.id, { discounts: [{ coupon: coupon.id }] });
    const discount = discounted.discount!;
    expect(discount).toMatchObject({ coupon: { id: coupon.id }, invoice: draft.id });
    expect(discounted).toMatchObject({
      subtotal: 2000,
      total: 1500,
      discounts: [discount.id],
      total_discount_amounts: [{ amount: 500, discount: discount.id }],
    });
    expect((await stripe.coupons.retrieve(coupon.id)).times_redeemed).toBe(1);
    await stripe.invoices.finalizeInvoice(draft.id, { auto_advance: false });
    await expect(stripe.invoices.update(draft.id, { discounts: '' })).rejects.toMatchObject({
      code: 'invoice_not_editable',
    });
  });
});

describe('credit notes', () => {
  /** A paid invoice of a $40.00 subscription. */
  const paidInvoice = async () =>
    (await subscribe({ items: [{ price: (await monthlyPrice('Credited plan', 4000)).id }] }))
      .latest_invoice as Stripe.Invoice;

  it('a preview comes to what the note would, with its lines', async () => {
    const invoice = await paidInvoice();
    expect(await stripe.creditNotes.preview({ invoice: invoice.id, amount: 1000 })).toMatchObject({
      object: 'credit_note',
      invoice: invoice.id,
      type: 'post_payment',
      subtotal: 1000,
      total: 1000,
    });
    const line = invoice.lines.data[0]!;
    const lines = [{ type: 'invoice_line_item' as const, invoice_line_item: line.id, amount: 1500 }];
    const preview = await stripe.creditNotes.preview({ invoice: invoice.id, lines });
    expect(preview).toMatchObject({
      total: 1500,
      lines: { data: [{ amount: 1500, invoice_line_item: line.id }] },
    });
    const listed = await stripe.creditNotes.listPreviewLineItems({ invoice: invoice.id, lines });
    expect(listed.data.map((l) => [l.type, l.amount])).toEqual([['invoice_line_item', 1500]]);
    expect((await stripe.creditNotes.list({ invoice: invoice.id })).data).toEqual([]);
  });

  it('notes on a paid invoice credit at most what was paid, all notes together', async () => {
    const invoice = await paidInvoice();
    await stripe.creditNotes.create({ invoice: invoice.id, amount: 3000 });
    const second = stripe.creditNotes.create({ invoice: invoice.id, amount: 3000 });
    await expect(second).rejects.toMatchObject({ statusCode: 400, param: 'amount' });
    expect((await stripe.creditNotes.create({ invoice: invoice.id, amount: 1000 })).total).toBe(1000);
  });
});

describe('archived prices', () => {
  it('are refused for new subscriptions and invoice items, and kept by subscriptions that have them', async () => {
    const price = await monthlyPrice('Retired plan', 900);
    const existing = await subscribe({ items: [{ price: price.id }] });
    await stripe.prices.update(price.id, { active: false });
    const refusal = {
      statusCode: 400,
      message: 'The price specified is inactive. This field only accepts active prices.',
    };
    await expect(subscribe({ items: [{ price: price.id }] })).rejects.toMatchObject({
      ...refusal,
      param: 'items[0][price]',
    });
    const customer = existing.customer as string;
    await expect(stripe.invoiceItems.create({ customer, price: price.id })).rejects.toMatchObject({
      ...refusal,
      param: 'price',
    });
    const item = existing.items.data[0]!;
    const updated = await stripe.subscriptions.update(existing.id, { items: [{ id: item.id, quantity: 2 }] });
    expect(updated.items.data[0]).toMatchObject({ quantity: 2, price: { id: price.id } });
  });
});

describe('customer balance', () => {
  it('a balance given on create is an initial balance transaction', async () => {
    const customer = await stripe.customers.create({ balance: -5000 });
    const transactions = await stripe.customers.listBalanceTransactions(customer.id);
    expect(transactions.data).toMatchObject([
      { amount: -5000, ending_balance: -5000, type: 'initial', currency: 'usd', customer: customer.id },
    ]);
    await stripe.customers.createBalanceTransaction(customer.id, { amount: 1000, currency: 'usd' });
    const after = await stripe.customers.listBalanceTransactions(customer.id);
    expect(after.data.map((t) => [t.type, t.ending_balance])).toEqual([
      ['adjustment', -4000],
      ['initial', -5000],
    ]);
    expect((await stripe.customers.create({})).balance).toBe(0);
  });

  it('a balance set on update is an adjustment by the difference', async () => {
    const customer = await stripe.customers.create({ balance: 2000 });
    await stripe.customers.update(customer.id, { balance: -500 });
    await stripe.customers.update(customer.id, { balance: -500, name: 'Same balance' });
    const transactions = await stripe.customers.listBalanceTransactions(customer.id);
    expect(transactions.data.map((t) => [t.type, t.amount, t.ending_balance])).toEqual([
      ['adjustment', -2500, -500],
      ['initial', 2000, 2000],
    ]);
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({
      balance: -500,
    });
  });
});

describe('price lookup keys', () => {
  it('are one price’s: a duplicate is refused unless transfer_lookup_key moves it', async () => {
    const lookup_key = `standard-${Date.now()}`;
    const product = await stripe.products.create({ name: 'Keyed' });
    const price = (unit_amount: number, params: Partial<Stripe.PriceCreateParams> = {}) =>
      stripe.prices.create({ product: product.id, currency: 'usd', unit_amount, lookup_key, ...params });
    const first = await price(1000);
    await expect(price(1200)).rejects.toMatchObject({
      statusCode: 400,
      param: 'lookup_key',
      message: `A price (\`${first.id}\`) already uses that lookup key.`,
    });
    const second = await price(1200, { transfer_lookup_key: true });
    expect(second.lookup_key).toBe(lookup_key);
    expect((await stripe.prices.retrieve(first.id)).lookup_key).toBeNull();
    expect((await stripe.prices.list({ lookup_keys: [lookup_key] })).data.map((p) => p.id)).toEqual([
      second.id,
    ]);
    await expect(stripe.prices.update(first.id, { lookup_key })).rejects.toMatchObject({
      param: 'lookup_key',
    });
    await stripe.prices.update(first.id, { lookup_key, transfer_lookup_key: true });
    expect((await stripe.prices.retrieve(second.id)).lookup_key).toBeNull();
  });
});

describe('the upcoming invoice', () => {
  it('previews a change’s prorations and the next period at the new price', async () => {
    const basic = await monthlyPrice('Preview basic', 2000);
    const pro = await monthlyPrice('Preview pro', 4000);
    const subscription = await subscribe({ items: [{ price: basic.id }] });
    const item = subscription.items.data[0]!;
    const at = subscription.current_period_start;
    const upcoming = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      subscription_items: [{ id: item.id, price: pro.id }],
      subscription_proration_date: at,
    });
    expect(upcoming.lines.data.map((l) => [l.type, l.proration, l.amount, l.period.start])).toEqual([
      ['invoiceitem', true, -2000, at],
      ['invoiceitem', true, 4000, at],
      ['subscription', false, 4000, subscription.current_period_end],
    ]);
    expect(upcoming).toMatchObject({
      subscription: subscription.id,
      total: 6000,
      period_end: subscription.current_period_end,
      next_payment_attempt: subscription.current_period_end,
    });
    // A preview changes nothing.
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data[0]!.price.id).toBe(basic.id);
    const none = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      subscription_items: [{ id: item.id, quantity: 3 }],
      subscription_proration_behavior: 'none',
    });
    expect(none.lines.data.map((l) => l.amount)).toEqual([6000]);
  });

  it('previews one subscription, the customer’s that renews first', async () => {
    const monthlyPlan = await monthlyPrice('Preview monthly', 1000);
    const yearly = await stripe.prices.create({
      currency: 'usd',
      product_data: { name: 'Preview yearly' },
      recurring: { interval: 'year' },
      unit_amount: 9000,
    });
    const first = await subscribe({ items: [{ price: monthlyPlan.id }] });
    const customer = first.customer as string;
    await stripe.subscriptions.create({ customer, items: [{ price: yearly.id }] });
    const upcoming = await stripe.invoices.retrieveUpcoming({ customer });
    expect(upcoming).toMatchObject({ subscription: first.id, total: 1000 });
    expect(upcoming.lines.data.map((l) => l.subscription)).toEqual([first.id]);
  });

  it('previews a new subscription from subscription_items alone', async () => {
    const price = await monthlyPrice('Preview new', 1500);
    const customer = await stripe.customers.create({});
    const upcoming = await stripe.invoices.retrieveUpcoming({
      customer: customer.id,
      subscription_items: [{ price: price.id, quantity: 2 }],
    });
    expect(upcoming).toMatchObject({ subscription: null, total: 3000 });
    expect(upcoming.lines.data).toMatchObject([{ type: 'subscription', amount: 3000, quantity: 2 }]);
  });

  it('refuses items that could not bill as one subscription: another interval', async () => {
    const price = await monthlyPrice('Preview mixed monthly', 1500);
    const yearly = await stripe.prices.create({
      currency: 'usd',
      product_data: { name: 'Preview mixed yearly' },
      recurring: { interval: 'year' },
      unit_amount: 15000,
    });
    const customer = await stripe.customers.create({});
    await expect(
      stripe.invoices.retrieveUpcoming({
        customer: customer.id,
        subscription_items: [{ price: price.id }, { price: yearly.id }],
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      param: 'subscription_items',
      message: expect.stringMatching(/interval/),
    });
    const subscription = await subscribe({ items: [{ price: price.id }] });
    await expect(
      stripe.invoices.retrieveUpcoming({
        subscription: subscription.id,
        subscription_details: { items: [{ price: yearly.id }] },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'subscription_items' });
  });

  it('previews a trial added to an active subscription as the update makes it', async () => {
    const price = await monthlyPrice('Preview trial', 3000);
    const subscription = await subscribe({ items: [{ price: price.id }] });
    const { current_period_start: start, current_period_end: end } = subscription;
    const at = start + Math.floor((end - start) / 3);
    const trialEnd = end + 10 * 86_400;
    const upcoming = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      subscription_trial_end: trialEnd,
      subscription_proration_date: at,
    });
    const credit = -Math.round((3000 * (end - at)) / (end - start));
    expect(upcoming.lines.data.map((l) => [l.type, l.proration, l.amount, l.period.start])).toEqual([
      ['invoiceitem', true, credit, at],
      ['subscription', false, 3000, trialEnd],
    ]);
    expect(upcoming).toMatchObject({ total: 3000 + credit, period_end: trialEnd });
    await stripe.subscriptions.update(subscription.id, { trial_end: trialEnd, proration_date: at });
    const pending = await stripe.invoiceItems.list({
      customer: subscription.customer as string,
      pending: true,
    });
    expect(pending.data.map((i) => i.amount)).toEqual([credit]);
  });

  it('takes the subscription’s discount off, and has nothing to renew when it cancels', async () => {
    const coupon = await stripe.coupons.create({ percent_off: 10, duration: 'forever' });
    const price = await monthlyPrice('Preview discounted', 5000);
    const subscription = await subscribe({
      items: [{ price: price.id }],
      discounts: [{ coupon: coupon.id }],
    });
    const upcoming = await stripe.invoices.retrieveUpcoming({ subscription: subscription.id });
    expect(upcoming).toMatchObject({ subtotal: 5000, total: 4500, discount: { coupon: { id: coupon.id } } });
    await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await expect(stripe.invoices.retrieveUpcoming({ subscription: subscription.id })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invoice_upcoming_none',
    });
  });
});

describe('the upcoming invoice’s previewed cancellation', () => {
  it('cancel_at within the period credits the time after it and renews nothing', async () => {
    const price = await monthlyPrice('Preview canceled at', 3000);
    const subscription = await subscribe({ items: [{ price: price.id }] });
    const { current_period_start: start, current_period_end: end } = subscription;
    const at = start + Math.floor((end - start) / 3);
    const upcoming = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      subscription_cancel_at: at,
    });
    const credit = -Math.round((3000 * (end - at)) / (end - start));
    expect(upcoming.lines.data.map((l) => [l.proration, l.amount, l.period.start])).toEqual([
      [true, credit, at],
    ]);
    // Without prorations there is nothing left to invoice.
    await expect(
      stripe.invoices.retrieveUpcoming({
        subscription: subscription.id,
        subscription_cancel_at: at,
        subscription_proration_behavior: 'none',
      }),
    ).rejects.toMatchObject({ code: 'invoice_upcoming_none' });
    await stripe.subscriptions.update(subscription.id, { cancel_at: at, proration_behavior: 'none' });
    const resumed = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      subscription_cancel_at: '',
      subscription_proration_behavior: 'none',
    });
    expect(resumed.lines.data.map((l) => [l.type, l.amount])).toEqual([['subscription', 3000]]);
  });

  it('cancel_now renews nothing, leaving the pending items', async () => {
    const price = await monthlyPrice('Preview canceled now', 3000);
    const subscription = await subscribe({ items: [{ price: price.id }] });
    await stripe.invoiceItems.create({
      customer: subscription.customer as string,
      amount: 700,
      currency: 'usd',
    });
    const upcoming = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      subscription_cancel_now: true,
    });
    expect(upcoming.lines.data.map((l) => [l.type, l.amount])).toEqual([['invoiceitem', 700]]);
  });
});

describe('the upcoming invoice’s previewed trial end', () => {
  it('renews a trialing subscription when the previewed trial ends', async () => {
    const price = await monthlyPrice('Preview trial', 2500);
    const subscription = await subscribe({ items: [{ price: price.id }], trial_period_days: 14 });
    expect(subscription.status).toBe('trialing');
    const later = subscription.trial_end! + 7 * 86_400;
    const extended = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      subscription_trial_end: later,
    });
    expect(extended.lines.data.map((l) => [l.amount, l.period.start])).toEqual([[2500, later]]);
    expect(extended).toMatchObject({ period_end: later, next_payment_attempt: later });
    const now = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      subscription_trial_end: 'now',
    });
    expect(now.lines.data[0]!.period.start).toBeLessThan(subscription.trial_end!);
  });
});

describe('the upcoming invoice’s tax', () => {
  it('taxes the preview as the invoice will be', async () => {
    const rate = await stripe.taxRates.create({
      display_name: 'Sales tax',
      percentage: 10,
      inclusive: false,
    });
    const price = await monthlyPrice('Preview taxed', 3000);
    const subscription = await subscribe({ items: [{ price: price.id }], default_tax_rates: [rate.id] });
    const upcoming = await stripe.invoices.retrieveUpcoming({ subscription: subscription.id });
    expect(upcoming).toMatchObject({ subtotal: 3000, tax: 300, total: 3300, amount_due: 3300 });
    expect(upcoming.lines.data[0]!.tax_amounts).toMatchObject([{ amount: 300, tax_rate: rate.id }]);
  });

  it('taxes a changed item by its previewed tax_rates, and the rest by the previewed defaults', async () => {
    const own = await stripe.taxRates.create({ display_name: 'Own', percentage: 20, inclusive: false });
    const fallback = await stripe.taxRates.create({
      display_name: 'Default',
      percentage: 5,
      inclusive: false,
    });
    const retaxed = await monthlyPrice('Preview retaxed', 1000);
    const kept = await monthlyPrice('Preview kept', 2000);
    const subscription = await subscribe({ items: [{ price: retaxed.id }, { price: kept.id }] });
    const first = subscription.items.data.find((i) => i.price.id === retaxed.id);
    const upcoming = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      subscription_items: [{ id: first!.id, tax_rates: [own.id] }],
      subscription_default_tax_rates: [fallback.id],
      subscription_proration_behavior: 'none',
    });
    expect(upcoming.lines.data.map((l) => [l.amount, l.tax_amounts?.map((t) => t.amount)])).toEqual(
      expect.arrayContaining([
        [1000, [200]],
        [2000, [100]],
      ]),
    );
    expect(upcoming).toMatchObject({ subtotal: 3000, tax: 300, total: 3300 });
  });
});

describe('the upcoming invoice’s previewed discount', () => {
  it('takes a previewed coupon off instead of the inherited one, redeeming nothing', async () => {
    const inherited = await stripe.coupons.create({ percent_off: 10, duration: 'forever' });
    const previewed = await stripe.coupons.create({ amount_off: 1500, currency: 'usd' });
    const price = await monthlyPrice('Preview couponed', 5000);
    const subscription = await subscribe({
      items: [{ price: price.id }],
      discounts: [{ coupon: inherited.id }],
    });
    const upcoming = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      discounts: [{ coupon: previewed.id }],
    });
    expect(upcoming).toMatchObject({
      subtotal: 5000,
      total: 3500,
      discount: { coupon: { id: previewed.id } },
    });
    const legacy = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      coupon: previewed.id,
    });
    expect(legacy.total).toBe(3500);
    const none = await stripe.invoices.retrieveUpcoming({ subscription: subscription.id, discounts: '' });
    expect(none).toMatchObject({ total: 5000, discount: null, total_discount_amounts: [] });
    expect((await stripe.coupons.retrieve(previewed.id)).times_redeemed).toBe(0);
  });
});

describe('prorations’ tax rates', () => {
  /** A subscription taxed by default at 10%, its one item at 20%. */
  async function taxedSubscription() {
    const rate = (display_name: string, percentage: number) =>
      stripe.taxRates.create({ display_name, percentage, inclusive: false });
    const [byDefault, own] = [await rate('Default', 10), await rate('Item', 20)];
    const price = await monthlyPrice('Taxed item', 1000);
    const subscription = await subscribe({
      items: [{ price: price.id, tax_rates: [own.id] }],
      default_tax_rates: [byDefault.id],
    });
    return { subscription, item: subscription.items.data[0]!, own };
  }

  it('an update’s prorations carry the item’s tax rates', async () => {
    const { subscription, item, own } = await taxedSubscription();
    await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, quantity: 2 }],
      proration_date: subscription.current_period_start,
    });
    const customer = subscription.customer as string;
    const pending = await stripe.invoiceItems.list({ customer, pending: true });
    expect(pending.data.map((i) => [i.amount, i.tax_rates?.map((r) => r.id)])).toEqual([
      [2000, [own.id]],
      [-1000, [own.id]],
    ]);
    const upcoming = await stripe.invoices.retrieveUpcoming({ subscription: subscription.id });
    const prorated = upcoming.lines.data.filter((l) => l.proration).sort((a, b) => b.amount - a.amount);
    expect(prorated.map((l) => [l.amount, l.tax_amounts?.map((t) => t.amount)])).toEqual([
      [2000, [400]],
      [-1000, [-200]],
    ]);
  });

  it('a previewed change’s prorations carry the item’s tax rates', async () => {
    const { subscription, item, own } = await taxedSubscription();
    const upcoming = await stripe.invoices.retrieveUpcoming({
      subscription: subscription.id,
      subscription_items: [{ id: item.id, quantity: 2 }],
      subscription_proration_date: subscription.current_period_start,
    });
    const prorated = upcoming.lines.data.filter((l) => l.proration);
    expect(
      prorated.map((l) => [l.amount, l.tax_rates?.map((r) => r.id), l.tax_amounts?.[0]?.amount]),
    ).toEqual([
      [-1000, [own.id], -200],
      [2000, [own.id], 400],
    ]);
  });
});
