/**
 * Connect, continued: what a destination's account hears of a destination charge and of a
 * reversal, its transfer group, its fee and transfer amounts, when a transfer tied to a charge
 * moves its money, a direct charge's fee when its request fails, external accounts given as
 * hashes, subscriptions, quotes and schedules made for a customer on a test clock, and a
 * subscription's Connect terms.
 */
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { invalidRequest } from '../../src/emulator/engine/errors.ts';
import { newPayee, startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const stripe = h.stripe;
afterAll(() => h.close());

/** A new connected account (a custom one in the US). */
const newAccount = async () => (await stripe.accounts.create({ type: 'custom', country: 'US' })).id;

/** A destination charge of 5,000 to `account` with a fee of 500, read back with `expand`. */
const destinationCharge = async (account: string, expand: string[]) => {
  const made = await stripe.charges.create({
    amount: 5000,
    currency: 'usd',
    source: 'tok_visa',
    application_fee_amount: 500,
    transfer_data: { destination: account },
  });
  return stripe.charges.retrieve(made.id, { expand });
};

/** A PaymentIntent of 2,000 confirmed with a test card and held for a manual capture. */
const heldPayment = (params: Partial<Stripe.PaymentIntentCreateParams>) =>
  stripe.paymentIntents.create({
    amount: 2000,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    payment_method_types: ['card'],
    confirm: true,
    capture_method: 'manual',
    ...params,
  });

describe("a destination charge's payment", () => {
  it('is announced to the destination account by payment.created, fee included', async () => {
    const account = await newPayee(stripe);
    const charge = await destinationCharge(account, ['transfer']);
    const payment = (charge.transfer as Stripe.Transfer).destination_payment as string;
    const events = await stripe.events.list({ limit: 100 }, { stripeAccount: account });
    const created = events.data.filter((event) => event.type === ('payment.created' as string));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ account, request: { id: expect.stringMatching(/^req_/) } });
    expect(created[0]!.data.object).toMatchObject({
      id: payment,
      object: 'charge',
      amount: 5000,
      application_fee: charge.application_fee,
      source_transfer: (charge.transfer as Stripe.Transfer).id,
    });
    // The platform's own events do not carry it.
    const platform = await stripe.events.list({ limit: 100 });
    expect(platform.data.some((event) => (event.data.object as { id?: string }).id === payment)).toBe(false);
  });

  it("a plain transfer's payment is announced the same way", async () => {
    const account = await newPayee(stripe);
    await stripe.topups.create({ amount: 2000, currency: 'usd' });
    const transfer = await stripe.transfers.create({ amount: 700, currency: 'usd', destination: account });
    const events = await stripe.events.list({ limit: 100 }, { stripeAccount: account });
    const created = events.data.find((event) => event.type === ('payment.created' as string));
    expect(created?.data.object).toMatchObject({ id: transfer.destination_payment, amount: 700 });
  });
});

describe("a destination charge's transfer_group", () => {
  it('is kept on the charge and given to its transfer', async () => {
    const account = await newPayee(stripe);
    const made = await stripe.charges.create({
      amount: 2500,
      currency: 'usd',
      source: 'tok_visa',
      transfer_group: 'ORDER-17',
      transfer_data: { destination: account },
    });
    expect(made.transfer_group).toBe('ORDER-17');
    const transfers = await stripe.transfers.list({ transfer_group: 'ORDER-17' });
    expect(transfers.data.map((transfer) => [transfer.id, transfer.transfer_group])).toEqual([
      [made.transfer, 'ORDER-17'],
    ]);
  });

  it("is a PaymentIntent's, given to its charge and the charge's transfer", async () => {
    const account = await newPayee(stripe);
    const intent = await stripe.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      payment_method_types: ['card'],
      confirm: true,
      transfer_group: 'ORDER-18',
      transfer_data: { destination: account },
    });
    const charge = await stripe.charges.retrieve(intent.latest_charge as string, { expand: ['transfer'] });
    expect(charge.transfer_group).toBe('ORDER-18');
    expect((charge.transfer as Stripe.Transfer).transfer_group).toBe('ORDER-18');
  });
});

describe("a capture's application_fee_amount", () => {
  it("replaces a destination PaymentIntent's fee, taken from what is captured", async () => {
    const account = await newPayee(stripe);
    const intent = await heldPayment({
      application_fee_amount: 300,
      transfer_data: { destination: account },
    });
    const captured = await stripe.paymentIntents.capture(intent.id, {
      amount_to_capture: 1000,
      application_fee_amount: 100,
    });
    expect(captured.application_fee_amount).toBe(100);
    const charge = await stripe.charges.retrieve(captured.latest_charge as string, {
      expand: ['application_fee', 'transfer'],
    });
    expect(charge.application_fee_amount).toBe(100);
    expect(charge.application_fee).toMatchObject({ amount: 100, account });
    const payment = (charge.transfer as Stripe.Transfer).destination_payment as string;
    const received = await stripe.charges.retrieve(
      payment,
      { expand: ['balance_transaction'] },
      { stripeAccount: account },
    );
    expect(received.balance_transaction).toMatchObject({ amount: 1000, net: 900 });
  });

  it("replaces a charge's fee when the charge is captured", async () => {
    const account = await newPayee(stripe);
    const made = await stripe.charges.create({
      amount: 3000,
      currency: 'usd',
      source: 'tok_visa',
      capture: false,
      application_fee_amount: 500,
      transfer_data: { destination: account },
    });
    const captured = await stripe.charges.capture(made.id, { application_fee_amount: 250 });
    expect(captured.application_fee_amount).toBe(250);
    const fee = await stripe.applicationFees.retrieve(captured.application_fee as string);
    expect(fee.amount).toBe(250);
  });
});

describe("a payment's Connect amounts", () => {
  const charge = (params: Partial<Stripe.ChargeCreateParams>) =>
    stripe.charges.create({ amount: 1000, currency: 'usd', source: 'tok_visa', ...params });

  it('a charge refuses an application fee it cannot take, and a transfer above its amount', async () => {
    const account = await newPayee(stripe);
    // A platform charge going to no connected account has no fee to collect.
    await expect(charge({ application_fee_amount: 100 })).rejects.toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      param: 'application_fee_amount',
    });
    await expect(
      charge({ application_fee_amount: 1500, transfer_data: { destination: account } }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'application_fee_amount' });
    await expect(charge({ transfer_data: { destination: account, amount: 1200 } })).rejects.toMatchObject({
      statusCode: 400,
      param: 'transfer_data[amount]',
    });
    expect((await stripe.charges.list({ limit: 100 }, { stripeAccount: account })).data).toEqual([]);
  });

  it("a PaymentIntent's transfer_data[amount] is capped at what is captured", async () => {
    const account = await newPayee(stripe);
    const intent = await heldPayment({ transfer_data: { destination: account, amount: 1500 } });
    const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 1000 });
    const made = await stripe.charges.retrieve(captured.latest_charge as string, { expand: ['transfer'] });
    expect(made.transfer).toMatchObject({ amount: 1000, destination: account });
  });
});

describe('a transfer tied to a charge whose funds are pending', () => {
  /** The usd amount of a balance's `available` or `pending`. */
  const usd = (amounts: Stripe.Balance.Available[]) =>
    amounts.find((amount) => amount.currency === 'usd')?.amount ?? 0;
  /** A balance transaction of the platform, or of `account`. */
  const txn = (id: unknown, account?: string) =>
    account
      ? stripe.balanceTransactions.retrieve(id as string, {}, { stripeAccount: account })
      : stripe.balanceTransactions.retrieve(id as string);

  it("is made when the charge's funds are available, on both sides, with its application fee", async () => {
    const account = await newPayee(stripe);
    const before = await stripe.balance.retrieve();
    const charge = await destinationCharge(account, ['transfer', 'application_fee']);
    const transfer = charge.transfer as Stripe.Transfer;
    const availableOn = (await txn(charge.balance_transaction)).available_on;
    expect(availableOn).toBeGreaterThan(charge.created);
    for (const moved of [
      await txn(transfer.balance_transaction),
      await txn((charge.application_fee as Stripe.ApplicationFee).balance_transaction),
    ])
      expect(moved).toMatchObject({ status: 'pending', available_on: availableOn });
    const payment = await stripe.charges.retrieve(transfer.destination_payment as string, {
      stripeAccount: account,
    });
    expect(await txn(payment.balance_transaction, account)).toMatchObject({
      status: 'pending',
      available_on: availableOn,
      net: 4500,
    });
    // The platform's available balance is untouched; its pending holds the charge less the transfer.
    const after = await stripe.balance.retrieve();
    expect(usd(after.available)).toBe(usd(before.available));
    expect(usd(after.pending) - usd(before.pending)).toBe(4825 - 5000 + 500);
    const destination = await stripe.balance.retrieve({ stripeAccount: account });
    expect([usd(destination.available), usd(destination.pending)]).toEqual([0, 4500]);
  });

  it('of available funds is made at once', async () => {
    const account = await newPayee(stripe);
    const charge = await stripe.charges.create({
      amount: 3000,
      currency: 'usd',
      source: 'tok_bypassPending',
    });
    const transfer = await stripe.transfers.create({
      amount: 1000,
      currency: 'usd',
      destination: account,
      source_transaction: charge.id,
    });
    expect(await txn(transfer.balance_transaction)).toMatchObject({ status: 'available' });
    const destination = await stripe.balance.retrieve({ stripeAccount: account });
    expect([usd(destination.available), usd(destination.pending)]).toEqual([1000, 0]);
  });
});

describe("a transfer reversal's refund of the destination's payment", () => {
  /** The destination's events after `created` (its `payment.created`), oldest first. */
  const laterEvents = async (account: string) => {
    const events = (await stripe.events.list({ limit: 100 }, { stripeAccount: account })).data.reverse();
    return events.slice(events.findIndex((event) => event.type === ('payment.created' as string)) + 1);
  };

  it('is announced to the destination by charge.refunded and refund.created', async () => {
    const account = await newPayee(stripe);
    await stripe.topups.create({ amount: 2000, currency: 'usd' });
    const transfer = await stripe.transfers.create({ amount: 1000, currency: 'usd', destination: account });
    const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 400 });
    const events = await laterEvents(account);
    expect(events.map((event) => event.type)).toEqual(['charge.refunded', 'refund.created']);
    expect(events[0]!.data.object).toMatchObject({
      id: transfer.destination_payment,
      amount_refunded: 400,
      refunded: false,
    });
    expect(events[1]!.data.object).toMatchObject({
      id: reversal.destination_payment_refund,
      object: 'refund',
      amount: 400,
      charge: transfer.destination_payment,
      source_transfer_reversal: reversal.id,
    });
    expect(events.every((event) => event.account === account)).toBe(true);
  });

  it("is announced so when a destination charge's refund reverses its transfer", async () => {
    const account = await newPayee(stripe);
    const charge = await stripe.charges.create({
      amount: 3000,
      currency: 'usd',
      source: 'tok_visa',
      transfer_data: { destination: account },
    });
    const refund = await stripe.refunds.create({ charge: charge.id, reverse_transfer: true });
    const reversal = await stripe.transfers.retrieveReversal(
      charge.transfer as string,
      refund.transfer_reversal as string,
    );
    const events = await laterEvents(account);
    expect(events.map((event) => [event.type, (event.data.object as { id: string }).id])).toEqual([
      ['charge.refunded', expect.stringMatching(/^py_/)],
      ['refund.created', reversal.destination_payment_refund],
    ]);
    expect(events[0]!.data.object).toMatchObject({ amount_refunded: 3000, refunded: true });
  });
});

describe('a request that fails after writing to another account', () => {
  /** Makes a charge as the generic create does, in a transaction of `account` that then fails. */
  const failingAfterCharge = (params: Record<string, unknown>, account?: string) =>
    expect(() =>
      h.emulator.service.transaction(
        (ctx) => {
          ctx.ops.createResource(ctx, 'charge', { currency: 'usd', source: 'tok_visa', ...params });
          throw invalidRequest('A later step of the request fails.');
        },
        account ? { account } : {},
      ),
    ).toThrow('A later step of the request fails.');

  it("leaves no direct charge's application fee with the platform", async () => {
    const account = await newPayee(stripe);
    const fees = async () => (await stripe.applicationFees.list({ limit: 100 })).data.map((fee) => fee.id);
    const before = await fees();
    const balance = await stripe.balance.retrieve();
    failingAfterCharge({ amount: 3000, application_fee_amount: 300 }, account);
    expect(await fees()).toEqual(before);
    expect(await stripe.balance.retrieve()).toEqual(balance);
    expect(await stripe.charges.list({}, { stripeAccount: account })).toMatchObject({ data: [] });
  });

  it("leaves no destination charge's payment with the destination", async () => {
    const account = await newPayee(stripe);
    failingAfterCharge({ amount: 3000, transfer_data: { destination: account } });
    const onAccount = { stripeAccount: account };
    expect((await stripe.charges.list({}, onAccount)).data).toEqual([]);
    expect((await stripe.balanceTransactions.list({}, onAccount)).data).toEqual([]);
  });

  it('keeps an account deleted by a failed request', async () => {
    const account = await newAccount();
    const onAccount = { stripeAccount: account };
    const customer = await stripe.customers.create({ name: 'Kept' }, onAccount);
    expect(() =>
      h.emulator.service.transaction((ctx) => {
        ctx.ops.deleteEntry(ctx, ctx.require(account, ['account']));
        throw invalidRequest('A later step of the request fails.');
      }),
    ).toThrow('A later step of the request fails.');
    expect((await stripe.customers.retrieve(customer.id, {}, onAccount)).id).toBe(customer.id);
  });
});

/** The time the test clocks below are frozen at (long past by the wall clock). */
const frozen = 1_690_000_000;

/** A new test clock frozen at `frozen`, a customer on it, and a monthly price. */
const clocked = async () => {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: frozen });
  const customer = await stripe.customers.create({ test_clock: clock.id });
  const price = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 1200,
    recurring: { interval: 'month' },
    product_data: { name: 'Clocked plan' },
  });
  return { clock: clock.id, customer: customer.id, price: price.id };
};

describe('a subscription made for a customer on a test clock', () => {
  /** The subscription's own and its first invoice's `.created` events' dates, with its `created`. */
  const dates = async (id: string) => {
    const subscription = await stripe.subscriptions.retrieve(id);
    const events = (await stripe.events.list({ limit: 100 })).data;
    const createdOf = (type: string, object: string) =>
      events.find((e) => e.type === type && (e.data.object as { id?: string }).id === object)?.created;
    return [
      subscription.created,
      createdOf('customer.subscription.created', id),
      createdOf('invoice.created', subscription.latest_invoice as string),
    ];
  };

  it('by Checkout dates it and its created events at the clock’s time', async () => {
    const { customer, price } = await clocked();
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      success_url: 'https://example.com/done',
      line_items: [{ price, quantity: 1 }],
    });
    const paid = await h.emulator.fetch(
      new Request(session.url as string, {
        method: 'POST',
        body: new URLSearchParams([['card', '4242424242424242']]),
      }),
    );
    expect(paid.status).toBe(303);
    const completed = await stripe.checkout.sessions.retrieve(session.id);
    expect(await dates(completed.subscription as string)).toEqual([frozen, frozen, frozen]);
  });

  it('by accepting a quote dates it and its created events at the clock’s time', async () => {
    const { customer, price } = await clocked();
    const quote = await stripe.quotes.create({ customer, line_items: [{ price, quantity: 1 }] });
    await stripe.quotes.finalizeQuote(quote.id);
    const accepted = await stripe.quotes.accept(quote.id);
    expect(await dates(accepted.subscription as string)).toEqual([frozen, frozen, frozen]);
  });

  it('a quote belongs to the clock, whose time dates its expiry and its effective date', async () => {
    const { clock, customer, price } = await clocked();
    const quote = await stripe.quotes.create({
      customer,
      line_items: [{ price, quantity: 1 }],
      // Five days after the clock's time, long past by the wall clock.
      subscription_data: { effective_date: frozen + 5 * 86_400 },
    });
    expect(quote).toMatchObject({ test_clock: clock, expires_at: frozen + 30 * 86_400 });
    const asked = await stripe.quotes.create({
      customer,
      line_items: [{ price, quantity: 1 }],
      expires_at: frozen + 86_400,
    });
    expect(asked.expires_at).toBe(frozen + 86_400);
    await stripe.quotes.finalizeQuote(quote.id);
    const accepted = await stripe.quotes.accept(quote.id);
    expect(accepted).toMatchObject({
      subscription: null,
      subscription_schedule: expect.stringMatching(/^sub_sched_/),
    });
    const schedule = await stripe.subscriptionSchedules.retrieve(accepted.subscription_schedule as string);
    expect(schedule).toMatchObject({ status: 'not_started', subscription: null });
  });
});

describe('a quote or a schedule made for a customer on a test clock', () => {
  /** When the platform's event `type` about `id` happened. */
  const eventTime = async (type: string, id: string) =>
    (await stripe.events.list({ type, limit: 100 })).data.find(
      (event) => (event.data.object as { id?: string }).id === id,
    )?.created;

  it("a quote is created, finalized and accepted at the clock's time", async () => {
    const { customer, price } = await clocked();
    const quote = await stripe.quotes.create({ customer, line_items: [{ price, quantity: 1 }] });
    expect(quote).toMatchObject({ created: frozen, expires_at: frozen + 30 * 86_400 });
    expect(await eventTime('quote.created', quote.id)).toBe(frozen);
    const finalized = await stripe.quotes.finalizeQuote(quote.id);
    expect(finalized.status_transitions.finalized_at).toBe(frozen);
    expect(await eventTime('quote.finalized', quote.id)).toBe(frozen);
    const accepted = await stripe.quotes.accept(quote.id);
    expect(accepted.status_transitions.accepted_at).toBe(frozen);
    expect(await eventTime('quote.accepted', quote.id)).toBe(frozen);
  });

  it("a quote made for a clock without a customer is dated at the clock's time, and canceled then", async () => {
    const { clock, price } = await clocked();
    const quote = await stripe.quotes.create({ test_clock: clock, line_items: [{ price, quantity: 1 }] });
    expect(quote).toMatchObject({ created: frozen, expires_at: frozen + 30 * 86_400, test_clock: clock });
    const canceled = await stripe.quotes.cancel(quote.id);
    expect(canceled.status_transitions.canceled_at).toBe(frozen);
  });

  it("a schedule is created at the clock's time, and so is one of a subscription", async () => {
    const { customer, price } = await clocked();
    const schedule = await stripe.subscriptionSchedules.create({
      customer,
      start_date: 'now',
      phases: [{ items: [{ price, quantity: 1 }], iterations: 2 }],
    });
    expect(schedule.created).toBe(frozen);
    expect(schedule.phases[0]!.start_date).toBe(frozen);
    expect(await eventTime('subscription_schedule.created', schedule.id)).toBe(frozen);
    const subscription = await stripe.subscriptions.create({ customer, items: [{ price }] });
    const of = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    expect(of.created).toBe(frozen);
  });
});

describe('an external account given as a hash', () => {
  it('on account create is the bank account it describes', async () => {
    const account = await stripe.accounts.create({
      type: 'custom',
      country: 'US',
      external_account: {
        object: 'bank_account',
        country: 'US',
        currency: 'usd',
        routing_number: '110000000',
        account_number: '000111111116',
        account_holder_name: 'Jenny Rosen',
      },
    });
    const listed = await stripe.accounts.listExternalAccounts(account.id);
    expect(listed.data).toEqual([
      expect.objectContaining({
        object: 'bank_account',
        account: account.id,
        account_holder_name: 'Jenny Rosen',
        country: 'US',
        currency: 'usd',
        default_for_currency: true,
        last4: '1116',
        routing_number: '110000000',
      }),
    ]);
  });

  it('on account update is the debit card it describes, in its currency', async () => {
    const account = await newAccount();
    await stripe.accounts.update(account, {
      external_account: {
        object: 'card',
        number: '4000056655665556',
        exp_month: 12,
        exp_year: 2034,
        currency: 'usd',
      },
    });
    const listed = await stripe.accounts.listExternalAccounts(account, { object: 'card' });
    expect(listed.data).toEqual([
      expect.objectContaining({ object: 'card', account, currency: 'usd', funding: 'debit', last4: '5556' }),
    ]);
  });

  it('on external account create may be a card token, or is checked like any hash', async () => {
    const account = await newAccount();
    const card = await stripe.accounts.createExternalAccount(account, {
      external_account: { object: 'card', token: 'tok_visa_debit', currency: 'usd' },
    });
    expect(card).toMatchObject({ object: 'card', account, currency: 'usd', last4: '5556' });
    await expect(
      stripe.accounts.createExternalAccount(account, {
        external_account: { object: 'bank_account', country: 'US', routing_number: '110000000' } as never,
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'external_account[account_number]',
    });
  });

  it('of the kind its `object` names is refused on its own missing field, not for its kind', async () => {
    const account = await newAccount();
    await expect(
      stripe.accounts.update(account, {
        external_account: { object: 'card', exp_month: 12, exp_year: 2034 } as never,
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'external_account[number]',
    });
  });
});

describe('an external account given on the account', () => {
  it('replaces the default of its currency, which is deleted; another currency keeps its own', async () => {
    const account = await stripe.accounts.create({
      type: 'custom',
      country: 'US',
      external_account: 'btok_us_verified',
    });
    const [first] = (await stripe.accounts.listExternalAccounts(account.id)).data;
    const euros = await stripe.accounts.createExternalAccount(account.id, {
      external_account: {
        object: 'bank_account',
        country: 'DE',
        currency: 'eur',
        account_number: 'DE89370400440532013000',
      },
    });
    await stripe.accounts.update(account.id, { external_account: 'btok_us_verified' });
    const listed = (await stripe.accounts.listExternalAccounts(account.id)).data;
    expect(listed.map((e) => [e.currency, e.default_for_currency])).toEqual([
      ['usd', true],
      ['eur', true],
    ]);
    expect(listed.map((e) => e.id)).not.toContain(first!.id);
    expect(listed.map((e) => e.id)).toContain(euros.id);
    await expect(stripe.accounts.retrieveExternalAccount(account.id, first!.id)).rejects.toMatchObject({
      statusCode: 404,
    });
    const events = await stripe.events.list({ type: 'account.external_account.deleted', limit: 100 });
    expect(events.data.map((e) => (e.data.object as { id: string }).id)).toContain(first!.id);
  });
});

describe("a subscription's Connect terms", () => {
  /** A customer paying by card and a monthly price of 2,000, made as `account` when given. */
  const billing = async (account?: string) => {
    const options = account ? { stripeAccount: account } : undefined;
    const customer = await stripe.customers.create(
      { payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } },
      options,
    );
    const price = await stripe.prices.create(
      {
        currency: 'usd',
        unit_amount: 2000,
        recurring: { interval: 'month' },
        product_data: { name: 'Plan' },
      },
      options,
    );
    return { customer: customer.id, items: [{ price: price.id }] };
  };

  it('keeps the destination, on_behalf_of and fee percent it is created with', async () => {
    const account = await newPayee(stripe);
    const made = await stripe.subscriptions.create({
      ...(await billing()),
      transfer_data: { destination: account, amount_percent: 80 },
      on_behalf_of: account,
      application_fee_percent: 12.5,
    });
    const read = await stripe.subscriptions.retrieve(made.id);
    for (const subscription of [made, read])
      expect(subscription).toMatchObject({
        transfer_data: { destination: account, amount_percent: 80 },
        on_behalf_of: account,
        application_fee_percent: 12.5,
      });
    // Its invoice carries them, the fee and the transfer as shares of its total.
    expect(await stripe.invoices.retrieve(made.latest_invoice as string)).toMatchObject({
      total: 2000,
      on_behalf_of: account,
      transfer_data: { destination: account, amount: 1600 },
      application_fee_amount: 250,
    });
    const whole = await stripe.subscriptions.create({
      ...(await billing()),
      transfer_data: { destination: account },
      expand: ['latest_invoice'],
    });
    expect(whole.transfer_data).toEqual({ destination: account, amount_percent: null });
    expect(whole.latest_invoice).toMatchObject({
      on_behalf_of: null,
      transfer_data: { destination: account, amount: null },
      application_fee_amount: null,
    });
  });

  it('an update replaces or clears them', async () => {
    const [first, second] = [await newPayee(stripe), await newPayee(stripe)];
    const made = await stripe.subscriptions.create({
      ...(await billing()),
      transfer_data: { destination: first, amount_percent: 80 },
      application_fee_percent: 10,
    });
    const moved = await stripe.subscriptions.update(made.id, {
      transfer_data: { destination: second },
      on_behalf_of: second,
    });
    expect(moved).toMatchObject({
      transfer_data: { destination: second, amount_percent: null },
      on_behalf_of: second,
      application_fee_percent: 10,
    });
    const cleared = await stripe.subscriptions.update(made.id, {
      application_fee_percent: '',
      transfer_data: '',
      on_behalf_of: '',
    });
    expect(cleared).toMatchObject({ transfer_data: null, on_behalf_of: null, application_fee_percent: null });
  });

  it('takes a fee percent only with a destination or made as the connected account', async () => {
    const account = await newPayee(stripe);
    await expect(
      stripe.subscriptions.create({ ...(await billing()), application_fee_percent: 10 }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'application_fee_percent' });
    const made = await stripe.subscriptions.create({
      ...(await billing()),
      transfer_data: { destination: account },
      application_fee_percent: 10,
    });
    await expect(
      stripe.subscriptions.update(made.id, { transfer_data: '', application_fee_percent: 5 }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'application_fee_percent' });
    const direct = await stripe.subscriptions.create(
      { ...(await billing(account)), application_fee_percent: 10 },
      { stripeAccount: account },
    );
    expect(direct.application_fee_percent).toBe(10);
  });

  it('are paid as a destination charge: the transfer to the destination and the fee', async () => {
    const account = await newPayee(stripe);
    const shared = await stripe.subscriptions.create({
      ...(await billing()),
      transfer_data: { destination: account, amount_percent: 80 },
      expand: ['latest_invoice.payment_intent.latest_charge.transfer'],
    });
    const invoice = shared.latest_invoice as Stripe.Invoice;
    const intent = invoice.payment_intent as Stripe.PaymentIntent;
    expect(invoice.status).toBe('paid');
    expect(intent.transfer_data).toMatchObject({ destination: account, amount: 1600 });
    const transfer = (intent.latest_charge as Stripe.Charge).transfer as Stripe.Transfer;
    expect(transfer).toMatchObject({ object: 'transfer', destination: account, amount: 1600 });

    const feed = await stripe.subscriptions.create({
      ...(await billing()),
      transfer_data: { destination: account },
      application_fee_percent: 12.5,
      expand: ['latest_invoice.payment_intent.latest_charge'],
    });
    const feeIntent = (feed.latest_invoice as Stripe.Invoice).payment_intent as Stripe.PaymentIntent;
    expect(feeIntent.application_fee_amount).toBe(250);
    const charge = feeIntent.latest_charge as Stripe.Charge;
    const fee = await stripe.applicationFees.retrieve(String(charge.application_fee));
    expect(fee).toMatchObject({ amount: 250, account });
  });

  it('an update’s invoice of its prorations carries them, a credit none', async () => {
    const account = await newPayee(stripe);
    const terms = {
      transfer_data: { destination: account, amount_percent: 80 },
      on_behalf_of: account,
      application_fee_percent: 10,
    };
    const made = await stripe.subscriptions.create({ ...(await billing()), ...terms });
    const bigger = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 6000,
      recurring: { interval: 'month' },
      product_data: { name: 'Bigger plan' },
    });
    const updated = await stripe.subscriptions.update(made.id, {
      items: [{ id: made.items.data[0]!.id, price: bigger.id }],
      proration_behavior: 'always_invoice',
      proration_date: made.current_period_start,
      expand: ['latest_invoice'],
    });
    const invoice = updated.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({
      billing_reason: 'subscription_update',
      total: 4000,
      on_behalf_of: account,
      transfer_data: { destination: account, amount: 3200 },
      application_fee_amount: 400,
    });
    // Back to the smaller price: a credit, of which nothing is shared.
    const credited = await stripe.subscriptions.update(made.id, {
      items: [{ id: made.items.data[0]!.id, price: (made.items.data[0]!.price as Stripe.Price).id }],
      proration_behavior: 'always_invoice',
      proration_date: made.current_period_start,
      expand: ['latest_invoice'],
    });
    expect((credited.latest_invoice as Stripe.Invoice).total).toBeLessThan(0);
    expect(credited.latest_invoice).toMatchObject({
      transfer_data: { destination: account, amount: 0 },
      application_fee_amount: 0,
    });
  });

  it('a destination must be an existing account', async () => {
    await expect(
      stripe.subscriptions.create({ ...(await billing()), transfer_data: { destination: 'acct_missing' } }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'transfer_data[destination]' });
  });
});

describe('a connected account’s payout schedule', () => {
  const DAY = 86_400;
  /** The `available_on` of a direct charge of `account`, and when the charge was made. */
  async function directCharge(account: string) {
    const charge = await stripe.charges.create(
      { amount: 2000, currency: 'usd', source: 'tok_visa', expand: ['balance_transaction'] },
      { stripeAccount: account },
    );
    const txn = charge.balance_transaction as Stripe.BalanceTransaction;
    return { created: charge.created, availableOn: txn.available_on, status: txn.status };
  }

  it('is Stripe’s default for a new Custom or Express account: daily, its charges held 2 days', async () => {
    for (const [type, negative] of [
      ['custom', false],
      ['express', true],
    ] as const) {
      const account = await stripe.accounts.create({ type, country: 'US' });
      expect(account.settings?.payouts, type).toEqual({
        debit_negative_balances: negative,
        schedule: { delay_days: 2, interval: 'daily' },
        statement_descriptor: null,
      });
    }
  });

  it('holds a direct charge’s funds its delay_days, as set on create or update', async () => {
    const account = await newPayee(stripe, { settings: { payouts: { schedule: { delay_days: 5 } } } });
    expect((await stripe.accounts.retrieve(account)).settings?.payouts?.schedule).toEqual({
      delay_days: 5,
      interval: 'daily',
    });
    const held = await directCharge(account);
    expect(held).toMatchObject({ availableOn: held.created + 5 * DAY, status: 'pending' });
    const updated = await stripe.accounts.update(account, {
      settings: {
        payouts: { schedule: { delay_days: 'minimum', interval: 'weekly', weekly_anchor: 'friday' } },
      },
    });
    expect(updated.settings?.payouts?.schedule).toEqual({
      delay_days: 2,
      interval: 'weekly',
      weekly_anchor: 'friday',
    });
    const after = await directCharge(account);
    expect(after.availableOn).toBe(after.created + 2 * DAY);
  });
});
