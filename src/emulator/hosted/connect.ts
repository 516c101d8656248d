/**
 * Connect's hosted pages in demo mode, behind the `url` of account links and login links:
 *
 * - Onboarding (`GET /connect/setup/<token>`, an `account_onboarding` or `account_update` link): a form
 *   filled with Stripe's test values (address line `address_full_match`, date of birth 1901-01-01,
 *   SSN last 4 `0000`, tax id `000000000`, phone `0000000000`, MCC 5734, the test bank account
 *   110000000 / 000123456789). Submitting it updates the account through the API (business type
 *   and profile, the individual or the company, the terms of service, a bank account when it has
 *   none), and then, as Stripe's test mode does once the requirements are met, the account is
 *   `details_submitted`, its requested capabilities are active and charges and payouts are enabled;
 *   the browser goes to `return_url`. A link is used once and lasts five minutes (Stripe's rule):
 *   an expired or used one goes to `refresh_url`. An `account_update` link is for an onboarded
 *   Custom account only (Stripe refuses it otherwise).
 * - Express dashboard (`GET /connect/express/<token>`, a login link): the account's balance and
 *   payouts, and its payout schedule, which the form changes.
 *
 * `requirementsOf()` lists what an account still lacks, by Stripe's requirement names
 * (`business_profile.mcc`, `individual.dob.day`, `tos_acceptance.date`…); the Connect rules keep
 * `requirements.currently_due` with it.
 */
import { BesideStore } from '../engine/beside.ts';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import type { EmulatorHandle } from '../engine/handle.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Entry, Scope } from '../engine/store.ts';
import { platformCollects } from './account-controller.ts';
import { escapeHtml, field, form, type HostedPage, html, money, notFound, nowOf, redirect } from './html.ts';

/** Where the Connect pages are served. */
export const CONNECT_PREFIX = '/connect/';

/** Account links expire after five minutes, as Stripe's do. */
export const ACCOUNT_LINK_TTL = 300;

interface Grant {
  kind: 'account_onboarding' | 'account_update' | 'express';
  account: string;
  returnUrl?: string | undefined;
  refreshUrl?: string | undefined;
  expiresAt?: number;
  used?: boolean;
}

/** The links handed out, by token, per store (the account link and login link objects have no id). */
const grants = new BesideStore<Grant>();

const str = (value: Json | undefined) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Refuses an `account_update` link for an account its owner cannot update that way: one the
 * platform does not collect requirements for (Express, Standard), or one not onboarded yet
 * (requirements due), which Stripe sends to `account_onboarding` instead.
 */
function requireUpdatable(ctx: Ctx, params: JsonObject): void {
  if (params.type !== 'account_update') return;
  const account = ctx.find(String(params.account ?? ''), ['account']);
  if (!account || (platformCollects(account) && requirementsOf(ctx.scope, account).length === 0)) return;
  throw invalidRequest(
    'You cannot create `account_update` type Account Links for this account. Valid types for this account are ["account_onboarding"].',
    { param: 'type' },
  );
}

/** The url of a new account link (`params` are the link's) or login link (`params.account`). */
export function connectLink(ctx: Ctx, resource: 'account_link' | 'login_link', params: JsonObject): string {
  if (resource === 'account_link') requireUpdatable(ctx, params);
  const account = String(params.account ?? '');
  const token = ctx.random.string(24);
  const grant: Grant =
    resource === 'login_link'
      ? { kind: 'express', account }
      : {
          kind: params.type === 'account_update' ? 'account_update' : 'account_onboarding',
          account,
          expiresAt: ctx.now + ACCOUNT_LINK_TTL,
          returnUrl: str(params.return_url),
          refreshUrl: str(params.refresh_url),
        };
  grants.of(ctx.store).set(token, grant);
  const path = resource === 'login_link' ? 'express' : 'setup';
  if (ctx.publicUrl) return `${ctx.publicUrl}${CONNECT_PREFIX}${path}/${token}`;
  return resource === 'login_link'
    ? `https://connect.stripe.com/express/${token}`
    : `https://connect.stripe.com/setup/e/${account}/${token}`;
}

const ADDRESS = ['city', 'line1', 'postal_code', 'state'] as const;
const PERSON = ['email', 'first_name', 'last_name', 'phone'] as const;

const has = (value: Json | undefined) => value !== undefined && value !== null && value !== '';
const at = (object: Json | undefined, key: string): Json | undefined =>
  isObject(object) ? object[key] : undefined;

/** The fields a US account still has to provide, by Stripe's requirement names. */
export function requirementsOf(scope: Scope, account: Entry): string[] {
  const data = account.data;
  const due: string[] = [];
  const need = (name: string, value: Json | undefined) => {
    if (!has(value)) due.push(name);
  };
  need('business_profile.mcc', at(data.business_profile, 'mcc'));
  need('business_profile.url', at(data.business_profile, 'url'));
  need('business_type', data.business_type);
  const banks = scope
    .referencing(account.id)
    .filter((e) => (e.resource === 'bank_account' || e.resource === 'card') && e.data.account === account.id);
  if (banks.length === 0) due.push('external_account');
  if (data.business_type === 'individual') {
    const person = data.individual;
    for (const key of ADDRESS) need(`individual.address.${key}`, at(at(person, 'address'), key));
    for (const key of ['day', 'month', 'year']) need(`individual.dob.${key}`, at(at(person, 'dob'), key));
    for (const key of PERSON) need(`individual.${key}`, at(person, key));
    if (at(person, 'ssn_last_4_provided') !== true) due.push('individual.ssn_last_4');
  } else if (data.business_type === 'company' || data.business_type === 'non_profit') {
    const company = data.company;
    for (const key of ADDRESS) need(`company.address.${key}`, at(at(company, 'address'), key));
    need('company.name', at(company, 'name'));
    need('company.phone', at(company, 'phone'));
    if (at(company, 'tax_id_provided') !== true) due.push('company.tax_id');
  }
  need('tos_acceptance.date', at(data.tos_acceptance, 'date'));
  need('tos_acceptance.ip', at(data.tos_acceptance, 'ip'));
  return due.sort();
}

/** Whether the platform rejected the account (`accounts.reject`): it stays disabled for it. */
export function isRejected(account: Entry): boolean {
  const reason = isObject(account.data.requirements) ? account.data.requirements.disabled_reason : null;
  return typeof reason === 'string' && reason.startsWith('rejected.');
}

/**
 * `requirements` with `currently_due` (and `eventually_due`) set to what the account lacks. An
 * account that cannot take charges for want of them is disabled for them being past due, and lists
 * them in `past_due` too, as Stripe's new accounts do (their requirements have no deadline); a
 * rejected one stays disabled for its rejection.
 */
export function withRequirements(ctx: Ctx, account: Entry): JsonObject {
  const due = requirementsOf(ctx.scope, account);
  const current = isObject(account.data.requirements) ? account.data.requirements : {};
  const disabled = due.length > 0 && account.data.charges_enabled !== true;
  return {
    alternatives: [],
    current_deadline: null,
    errors: [],
    pending_verification: [],
    ...current,
    currently_due: due,
    disabled_reason: isRejected(account)
      ? (current.disabled_reason ?? null)
      : disabled
        ? 'requirements.past_due'
        : null,
    eventually_due: due,
    past_due: disabled ? due : [],
  };
}

/**
 * After an account is created or updated: what its parameters provided that Stripe only reports
 * (`company.tax_id_provided`, `individual.ssn_last_4_provided`…), its requirements, and whether
 * it can be paid out.
 */
export function trackRequirements(ctx: Ctx, account: Entry, params: JsonObject): Entry {
  const fields: JsonObject = {};
  const company = params.company;
  if (isObject(company) && isObject(account.data.company)) {
    const provided: JsonObject = {};
    if (has(company.tax_id)) provided.tax_id_provided = true;
    if (has(company.vat_id)) provided.vat_id_provided = true;
    if (Object.keys(provided).length > 0) fields.company = { ...account.data.company, ...provided };
  }
  const individual = params.individual;
  if (isObject(individual) && isObject(account.data.individual)) {
    const provided: JsonObject = {};
    if (has(individual.ssn_last_4)) provided.ssn_last_4_provided = true;
    if (has(individual.id_number)) provided.id_number_provided = true;
    // The individual is a person of the account, with an id of its own.
    if (!has(account.data.individual.id)) {
      provided.id = ctx.newId('person');
      provided.account = account.id;
    }
    if (Object.keys(provided).length > 0) fields.individual = { ...account.data.individual, ...provided };
  }
  const updated = Object.keys(fields).length > 0 ? ctx.set(account, fields) : account;
  const requirements = withRequirements(ctx, ctx.current(updated));
  // Payouts wait for what is due (a bank account among it), as Stripe's do.
  const due = Array.isArray(requirements.currently_due) ? requirements.currently_due : [];
  return ctx.set(updated, { requirements, payouts_enabled: due.length === 0 && !isRejected(updated) });
}

/** Stripe's test values for onboarding, as the form's defaults. */
const TEST_VALUES = {
  business_type: 'individual',
  url: 'https://accessible.stripe.com',
  mcc: '5734',
  first_name: 'Jenny',
  last_name: 'Rosen',
  email: 'jenny.rosen@example.com',
  phone: '0000000000',
  dob: '1901-01-01',
  ssn_last_4: '0000',
  company_name: 'Demo Company',
  tax_id: '000000000',
  line1: 'address_full_match',
  city: 'San Francisco',
  state: 'CA',
  postal_code: '94103',
  routing_number: '110000000',
  account_number: '000123456789',
} as const;

function onboardingForm(token: string, account: JsonObject, error?: string): HostedPage {
  const value = (name: keyof typeof TEST_VALUES) => TEST_VALUES[name];
  const type = str(account.business_type) ?? value('business_type');
  return html(
    'Account onboarding (Stripe emulator)',
    `<h1>Set up payouts for ${escapeHtml(at(account.business_profile, 'name') ?? account.id)}</h1>
<p>Connect onboarding for <code>${escapeHtml(account.id)}</code>, served by the Stripe emulator with Stripe’s test values.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
${form(
  `${CONNECT_PREFIX}setup/${token}`,
  [
    `<label>Business type <select name="business_type">${['individual', 'company']
      .map((t) => `<option${t === type ? ' selected' : ''}>${t}</option>`)
      .join('')}</select></label>`,
    field('Website', 'url', at(account.business_profile, 'url') ?? value('url')),
    field('Industry (MCC)', 'mcc', value('mcc')),
    field('First name', 'first_name', value('first_name')),
    field('Last name', 'last_name', value('last_name')),
    field('Email', 'email', account.email ?? value('email'), 'email'),
    field('Phone', 'phone', value('phone')),
    field('Date of birth', 'dob', value('dob')),
    field('SSN (last 4)', 'ssn_last_4', value('ssn_last_4')),
    field('Company name', 'company_name', value('company_name')),
    field('Tax ID (EIN)', 'tax_id', value('tax_id')),
    field('Address', 'line1', value('line1')),
    field('City', 'city', value('city')),
    field('State', 'state', value('state')),
    field('ZIP', 'postal_code', value('postal_code')),
    field('Routing number', 'routing_number', value('routing_number')),
    field('Account number', 'account_number', value('account_number')),
  ].join('\n'),
  'Agree and submit',
)}`,
  );
}

/** The account's update from the submitted form. */
function onboardingParams(service: EmulatorHandle, account: Entry, input: URLSearchParams): JsonObject {
  const get = (name: keyof typeof TEST_VALUES) => input.get(name) || TEST_VALUES[name];
  const type = get('business_type') === 'company' ? 'company' : 'individual';
  const address = {
    line1: get('line1'),
    city: get('city'),
    state: get('state'),
    postal_code: get('postal_code'),
  };
  const [year, month, day] = get('dob').split('-').map(Number);
  const params: JsonObject = {
    business_type: type,
    business_profile: { mcc: get('mcc'), url: get('url') },
    tos_acceptance: { date: nowOf(service), ip: '127.0.0.1', user_agent: 'Stripe emulator' },
  };
  // A bank account for payouts, when the account has none: a token of the one in the form.
  if (requirementsOf(service.store.platform, account).includes('external_account'))
    params.external_account = String(
      service.call('POST', '/v1/tokens', {
        bank_account: {
          account_holder_name: `${get('first_name')} ${get('last_name')}`,
          account_holder_type: type,
          country: String(account.data.country ?? 'US'),
          currency: String(account.data.default_currency ?? 'usd'),
          routing_number: get('routing_number'),
          account_number: get('account_number'),
        },
      }).id,
    );
  if (type === 'individual')
    params.individual = {
      first_name: get('first_name'),
      last_name: get('last_name'),
      email: get('email'),
      phone: get('phone'),
      dob: { day: day ?? 1, month: month ?? 1, year: year ?? 1901 },
      ssn_last_4: get('ssn_last_4'),
      address,
    };
  else params.company = { name: get('company_name'), phone: get('phone'), tax_id: get('tax_id'), address };
  return params;
}

function submitOnboarding(
  service: EmulatorHandle,
  token: string,
  grant: Grant,
  account: Entry,
  input: URLSearchParams,
): HostedPage {
  try {
    service.call('POST', `/v1/accounts/${account.id}`, onboardingParams(service, account, input));
  } catch (error) {
    return onboardingForm(token, account.data, (error as Error).message);
  }
  // The update provided what was due, which activated the requested capabilities (rules/connect.ts).
  service.transaction((ctx) => {
    ctx.set(ctx.require(account.id, ['account']), { details_submitted: true });
  });
  grant.used = true;
  return grant.returnUrl
    ? redirect(grant.returnUrl)
    : html('Account onboarding (Stripe emulator)', '<h1>Onboarding complete</h1>');
}

/** The emulator's clock (a test may set it). */

function dashboard(service: EmulatorHandle, token: string, account: Entry, notice?: string): HostedPage {
  const balance = service.call('GET', '/v1/balance', {}, { account: account.id });
  const payouts = service.call('GET', '/v1/payouts', { limit: 10 }, { account: account.id });
  const amounts = (list: Json | undefined) =>
    Array.isArray(list)
      ? list.map((b) => (isObject(b) ? money(b.amount, b.currency) : '')).join(', ') || '0.00'
      : '0.00';
  const rows = Array.isArray(payouts.data)
    ? payouts.data
        .filter(isObject)
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.id)}</code></td><td>${escapeHtml(money(p.amount, p.currency))}</td><td>${escapeHtml(p.status)}</td></tr>`,
        )
        .join('')
    : '';
  const schedule = at(at(account.data.settings, 'payouts'), 'schedule');
  const interval = str(at(schedule, 'interval')) ?? 'daily';
  return html(
    'Express dashboard (Stripe emulator)',
    `<h1>${escapeHtml(at(account.data.business_profile, 'name') ?? account.id)}</h1>
<p>Express dashboard for <code>${escapeHtml(account.id)}</code>, served by the Stripe emulator.</p>
${notice ? `<p role="status">${escapeHtml(notice)}</p>` : ''}
<h2>Balance</h2>
<p>Available: <span id="available">${escapeHtml(amounts(balance.available))}</span>; pending: ${escapeHtml(amounts(balance.pending))}</p>
<h2>Payouts</h2>
<table><tr><th>Payout</th><th>Amount</th><th>Status</th></tr>${rows}</table>
<h2>Payout schedule</h2>
${form(
  `${CONNECT_PREFIX}express/${token}`,
  `<label>Interval <select name="interval">${['daily', 'weekly', 'monthly', 'manual']
    .map((i) => `<option${i === interval ? ' selected' : ''}>${i}</option>`)
    .join('')}</select></label>`,
  'Save',
)}`,
  );
}

/** Payout schedules the dashboard offers (two days' delay: Stripe's standard in the US). */
const SCHEDULES: Readonly<Record<string, JsonObject>> = {
  daily: { interval: 'daily', delay_days: 2 },
  weekly: { interval: 'weekly', delay_days: 2, weekly_anchor: 'friday' },
  monthly: { interval: 'monthly', delay_days: 2, monthly_anchor: 1 },
  manual: { interval: 'manual', delay_days: 2 },
};

/** A Connect page for `method rest` (the path after `/connect/`), or undefined. */
export function connectPage(
  service: EmulatorHandle,
  method: string,
  rest: string,
  input: URLSearchParams,
): HostedPage | undefined {
  const [kind, token, extra] = rest.split('/');
  if ((kind !== 'setup' && kind !== 'express') || !token || extra !== undefined) return undefined;
  const grant = grants.get(service.store, token);
  const title = kind === 'setup' ? 'Account onboarding' : 'Express dashboard';
  if (!grant || (kind === 'express') !== (grant.kind === 'express')) return notFound(title, 'link');
  const account = service.store.platform.find(grant.account);
  if (account?.resource !== 'account') return notFound(title, 'account');
  if (kind === 'express') {
    if (method === 'POST') {
      const schedule = SCHEDULES[input.get('interval') ?? ''];
      if (!schedule) return dashboard(service, token, account, 'Choose daily, weekly, monthly or manual.');
      service.call('POST', `/v1/accounts/${account.id}`, { settings: { payouts: { schedule } } });
      return dashboard(service, token, service.store.platform.find(account.id)!, 'Payout schedule saved.');
    }
    return method === 'GET' ? dashboard(service, token, account) : undefined;
  }
  if (grant.used || (grant.expiresAt !== undefined && nowOf(service) > grant.expiresAt))
    return grant.refreshUrl ? redirect(grant.refreshUrl) : html(title, '<h1>This link has expired</h1>', 410);
  if (method === 'GET') return onboardingForm(token, account.data);
  return method === 'POST' ? submitOnboarding(service, token, grant, account, input) : undefined;
}
