/**
 * Objects exactly as Stripe renders them, with stripe-node's declarations for API 2024-04-10 as the
 * oracle (`declarations.ts`): every object of every list the demo data fills (root lists, and nested
 * lists under the first parent that has children) and the answer of every create the emulator
 * serves carries every property the declaration does not mark optional (`null` when unset), none it
 * does not declare, and literals within their sets, nested objects included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import type { Route } from '../../src/emulator/engine/routes.ts';
import { TEST_US_BANK_ACCOUNT } from '../../src/emulator/seed/families.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { Declarations, tally } from './declarations.ts';
import { type EmulatorHarness, startEmulatorHarness } from './helpers.ts';
import {
  api,
  createdResponses,
  createRoute,
  obtain,
  pathFor,
  requiredValues,
  stored,
  TAX_CALCULATION,
  useHarness,
} from './obtain.ts';
import { replayExamples, US_BANK_TOKEN, waitingRefund } from './stripe-node-examples.ts';

const declarations = new Declarations();
let h: EmulatorHarness;

beforeAll(async () => {
  h = await startEmulatorHarness();
  useHarness(h);
});
/** The examples' emulator (they delete demo objects), kept open for the links check. */
let examples: EmulatorHarness | null;
afterAll(async () => {
  await examples?.close();
  await h.close();
});

function call(path: string, params: JsonObject = {}): JsonObject | undefined {
  try {
    return h.emulator.service.call('GET', path, params);
  } catch {
    return undefined;
  }
}

/**
 * The list's required query parameters, from a stored object of the list's resource (or the object
 * it is stored under, for one whose data does not name it: a customer's active entitlements).
 */
function requiredParams(route: Route): JsonObject | undefined {
  const names = route.op.query.filter((q) => q.required).map((q) => q.name);
  if (names.length === 0) return {};
  for (const resource of route.resources) {
    for (const entry of h.emulator.store.platform.all(resource)) {
      const values = names.map((name) => entry.data[name] ?? (names.length === 1 ? entry.parent : undefined));
      if (values.every((v) => typeof v === 'string' && v !== ''))
        return Object.fromEntries(names.map((n, i) => [n, values[i]!])) as JsonObject;
    }
  }
  return undefined;
}

/** A page of the list route holding objects: root lists as they are, nested ones under a parent with children. */
function listPage(route: Route): JsonObject[] {
  const required = requiredParams(route);
  if (!required) return [];
  const params: JsonObject = route.op.query.some((q) => q.name === 'limit')
    ? { ...required, limit: 100 }
    : required;
  if (route.op.pathParams.length === 0) {
    const page = call(route.op.path, params);
    return (page?.data as JsonObject[] | undefined) ?? [];
  }
  if (route.op.pathParams.length !== 1 || route.parents.length !== 1) return [];
  for (const resource of route.parents[0]!.resources) {
    for (const parent of h.emulator.store.platform.all(resource)) {
      const page = call(route.op.path.replace(/\{[^}]+\}/, encodeURIComponent(parent.id)), params);
      const data = (page?.data as JsonObject[] | undefined) ?? [];
      if (data.length > 0) return data;
    }
  }
  return [];
}

/** The lists whose resource the demo data holds that answer no page here, with the reason. */
const NO_PAGE: Readonly<Record<string, string>> = {
  '/v1/apps/secrets':
    'its required `scope` is a hash, which `requiredParams` does not read from stored secrets',
  '/v1/customers/{customer}/bank_accounts': "the demo's bank accounts are accounts' external accounts",
};

/** Operations (`METHOD /path`) whose answer was checked here. */
const answered = new Set<string>();
const key = (route: Route) => `${route.method} ${route.op.path}`;

/** The objects of an answer: a list's or search result's items, or the object itself. */
function objectsOf(body: JsonObject | undefined): JsonObject[] {
  if (!body) return [];
  if (body.object === 'list' || body.object === 'search_result')
    return (body.data as JsonObject[]).filter((item) => typeof item?.object === 'string');
  return typeof body.object === 'string' ? [body] : [];
}

/**
 * Objects checked here whose links and secrets `checkLinks` has yet to look at, with the emulator
 * that serves their links (none for the examples': they delete the customers their sessions show).
 */
const pending: [string, JsonObject, EmulatorHarness | null][] = [];

/** The tally of `objects`, less Stripe's known departures from the declarations. */
function check(objects: [string, JsonObject][], from: EmulatorHarness | null = h) {
  pending.push(
    ...objects.map(([where, object]): [string, JsonObject, EmulatorHarness | null] => [where, object, from]),
  );
  const result = tally(declarations, objects);
  for (const [where, allowed] of Object.entries(UNDECLARED_DEPARTURES)) {
    const left = result.problems.get(where)?.filter((p) => !allowed.includes(p));
    if (left?.length === 0) result.problems.delete(where);
  }
  return result;
}

/**
 * Where Stripe departs from stripe-node's declarations: an invoice preview is not an invoice yet and
 * has no `id` (stripe-node declares it always present; stripe/openapi#56).
 */
const UNDECLARED_DEPARTURES: Readonly<Record<string, readonly string[]>> = {
  'GET /v1/invoices/upcoming (invoice)': ['$.id: missing'],
  'POST /v1/invoices/create_preview (invoice)': ['$.id: missing'],
};

type Request = { method?: 'GET' | 'POST' | 'DELETE'; path: string; params?: JsonObject };
const post = (path: string, params: JsonObject = {}) => h.emulator.service.call('POST', path, params);
const get = (path: string, params: JsonObject = {}) => h.emulator.service.call('GET', path, params);
const made = (path: string, params: JsonObject = {}) => String(post(path, params).id);
const ACCOUNT = SEED.connected.account;
const customerWith = (params: JsonObject = {}) =>
  made('/v1/customers', { email: 'swept@example.com', ...params });
const bankToken = () => made('/v1/tokens', US_BANK_TOKEN);
const customerBank = () => {
  const customer = customerWith();
  return { customer, bank: made(`/v1/customers/${customer}/sources`, { source: bankToken() }) };
};
/** A simulated reader, and one processing a new card-present PaymentIntent. */
const simulatedReader = () => made('/v1/terminal/readers', { registration_code: 'simulated-wpe' });
const cardPresentIntent = () =>
  made('/v1/payment_intents', { amount: 1000, currency: 'usd', payment_method_types: ['card_present'] });
const processingReader = () => {
  const reader = simulatedReader();
  post(`/v1/terminal/readers/${reader}/process_payment_intent`, { payment_intent: cardPresentIntent() });
  return reader;
};
/** A tax transaction recorded from a new calculation. */
const taxTransaction = () => {
  const calculation = made('/v1/tax/calculations', TAX_CALCULATION);
  return made('/v1/tax/transactions/create_from_calculation', {
    calculation,
    reference: `swept-${calculation}`,
  });
};
const customerCard = () => {
  const customer = customerWith();
  return { customer, card: made(`/v1/customers/${customer}/sources`, { source: 'tok_visa' }) };
};
const disputed = () => made('/v1/charges', { amount: 2000, currency: 'usd', source: 'tok_createDispute' });
const subscribed = (params: JsonObject = {}) =>
  post('/v1/subscriptions', {
    customer: customerWith({ source: 'tok_visa' }),
    items: [{ price: SEED.prices.basicMonthly }],
    ...params,
  });
/** A subscription paused at the end of a trial with no card to charge (its trial_settings' pause). */
const pausedSubscription = () => {
  const clock = made('/v1/test_helpers/test_clocks', { frozen_time: 1_700_000_000 });
  const subscription = made('/v1/subscriptions', {
    customer: made('/v1/customers', { test_clock: clock }),
    items: [{ price: SEED.prices.basicMonthly }],
    trial_period_days: 1,
    trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
  });
  post(`/v1/test_helpers/test_clocks/${clock}/advance`, { frozen_time: 1_700_000_000 + 2 * 86_400 });
  return subscription;
};
const feature = () => made('/v1/entitlements/features', { name: 'Swept', lookup_key: `swept-${Date.now()}` });
const outboundPayment = () =>
  made('/v1/treasury/outbound_payments', {
    financial_account: [...h.emulator.store.platform.all('treasury.financial_account')][0]!.id,
    currency: 'usd',
    amount: 100,
    destination_payment_method_data: {
      type: 'us_bank_account',
      us_bank_account: { ...TEST_US_BANK_ACCOUNT, account_holder_type: 'company' },
    },
  });

/**
 * Operations the generic sweep cannot reach (they need an object in a given state, or parameters
 * that mean something): a request for each, after making what it needs.
 */
const TARGETED: Readonly<Record<string, () => Request>> = {
  'POST /v1/accounts/{account}/bank_accounts': () => ({
    path: `/v1/accounts/${ACCOUNT}/bank_accounts`,
    params: { external_account: bankToken() },
  }),
  'GET /v1/accounts/{account}/people': () => {
    made(`/v1/accounts/${ACCOUNT}/persons`, { first_name: 'Jenny', last_name: 'Rosen' });
    return { path: `/v1/accounts/${ACCOUNT}/people` };
  },
  'GET /v1/accounts/{account}/persons': () => ({ path: `/v1/accounts/${ACCOUNT}/persons` }),
  'POST /v1/application_fees/{id}/refund': () => {
    const charge = post('/v1/charges', {
      amount: 2000,
      currency: 'usd',
      source: 'tok_visa',
      application_fee_amount: 100,
      transfer_data: { destination: ACCOUNT },
    });
    return { path: `/v1/application_fees/${String(charge.application_fee)}/refund`, params: { amount: 10 } };
  },
  'GET /v1/application_fees/{id}/refunds': () => ({
    path: `/v1/application_fees/${SEED.connected.applicationFee}/refunds`,
  }),
  'GET /v1/charges/{charge}/dispute': () => ({ path: `/v1/charges/${disputed()}/dispute` }),
  'POST /v1/charges/{charge}/dispute': () => ({
    path: `/v1/charges/${disputed()}/dispute`,
    params: { evidence: { product_description: 'Swept' } },
  }),
  'POST /v1/charges/{charge}/dispute/close': () => ({ path: `/v1/charges/${disputed()}/dispute/close` }),
  // (the charge last made is a disputed one, which cannot be refunded)
  'POST /v1/charges/{charge}/refund': () => ({
    path: `/v1/charges/${made('/v1/charges', { amount: 2000, currency: 'usd', source: 'tok_visa' })}/refund`,
  }),
  'POST /v1/charges/{charge}/refunds': () => ({
    path: `/v1/charges/${SEED.grace.charge}/refunds`,
    params: { amount: 100 },
  }),
  'GET /v1/credit_notes/{credit_note}/lines': () => {
    const invoice = get(`/v1/invoices/${SEED.jenny.invoice}`);
    const line = ((invoice.lines as JsonObject).data as JsonObject[])[0]!.id as string;
    const lines = [{ type: 'invoice_line_item', invoice_line_item: line, quantity: 1 }];
    return { path: `/v1/credit_notes/${made('/v1/credit_notes', { invoice: invoice.id!, lines })}/lines` };
  },
  'POST /v1/tax/transactions/create_reversal': () => {
    const transaction = taxTransaction();
    return {
      path: '/v1/tax/transactions/create_reversal',
      params: { original_transaction: transaction, reference: `reversal-${transaction}`, mode: 'full' },
    };
  },
  'POST /v1/terminal/readers/{reader}/process_payment_intent': () => ({
    path: `/v1/terminal/readers/${simulatedReader()}/process_payment_intent`,
    params: { payment_intent: cardPresentIntent() },
  }),
  'POST /v1/test_helpers/terminal/readers/{reader}/present_payment_method': () => ({
    path: `/v1/test_helpers/terminal/readers/${processingReader()}/present_payment_method`,
  }),
  'POST /v1/terminal/readers/{reader}/refund_payment': () => ({
    path: `/v1/terminal/readers/${simulatedReader()}/refund_payment`,
    params: { charge: SEED.grace.charge, amount: 100 },
  }),
  'POST /v1/terminal/readers/{reader}/set_reader_display': () => ({
    path: `/v1/terminal/readers/${simulatedReader()}/set_reader_display`,
    params: {
      type: 'cart',
      cart: { currency: 'usd', line_items: [{ amount: 500, description: 'Tea', quantity: 1 }], total: 500 },
    },
  }),
  'GET /v1/tax/calculations/{calculation}/line_items': () => ({
    path: `/v1/tax/calculations/${made('/v1/tax/calculations', TAX_CALCULATION)}/line_items`,
  }),
  'GET /v1/tax/transactions/{transaction}/line_items': () => ({
    path: `/v1/tax/transactions/${taxTransaction()}/line_items`,
  }),
  'POST /v1/customers/{customer}/bank_accounts': () => ({
    path: `/v1/customers/${customerWith()}/bank_accounts`,
    params: { source: bankToken() },
  }),
  'GET /v1/customers/{customer}/bank_accounts': () => ({
    path: `/v1/customers/${customerBank().customer}/bank_accounts`,
  }),
  'GET /v1/customers/{customer}/bank_accounts/{id}': () => {
    const { customer, bank } = customerBank();
    return { path: `/v1/customers/${customer}/bank_accounts/${bank}` };
  },
  'POST /v1/customers/{customer}/bank_accounts/{id}': () => {
    const { customer, bank } = customerBank();
    return { path: `/v1/customers/${customer}/bank_accounts/${bank}`, params: UPDATE };
  },
  'POST /v1/customers/{customer}/bank_accounts/{id}/verify': () => {
    const { customer, bank } = customerBank();
    return { path: `/v1/customers/${customer}/bank_accounts/${bank}/verify`, params: { amounts: [32, 45] } };
  },
  'DELETE /v1/customers/{customer}/bank_accounts/{id}': () => {
    const { customer, bank } = customerBank();
    return { method: 'DELETE', path: `/v1/customers/${customer}/bank_accounts/${bank}` };
  },
  'POST /v1/customers/{customer}/cards': () => ({
    path: `/v1/customers/${customerWith()}/cards`,
    params: { source: 'tok_visa' },
  }),
  'POST /v1/customers/{customer}/cards/{id}': () => {
    const { customer, card } = customerCard();
    return { path: `/v1/customers/${customer}/cards/${card}`, params: { name: 'Jenny Rosen' } };
  },
  'DELETE /v1/customers/{customer}/cards/{id}': () => {
    const { customer, card } = customerCard();
    return { method: 'DELETE', path: `/v1/customers/${customer}/cards/${card}` };
  },
  'GET /v1/customers/{customer}/cash_balance_transactions': () => {
    const customer = customerWith();
    post(`/v1/test_helpers/customers/${customer}/fund_cash_balance`, { amount: 1000, currency: 'usd' });
    return { path: `/v1/customers/${customer}/cash_balance_transactions` };
  },
  'GET /v1/customers/{customer}/discount': () => ({
    path: `/v1/customers/${customerWith({ coupon: SEED.coupons.summer })}/discount`,
  }),
  'DELETE /v1/customers/{customer}/discount': () => ({
    method: 'DELETE',
    path: `/v1/customers/${customerWith({ coupon: SEED.coupons.summer })}/discount`,
  }),
  'GET /v1/customers/{customer}/payment_methods/{payment_method}': () => {
    const customer = customerWith();
    const pm = made('/v1/payment_methods/pm_card_visa/attach', { customer });
    return { path: `/v1/customers/${customer}/payment_methods/${pm}` };
  },
  'POST /v1/customers/{customer}/subscriptions': () => ({
    path: `/v1/customers/${customerWith({ source: 'tok_visa' })}/subscriptions`,
    params: { items: [{ price: SEED.prices.basicMonthly }] },
  }),
  'GET /v1/customers/{customer}/subscriptions/{subscription_exposed_id}/discount': () => {
    const sub = subscribed({ coupon: SEED.coupons.summer });
    return { path: `/v1/customers/${String(sub.customer)}/subscriptions/${String(sub.id)}/discount` };
  },
  'DELETE /v1/customers/{customer}/subscriptions/{subscription_exposed_id}/discount': () => {
    const sub = subscribed({ coupon: SEED.coupons.summer });
    return {
      method: 'DELETE',
      path: `/v1/customers/${String(sub.customer)}/subscriptions/${String(sub.id)}/discount`,
    };
  },
  'POST /v1/invoices/create_preview': () => ({
    path: '/v1/invoices/create_preview',
    params: { customer: SEED.jenny.customer },
  }),
  'GET /v1/invoices/upcoming': () => ({
    path: '/v1/invoices/upcoming',
    params: { customer: SEED.jenny.customer },
  }),
  'GET /v1/invoices/upcoming/lines': () => ({
    path: '/v1/invoices/upcoming/lines',
    params: { customer: SEED.jenny.customer },
  }),
  'POST /v1/link_account_sessions': () => ({
    path: '/v1/link_account_sessions',
    params: {
      account_holder: { type: 'customer', customer: SEED.jenny.customer },
      permissions: ['balances'],
    },
  }),
  'GET /v1/products/{product}/features': () => {
    const product = made('/v1/products', { name: 'Swept' });
    post(`/v1/products/${product}/features`, { entitlement_feature: feature() });
    return { path: `/v1/products/${product}/features` };
  },
  'GET /v1/subscription_items/{subscription_item}/usage_record_summaries': () => {
    const sub = subscribed();
    const item = ((sub.items as JsonObject).data as JsonObject[])[0]!.id as string;
    post(`/v1/subscription_items/${item}/usage_records`, { quantity: 3 });
    return { path: `/v1/subscription_items/${item}/usage_record_summaries` };
  },
  'POST /v1/subscriptions/{subscription}/resume': () => ({
    path: `/v1/subscriptions/${pausedSubscription()}/resume`,
  }),
  'POST /v1/refunds/{refund}/cancel': () => ({
    path: `/v1/refunds/${waitingRefund(h.emulator.service)}/cancel`,
  }),
  'POST /v1/test_helpers/treasury/outbound_payments/{id}/post': () => ({
    path: `/v1/test_helpers/treasury/outbound_payments/${outboundPayment()}/post`,
  }),
  'POST /v1/test_helpers/treasury/outbound_payments/{id}/return': () => ({
    path: `/v1/test_helpers/treasury/outbound_payments/${made(`/v1/test_helpers/treasury/outbound_payments/${outboundPayment()}/post`)}/return`,
  }),
};

/** Operations whose answer holds no object in the emulator, with the reason. */
const UNREACHED: Readonly<Record<string, string>> = {
  'GET /v1/billing/meters/{id}/event_summaries': 'the emulator sums no meter events into summaries',
  'GET /v1/credit_notes/preview/lines': 'the emulator previews no credit note lines',
  'GET /v1/sources/{source}/source_transactions': 'no API makes a source transaction',
  'POST /v1/topups/{topup}/cancel': 'top-ups succeed at once, and only a pending one can be canceled',
};

/** What a property holds, by its name: a link, a client secret, or a secret. */
function linkKind(key: string): 'url' | 'client_secret' | 'secret' | undefined {
  if (key === 'url' || key.endsWith('_url') || key === 'invoice_pdf') return 'url';
  if (key === 'client_secret') return 'client_secret';
  return key === 'secret' ? 'secret' : undefined;
}

const WELL_FORMED: Readonly<Record<'url' | 'client_secret' | 'secret', (value: string) => boolean>> = {
  // An absolute link, or a list's own path.
  url: (value) => value.startsWith('/v1/') || URL.canParse(value),
  // `pi_…_secret_…`, `src_client_secret_…`, `accs_secret__…`, a Customer Session's `_…`.
  client_secret: (value) => /^\w{24,}$/.test(value) && (value.includes('secret') || value.startsWith('_')),
  // `whsec_…`, `pst_test_…`, `ek_test_…`
  secret: (value) => /^(whsec|pst_test|ek_test)_\w{24,}$/.test(value),
};

/** Objects no API makes, which obtain.ts stored from the model's defaults: no links to check. */
const MADE_FROM_DEFAULTS = new Set(['source_mandate_notification']);

/** What the links and secrets scan found so far. */
const links = { bad: [] as string[], unserved: [] as string[], served: 0 };

/**
 * Scans the objects checked since the last call: every url, client_secret and secret well-formed,
 * and every link to the emulator itself answered (its hosted pages, file contents). Run at the end
 * of each step, before a later one deletes what a page shows.
 */
async function checkLinks(): Promise<void> {
  const own = new Map<string, [string, EmulatorHarness]>();
  const walk = (value: unknown, path: string, where: string, from: EmulatorHarness | null) => {
    if (Array.isArray(value)) for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`, where, from);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [key, v] of Object.entries(value)) {
      walk(v, `${path}.${key}`, where, from);
      const kind = linkKind(key);
      if (!kind || v === null) continue;
      if (typeof v !== 'string' || !WELL_FORMED[kind](v))
        links.bad.push(`${where} ${path}.${key}: ${JSON.stringify(v)}`);
      else if (kind === 'url' && from && v.startsWith(`${from.emulator.url}/`))
        own.set(v, [`${where} ${path}.${key}`, from]);
    }
  };
  for (const [where, object, from] of pending.splice(0))
    if (!MADE_FROM_DEFAULTS.has(String(object.object))) walk(object, String(object.object), where, from);
  for (const [url, [where, from]] of own) {
    const response = await from.emulator
      .fetch(new Request(url, { headers: { Authorization: `Bearer ${from.emulator.key}` } }))
      .catch((error: Error) => new Response(error.message, { status: 599 }));
    if (response.status < 400) links.served++;
    else links.unserved.push(`${where}: ${url} answers ${response.status}`);
    await response.body?.cancel();
  }
}

const SWEPT = new Set(['retrieve', 'search', 'update', 'action', 'delete']);

/** Parameters an update sends: a metadata change where it takes metadata. */
const UPDATE = { metadata: { swept: 'yes' } };

/** A request for `route` on an object of its resource: the demo data's, or a fresh one for deletes. */
function sweepRequest(route: Route): Request | undefined {
  const addressed = route.op.kind === 'action' && route.subject ? route.subject : route;
  const resource = addressed.resources[0];
  const query = requiredValues(route.op.query, resource ?? '');
  const body = requiredValues(route.op.body, resource ?? '');
  const params: JsonObject =
    route.op.kind === 'update' && route.op.body.some((p) => p.name === 'metadata')
      ? { ...UPDATE, ...body }
      : { ...query, ...body };
  if (route.op.kind === 'search') params.query = 'created>0';
  if (route.target === undefined) {
    // Addressed by its path alone (a singleton, an action that makes a new object): obtained parents.
    let missing = false;
    const path = route.op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const parent = route.parents.find((p) => p.param === name)?.resources[0];
      const id = parent ? obtain(parent, 1)?.id : undefined;
      if (!id) missing = true;
      return encodeURIComponent(id ?? '');
    });
    return missing ? undefined : { path, params };
  }
  if (!resource) return undefined;
  const entry =
    route.op.kind === 'delete' && createRoute(resource)
      ? obtain(resource)
      : (stored(resource) ?? obtain(resource));
  const path = entry && pathFor(route, entry);
  return path ? { path, params } : undefined;
}

describe(`every object matches stripe-node ${declarations.version}'s declarations`, () => {
  it('lists: every object of every list with demo data', async () => {
    const found: [string, JsonObject][] = [];
    // A list whose resource the demo data holds answers a page.
    const unanswered: string[] = [];
    for (const route of api.routes) {
      if (route.op.kind !== 'list' || route.op.subject || route.op.paged !== 'list') continue;
      const page = listPage(route);
      for (const item of page) found.push([`GET ${route.op.path}`, item]);
      if (page.length > 0) answered.add(key(route));
      const held = route.resources.some((r) => [...h.emulator.store.platform.all(r)].length > 0);
      if (held && page.length === 0) unanswered.push(route.op.path);
    }
    const result = check(found);
    await checkLinks();
    console.log(`lists: ${result.conforming} of ${result.checked} objects conform`);
    console.log(`event types skipped (not Stripe's): ${[...result.undeclaredEvents].sort().join(', ')}`);
    expect(unanswered.sort()).toEqual(Object.keys(NO_PAGE).sort());
    expect(Object.fromEntries(result.problems)).toEqual({});
  });

  it('creates: the answer of every create', async () => {
    const resources = [...api.registry.resources.keys()].filter((r) => createRoute(r)).sort();
    const found: [string, JsonObject][] = [];
    const failed: string[] = [];
    for (const resource of resources) {
      createdResponses.delete(resource);
      try {
        obtain(resource);
      } catch (error) {
        failed.push(`${resource}: ${(error as Error).message}`);
      }
      const response = createdResponses.get(resource);
      if (response) {
        found.push([`POST ${createRoute(resource)!.op.path}`, response]);
        answered.add(key(createRoute(resource)!));
      }
    }
    const result = check(found);
    await checkLinks();
    console.log(
      `creates: ${result.conforming} of ${result.checked} objects conform (${failed.length} failed)`,
    );
    // Every create answers, with an object of its resource.
    expect(failed).toEqual([]);
    expect(found.map(([, object]) => object.object)).toEqual(resources);
    expect(Object.fromEntries(result.problems)).toEqual({});
  });

  it('expanded references and includable properties, in full', async () => {
    const expanded: [string, string[]][] = [
      ['/v1/charges', ['data.customer', 'data.balance_transaction', 'data.payment_intent', 'data.refunds']],
      [
        '/v1/customers',
        ['data.sources', 'data.subscriptions', 'data.tax_ids', 'data.tax', 'data.cash_balance'],
      ],
      ['/v1/prices', ['data.currency_options', 'data.tiers', 'data.product']],
      ['/v1/invoices', ['data.customer', 'data.subscription', 'data.lines.data.price']],
      ['/v1/subscriptions', ['data.items.data.price', 'data.latest_invoice', 'data.default_payment_method']],
      ['/v1/checkout/sessions', ['data.line_items', 'data.payment_intent', 'data.customer']],
    ];
    const found: [string, JsonObject][] = [];
    const empty: string[] = [];
    for (const [path, expand] of expanded) {
      const page = h.emulator.service.call('GET', path, { limit: 100 }, { expand });
      for (const item of page.data as JsonObject[]) found.push([`GET ${path} expanding ${expand}`, item]);
      if ((page.data as JsonObject[]).length === 0) empty.push(path);
    }
    // The demo data holds objects of every one of these lists.
    expect(empty).toEqual([]);
    const result = check(found);
    await checkLinks();
    expect(Object.fromEntries(result.problems)).toEqual({});
    // Includable properties come only when expanded.
    const prices = h.emulator.service.call('GET', '/v1/prices', { limit: 3 });
    for (const price of prices.data as JsonObject[]) {
      expect(price).not.toHaveProperty('currency_options');
      expect(price).not.toHaveProperty('tiers');
    }
    const charges = h.emulator.service.call('GET', '/v1/charges', { limit: 3 });
    for (const charge of charges.data as JsonObject[]) expect(charge.refunds).toBeNull();
  });

  it('retrieves, searches, updates, actions and deletes: every answer', async () => {
    const found: [string, JsonObject][] = [];
    // Deletions last, on objects made for them where the resource has a create.
    const routes = api.routes
      .filter((r) => (SWEPT.has(r.op.kind) || TARGETED[key(r)]) && !r.op.preview && !r.op.produces)
      .sort((a, b) => Number(a.op.kind === 'delete') - Number(b.op.kind === 'delete'));
    for (const route of routes) {
      let body: JsonObject | undefined;
      try {
        const request: Request | undefined = TARGETED[key(route)]?.() ?? sweepRequest(route);
        if (!request) continue;
        body = h.emulator.service.call(request.method ?? route.method, request.path, request.params ?? {});
      } catch {
        // An object in a state the operation refuses: the targeted requests and the examples reach it.
        continue;
      }
      const objects = objectsOf(body);
      for (const object of objects) found.push([key(route), object]);
      if (objects.length > 0) answered.add(key(route));
    }
    const result = check(found);
    await checkLinks();
    console.log(`swept: ${result.conforming} of ${result.checked} objects conform`);
    expect(Object.fromEntries(result.problems)).toEqual({});
  });

  it("the answers of stripe-node's generated examples", async () => {
    examples = await startEmulatorHarness();
    const { answers } = await replayExamples(examples);
    const found: [string, JsonObject][] = [];
    for (const answer of answers) {
      if (answer.status >= 400) continue;
      const route = api.router.match(answer.method, answer.path)?.route;
      const objects = objectsOf(answer.body as JsonObject);
      if (!route) continue;
      for (const object of objects) found.push([key(route), object]);
      if (objects.length > 0) answered.add(key(route));
    }
    const result = check(found, null);
    await checkLinks();
    console.log(`examples' answers: ${result.conforming} of ${result.checked} objects conform`);
    expect(Object.fromEntries(result.problems)).toEqual({});
  });

  it('coverage: the operations whose answers were checked', () => {
    const json = api.routes.filter((r) => !r.op.preview && !r.op.produces);
    const missed = json.filter((r) => !answered.has(key(r))).map(key);
    console.log(
      `operations checked: ${json.length - missed.length} of ${json.length} (JSON, not preview APIs)`,
    );
    expect(missed.sort()).toEqual(Object.keys(UNREACHED).sort());
  });

  it('every url, client_secret and secret is well-formed, and the emulator serves its own links', () => {
    expect(links.bad).toEqual([]);
    expect(links.unserved).toEqual([]);
    expect(links.served).toBeGreaterThan(5);
  });

  it('the oracle is stripe-node for API 2024-04-10 and knows the objects', () => {
    expect(declarations.version).toBe('15.3.0');
    expect(declarations.objects().length).toBeGreaterThan(120);
    expect(stored('customer')).toBeDefined();
  });
});
