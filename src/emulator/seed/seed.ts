/**
 * The demo dataset the emulator boots with: deterministic (fixed ids for the objects tests name,
 * timestamps spread by a fixed seed over about two and a half years up to the boot day, the same
 * relative to it at any boot, a fixed random seed for everything else), built through the same
 * operations a client would call so every object is complete and consistent, and played up to
 * the boot as time passes on Stripe (rules/time.ts). The product families beyond payments and
 * billing are in `families.ts`.
 *
 * Ten customers (Jenny Rosen, jenny.rosen@example.com, with her Visa 4242 card, the card from
 * Stripe's own examples; every card is valid for years after the boot, `cardYear`),
 * products with one-time and recurring prices, subscriptions with items and paid invoices,
 * invoices in every state, charges (one refunded in part, one declined), payment and setup
 * intents, coupons, a promotion code, tax rates, webhook endpoints, a connected account with
 * capabilities, a bank account and transfers (one partly reversed), the platform's bank account and
 * a payout to it, an application fee, the platform's balance, and reference data (country specs, exchange rates, tax codes).
 */
import { createHash } from 'node:crypto';
import { ErrorReply } from '../engine/errors.ts';
import type { EmulatorHandle } from '../engine/handle.ts';
import { ID_SUFFIX_LENGTH, prefixOf } from '../engine/ids.ts';
import type { JsonObject } from '../engine/json.ts';
import { Random } from '../engine/random.ts';
import { PLATFORM_ACCOUNT_KEY } from '../engine/store.ts';
import { verificationFields } from '../rules/connect.ts';
import { addExternalAccount } from '../rules/sources.ts';
import { seedFamilies } from './families.ts';
import { seedPreview } from './preview.ts';

const SEED_RANDOM = 0x5eed;
const DAY = 86_400;
/**
 * How long before the boot day the demo data starts: its clock advances between objects by a few
 * days (drawn from a fixed seed), so its history spreads over about two and a half years up to
 * about two months before the boot; the objects in progress (a monthly subscription, a trial, a
 * pending item, a payout on its way) come in the last weeks (`recent`).
 */
const SEED_SPAN = 985 * DAY;
/** How long before the boot day the recent objects start (see `recent`). */
const RECENT = 45 * DAY;

/**
 * When the demo data starts for an emulator booted at `now`: at midnight (UTC), `SEED_SPAN`
 * before the boot day's. Its timeline is the same whatever the boot time, moved whole days.
 */
export function seedEpoch(now: number): number {
  return Math.floor(now / DAY) * DAY - SEED_SPAN;
}

/**
 * The year a seeded card expires: `years` after the boot's. The demo data is laid out relative to
 * the boot day, its cards too, so they stay chargeable at any boot (an expired card is declined).
 */
export function cardYear(now: number, years: number): string {
  return String(new Date(now * 1000).getUTCFullYear() + years);
}

/** A fixed id for a seeded object: the resource's prefix and a hash of its name. */
export function seedId(resource: string, name: string): string {
  const digest = createHash('sha256')
    .update(`${resource}:${name}`)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '');
  return `${prefixOf(resource)}_${digest.slice(0, ID_SUFFIX_LENGTH)}`;
}

const CUSTOMER_NAMES = [
  'Jenny Rosen',
  'Ada Lovelace',
  'Grace Hopper',
  'Alan Turing',
  'Katherine Johnson',
  'Linus Torvalds',
  'Margaret Hamilton',
  'Tim Berners-Lee',
  'Barbara Liskov',
  'Dennis Ritchie',
] as const;

const customerId = (name: string) => seedId('customer', name);

/**
 * Where the demo shop's payments send a customer back after a redirect: Stripe wants one to confirm
 * a PaymentIntent or a SetupIntent that takes the Dashboard's payment methods.
 */
export const RETURN_URL = 'https://shop.example.com/orders/complete';

/** Ids of the seeded objects tests and docs refer to. */
export const SEED = {
  platform: {
    account: 'acct_1EmulatorPlatform0',
    /** the platform's bank account, where its payouts go */
    bankAccount: seedId('bank_account', 'platform'),
  },
  jenny: {
    customer: customerId('Jenny Rosen'),
    email: 'jenny.rosen@example.com',
    /** Visa 4242, expiring in August four years after the boot: the card from Stripe's own examples */
    card: 'card_1NBLeN2eZvKYlo2CIq1o7Pzs',
    subscription: seedId('subscription', 'jenny-basic'),
    /** a manual invoice, paid, with two lines */
    invoice: seedId('invoice', 'jenny-manual'),
    /** the pending invoice item, not yet on an invoice */
    pendingInvoiceItem: seedId('invoiceitem', 'jenny-pending'),
    paymentIntent: seedId('payment_intent', 'jenny-succeeded'),
  },
  customers: CUSTOMER_NAMES.map(customerId),
  ada: { customer: customerId('Ada Lovelace'), subscription: seedId('subscription', 'ada-pro-trial') },
  grace: {
    customer: customerId('Grace Hopper'),
    /** $49.99, refunded $10 */
    charge: seedId('charge', 'grace'),
    refund: seedId('refund', 'grace'),
  },
  alan: {
    customer: customerId('Alan Turing'),
    paymentIntent: seedId('payment_intent', 'alan-succeeded'),
    /** waiting for a payment method */
    openPaymentIntent: seedId('payment_intent', 'alan-open'),
  },
  katherine: { customer: customerId('Katherine Johnson'), openInvoice: seedId('invoice', 'katherine-open') },
  linus: { customer: customerId('Linus Torvalds'), draftInvoice: seedId('invoice', 'linus-draft') },
  margaret: {
    customer: customerId('Margaret Hamilton'),
    canceledSubscription: seedId('subscription', 'margaret-canceled'),
  },
  tim: { customer: customerId('Tim Berners-Lee'), declinedCharge: seedId('charge', 'tim-declined') },
  barbara: { customer: customerId('Barbara Liskov'), setupIntent: seedId('setup_intent', 'barbara') },
  dennis: { customer: customerId('Dennis Ritchie'), taxId: seedId('tax_id', 'dennis') },
  products: {
    basic: seedId('product', 'basic'),
    pro: seedId('product', 'pro'),
    setup: seedId('product', 'setup'),
    tshirt: seedId('product', 'tshirt'),
  },
  prices: {
    /** $10 / month */
    basicMonthly: seedId('price', 'basic-monthly'),
    /** $25 / month */
    proMonthly: seedId('price', 'pro-monthly'),
    /** $250 / year */
    proYearly: seedId('price', 'pro-yearly'),
    /** $50 one-time */
    setupFee: seedId('price', 'setup-fee'),
    /** $20 one-time, the T-shirt's default price */
    tshirt: seedId('price', 'tshirt'),
  },
  coupons: { summer: 'SUMMER25', welcome: 'WELCOME10' },
  promotionCode: seedId('promotion_code', 'summer'),
  taxRates: { salesTax: seedId('tax_rate', 'ny-sales-tax'), vat: seedId('tax_rate', 'gb-vat') },
  webhookEndpoints: {
    all: seedId('webhook_endpoint', 'all'),
    billing: seedId('webhook_endpoint', 'billing'),
  },
  connected: {
    account: 'acct_1EmulatorConnect01',
    bankAccount: seedId('bank_account', 'connected'),
    /** $100, $25 reversed */
    transfer: seedId('transfer', 'connected-1'),
    reversal: seedId('transfer_reversal', 'connected-1'),
    /** $50 */
    secondTransfer: seedId('transfer', 'connected-2'),
    capabilities: ['card_payments', 'transfers'] as const,
    /** a customer in the connected account's own scope (Stripe-Account) */
    customer: seedId('customer', 'connected-customer'),
    applicationFee: seedId('application_fee', 'connected'),
  },
  payout: seedId('payout', 'weekly'),
  climate: {
    supplier: 'climsup_emulator_frontier',
    product: 'climsku_frontier_offtake_portfolio_2027',
  },
  issuing: { physicalBundle: 'ics_emulator_standard' },
} as const;

/**
 * Loads the demo data of an emulator booted at `now`: its history from `seedEpoch(now)`, played
 * up to the boot as time passes on Stripe (subscriptions renewed, payouts paid: rules/time.ts), so
 * that it is as fresh at any boot, and the same relative to it.
 */
export function seed(service: EmulatorHandle, now: number): void {
  const epoch = seedEpoch(now);
  let clock = epoch;
  const gaps = new Random(SEED_RANDOM + 1);
  const tick = () => (clock += gaps.int(2 * DAY, 9 * DAY) + gaps.int(0, DAY));
  const call = (
    method: string,
    path: string,
    params: JsonObject,
    ids: Record<string, string | string[]> = {},
    account?: string,
  ) => service.call(method, path, params, { now: tick(), ids, ...(account ? { account } : {}) });
  const random = new Random(SEED_RANDOM);
  service.withRandom(random, () => {
    service.transaction(
      (ctx) => {
        ctx.insert(
          'account',
          ctx.build(
            'account',
            {
              business_profile: ctx.sub('account_business_profile', {
                mcc: '5734',
                name: 'Emulator Demo Inc.',
                support_email: 'support@example.com',
                url: 'https://example.com',
              }),
              business_type: 'company',
              capabilities: { card_payments: 'active', transfers: 'active' },
              charges_enabled: true,
              country: 'US',
              default_currency: 'usd',
              details_submitted: true,
              email: 'owner@example.com',
              payouts_enabled: true,
              settings: null,
              type: 'standard',
            },
            SEED.platform.account,
          ),
          { singleton: PLATFORM_ACCOUNT_KEY },
        );
        // The balance is the sum of the balance transactions (src/emulator/money/ledger.ts): an opening one.
        ctx.insert(
          'balance_transaction',
          ctx.build(
            'balance_transaction',
            {
              amount: 1_250_000,
              available_on: ctx.now,
              currency: 'usd',
              description: 'Opening balance',
              exchange_rate: null,
              fee: 0,
              fee_details: [],
              net: 1_250_000,
              reporting_category: 'other_adjustment',
              source: null,
              status: 'available',
              type: 'adjustment',
            },
            'txn_emulator_opening_balance',
          ),
        );
        for (const [country, currencies] of [
          ['US', ['usd']],
          ['GB', ['gbp', 'eur', 'usd']],
          ['FR', ['eur', 'usd']],
        ] as const) {
          ctx.insert(
            'country_spec',
            ctx.build(
              'country_spec',
              {
                default_currency: currencies[0],
                supported_bank_account_currencies: Object.fromEntries(currencies.map((c) => [c, [country]])),
                supported_payment_currencies: [...currencies],
                supported_payment_methods: ['card'],
                supported_transfer_countries: ['US', 'GB', 'FR'],
                verification_fields: verificationFields(ctx.scope),
              },
              country,
            ),
          );
        }
        ctx.insert(
          'exchange_rate',
          ctx.build('exchange_rate', { rates: { eur: 0.92, gbp: 0.79, jpy: 151.6 } }, 'usd'),
        );
        for (const [id, name] of [
          ['txcd_99999999', 'General - Tangible Goods'],
          ['txcd_10000000', 'General - Electronically Supplied Services'],
          ['txcd_20030000', 'General - Services'],
        ] as const) {
          ctx.insert('tax_code', ctx.build('tax_code', { description: name, name }, id));
        }
        // Report types whose runs the emulator computes (rules/reporting.ts).
        for (const [id, name, columns] of [
          ['balance.summary.1', 'Balance summary', ['category', 'currency', 'net_amount']],
          [
            'balance_change_from_activity.itemized.1',
            'Balance change from activity',
            [
              'balance_transaction_id',
              'created_utc',
              'currency',
              'gross',
              'fee',
              'net',
              'reporting_category',
            ],
          ],
        ] as const)
          ctx.insert(
            'reporting.report_type',
            ctx.build(
              'reporting.report_type',
              {
                // Until the end of the demo data's last day, set once it is all in (below).
                data_available_end: epoch,
                data_available_start: epoch,
                default_columns: [...columns],
                name,
                updated: epoch,
                version: 1,
              },
              id,
            ),
          );
      },
      { now: tick() },
    );

    // Catalog.
    call('POST', '/v1/products', {
      id: SEED.products.basic,
      name: 'Basic plan',
      description: 'Everything to get started',
    });
    call('POST', '/v1/products', {
      id: SEED.products.pro,
      name: 'Pro plan',
      description: 'For growing teams',
    });
    call('POST', '/v1/products', { id: SEED.products.setup, name: 'Setup fee' });
    call(
      'POST',
      '/v1/products',
      {
        id: SEED.products.tshirt,
        name: 'T-shirt',
        shippable: true,
        default_price_data: { currency: 'usd', unit_amount: 2000 },
      },
      { price: SEED.prices.tshirt },
    );
    const price = (name: keyof typeof SEED.prices, params: JsonObject) =>
      call('POST', '/v1/prices', { currency: 'usd', ...params }, { price: SEED.prices[name] });
    price('basicMonthly', {
      product: SEED.products.basic,
      unit_amount: 1000,
      recurring: { interval: 'month' },
      lookup_key: 'basic_monthly',
    });
    price('proMonthly', {
      product: SEED.products.pro,
      unit_amount: 2500,
      recurring: { interval: 'month' },
      lookup_key: 'pro_monthly',
    });
    price('proYearly', {
      product: SEED.products.pro,
      unit_amount: 25_000,
      recurring: { interval: 'year' },
      lookup_key: 'pro_yearly',
    });
    price('setupFee', { product: SEED.products.setup, unit_amount: 5000, nickname: 'One-time setup' });
    call('POST', '/v1/coupons', {
      id: SEED.coupons.summer,
      name: 'Summer sale',
      percent_off: 25,
      duration: 'repeating',
      duration_in_months: 3,
    });
    call('POST', '/v1/coupons', {
      id: SEED.coupons.welcome,
      name: 'Welcome',
      amount_off: 1000,
      currency: 'usd',
      duration: 'once',
    });
    call(
      'POST',
      '/v1/promotion_codes',
      { coupon: SEED.coupons.summer, code: 'SUMMER25OFF' },
      { promotion_code: SEED.promotionCode },
    );
    call(
      'POST',
      '/v1/tax_rates',
      {
        display_name: 'Sales tax',
        percentage: 8.875,
        inclusive: false,
        country: 'US',
        state: 'NY',
        jurisdiction: 'US - NY',
      },
      { tax_rate: SEED.taxRates.salesTax },
    );
    call(
      'POST',
      '/v1/tax_rates',
      { display_name: 'VAT', percentage: 20, inclusive: true, country: 'GB' },
      { tax_rate: SEED.taxRates.vat },
    );
    call(
      'POST',
      '/v1/webhook_endpoints',
      { url: 'https://example.com/stripe/webhooks', enabled_events: ['*'], description: 'Everything' },
      { webhook_endpoint: SEED.webhookEndpoints.all },
    );
    call(
      'POST',
      '/v1/webhook_endpoints',
      {
        url: 'https://example.com/stripe/billing',
        enabled_events: ['invoice.paid', 'customer.subscription.updated'],
      },
      { webhook_endpoint: SEED.webhookEndpoints.billing },
    );

    // Customers, their cards and what they bought.
    // Stripe's test card numbers (the last one attaches but declines charges), valid for years
    // after the boot (the third number: the years after it they expire).
    const cards: Record<string, [number: string, month: number, years: number]> = {
      'Ada Lovelace': ['5555555555554444', 3, 3],
      'Grace Hopper': ['4242424242424242', 11, 4],
      'Alan Turing': ['378282246310005', 6, 5],
      'Katherine Johnson': ['4000056655665556', 9, 3],
      'Linus Torvalds': ['6011111111111117', 1, 6],
      'Margaret Hamilton': ['4242424242424242', 5, 4],
      'Tim Berners-Lee': ['4000000000000341', 12, 3],
    };
    const cardOf = ([number, month, years]: [string, number, number], name?: string) => ({
      number,
      exp_month: String(month),
      exp_year: cardYear(now, years),
      cvc: '123',
      ...(name ? { name } : {}),
    });
    /** A card payment method made from a test card number, valid `years` after the boot. */
    const paymentMethod = (number: string, month: number, years: number) =>
      String(call('POST', '/v1/payment_methods', { type: 'card', card: cardOf([number, month, years]) }).id);
    for (const name of CUSTOMER_NAMES) {
      const email =
        name === 'Jenny Rosen'
          ? SEED.jenny.email
          : `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`;
      const params: JsonObject = {
        name,
        email,
        description: `Demo customer ${name}`,
        metadata: { demo: 'true' },
      };
      const ids: Record<string, string> = { customer: customerId(name) };
      if (name === 'Jenny Rosen') {
        const token = call(
          'POST',
          '/v1/tokens',
          {
            card: {
              number: '4242424242424242',
              exp_month: '8',
              exp_year: cardYear(now, 4),
              cvc: '314',
              name,
            },
          },
          { card: SEED.jenny.card },
        );
        params.source = String(token.id);
        params.address = {
          line1: '510 Townsend St',
          city: 'San Francisco',
          state: 'CA',
          postal_code: '94103',
          country: 'US',
        };
        params.phone = '+14155550100';
      } else if (cards[name]) {
        params.source = String(call('POST', '/v1/tokens', { card: cardOf(cards[name], name) }).id);
      }
      call('POST', '/v1/customers', params, ids);
    }
    call(
      'POST',
      `/v1/customers/${SEED.dennis.customer}/tax_ids`,
      { type: 'eu_vat', value: 'DE123456789' },
      { tax_id: SEED.dennis.taxId },
    );

    // Jenny: a paid manual invoice, a succeeded payment intent (her subscription and pending item
    // are recent, below).
    call('POST', '/v1/invoiceitems', {
      customer: SEED.jenny.customer,
      price: SEED.prices.setupFee,
      description: 'Onboarding',
    });
    call('POST', '/v1/invoiceitems', {
      customer: SEED.jenny.customer,
      amount: 1500,
      currency: 'usd',
      description: 'Extra seats',
    });
    call(
      'POST',
      '/v1/invoices',
      {
        customer: SEED.jenny.customer,
        description: 'Onboarding and seats',
        pending_invoice_items_behavior: 'include',
      },
      { invoice: SEED.jenny.invoice },
    );
    call('POST', `/v1/invoices/${SEED.jenny.invoice}/pay`, {});
    call(
      'POST',
      '/v1/payment_intents',
      {
        amount: 4200,
        currency: 'usd',
        customer: SEED.jenny.customer,
        payment_method: paymentMethod('4242424242424242', 4, 5),
        confirm: true,
        return_url: RETURN_URL,
        description: 'Gift card',
      },
      { payment_intent: SEED.jenny.paymentIntent },
    );

    // Grace: a charge refunded in part.
    const ticket = {
      amount: 4999,
      currency: 'usd',
      customer: SEED.grace.customer,
      description: 'Conference ticket',
    };
    call('POST', '/v1/charges', ticket, { charge: SEED.grace.charge });
    const refund = { charge: SEED.grace.charge, amount: 1000, reason: 'requested_by_customer' };
    call('POST', '/v1/refunds', refund, { refund: SEED.grace.refund });
    // Alan: one payment intent paid, one waiting.
    call(
      'POST',
      '/v1/payment_intents',
      {
        amount: 12_000,
        currency: 'usd',
        customer: SEED.alan.customer,
        payment_method: paymentMethod('378282246310005', 10, 4),
        confirm: true,
        return_url: RETURN_URL,
      },
      { payment_intent: SEED.alan.paymentIntent },
    );
    call(
      'POST',
      '/v1/payment_intents',
      { amount: 3000, currency: 'usd', customer: SEED.alan.customer, description: 'Pending order' },
      { payment_intent: SEED.alan.openPaymentIntent },
    );
    // Katherine: an open invoice sent for payment; Linus: a draft.
    call('POST', '/v1/invoiceitems', {
      customer: SEED.katherine.customer,
      price: SEED.prices.proMonthly,
      quantity: 2,
    });
    call(
      'POST',
      '/v1/invoices',
      {
        customer: SEED.katherine.customer,
        collection_method: 'send_invoice',
        days_until_due: 30,
        pending_invoice_items_behavior: 'include',
      },
      { invoice: SEED.katherine.openInvoice },
    );
    call('POST', `/v1/invoices/${SEED.katherine.openInvoice}/finalize`, {});
    call('POST', '/v1/invoiceitems', {
      customer: SEED.linus.customer,
      amount: 9900,
      currency: 'usd',
      description: 'Consulting',
    });
    call(
      'POST',
      '/v1/invoices',
      // Not advanced automatically: it stays a draft as time passes.
      { customer: SEED.linus.customer, pending_invoice_items_behavior: 'include', auto_advance: false },
      { invoice: SEED.linus.draftInvoice },
    );
    // Margaret: a canceled subscription.
    call(
      'POST',
      '/v1/subscriptions',
      { customer: SEED.margaret.customer, items: [{ price: SEED.prices.proMonthly }] },
      { subscription: SEED.margaret.canceledSubscription },
    );
    call('DELETE', `/v1/subscriptions/${SEED.margaret.canceledSubscription}`, {});
    // Tim: a declined charge (kept with status failed).
    try {
      call(
        'POST',
        '/v1/charges',
        { amount: 2500, currency: 'usd', customer: SEED.tim.customer },
        { charge: SEED.tim.declinedCharge },
      );
    } catch (error) {
      if (!(error instanceof ErrorReply) || error.type !== 'card_error') throw error;
    }
    // Barbara: a saved card through a setup intent.
    call(
      'POST',
      '/v1/setup_intents',
      {
        customer: SEED.barbara.customer,
        payment_method: paymentMethod('5555555555554444', 7, 6),
        confirm: true,
        return_url: RETURN_URL,
        usage: 'off_session',
      },
      { setup_intent: SEED.barbara.setupIntent },
    );

    // Connect: an account with capabilities and a bank account; transfers, one partly reversed.
    call(
      'POST',
      '/v1/accounts',
      {
        type: 'custom',
        country: 'US',
        email: 'shop@example.com',
        business_type: 'company',
        business_profile: { name: 'Demo Shop', url: 'https://shop.example.com', mcc: '5734' },
        // Onboarded with Stripe's test values: nothing is due.
        company: {
          name: 'Demo Shop LLC',
          phone: '0000000000',
          tax_id: '000000000',
          address: { line1: 'address_full_match', city: 'San Francisco', state: 'CA', postal_code: '94103' },
        },
        tos_acceptance: { date: epoch, ip: '127.0.0.1' },
        capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
        external_account: 'btok_us_verified',
      },
      { account: SEED.connected.account, bank_account: SEED.connected.bankAccount },
    );
    call(
      'POST',
      '/v1/transfers',
      {
        amount: 10_000,
        currency: 'usd',
        destination: SEED.connected.account,
        description: 'April payout share',
      },
      { transfer: SEED.connected.transfer },
    );
    call(
      'POST',
      `/v1/transfers/${SEED.connected.transfer}/reversals`,
      { amount: 2500 },
      { transfer_reversal: SEED.connected.reversal },
    );
    call(
      'POST',
      '/v1/transfers',
      { amount: 5000, currency: 'usd', destination: SEED.connected.account },
      { transfer: SEED.connected.secondTransfer },
    );
    call(
      'POST',
      '/v1/customers',
      { name: 'Connected Customer', email: 'buyer@shop.example.com' },
      { customer: SEED.connected.customer },
      SEED.connected.account,
    );
    service.transaction(
      (ctx) => {
        ctx.insert(
          'application_fee',
          ctx.build(
            'application_fee',
            {
              account: SEED.connected.account,
              amount: 250,
              amount_refunded: 0,
              application: 'ca_EmulatorDemoApplication',
              balance_transaction: null,
              // Taken from the payment the transfer made on the connected account, as a
              // destination charge's fee is.
              charge: String(ctx.find(SEED.connected.transfer, ['transfer'])?.data.destination_payment),
              currency: 'usd',
              fee_source: null,
              originating_transaction: null,
              refunded: false,
            },
            SEED.connected.applicationFee,
          ),
        );
      },
      { now: tick() },
    );
    // The platform's own bank account (added in the Dashboard on Stripe), where its payouts go.
    service.transaction(
      (ctx) => {
        ctx.presetIds = new Map([['bank_account', [SEED.platform.bankAccount]]]);
        addExternalAccount(ctx, SEED.platform.account, 'btok_us_verified');
      },
      { now: clock },
    );
    seedFamilies(
      (method, path, params = {}, ids = {}) => call(method, path, params, ids),
      (fn) => service.transaction(fn, { now: tick() }),
      epoch + SEED_SPAN,
    );
    seedPreview(service, tick);
    recent(service, clock, now);
    // The report types' data cover the demo data: from its first day to the end of its last.
    const end = Math.ceil(now / DAY) * DAY;
    service.transaction(
      (ctx) => {
        for (const type of [...ctx.scope.all('reporting.report_type')])
          ctx.set(type, { data_available_end: end });
      },
      { now },
    );
  });
}

/**
 * The demo data's last weeks: the objects in progress at the boot (`now`), each made once the
 * time is played up to it (from `last`, the history's end), then the time played up to the boot.
 * They are dated from the boot day's midnight, as the history is, so that all of it is the same
 * at any time of that day, and stays so for a day at least (nothing is due sooner). Jenny's
 * monthly subscription started a month and a half before (renewed once, two weeks before), Ada's
 * trial on the yearly Pro plan three days before, Jenny's pending item came after her renewal, the
 * weekly payout was made as the boot day started and arrives two days on.
 */
function recent(service: EmulatorHandle, last: number, now: number): void {
  const today = Math.floor(now / DAY) * DAY;
  if (last >= today - RECENT) throw new Error("The demo data's history outgrew SEED_SPAN: make it longer.");
  let played = last;
  const at = (ago: number, ids: Record<string, string>, ...request: [string, string, JsonObject]) => {
    service.passTime(played, today - ago);
    played = today - ago;
    service.call(...request, { now: played, ids });
  };
  at(RECENT, { subscription: SEED.jenny.subscription }, 'POST', '/v1/subscriptions', {
    customer: SEED.jenny.customer,
    items: [{ price: SEED.prices.basicMonthly }],
  });
  at(3 * DAY, { subscription: SEED.ada.subscription }, 'POST', '/v1/subscriptions', {
    customer: SEED.ada.customer,
    items: [{ price: SEED.prices.proYearly, quantity: 3 }],
    trial_period_days: 14,
  });
  at(2 * DAY, { invoiceitem: SEED.jenny.pendingInvoiceItem }, 'POST', '/v1/invoiceitems', {
    customer: SEED.jenny.customer,
    amount: 700,
    currency: 'usd',
    description: 'Usage overage',
  });
  at(0, { payout: SEED.payout }, 'POST', '/v1/payouts', {
    amount: 50_000,
    currency: 'usd',
    description: 'Weekly payout',
  });
  service.passTime(played, now);
}
