/**
 * Stripe Tax as a new user meets it: tax is charged only where the account is registered, at that
 * jurisdiction's rate (money/stripe-tax.ts), and every answer says why (`taxability_reason`).
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
afterAll(() => h.close());

const newYork = { line1: '350 5th Ave', city: 'New York', state: 'NY', postal_code: '10118', country: 'US' };
const berlin = { line1: 'Unter den Linden 1', city: 'Berlin', postal_code: '10117', country: 'DE' };

beforeAll(async () => {
  await stripe.tax.registrations.create({
    country: 'US',
    country_options: { us: { state: 'NY', type: 'state_sales_tax' } },
    active_from: 'now',
  });
  await stripe.tax.registrations.create({
    country: 'DE',
    country_options: { de: { type: 'standard' } },
    active_from: 'now',
  });
});

/** A calculation of one $100 line (and $10 of shipping) for `details`. */
const calculate = (
  details: Stripe.Tax.CalculationCreateParams.CustomerDetails,
  extra: Partial<Stripe.Tax.CalculationCreateParams> = {},
) =>
  stripe.tax.calculations.create({
    currency: 'usd',
    line_items: [{ amount: 10_000, reference: 'desk' }],
    shipping_cost: { amount: 1000 },
    customer_details: details,
    ...extra,
  });

describe('Tax calculations', () => {
  it('a registered US state is taxed at its rate, on the lines and the shipping', async () => {
    const calculation = await calculate({ address: newYork, address_source: 'shipping' });
    expect(calculation).toMatchObject({
      amount_total: 11_440,
      tax_amount_exclusive: 440,
      tax_amount_inclusive: 0,
      shipping_cost: { amount: 1000, amount_tax: 40 },
    });
    expect(calculation.tax_breakdown).toEqual([
      {
        amount: 440,
        inclusive: false,
        tax_rate_details: { country: 'US', percentage_decimal: '4.0', state: 'NY', tax_type: 'sales_tax' },
        taxability_reason: 'standard_rated',
        taxable_amount: 11_000,
      },
    ]);
    const [line] = (await stripe.tax.calculations.listLineItems(calculation.id!)).data;
    expect(line).toMatchObject({ amount: 10_000, amount_tax: 400 });
    expect(line!.tax_breakdown).toEqual([
      {
        amount: 400,
        jurisdiction: { country: 'US', display_name: 'New York', level: 'state', state: 'NY' },
        sourcing: 'destination',
        tax_rate_details: { display_name: 'Sales Tax', percentage_decimal: '4.0', tax_type: 'sales_tax' },
        taxability_reason: 'standard_rated',
        taxable_amount: 10_000,
      },
    ]);
  });

  it('an inclusive price holds its tax, which the total does not add again', async () => {
    const calculation = await stripe.tax.calculations.create({
      currency: 'eur',
      line_items: [{ amount: 11_900, reference: 'chair', tax_behavior: 'inclusive' }],
      customer_details: { address: berlin, address_source: 'billing' },
    });
    expect(calculation).toMatchObject({
      amount_total: 11_900,
      tax_amount_inclusive: 1900,
      tax_amount_exclusive: 0,
    });
    expect(calculation.tax_breakdown).toEqual([
      {
        amount: 1900,
        inclusive: true,
        tax_rate_details: { country: 'DE', percentage_decimal: '19.0', state: null, tax_type: 'vat' },
        taxability_reason: 'standard_rated',
        taxable_amount: 10_000,
      },
    ]);
  });

  it('an unregistered jurisdiction is not collected in', async () => {
    const calculation = await calculate({
      address: { line1: '1 Main St', city: 'Portland', state: 'OR', postal_code: '97201', country: 'US' },
      address_source: 'shipping',
    });
    expect(calculation).toMatchObject({ amount_total: 11_000, tax_amount_exclusive: 0 });
    expect(calculation.tax_breakdown.map((b) => [b.taxability_reason, b.amount])).toEqual([
      ['not_collecting', 0],
    ]);
  });

  it('an EU business with a VAT id is reverse-charged, an exempt customer pays nothing', async () => {
    const business = await calculate({
      address: berlin,
      address_source: 'billing',
      tax_ids: [{ type: 'eu_vat', value: 'DE123456789' }],
    });
    expect(business.tax_amount_exclusive).toBe(0);
    expect(business.tax_breakdown.map((b) => b.taxability_reason)).toEqual(['reverse_charge']);

    const exempt = await stripe.customers.create({ address: newYork, tax_exempt: 'exempt' });
    const calculation = await calculate({}, { customer: exempt.id });
    expect(calculation).toMatchObject({ amount_total: 11_000, tax_amount_exclusive: 0 });
    expect(calculation.tax_breakdown.map((b) => b.taxability_reason)).toEqual(['customer_exempt']);
    const overridden = await calculate({
      address: newYork,
      address_source: 'billing',
      taxability_override: 'customer_exempt',
    });
    expect(overridden.tax_breakdown.map((b) => b.taxability_reason)).toEqual(['customer_exempt']);
  });

  it('a calculation for a customer copies in their address and tax ids', async () => {
    const business = await stripe.customers.create({
      address: berlin,
      tax_id_data: [{ type: 'eu_vat', value: 'DE987654321' }],
    });
    const calculation = await calculate({}, { customer: business.id });
    expect(calculation.customer_details).toMatchObject({
      address: { country: 'DE', postal_code: '10117' },
      address_source: 'billing',
      tax_ids: [{ type: 'eu_vat', value: 'DE987654321' }],
    });
    expect(calculation.tax_breakdown.map((b) => b.taxability_reason)).toEqual(['reverse_charge']);
  });

  it('a US address without a ZIP code cannot be taxed', async () => {
    await expect(
      calculate({ address: { country: 'US', state: 'NY' }, address_source: 'billing' }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'customer_tax_location_invalid' });
  });

  it('a transaction records the tax calculated, and its reversal takes it back', async () => {
    const calculation = await calculate({ address: newYork, address_source: 'shipping' });
    const recorded = await stripe.tax.transactions.createFromCalculation({
      calculation: calculation.id!,
      reference: 'order-ny-1',
    });
    expect(recorded.shipping_cost).toMatchObject({ amount: 1000, amount_tax: 40 });
    const lines = await stripe.tax.transactions.listLineItems(recorded.id);
    expect(lines.data.map((l) => [l.amount, l.amount_tax])).toEqual([[10_000, 400]]);
    const reversal = await stripe.tax.transactions.createReversal({
      original_transaction: recorded.id,
      reference: 'order-ny-1-refund',
      mode: 'full',
    });
    expect(reversal.shipping_cost).toMatchObject({ amount: -1000, amount_tax: -40 });
    const back = await stripe.tax.transactions.listLineItems(reversal.id);
    expect(back.data.map((l) => [l.amount, l.amount_tax])).toEqual([[-10_000, -400]]);
  });
});

describe('Tax settings', () => {
  it('are pending until the head office is set, then active', async () => {
    const fresh = await startEmulatorHarness({ seed: false });
    try {
      expect(await fresh.stripe.tax.settings.retrieve()).toMatchObject({
        status: 'pending',
        status_details: { pending: { missing_fields: ['head_office'] } },
      });
      const set = await fresh.stripe.tax.settings.update({
        defaults: { tax_code: 'txcd_10000000' },
        head_office: { address: { country: 'US', state: 'CA', postal_code: '94111' } },
      });
      expect(set).toMatchObject({ status: 'active', status_details: { active: {} } });
    } finally {
      await fresh.close();
    }
  });
});

describe('Tax registrations', () => {
  it('are scheduled until they start and expired once they end, and tax only while active', async () => {
    let now = Math.floor(Date.UTC(2026, 11, 4, 12) / 1000);
    const timed = await startEmulatorHarness({ clock: () => now, seed: false });
    try {
      const texas = await timed.stripe.tax.registrations.create({
        country: 'US',
        country_options: { us: { state: 'TX', type: 'state_sales_tax' } },
        active_from: now + 86_400,
      });
      expect(texas.status).toBe('scheduled');
      const reason = async () =>
        (
          await timed.stripe.tax.calculations.create({
            currency: 'usd',
            line_items: [{ amount: 1000, reference: 'hat' }],
            customer_details: {
              address: { line1: '1 Main St', state: 'TX', postal_code: '73301', country: 'US' },
              address_source: 'billing',
            },
          })
        ).tax_breakdown[0]!.taxability_reason;
      expect(await reason()).toBe('not_collecting');
      now += 86_400;
      expect((await timed.stripe.tax.registrations.retrieve(texas.id)).status).toBe('active');
      expect(await reason()).toBe('standard_rated');
      await timed.stripe.tax.registrations.update(texas.id, { expires_at: 'now' });
      expect((await timed.stripe.tax.registrations.retrieve(texas.id)).status).toBe('expired');
      expect(
        (await timed.stripe.tax.registrations.list({ status: 'expired' })).data.map((r) => r.id),
      ).toEqual([texas.id]);
      expect((await timed.stripe.tax.registrations.list({ status: 'active' })).data).toEqual([]);
      expect(await reason()).toBe('not_collecting');
    } finally {
      await timed.close();
    }
  });
});

describe('A calculation expires', () => {
  it('90 days on, and cannot be recorded as a transaction after that', async () => {
    let now = Math.floor(Date.UTC(2026, 11, 4, 12) / 1000);
    const timed = await startEmulatorHarness({ clock: () => now });
    try {
      const calculation = await timed.stripe.tax.calculations.create({
        currency: 'usd',
        line_items: [{ amount: 1000, reference: 'mug' }],
        customer_details: { address: newYork, address_source: 'shipping' },
      });
      expect(calculation.expires_at).toBe(now + 90 * 86_400);
      now = calculation.expires_at!;
      await expect(
        timed.stripe.tax.transactions.createFromCalculation({
          calculation: calculation.id!,
          reference: 'late',
        }),
      ).rejects.toMatchObject({ statusCode: 400, param: 'calculation' });
    } finally {
      await timed.close();
    }
  });
});

describe('Tax transaction reversals', () => {
  it('take negative amounts, and never more than a line recorded', async () => {
    const calculation = await calculate({ address: newYork, address_source: 'shipping' });
    const recorded = await stripe.tax.transactions.createFromCalculation({
      calculation: calculation.id!,
      reference: 'order-ny-2',
    });
    const [line] = (await stripe.tax.transactions.listLineItems(recorded.id)).data;
    const partial = (reference: string, amount: number, amount_tax: number) =>
      stripe.tax.transactions.createReversal({
        original_transaction: recorded.id,
        reference,
        mode: 'partial',
        line_items: [{ original_line_item: line!.id, reference: 'desk', amount, amount_tax }],
      });
    await expect(partial('refund-positive', 5000, 200)).rejects.toMatchObject({
      statusCode: 400,
      param: 'line_items[0][amount]',
    });
    expect((await partial('refund-half', -5000, -200)).type).toBe('reversal');
    // Half of the desk is left: reversing 6000 more is refused, and so is reversing it all again.
    await expect(partial('refund-too-much', -6000, -240)).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      stripe.tax.transactions.createReversal({
        original_transaction: recorded.id,
        reference: 'refund-all',
        mode: 'full',
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'mode' });
    expect((await partial('refund-rest', -5000, -200)).type).toBe('reversal');
  });
});

describe('Automatic tax on invoices and subscriptions', () => {
  /** A customer in New York (registered above), or with no address at all. */
  const customer = (address?: Stripe.AddressParam) =>
    stripe.customers.create({ email: 'tax@example.com', ...(address ? { address } : {}) });

  /** A draft invoice taxed automatically, with a $100 item (of an inclusive price when asked). */
  async function taxedInvoice(of: Stripe.Customer, behavior: 'exclusive' | 'inclusive' = 'exclusive') {
    const invoice = await stripe.invoices.create({ customer: of.id, automatic_tax: { enabled: true } });
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 10_000,
      tax_behavior: behavior,
      product_data: { name: 'Desk' },
    });
    await stripe.invoiceItems.create({ customer: of.id, invoice: invoice.id, price: price.id });
    return invoice;
  }

  it('an invoice for a placed customer is taxed at their rate, under a rate Stripe Tax makes', async () => {
    const invoice = await taxedInvoice(await customer(newYork));
    expect(invoice.automatic_tax).toEqual({ enabled: true, liability: { type: 'self' }, status: 'complete' });
    const final = await stripe.invoices.finalizeInvoice(invoice.id, {
      expand: ['total_tax_amounts.tax_rate'],
    });
    expect(final).toMatchObject({ subtotal: 10_000, tax: 400, total: 10_400, amount_due: 10_400 });
    const [owed] = final.total_tax_amounts;
    expect(owed).toMatchObject({
      amount: 400,
      inclusive: false,
      taxability_reason: 'standard_rated',
      taxable_amount: 10_000,
    });
    expect(owed!.tax_rate).toMatchObject({
      percentage: 4,
      country: 'US',
      state: 'NY',
      jurisdiction: 'NY',
      tax_type: 'sales_tax',
      inclusive: false,
    });
    expect((final.lines.data[0]!.tax_amounts ?? []).map((t) => [t.amount, t.taxability_reason])).toEqual([
      [400, 'standard_rated'],
    ]);
  });

  it('an inclusive price holds its tax; an unregistered state is not collected in', async () => {
    const inclusive = await stripe.invoices.finalizeInvoice(
      (await taxedInvoice(await customer(newYork), 'inclusive')).id,
    );
    expect(inclusive).toMatchObject({ total: 10_000, tax: 385, total_excluding_tax: 9615 });
    const oregon = await customer({
      line1: '1 Main St',
      city: 'Portland',
      state: 'OR',
      postal_code: '97201',
      country: 'US',
    });
    const untaxed = await stripe.invoices.finalizeInvoice((await taxedInvoice(oregon)).id);
    expect(untaxed).toMatchObject({ total: 10_000, tax: 0 });
    expect(untaxed.total_tax_amounts.map((t) => [t.amount, t.taxability_reason])).toEqual([
      [0, 'not_collecting'],
    ]);
  });

  it('an item of an invoice taxed automatically takes no tax rates of its own', async () => {
    const buyer = await customer(newYork);
    const invoice = await taxedInvoice(buyer);
    const rate = await stripe.taxRates.create({ display_name: 'Local', percentage: 5, inclusive: false });
    await expect(
      stripe.invoiceItems.create({
        customer: buyer.id,
        invoice: invoice.id,
        amount: 500,
        currency: 'usd',
        tax_rates: [rate.id],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'tax_rates' });
    const [item] = (await stripe.invoiceItems.list({ invoice: invoice.id })).data;
    await expect(stripe.invoiceItems.update(item!.id, { tax_rates: [rate.id] })).rejects.toMatchObject({
      statusCode: 400,
      param: 'tax_rates',
    });
  });

  it("an EU business's invoice shows its VAT id and is reverse-charged", async () => {
    const business = await stripe.customers.create({
      address: berlin,
      tax_id_data: [{ type: 'eu_vat', value: 'DE123456789' }],
    });
    const final = await stripe.invoices.finalizeInvoice((await taxedInvoice(business)).id);
    expect(final.customer_tax_ids).toEqual([{ type: 'eu_vat', value: 'DE123456789' }]);
    expect(final).toMatchObject({ tax: 0, total: 10_000 });
    expect(final.total_tax_amounts.map((t) => [t.amount, t.taxability_reason])).toEqual([
      [0, 'reverse_charge'],
    ]);
  });

  it('an invoice for a customer without an address requires location inputs and cannot be finalized', async () => {
    const nowhere = await customer();
    const invoice = await taxedInvoice(nowhere);
    expect((await stripe.invoices.retrieve(invoice.id)).automatic_tax.status).toBe(
      'requires_location_inputs',
    );
    await expect(stripe.invoices.finalizeInvoice(invoice.id)).rejects.toMatchObject({
      statusCode: 400,
      code: 'customer_tax_location_invalid',
    });
    // Once the address places the customer, the draft is taxed and finalizes.
    await stripe.customers.update(nowhere.id, { address: newYork });
    expect(await stripe.invoices.finalizeInvoice(invoice.id)).toMatchObject({
      status: 'open',
      tax: 400,
      automatic_tax: { status: 'complete' },
    });
  });

  it("a subscription's invoices are taxed automatically, for a customer it can place only", async () => {
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 2000,
      recurring: { interval: 'month' },
      product_data: { name: 'Plan' },
    });
    const subscriber = await customer(newYork);
    const subscription = await stripe.subscriptions.create({
      customer: subscriber.id,
      items: [{ price: price.id }],
      automatic_tax: { enabled: true },
      collection_method: 'send_invoice',
      days_until_due: 30,
      expand: ['latest_invoice'],
    });
    expect(subscription.automatic_tax).toEqual({ enabled: true, liability: { type: 'self' } });
    expect(subscription.latest_invoice).toMatchObject({
      automatic_tax: { enabled: true, status: 'complete' },
      tax: 80,
      total: 2080,
    });
    // Its next invoice previews the tax, as does a new subscription's previewed with automatic tax.
    const next = await stripe.invoices.retrieveUpcoming({ subscription: subscription.id });
    expect(next).toMatchObject({
      automatic_tax: { enabled: true, status: 'complete' },
      tax: 80,
      total: 2080,
    });
    const estimate = await stripe.invoices.retrieveUpcoming({
      customer: subscriber.id,
      subscription_items: [{ price: price.id, quantity: 2 }],
      automatic_tax: { enabled: true },
    });
    expect(estimate).toMatchObject({ tax: 160, total: 4160 });
    expect(estimate.total_tax_amounts.map((t) => [t.amount, t.taxability_reason])).toEqual([
      [160, 'standard_rated'],
    ]);
    await expect(
      stripe.subscriptions.create({
        customer: (await customer()).id,
        items: [{ price: price.id }],
        automatic_tax: { enabled: true },
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'customer_tax_location_invalid' });
  });
});

describe('Automatic tax on quotes', () => {
  it("a quote's totals carry the tax, and what its acceptance bills is taxed", async () => {
    const buyer = await stripe.customers.create({ address: newYork });
    const [setup, monthly] = await Promise.all([
      stripe.prices.create({ currency: 'usd', unit_amount: 10_000, product_data: { name: 'Setup' } }),
      stripe.prices.create({
        currency: 'usd',
        unit_amount: 2000,
        recurring: { interval: 'month' },
        product_data: { name: 'Plan' },
      }),
    ]);
    const quote = await stripe.quotes.create({
      customer: buyer.id,
      collection_method: 'send_invoice',
      line_items: [
        { price: setup.id, quantity: 1 },
        { price: monthly.id, quantity: 1 },
      ],
      automatic_tax: { enabled: true },
    });
    expect(quote).toMatchObject({
      automatic_tax: { enabled: true, status: 'complete' },
      amount_subtotal: 12_000,
      amount_total: 12_480,
      total_details: { amount_tax: 480 },
      computed: {
        upfront: { amount_total: 12_480, total_details: { amount_tax: 480 } },
        recurring: { amount_total: 2080, total_details: { amount_tax: 80 } },
      },
    });
    await stripe.quotes.finalizeQuote(quote.id);
    const accepted = await stripe.quotes.accept(quote.id, { expand: ['subscription.latest_invoice'] });
    const subscription = accepted.subscription as Stripe.Subscription;
    expect(subscription.automatic_tax.enabled).toBe(true);
    expect(subscription.latest_invoice).toMatchObject({ tax: 480, total: 12_480 });
  });
});

describe('Automatic tax in Checkout', () => {
  /** A payment session of one $100 line, taxed automatically, with `extra` parameters. */
  const session = async (extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) =>
    stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://example.com/done',
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: 10_000, product_data: { name: 'Lamp' } },
          quantity: 1,
        },
      ],
      automatic_tax: { enabled: true },
      ...extra,
    });

  /** Pays a session's hosted page with the test card (and a billing address, when given). */
  async function pay(url: string, address: Record<string, string> = {}): Promise<void> {
    const form = new URLSearchParams([['card', '4242 4242 4242 4242'], ...Object.entries(address)]);
    expect((await h.emulator.fetch(new Request(url, { method: 'POST', body: form }))).status).toBeLessThan(
      400,
    );
  }

  it("a placed customer's session is taxed, and its payment charges the tax", async () => {
    const buyer = await stripe.customers.create({ address: newYork });
    const taxed = await session({ customer: buyer.id });
    expect(taxed).toMatchObject({
      automatic_tax: { enabled: true, liability: { type: 'self' }, status: 'complete' },
      amount_subtotal: 10_000,
      amount_total: 10_400,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 400 },
    });
    const [line] = (await stripe.checkout.sessions.listLineItems(taxed.id)).data;
    expect(line).toMatchObject({ amount_subtotal: 10_000, amount_tax: 400, amount_total: 10_400 });
    expect(line!.taxes?.map((t) => [t.amount, t.taxability_reason, t.rate.percentage])).toEqual([
      [400, 'standard_rated', 4],
    ]);
    await pay(taxed.url!);
    const paid = await stripe.checkout.sessions.retrieve(taxed.id, { expand: ['payment_intent'] });
    expect(paid.payment_intent).toMatchObject({ status: 'succeeded', amount: 10_400 });
  });

  it('a guest session waits for the address entered on the page, then charges its tax', async () => {
    const guest = await session();
    expect(guest).toMatchObject({
      automatic_tax: { enabled: true, status: 'requires_location_inputs' },
      amount_total: 10_000,
      total_details: { amount_tax: 0 },
    });
    const page = await (await h.emulator.fetch(new Request(guest.url!))).text();
    expect(page).toContain('name="postal_code"');
    await pay(guest.url!, {
      line1: '350 5th Ave',
      city: 'New York',
      state: 'NY',
      postal_code: '10118',
      country: 'US',
    });
    const paid = await stripe.checkout.sessions.retrieve(guest.id, { expand: ['payment_intent'] });
    expect(paid).toMatchObject({
      status: 'complete',
      automatic_tax: { status: 'complete' },
      amount_total: 10_400,
      total_details: { amount_tax: 400 },
      customer_details: { address: { state: 'NY', postal_code: '10118' } },
      payment_intent: { amount: 10_400, status: 'succeeded' },
    });
  });

  it("a customer's subscription session saves the address entered, and taxes the subscription", async () => {
    const nowhere = await stripe.customers.create({ email: 'sub@example.com' });
    const monthly = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 2000,
      recurring: { interval: 'month' },
      product_data: { name: 'Plan' },
    });
    const subscribing = await stripe.checkout.sessions.create({
      mode: 'subscription',
      success_url: 'https://example.com/done',
      customer: nowhere.id,
      customer_update: { address: 'auto' },
      line_items: [{ price: monthly.id, quantity: 1 }],
      automatic_tax: { enabled: true },
    });
    await pay(subscribing.url!, { line1: '350 5th Ave', state: 'NY', postal_code: '10118', country: 'US' });
    expect((await stripe.customers.retrieve(nowhere.id)) as Stripe.Customer).toMatchObject({
      address: { state: 'NY', postal_code: '10118', country: 'US' },
    });
    const done = await stripe.checkout.sessions.retrieve(subscribing.id, {
      expand: ['subscription.latest_invoice'],
    });
    const subscription = done.subscription as Stripe.Subscription;
    expect(subscription.automatic_tax.enabled).toBe(true);
    expect(subscription.latest_invoice).toMatchObject({ tax: 80, total: 2080, status: 'paid' });
  });

  it("a payment link's sessions are taxed as the link is", async () => {
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 10_000,
      product_data: { name: 'Rug' },
    });
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
      automatic_tax: { enabled: true },
    });
    const opened = await h.emulator.fetch(new Request(link.url));
    const checkout = opened.headers.get('location')!;
    await pay(checkout, { line1: '350 5th Ave', state: 'NY', postal_code: '10118', country: 'US' });
    const paid = await stripe.checkout.sessions.retrieve(checkout.split('/').pop()!, {
      expand: ['payment_intent'],
    });
    expect(paid).toMatchObject({
      payment_link: link.id,
      automatic_tax: { enabled: true, status: 'complete' },
      amount_total: 10_400,
      payment_intent: { amount: 10_400 },
    });
  });

  it('an address the page cannot place is refused, and the session stays open', async () => {
    const guest = await session();
    const form = new URLSearchParams([
      ['card', '4242 4242 4242 4242'],
      ['country', 'US'],
      ['postal_code', ''],
    ]);
    const answer = await h.emulator.fetch(new Request(guest.url!, { method: 'POST', body: form }));
    expect(await answer.text()).toContain('ZIP code');
    expect((await stripe.checkout.sessions.retrieve(guest.id)).status).toBe('open');
  });

  it('a customer without an address needs Checkout to save the one entered', async () => {
    const nowhere = await stripe.customers.create({ email: 'nowhere@example.com' });
    await expect(session({ customer: nowhere.id })).rejects.toMatchObject({
      statusCode: 400,
      param: 'automatic_tax[enabled]',
    });
    const saving = await session({ customer: nowhere.id, customer_update: { address: 'auto' } });
    expect(saving.automatic_tax.status).toBe('requires_location_inputs');
  });
});

describe("A customer's tax location", () => {
  it('expanding `tax` says where Stripe Tax places the customer and whether it collects there', async () => {
    const placed = await stripe.customers.create({ address: newYork, expand: ['tax'] });
    expect(placed.tax).toEqual({
      automatic_tax: 'supported',
      ip_address: null,
      location: { country: 'US', source: 'billing_address', state: 'NY' },
    });
    const shipped = await stripe.customers.create({
      address: newYork,
      shipping: {
        name: 'Jenny',
        address: { line1: '1 Main St', postal_code: '97201', state: 'OR', country: 'US' },
      },
      tax: { ip_address: '127.0.0.1' },
      expand: ['tax'],
    });
    expect(shipped.tax).toEqual({
      automatic_tax: 'not_collecting',
      ip_address: '127.0.0.1',
      location: { country: 'US', source: 'shipping_destination', state: 'OR' },
    });
    const nowhere = await stripe.customers.create({ address: { country: 'US' } });
    expect(nowhere.tax).toBeUndefined();
    expect(
      (await stripe.customers.retrieve(nowhere.id, { expand: ['tax'] })) as Stripe.Customer,
    ).toMatchObject({
      tax: { automatic_tax: 'unrecognized_location', location: null },
    });
  });

  it('`tax[validate_location]=immediately` refuses an address Stripe Tax cannot place', async () => {
    const invalid = { statusCode: 400, code: 'customer_tax_location_invalid' };
    await expect(
      stripe.customers.create({
        address: { country: 'US', state: 'NY' },
        tax: { validate_location: 'immediately' },
      }),
    ).rejects.toMatchObject(invalid);
    const customer = await stripe.customers.create({
      address: newYork,
      tax: { validate_location: 'immediately' },
    });
    await expect(
      stripe.customers.update(customer.id, {
        address: { line1: '', postal_code: '', country: 'US' },
        tax: { validate_location: 'immediately' },
      }),
    ).rejects.toMatchObject(invalid);
    // Without the check (`deferred`, the default) such an address is kept.
    await stripe.customers.update(customer.id, { address: { postal_code: '', country: 'US' } });
  });
});
