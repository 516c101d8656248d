/**
 * A one-page PDF of text lines (PDF 1.4, the standard Helvetica font, no compression), for the
 * documents the emulator serves (an invoice's `invoice_pdf`). Text is kept to printable ASCII, so
 * the file is ASCII and its cross-reference offsets are character offsets. No PDF library is among
 * the dependencies and this needs none of one's features: a page of lines is a few objects.
 */

import type { HostedPage } from './html.ts';

/** US Letter, in points; text starts an inch from the top left and runs down. */
const PAGE = { width: 612, height: 792, margin: 72, leading: 16, size: 11 };
/** The lines that fit on the page. */
export const PDF_MAX_LINES = Math.floor((PAGE.height - 2 * PAGE.margin) / PAGE.leading);

/** A PDF string literal: printable ASCII, with `\`, `(` and `)` escaped. */
const literal = (text: string) =>
  `(${text
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, (c) => (/\p{M}/u.test(c) ? '' : '?'))
    .replace(/[\\()]/g, (c) => `\\${c}`)})`;

/** The PDF's bytes: `lines` from the top of one page (those past `PDF_MAX_LINES` are left out). */
export function textPdf(title: string, lines: readonly string[]): Buffer {
  const text = lines
    .slice(0, PDF_MAX_LINES)
    .map((line) => `${literal(line)} Tj T*`)
    .join('\n');
  const stream = `BT /F1 ${PAGE.size} Tf ${PAGE.leading} TL ${PAGE.margin} ${PAGE.height - PAGE.margin} Td\n${text}\nET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    `<< /Title ${literal(title)} /Producer (Stripe emulator) >>`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n\r\n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A PDF as a hosted page: `application/pdf`, shown inline, saved as `<name>.pdf`. */
export function pdfDocument(name: string, title: string, lines: readonly string[]): HostedPage {
  return {
    status: 200,
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${name.replace(/[^\w.-]/g, '_')}.pdf"`,
    },
    body: textPdf(title, lines),
  };
}

/**
 * A document's lines: `head`, a blank line, `items` (as many as the page holds, then how many more),
 * a blank line, `foot`.
 */
export function documentLines(head: readonly string[], items: readonly string[], foot: readonly string[]) {
  const room = PDF_MAX_LINES - head.length - foot.length - 3;
  const shown =
    items.length > room + 1 ? [...items.slice(0, room), `(${items.length - room} more lines)`] : items;
  return [...head, '', ...shown, '', ...foot];
}
