/**
 * What Stripe checks in parameters beyond their types (those are `validate.ts`), in one place, each
 * with Stripe's error type, code, `param` and message:
 *
 * - amounts: money moved (`amount` of a charge, PaymentIntent, transfer, payout, refund, top-up…)
 *   at least 1; prices and fees never negative; a payment at least the currency's minimum charge;
 * - currencies: three-letter ISO codes Stripe supports, wherever a parameter names one (`currency`,
 *   the keys of `currency_options`, `*currencies` lists), in any case and kept in lowercase, as
 *   Stripe answers every currency (`USD` is stored as `usd`, one currency for the balance);
 * - emails: `email`, `receipt_email`, `customer_email`, `*_email`;
 * - `currency_options`: a free-form hash in the spec, its amounts integers (coerced here);
 * - parameters that require each other (a coupon's `amount_off` with `currency`), or exclude each
 *   other (a price's `product` and `product_data`).
 */
import type { Operation } from '../../spec/types.ts';
import { formatAmount, minimumCharge, SUPPORTED_CURRENCIES } from '../engine/currency.ts';
import { invalidRequest, requireAtMostOne } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';

/** Resources whose `amount` moves money: at least 1. */
const MOVES_MONEY = new Set([
  'charge',
  'payment_intent',
  'payout',
  'refund',
  'topup',
  'transfer',
  'transfer_reversal',
  'fee_refund',
  'treasury.outbound_payment',
  'treasury.outbound_transfer',
  'treasury.inbound_transfer',
]);

/** Amount parameters that can never be negative, wherever they appear. */
const NON_NEGATIVE = new Set([
  'amount_off',
  'application_fee_amount',
  'flat_amount',
  'unit_amount',
  'amount_to_capture',
  'minimum',
  'maximum',
  'preset',
]);

/** Amount keys inside `currency_options`, coerced to integers. */
const OPTION_AMOUNTS = new Set([
  'amount_off',
  'flat_amount',
  'unit_amount',
  'up_to',
  'amount',
  'minimum',
  'maximum',
  'preset',
]);

/** Parameters of a create that exclude each other, by resource. */
const EXCLUSIVE: Readonly<Record<string, readonly (readonly string[])[]>> = {
  coupon: [['amount_off', 'percent_off']],
  price: [
    ['product', 'product_data'],
    ['unit_amount', 'unit_amount_decimal'],
  ],
  'checkout.session': [['customer', 'customer_email']],
  subscription_item: [['plan', 'price', 'price_data']],
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const atLeastOne = (param: string) =>
  invalidRequest('This value must be greater than or equal to 1.', {
    param,
    code: 'parameter_invalid_integer',
  });

/** A currency parameter as Stripe keeps it (in lowercase), or Stripe's error for one it does not support. */
function checkCurrency(value: Json, param: string): Json {
  if (typeof value !== 'string' || value === '') return value;
  const currency = value.toLowerCase();
  if (SUPPORTED_CURRENCIES.has(currency)) return currency;
  throw invalidRequest(
    `Invalid currency: ${currency}. Stripe currently supports these currencies: ${[...SUPPORTED_CURRENCIES].join(', ')}`,
    { param, code: 'invalid_currency' },
  );
}

function checkEmail(value: Json, param: string): void {
  if (typeof value !== 'string' || value === '' || EMAIL.test(value)) return;
  throw invalidRequest(`Invalid email address: ${value}`, { param, code: 'email_invalid' });
}

/** An integer from a form value inside a free-form hash, or Stripe's error. */
function integer(value: Json, param: string): number {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isInteger(number))
    throw invalidRequest(`Invalid integer: ${String(value)}`, { param, code: 'parameter_invalid_integer' });
  if (number < 0)
    throw invalidRequest('Invalid non-negative integer', { param, code: 'parameter_invalid_integer' });
  return number;
}

/** `currency_options`: currencies Stripe supports, amounts as integers (the hash is free-form in the spec). */
function currencyOptions(options: JsonObject, param: string): JsonObject {
  const out: JsonObject = {};
  for (const [currency, option] of Object.entries(options)) {
    const at = `${param}[${currency}]`;
    out[String(checkCurrency(currency, at))] = isObject(option) ? amounts(option, at) : option;
  }
  return out;
}

function amounts(hash: JsonObject, param: string): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(hash)) {
    const at = `${param}[${key}]`;
    if (OPTION_AMOUNTS.has(key) && value !== '' && value !== 'inf') out[key] = integer(value, at);
    else if (Array.isArray(value))
      out[key] = value.map((v, i) => (isObject(v) ? amounts(v, `${at}[${i}]`) : v));
    else if (isObject(value)) out[key] = amounts(value, at);
    else out[key] = value;
  }
  return out;
}

function walk(value: Json, param: string, key: string): Json {
  if (isObject(value)) {
    if (key === 'currency_options') return currencyOptions(value, param);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, param === '' ? k : `${param}[${k}]`, k);
    return out;
  }
  if (Array.isArray(value)) {
    if (key.endsWith('currencies')) return value.map((v, i) => checkCurrency(v, `${param}[${i}]`));
    return value.map((v, i) => walk(v, `${param}[${i}]`, key));
  }
  if (key === 'currency' || key === 'default_currency' || key === 'presentment_currency')
    return checkCurrency(value, param);
  if (key === 'email' || key.endsWith('_email')) checkEmail(value, param);
  else if (NON_NEGATIVE.has(key) && typeof value === 'number' && value < 0)
    throw invalidRequest('Invalid non-negative integer', { param, code: 'parameter_invalid_integer' });
  return value;
}

/** Checks (and where the spec leaves a hash free-form, coerces) an operation's parameters. */
export function checkInput(op: Operation, params: JsonObject): JsonObject {
  // Crypto onramp sessions name crypto currencies (`eth`), not Stripe's.
  if (op.resource?.startsWith('crypto.')) return params;
  const checked = walk(params, '', '') as JsonObject;
  if (op.method !== 'post') return checked;
  const resource = op.resource ?? '';
  const amount = checked.amount;
  if (MOVES_MONEY.has(resource) && typeof amount === 'number' && amount < 1) throw atLeastOne('amount');
  // A payment is at least the currency's minimum charge.
  if (
    (resource === 'payment_intent' || resource === 'charge') &&
    op.kind === 'create' &&
    typeof amount === 'number'
  ) {
    const currency = String(checked.currency ?? 'usd').toLowerCase();
    const minimum = minimumCharge(currency);
    if (amount < minimum)
      throw invalidRequest(`Amount must be at least ${formatAmount(minimum, currency)}`, {
        code: 'amount_too_small',
        param: 'amount',
      });
  }
  if (op.kind === 'create') for (const names of EXCLUSIVE[resource] ?? []) requireAtMostOne(checked, names);
  if (
    resource === 'coupon' &&
    op.kind === 'create' &&
    checked.amount_off !== undefined &&
    checked.currency === undefined
  )
    throw invalidRequest('You must pass currency when passing amount_off.', { param: 'currency' });
  return checked;
}
