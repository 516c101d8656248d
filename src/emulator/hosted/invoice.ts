/**
 * The hosted invoice page in demo mode, behind an invoice's `hosted_invoice_url`
 * (`GET /invoice/<in_…>`): the invoice's number, lines and amount due, and, while it is open, a card
 * form filled with Stripe's test card; submitting it pays the invoice with that card (as
 * `POST /v1/invoices/{invoice}/pay` does) and shows it paid.
 */
import type { Ctx } from '../engine/context.ts';
import type { EmulatorHandle } from '../engine/handle.ts';
import type { JsonObject } from '../engine/json.ts';
import { escapeHtml, field, form, type HostedPage, html, money, notFound, type PageHandler } from './html.ts';
import { TEST_CARDS } from './test-cards.ts';

/** The path prefix of the hosted invoice page. */
export const INVOICE_PREFIX = '/invoice/';

/** An invoice's `hosted_invoice_url`: the emulator's page when it serves HTTP, else like Stripe's. */
export const invoicePageUrl = (ctx: Ctx, id: string): string =>
  ctx.publicUrl ? `${ctx.publicUrl}${INVOICE_PREFIX}${id}` : `https://invoice.stripe.com/i/emulator/${id}`;

function invoicePage(service: EmulatorHandle, invoice: JsonObject, notice?: string): HostedPage {
  const id = String(invoice.id);
  const lines = service.call('GET', `/v1/invoices/${id}/lines`, { limit: 100 }).data as JsonObject[];
  const rows = lines
    .map((l) => `<tr><td>${escapeHtml(l.description)}</td><td>${money(l.amount, l.currency)}</td></tr>`)
    .join('');
  const pay =
    invoice.status === 'open'
      ? form(
          `${INVOICE_PREFIX}${id}`,
          field('Card number', 'card', '4242 4242 4242 4242'),
          `Pay ${money(invoice.amount_due, invoice.currency)}`,
        )
      : `<p>This invoice is <strong>${escapeHtml(invoice.status)}</strong>.</p>`;
  return html(
    'Invoice (Stripe emulator)',
    `<h1>Invoice ${escapeHtml(invoice.number ?? id)}</h1>
${notice ? `<p class="error">${escapeHtml(notice)}</p>` : ''}
<table>${rows}<tr><th>Amount due</th><th>${money(invoice.amount_due, invoice.currency)}</th></tr></table>
${pay}`,
  );
}

/** The invoice page for `method rest` (the path after `/invoice/`), or undefined. */
export const hostedInvoicePage: PageHandler = (service, method, rest, input) => {
  const entry = service.store.platform.find(rest);
  if (entry?.resource !== 'invoice' || entry.data.status === 'draft') return notFound('Invoice', 'invoice');
  const invoice = service.call('GET', `/v1/invoices/${entry.id}`);
  if (method === 'GET') return invoicePage(service, invoice);
  if (method !== 'POST') return undefined;
  const card = TEST_CARDS[(input.get('card') ?? '').replace(/\s/g, '')];
  if (!card)
    return invoicePage(service, invoice, 'Use one of Stripe’s test cards, such as 4242 4242 4242 4242.');
  try {
    // The test card as a payment method of its own (Stripe's magic id, read, makes one).
    const method = String(service.call('GET', `/v1/payment_methods/${card}`).id);
    const paid = service.call('POST', `/v1/invoices/${entry.id}/pay`, { payment_method: method });
    return invoicePage(service, paid);
  } catch (error) {
    return invoicePage(service, service.call('GET', `/v1/invoices/${entry.id}`), (error as Error).message);
  }
};
