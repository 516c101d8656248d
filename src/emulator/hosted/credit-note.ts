/**
 * A credit note's PDF in demo mode, behind its `pdf` (`GET /credit_notes/<cn_…>/pdf`): its number,
 * the invoice it credits, its lines and total, on one page (./pdf.ts).
 */
import type { Ctx } from '../engine/context.ts';
import type { JsonObject } from '../engine/json.ts';
import { hostedUrl, money, notFound, type PageHandler } from './html.ts';
import { documentLines, pdfDocument } from './pdf.ts';

/** The path prefix of credit notes' documents. */
export const CREDIT_NOTE_PREFIX = '/credit_notes/';

/** A credit note's `pdf`: the emulator's when it serves HTTP, else like Stripe's. */
export const creditNotePdfUrl = (ctx: Ctx, id: string): string =>
  hostedUrl(ctx, `${CREDIT_NOTE_PREFIX}${id}/pdf`, `https://pay.stripe.com/credit_notes/emulator/${id}/pdf`);

/** The PDF of credit note `<id>/pdf`. */
export const creditNotePage: PageHandler = (service, method, rest) => {
  const [id, document] = rest.split('/', 2);
  const entry = id ? service.store.platform.find(id) : undefined;
  if (entry?.resource !== 'credit_note' || document !== 'pdf') return notFound('Credit note', 'credit note');
  if (method !== 'GET') return undefined;
  const note = entry.data;
  const lines = service.call('GET', `/v1/credit_notes/${entry.id}/lines`, { limit: 100 })
    .data as JsonObject[];
  const invoice =
    typeof note.invoice === 'string' ? service.store.platform.find(note.invoice)?.data : undefined;
  const title = `Credit note ${String(note.number ?? entry.id)}`;
  const amount = (value: unknown) => money(value, note.currency);
  return pdfDocument(
    String(note.number ?? entry.id),
    title,
    documentLines(
      [
        title,
        `Credit note id: ${entry.id}`,
        `Credits invoice: ${String(invoice?.number ?? note.invoice ?? '')}`,
        `Status: ${String(note.status)}`,
      ],
      lines.map((l) => `${String(l.description ?? '')}  ${amount(l.amount)}`),
      [`Subtotal: ${amount(note.subtotal)}`, `Total credited: ${amount(note.total)}`],
    ),
  );
};
