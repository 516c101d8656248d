/**
 * Financial Connections' authentication flow in demo mode. Stripe.js opens it with the session's
 * `client_secret`; the emulator serves it at `GET /financial-connections/<client_secret>`: Stripe's
 * test institution (StripeBank) with its test accounts (checking …6789, savings …4321). Submitting
 * the chosen accounts attaches them to the session (its `accounts`, and
 * `GET /v1/financial_connections/accounts?session=`), owned by the session's account holder, with
 * the session's permissions, and goes to `return_url` when the session has one. A session links
 * accounts once.
 */
import type { Ctx } from '../engine/context.ts';
import type { EmulatorHandle } from '../engine/handle.ts';
import { isObject, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import { escapeHtml, form, type HostedPage, html, notFound, redirect } from './html.ts';

/** Where the authentication flow is served. */
export const FINANCIAL_CONNECTIONS_PREFIX = '/financial-connections/';

const RESOURCE = 'financial_connections.account';

/** Stripe's test institution's accounts. */
const TEST_ACCOUNTS = [
  { key: 'checking', display_name: 'Checking', last4: '6789', subcategory: 'checking' },
  { key: 'savings', display_name: 'Savings', last4: '4321', subcategory: 'savings' },
] as const;

/** The session a client secret (`fcsess_…_secret_…`) belongs to, when it matches. */
function sessionOf(service: EmulatorHandle, secret: string): JsonObject | undefined {
  const id = secret.split('_secret_')[0] ?? '';
  const entry = service.store.platform.find(id);
  return entry?.resource === 'financial_connections.session' && entry.data.client_secret === secret
    ? entry.data
    : undefined;
}

function linked(service: EmulatorHandle, session: JsonObject): number {
  return service.store.platform.referencing(String(session.id)).filter((e) => e.resource === RESOURCE).length;
}

function chooser(secret: string, session: JsonObject): HostedPage {
  return html(
    'Link your bank (Stripe emulator)',
    `<h1>Link your accounts at StripeBank</h1>
<p>Financial Connections session <code>${escapeHtml(session.id)}</code>, served by the Stripe emulator with Stripe’s test institution.</p>
${form(
  `${FINANCIAL_CONNECTIONS_PREFIX}${secret}`,
  TEST_ACCOUNTS.map(
    (a) =>
      `<label><input type="checkbox" name="account" value="${a.key}" checked> ${a.display_name} ••••${a.last4}</label>`,
  ).join('\n'),
  'Link accounts',
)}`,
  );
}

function link(service: EmulatorHandle, session: JsonObject, chosen: readonly string[]): void {
  service.transaction((ctx: Ctx) => {
    for (const account of TEST_ACCOUNTS.filter((a) => chosen.includes(a.key)))
      ctx.insert(
        RESOURCE,
        ctx.build(RESOURCE, {
          account_holder: isObject(session.account_holder) ? session.account_holder : null,
          category: 'cash',
          display_name: account.display_name,
          institution_name: 'StripeBank',
          last4: account.last4,
          permissions: Array.isArray(session.permissions) ? session.permissions : [],
          status: 'active',
          subcategory: account.subcategory,
          supported_payment_method_types: ['us_bank_account'],
        }),
        { parent: String(session.id) },
      );
  });
}

/** The flow's page for `method rest` (the path after the prefix), or undefined. */
export function financialConnectionsPage(
  service: EmulatorHandle,
  method: string,
  rest: string,
  input: URLSearchParams,
): HostedPage | undefined {
  const session = sessionOf(service, rest);
  if (!session) return notFound('Link your bank', 'Financial Connections session');
  const done = () =>
    typeof session.return_url === 'string' && session.return_url !== ''
      ? redirect(session.return_url)
      : html('Link your bank (Stripe emulator)', '<h1>Accounts linked</h1>');
  if (linked(service, session) > 0)
    return method === 'POST' ? done() : html('Link your bank (Stripe emulator)', '<h1>Accounts linked</h1>');
  if (method === 'GET') return chooser(rest, session);
  if (method !== 'POST') return undefined;
  const chosen = input.getAll('account');
  if (chosen.length === 0) return chooser(rest, session);
  link(service, session, chosen);
  return done();
}

export const financialConnectionsRules: RuleBook = {
  // `GET /v1/financial_connections/accounts?session=`: the accounts a session linked.
  [RESOURCE]: {
    listFilter(name, value) {
      return name === 'session' ? (entry) => entry.parent === value : undefined;
    },
  },
};
