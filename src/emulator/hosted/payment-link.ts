/**
 * A Payment Link in demo mode, behind its `url` (`GET /buy/<plink_…>`): as Stripe's buy page does,
 * opening it starts a Checkout Session for the link's line items (`payment_link` naming the link)
 * and goes to the emulator's Checkout page, where Stripe's test card completes it. After payment
 * Checkout goes where the link says (`after_completion.redirect.url`), else to its own landing page.
 * A deactivated link (by hand, or by reaching its `restrictions.completed_sessions.limit`) shows
 * its `inactive_message` instead.
 */
import type { Ctx } from '../engine/context.ts';
import type { EmulatorHandle } from '../engine/handle.ts';
import type { JsonObject } from '../engine/json.ts';
import { escapeHtml, type HostedPage, hostedUrl, html, notFound, redirect } from './html.ts';

/** The path prefix of the Payment Link page. */
export const PAYMENT_LINK_PREFIX = '/buy/';

/** A Payment Link's `url`: the emulator's page when it serves HTTP, else like Stripe's. */
export function paymentLinkUrl(ctx: Ctx, id: string): string {
  // The same draw either way, so that later ids do not depend on a listening server.
  const token = ctx.random.string(14);
  return hostedUrl(ctx, `${PAYMENT_LINK_PREFIX}${id}`, `https://buy.stripe.com/test_${token}`);
}

/** The Payment Link page for `method rest` (the path after `/buy/`), or undefined. */
export function paymentLinkPage(
  service: EmulatorHandle,
  method: string,
  rest: string,
): HostedPage | undefined {
  if (method !== 'GET') return undefined;
  const entry = service.store.platform.find(rest);
  if (entry?.resource !== 'payment_link') return notFound('Payment Link', 'payment link');
  // A deactivated link's page says so, in the link's own words (`inactive_message`) when it has them.
  if (entry.data.active === false) {
    const message = typeof entry.data.inactive_message === 'string' ? entry.data.inactive_message : '';
    return html(
      'Payment Link (Stripe emulator)',
      `<h1>${escapeHtml(message || 'This link is no longer active')}</h1>`,
      410,
    );
  }
  let session: JsonObject;
  try {
    // The link's `open` rule (src/emulator/rules/checkout.ts): a Checkout Session of its items.
    session = service.transaction((ctx) =>
      ctx.ops.runAction(ctx, ctx.require(entry.id, ['payment_link']), 'open', {}),
    ).data;
  } catch (error) {
    return html(
      'Payment Link (Stripe emulator)',
      `<p class="error">${escapeHtml((error as Error).message)}</p>`,
      400,
    );
  }
  return redirect(String(session.url));
}
