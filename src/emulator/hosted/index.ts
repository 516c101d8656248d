/**
 * Hosted pages the emulator serves itself, so the links of hosted flows lead somewhere in demo mode
 * (each is a small HTML page that completes its flow with Stripe's test values, so a person can click
 * through from GraphiQL and see the objects change):
 *
 * - Checkout (`/pay/<session>`, a Checkout Session's `url`): the session's total and a card form
 *   filled with Stripe's test card; submitting it pays the session as Checkout does (a PaymentIntent
 *   confirmed with the test card, the session `complete` and `paid`, the customer's details) and
 *   redirects to `success_url`. `/pay/success` is a landing page for sessions whose `success_url`
 *   points back here.
 * - The customer portal (`/portal/<session>`, src/emulator/hosted/portal.ts).
 * - Connect onboarding and the Express dashboard (`/connect/…`, account links and login links,
 *   src/emulator/hosted/connect.ts).
 * - Financial Connections' authentication flow (`/financial-connections/<client_secret>`,
 *   src/emulator/hosted/financial.ts).
 * - A Payment Link (`/buy/<link>`, src/emulator/hosted/payment-link.ts): a Checkout Session for its
 *   items, on the Checkout page.
 * - The hosted invoice page (`/invoice/<invoice>`, src/emulator/hosted/invoice.ts): pay it by card.
 * - A charge's receipt (`/receipts/<charge>`, src/emulator/hosted/receipt.ts).
 * - Documents: an invoice's PDF (`/invoice/<invoice>/pdf`) and a credit note's
 *   (`/credit_notes/<credit note>/pdf`, src/emulator/hosted/credit-note.ts).
 * - A file link (`/links/<token>`, src/emulator/hosted/file-link.ts): the linked file's contents.
 *
 * When the emulator runs without its HTTP server (in-process) the links look like Stripe's.
 */
import type { Ctx } from '../engine/context.ts';
import type { EmulatorHandle } from '../engine/handle.ts';
import { isObject, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import { ACCOUNT_LINK_TTL, CONNECT_PREFIX, connectLink, connectPage } from './connect.ts';
import { CREDIT_NOTE_PREFIX, creditNotePage } from './credit-note.ts';
import { FILE_LINK_PREFIX, fileLinkPage } from './file-link.ts';
import {
  FINANCIAL_CONNECTIONS_PREFIX,
  financialConnectionsPage,
  financialConnectionsRules,
} from './financial.ts';
import { escapeHtml, type HostedPage, html, money, type PageHandler, redirect } from './html.ts';
import { IDENTITY_PREFIX, identityPage, identityPageUrl } from './identity.ts';
import { hostedInvoicePage, INVOICE_PREFIX } from './invoice.ts';
import { PAYMENT_LINK_PREFIX, paymentLinkPage } from './payment-link.ts';
import { defaultPortalConfiguration, PORTAL_PREFIX, portalFlow, portalLink, portalPage } from './portal.ts';
import { RECEIPT_PREFIX, receiptPage } from './receipt.ts';
import { TEST_CARDS } from './test-cards.ts';

/** The path prefix of the Checkout page. */
export const HOSTED_PREFIX = '/pay/';

/** The hosted pages by path prefix. */
const PAGES: readonly (readonly [string, PageHandler])[] = [
  [HOSTED_PREFIX, checkoutPage],
  [PORTAL_PREFIX, portalPage],
  [CONNECT_PREFIX, connectPage],
  [FINANCIAL_CONNECTIONS_PREFIX, financialConnectionsPage],
  [IDENTITY_PREFIX, identityPage],
  [PAYMENT_LINK_PREFIX, paymentLinkPage],
  [INVOICE_PREFIX, hostedInvoicePage],
  [RECEIPT_PREFIX, receiptPage],
  [CREDIT_NOTE_PREFIX, creditNotePage],
  [FILE_LINK_PREFIX, fileLinkPage],
];

/** Whether `url` (a path, with or without a query) names a hosted page. */
export const isHostedPath = (url: string): boolean => PAGES.some(([prefix]) => url.startsWith(prefix));

/** Whether a session taxed automatically still needs the customer's address to tax them. */
const needsAddress = (session: JsonObject): boolean =>
  isObject(session.automatic_tax) && session.automatic_tax.status === 'requires_location_inputs';

/** The billing address fields Checkout asks for when tax depends on them. */
const ADDRESS_FIELDS = `<fieldset><legend>Billing address</legend>
<label>Address <input name="line1" value="1 Main St"></label>
<label>City <input name="city" value="San Francisco"></label>
<label>State <input name="state" value="CA"></label>
<label>ZIP <input name="postal_code" value="94111"></label>
<label>Country <input name="country" value="US"></label>
</fieldset>
`;

/** The billing address entered on the form, if the page asked for one. */
function enteredAddress(form: URLSearchParams): JsonObject | null {
  if (!form.has('country')) return null;
  const field = (name: string) => form.get(name) || null;
  return {
    line1: field('line1'),
    city: field('city'),
    state: field('state'),
    postal_code: field('postal_code'),
    country: field('country'),
  };
}

function checkoutForm(session: JsonObject, error?: string): HostedPage {
  const id = escapeHtml(session.id);
  return html(
    'Checkout (Stripe emulator)',
    `<h1>Pay ${escapeHtml(money(session.amount_total, session.currency))}</h1>
<p>Checkout Session <code>${id}</code>, served by the Stripe emulator.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${HOSTED_PREFIX}${id}">
<label>Email <input name="email" type="email" value="${escapeHtml(session.customer_email ?? 'jenny.rosen@example.com')}"></label>
<label>Card number <input name="card" value="4242 4242 4242 4242"></label>
<label>Expiry <input name="expiry" value="12 / 34"></label>
<label>CVC <input name="cvc" value="123"></label>
<label>Name on card <input name="name" value="Jenny Rosen"></label>
${needsAddress(session) ? ADDRESS_FIELDS : ''}<button type="submit">Pay</button>
</form>`,
  );
}

/** A page for `method path`, or undefined when the path names none. */
export function hostedPage(
  service: EmulatorHandle,
  method: string,
  path: string,
  form: URLSearchParams,
): HostedPage | undefined {
  for (const [prefix, page] of PAGES)
    if (path.startsWith(prefix)) return page(service, method, path.slice(prefix.length), form);
  return undefined;
}

function checkoutPage(
  service: EmulatorHandle,
  method: string,
  rest: string,
  form: URLSearchParams,
): HostedPage | undefined {
  if (rest === 'success' || rest === 'cancel')
    return html(
      'Checkout (Stripe emulator)',
      `<h1>${rest === 'success' ? 'Payment complete' : 'Payment canceled'}</h1>`,
    );
  if (!rest.startsWith('cs_')) return undefined;
  const entry = service.store.platform.find(rest);
  if (entry?.resource !== 'checkout.session')
    return html('Not found', '<h1>No such Checkout Session</h1>', 404);
  const session = entry.data;
  if (method === 'GET') {
    if (session.status !== 'open')
      return html('Checkout (Stripe emulator)', `<h1>This session is ${escapeHtml(session.status)}</h1>`);
    return checkoutForm(session);
  }
  if (method !== 'POST') return undefined;
  return pay(service, session, form);
}

/**
 * Pays an open session with the card from the form, as Checkout does (the rule book's `complete`
 * action, rules/checkout.ts: a PaymentIntent, a subscription or a SetupIntent by mode), and
 * redirects. A declined card leaves the session open and the page says why.
 */
function pay(service: EmulatorHandle, session: JsonObject, form: URLSearchParams): HostedPage {
  if (session.status !== 'open') return checkoutForm(session, `This session is ${String(session.status)}.`);
  const method = TEST_CARDS[(form.get('card') ?? '').replace(/\s/g, '')];
  if (!method) return checkoutForm(session, 'Use one of Stripe’s test cards, such as 4242 4242 4242 4242.');
  const id = String(session.id);
  try {
    service.transaction((ctx) =>
      ctx.ops.runAction(ctx, ctx.require(id, ['checkout.session']), 'complete', {
        payment_method: method,
        email: form.get('email') || null,
        name: form.get('name') || null,
        address: enteredAddress(form),
      }),
    );
  } catch (error) {
    return checkoutForm(session, (error as Error).message);
  }
  const success =
    typeof session.success_url === 'string'
      ? session.success_url.replace('{CHECKOUT_SESSION_ID}', id)
      : undefined;
  return success ? redirect(success) : html('Checkout (Stripe emulator)', '<h1>Payment complete</h1>');
}

type Draft = JsonObject;

/** Links and secrets of hosted and embedded flows, well-formed as Stripe's (all empty before). */
function linksOf(ctx: Ctx, resource: string, draft: Draft, params: JsonObject): JsonObject {
  const id = String(draft.id ?? '');
  const token = (n: number) => ctx.random.string(n);
  switch (resource) {
    case 'billing_portal.session': {
      const configuration = defaultPortalConfiguration(ctx);
      return { url: portalLink(ctx, id), ...(configuration ? { configuration } : {}) };
    }
    case 'account_link':
      return { url: connectLink(ctx, 'account_link', params), expires_at: ctx.now + ACCOUNT_LINK_TTL };
    case 'login_link':
      return { url: connectLink(ctx, 'login_link', params) };
    case 'account_session':
      return { client_secret: `accs_secret__${token(40)}` };
    case 'financial_connections.session':
      return { client_secret: `${id}_secret_${token(24)}` };
    case 'terminal.connection_token':
      return { secret: `pst_test_${token(40)}` };
    case 'identity.verification_session': {
      const secret = `${id}_secret_test_${token(24)}`;
      // The same draws either way, so the seed's later ids do not depend on a listening server.
      const url = `https://verify.stripe.com/start/test_${token(40)}`;
      return { client_secret: secret, url: identityPageUrl(ctx, id) ?? url };
    }
    case 'source':
      return { client_secret: `src_client_secret_${token(24)}` };
    case 'customer_session':
      return { client_secret: `_${token(47)}` };
    case 'ephemeral_key':
      return { secret: `ek_test_${token(80)}` };
    case 'checkout.session':
      return draft.ui_mode === 'embedded' ? { client_secret: `${id}_secret_${token(24)}` } : {};
    default:
      return {};
  }
}

/**
 * The flows whose link this module gives at create (a login link's comes with its own rule, a portal
 * session's with its flow: `hostedRules`).
 */
const LINKED = [
  'account_link',
  'account_session',
  'financial_connections.session',
  'terminal.connection_token',
  'identity.verification_session',
  'source',
  'customer_session',
  'ephemeral_key',
];

/** Gives every hosted or embedded flow its link or secret when it is made. */
export function withLinks(ctx: Ctx, resource: string, draft: Draft, params: JsonObject = {}): void {
  for (const [key, value] of Object.entries(linksOf(ctx, resource, draft, params)))
    if (typeof draft[key] !== 'string' || draft[key] === '') draft[key] = value;
}

export const hostedRules: RuleBook = {
  ...Object.fromEntries(
    LINKED.map((resource) => [
      resource,
      {
        beforeCreate: (ctx: Ctx, draft: Draft, { params }: { params: JsonObject }) =>
          withLinks(ctx, resource, draft, params),
      },
    ]),
  ),
  // A portal session also shows the flow it deep-links into.
  'billing_portal.session': {
    beforeCreate(ctx, draft, { params }) {
      withLinks(ctx, 'billing_portal.session', draft, params);
      draft.flow = portalFlow(params.flow_data);
    },
  },
  ...financialConnectionsRules,
};
