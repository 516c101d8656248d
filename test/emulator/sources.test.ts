/**
 * Customer sources and the default-source rules Stripe documents: the first source attached becomes
 * the default; deleting the default makes the most recently added remaining source the default;
 * deleting the last one sets `default_source` to null. Also test tokens and card numbers.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type EmulatorHarness, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;
let stripe: Stripe;

beforeAll(async () => {
  h = await startEmulatorHarness();
  stripe = h.stripe;
});
afterAll(() => h.close());

const defaultSource = async (id: string) =>
  ((await stripe.customers.retrieve(id)) as Stripe.Customer).default_source;

describe('the seeded Jenny Rosen', () => {
  it('has her Visa 4242 expiring in August years from now as default source, listed in customer.sources', async () => {
    const jenny = await stripe.customers.retrieve(SEED.jenny.customer, { expand: ['sources'] });
    expect(jenny).toMatchObject({
      name: 'Jenny Rosen',
      email: 'jenny.rosen@example.com',
      default_source: SEED.jenny.card,
    });
    const sources = (jenny as Stripe.Customer).sources!;
    expect(sources.url).toBe(`/v1/customers/${SEED.jenny.customer}/sources`);
    expect(sources.data).toEqual([
      expect.objectContaining({
        id: SEED.jenny.card,
        brand: 'Visa',
        last4: '4242',
        exp_month: 8,
        exp_year: new Date().getUTCFullYear() + 4,
        funding: 'credit',
      }),
    ]);
  });

  it('does not include sources unless expanded', async () => {
    const jenny = await stripe.customers.retrieve(SEED.jenny.customer);
    expect(jenny).not.toHaveProperty('sources');
  });
});

describe('default source', () => {
  it('follows the documented rules as sources come and go', async () => {
    const customer = await stripe.customers.create({ name: 'Rules' });
    expect(customer.default_source).toBeNull();
    const visa = await stripe.customers.createSource(customer.id, { source: 'tok_visa' });
    expect(await defaultSource(customer.id)).toBe(visa.id);
    const mastercard = await stripe.customers.createSource(customer.id, { source: 'tok_mastercard' });
    const amex = await stripe.customers.createSource(customer.id, { source: 'tok_amex' });
    expect(await defaultSource(customer.id)).toBe(visa.id);

    await stripe.customers.deleteSource(customer.id, visa.id);
    expect(await defaultSource(customer.id)).toBe(amex.id);
    await stripe.customers.deleteSource(customer.id, mastercard.id);
    expect(await defaultSource(customer.id)).toBe(amex.id);
    await stripe.customers.deleteSource(customer.id, amex.id);
    expect(await defaultSource(customer.id)).toBeNull();
    expect((await stripe.customers.listSources(customer.id)).data).toEqual([]);
  });

  it('a source given on create becomes the default', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const cards = await stripe.customers.listSources(customer.id);
    expect(cards.data).toHaveLength(1);
    expect(customer.default_source).toBe(cards.data[0]!.id);
    expect(cards.data[0]).toMatchObject({ object: 'card', customer: customer.id });
  });

  it('a source given on update replaces the default and deletes the old one', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const kept = await stripe.customers.createSource(customer.id, { source: 'tok_mastercard' });
    const updated = await stripe.customers.update(customer.id, { source: 'tok_discover' });
    const sources = (await stripe.customers.listSources(customer.id)).data.map((s) => s.id);
    expect(sources).toHaveLength(2);
    expect(sources).toContain(kept.id);
    expect(sources).toContain(updated.default_source);
    expect(sources).not.toContain(customer.default_source);
  });

  it('default_source must be one of the customer’s sources', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const other = await stripe.customers.createSource(customer.id, { source: 'tok_amex' });
    expect((await stripe.customers.update(customer.id, { default_source: other.id })).default_source).toBe(
      other.id,
    );
    await expect(
      stripe.customers.update(customer.id, { default_source: SEED.jenny.card }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'default_source',
    });
  });

  it('a card of another customer is not found under this one', async () => {
    const customer = await stripe.customers.create({});
    await expect(stripe.customers.retrieveSource(customer.id, SEED.jenny.card)).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(stripe.customers.deleteSource(customer.id, SEED.jenny.card)).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('a missing source is named a source, whatever the method', async () => {
    const missing = {
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
      message: "No such source: 'card_nope'",
    };
    const customer = SEED.jenny.customer;
    await expect(stripe.customers.retrieveSource(customer, 'card_nope')).rejects.toMatchObject(missing);
    await expect(stripe.customers.updateSource(customer, 'card_nope', { name: 'X' })).rejects.toMatchObject(
      missing,
    );
    await expect(stripe.customers.deleteSource(customer, 'card_nope')).rejects.toMatchObject(missing);
    await expect(stripe.customers.verifySource(customer, 'card_nope', {})).rejects.toMatchObject(missing);
  });

  it('a bad cursor on the sources list names the kind its prefix says', async () => {
    const list = (cursor: string) =>
      stripe.customers.listSources(SEED.jenny.customer, { starting_after: cursor });
    for (const [cursor, kind] of [
      ['card_nope', 'card'],
      ['src_nope', 'source'],
      ['ba_nope', 'bank_account'],
    ] as const) {
      await expect(list(cursor)).rejects.toMatchObject({
        statusCode: 400,
        code: 'resource_missing',
        param: 'starting_after',
        message: `No such ${kind}: '${cursor}'`,
      });
    }
  });

  it('deleting a customer removes its sources', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const card = customer.default_source as string;
    await stripe.customers.del(customer.id);
    await expect(stripe.customers.retrieveSource(customer.id, card)).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('a deleted card stays named by the charges it paid, and is no PaymentMethod any more', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const card = customer.default_source as string;
    const charge = await stripe.charges.create({ amount: 1000, currency: 'usd', customer: customer.id });
    expect((await stripe.paymentMethods.retrieve(card)).id).toBe(card);
    await stripe.customers.deleteSource(customer.id, card);
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({
      payment_method: card,
      source: { id: card, last4: '4242' },
    });
    await expect(stripe.paymentMethods.retrieve(card)).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      message: `No such PaymentMethod: '${card}'`,
    });
  });
});

describe('test tokens', () => {
  const cards: [string, Partial<Stripe.Card>][] = [
    ['tok_visa', { brand: 'Visa', last4: '4242', funding: 'credit', country: 'US' }],
    ['tok_visa_debit', { brand: 'Visa', last4: '5556', funding: 'debit' }],
    ['tok_mastercard', { brand: 'MasterCard', last4: '4444', funding: 'credit' }],
    ['tok_mastercard_debit', { brand: 'MasterCard', last4: '8210', funding: 'debit' }],
    ['tok_amex', { brand: 'American Express', last4: '8431', funding: 'credit' }],
    ['tok_discover', { brand: 'Discover', last4: '1117' }],
    ['tok_jcb', { brand: 'JCB', last4: '0505', country: 'JP' }],
  ];
  for (const [token, expected] of cards) {
    it(`${token} attaches a ${expected.brand} ending ${expected.last4}`, async () => {
      const customer = await stripe.customers.create({});
      const card = (await stripe.customers.createSource(customer.id, { source: token })) as Stripe.Card;
      expect(card).toMatchObject({ object: 'card', ...expected });
      expect(card.id).toMatch(/^card_/);
      expect(card.exp_month).toBe(8);
      expect(card.exp_year).toBeGreaterThan(2024);
      expect(card.fingerprint).toMatch(/^[A-Za-z0-9]{16}$/);
    });
  }

  it('the same number always has the same fingerprint', async () => {
    const customer = await stripe.customers.create({});
    const a = (await stripe.customers.createSource(customer.id, { source: 'tok_visa' })) as Stripe.Card;
    const b = (await stripe.customers.createSource(customer.id, { source: 'tok_visa' })) as Stripe.Card;
    const c = (await stripe.customers.createSource(customer.id, { source: 'tok_mastercard' })) as Stripe.Card;
    expect(a.id).not.toBe(b.id);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it('POST /v1/tokens makes a single-use card token', async () => {
    const token = await stripe.tokens.create({
      card: { number: '5555555555554444', exp_month: '3', exp_year: '2031', cvc: '123' },
    });
    expect(token).toMatchObject({
      object: 'token',
      type: 'card',
      used: false,
      card: { brand: 'MasterCard', last4: '4444', exp_month: 3, exp_year: 2031 },
    });
    expect(token.id).toMatch(/^tok_/);
    const customer = await stripe.customers.create({ source: token.id });
    expect(customer.default_source).toBe(token.card!.id);
    expect((await stripe.tokens.retrieve(token.id)).used).toBe(true);
    await expect(stripe.customers.create({ source: token.id })).rejects.toMatchObject({
      statusCode: 400,
      code: 'token_already_used',
    });
  });

  it('an invalid card number is an incorrect_number card error', async () => {
    await expect(
      stripe.tokens.create({ card: { number: '4242424242424241', exp_month: '3', exp_year: '2031' } }),
    ).rejects.toMatchObject({
      statusCode: 402,
      type: 'StripeCardError',
      code: 'incorrect_number',
    });
  });

  it('an expiry month outside 1–12 is an invalid_expiry_month card error, wherever a card is given', async () => {
    const refused = { statusCode: 402, type: 'StripeCardError', code: 'invalid_expiry_month' };
    const number = '4242424242424242';
    await expect(
      stripe.tokens.create({ card: { number, exp_month: '13', exp_year: '2031' } }),
    ).rejects.toMatchObject({ ...refused, param: 'card[exp_month]' });
    await expect(
      stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 0, exp_year: 2031 } }),
    ).rejects.toMatchObject({ ...refused, param: 'card[exp_month]' });
    const method = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    await expect(stripe.paymentMethods.update(method.id, { card: { exp_month: 13 } })).rejects.toMatchObject({
      ...refused,
      param: 'card[exp_month]',
    });
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const card = customer.default_source as string;
    await expect(stripe.customers.updateSource(customer.id, card, { exp_month: '13' })).rejects.toMatchObject(
      {
        ...refused,
        param: 'exp_month',
      },
    );
    await expect(
      stripe.customers.updateSource(customer.id, card, { exp_year: 'soon' }),
    ).rejects.toMatchObject({
      statusCode: 402,
      code: 'invalid_expiry_year',
      param: 'exp_year',
    });
    // Nothing was changed by the refused updates.
    expect(await stripe.customers.retrieveSource(customer.id, card)).toMatchObject({ exp_month: 8 });
  });

  it('a two-digit expiry year is this century’s', async () => {
    const token = await stripe.tokens.create({
      card: { number: '4242424242424242', exp_month: '12', exp_year: '31' },
    });
    expect(token.card).toMatchObject({ exp_month: 12, exp_year: 2031 });
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const card = await stripe.customers.updateSource(customer.id, customer.default_source as string, {
      exp_month: '1',
      exp_year: '33',
    });
    expect(card).toMatchObject({ exp_month: 1, exp_year: 2033 });
  });

  it('attaching checks the CVC and address a token was given: unchecked on the token, checked once attached', async () => {
    const token = await stripe.tokens.create({
      card: {
        number: '4000000000000036', // the address check passes, the postal code check fails
        exp_month: '4',
        exp_year: '2031',
        cvc: '123',
        address_line1: '1 Main St',
        address_zip: '94103',
      },
    });
    expect(token.card).toMatchObject({
      cvc_check: 'unchecked',
      address_line1_check: 'unchecked',
      address_zip_check: 'unchecked',
    });
    const customer = await stripe.customers.create({ source: token.id });
    const card = await stripe.customers.retrieveSource(customer.id, customer.default_source as string);
    expect(card).toMatchObject({ cvc_check: 'pass', address_line1_check: 'pass', address_zip_check: 'fail' });
    // What was not given is not checked.
    const bare = await stripe.tokens.create({
      card: { number: '4242424242424242', exp_month: '4', exp_year: '2031' },
    });
    const attached = await stripe.customers.createSource(customer.id, { source: bare.id });
    expect(attached).toMatchObject({ cvc_check: null, address_line1_check: null, address_zip_check: null });
  });

  it('an unknown token is a 400 naming the parameter', async () => {
    await expect(stripe.customers.create({ source: 'tok_nonsense' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'source',
    });
  });

  it('bank account tokens attach bank accounts', async () => {
    const customer = await stripe.customers.create({});
    const bank = (await stripe.customers.createSource(customer.id, {
      source: 'btok_us_verified',
    })) as Stripe.BankAccount;
    expect(bank).toMatchObject({
      object: 'bank_account',
      last4: '6789',
      routing_number: '110000000',
      status: 'verified',
      customer: customer.id,
    });
    expect((await stripe.customers.listSources(customer.id, { object: 'bank_account' })).data).toHaveLength(
      1,
    );
  });

  it('a bank account is verified by its test micro-deposits, and charged only once verified', async () => {
    const customer = await stripe.customers.create({ source: 'btok_us' });
    const bank = customer.default_source as string;
    const charge = () => stripe.charges.create({ amount: 1000, currency: 'usd', customer: customer.id });
    await expect(charge()).rejects.toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      message: "The customer's bank account must be verified in order to create an ACH payment.",
    });
    await expect(
      stripe.charges.create({ amount: 1000, currency: 'usd', customer: customer.id, source: bank }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      stripe.customers.verifySource(customer.id, bank, { amounts: [32, 46] }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'bank_account_verification_failed',
      param: 'amounts',
    });
    expect(await stripe.customers.retrieveSource(customer.id, bank)).toMatchObject({ status: 'new' });
    expect(await stripe.customers.verifySource(customer.id, bank, { amounts: [45, 32] })).toMatchObject({
      id: bank,
      status: 'verified',
    });
    await expect(
      stripe.customers.verifySource(customer.id, bank, { amounts: [32, 45] }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_method_bank_account_already_verified',
    });
    expect(await charge()).toMatchObject({ amount: 1000, customer: customer.id });
  });

  it('a verified bank account is debited as ACH: ach_debit details, and the ACH fee', async () => {
    const customer = await stripe.customers.create({ source: 'btok_us_verified' });
    const charge = await stripe.charges.create({
      amount: 100_000,
      currency: 'usd',
      customer: customer.id,
      expand: ['balance_transaction'],
    });
    expect(charge.payment_method_details).toEqual({
      type: 'ach_debit',
      ach_debit: {
        account_holder_type: 'individual',
        bank_name: 'STRIPE TEST BANK',
        country: 'US',
        fingerprint: expect.any(String),
        last4: '6789',
        routing_number: '110000000',
      },
    });
    expect(charge.payment_method).toBe(customer.default_source);
    // 0.8%, at most $5.00.
    expect((charge.balance_transaction as Stripe.BalanceTransaction).fee).toBe(500);
  });

  it('a declining card does not attach, except tok_chargeCustomerFail', async () => {
    const customer = await stripe.customers.create({});
    await expect(
      stripe.customers.createSource(customer.id, { source: 'tok_chargeDeclined' }),
    ).rejects.toMatchObject({
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'generic_decline',
    });
    expect((await stripe.customers.listSources(customer.id)).data).toEqual([]);
    const card = await stripe.customers.createSource(customer.id, { source: 'tok_chargeCustomerFail' });
    expect(await defaultSource(customer.id)).toBe(card.id);
    await expect(
      stripe.charges.create({ amount: 1000, currency: 'usd', customer: customer.id }),
    ).rejects.toMatchObject({
      statusCode: 402,
      code: 'card_declined',
    });
  });
});
