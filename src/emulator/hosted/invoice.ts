/**
 * The hosted invoice page in demo mode, behind an invoice's `hosted_invoice_url`
 * (`GET /invoice/<in_…>`): the invoice's number, lines and amount due, and, while it is open, a card
 * form filled with Stripe's test card; submitting it pays the invoice with that card (as
 * `POST /v1/invoices/{invoice}/pay` does) and shows it paid. Its `invoice_pdf`
 * (`GET /invoice/<in_…>/pdf`) is a one-page PDF of the same (./pdf.ts).
 */
import type { Ctx } from '../engine/context.ts';
import type { EmulatorHandle } from '../engine/handle.ts';
import type { JsonObject } from '../engine/json.ts';
import {
  escapeHtml,
  field,
  form,
  type HostedPage,
  hostedUrl,
  html,
  money,
  notFound,
  type PageHandler,
} from './html.ts';
import { documentLines, pdfDocument } from './pdf.ts';
import { TEST_CARDS } from './test-cards.ts';

/** The path prefix of the hosted invoice page. */
export const INVOICE_PREFIX = '/invoice/';

/** An invoice's `hosted_invoice_url`: the emulator's page when it serves HTTP, else like Stripe's. */
export const invoicePageUrl = (ctx: Ctx, id: string): string =>
  hostedUrl(ctx, `${INVOICE_PREFIX}${id}`, `https://invoice.stripe.com/i/emulator/${id}`);

/** An invoice's `invoice_pdf`: the emulator's PDF (`/invoice/<in_…>/pdf`), else like Stripe's. */
export const invoicePdfUrl = (ctx: Ctx, id: string): string =>
  hostedUrl(ctx, `${INVOICE_PREFIX}${id}/pdf`, `https://pay.stripe.com/invoice/emulator/${id}/pdf`);

/** The invoice's lines (up to what one page of the PDF holds). */
const linesOf = (service: EmulatorHandle, id: string) =>
  service.call('GET', `/v1/invoices/${id}/lines`, { limit: 100 }).data as JsonObject[];

/** The invoice as a one-page PDF: its number, customer, lines and totals. */
function invoicePdf(service: EmulatorHandle, invoice: JsonObject): HostedPage {
  const id = String(invoice.id);
  const title = `Invoice ${String(invoice.number ?? id)}`;
  const amount = (value: unknown) => money(value, invoice.currency);
  return pdfDocument(
    String(invoice.number ?? id),
    title,
    documentLines(
      [
        title,
        `Invoice id: ${id}`,
        `Bill to: ${String(invoice.customer_name ?? invoice.customer_email ?? invoice.customer ?? '')}`,
        `Status: ${String(invoice.status)}`,
      ],
      linesOf(service, id).map((l) => `${String(l.description ?? '')}  ${amount(l.amount)}`),
      [
        `Subtotal: ${amount(invoice.subtotal)}`,
        `Total: ${amount(invoice.total)}`,
        `Amount paid: ${amount(invoice.amount_paid)}`,
        `Amount due: ${amount(invoice.amount_due)}`,
      ],
    ),
  );
}

function invoicePage(service: EmulatorHandle, invoice: JsonObject, notice?: string): HostedPage {
  const id = String(invoice.id);
  const rows = linesOf(service, id)
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

/**
 * The invoice page for `method rest` (the path after `/invoice/`), its PDF for `<in_…>/pdf`, or
 * undefined.
 */
export const hostedInvoicePage: PageHandler = (service, method, rest, input) => {
  const [invoiceId, document] = rest.split('/', 2) as [string, string | undefined];
  const entry = service.store.platform.find(invoiceId);
  if (entry?.resource !== 'invoice' || entry.data.status === 'draft' || (document && document !== 'pdf'))
    return notFound('Invoice', 'invoice');
  const invoice = service.call('GET', `/v1/invoices/${entry.id}`);
  if (document === 'pdf') return method === 'GET' ? invoicePdf(service, invoice) : undefined;
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
