/**
 * Issuing through the `stripe` SDK, as a new user of its test helpers walks it: spending controls
 * deciding test authorizations (rules/issuing.ts). The emulator's clock is the test's, so spending
 * periods can end.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulatorHarness } from './helpers.ts';

const DAY = 86_400;
/** Saturday 4 January 2031, noon UTC: a new day and a new week start twelve hours on. */
const SATURDAY = Date.UTC(2031, 0, 4, 12) / 1000;
let now = SATURDAY;
const h = await startEmulatorHarness({ clock: () => now });
const stripe = h.stripe;
afterAll(() => h.close());

const ADDRESS = {
  line1: '1 Main St',
  city: 'San Francisco',
  state: 'CA',
  postal_code: '94111',
  country: 'US',
};

function cardholder(
  spending_controls?: Stripe.Issuing.CardholderCreateParams.SpendingControls,
): Promise<Stripe.Issuing.Cardholder> {
  return stripe.issuing.cardholders.create({
    name: 'Ada Lovelace',
    type: 'individual',
    billing: { address: ADDRESS },
    ...(spending_controls ? { spending_controls } : {}),
  });
}

async function activeCard(
  spending_controls?: Stripe.Issuing.CardCreateParams.SpendingControls,
  holder?: string,
): Promise<Stripe.Issuing.Card> {
  return stripe.issuing.cards.create({
    cardholder: holder ?? (await cardholder()).id,
    currency: 'usd',
    type: 'virtual',
    status: 'active',
    ...(spending_controls ? { spending_controls } : {}),
  });
}

const authorize = (card: string, amount: number, category?: string) =>
  stripe.testHelpers.issuing.authorizations.create({
    card,
    amount,
    ...(category ? { merchant_data: { category: category as never } } : {}),
  });

/** What a declined authorization says: closed, nothing held, its request declined for `reason`. */
const declinedFor = (reason: string) => ({
  status: 'closed',
  approved: false,
  amount: 0,
  request_history: [expect.objectContaining({ approved: false, reason })],
});

describe('spending controls', () => {
  it("a card's daily limit counts the day's authorizations, and a new day starts afresh", async () => {
    now = SATURDAY;
    const card = await activeCard({ spending_limits: [{ amount: 5000, interval: 'daily' }] });
    const first = await authorize(card.id, 3000);
    expect(first).toMatchObject({ status: 'pending', approved: true });
    // 3000 held and 3000 more is over the day's 5000.
    expect(await authorize(card.id, 3000)).toMatchObject(declinedFor('spending_controls'));
    // A captured amount counts as the hold did.
    await stripe.testHelpers.issuing.authorizations.capture(first.id);
    expect(await authorize(card.id, 2500)).toMatchObject(declinedFor('spending_controls'));
    expect(await authorize(card.id, 2000)).toMatchObject({ status: 'pending', approved: true });
    // The day's 5000 is spent: one cent more is declined, until the next day (Sunday).
    expect(await authorize(card.id, 1)).toMatchObject(declinedFor('spending_controls'));

    now = SATURDAY + DAY;
    expect(await authorize(card.id, 3000)).toMatchObject({ status: 'pending', approved: true });
  });

  it('a reversed authorization no longer counts; an increment over the limit is declined', async () => {
    now = SATURDAY;
    const card = await activeCard({ spending_limits: [{ amount: 5000, interval: 'weekly' }] });
    const held = await authorize(card.id, 4000);
    await stripe.testHelpers.issuing.authorizations.reverse(held.id);
    const next = await authorize(card.id, 4000);
    expect(next).toMatchObject({ status: 'pending', approved: true });
    const incremented = await stripe.testHelpers.issuing.authorizations.increment(next.id, {
      increment_amount: 2000,
    });
    expect(incremented).toMatchObject({ status: 'pending', amount: 4000 });
    expect(incremented.request_history.map((r) => [r.approved, r.reason])).toEqual([
      [true, 'webhook_approved'],
      [false, 'spending_controls'],
    ]);
    expect(await authorize(card.id, 1500)).toMatchObject(declinedFor('spending_controls'));
  });

  it("a cardholder's limit counts the spending of all its cards", async () => {
    now = SATURDAY;
    const holder = await cardholder({ spending_limits: [{ amount: 5000, interval: 'monthly' }] });
    const one = await activeCard(undefined, holder.id);
    const other = await activeCard(undefined, holder.id);
    expect(await authorize(one.id, 3000)).toMatchObject({ status: 'pending', approved: true });
    expect(await authorize(other.id, 3000)).toMatchObject(declinedFor('spending_controls'));
    expect(await authorize(other.id, 2000)).toMatchObject({ status: 'pending', approved: true });
  });

  it('a per-authorization limit holds for its categories only; blocked categories are declined', async () => {
    now = SATURDAY;
    const card = await activeCard({
      spending_limits: [{ amount: 1000, interval: 'per_authorization', categories: ['bakeries'] }],
      blocked_categories: ['betting_casino_gambling'],
    });
    expect(await authorize(card.id, 1500, 'bakeries')).toMatchObject(declinedFor('spending_controls'));
    expect(await authorize(card.id, 1500, 'book_stores')).toMatchObject({ approved: true });
    expect(await authorize(card.id, 500, 'betting_casino_gambling')).toMatchObject(
      declinedFor('spending_controls'),
    );
    const allowing = await activeCard({ allowed_categories: ['book_stores'] });
    expect(await authorize(allowing.id, 500, 'bakeries')).toMatchObject(declinedFor('spending_controls'));
    expect(await authorize(allowing.id, 500, 'book_stores')).toMatchObject({ approved: true });
  });
});

/** The Issuing balance in USD. */
const issuingBalance = async () =>
  (await stripe.balance.retrieve()).issuing?.available.find((a) => a.currency === 'usd')?.amount ?? 0;

describe('test authorizations', () => {
  it('capture in parts with close_authorization false, the rest staying held', async () => {
    now = SATURDAY;
    const card = await activeCard();
    const before = await issuingBalance();
    const auth = await authorize(card.id, 5000);
    const part = await stripe.testHelpers.issuing.authorizations.capture(auth.id, {
      capture_amount: 2000,
      close_authorization: false,
    });
    expect(part).toMatchObject({
      status: 'pending',
      amount: 3000,
      merchant_amount: 3000,
      transactions: [{ amount: -2000 }],
    });
    // The capture took 2000, and 3000 is still held.
    expect(await issuingBalance()).toBe(before - 5000);
    const rest = await stripe.testHelpers.issuing.authorizations.capture(auth.id, { capture_amount: 3000 });
    expect(rest).toMatchObject({ status: 'closed', amount: 0 });
    expect(rest.transactions.map((t) => [t.type, t.amount])).toEqual([
      ['capture', -2000],
      ['capture', -3000],
    ]);
    expect(await issuingBalance()).toBe(before - 5000);
    const listed = await stripe.issuing.transactions.list({ card: card.id });
    expect(listed.data.map((t) => t.amount).sort()).toEqual([-2000, -3000]);
  });

  it('reverse in part: amount and merchant_amount both say what is still held', async () => {
    now = SATURDAY;
    const card = await activeCard();
    const before = await issuingBalance();
    const auth = await stripe.testHelpers.issuing.authorizations.create({
      card: card.id,
      amount: 5000,
      amount_details: { cashback_amount: 500 },
    });
    const part = await stripe.testHelpers.issuing.authorizations.reverse(auth.id, { reverse_amount: 1500 });
    expect(part).toMatchObject({
      status: 'pending',
      amount: 3500,
      merchant_amount: 3500,
      merchant_currency: 'usd',
      amount_details: { cashback_amount: 500 },
      pending_request: null,
    });
    expect(await issuingBalance()).toBe(before - 3500);
    const rest = await stripe.testHelpers.issuing.authorizations.reverse(auth.id);
    expect(rest).toMatchObject({ status: 'reversed', amount: 0, merchant_amount: 0, pending_request: null });
    expect(await issuingBalance()).toBe(before);
  });

  it('keep the wallet, the amount details and the purchase details they were given', async () => {
    now = SATURDAY;
    const card = await activeCard();
    const auth = await stripe.testHelpers.issuing.authorizations.create({
      card: card.id,
      amount: 3000,
      wallet: 'apple_pay',
      amount_details: { atm_fee: 150 },
    });
    expect(auth.wallet).toBe('apple_pay');
    expect(auth.request_history[0]!.amount_details).toMatchObject({ atm_fee: 150 });
    const captured = await stripe.testHelpers.issuing.authorizations.capture(auth.id, {
      purchase_details: {
        reference: 'order-7',
        receipt: [{ description: 'Tea', quantity: '2', total: 3000 }],
      },
    });
    const made = await stripe.issuing.transactions.retrieve(captured.transactions[0]!.id);
    expect(made).toMatchObject({
      wallet: 'apple_pay',
      purchase_details: { reference: 'order-7', receipt: [{ description: 'Tea', quantity: 2, total: 3000 }] },
    });
    const forced = await stripe.testHelpers.issuing.transactions.createForceCapture({
      card: card.id,
      amount: 700,
      purchase_details: { fuel: { type: 'diesel', unit: 'liter', volume_decimal: '10' } },
    });
    expect(forced.purchase_details?.fuel).toMatchObject({
      type: 'diesel',
      unit: 'liter',
      volume_decimal: '10',
    });
  });
});

describe('merchant categories', () => {
  it("give each merchant its category's code, the authorization's passing to its capture", async () => {
    now = SATURDAY;
    const card = await activeCard();
    const codeOf = async (category?: string) =>
      (await authorize(card.id, 100, category)).merchant_data.category_code;
    expect(await codeOf('bakeries')).toBe('5462');
    expect(await codeOf('agricultural_cooperative')).toBe('0763');
    expect(await codeOf()).toBe('5999');
    const held = await authorize(card.id, 100, 'book_stores');
    const captured = await stripe.testHelpers.issuing.authorizations.capture(held.id);
    expect(captured.transactions[0]!.merchant_data).toMatchObject({
      category: 'book_stores',
      category_code: '5942',
    });
    const forced = await stripe.testHelpers.issuing.transactions.createForceCapture({
      card: card.id,
      amount: 700,
      merchant_data: { category: 'fast_food_restaurants' },
    });
    expect(forced.merchant_data).toMatchObject({ category: 'fast_food_restaurants', category_code: '5814' });
  });
});

describe('replacement cards', () => {
  /** A card with its number, as the SDK asks for it. */
  const withNumber = (id: string) => stripe.issuing.cards.retrieve(id, { expand: ['number'] });

  it("replace a damaged card with its number, canceling it when the replacement's activated", async () => {
    now = SATURDAY;
    const original = await activeCard();
    const replacement = await stripe.issuing.cards.create({
      currency: 'usd',
      type: 'virtual',
      replacement_for: original.id,
      replacement_reason: 'damaged',
    });
    expect(replacement).toMatchObject({
      status: 'inactive',
      replacement_for: original.id,
      replacement_reason: 'damaged',
      last4: original.last4,
      cardholder: { id: original.cardholder.id },
    });
    expect((await withNumber(replacement.id)).number).toBe((await withNumber(original.id)).number);
    // The original still works until its replacement is activated.
    expect(await stripe.issuing.cards.retrieve(original.id)).toMatchObject({
      status: 'active',
      replaced_by: replacement.id,
    });
    await stripe.issuing.cards.update(replacement.id, { status: 'active' });
    expect((await stripe.issuing.cards.retrieve(original.id)).status).toBe('canceled');
  });

  it('replace a lost card, once canceled, with a new number', async () => {
    now = SATURDAY;
    const lost = await activeCard();
    const refused = await stripe.issuing.cards
      .create({
        cardholder: lost.cardholder.id,
        currency: 'usd',
        type: 'virtual',
        replacement_for: lost.id,
        replacement_reason: 'lost',
      })
      .catch((error: Stripe.errors.StripeError) => error);
    expect(refused).toMatchObject({ statusCode: 400, param: 'replacement_for' });
    await stripe.issuing.cards.update(lost.id, { status: 'canceled', cancellation_reason: 'lost' });
    const replacement = await stripe.issuing.cards.create({
      cardholder: lost.cardholder.id,
      currency: 'usd',
      type: 'virtual',
      status: 'active',
      replacement_for: lost.id,
      replacement_reason: 'lost',
    });
    expect(replacement).toMatchObject({ replacement_for: lost.id, replacement_reason: 'lost' });
    expect((await withNumber(replacement.id)).number).not.toBe((await withNumber(lost.id)).number);
    expect(await stripe.issuing.cards.retrieve(lost.id)).toMatchObject({
      status: 'canceled',
      cancellation_reason: 'lost',
      replaced_by: replacement.id,
    });
  });
});
