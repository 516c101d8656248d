/**
 * Connect: capabilities, external accounts, transfers and reversals, payouts, application fees,
 * `Stripe-Account` scoping, and an account's controller.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type EmulatorHarness, newOnboardedExpress, newPayee, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;
let stripe: Stripe;

beforeAll(async () => {
  h = await startEmulatorHarness();
  stripe = h.stripe;
});
afterAll(() => h.close());

/** A Checkout Session (a payment of 10.00) whose payment goes to `transfer_data`'s destination. */
const destinationSession = (transfer_data: { destination: string }) =>
  stripe.checkout.sessions.create({
    mode: 'payment',
    success_url: 'https://example.com/done',
    line_items: [
      { price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'One' } }, quantity: 1 },
    ],
    payment_intent_data: { transfer_data },
  });

/** What a US custom account (an individual) must provide, with Stripe's test values. */
const onboarding = {
  business_type: 'individual',
  business_profile: { mcc: '5734', url: 'https://accessible.stripe.com' },
  individual: {
    first_name: 'Jenny',
    last_name: 'Rosen',
    email: 'jenny.rosen@example.com',
    phone: '0000000000',
    dob: { day: 1, month: 1, year: 1901 },
    ssn_last_4: '0000',
    address: { line1: 'address_full_match', city: 'San Francisco', state: 'CA', postal_code: '94103' },
  },
  tos_acceptance: { date: 1_700_000_000, ip: '127.0.0.1' },
  external_account: 'btok_us_verified',
} satisfies Stripe.AccountUpdateParams;

describe('capabilities', () => {
  it('the seeded account lists its requested capabilities, named after themselves', async () => {
    const list = await stripe.accounts.listCapabilities(SEED.connected.account);
    expect(list.url).toBe(`/v1/accounts/${SEED.connected.account}/capabilities`);
    expect(list.data.map((c) => c.id).sort()).toEqual([...SEED.connected.capabilities].sort());
    for (const capability of list.data) {
      expect(capability).toMatchObject({
        object: 'capability',
        account: SEED.connected.account,
        requested: true,
        status: 'active',
      });
    }
  });

  it('a requested capability stays inactive while the account has requirements due', async () => {
    const account = await stripe.accounts.create({
      type: 'custom',
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
    });
    expect(account).toMatchObject({
      capabilities: { card_payments: 'inactive', transfers: 'inactive' },
      charges_enabled: false,
      payouts_enabled: false,
    });
    expect(account.requirements?.currently_due).toContain('tos_acceptance.date');
    const capability = await stripe.accounts.retrieveCapability(account.id, 'card_payments');
    expect(capability).toMatchObject({ requested: true, status: 'inactive' });
    expect(capability.requirements?.currently_due).toEqual(account.requirements?.currently_due);
    // Providing what is due activates them.
    const onboarded = await stripe.accounts.update(account.id, onboarding);
    expect(onboarded).toMatchObject({
      capabilities: { card_payments: 'active', transfers: 'active' },
      charges_enabled: true,
      payouts_enabled: true,
      requirements: { currently_due: [] },
    });
    expect(await stripe.accounts.retrieveCapability(account.id, 'transfers')).toMatchObject({
      status: 'active',
      requirements: { currently_due: [] },
    });
  });

  it('updating requested moves the status and the account’s summary', async () => {
    const account = await stripe.accounts.create({
      type: 'custom',
      capabilities: { card_payments: { requested: true } },
      ...onboarding,
    });
    expect(account).toMatchObject({ capabilities: { card_payments: 'active' }, charges_enabled: true });
    const off = await stripe.accounts.updateCapability(account.id, 'card_payments', { requested: false });
    expect(off).toMatchObject({ requested: false, status: 'inactive', requested_at: null });
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({
      capabilities: { card_payments: 'inactive' },
      charges_enabled: false,
    });
    await stripe.accounts.update(account.id, { capabilities: { transfers: { requested: true } } });
    expect((await stripe.accounts.listCapabilities(account.id)).data.map((c) => c.id).sort()).toEqual([
      'card_payments',
      'transfers',
    ]);
  });

  it('a known capability not requested yet reads as inactive; an unknown one is 404', async () => {
    const account = await stripe.accounts.create({ type: 'custom' });
    expect(
      await stripe.accounts.retrieveCapability(account.id, 'us_bank_account_ach_payments'),
    ).toMatchObject({
      requested: false,
      status: 'inactive',
    });
    await expect(stripe.accounts.retrieveCapability(account.id, 'telepathy_payments')).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('capabilities of different accounts share names without clashing', async () => {
    const a = await stripe.accounts.create({
      type: 'custom',
      capabilities: { transfers: { requested: true } },
      ...onboarding,
    });
    const b = await stripe.accounts.create({
      type: 'custom',
      capabilities: { transfers: { requested: true } },
      ...onboarding,
    });
    await stripe.accounts.updateCapability(a.id, 'transfers', { requested: false });
    expect((await stripe.accounts.retrieveCapability(b.id, 'transfers')).status).toBe('active');
  });
});

describe('accounts', () => {
  it("a new account holds its country's currency unless told otherwise", async () => {
    expect((await stripe.accounts.create({ type: 'custom', country: 'FR' })).default_currency).toBe('eur');
    expect((await stripe.accounts.create({ type: 'custom', country: 'GB' })).default_currency).toBe('gbp');
    expect((await stripe.accounts.create({ type: 'custom' })).default_currency).toBe('usd');
    const chosen = await stripe.accounts.create({ type: 'custom', country: 'FR', default_currency: 'usd' });
    expect(chosen.default_currency).toBe('usd');
  });

  it("rejecting takes one of Stripe's reasons, and disables the account for it", async () => {
    const account = await stripe.accounts.create({ type: 'custom' });
    await expect(stripe.accounts.reject(account.id, { reason: 'bored' })).rejects.toMatchObject({
      statusCode: 400,
      param: 'reason',
    });
    const rejected = await stripe.accounts.reject(account.id, { reason: 'terms_of_service' });
    expect(rejected).toMatchObject({
      charges_enabled: false,
      payouts_enabled: false,
      requirements: { disabled_reason: 'rejected.terms_of_service' },
    });
  });

  it('a rejected account stays disabled, whatever it provides later', async () => {
    const account = await stripe.accounts.create({
      type: 'custom',
      capabilities: { card_payments: { requested: true } },
      ...onboarding,
    });
    expect(account).toMatchObject({ charges_enabled: true, capabilities: { card_payments: 'active' } });
    const rejected = await stripe.accounts.reject(account.id, { reason: 'fraud' });
    expect(rejected).toMatchObject({ charges_enabled: false, capabilities: { card_payments: 'inactive' } });
    const updated = await stripe.accounts.update(account.id, { metadata: { note: 'after' } });
    expect(updated).toMatchObject({
      charges_enabled: false,
      payouts_enabled: false,
      capabilities: { card_payments: 'inactive' },
      requirements: { disabled_reason: 'rejected.fraud' },
    });
  });
});

describe('login links', () => {
  it('open an Express account’s dashboard once its owner has onboarded', async () => {
    const fresh = await stripe.accounts.create({ type: 'express', country: 'US' });
    await expect(stripe.accounts.createLoginLink(fresh.id)).rejects.toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      message: 'Cannot create a login link for an account that has not completed onboarding.',
    });
    const onboarded = newOnboardedExpress(h.emulator.service);
    expect((await stripe.accounts.retrieve(onboarded)).details_submitted).toBe(true);
    expect(await stripe.accounts.createLoginLink(onboarded)).toMatchObject({
      object: 'login_link',
      url: expect.stringMatching(/\/express\/\w{24}$/),
    });
  });
});

describe('account links', () => {
  it('of type account_update are for an onboarded Custom account; others onboard first', async () => {
    const link = (account: string, type: Stripe.AccountLinkCreateParams.Type) =>
      stripe.accountLinks.create({
        account,
        type,
        refresh_url: 'https://example.com/reauth',
        return_url: 'https://example.com/return',
      });
    expect(await link(SEED.connected.account, 'account_update')).toMatchObject({ object: 'account_link' });
    const fresh = await stripe.accounts.create({ type: 'custom' });
    for (const account of [fresh.id, newOnboardedExpress(h.emulator.service)]) {
      await expect(link(account, 'account_update')).rejects.toMatchObject({
        statusCode: 400,
        type: 'StripeInvalidRequestError',
        message: expect.stringContaining('Valid types for this account are ["account_onboarding"]'),
      });
      expect(await link(account, 'account_onboarding')).toMatchObject({ object: 'account_link' });
    }
  });
});

describe('an account changing state', () => {
  /** The events since `since` (an event id) about `account` or its capabilities, oldest first. */
  const eventsSince = async (since: string, account: string) =>
    (await stripe.events.list({ limit: 100, ending_before: since })).data
      .filter((event) => {
        const object = event.data.object as { id?: string; account?: string };
        return object.id === account || object.account === account;
      })
      .reverse();
  const lastEvent = async () => (await stripe.events.list({ limit: 1 })).data[0]!.id;

  it('an account whose charges are not enabled makes no charge, nor does the platform on its behalf', async () => {
    const refusal = { statusCode: 400, type: 'StripeInvalidRequestError' };
    const due = await stripe.accounts.create({
      type: 'custom',
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
    });
    const rejected = await newPayee(stripe);
    await stripe.accounts.reject(rejected, { reason: 'fraud' });
    const card = { amount: 1000, currency: 'usd', source: 'tok_visa' };
    for (const account of [due.id, rejected]) {
      const onAccount = { stripeAccount: account };
      await expect(stripe.charges.create(card, onAccount)).rejects.toMatchObject(refusal);
      // A PaymentIntent is made, but its confirmation charges nothing.
      const intent = await stripe.paymentIntents.create(
        { amount: 1000, currency: 'usd', payment_method_types: ['card'] },
        onAccount,
      );
      await expect(
        stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }, onAccount),
      ).rejects.toMatchObject(refusal);
      expect((await stripe.charges.list({}, onAccount)).data).toEqual([]);
      await expect(stripe.charges.create({ ...card, on_behalf_of: account })).rejects.toMatchObject(refusal);
    }
    // Once onboarded, its charges go through.
    await stripe.accounts.update(due.id, onboarding);
    const made = await stripe.charges.create(card, { stripeAccount: due.id });
    expect(made).toMatchObject({ status: 'succeeded', amount: 1000 });
    expect(await stripe.charges.create({ ...card, on_behalf_of: due.id })).toMatchObject({
      status: 'succeeded',
      on_behalf_of: due.id,
    });
  });

  it('supplying what is due shrinks its capabilities’ requirements, announced by events', async () => {
    const account = await stripe.accounts.create({
      type: 'custom',
      capabilities: { transfers: { requested: true } },
      ...onboarding,
      individual: { first_name: 'Jenny', last_name: 'Rosen' },
    });
    const before = await stripe.accounts.retrieveCapability(account.id, 'transfers');
    expect(before.requirements!.currently_due).toContain('individual.dob.day');
    const since = await lastEvent();
    await stripe.accounts.update(account.id, { individual: { dob: { day: 1, month: 1, year: 1901 } } });
    const after = await stripe.accounts.retrieveCapability(account.id, 'transfers');
    const gone = ['individual.dob.day', 'individual.dob.month', 'individual.dob.year'];
    expect(after.requirements!.currently_due).toEqual(
      before.requirements!.currently_due.filter((name) => !gone.includes(name)),
    );
    expect(after.requirements!.eventually_due).toEqual(after.requirements!.currently_due);
    const events = await eventsSince(since, account.id);
    expect(events.map((event) => event.type).sort()).toEqual(['account.updated', 'capability.updated']);
    const capability = events.find((event) => event.type === 'capability.updated')!;
    expect(capability.data.previous_attributes).toMatchObject({
      requirements: { currently_due: before.requirements!.currently_due },
    });
  });

  it('a rejection disables its capabilities for its reason, announced by events', async () => {
    const account = await newPayee(stripe);
    const since = await lastEvent();
    await stripe.accounts.reject(account, { reason: 'terms_of_service' });
    for (const name of ['card_payments', 'transfers'])
      expect(await stripe.accounts.retrieveCapability(account, name)).toMatchObject({
        status: 'inactive',
        requirements: { disabled_reason: 'rejected.terms_of_service', currently_due: [] },
      });
    const events = await eventsSince(since, account);
    expect(events.map((event) => event.type).sort()).toEqual([
      'account.updated',
      'capability.updated',
      'capability.updated',
    ]);
    const updated = events.find((event) => event.type === 'account.updated')!;
    expect(updated.data.previous_attributes).toMatchObject({
      charges_enabled: true,
      payouts_enabled: true,
      capabilities: { card_payments: 'active', transfers: 'active' },
    });
  });
});

describe('external accounts', () => {
  it('the first bank account per currency is the default', async () => {
    const seeded = await stripe.accounts.listExternalAccounts(SEED.connected.account);
    expect(seeded.data).toEqual([
      expect.objectContaining({
        id: SEED.connected.bankAccount,
        object: 'bank_account',
        default_for_currency: true,
        account: SEED.connected.account,
      }),
    ]);
    const account = await stripe.accounts.create({ type: 'custom', external_account: 'btok_us_verified' });
    const second = await stripe.accounts.createExternalAccount(account.id, { external_account: 'btok_us' });
    expect(second).toMatchObject({ default_for_currency: false, account: account.id });
    const expanded = await stripe.accounts.retrieve(account.id, { expand: ['external_accounts'] });
    expect(expanded.external_accounts!.data).toHaveLength(2);
    const first = expanded.external_accounts!.data.find((e) => e.id !== second.id)!;
    await expect(stripe.accounts.deleteExternalAccount(account.id, first.id)).rejects.toMatchObject({
      statusCode: 400,
    });
    expect(await stripe.accounts.deleteExternalAccount(account.id, second.id)).toMatchObject({
      id: second.id,
      deleted: true,
    });
  });

  it('an update making another external account the default takes over from the old one', async () => {
    const account = await stripe.accounts.create({ type: 'custom', external_account: 'btok_us_verified' });
    const [first] = (await stripe.accounts.listExternalAccounts(account.id)).data;
    const second = await stripe.accounts.createExternalAccount(account.id, { external_account: 'btok_us' });
    const updated = await stripe.accounts.updateExternalAccount(account.id, second.id, {
      default_for_currency: true,
    });
    expect(updated).toMatchObject({ default_for_currency: true });
    const list = await stripe.accounts.listExternalAccounts(account.id);
    expect(list.data.filter((e) => e.default_for_currency).map((e) => e.id)).toEqual([second.id]);
    // The old default is an ordinary external account now, which can go.
    expect(await stripe.accounts.deleteExternalAccount(account.id, first!.id)).toMatchObject({
      deleted: true,
    });
  });

  it('an account its reader controls carries its external accounts unasked, as a list', async () => {
    const account = await stripe.accounts.create({ type: 'custom', external_account: 'btok_us_verified' });
    const card = await stripe.accounts.createExternalAccount(account.id, {
      external_account: 'tok_visa_debit',
    });
    const [bank] = (await stripe.accounts.listExternalAccounts(account.id, { object: 'bank_account' })).data;
    const expected = {
      object: 'list',
      data: [
        expect.objectContaining({ id: card.id, object: 'card', account: account.id }),
        expect.objectContaining({ id: bank!.id, object: 'bank_account', default_for_currency: true }),
      ],
      has_more: false,
      url: `/v1/accounts/${account.id}/external_accounts`,
    };
    // Retrieved, listed, or read by the account itself (`/v1/account`); express accounts too.
    expect((await stripe.accounts.retrieve(account.id)).external_accounts).toEqual(expected);
    const listed = (await stripe.accounts.list({ limit: 100 })).data.find((a) => a.id === account.id);
    expect(listed!.external_accounts).toEqual(expected);
    expect((await stripe.accounts.retrieve({ stripeAccount: account.id })).external_accounts).toEqual(
      expected,
    );
    const express = await stripe.accounts.create({ type: 'express', external_account: 'btok_us_verified' });
    expect(express.external_accounts!.data).toHaveLength(1);
    // The platform's own account lists its bank account.
    expect((await stripe.accounts.retrieve()).external_accounts!.data.map((e) => e.id)).toEqual([
      SEED.platform.bankAccount,
    ]);
    // A standard account controls itself: the platform does not see them.
    const standard = await stripe.accounts.create({ type: 'standard', external_account: 'btok_us_verified' });
    expect((await stripe.accounts.retrieve(standard.id)).external_accounts).toBeUndefined();
  });
});

describe('account requirements', () => {
  it('an external account added later, or removed, updates what is due', async () => {
    const account = await stripe.accounts.create({ type: 'custom' });
    expect(account.requirements!.currently_due).toContain('external_account');
    // Disabled for what is past due, which it lists.
    expect(account.requirements).toMatchObject({ disabled_reason: 'requirements.past_due' });
    expect(account.requirements!.past_due).toEqual(account.requirements!.currently_due);
    const bank = await stripe.accounts.createExternalAccount(account.id, { external_account: 'btok_us' });
    const added = await stripe.accounts.retrieve(account.id);
    expect(added.requirements!.currently_due).not.toContain('external_account');
    expect(added.requirements!.eventually_due).not.toContain('external_account');
    await stripe.accounts.deleteExternalAccount(account.id, bank.id);
    const removed = await stripe.accounts.retrieve(account.id);
    expect(removed.requirements!.currently_due).toContain('external_account');
  });
});

describe('transfers and reversals', () => {
  it('the seeded transfer is partly reversed', async () => {
    const transfer = await stripe.transfers.retrieve(SEED.connected.transfer);
    expect(transfer).toMatchObject({
      amount: 10_000,
      amount_reversed: 2500,
      reversed: false,
      destination: SEED.connected.account,
    });
    expect(transfer.reversals.data.map((r) => r.id)).toEqual([SEED.connected.reversal]);
    expect(transfer.reversals.url).toBe(`/v1/transfers/${SEED.connected.transfer}/reversals`);
    expect(
      (await stripe.transfers.list({ destination: SEED.connected.account })).data.map((t) => t.id),
    ).toEqual([SEED.connected.secondTransfer, SEED.connected.transfer]);
  });

  it('reversals add up, set reversed when full and cannot exceed the transfer', async () => {
    const transfer = await stripe.transfers.create({
      amount: 1000,
      currency: 'usd',
      destination: SEED.connected.account,
    });
    await stripe.transfers.createReversal(transfer.id, { amount: 300 });
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({
      amount_reversed: 300,
      reversed: false,
    });
    await expect(stripe.transfers.createReversal(transfer.id, { amount: 800 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'amount',
    });
    const rest = await stripe.transfers.createReversal(transfer.id);
    expect(rest.amount).toBe(700);
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({
      amount_reversed: 1000,
      reversed: true,
    });
    await expect(stripe.transfers.createReversal(transfer.id, { amount: 1 })).rejects.toMatchObject({
      statusCode: 400,
    });
    expect((await stripe.transfers.listReversals(transfer.id)).data).toHaveLength(2);
  });

  it('the destination sees a reversal as a refund of its payment, naming the reversal', async () => {
    const transfer = await stripe.transfers.create({
      amount: 800,
      currency: 'usd',
      destination: SEED.connected.account,
    });
    const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 300 });
    const refund = await stripe.refunds.retrieve(
      reversal.destination_payment_refund as string,
      {},
      { stripeAccount: SEED.connected.account },
    );
    expect(refund).toMatchObject({
      amount: 300,
      charge: transfer.destination_payment,
      source_transfer_reversal: reversal.id,
    });
  });

  it('a transfer to an unknown account is refused', async () => {
    await expect(
      stripe.transfers.create({ amount: 1000, currency: 'usd', destination: 'acct_nope' }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'destination',
    });
  });

  it('an account whose transfers capability is not active receives no transfer until it is', async () => {
    const refusal = {
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      code: 'insufficient_capabilities_for_transfer',
    };
    const transferTo = (destination: string) =>
      stripe.transfers.create({ amount: 300, currency: 'usd', destination });
    // Neither an account that never asked for it, nor one with requirements due, nor a rejected one.
    const bare = await stripe.accounts.create({ type: 'custom' });
    const due = await stripe.accounts.create({
      type: 'custom',
      capabilities: { transfers: { requested: true } },
    });
    const rejected = await newPayee(stripe);
    await stripe.accounts.reject(rejected, { reason: 'fraud' });
    const before = await stripe.transfers.list({ limit: 100 });
    for (const account of [bare.id, due.id, rejected])
      await expect(transferTo(account)).rejects.toMatchObject(refusal);
    expect((await stripe.transfers.list({ limit: 100 })).data).toEqual(before.data);
    // Destination payments are refused alike: a charge, a PaymentIntent, a subscription, a session.
    const transfer_data = { destination: due.id };
    await expect(
      stripe.charges.create({ amount: 1000, currency: 'usd', source: 'tok_visa', transfer_data }),
    ).rejects.toMatchObject(refusal);
    await expect(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', transfer_data }),
    ).rejects.toMatchObject(refusal);
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa' });
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'month' },
      product_data: { name: 'Shared' },
    });
    await expect(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], transfer_data }),
    ).rejects.toMatchObject(refusal);
    await expect(destinationSession(transfer_data)).rejects.toMatchObject(refusal);
    // An invoice with that destination is refused when it is made or given it, not once paid.
    await expect(stripe.invoices.create({ customer: customer.id, transfer_data })).rejects.toMatchObject(
      refusal,
    );
    const invoice = await stripe.invoices.create({ customer: customer.id });
    await expect(stripe.invoices.update(invoice.id, { transfer_data })).rejects.toMatchObject(refusal);
    // Onboarded, its requested `transfers` is active, and transfers go through.
    const onboarded = await stripe.accounts.update(due.id, onboarding);
    expect(onboarded.capabilities).toEqual({ transfers: 'active' });
    expect(await transferTo(due.id)).toMatchObject({ destination: due.id, amount: 300 });
    expect(await stripe.invoices.update(invoice.id, { transfer_data })).toMatchObject({
      transfer_data: { destination: due.id },
    });
  });

  it('the destination sees the transfer as a payment in its own scope', async () => {
    const transfer = await stripe.transfers.create({
      amount: 1200,
      currency: 'usd',
      destination: SEED.connected.account,
    });
    expect(transfer.destination_payment).toMatch(/^py_/);
    const payment = await stripe.charges.retrieve(
      transfer.destination_payment as string,
      {},
      { stripeAccount: SEED.connected.account },
    );
    expect(payment).toMatchObject({ amount: 1200, source_transfer: transfer.id });
    await expect(stripe.charges.retrieve(transfer.destination_payment as string)).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});

describe('references across accounts', () => {
  it("expand to the other account's object: a transfer's payment, a payment's transfer and charge", async () => {
    const account = await newPayee(stripe);
    const charge = await stripe.charges.create({
      amount: 4000,
      currency: 'usd',
      source: 'tok_visa',
      transfer_data: { destination: account },
    });
    // The platform reads the payment its transfer made on the destination, and that payment's own
    // balance transaction (the destination's).
    const transfer = await stripe.transfers.retrieve(charge.transfer as string, {
      expand: ['destination_payment.balance_transaction'],
    });
    const payment = transfer.destination_payment as Stripe.Charge;
    expect(payment).toMatchObject({ object: 'charge', amount: 4000, source_transfer: transfer.id });
    expect(payment.id).toMatch(/^py_/);
    expect(payment.balance_transaction).toMatchObject({ object: 'balance_transaction', amount: 4000 });
    // The destination reads the transfer behind its payment and the platform's charge behind that.
    const received = await stripe.charges.list(
      { expand: ['data.source_transfer.source_transaction'] },
      { stripeAccount: account },
    );
    expect(received.data).toHaveLength(1);
    const source = received.data[0]!.source_transfer as Stripe.Transfer;
    expect(source).toMatchObject({ id: transfer.id, object: 'transfer', destination: account });
    expect(source.source_transaction).toMatchObject({ id: charge.id, object: 'charge', amount: 4000 });
    // A reversal's refund of the payment, on the destination.
    const reversal = await stripe.transfers.createReversal(transfer.id, {
      amount: 1000,
      expand: ['destination_payment_refund'],
    });
    expect(reversal.destination_payment_refund).toMatchObject({
      object: 'refund',
      amount: 1000,
      charge: payment.id,
    });
    // Still an id unless expanded; another account's object is not reachable by a retrieve.
    expect((await stripe.transfers.retrieve(transfer.id)).destination_payment).toBe(payment.id);
    await expect(stripe.charges.retrieve(payment.id)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('payouts and application fees', () => {
  it("a payout goes to the paying account's default bank account for its currency", async () => {
    // The seeded one, the platform's, to the platform's bank account.
    const seeded = await stripe.payouts.retrieve(SEED.payout, { expand: ['destination'] });
    expect(seeded).toMatchObject({ type: 'bank_account', source_type: 'card' });
    expect(seeded.destination).toMatchObject({
      id: SEED.platform.bankAccount,
      object: 'bank_account',
      account: SEED.platform.account,
      default_for_currency: true,
    });
    const platform = await stripe.payouts.create({ amount: 1000, currency: 'usd' });
    expect(platform).toMatchObject({ destination: SEED.platform.bankAccount, type: 'bank_account' });
    // A connected account's goes to its own.
    const connected = await stripe.payouts.create(
      { amount: 100, currency: 'usd' },
      { stripeAccount: SEED.connected.account },
    );
    expect(connected.destination).toBe(SEED.connected.bankAccount);
    // A destination named is kept.
    const bank = await stripe.accounts.createExternalAccount(SEED.connected.account, {
      external_account: 'btok_us_verified',
    });
    const named = await stripe.payouts.create(
      { amount: 100, currency: 'usd', destination: bank.id },
      { stripeAccount: SEED.connected.account },
    );
    expect(named.destination).toBe(bank.id);
  });

  it("a payout goes only to the paying account's own external accounts", async () => {
    // The platform cannot pay out to a connected account's bank account.
    await expect(
      stripe.payouts.create({ amount: 100, currency: 'usd', destination: SEED.connected.bankAccount }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'destination' });
    // An account without an external account in the currency has nowhere to pay out to.
    const bare = await newPayee(stripe, {
      external_account: {
        object: 'bank_account',
        country: 'DE',
        currency: 'eur',
        account_number: 'DE89370400440532013000',
      } as never,
    });
    await stripe.transfers.create({ amount: 500, currency: 'usd', destination: bare });
    await expect(
      stripe.payouts.create({ amount: 100, currency: 'usd' }, { stripeAccount: bare }),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: "Sorry, you don't have any external accounts in that currency (usd).",
    });
  });

  it('a pending payout can be canceled once', async () => {
    const payout = await stripe.payouts.create({ amount: 1000, currency: 'usd' });
    expect(payout.status).toBe('pending');
    expect((await stripe.payouts.cancel(payout.id)).status).toBe('canceled');
    await expect(stripe.payouts.cancel(payout.id)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('application fee refunds', async () => {
    const refund = await stripe.applicationFees.createRefund(SEED.connected.applicationFee, { amount: 50 });
    expect(refund).toMatchObject({ object: 'fee_refund', amount: 50, fee: SEED.connected.applicationFee });
    expect(await stripe.applicationFees.retrieve(SEED.connected.applicationFee)).toMatchObject({
      amount_refunded: 50,
      refunded: false,
    });
    const refunds = await stripe.applicationFees.listRefunds(SEED.connected.applicationFee);
    expect(refunds.data.map((r) => r.id)).toEqual([refund.id]);
    expect(
      (await stripe.applicationFees.retrieveRefund(SEED.connected.applicationFee, refund.id)).amount,
    ).toBe(50);
  });
});

describe('application fees of Connect charges', () => {
  /** A custom account that can take card payments and receive transfers, with a bank account. */
  const newAccount = () => newPayee(stripe);

  /** A PaymentIntent's destination charge of 50.00 to `account` with a fee of 5.00, its transfer expanded. */
  const destinationCharge = async (account: string) => {
    const intent = await stripe.paymentIntents.create({
      amount: 5000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      payment_method_types: ['card'],
      application_fee_amount: 500,
      transfer_data: { destination: account },
    });
    return stripe.charges.retrieve(intent.latest_charge as string, { expand: ['transfer'] });
  };

  it("a destination charge's fee is taken from the destination's payment", async () => {
    const account = await newAccount();
    const charge = await destinationCharge(account);
    const payment = (charge.transfer as Stripe.Transfer).destination_payment as string;
    const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    expect(fee).toMatchObject({ account, amount: 500, charge: payment, originating_transaction: charge.id });
    const paid = await stripe.charges.retrieve(payment, {}, { stripeAccount: account });
    expect(paid.application_fee).toBe(fee.id);
  });

  it('a reversal with refund_application_fee refunds the fee in proportion, all of it when full', async () => {
    const charge = await destinationCharge(await newAccount());
    const transfer = (charge.transfer as Stripe.Transfer).id;
    const fee = charge.application_fee as string;
    await stripe.transfers.createReversal(transfer, { amount: 1000 });
    expect((await stripe.applicationFees.retrieve(fee)).amount_refunded).toBe(0);
    await stripe.transfers.createReversal(transfer, { amount: 2000, refund_application_fee: true });
    expect(await stripe.applicationFees.retrieve(fee)).toMatchObject({
      amount_refunded: 200,
      refunded: false,
    });
    // A full reversal refunds the whole fee.
    const whole = await destinationCharge(await newAccount());
    await stripe.transfers.createReversal((whole.transfer as Stripe.Transfer).id, {
      refund_application_fee: true,
    });
    const refunded = await stripe.applicationFees.retrieve(whole.application_fee as string);
    expect(refunded).toMatchObject({ amount_refunded: 500, refunded: true });
    expect(refunded.refunds.data.map((r) => r.amount)).toEqual([500]);
  });

  it('a refund with reverse_transfer and refund_application_fee gives both back in proportion', async () => {
    const charge = await destinationCharge(await newAccount());
    const transfer = (charge.transfer as Stripe.Transfer).id;
    const fee = charge.application_fee as string;
    // Without the flags, the platform alone gives the money back.
    const plain = await stripe.refunds.create({ charge: charge.id, amount: 500 });
    expect(plain.transfer_reversal).toBeNull();
    const refund = await stripe.refunds.create({
      charge: charge.id,
      amount: 1000,
      reverse_transfer: true,
      refund_application_fee: true,
    });
    const reversal = await stripe.transfers.retrieveReversal(transfer, refund.transfer_reversal as string);
    expect(reversal).toMatchObject({ amount: 1000, source_refund: refund.id, transfer });
    expect((await stripe.transfers.retrieve(transfer)).amount_reversed).toBe(1000);
    expect((await stripe.applicationFees.retrieve(fee)).amount_refunded).toBe(100);
    // The rest of the charge: as much again in proportion.
    await stripe.refunds.create({ charge: charge.id, reverse_transfer: true, refund_application_fee: true });
    expect(await stripe.transfers.retrieve(transfer)).toMatchObject({
      amount_reversed: 4500,
      reversed: false,
    });
    expect(await stripe.applicationFees.retrieve(fee)).toMatchObject({
      amount_refunded: 450,
      refunded: false,
    });
    // A full refund gives back the whole transfer and fee.
    const full = await destinationCharge(await newAccount());
    await stripe.refunds.create({ charge: full.id, reverse_transfer: true, refund_application_fee: true });
    expect((await stripe.transfers.retrieve((full.transfer as Stripe.Transfer).id)).reversed).toBe(true);
    expect((await stripe.applicationFees.retrieve(full.application_fee as string)).refunded).toBe(true);
  });

  it("a charge keeps its PaymentIntent's on_behalf_of", async () => {
    const account = await newAccount();
    const intent = await stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      payment_method_types: ['card'],
      on_behalf_of: account,
      transfer_data: { destination: account },
    });
    expect((await stripe.charges.retrieve(intent.latest_charge as string)).on_behalf_of).toBe(account);
    const plain = await stripe.charges.create({ amount: 2000, currency: 'usd', source: 'tok_visa' });
    expect(plain.on_behalf_of).toBeNull();
  });

  it("a direct charge's fee is taken from the charge on the connected account", async () => {
    const account = await newAccount();
    const onAccount = { stripeAccount: account };
    const intent = await stripe.paymentIntents.create(
      {
        amount: 5000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
        payment_method_types: ['card'],
        application_fee_amount: 300,
      },
      onAccount,
    );
    const charge = await stripe.charges.retrieve(
      intent.latest_charge as string,
      { expand: ['balance_transaction'] },
      onAccount,
    );
    expect(charge).toMatchObject({
      application_fee_amount: 300,
      application_fee: expect.stringMatching(/^fee_/),
    });
    const txn = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(txn.fee_details.map((line) => [line.type, line.amount])).toEqual([
      ['stripe_fee', Math.round(5000 * 0.029) + 30],
      ['application_fee', 300],
    ]);
    expect(txn.net).toBe(5000 - txn.fee);
    // The platform holds the fee, which names the connected account's charge.
    const fee = await stripe.applicationFees.retrieve(charge.application_fee as string, {
      expand: ['balance_transaction'],
    });
    expect(fee).toMatchObject({ account, amount: 300, charge: charge.id, originating_transaction: null });
    expect(fee.balance_transaction).toMatchObject({ amount: 300, type: 'application_fee' });
    // The platform hears of its fee; the connected account hears of its payment.
    const platformEvents = await stripe.events.list({ type: 'application_fee.created', limit: 100 });
    const announced = platformEvents.data.find(
      (event) => (event.data.object as { id: string }).id === fee.id,
    );
    expect(announced).toBeDefined();
    expect(announced?.account).toBeUndefined();
    const accountEvents = await stripe.events.list({ limit: 100 }, onAccount);
    expect(accountEvents.data.map((event) => event.type)).toContain('payment_intent.succeeded');
    expect(accountEvents.data.map((event) => event.type)).not.toContain('application_fee.created');
  });

  it("a direct charge's refund with refund_application_fee refunds the platform's fee", async () => {
    const account = await newAccount();
    const onAccount = { stripeAccount: account };
    const charge = await stripe.charges.create(
      { amount: 4000, currency: 'usd', source: 'tok_visa', application_fee_amount: 400 },
      onAccount,
    );
    await stripe.refunds.create({ charge: charge.id, amount: 1000, refund_application_fee: true }, onAccount);
    const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    expect(fee).toMatchObject({ amount_refunded: 100, refunded: false });
    const [refund] = fee.refunds.data;
    expect(refund).toMatchObject({ amount: 100, fee: fee.id });
    // The platform gives it back to the account.
    const taken = await stripe.balanceTransactions.retrieve(refund!.balance_transaction as string);
    expect(taken).toMatchObject({ amount: -100, type: 'application_fee_refund' });
    const given = await stripe.balanceTransactions.list({ type: 'application_fee_refund' }, onAccount);
    expect(given.data.map((txn) => [txn.amount, txn.source])).toEqual([[100, refund!.id]]);
    const refunded = await stripe.events.list({ type: 'application_fee.refunded', limit: 100 });
    const event = refunded.data.find((e) => (e.data.object as { id: string }).id === fee.id);
    expect(event?.data.object).toMatchObject({ amount_refunded: 100 });
  });
});

describe('Stripe-Account scoping', () => {
  const connected = { stripeAccount: SEED.connected.account };

  it('objects live in their account’s scope only', async () => {
    const platform = await stripe.customers.list({ limit: 100 });
    expect(platform.data.map((c) => c.id)).not.toContain(SEED.connected.customer);
    const scoped = await stripe.customers.list({ limit: 100 }, connected);
    expect(scoped.data.map((c) => c.id)).toEqual([SEED.connected.customer]);
    const created = await stripe.customers.create({ name: 'Scoped' }, connected);
    await expect(stripe.customers.retrieve(created.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await stripe.customers.retrieve(created.id, {}, connected)).id).toBe(created.id);
    await expect(stripe.customers.retrieve(SEED.jenny.customer, {}, connected)).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('/v1/account is the connected account, and the balance is the account’s own', async () => {
    expect((await stripe.accounts.retrieveCurrent({}, connected)).id).toBe(SEED.connected.account);
    expect((await stripe.accounts.retrieveCurrent()).id).toBe(SEED.platform.account);
    // The account's balance is the sum of its own balance transactions: the transfers it received.
    const own = await stripe.balance.retrieve({}, connected);
    const txns = await stripe.balanceTransactions.list({ limit: 100 }, connected);
    const net = txns.data.reduce((sum, t) => sum + t.net, 0);
    expect(txns.data.length).toBeGreaterThan(0);
    expect(own.available[0]!.amount + own.pending[0]!.amount).toBe(net);
    expect(own.available[0]!.amount).not.toBe((await stripe.balance.retrieve()).available[0]!.amount);
  });

  it('an account that is not connected is refused with 403', async () => {
    await expect(
      stripe.customers.list({}, { stripeAccount: 'acct_1Unknown000000000' }),
    ).rejects.toMatchObject({
      statusCode: 403,
      code: 'account_invalid',
    });
  });

  it('the platform’s own id addresses the platform', async () => {
    const list = await stripe.customers.list({ limit: 1 }, { stripeAccount: SEED.platform.account });
    expect(list.data).toHaveLength(1);
    expect(
      (await stripe.customers.retrieve(SEED.jenny.customer, {}, { stripeAccount: SEED.platform.account })).id,
    ).toBe(SEED.jenny.customer);
  });

  it('a deleted account can no longer be used', async () => {
    const account = await stripe.accounts.create({ type: 'custom' });
    await stripe.customers.create({}, { stripeAccount: account.id });
    await stripe.accounts.del(account.id);
    await expect(stripe.customers.list({}, { stripeAccount: account.id })).rejects.toMatchObject({
      statusCode: 403,
    });
    await expect(stripe.accounts.retrieve(account.id)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("an account's controller", () => {
  it.each([
    ['standard', 'account', 'stripe', 'stripe', 'full'],
    ['express', 'application_express', 'application', 'stripe', 'express'],
    ['custom', 'application_custom', 'application', 'application', 'none'],
  ] as const)(
    'is what type=%s stands for, the platform controlling it',
    async (type, payer, payments, collection, dashboard) => {
      const created = await stripe.accounts.create({ type });
      const expected = {
        fees: { payer },
        is_controller: true,
        losses: { payments },
        requirement_collection: collection,
        stripe_dashboard: { type: dashboard },
        type: 'application',
      };
      expect(created.controller).toEqual(expected);
      expect((await stripe.accounts.retrieve(created.id)).controller).toEqual(expected);
    },
  );

  it('is as the controller parameters say, defaults filling the rest, and the account has no type', async () => {
    const account = await stripe.accounts.create({
      controller: {
        fees: { payer: 'application' },
        losses: { payments: 'application' },
        stripe_dashboard: { type: 'express' },
      },
    });
    expect(account.type).toBe('none');
    expect(account.controller).toEqual({
      fees: { payer: 'application' },
      is_controller: true,
      losses: { payments: 'application' },
      requirement_collection: 'stripe',
      stripe_dashboard: { type: 'express' },
      type: 'application',
    });
    // Without the full dashboard, its external accounts come with it, as a custom account's do.
    expect(account.external_accounts).toMatchObject({ object: 'list', data: [] });
    const bare = await stripe.accounts.create({ controller: { fees: { payer: 'account' } } });
    expect(bare).toMatchObject({
      type: 'none',
      controller: {
        losses: { payments: 'stripe' },
        requirement_collection: 'stripe',
        stripe_dashboard: { type: 'full' },
      },
    });
  });

  it('decides, not the type, whether the platform updates it and whether it has login links', async () => {
    const collected = await stripe.accounts.create({
      controller: {
        fees: { payer: 'application' },
        losses: { payments: 'application' },
        requirement_collection: 'application',
        stripe_dashboard: { type: 'none' },
      },
    });
    await stripe.accounts.update(collected.id, onboarding);
    const update = await stripe.accountLinks.create({
      account: collected.id,
      type: 'account_update',
      refresh_url: 'https://example.com/reauth',
      return_url: 'https://example.com/return',
    });
    expect(update).toMatchObject({ object: 'account_link' });
    await expect(stripe.accounts.createLoginLink(collected.id)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('only accounts with the Express dashboard'),
    });
  });

  it('of the platform is the platform itself', async () => {
    expect((await stripe.accounts.retrieve()).controller).toEqual({ type: 'account' });
  });
});

describe('a destination that does not exist', () => {
  /** What Stripe answers a destination naming no account, under the parameter `param`. */
  const missing = (param: string) => ({
    statusCode: 400,
    code: 'resource_missing',
    param,
    message: "No such destination: 'acct_missing'",
  });
  const transfer_data = { destination: 'acct_missing' };

  it('is refused when an invoice is created or updated, not once it is paid', async () => {
    const customer = (await stripe.customers.create({})).id;
    await expect(stripe.invoices.create({ customer, transfer_data })).rejects.toMatchObject(
      missing('transfer_data[destination]'),
    );
    const invoice = await stripe.invoices.create({ customer });
    await expect(stripe.invoices.update(invoice.id, { transfer_data })).rejects.toMatchObject(
      missing('transfer_data[destination]'),
    );
  });

  it('is refused when a PaymentIntent, a transfer or a Checkout Session names it', async () => {
    await expect(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', transfer_data }),
    ).rejects.toMatchObject(missing('transfer_data[destination]'));
    await expect(
      stripe.transfers.create({ amount: 100, currency: 'usd', destination: 'acct_missing' }),
    ).rejects.toMatchObject(missing('destination'));
    await expect(destinationSession(transfer_data)).rejects.toMatchObject(
      missing('payment_intent_data[transfer_data][destination]'),
    );
  });
});

describe("a card's properties follow its owner", () => {
  /** The properties only an external account's card carries (stripe-node's Card). */
  const payoutKeys = ['account', 'available_payout_methods', 'currency', 'default_for_currency', 'status'];

  it("a customer's card has its customer and none of an external account's", async () => {
    const customer = (await stripe.customers.create({})).id;
    const card = await stripe.customers.createSource(customer, { source: 'tok_visa' });
    const read = [
      card,
      await stripe.customers.retrieveSource(customer, card.id),
      (await stripe.customers.listSources(customer, { object: 'card' })).data[0]!,
      (await h.request('GET', `/v1/customers/${customer}/cards`)).body.data[0],
    ];
    for (const shown of read) {
      expect(shown).toMatchObject({ id: card.id, customer });
      for (const key of payoutKeys) expect(shown).not.toHaveProperty(key);
    }
  });

  it("a customer's bank account has none of an external account's either", async () => {
    const customer = (await stripe.customers.create({})).id;
    const bank = await stripe.customers.createSource(customer, { source: 'btok_us_verified' });
    expect(bank).toMatchObject({ object: 'bank_account', customer });
    for (const key of ['account', 'available_payout_methods', 'default_for_currency', 'requirements'])
      expect(bank).not.toHaveProperty(key);
  });

  it("an external account's card has its account and payout properties, and no customer", async () => {
    const account = await newPayee(stripe);
    const card = await stripe.accounts.createExternalAccount(account, { external_account: 'tok_visa_debit' });
    for (const shown of [card, await stripe.accounts.retrieveExternalAccount(account, card.id)]) {
      expect(shown).toMatchObject({ account, currency: 'usd', default_for_currency: false, status: 'new' });
      expect(shown).toHaveProperty('available_payout_methods');
      expect(shown).not.toHaveProperty('customer');
    }
  });
});
