/**
 * Collecting an invoice: which invoices can be paid, and what a new invoice collects.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
afterAll(() => h.close());

/** A finalized invoice of `amount` for a new customer paying with `source`. */
async function openInvoice(amount: number, source = 'tok_visa') {
  const customer = await stripe.customers.create({ source });
  const invoice = await stripe.invoices.create({ customer: customer.id });
  await stripe.invoiceItems.create({ customer: customer.id, amount, currency: 'usd', invoice: invoice.id });
  return { customer, invoice: await stripe.invoices.finalizeInvoice(invoice.id) };
}

describe('an uncollectible invoice', () => {
  it('can still be paid', async () => {
    const { invoice } = await openInvoice(1500);
    await stripe.invoices.markUncollectible(invoice.id);
    const paid = await stripe.invoices.pay(invoice.id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 1500, amount_remaining: 0 });
    expect(paid.status_transitions.marked_uncollectible_at).toEqual(expect.any(Number));
  });

  it('can be paid out of band', async () => {
    const { invoice } = await openInvoice(1500);
    await stripe.invoices.markUncollectible(invoice.id);
    const paid = await stripe.invoices.pay(invoice.id, { paid_out_of_band: true });
    expect(paid).toMatchObject({ status: 'paid', paid_out_of_band: true });
  });

  it('a void one cannot', async () => {
    const { invoice } = await openInvoice(1500);
    await stripe.invoices.voidInvoice(invoice.id);
    await expect(stripe.invoices.pay(invoice.id)).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('invoices.pay', () => {
  it('is an error when the customer has nothing to pay with, and the invoice stays open', async () => {
    const customer = await stripe.customers.create({});
    const draft = await stripe.invoices.create({ customer: customer.id });
    await stripe.invoiceItems.create({
      customer: customer.id,
      amount: 900,
      currency: 'usd',
      invoice: draft.id,
    });
    const invoice = await stripe.invoices.finalizeInvoice(draft.id);
    await expect(stripe.invoices.pay(invoice.id)).rejects.toMatchObject({ statusCode: 400 });
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({ status: 'open', paid: false });
  });

  it('does not fall back from a payment_method that does not exist', async () => {
    const { customer, invoice } = await openInvoice(1500);
    await expect(stripe.invoices.pay(invoice.id, { payment_method: 'pm_nonexistent' })).rejects.toMatchObject(
      {
        statusCode: 400,
        code: 'resource_missing',
        param: 'payment_method',
      },
    );
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({ status: 'open', paid: false });
    expect((await stripe.charges.list({ customer: customer.id })).data).toEqual([]);
  });
});

describe('a new invoice', () => {
  it('leaves the customer’s pending items pending unless asked to include them', async () => {
    const customer = await stripe.customers.create({});
    const item = await stripe.invoiceItems.create({ customer: customer.id, amount: 500, currency: 'usd' });
    const plain = await stripe.invoices.create({ customer: customer.id });
    expect(plain).toMatchObject({ total: 0, lines: { data: [] } });
    expect((await stripe.invoiceItems.retrieve(item.id)).invoice).toBeNull();
    const including = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    expect(including.total).toBe(500);
    expect(including.lines.data.map((l) => l.invoice_item)).toEqual([item.id]);
  });
});
