/**
 * Input validated as Stripe validates it (src/emulator/request/input-rules.ts): each refusal is a 400 with
 * Stripe's error type, code, `param` and message, and stores nothing.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type EmulatorHarness, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await startEmulatorHarness();
});
afterAll(() => h.close());

const form = (params: Record<string, string | number>) =>
  Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');

async function refused(path: string, params: Record<string, string | number>) {
  const before = h.emulator.store.platform.size;
  const response = await h.request('POST', path, { body: form(params) });
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(h.emulator.store.platform.size).toBe(before);
  return response.body.error as Record<string, string>;
}

describe('amounts', () => {
  it('a PaymentIntent of -1, 0 or 10 cents is refused', async () => {
    expect(await refused('/v1/payment_intents', { amount: -1, currency: 'usd' })).toMatchObject({
      type: 'invalid_request_error',
      code: 'parameter_invalid_integer',
      param: 'amount',
      message: 'This value must be greater than or equal to 1.',
    });
    expect(await refused('/v1/payment_intents', { amount: 0, currency: 'usd' })).toMatchObject({
      param: 'amount',
      message: 'This value must be greater than or equal to 1.',
    });
    expect(await refused('/v1/payment_intents', { amount: 10, currency: 'usd' })).toMatchObject({
      type: 'invalid_request_error',
      code: 'amount_too_small',
      param: 'amount',
      message: 'Amount must be at least $0.50 usd',
    });
    // The minimum is the currency's: 30 pence in pounds, ¥50 in yen.
    expect(await refused('/v1/payment_intents', { amount: 29, currency: 'gbp' })).toMatchObject({
      message: 'Amount must be at least £0.30 gbp',
    });
    expect(await refused('/v1/charges', { amount: 49, currency: 'jpy', source: 'tok_visa' })).toMatchObject({
      message: 'Amount must be at least ¥50 jpy',
    });
    const ok = await h.request('POST', '/v1/payment_intents', {
      body: form({ amount: 30, currency: 'gbp' }),
    });
    expect(ok.status).toBe(200);
  });

  it('a negative price, a negative or zero transfer, a non-integer amount', async () => {
    expect(
      await refused('/v1/prices', { unit_amount: -1, currency: 'usd', product: SEED.products.basic }),
    ).toMatchObject({
      code: 'parameter_invalid_integer',
      param: 'unit_amount',
      message: 'Invalid non-negative integer',
    });
    expect(
      await refused('/v1/transfers', { amount: -1, currency: 'usd', destination: SEED.connected.account }),
    ).toMatchObject({ param: 'amount', message: 'This value must be greater than or equal to 1.' });
    expect(await refused('/v1/payment_intents', { amount: '10.5', currency: 'usd' })).toMatchObject({
      code: 'parameter_invalid_integer',
      param: 'amount',
    });
  });
});

describe('currencies and emails', () => {
  it('an unknown currency, anywhere a parameter names one', async () => {
    const error = await refused('/v1/payment_intents', { amount: 1000, currency: 'zzz' });
    expect(error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_currency',
      param: 'currency',
    });
    expect(error.message).toMatch(
      /^Invalid currency: zzz\. Stripe currently supports these currencies: usd, /,
    );
    expect(
      await refused('/v1/prices', {
        unit_amount: 100,
        currency: 'usd',
        product: SEED.products.basic,
        'currency_options[zzz][unit_amount]': 100,
      }),
    ).toMatchObject({ param: 'currency_options[zzz]' });
  });

  it('a currency in capitals is taken, and kept in lowercase as Stripe answers it: one balance', async () => {
    const balance = async () => (await h.stripe.balance.retrieve()).pending.map((b) => b.currency);
    const before = await balance();
    const intent = await h.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'USD',
      payment_method: 'pm_card_visa',
      payment_method_types: ['card'],
      confirm: true,
      expand: ['latest_charge.balance_transaction'],
    });
    expect(intent.currency).toBe('usd');
    const charge = intent.latest_charge as Stripe.Charge;
    expect(charge.currency).toBe('usd');
    expect((charge.balance_transaction as Stripe.BalanceTransaction).currency).toBe('usd');
    expect(await balance()).toEqual(before);
    const price = await h.stripe.prices.create({
      unit_amount: 1000,
      currency: 'EUR',
      product: SEED.products.basic,
      currency_options: { GBP: { unit_amount: 900 } },
      expand: ['currency_options'],
    });
    expect(price.currency).toBe('eur');
    expect(price.currency_options).toHaveProperty('gbp');
    expect(price.currency_options).not.toHaveProperty('GBP');
    const listed = await h.stripe.balanceTransactions.list({ currency: 'USD', limit: 1 });
    expect(listed.data.map((t) => t.currency)).toEqual(['usd']);
  });

  it('an email that is not one', async () => {
    expect(await refused('/v1/customers', { email: 'notanemail' })).toMatchObject({
      type: 'invalid_request_error',
      code: 'email_invalid',
      param: 'email',
      message: 'Invalid email address: notanemail',
    });
    expect(
      await refused('/v1/payment_intents', { amount: 1000, currency: 'usd', receipt_email: 'nope@' }),
    ).toMatchObject({ code: 'email_invalid', param: 'receipt_email' });
  });

  it('enumerated values, lengths and decimals from the model', async () => {
    expect(
      await refused('/v1/payment_intents', { amount: 1000, currency: 'usd', capture_method: 'later' }),
    ).toMatchObject({
      type: 'invalid_request_error',
      param: 'capture_method',
      message: 'Invalid capture_method: must be one of automatic, automatic_async, manual',
    });
    expect(await refused('/v1/customers', { name: 'x'.repeat(300) })).toMatchObject({
      type: 'invalid_request_error',
      param: 'name',
      message: `Invalid string: ${'x'.repeat(20)}...; must be at most 256 characters`,
    });
    expect(
      await refused('/v1/prices', {
        unit_amount_decimal: '12.5x',
        currency: 'usd',
        product: SEED.products.basic,
      }),
    ).toMatchObject({
      type: 'invalid_request_error',
      param: 'unit_amount_decimal',
      message: 'Invalid decimal: 12.5x',
    });
  });
});

describe('parameters that require or exclude each other', () => {
  it("a coupon's amount_off needs a currency", async () => {
    expect(await refused('/v1/coupons', { amount_off: 500, duration: 'once' })).toMatchObject({
      type: 'invalid_request_error',
      param: 'currency',
      message: 'You must pass currency when passing amount_off.',
    });
  });

  it('one of two that exclude each other', async () => {
    const both = 'You may only specify one of these parameters:';
    expect(
      await refused('/v1/coupons', { amount_off: 500, currency: 'usd', percent_off: 10, duration: 'once' }),
    ).toMatchObject({
      type: 'invalid_request_error',
      code: 'parameters_exclusive',
      param: 'amount_off',
      message: `${both} amount_off, percent_off.`,
    });
    expect(
      await refused('/v1/prices', {
        currency: 'usd',
        unit_amount: 100,
        product: SEED.products.basic,
        'product_data[name]': 'Both',
      }),
    ).toMatchObject({ param: 'product', message: `${both} product, product_data.` });
    expect(
      await refused('/v1/checkout/sessions', {
        mode: 'payment',
        success_url: 'https://example.com/ok',
        'line_items[0][price]': SEED.prices.tshirt,
        'line_items[0][quantity]': 1,
        customer: SEED.jenny.customer,
        customer_email: 'jenny@example.com',
      }),
    ).toMatchObject({ param: 'customer', message: `${both} customer, customer_email.` });
  });
});

describe('what a price is billed by', () => {
  it('a tiered price needs its tiers and tiers_mode; any other an amount, and no tiers', async () => {
    const product = SEED.products.basic;
    const monthly = { 'recurring[interval]': 'month' };
    expect(
      await refused('/v1/prices', { currency: 'usd', product, billing_scheme: 'tiered', ...monthly }),
    ).toMatchObject({ code: 'parameter_missing', param: 'tiers' });
    expect(
      await refused('/v1/prices', {
        currency: 'usd',
        product,
        billing_scheme: 'tiered',
        'tiers[0][up_to]': 'inf',
        'tiers[0][unit_amount]': 500,
        ...monthly,
      }),
    ).toMatchObject({ code: 'parameter_missing', param: 'tiers_mode' });
    expect(await refused('/v1/prices', { currency: 'usd', product })).toMatchObject({
      type: 'invalid_request_error',
      code: 'parameter_missing',
      param: 'unit_amount',
      message: 'Missing required param: unit_amount.',
    });
    expect(
      await refused('/v1/prices', {
        currency: 'usd',
        product,
        unit_amount: 500,
        'tiers[0][up_to]': 'inf',
        'tiers[0][unit_amount]': 500,
      }),
    ).toMatchObject({ param: 'tiers' });
    // Each way of giving the amount is enough.
    for (const amount of [
      { unit_amount: 0 },
      { unit_amount_decimal: '12.5' },
      { 'custom_unit_amount[enabled]': 'true' },
    ]) {
      const created = await h.request('POST', '/v1/prices', {
        body: form({ currency: 'usd', product, ...amount }),
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
    }
  });
});

describe('currency_options', () => {
  it('amounts are integers, and the hash comes only when expanded', async () => {
    const created = await h.request('POST', '/v1/prices', {
      body: form({
        unit_amount: 1000,
        currency: 'usd',
        product: SEED.products.basic,
        'currency_options[eur][unit_amount]': 900,
        'expand[]': 'currency_options',
      }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.currency_options.eur.unit_amount).toBe(900);
    const plain = await h.request('GET', `/v1/prices/${created.body.id}`);
    expect(plain.body).not.toHaveProperty('currency_options');
    const expanded = await h.request('GET', `/v1/prices/${created.body.id}?expand[]=currency_options`);
    expect(expanded.body.currency_options.eur).toMatchObject({ unit_amount: 900 });
    expect(
      await refused('/v1/prices', {
        unit_amount: 100,
        currency: 'usd',
        product: SEED.products.basic,
        'currency_options[eur][unit_amount]': '9.5',
      }),
    ).toMatchObject({ code: 'parameter_invalid_integer', param: 'currency_options[eur][unit_amount]' });
  });
});
