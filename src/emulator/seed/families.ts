/**
 * The demo data of Stripe's product families beyond payments and billing: Issuing, Terminal,
 * Treasury, Financial Connections, Identity, Radar, Climate, quotes, subscription schedules, test
 * clocks, checkout and payment links, files, reporting, tax registrations and the account's tax id,
 * entitlements, meters and the account's settings objects. Made through the API's own create
 * operations (so every object is complete and consistent); the reference data Stripe provides and
 * no endpoint creates (climate products, physical bundles, a linked bank account, a verification
 * report) is stored directly, as the seed stores country specs. Objects whose default state would mislead (a closed financial
 * account) are moved to the state a live account shows.
 */
import type { Ctx } from '../engine/context.ts';
import { contentsUrl, writeFileContents } from '../engine/file-contents.ts';
import type { JsonObject } from '../engine/json.ts';
import { fundIssuing } from '../money/ledger.ts';
import { completeSession } from '../rules/checkout.ts';
import { cardYear, RETURN_URL, SEED, seedId } from './seed.ts';

/** `service.call` on the seed's clock, with preset ids for the resources named. */

/** The Sigma query's answer as CSV: the platform's charges summed by the month they were made. */
function monthlyRevenue(ctx: Ctx): string {
  const months = new Map<string, number>();
  for (const charge of ctx.scope.all('charge')) {
    const month = `${new Date(Number(charge.data.created) * 1000).toISOString().slice(0, 7)}-01`;
    months.set(month, (months.get(month) ?? 0) + Number(charge.data.amount ?? 0));
  }
  const rows = [...months].sort(([a], [b]) => a.localeCompare(b)).map(([m, sum]) => `${m},${sum}`);
  return ['month,sum', ...rows].join('\n') + '\n';
}

export type SeedCall = (
  method: string,
  path: string,
  params?: JsonObject,
  ids?: Record<string, string | string[]>,
) => JsonObject;

/** Direct store access in a transaction, on the seed's clock. */
export type SeedTransaction = (fn: (ctx: Ctx) => void) => void;

const HQ = {
  line1: '510 Townsend St',
  city: 'San Francisco',
  state: 'CA',
  postal_code: '94103',
  country: 'US',
};

/** Reference data Stripe provides: a climate supplier and product, a physical bundle. */
function referenceData(ctx: Ctx): void {
  const supplier = ctx.build(
    'climate.supplier',
    {
      info_url: 'https://frontierclimate.com/',
      locations: [],
      name: 'Frontier portfolio',
      removal_pathway: 'direct_air_capture',
    },
    SEED.climate.supplier,
  );
  ctx.insert('climate.supplier', supplier);
  ctx.insert(
    'climate.product',
    ctx.build(
      'climate.product',
      {
        current_prices_per_metric_ton: {
          usd: { amount_fees: 3_300, amount_subtotal: 50_000, amount_total: 53_300 },
        },
        delivery_year: 2027,
        metric_tons_available: '10000',
        name: 'Frontier 2027 offtake portfolio',
        suppliers: [supplier],
      },
      SEED.climate.product,
    ),
  );
  ctx.insert(
    'issuing.physical_bundle',
    ctx.build(
      'issuing.physical_bundle',
      {
        features: { card_logo: 'optional', carrier_text: 'optional', second_line: 'optional' },
        name: 'Standard',
        status: 'active',
        type: 'standard',
      },
      SEED.issuing.physicalBundle,
    ),
  );
}

/** Stripe's test US bank account (ACH), for payment methods and payouts in the demo data. */
export const TEST_US_BANK_ACCOUNT = { routing_number: '110000000', account_number: '000123456789' } as const;

/** The balance transaction funding the demo's Issuing balance. */
export const ISSUING_FUNDING = seedId('balance_transaction', 'issuing-funding');

/**
 * The families' demo data; `today` is the boot day's midnight (UTC), for what is dated from the
 * boot rather than in the seed's history.
 */
export function seedFamilies(call: SeedCall, transaction: SeedTransaction, today: number): void {
  transaction(referenceData);
  const settle = (resource: string, id: unknown, fields: JsonObject) =>
    transaction((ctx) => {
      ctx.set(ctx.require(String(id), [resource]), fields);
    });

  // The newest customers (the first a customer list shows): cards and invoices with lines.
  const invoiced = (customer: string, lines: [string, number][], collect: 'pay' | 'send') => {
    for (const [description, amount] of lines)
      call('POST', '/v1/invoiceitems', { customer, amount, currency: 'usd', description });
    const invoice = call('POST', '/v1/invoices', {
      customer,
      pending_invoice_items_behavior: 'include',
      ...(collect === 'send' ? { collection_method: 'send_invoice', days_until_due: 14 } : {}),
    });
    call('POST', `/v1/invoices/${String(invoice.id)}/finalize`, {});
    if (collect === 'pay') call('POST', `/v1/invoices/${String(invoice.id)}/pay`, {});
  };
  /** A card token valid for years after the boot (the magic `tok_…` cards expire next year). */
  const token = (number: string, years: number) =>
    String(
      call('POST', '/v1/tokens', {
        card: { number, exp_month: '6', exp_year: cardYear(today, years), cvc: '123' },
      }).id,
    );
  call('POST', `/v1/customers/${SEED.dennis.customer}/sources`, { source: token('371449635398431', 5) });
  invoiced(
    SEED.dennis.customer,
    [
      ['Workshop seat', 45_000],
      ['Course materials', 4_900],
    ],
    'pay',
  );
  call('POST', `/v1/customers/${SEED.barbara.customer}/sources`, {
    source: token('5555555555554444', 4),
  });
  invoiced(SEED.barbara.customer, [['Consulting, March', 120_000]], 'pay');
  invoiced(SEED.tim.customer, [['Annual support', 60_000]], 'send');

  // Checkout, payment links, shipping, payment method settings.
  call('POST', '/v1/shipping_rates', {
    display_name: 'Ground shipping',
    type: 'fixed_amount',
    fixed_amount: { amount: 500, currency: 'usd' },
    delivery_estimate: {
      minimum: { unit: 'business_day', value: 3 },
      maximum: { unit: 'business_day', value: 5 },
    },
  });
  call('POST', '/v1/payment_links', { line_items: [{ price: SEED.prices.tshirt, quantity: 1 }] });
  call('POST', '/v1/checkout/sessions', {
    mode: 'payment',
    customer: SEED.linus.customer,
    success_url: 'https://shop.example.com/thanks',
    line_items: [{ price: SEED.prices.tshirt, quantity: 2 }],
  });
  // A completed one: the customer paid on the hosted page.
  const paid = call('POST', '/v1/checkout/sessions', {
    mode: 'payment',
    customer: SEED.margaret.customer,
    success_url: 'https://shop.example.com/thanks',
    line_items: [{ price: SEED.prices.tshirt, quantity: 1 }],
  });
  const entered = call('POST', '/v1/payment_methods', {
    type: 'card',
    card: { number: '4242424242424242', exp_month: '3', exp_year: cardYear(today, 5), cvc: '123' },
  });
  transaction((ctx) => {
    completeSession(ctx, ctx.require(String(paid.id), ['checkout.session']), String(entered.id));
  });
  call('POST', '/v1/payment_method_configurations', { name: 'Checkout defaults' });
  call('POST', '/v1/payment_method_domains', { domain_name: 'shop.example.com' });
  call('POST', '/v1/apple_pay/domains', { domain_name: 'pay.example.com' });

  // Billing: a legacy plan, a quote, a schedule, a credit note, a meter, the portal, entitlements.
  call('POST', '/v1/plans', {
    currency: 'usd',
    interval: 'month',
    amount: 900,
    product: SEED.products.basic,
    nickname: 'Basic (legacy plan)',
  });
  call('POST', '/v1/quotes', {
    customer: SEED.katherine.customer,
    line_items: [{ price: SEED.prices.proMonthly, quantity: 5 }],
    description: 'Team plan for five seats',
    // Live at the boot (a quote is canceled at its expiry): a month from then, as a new one's.
    expires_at: today + 30 * 86_400,
  });
  call('POST', '/v1/subscription_schedules', {
    customer: SEED.barbara.customer,
    // Starts in a month: not started at the boot.
    start_date: today + 30 * 86_400,
    end_behavior: 'release',
    phases: [{ items: [{ price: SEED.prices.basicMonthly }], iterations: 12 }],
  });
  call('POST', '/v1/credit_notes', {
    invoice: SEED.jenny.invoice,
    amount: 500,
    reason: 'order_change',
    memo: 'Seat removed',
  });
  call('POST', '/v1/billing/meters', {
    display_name: 'API requests',
    event_name: 'api_request',
    default_aggregation: { formula: 'sum' },
  });
  // The account's default portal configuration: customers update their details and cancel.
  const portal = call('POST', '/v1/billing_portal/configurations', {
    business_profile: { headline: 'Manage your Emulator Demo plan' },
    features: {
      customer_update: { enabled: true, allowed_updates: ['email', 'name', 'phone'] },
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true },
      subscription_cancel: { enabled: true, mode: 'at_period_end' },
    },
  });
  settle('billing_portal.configuration', portal.id, { is_default: true });
  // Pro subscribers are entitled to priority support.
  const support = call('POST', '/v1/entitlements/features', {
    name: 'Priority support',
    lookup_key: 'priority_support',
  });
  call('POST', `/v1/products/${SEED.products.pro}/features`, { entitlement_feature: String(support.id) });
  call('POST', '/v1/test_helpers/test_clocks', {
    frozen_time: today,
    name: 'Renewal rehearsal',
  });

  // Payments: a top-up, a disputed charge, files.
  call('POST', '/v1/topups', { amount: 100_000, currency: 'usd', description: 'Float for refunds' });
  // Stripe's test card that is disputed as soon as it is charged.
  const disputed = call('POST', '/v1/payment_methods', {
    type: 'card',
    card: { number: '4000000000000259', exp_month: '2', exp_year: cardYear(today, 5), cvc: '123' },
  });
  const headphones = call('POST', '/v1/payment_intents', {
    amount: 8_000,
    currency: 'usd',
    customer: SEED.margaret.customer,
    payment_method: String(disputed.id),
    confirm: true,
    return_url: RETURN_URL,
    description: 'Headphones',
  });
  // Radar's warning that came before the dispute (only card networks create these).
  transaction((ctx) => {
    ctx.insert(
      'radar.early_fraud_warning',
      ctx.build('radar.early_fraud_warning', {
        actionable: false,
        charge: String(headphones.latest_charge),
        fraud_type: 'unauthorized_use_of_card',
        payment_intent: String(headphones.id),
      }),
    );
  });
  call('POST', '/v1/forwarding/requests', {
    payment_method: String(disputed.id),
    url: 'https://vault.example.com/cards',
    replacements: ['card_number', 'card_expiry'],
    request: { body: '{"card":"{{card_number}}"}' },
  });
  const file = call('POST', '/v1/files', { purpose: 'dispute_evidence', file: 'Receipt #1042' });
  call('POST', '/v1/file_links', { file: String(file.id) });

  // Tax, reporting, apps. The account's own tax id (`owner[type]=self`), which `/v1/tax_ids` lists.
  call('POST', '/v1/tax_ids', { type: 'us_ein', value: '12-3456789' });
  call('POST', '/v1/tax/registrations', {
    country: 'US',
    country_options: { us: { state: 'CA', type: 'state_sales_tax' } },
    active_from: 'now',
  });
  call('POST', '/v1/reporting/report_runs', {
    report_type: 'balance.summary.1',
    parameters: { interval_start: 1_711_929_600, interval_end: 1_714_521_600 },
  });
  call('POST', '/v1/apps/secrets', { name: 'webhook_token', payload: 'demo', scope: { type: 'account' } });

  // Radar: a payment in review (Radar's elevated-risk test card) and a value list.
  const risky = call('POST', '/v1/payment_methods', {
    type: 'card',
    card: { number: '4000000000009235', exp_month: '5', exp_year: cardYear(today, 5), cvc: '123' },
  });
  call('POST', '/v1/payment_intents', {
    amount: 24_900,
    currency: 'usd',
    customer: SEED.katherine.customer,
    payment_method: String(risky.id),
    confirm: true,
    return_url: RETURN_URL,
    description: 'Laptop stand (in review)',
  });
  const blocked = call('POST', '/v1/radar/value_lists', {
    alias: 'blocked_emails',
    name: 'Blocked emails',
    item_type: 'email',
  });
  call('POST', '/v1/radar/value_list_items', { value_list: String(blocked.id), value: 'fraud@example.com' });

  // Identity.
  call('POST', '/v1/identity/verification_sessions', { type: 'document', metadata: { user: 'jenny' } });

  // Climate.
  call('POST', '/v1/climate/orders', { product: SEED.climate.product, metric_tons: '0.5' });

  // Issuing: a cardholder with a virtual card, an authorization captured into a transaction, a dispute.
  const cardholder = call('POST', '/v1/issuing/cardholders', {
    name: 'Jenny Rosen',
    email: SEED.jenny.email,
    type: 'individual',
    billing: { address: HQ },
  });
  call('POST', '/v1/issuing/personalization_designs', {
    physical_bundle: SEED.issuing.physicalBundle,
    name: 'Emulator Demo card',
  });
  const card = call('POST', '/v1/issuing/cards', {
    cardholder: String(cardholder.id),
    currency: 'usd',
    type: 'virtual',
    status: 'active',
  });
  // The card added to a phone's wallet (only the card networks make these). And the Issuing balance
  // its purchases spend from, funded as the API cannot (money/ledger.ts).
  transaction((ctx) => {
    fundIssuing(ctx, 500_000, 'usd', ISSUING_FUNDING);
    ctx.insert(
      'issuing.token',
      ctx.build('issuing.token', {
        card: String(card.id),
        device_fingerprint: null,
        last4: String(card.last4),
        network: 'visa',
        network_updated_at: ctx.now,
        status: 'active',
        wallet_provider: 'apple_pay',
      }),
    );
  });
  const authorization = call('POST', '/v1/test_helpers/issuing/authorizations', {
    card: String(card.id),
    amount: 2_500,
    merchant_data: { name: 'Corner Cafe', category: 'eating_places_restaurants' },
  });
  call('POST', `/v1/test_helpers/issuing/authorizations/${String(authorization.id)}/capture`, {});
  // One still pending, as a card in use has.
  call('POST', '/v1/test_helpers/issuing/authorizations', {
    card: String(card.id),
    amount: 4_200,
    merchant_data: { name: 'Book Nook', category: 'book_stores' },
  });
  const purchase = call('POST', '/v1/test_helpers/issuing/transactions/create_force_capture', {
    card: String(card.id),
    amount: 1_200,
  });
  call('POST', '/v1/issuing/disputes', {
    transaction: String(purchase.id),
    evidence: { reason: 'fraudulent', fraudulent: { explanation: 'I did not make this purchase.' } },
  });

  // Terminal.
  call('POST', '/v1/terminal/configurations', { name: 'Counter readers' });
  const location = call('POST', '/v1/terminal/locations', { display_name: 'Headquarters', address: HQ });
  call('POST', '/v1/terminal/readers', {
    registration_code: 'simulated-wpe',
    label: 'Front desk',
    location: String(location.id),
  });

  // Treasury: a financial account with money in and out.
  const account = call('POST', '/v1/treasury/financial_accounts', {
    supported_currencies: ['usd'],
    features: {
      inbound_transfers: { ach: { requested: true } },
      outbound_payments: { ach: { requested: true } },
    },
  });
  settle('treasury.financial_account', account.id, { status: 'open' });
  const fa = String(account.id);
  const credit = call('POST', '/v1/test_helpers/treasury/received_credits', {
    financial_account: fa,
    currency: 'usd',
    amount: 50_000,
    network: 'ach',
    description: 'Invoice 1042 settlement',
  });
  const debit = call('POST', '/v1/test_helpers/treasury/received_debits', {
    financial_account: fa,
    currency: 'usd',
    amount: 1_000,
    network: 'ach',
  });
  call('POST', '/v1/treasury/credit_reversals', { received_credit: String(credit.id) });
  call('POST', '/v1/treasury/debit_reversals', { received_debit: String(debit.id) });
  const inbound = call('POST', '/v1/treasury/inbound_transfers', {
    financial_account: fa,
    currency: 'usd',
    amount: 10_000,
    origin_payment_method: 'pm_usBankAccount',
  });
  call('POST', `/v1/test_helpers/treasury/inbound_transfers/${String(inbound.id)}/succeed`, {});
  const payment = call('POST', '/v1/treasury/outbound_payments', {
    financial_account: fa,
    currency: 'usd',
    amount: 2_000,
    destination_payment_method_data: {
      type: 'us_bank_account',
      us_bank_account: { ...TEST_US_BANK_ACCOUNT, account_holder_type: 'company' },
    },
  });
  call('POST', `/v1/test_helpers/treasury/outbound_payments/${String(payment.id)}/post`, {});
  call('POST', '/v1/treasury/outbound_transfers', {
    financial_account: fa,
    currency: 'usd',
    amount: 3_000,
    destination_payment_method: 'pm_usBankAccount',
  });

  // Financial Connections and Identity results, which only a customer's own flow creates.
  transaction((ctx) => {
    ctx.insert(
      'financial_connections.account',
      ctx.build(
        'financial_connections.account',
        {
          account_holder: { customer: SEED.barbara.customer, type: 'customer' },
          category: 'cash',
          display_name: 'Checking',
          institution_name: 'StripeBank',
          last4: '6789',
          permissions: ['balances', 'ownership', 'payment_method'],
          status: 'active',
          subcategory: 'checking',
          supported_payment_method_types: ['us_bank_account'],
        },
        seedId('financial_connections.account', 'barbara-checking'),
      ),
    );
    // A second account, linked but never refreshed.
    ctx.insert(
      'financial_connections.account',
      ctx.build('financial_connections.account', {
        account_holder: { customer: SEED.barbara.customer, type: 'customer' },
        category: 'cash',
        display_name: 'Savings',
        institution_name: 'StripeBank',
        last4: '4321',
        permissions: ['balances'],
        status: 'active',
        subcategory: 'savings',
        supported_payment_method_types: ['us_bank_account'],
      }),
    );
    // Sigma: a scheduled query that ran, with its result file (the query's answer over the demo
    // charges, served at the file's url).
    const file = ctx.insert(
      'file',
      ctx.build('file', {
        filename: 'monthly_revenue.csv',
        purpose: 'sigma_scheduled_query',
        type: 'csv',
      }),
    );
    const size = writeFileContents(ctx, file.id, { type: 'text/csv', body: monthlyRevenue(ctx) });
    ctx.insert(
      'scheduled_query_run',
      ctx.build('scheduled_query_run', {
        data_load_time: ctx.now - 3600,
        file: ctx.current(ctx.set(file, { size, url: contentsUrl(ctx, file.id) })).data,
        result_available_until: ctx.now + 30 * 86_400,
        sql: "select date_trunc('month', created) as month, sum(amount) from charges group by 1",
        status: 'completed',
        title: 'Monthly revenue',
      }),
    );
    ctx.insert(
      'identity.verification_report',
      ctx.build('identity.verification_report', { type: 'document' }),
    );
  });
  call(
    'POST',
    `/v1/financial_connections/accounts/${seedId('financial_connections.account', 'barbara-checking')}/refresh`,
    { features: ['balance', 'ownership', 'transactions'] },
  );

  // A mandate: Barbara's bank account, accepted online for repeated debits (ACH).
  const bank = call('POST', '/v1/payment_methods', {
    type: 'us_bank_account',
    us_bank_account: { ...TEST_US_BANK_ACCOUNT, account_holder_type: 'individual' },
    billing_details: { name: 'Barbara Liskov', email: 'barbara.liskov@example.com' },
  });
  call('POST', `/v1/payment_methods/${String(bank.id)}/attach`, { customer: SEED.barbara.customer });
  transaction((ctx) => {
    ctx.insert(
      'mandate',
      ctx.build(
        'mandate',
        {
          customer_acceptance: {
            accepted_at: ctx.now,
            online: { ip_address: '127.0.0.1', user_agent: 'Mozilla/5.0' },
            type: 'online',
          },
          multi_use: {},
          payment_method: String(bank.id),
          payment_method_details: { type: 'us_bank_account', us_bank_account: {} },
          status: 'active',
          type: 'multi_use',
        },
        seedId('mandate', 'barbara-ach'),
      ),
    );
  });
}
