/**
 * stripe-node v15.3.0's generated examples (written for stripe-mock) replayed through the `stripe`
 * SDK against the emulator (stripe-node-examples.test.ts checks they pass, shapes.test.ts checks
 * the objects they get back). The facts of each example (SDK call and arguments) are in
 * stripe-node-examples.json, extracted by scripts/extract-stripe-examples.ts. Every placeholder id
 * (`cus_xxxxxxxxxxxxx`, `fa_123`…) is mapped to a demo object of the right family, and an example
 * that needs an object in a given state (an invoice to finalize, a PaymentIntent to capture) gets a
 * fresh one made for it (RECIPES). The examples that still fail are listed
 * with the reason in the test.
 */
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import type { StripeExample } from '../../scripts/extract-stripe-examples.ts';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import type { Entry, Scope } from '../../src/emulator/engine/store.ts';
import { TEST_US_BANK_ACCOUNT } from '../../src/emulator/seed/families.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { resourceForId } from '../../src/spec/prefixes.ts';
import { type EmulatorHarness, newOnboardedExpress } from './helpers.ts';
import { TAX_CALCULATION } from './obtain.ts';

/** The SDK the examples were generated for (stripe-node 15.3.0, API 2024-04-10), walked by name. */
type Sdk = Record<string, any>;

export const EXAMPLES = JSON.parse(
  readFileSync(new URL('./stripe-node-examples.json', import.meta.url), 'utf8'),
) as StripeExample[];

let h: EmulatorHarness;
let stripe: Sdk;

/** A JSON answer of the emulator to one of the examples' requests. */
export interface Answer {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/** What a replay gives: each failing example's `call: reason`, and the emulator's JSON answers. */
export interface Replay {
  failures: Record<string, string>;
  answers: Answer[];
}

/** Replays every example on `harness`'s emulator (deletions last, so the others find demo objects). */
export async function replayExamples(harness: EmulatorHarness): Promise<Replay> {
  h = harness;
  const answers: Answer[] = [];
  /** The emulator's fetch, keeping each JSON answer. */
  const recorded = async (request: Request): Promise<Response> => {
    const response = await h.emulator.fetch(request);
    if (response.headers.get('content-type')?.includes('json')) {
      const body: unknown = await response.clone().json();
      const { pathname } = new URL(request.url);
      answers.push({ method: request.method, path: pathname, status: response.status, body });
    }
    return response;
  };
  stripe = new Stripe(h.emulator.key, {
    // In-process: the SDK's requests go through the emulator's fetch handler.
    httpClient: Stripe.createFetchHttpClient((input: string, init?: RequestInit) =>
      recorded(new Request(input, init)),
    ),
    host: new URL(h.emulator.url).hostname,
    protocol: 'http',
    apiVersion: '2024-04-10',
    maxNetworkRetries: 0,
  }) as unknown as Sdk;
  const failures: Record<string, string> = {};
  const destructive = (e: StripeExample) => /\.(del|delete\w*)$/.test(e.call);
  const ordered = [...EXAMPLES.filter((e) => !destructive(e)), ...EXAMPLES.filter(destructive)];
  for (const example of ordered) {
    const failure = await run(example);
    if (failure) failures[example.name] = `${example.call}: ${failure}`;
  }
  return { failures, answers };
}

/** A placeholder id: a prefix and `xxxx…` or `123` (stripe-mock accepts anything). */
const PLACEHOLDER = /^([a-z]+(?:_[a-z]+)*?)_(?:x{4,}|xyz|123|1234)(?:_([a-z]+))?$/;

/** Placeholder prefixes that are not the resource's own prefix. */
const ALIASES: Readonly<Record<string, string>> = {
  acc: 'account',
  bot: 'treasury.outbound_payment',
  clock: 'test_helpers.test_clock',
  cs_test: 'checkout.session',
  link: 'file_link',
  pb: 'issuing.physical_bundle',
  pd: 'issuing.personalization_design',
  pl: 'payment_link',
  sess: 'checkout.session',
  sub_sched: 'subscription_schedule',
  taxid: 'tax_id',
  uc: 'terminal.configuration',
};

/** The resource of a namespace's own ids, where the examples use another family's prefix. */
const NAMESPACES: Readonly<Record<string, string>> = {
  coupons: 'coupon',
  paymentMethodConfigurations: 'payment_method_configuration',
  plans: 'plan',
  'testHelpers.issuing.authorizations': 'issuing.authorization',
  'testHelpers.issuing.transactions': 'issuing.transaction',
  'financialConnections.accounts': 'financial_connections.account',
  'financialConnections.transactions': 'financial_connections.transaction',
  'testHelpers.issuing.cards': 'issuing.card',
  'terminal.configurations': 'terminal.configuration',
};

interface Resolution {
  id: string;
  /** the connected account whose scope holds it */
  account?: string;
}

function resourceOf(prefix: string, namespace: string | undefined): string | undefined {
  if (namespace && NAMESPACES[namespace]) return NAMESPACES[namespace];
  if (ALIASES[prefix]) return ALIASES[prefix];
  const match = resourceForId(`${prefix}_x`);
  return match.kind === 'match' ? match.resource : undefined;
}

function scopes(): [string | undefined, Scope][] {
  const store = h.emulator.store;
  const out: [string | undefined, Scope][] = [[undefined, store.platform]];
  for (const account of store.platform.all('account')) out.push([account.id, store.scope(account.id)]);
  return out;
}

/** A demo object of `resource`, under `parent` when given. */
function demo(resource: string, parent?: string): Resolution | undefined {
  for (const [account, scope] of scopes()) {
    let found: Entry | undefined;
    for (const entry of scope.all(resource)) {
      if (parent && entry.parent !== parent && !Object.values(entry.data).includes(parent)) continue;
      found = entry;
      break;
    }
    if (found) return { id: found.id, ...(account ? { account } : {}) };
  }
  return parent ? demo(resource) : undefined;
}

/** The id of the object of the placeholder's family that owns `id` (its parent, or a prop naming it). */
function ownerOf(id: string, placeholder: string): string | undefined {
  const match = PLACEHOLDER.exec(placeholder);
  const resource = match ? resourceOf(match[1]!, undefined) : undefined;
  if (!resource) return undefined;
  for (const [, scope] of scopes()) {
    const entry = scope.find(id);
    if (!entry) continue;
    for (const candidate of [entry.parent, ...Object.values(entry.data)]) {
      if (typeof candidate !== 'string' || candidate === id) continue;
      const owner = scope.find(candidate) ?? h.emulator.store.platform.find(candidate);
      if (owner?.resource === resource) return candidate;
    }
  }
  return undefined;
}

/** The example's arguments with each placeholder replaced by a demo object's id. */
function resolve(example: StripeExample, given: Readonly<Record<string, string>>) {
  let overrides = given;
  const namespace = example.call.split('.').slice(0, -1).join('.');
  let account: string | undefined;
  let parent: string | undefined;
  const map = (value: unknown, positional: boolean, first: boolean, key = ''): unknown => {
    if (typeof value === 'string') {
      const override = overrides[`${key}:${value}`] ?? overrides[value];
      if (override) return override;
      const match = PLACEHOLDER.exec(value);
      // A made-up id where the namespace says what it names (`coupons.retrieve('Z4OV52SU')`).
      const named = positional && first && NAMESPACES[namespace] && value !== 'card_payments';
      if (!match && !named) return value;
      const resource = resourceOf(match?.[1] ?? '', positional && first ? namespace : undefined);
      if (!resource) return value;
      const found = demo(resource, positional && !first ? parent : undefined);
      if (!found) return value;
      if (positional && first) parent = found.id;
      account ??= found.account;
      return found.id;
    }
    if (Array.isArray(value)) return value.map((v) => map(v, false, false));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, map(v, false, false, k)]));
    return value;
  };
  // A child named beside its parent (`customers.retrieveTaxId(cus, txi)`): the child decides the parent.
  const [first, second] = example.args;
  if (typeof first === 'string' && typeof second === 'string' && !overrides[first] && !overrides[second]) {
    const child = PLACEHOLDER.exec(second);
    const resource = child && resourceOf(child[1]!, undefined);
    const found = resource ? demo(resource) : undefined;
    const owner = found && ownerOf(found.id, first);
    if (owner) overrides = { ...overrides, [first]: owner, [second]: found.id };
  }
  const args = example.args.map((arg, i) => map(arg, typeof arg === 'string', i === 0));
  return { args, account };
}

type Recipe = () => Record<string, string>;
const post = (path: string, params: JsonObject = {}) =>
  String(h.emulator.service.call('POST', path, params).id);
const demoId = (resource: string) => demo(resource)!.id;

const ACCOUNT = SEED.connected.account;
const customer = () => post('/v1/customers', { email: 'examples@example.com' });
/** The parameters of a token for Stripe's test US bank account. */
export const US_BANK_TOKEN: JsonObject = {
  bank_account: {
    country: 'US',
    currency: 'usd',
    account_holder_name: 'Jenny Rosen',
    account_holder_type: 'individual',
    ...TEST_US_BANK_ACCOUNT,
  },
};
const bankToken = () => post('/v1/tokens', US_BANK_TOKEN);
const externalAccount = (token: string) =>
  post(`/v1/accounts/${ACCOUNT}/external_accounts`, { external_account: token });
const pendingItem = (cus = customer()) =>
  post('/v1/invoiceitems', { customer: cus, amount: 1500, currency: 'usd' });
const draftInvoice = (params: JsonObject = {}, cus = customer()) => {
  pendingItem(cus);
  return post('/v1/invoices', { customer: cus, pending_invoice_items_behavior: 'include', ...params });
};
const openInvoice = (params: JsonObject = {}) => post(`/v1/invoices/${draftInvoice(params)}/finalize`);
const intent = (params: JsonObject = {}) =>
  post('/v1/payment_intents', { amount: 2000, currency: 'usd', ...params });
/** A bank account entered by hand: verified by microdeposits before it is debited or set up. */
const handEnteredBank = () =>
  post('/v1/payment_methods', {
    type: 'us_bank_account',
    us_bank_account: { routing_number: '110000000', account_number: '000123456789' },
    billing_details: { name: 'Jenny Rosen' },
  });
/** A PaymentIntent (or SetupIntent) whose bank account awaits its microdeposits' verification. */
const awaitingMicrodeposits = (path = '/v1/payment_intents') =>
  post(path, {
    ...(path === '/v1/payment_intents' ? { amount: 2000, currency: 'usd' } : {}),
    payment_method: handEnteredBank(),
    payment_method_types: ['us_bank_account'],
    confirm: true,
  });
const draftQuote = () =>
  post('/v1/quotes', { customer: customer(), line_items: [{ price: SEED.prices.tshirt, quantity: 1 }] });
const subscription = (params: JsonObject = {}) =>
  post('/v1/subscriptions', {
    customer: customer(),
    items: [{ price: SEED.prices.basicMonthly }],
    ...params,
  });
const pendingAuthorization = () =>
  post('/v1/test_helpers/issuing/authorizations', { card: demoId('issuing.card'), amount: 1000 });
/** A physical card (the demo card is virtual), its shipment pending. */
const physicalCard = () =>
  post('/v1/issuing/cards', {
    cardholder: demoId('issuing.cardholder'),
    currency: 'usd',
    type: 'physical',
    shipping: {
      name: 'Jenny Rosen',
      address: { line1: '1 Main St', city: 'SF', state: 'CA', postal_code: '94111', country: 'US' },
    },
  });
const financialAccount = () => demoId('treasury.financial_account');
const inboundTransfer = () =>
  post('/v1/treasury/inbound_transfers', {
    financial_account: financialAccount(),
    currency: 'usd',
    amount: 1_000,
    origin_payment_method: 'pm_usBankAccount',
  });
const outboundTransfer = () =>
  post('/v1/treasury/outbound_transfers', {
    financial_account: financialAccount(),
    currency: 'usd',
    amount: 500,
    destination_payment_method: 'pm_usBankAccount',
  });
const outboundPayment = () =>
  post('/v1/treasury/outbound_payments', {
    financial_account: financialAccount(),
    currency: 'usd',
    amount: 500,
    destination_payment_method_data: {
      type: 'us_bank_account',
      us_bank_account: { ...TEST_US_BANK_ACCOUNT, account_holder_type: 'company' },
    },
  });
const source = () => post('/v1/sources', { type: 'ach_credit_transfer', currency: 'usd' });
/** A new card payment method, `attached` to a new customer or held by none (never used: attachable). */
const cardPaymentMethod = (attached = false) => {
  const pm = post('/v1/payment_methods', { type: 'card', card: { token: 'tok_visa' } });
  if (attached) post(`/v1/payment_methods/${pm}/attach`, { customer: customer() });
  return pm;
};
/** A refund of a customer's cash balance: `requires_action` until the customer gives bank details. */
export const waitingRefund = (service = h.emulator.service) => {
  const cus = String(service.call('POST', '/v1/customers', { email: 'examples@example.com' }).id);
  service.call('POST', `/v1/test_helpers/customers/${cus}/fund_cash_balance`, {
    amount: 5000,
    currency: 'usd',
  });
  const params = { customer: cus, origin: 'customer_balance', amount: 2000, currency: 'usd' };
  return String(service.call('POST', '/v1/refunds', params).id);
};

/** Examples that need an object in a given state: placeholders mapped to objects made for them. */
const RECIPES: Readonly<Record<string, Recipe>> = {
  // Connect (deleting a fresh account leaves the demo account to the other examples)
  test_accounts_delete: () => ({
    acct_xxxxxxxxxxxxx: post('/v1/accounts', { type: 'custom', country: 'US' }),
  }),
  // (rejecting one leaves the demo account able to receive the transfers of other examples)
  test_accounts_reject_post: () => ({
    acct_xxxxxxxxxxxxx: post('/v1/accounts', { type: 'custom', country: 'US' }),
  }),
  test_accounts_external_accounts_get_5: () => ({ card_xxxxxxxxxxxxx: externalAccount('tok_visa_debit') }),
  test_accounts_external_accounts_post_4: () => ({ card_xxxxxxxxxxxxx: externalAccount('tok_visa_debit') }),
  test_accounts_external_accounts_delete: () => ({ ba_xxxxxxxxxxxxx: externalAccount(bankToken()) }),
  test_accounts_external_accounts_delete_2: () => ({ card_xxxxxxxxxxxxx: externalAccount('tok_visa_debit') }),
  test_accounts_external_accounts_post: () => ({ btok_xxxxxxxxxxxxx: bankToken() }),
  test_accounts_external_accounts_post_2: () => ({ tok_xxxx_debit: 'tok_visa_debit' }),
  test_accounts_login_links_post: () => ({ acct_xxxxxxxxxxxxx: newOnboardedExpress(h.emulator.service) }),
  test_accounts_persons_get_2: () => ({
    person_xxxxxxxxxxxxx: post(`/v1/accounts/${ACCOUNT}/persons`, {
      first_name: 'Jenny',
      last_name: 'Rosen',
    }),
  }),
  test_accounts_persons_delete: () => ({
    person_xxxxxxxxxxxxx: post(`/v1/accounts/${ACCOUNT}/persons`, {
      first_name: 'Jenny',
      last_name: 'Rosen',
    }),
  }),
  test_application_fees_refunds_get_2: () => {
    const fee = SEED.connected.applicationFee;
    return {
      fee_xxxxxxxxxxxxx: fee,
      fr_xxxxxxxxxxxxx: post(`/v1/application_fees/${fee}/refunds`, { amount: 100 }),
    };
  },
  // Payments
  test_charges_capture_post: () => ({
    ch_xxxxxxxxxxxxx: post('/v1/charges', {
      amount: 2000,
      currency: 'usd',
      source: 'tok_visa',
      capture: false,
    }),
  }),
  test_charges_post: () => ({ tok_xxxx: 'tok_visa' }),
  test_customers_sources_post_3: () => ({ tok_xxxx: 'tok_visa' }),
  test_customers_sources_post_2: () => ({ btok_xxxxxxxxxxxxx: bankToken() }),
  test_customers_sources_get_3: () => {
    const cus = customer();
    return {
      cus_xxxxxxxxxxxxx: cus,
      ba_xxxxxxxxxxxxx: post(`/v1/customers/${cus}/sources`, { source: bankToken() }),
    };
  },
  test_customers_sources_post_4: () => RECIPES.test_customers_sources_get_3!(),
  test_customers_sources_verify_post: () => RECIPES.test_customers_sources_get_3!(),
  test_customers_sources_delete: () => RECIPES.test_customers_sources_get_3!(),
  // Stripe cancels only a refund that waits for the customer: a refund of a cash balance.
  test_refunds_cancel_post: () => ({ re_xxxxxxxxxxxxx: waitingRefund() }),
  test_payment_intents_cancel_post: () => ({ pi_xxxxxxxxxxxxx: intent() }),
  // A payment method that paid without a customer cannot be attached (nor, so, detached) later.
  test_payment_methods_attach_post: () => ({ pm_xxxxxxxxxxxxx: cardPaymentMethod() }),
  test_payment_methods_detach_post: () => ({ pm_xxxxxxxxxxxxx: cardPaymentMethod(true) }),
  test_payment_intents_capture_post: () => ({
    pi_xxxxxxxxxxxxx: intent({
      payment_method: 'pm_card_visa',
      payment_method_types: ['card'],
      confirm: true,
      capture_method: 'manual',
    }),
  }),
  // The example confirms with no return_url: an intent for cards alone, which never redirect.
  test_payment_intents_confirm_post: () => ({ pi_xxxxxxxxxxxxx: intent({ payment_method_types: ['card'] }) }),
  test_payment_intents_verify_microdeposits_post: () => ({ pi_xxxxxxxxxxxxx: awaitingMicrodeposits() }),
  test_payment_intents_verify_microdeposits_post_2: () => ({ pi_xxxxxxxxxxxxx: awaitingMicrodeposits() }),
  // An authorization to raise (2,000 to the example's 2,099): a held PaymentIntent.
  test_payment_intents_increment_authorization_post: () => RECIPES.test_payment_intents_capture_post!(),
  test_setup_intents_cancel_post: () => ({ seti_xxxxxxxxxxxxx: post('/v1/setup_intents') }),
  // The example confirms with no return_url: a SetupIntent for cards alone, which never redirect.
  test_setup_intents_verify_microdeposits_post: () => ({
    seti_xxxxxxxxxxxxx: awaitingMicrodeposits('/v1/setup_intents'),
  }),
  test_setup_intents_verify_microdeposits_post_2: () => ({
    seti_xxxxxxxxxxxxx: awaitingMicrodeposits('/v1/setup_intents'),
  }),
  test_setup_intents_confirm_post: () => ({
    seti_xxxxxxxxxxxxx: post('/v1/setup_intents', { payment_method_types: ['card'] }),
  }),
  test_sources_get: () => ({ src_xxxxxxxxxxxxx: source() }),
  test_sources_get_2: () => ({ src_xxxxxxxxxxxxx: source() }),
  test_sources_post: () => ({ src_xxxxxxxxxxxxx: source() }),
  test_financial_connections_sessions_get: () => ({
    fcsess_xyz: post('/v1/financial_connections/sessions', {
      account_holder: { type: 'customer', customer: SEED.jenny.customer },
      permissions: ['balances'],
    }),
  }),
  test_financial_connections_sessions_get_2: () => ({
    fcsess_xxxxxxxxxxxxx: RECIPES.test_financial_connections_sessions_get!().fcsess_xyz!,
  }),
  // Billing
  test_invoiceitems_post_2: () => ({ ii_xxxxxxxxxxxxx: pendingItem() }),
  test_invoiceitems_delete: () => ({ ii_xxxxxxxxxxxxx: pendingItem() }),
  test_invoices_delete: () => ({ in_xxxxxxxxxxxxx: draftInvoice() }),
  test_invoices_finalize_post: () => ({ in_xxxxxxxxxxxxx: draftInvoice() }),
  test_invoices_mark_uncollectible_post: () => ({ in_xxxxxxxxxxxxx: openInvoice() }),
  test_invoices_pay_post: () => ({
    in_xxxxxxxxxxxxx: post(
      `/v1/invoices/${draftInvoice({}, post('/v1/customers', { source: 'tok_visa' }))}/finalize`,
    ),
  }),
  test_invoices_send_post: () => ({
    in_xxxxxxxxxxxxx: openInvoice({ collection_method: 'send_invoice', days_until_due: 30 }),
  }),
  test_invoices_void_post: () => ({ in_xxxxxxxxxxxxx: openInvoice() }),
  test_invoices_upcoming_get: () => ({ cus_9utnxg47pWjV1e: SEED.jenny.customer }),
  test_credit_notes_preview_get: () => {
    // A note previews what an invoice can still be credited: an open one of its own, and its line.
    const invoice = openInvoice();
    const lines = h.emulator.service.call('GET', `/v1/invoices/${invoice}/lines`, {}).data as JsonObject[];
    return { in_xxxxxxxxxxxxx: invoice, il_xxxxxxxxxxxxx: String(lines[0]!.id) };
  },
  test_credit_notes_preview_lines_get: () => ({ in_xxxxxxxxxxxxx: openInvoice() }),
  test_coupons_delete: () => ({ Z4OV52SU: post('/v1/coupons', { percent_off: 5, duration: 'once' }) }),
  test_promotion_codes_post: () => ({ 'coupon:Z4OV52SU': SEED.coupons.summer }),
  test_quotes_accept_post: () => ({ qt_xxxxxxxxxxxxx: post(`/v1/quotes/${draftQuote()}/finalize`) }),
  test_quotes_finalize_post: () => ({ qt_xxxxxxxxxxxxx: draftQuote() }),
  test_products_delete: () => ({ prod_xxxxxxxxxxxxx: post('/v1/products', { name: 'Examples' }) }),
  // The first demo subscription is Margaret's, canceled already.
  test_subscriptions_delete: () => ({ sub_xxxxxxxxxxxxx: subscription() }),
  test_subscription_items_post: () => ({
    sub_xxxxxxxxxxxxx: subscription(),
    price_xxxxxxxxxxxxx: SEED.prices.proMonthly,
  }),
  // Stripe keeps a subscription's last item: the one deleted is the second of two.
  test_subscription_items_delete: () => ({
    si_xxxxxxxxxxxxx: post('/v1/subscription_items', {
      subscription: subscription(),
      price: SEED.prices.proMonthly,
    }),
  }),
  test_subscriptions_post: () => ({ price_xxxxxxxxxxxxx: SEED.prices.basicMonthly }),
  // A schedule's phases take recurring prices, as subscriptions do.
  test_subscription_schedules_post: () => ({ price_xxxxxxxxxxxxx: SEED.prices.basicMonthly }),
  test_subscriptions_discount_delete: () => ({ sub_xyz: subscription({ coupon: SEED.coupons.summer }) }),
  test_subscription_schedules_release_post: () => ({
    sub_sched_xxxxxxxxxxxxx: post('/v1/subscription_schedules', { from_subscription: subscription() }),
  }),
  test_test_helpers_test_clocks_advance_post: () => ({
    clock_xyz: post('/v1/test_helpers/test_clocks', { frozen_time: 100 }),
  }),
  test_test_helpers_test_clocks_advance_post_2: () => ({
    clock_xxxxxxxxxxxxx: post('/v1/test_helpers/test_clocks', { frozen_time: 1_675_552_000 }),
  }),
  // Issuing
  test_issuing_authorizations_approve_post: () => ({ iauth_xxxxxxxxxxxxx: pendingAuthorization() }),
  test_issuing_authorizations_decline_post: () => ({ iauth_xxxxxxxxxxxxx: pendingAuthorization() }),
  test_test_helpers_issuing_authorizations_capture_post: () => ({
    example_authorization: pendingAuthorization(),
  }),
  test_test_helpers_issuing_authorizations_expire_post: () => ({
    example_authorization: pendingAuthorization(),
  }),
  test_test_helpers_issuing_authorizations_increment_post: () => ({
    example_authorization: pendingAuthorization(),
  }),
  test_test_helpers_issuing_authorizations_reverse_post: () => ({
    example_authorization: pendingAuthorization(),
  }),
  test_test_helpers_issuing_authorizations_post: () => ({ 'card:foo': demoId('issuing.card') }),
  // Identity: a session changes its check only while it requires input.
  test_identity_verification_sessions_post_2: () => ({
    vs_xxxxxxxxxxxxx: post('/v1/identity/verification_sessions', { type: 'document' }),
  }),
  // Radar: the example adds an IP address, and the demo list blocks email addresses.
  test_radar_value_list_items_post: () => ({
    rsl_xxxxxxxxxxxxx: post('/v1/radar/value_lists', {
      alias: 'examples_ip_blocklist',
      name: 'Blocked IPs',
      item_type: 'ip_address',
    }),
  }),
  // Terminal: test mode registers a simulated reader only (the example's code is a physical one's).
  test_terminal_readers_post: () => ({ 'puppies-plug-could': 'simulated-wpe' }),
  // Terminal: a reader of its own, so the demo reader is not left busy for the other examples.
  test_terminal_readers_process_payment_intent_post: () => ({
    tmr_xxxxxxxxxxxxx: post('/v1/terminal/readers', { registration_code: 'simulated-wpe' }),
    pi_xxxxxxxxxxxxx: intent({ payment_method_types: ['card_present'] }),
  }),
  // Tax: a transaction records a calculation (made for an address the emulator can tax).
  test_tax_transactions_create_from_calculation_post: () => ({
    'calculation:xxx': post('/v1/tax/calculations', TAX_CALCULATION),
  }),
  ...Object.fromEntries(
    ['ship', 'deliver', 'return', 'fail'].map((step) => [
      `test_test_helpers_issuing_cards_shipping_${step}_post`,
      () => ({ card_123: physicalCard() }),
    ]),
  ),
  test_test_helpers_issuing_transactions_create_force_capture_post: () => ({
    'card:foo': demoId('issuing.card'),
  }),
  test_test_helpers_issuing_transactions_create_unlinked_refund_post: () => ({
    'card:foo': demoId('issuing.card'),
  }),
  // Treasury
  test_test_helpers_treasury_inbound_transfers_fail_post: () => ({ ibt_123: inboundTransfer() }),
  test_test_helpers_treasury_inbound_transfers_succeed_post: () => ({ ibt_123: inboundTransfer() }),
  // A return takes back what the transfer brought: one of its own, so the demo account keeps its cash.
  test_test_helpers_treasury_inbound_transfers_return_post: () => ({
    ibt_123: post(`/v1/test_helpers/treasury/inbound_transfers/${inboundTransfer()}/succeed`),
  }),
  test_treasury_inbound_transfers_cancel_post: () => ({ ibt_xxxxxxxxxxxxx: inboundTransfer() }),
  test_test_helpers_treasury_outbound_transfers_post_post: () => ({ obt_123: outboundTransfer() }),
  test_test_helpers_treasury_outbound_transfers_return_post: () => ({
    obt_123: post(`/v1/test_helpers/treasury/outbound_transfers/${outboundTransfer()}/post`),
  }),
  test_treasury_outbound_transfers_cancel_post: () => ({ obt_xxxxxxxxxxxxx: outboundTransfer() }),
  test_treasury_outbound_payments_cancel_post: () => ({ bot_xxxxxxxxxxxxx: outboundPayment() }),
  // An outbound payment takes only the account's cash: money comes in first (an inbound transfer
  // brings none until it succeeds).
  test_treasury_outbound_payments_post: () => {
    post('/v1/test_helpers/treasury/received_credits', {
      financial_account: financialAccount(),
      network: 'ach',
      amount: 10_000,
      currency: 'usd',
    });
    return {};
  },
  test_treasury_credit_reversals_post: () => ({
    rc_xxxxxxxxxxxxx: post('/v1/test_helpers/treasury/received_credits', {
      financial_account: financialAccount(),
      network: 'ach',
      amount: 1234,
      currency: 'usd',
    }),
  }),
  test_treasury_debit_reversals_post: () => ({
    rd_xxxxxxxxxxxxx: post('/v1/test_helpers/treasury/received_debits', {
      financial_account: financialAccount(),
      network: 'ach',
      amount: 1234,
      currency: 'usd',
    }),
  }),
  // Apps
  test_apps_secrets_find_get: () => ({
    sec_123: String(
      h.emulator.service.call('POST', '/v1/apps/secrets', {
        name: 'sec_123',
        payload: 'text',
        scope: { type: 'account' },
      }).name,
    ),
  }),
};

async function run(example: StripeExample): Promise<string | undefined> {
  let overrides: Record<string, string>;
  try {
    overrides = RECIPES[example.name]?.() ?? {};
  } catch (error) {
    return `its recipe failed: ${(error as Error).message}`;
  }
  const { args, account } = resolve(example, overrides);
  const parts = example.call.split('.');
  const method = parts.pop()!;
  let target: Sdk | undefined = stripe;
  for (const part of parts) target = target?.[part];
  if (typeof target?.[method] !== 'function') return `the SDK has no ${example.call}`;
  try {
    // The SDK sends file downloads (`quotes.pdf`) to files.stripe.com: the emulator serves both hosts.
    await target[method](...args, { host: '127.0.0.1', ...(account ? { stripeAccount: account } : {}) });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
