/**
 * A charge's receipt in demo mode, behind its `receipt_url` (`GET /receipts/<ch_…>`): the amount
 * paid, the card, the date, and what was refunded, as Stripe's receipt page shows them.
 */
import type { Ctx } from '../engine/context.ts';
import { isObject } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';
import { escapeHtml, hostedUrl, html, money, notFound, type PageHandler } from './html.ts';

/** The path prefix of the receipt page. */
export const RECEIPT_PREFIX = '/receipts/';

/** A charge's `receipt_url`: the emulator's page when it serves HTTP, else like Stripe's. */
export const receiptUrl = (ctx: Ctx, id: string): string =>
  hostedUrl(ctx, `${RECEIPT_PREFIX}${id}`, `https://pay.stripe.com/receipts/emulator/${id}`);

/** The receipt of charge `rest`, on the platform or a connected account (a direct charge). */
export const receiptPage: PageHandler = (service, method, rest) => {
  if (method !== 'GET') return undefined;
  const store = service.store;
  let charge: Entry | undefined = store.platform.find(rest);
  for (const account of store.platform.all('account')) charge ??= store.scope(account.id).find(rest);
  if (charge?.resource !== 'charge') return notFound('Receipt', 'receipt');
  const data = charge.data;
  const details = isObject(data.payment_method_details) ? data.payment_method_details : {};
  const card = isObject(details.card) ? details.card : {};
  const refunded = Number(data.amount_refunded ?? 0);
  return html(
    'Receipt (Stripe emulator)',
    `<h1>Receipt</h1>
<table>
<tr><th>Amount paid</th><td>${money(data.amount_captured ?? data.amount, data.currency)}</td></tr>
<tr><th>Date paid</th><td>${escapeHtml(new Date(Number(data.created) * 1000).toISOString().slice(0, 10))}</td></tr>
<tr><th>Payment method</th><td>${escapeHtml(card.brand ?? 'card')} •••• ${escapeHtml(card.last4 ?? '')}</td></tr>
${refunded > 0 ? `<tr><th>Refunded</th><td>${money(refunded, data.currency)}</td></tr>` : ''}
</table>
<p>Charge <code>${escapeHtml(charge.id)}</code>, served by the Stripe emulator.</p>`,
  );
};
