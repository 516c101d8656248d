/**
 * The customer portal in demo mode, behind a billing portal session's `url` (`GET /portal/<bps_…>`):
 * the customer's details, subscriptions, payment methods and invoices, with what the session's
 * configuration enables (`features`): update the email, name and phone (`customer_update`), cancel a
 * subscription (`subscription_cancel`: at the period's end or at once, by its `mode`, crediting the
 * unused time when its `proration_behavior` is `create_prorations`). Each form changes the
 * objects through the API and comes back to the page; the page links to `return_url` (else the
 * configuration's `default_return_url`).
 * A session without a configuration uses the account's default one, as Stripe does.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import type { EmulatorHandle } from '../engine/handle.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import { escapeHtml, field, form, type HostedPage, html, money, notFound } from './html.ts';

/** Where the portal is served. */
export const PORTAL_PREFIX = '/portal/';

/** The url of a new portal session. */
export function portalLink(ctx: Ctx, id: string): string {
  return ctx.publicUrl
    ? `${ctx.publicUrl}${PORTAL_PREFIX}${id}`
    : `https://billing.stripe.com/p/session/test_${ctx.random.string(40)}`;
}

/** The configuration a session without one uses: the default, else the oldest active one. */
export function defaultPortalConfiguration(ctx: Ctx): string | null {
  let fallback: string | null = null;
  for (const entry of ctx.scope.all('billing_portal.configuration')) {
    if (entry.data.is_default === true) return entry.id;
    if (entry.data.active === true) fallback ??= entry.id;
  }
  return fallback;
}

/** The flows that deep-link into one subscription: each takes its details under its own name. */
const SUBSCRIPTION_FLOWS = ['subscription_cancel', 'subscription_update', 'subscription_update_confirm'];

/**
 * A new session's `flow`, from its `flow_data` (null without): its type, what follows it
 * (`after_completion`, the portal's home page unless set) and the details of its type, required
 * for a subscription's flow.
 */
export function portalFlow(flowData: Json | undefined): Json {
  if (!isObject(flowData)) return null;
  const type = String(flowData.type);
  const flow: JsonObject = {
    after_completion: isObject(flowData.after_completion)
      ? flowData.after_completion
      : { type: 'portal_homepage' },
    type,
  };
  if (!SUBSCRIPTION_FLOWS.includes(type)) return flow;
  const details = flowData[type];
  if (!isObject(details))
    throw invalidRequest(`Missing required param: flow_data[${type}].`, {
      code: 'parameter_missing',
      param: `flow_data[${type}]`,
    });
  return { ...flow, [type]: details };
}

const at = (object: Json | undefined, key: string): Json | undefined =>
  isObject(object) ? object[key] : undefined;
const list = (value: JsonObject): JsonObject[] =>
  Array.isArray(value.data) ? value.data.filter(isObject) : [];

interface Features {
  customerUpdate: readonly string[];
  cancel: false | 'at_period_end' | 'immediately';
  /** an immediate cancel credits the unused time (`proration_behavior=create_prorations`) */
  prorate: boolean;
}

/** The configuration a session uses, if the store holds it. */
const configurationOf = (service: EmulatorHandle, session: JsonObject): JsonObject | undefined =>
  typeof session.configuration === 'string' && session.configuration !== ''
    ? service.store.platform.find(session.configuration)?.data
    : undefined;

function featuresOf(service: EmulatorHandle, session: JsonObject): Features {
  const config = configurationOf(service, session);
  // No configuration at all: everything the page offers.
  if (!config) return { customerUpdate: ['email', 'name', 'phone'], cancel: 'at_period_end', prorate: false };
  const features = config.features;
  const update = at(features, 'customer_update');
  const cancel = at(features, 'subscription_cancel');
  const allowed = at(update, 'allowed_updates');
  return {
    customerUpdate:
      at(update, 'enabled') === true && Array.isArray(allowed)
        ? allowed.filter((u): u is string => typeof u === 'string')
        : [],
    cancel:
      at(cancel, 'enabled') === true
        ? at(cancel, 'mode') === 'immediately'
          ? 'immediately'
          : 'at_period_end'
        : false,
    prorate: at(cancel, 'proration_behavior') === 'create_prorations',
  };
}

function portal(service: EmulatorHandle, session: JsonObject, notice?: string): HostedPage {
  const customerId = String(session.customer);
  const path = `${PORTAL_PREFIX}${String(session.id)}`;
  const features = featuresOf(service, session);
  const customer = service.call('GET', `/v1/customers/${customerId}`);
  const subscriptions = list(
    service.call('GET', '/v1/subscriptions', { customer: customerId, status: 'all' }),
  );
  const methods = list(service.call('GET', `/v1/customers/${customerId}/payment_methods`, { limit: 10 }));
  const invoices = list(service.call('GET', '/v1/invoices', { customer: customerId, limit: 10 }));
  const editable = ['email', 'name', 'phone'].filter((f) => features.customerUpdate.includes(f));
  const details = editable.length
    ? form(
        path,
        `<input type="hidden" name="action" value="update_customer">\n${editable
          .map((f) =>
            field(f[0]!.toUpperCase() + f.slice(1), f, customer[f] ?? '', f === 'email' ? 'email' : 'text'),
          )
          .join('\n')}`,
        'Save details',
      )
    : `<p>${escapeHtml(customer.name)} · ${escapeHtml(customer.email)}</p>`;
  const subscriptionRows = subscriptions
    .map((s) => {
      const items = list(isObject(s.items) ? s.items : {});
      const price = isObject(items[0]?.price) ? items[0].price : {};
      const cancellable =
        features.cancel &&
        ['active', 'trialing', 'past_due'].includes(String(s.status)) &&
        s.cancel_at_period_end !== true;
      const button = cancellable
        ? `<form method="post" action="${escapeHtml(path)}"><input type="hidden" name="action" value="cancel"><input type="hidden" name="subscription" value="${escapeHtml(s.id)}"><button type="submit">Cancel ${escapeHtml(s.id)}</button></form>`
        : '';
      const state =
        s.cancel_at_period_end === true ? `${String(s.status)}, cancels at period end` : String(s.status);
      return `<tr><td><code>${escapeHtml(s.id)}</code></td><td>${escapeHtml(money(price.unit_amount, price.currency))}</td><td>${escapeHtml(state)}</td><td>${button}</td></tr>`;
    })
    .join('');
  const methodRows = methods
    .map(
      (m) => `<li>${escapeHtml(at(m.card, 'brand') ?? m.type)} ${escapeHtml(at(m.card, 'last4') ?? '')}</li>`,
    )
    .join('');
  const invoiceRows = invoices
    .map(
      (i) =>
        `<tr><td><code>${escapeHtml(i.number ?? i.id)}</code></td><td>${escapeHtml(money(i.total, i.currency))}</td><td>${escapeHtml(i.status)}</td></tr>`,
    )
    .join('');
  // A session without a `return_url` goes back to its configuration's `default_return_url`.
  const returnUrl = session.return_url ?? configurationOf(service, session)?.default_return_url;
  const back = typeof returnUrl === 'string' ? `<p><a href="${escapeHtml(returnUrl)}">Return</a></p>` : '';
  return html(
    'Customer portal (Stripe emulator)',
    `<h1>Your account</h1>
<p>Customer portal session <code>${escapeHtml(session.id)}</code>, served by the Stripe emulator.</p>
${notice ? `<p role="status">${escapeHtml(notice)}</p>` : ''}
<h2>Details</h2>
${details}
<h2>Subscriptions</h2>
<table><tr><th>Subscription</th><th>Price</th><th>Status</th><th></th></tr>${subscriptionRows}</table>
<h2>Payment methods</h2>
<ul>${methodRows}</ul>
<h2>Invoices</h2>
<table><tr><th>Invoice</th><th>Total</th><th>Status</th></tr>${invoiceRows}</table>
${back}`,
  );
}

/** Applies a submitted form; returns what to tell the customer. */
function submit(service: EmulatorHandle, session: JsonObject, input: URLSearchParams): string {
  const customer = String(session.customer);
  const features = featuresOf(service, session);
  const action = input.get('action');
  if (action === 'update_customer') {
    const params: JsonObject = {};
    for (const name of ['email', 'name', 'phone'])
      if (features.customerUpdate.includes(name) && input.has(name)) params[name] = input.get(name) ?? '';
    if (Object.keys(params).length === 0) return 'This portal does not let you change your details.';
    service.call('POST', `/v1/customers/${customer}`, params);
    return 'Details saved.';
  }
  if (action === 'cancel') {
    const id = input.get('subscription') ?? '';
    const subscription = service.store.platform.find(id);
    if (subscription?.resource !== 'subscription' || subscription.data.customer !== customer)
      return 'No such subscription.';
    if (!features.cancel) return 'This portal does not let you cancel subscriptions.';
    if (features.cancel === 'immediately')
      service.call('DELETE', `/v1/subscriptions/${id}`, features.prorate ? { prorate: true } : {});
    else service.call('POST', `/v1/subscriptions/${id}`, { cancel_at_period_end: true });
    return features.cancel === 'immediately'
      ? 'Subscription canceled.'
      : 'Subscription cancels at the end of the period.';
  }
  return 'Unknown action.';
}

/** The portal page for `method rest` (the path after `/portal/`), or undefined. */
export function portalPage(
  service: EmulatorHandle,
  method: string,
  rest: string,
  input: URLSearchParams,
): HostedPage | undefined {
  const entry = service.store.platform.find(rest);
  if (entry?.resource !== 'billing_portal.session') return notFound('Customer portal', 'portal session');
  // The session's customer deleted since: nothing left to show.
  if (!service.store.platform.find(String(entry.data.customer)))
    return notFound('Customer portal', 'customer');
  if (method === 'GET') return portal(service, entry.data);
  if (method !== 'POST') return undefined;
  let notice: string;
  try {
    notice = submit(service, entry.data, input);
  } catch (error) {
    notice = (error as Error).message;
  }
  return portal(service, entry.data, notice);
}
