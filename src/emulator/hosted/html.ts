/** The small HTML pages the emulator serves for hosted flows (src/emulator/hosted/index.ts). */

import type { Ctx } from '../engine/context.ts';
import type { EmulatorHandle } from '../engine/handle.ts';

/** A hosted page's handler: the page for `method rest` (the path after its prefix), or undefined. */
export type PageHandler = (
  service: EmulatorHandle,
  method: string,
  rest: string,
  form: URLSearchParams,
) => HostedPage | undefined;

/**
 * A hosted page's URL, as an object names it (`receipt_url`, `hosted_invoice_url`, a file link's
 * `url`): the emulator's page at `path` when it serves HTTP, else `elsewhere` (like Stripe's).
 */
export const hostedUrl = <T extends string | undefined>(ctx: Ctx, path: string, elsewhere: T): string | T =>
  ctx.publicUrl ? `${ctx.publicUrl}${path}` : elsewhere;

/** The emulator's clock, for a page that compares against it (expiries, acceptance dates). */
export const nowOf = (service: EmulatorHandle): number => service.transaction((ctx) => ctx.now);

export interface HostedPage {
  status: number;
  headers: Record<string, string>;
  /** HTML, or a document's bytes (a PDF) */
  body: string | Buffer;
}

export const escapeHtml = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page: `body` is HTML already escaped by the caller. */
export const html = (title: string, body: string, status = 200): HostedPage => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:16px system-ui;max-width:32rem;margin:3rem auto}label{display:block;margin:.8rem 0}
input,select{width:100%;padding:.4rem}button{padding:.6rem 1.2rem;margin-top:1rem}.error{color:#b00}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem;border-bottom:1px solid #ddd}</style>
</head><body>${body}</body></html>`,
});

/** A 303 to `location` (after a form is submitted). */
export const redirect = (location: string): HostedPage => ({
  status: 303,
  headers: { location, 'content-type': 'text/plain' },
  body: '',
});

export const notFound = (title: string, what: string) =>
  html(title, `<h1>No such ${escapeHtml(what)}</h1>`, 404);

export const money = (amount: unknown, currency: unknown) =>
  `${(Number(amount ?? 0) / 100).toFixed(2)} ${String(currency ?? 'usd').toUpperCase()}`;

/** A labelled text input. */
export const field = (label: string, name: string, value: unknown, type = 'text') =>
  `<label>${escapeHtml(label)} <input name="${escapeHtml(name)}" type="${type}" value="${escapeHtml(value)}"></label>`;

/** A form posting to `action` with `fields` and one submit button. */
export const form = (action: string, fields: string, button: string) =>
  `<form method="post" action="${escapeHtml(action)}">
${fields}
<button type="submit">${escapeHtml(button)}</button>
</form>`;
