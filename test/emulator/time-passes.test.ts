/**
 * Time passing for the objects on no test clock (src/emulator/rules/time.ts), on an emulator whose
 * clock the test moves: subscriptions renew, trials end, drafts are finalized and payouts paid
 * when their time comes, with the events a test clock's advance records; and the demo data is as
 * fresh, and the same relative to the boot, whatever the boot time.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { PAYEE_ACCOUNT, startEmulatorHarness } from './helpers.ts';

const DAY = 86_400;
/** 2026-12-04T12:00:00Z, the boot time; the tests move `now` on from it. */
const BOOT = 1_796_385_600;
let now = BOOT;
const h = await startEmulatorHarness({ clock: () => now });
const stripe = h.stripe;
afterAll(() => h.close());

/** The types and times of the events about `ids` since `since`, oldest first. */
async function eventsAbout(ids: readonly string[], since: number): Promise<[string, number][]> {
  const events = await stripe.events.list({ limit: 100, created: { gte: since } });
  return events.data
    .filter((e) => ids.includes((e.data.object as { id?: string }).id ?? ''))
    .map((e): [string, number] => [e.type, e.created])
    .reverse();
}

/** A customer with a card and a monthly subscription, on `clock` when given. */
async function subscribed(clock?: string) {
  const customer = await stripe.customers.create({
    source: 'tok_visa',
    ...(clock ? { test_clock: clock } : {}),
  });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: SEED.prices.basicMonthly }],
  });
  return { customer, subscription };
}

describe('subscriptions on no test clock', () => {
  it('renew at their period’s end, with the events a test clock’s advance records', async () => {
    const start = now;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const clocked = await subscribed(clock.id);
    const unclocked = await subscribed();
    const end = unclocked.subscription.current_period_end;
    expect(clocked.subscription.current_period_end).toBe(end);

    now = end + 3600;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now });
    const renewed = await stripe.subscriptions.retrieve(unclocked.subscription.id, {
      expand: ['latest_invoice'],
    });
    expect(renewed).toMatchObject({ status: 'active', current_period_start: end });
    const invoice = renewed.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({
      billing_reason: 'subscription_cycle',
      status: 'paid',
      amount_paid: 1000,
      created: end,
      period_start: unclocked.subscription.current_period_start,
      period_end: end,
    });
    // The same events at the same times as the test clock's customer's renewal.
    const ids = (s: Stripe.Subscription, i: Stripe.Invoice | string) => [
      s.id,
      typeof i === 'string' ? i : i.id,
    ];
    const onClock = await stripe.subscriptions.retrieve(clocked.subscription.id);
    const unclockedEvents = await eventsAbout(ids(renewed, invoice), start + 1);
    expect(unclockedEvents.map(([type]) => type)).toEqual(
      expect.arrayContaining([
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'customer.subscription.updated',
      ]),
    );
    expect(unclockedEvents).toEqual(await eventsAbout(ids(onClock, onClock.latest_invoice!), start + 1));
    expect(unclockedEvents.every(([, at]) => at === end)).toBe(true);
  });

  it('renew through every period that ended while no request came', async () => {
    const { subscription } = await subscribed();
    now = subscription.current_period_start + 100 * DAY;
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => i.billing_reason)).toEqual([
      'subscription_cycle',
      'subscription_cycle',
      'subscription_cycle',
      'subscription_create',
    ]);
    const current = await stripe.subscriptions.retrieve(subscription.id);
    expect(current.current_period_start).toBeLessThanOrEqual(now);
    expect(current.current_period_end).toBeGreaterThan(now);
  });

  it('end their trial, and a scheduled cancellation, when the time comes', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const trial = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
      trial_period_days: 7,
    });
    const ending = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: SEED.prices.basicMonthly }],
      cancel_at_period_end: true,
    });
    now = trial.trial_end! + 60;
    expect(await stripe.subscriptions.retrieve(trial.id)).toMatchObject({
      status: 'active',
      current_period_start: trial.trial_end,
    });
    expect((await eventsAbout([trial.id], trial.created)).map(([type]) => type)).toContain(
      'customer.subscription.trial_will_end',
    );
    now = ending.current_period_end + 60;
    expect(await stripe.subscriptions.retrieve(ending.id)).toMatchObject({
      status: 'canceled',
      ended_at: ending.current_period_end,
    });
  });
});

describe('a subscription schedule on no test clock', () => {
  it('changes phase between renewals, each renewal billing the phase it falls in', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      phases: [
        { items: [{ price: SEED.prices.basicMonthly }], iterations: 1 },
        { items: [{ price: SEED.prices.proMonthly }], iterations: 1 },
        { items: [{ price: SEED.prices.basicMonthly }], iterations: 1 },
      ],
    });
    const last = schedule.phases.at(-1)!;
    now = last.end_date + 60;
    const invoices = await stripe.invoices.list({ subscription: schedule.subscription as string });
    expect(invoices.data.reverse().map((i) => [i.created, i.total])).toEqual([
      [schedule.phases[0]!.start_date, 1000],
      [schedule.phases[1]!.start_date, 2500],
      [last.start_date, 1000],
      [last.end_date, 1000],
    ]);
  });
});

describe('other objects on no test clock', () => {
  it('an automatic draft is finalized and charged an hour after it was made', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 1200, currency: 'usd' });
    const draft = await stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    const held = await stripe.invoices.create({ customer: customer.id, auto_advance: false });
    now += 3599;
    expect((await stripe.invoices.retrieve(draft.id)).status).toBe('draft');
    now += 1;
    expect(await stripe.invoices.retrieve(draft.id)).toMatchObject({ status: 'paid', amount_paid: 1200 });
    expect((await stripe.invoices.retrieve(held.id)).status).toBe('draft');
  });

  it('a payout is paid on its arrival date (`payout.paid`)', async () => {
    const payout = await stripe.payouts.create({ amount: 500, currency: 'usd' });
    expect(payout.status).toBe('pending');
    now = payout.arrival_date - 1;
    expect((await stripe.payouts.retrieve(payout.id)).status).toBe('pending');
    now = payout.arrival_date;
    expect((await stripe.payouts.retrieve(payout.id)).status).toBe('paid');
    expect(await eventsAbout([payout.id], payout.created)).toEqual([
      ['payout.created', payout.created],
      ['payout.paid', payout.arrival_date],
    ]);
  });
});

describe('automatic payouts', () => {
  /** A connected account with a bank account, `schedule` as its payout schedule, and $50 available. */
  async function scheduled(schedule: Stripe.AccountUpdateParams.Settings.Payouts.Schedule) {
    const account = await stripe.accounts.create({ ...PAYEE_ACCOUNT, settings: { payouts: { schedule } } });
    await stripe.transfers.create({ amount: 5000, currency: 'usd', destination: account.id });
    const payouts = async () => (await stripe.payouts.list({}, { stripeAccount: account.id })).data;
    return { account: account.id, payouts };
  }

  it('a daily schedule pays out what is available at the next day’s start, then it is paid', async () => {
    const { account, payouts } = await scheduled({ interval: 'daily' });
    const midnight = Math.floor(now / DAY) * DAY + DAY;
    now = midnight - 1;
    expect(await payouts()).toEqual([]);
    now = midnight + 60;
    const [payout, ...others] = await payouts();
    expect(others).toEqual([]);
    expect(payout).toMatchObject({ amount: 5000, currency: 'usd', automatic: true, created: midnight });
    const balance = await stripe.balance.retrieve({ stripeAccount: account });
    expect(balance.available[0]!.amount).toBe(0);
    now = payout!.arrival_date;
    expect((await payouts())[0]!.status).toBe('paid');
  });

  it('a new account on Stripe’s default schedule is paid out the next day’s start', async () => {
    const account = await stripe.accounts.create({ ...PAYEE_ACCOUNT });
    await stripe.transfers.create({ amount: 3000, currency: 'usd', destination: account.id });
    const midnight = Math.floor(now / DAY) * DAY + DAY;
    now = midnight + 60;
    const payouts = (await stripe.payouts.list({}, { stripeAccount: account.id })).data;
    expect(payouts.map((p) => [p.amount, p.automatic, p.created])).toEqual([[3000, true, midnight]]);
  });

  it('a weekly schedule pays out on its anchor day only', async () => {
    const { payouts } = await scheduled({ interval: 'weekly', weekly_anchor: 'friday' });
    now += 8 * DAY;
    const days = (await payouts()).map((p) => new Date(p.created * 1000).getUTCDay());
    expect(days).toEqual([5]);
  });

  it('an account with no schedule (the demo platform’s) is paid out only on request', async () => {
    const before = await stripe.payouts.list({ limit: 100 });
    now += 3 * DAY;
    const after = await stripe.payouts.list({ limit: 100 });
    expect(after.data.filter((p) => p.automatic)).toEqual([]);
    expect(after.data.length).toBe(before.data.length);
  });
});

describe('Checkout Sessions on no test clock', () => {
  it('an open session expires at its expires_at (`checkout.session.expired`)', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: SEED.prices.tshirt, quantity: 1 }],
      success_url: 'https://example.com/done',
    });
    expect(session.expires_at - session.created).toBe(DAY);
    now = session.expires_at - 1;
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    now = session.expires_at;
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({
      status: 'expired',
      url: null,
    });
    expect(await eventsAbout([session.id], session.created + 1)).toEqual([
      ['checkout.session.expired', session.expires_at],
    ]);
  });
});

describe('quotes', () => {
  /** A quote of the t-shirt for a new customer (on `clock` when given), finalized when `open`. */
  async function quote(open: boolean, clock?: string) {
    const customer = await stripe.customers.create(clock ? { test_clock: clock } : {});
    const made = await stripe.quotes.create({
      customer: customer.id,
      line_items: [{ price: SEED.prices.tshirt, quantity: 1 }],
    });
    return open ? stripe.quotes.finalizeQuote(made.id) : made;
  }

  it('an open or draft quote on no test clock is canceled at its expires_at (`quote.canceled`)', async () => {
    const open = await quote(true);
    const draft = await quote(false);
    expect(open.expires_at - open.created).toBe(30 * DAY);
    now = open.expires_at - 1;
    expect((await stripe.quotes.retrieve(open.id)).status).toBe('open');
    now = Math.max(open.expires_at, draft.expires_at);
    expect(await stripe.quotes.retrieve(open.id)).toMatchObject({
      status: 'canceled',
      status_transitions: { canceled_at: open.expires_at },
    });
    expect((await stripe.quotes.retrieve(draft.id)).status).toBe('canceled');
    expect(await eventsAbout([open.id], open.created + 1)).toEqual([['quote.canceled', open.expires_at]]);
  });

  it('a test clock’s quote is canceled when the clock passes its expires_at', async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now - 10 * DAY });
    const open = await quote(true, clock.id);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: open.expires_at - 60 });
    expect((await stripe.quotes.retrieve(open.id)).status).toBe('open');
    // Time passing on no clock leaves it alone.
    now = open.expires_at + DAY;
    expect((await stripe.quotes.retrieve(open.id)).status).toBe('open');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: open.expires_at + 60 });
    expect(await stripe.quotes.retrieve(open.id)).toMatchObject({
      status: 'canceled',
      status_transitions: { canceled_at: open.expires_at },
    });
  });
});

describe('the demo data', () => {
  /** What a user sees of the seeded subscriptions and payout, relative to the boot. */
  async function seen(boot: number) {
    now = boot;
    const seeded = await startEmulatorHarness({ clock: () => now });
    try {
      const read = async (id: string) => {
        const s = await seeded.stripe.subscriptions.retrieve(id);
        return { status: s.status, start: s.current_period_start - boot, end: s.current_period_end - boot };
      };
      const payout = await seeded.stripe.payouts.retrieve(SEED.payout);
      const invoices = await seeded.stripe.invoices.list({ customer: SEED.jenny.customer, limit: 100 });
      const quotes = await seeded.stripe.quotes.list({ customer: SEED.katherine.customer });
      return {
        quotes: quotes.data.map((q) => q.status),
        jenny: await read(SEED.jenny.subscription),
        ada: await read(SEED.ada.subscription),
        payout: { status: payout.status, arrives: payout.arrival_date - boot },
        jennyInvoices: invoices.data.length,
        latest: { reason: invoices.data[0]!.billing_reason, at: invoices.data[0]!.created - boot },
      };
    } finally {
      await seeded.close();
    }
  }

  it('is caught up to the boot, the same relative to it at any boot day', async () => {
    const today = await seen(BOOT);
    expect(today.jenny.status).toBe('active');
    expect(today.jenny.start).toBeLessThan(0);
    expect(today.jenny.end).toBeGreaterThan(0);
    expect(today.ada).toMatchObject({ status: 'trialing' });
    expect(today.ada.end).toBeGreaterThan(0);
    expect(today.payout.status).toBe('pending');
    expect(today.payout.arrives).toBeGreaterThan(0);
    expect(today.quotes).toEqual(['draft']);
    // Jenny's subscription renewed within the month before the boot.
    expect(today.latest.reason).toBe('subscription_cycle');
    expect(today.latest.at).toBeGreaterThan(-31 * DAY);
    expect(today.latest.at).toBe(today.jenny.start);
    // Years on, the same (whole days moved: the calendar's months shift the periods a little).
    const later = await seen(BOOT + 1000 * DAY);
    expect(later).toMatchObject({
      jenny: { status: 'active' },
      ada: { status: 'trialing' },
      payout: today.payout,
      quotes: today.quotes,
      jennyInvoices: today.jennyInvoices,
    });
    expect(Math.abs(later.jenny.end - today.jenny.end)).toBeLessThanOrEqual(3 * DAY);
  });

  it('a seeded payout is paid once its arrival date passes', async () => {
    now = BOOT;
    const seeded = await startEmulatorHarness({ clock: () => now });
    try {
      const payout = await seeded.stripe.payouts.retrieve(SEED.payout);
      now = payout.arrival_date + 60;
      expect((await seeded.stripe.payouts.retrieve(SEED.payout)).status).toBe('paid');
    } finally {
      await seeded.close();
    }
  });
});

describe('a failure to play the time', () => {
  it('is a warning: the request is served and the other accounts’ time passes', async () => {
    let at = BOOT;
    const own = await startEmulatorHarness({ clock: () => at });
    const service = own.emulator.service as unknown as {
      playFor(account: string | undefined, from: number, to: number): void;
    };
    const real = service.playFor.bind(service);
    const played: (string | undefined)[] = [];
    const spy = vi.spyOn(service, 'playFor').mockImplementation((account, from, to) => {
      played.push(account);
      if (account === undefined) throw new Error('boom');
      real(account, from, to);
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      at += 60;
      const customers = await own.stripe.customers.list({ limit: 1 });
      expect(customers.data).toHaveLength(1);
      // (a warning is emitted on the next tick)
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      spy.mockRestore();
      process.off('warning', onWarning);
      await own.close();
    }
    expect(played[0]).toBeUndefined();
    expect(played.length).toBeGreaterThan(1);
    expect(warnings).toEqual([expect.stringContaining('could not play the time that passed: Error: boom')]);
  });
});
