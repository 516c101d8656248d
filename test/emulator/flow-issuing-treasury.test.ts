/**
 * Issuing and Treasury, walked through GraphQL on the emulator (rules/issuing.ts,
 * rules/treasury.ts): cards, authorizations approved or declined, captured into transactions and
 * refunded, disputes submitted; received credits and debits, outbound transfers posted, reversals
 * once, features updated; with the events a GraphQL subscription receives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlowHarness, startFlows, typesAmong } from './flow-harness.ts';

let f: FlowHarness;
beforeAll(async () => {
  f = await startFlows();
});
afterAll(() => f.close());

/** A new individual cardholder's id, with `controls` (GraphQL input fields) if given. */
async function newCardholder(controls = ''): Promise<string> {
  const { createIssuingCardholder } = await f.ok(`mutation {
    createIssuingCardholder(input: { name: "Ada Card", type: INDIVIDUAL, billing: { address: { line1: "1 Main St", city: "SF", postalCode: "94111", country: "US" } } ${controls} }) { id }
  }`);
  return createIssuingCardholder.id;
}

/** A new active virtual USD card of `holder` (a new cardholder's unless given): its id and last4. */
async function newActiveCard(holder?: string): Promise<{ id: string; last4: string }> {
  const { createIssuingCard } = await f.ok(
    'mutation($h: ID!) { createIssuingCard(input: { cardholder: $h, currency: "usd", type: VIRTUAL, status: ACTIVE }) { id last4 } }',
    { h: holder ?? (await newCardholder()) },
  );
  return createIssuingCard;
}

describe('Issuing', () => {
  it('a card authorizes, captures, refunds and disputes', async () => {
    const { createIssuingCardholder: holder } = await f.ok(`mutation {
      createIssuingCardholder(input: { name: "Ada Card", type: INDIVIDUAL, billing: { address: { line1: "1 Main St", city: "SF", postalCode: "94111", country: "US" } } }) { id }
    }`);
    const card = `mutation($h: ID!, $status: IssuingCardStatus) {
      createIssuingCard(input: { cardholder: $h, currency: "usd", type: VIRTUAL, status: $status }) {
        id status brand last4 expYear cardholder { name }
      }
    }`;
    const { createIssuingCard: active } = await f.ok(card, { h: holder.id, status: 'ACTIVE' });
    expect(active).toMatchObject({ status: 'ACTIVE', brand: 'Visa', cardholder: { name: 'Ada Card' } });
    expect(active.last4).toMatch(/^\d{4}$/);
    const { createIssuingCard: inactive } = await f.ok(card, { h: holder.id });
    expect(inactive.status).toBe('INACTIVE');

    const stream = await f.subscribe([
      'issuing_authorization.*',
      'issuing_transaction.*',
      'issuing_dispute.*',
    ]);
    const authorize = `mutation($c: ID!, $a: SafeInt!) {
      createIssuingAuthorization(input: { card: $c, amount: $a }) { id status approved amount }
    }`;
    const { createIssuingAuthorization: declined } = await f.ok(authorize, { c: inactive.id, a: 700 });
    expect(declined).toMatchObject({ status: 'CLOSED', approved: false });
    // More than the Issuing balance has: declined for insufficient funds.
    const { balance: funds } = await f.ok('{ balance { issuing { available { amount currency } } } }');
    const left = funds.issuing.available.find((a: { currency: string }) => a.currency === 'usd').amount;
    const { createIssuingAuthorization: unfunded } = await f.ok(
      `mutation($c: ID!, $a: SafeInt!) {
        createIssuingAuthorization(input: { card: $c, amount: $a }) { status approved amount requestHistory { approved reason } }
      }`,
      { c: active.id, a: left + 1 },
    );
    expect(unfunded).toMatchObject({
      status: 'CLOSED',
      approved: false,
      amount: 0,
      requestHistory: [{ approved: false, reason: 'INSUFFICIENT_FUNDS' }],
    });
    const { createIssuingAuthorization: auth } = await f.ok(authorize, { c: active.id, a: 3000 });
    expect(auth).toMatchObject({ status: 'PENDING', approved: true, amount: 3000 });
    const { captureIssuingAuthorization: captured } = await f.ok(
      'mutation($id: ID!) { captureIssuingAuthorization(id: $id, input: { captureAmount: 2500 }) { status amount transactions { id amount type } } }',
      { id: auth.id },
    );
    expect(captured).toMatchObject({
      status: 'CLOSED',
      amount: 0,
      transactions: [{ amount: -2500, type: 'CAPTURE' }],
    });
    const purchase = captured.transactions[0].id;
    // A refund gives money back to the Issuing balance, not the payments balance.
    const balances =
      '{ balance { available { amount currency } issuing { available { amount currency } } } }';
    const usd = (amounts: { amount: number; currency: string }[]) =>
      amounts.find((a) => a.currency === 'usd')!.amount;
    const { balance } = await f.ok(balances);
    const { refundIssuingTransaction: refund } = await f.ok(
      'mutation($id: ID!) { refundIssuingTransaction(id: $id, input: { refundAmount: 1000 }) { amount type } }',
      { id: purchase },
    );
    expect(refund).toMatchObject({ amount: 1000, type: 'REFUND' });
    const after = (await f.ok(balances)).balance;
    expect(usd(after.issuing.available)).toBe(usd(balance.issuing.available) + 1000);
    expect(usd(after.available)).toBe(usd(balance.available));

    const { createIssuingDispute: dispute } = await f.ok(
      'mutation($t: ID!) { createIssuingDispute(input: { transaction: $t, evidence: { reason: FRAUDULENT, fraudulent: { explanation: "Not me" } } }) { id status amount } }',
      { t: purchase },
    );
    expect(dispute).toMatchObject({ status: 'UNSUBMITTED', amount: 2500 });
    const { submitIssuingDispute } = await f.ok(
      'mutation($id: ID!) { submitIssuingDispute(id: $id) { status } }',
      {
        id: dispute.id,
      },
    );
    expect(submitIssuingDispute.status).toBe('SUBMITTED');

    const wanted = [
      'issuing_authorization.created',
      'issuing_transaction.created',
      'issuing_dispute.created',
      'issuing_dispute.submitted',
    ];
    const events = await stream.until(wanted);
    // Declined or approved, each authorization is announced.
    expect(typesAmong(events, wanted)).toEqual([
      'issuing_authorization.created',
      'issuing_authorization.created',
      'issuing_authorization.created',
      'issuing_transaction.created',
      'issuing_transaction.created',
      'issuing_dispute.created',
      'issuing_dispute.submitted',
    ]);
    stream.close();
  });
});

describe('Issuing spending controls', () => {
  it("decline what would pass a cardholder's limit across its cards", async () => {
    const holder = await newCardholder(
      'spendingControls: { spendingLimits: [{ amount: 5000, interval: ALL_TIME }] }',
    );
    const one = await newActiveCard(holder);
    const other = await newActiveCard(holder);
    const authorize = `mutation($c: ID!, $a: SafeInt!) {
      createIssuingAuthorization(input: { card: $c, amount: $a }) { status approved requestHistory { approved reason } }
    }`;
    const { createIssuingAuthorization: first } = await f.ok(authorize, { c: one.id, a: 3000 });
    expect(first).toMatchObject({ status: 'PENDING', approved: true });
    const { createIssuingAuthorization: second } = await f.ok(authorize, { c: other.id, a: 3000 });
    expect(second).toMatchObject({
      status: 'CLOSED',
      approved: false,
      requestHistory: [{ approved: false, reason: 'SPENDING_CONTROLS' }],
    });
  });
});

describe('Issuing multi-capture', () => {
  it('captures part of an authorization and keeps the rest held', async () => {
    const card = await newActiveCard();
    const { createIssuingAuthorization: auth } = await f.ok(
      'mutation($c: ID!) { createIssuingAuthorization(input: { card: $c, amount: 5000 }) { id } }',
      { c: card.id },
    );
    const { captureIssuingAuthorization: part } = await f.ok(
      'mutation($id: ID!) { captureIssuingAuthorization(id: $id, input: { captureAmount: 2000, closeAuthorization: false }) { status amount transactions { amount } } }',
      { id: auth.id },
    );
    expect(part).toEqual({ status: 'PENDING', amount: 3000, transactions: [{ amount: -2000 }] });
  });
});

describe('Issuing replacement cards', () => {
  it("a damaged card's replacement keeps its last4 and names it", async () => {
    const original = await newActiveCard();
    const { createIssuingCard: replacement } = await f.ok(
      `mutation($o: ID!) {
        createIssuingCard(input: { currency: "usd", type: VIRTUAL, replacementFor: $o, replacementReason: DAMAGED }) {
          id last4 replacementReason replacementFor { id replacedBy { id } }
        }
      }`,
      { o: original.id },
    );
    expect(replacement).toEqual({
      id: replacement.id,
      last4: original.last4,
      replacementReason: 'DAMAGED',
      replacementFor: { id: original.id, replacedBy: { id: replacement.id } },
    });
  });
});

describe('Issuing physical cards', () => {
  it('ship by standard service in individual packaging unless asked otherwise', async () => {
    const { createIssuingCardholder: holder } = await f.ok(`mutation {
      createIssuingCardholder(input: { name: "Ada Card", type: INDIVIDUAL, billing: { address: { line1: "1 Main St", city: "SF", postalCode: "94111", country: "US" } } }) { id }
    }`);
    const { createIssuingCard: card } = await f.ok(
      `mutation($h: ID!) {
        createIssuingCard(input: { cardholder: $h, currency: "usd", type: PHYSICAL, shipping: { name: "Ada Card", address: { line1: "1 Main St", city: "SF", postalCode: "94111", country: "US" } } }) {
          shipping { status service type requireSignature }
        }
      }`,
      { h: holder.id },
    );
    expect(card.shipping).toEqual({
      status: 'PENDING',
      service: 'STANDARD',
      type: 'INDIVIDUAL',
      requireSignature: false,
    });
  });
});

describe('Treasury', () => {
  it('money in and out of a financial account', async () => {
    const { createTreasuryFinancialAccount: account } = await f.ok(
      'mutation { createTreasuryFinancialAccount(input: { supportedCurrencies: ["usd"] }) { id } }',
    );
    const stream = await f.subscribe(['treasury.*']);
    const { createTreasuryReceivedCredit: credit } = await f.ok(
      'mutation($fa: ID!) { createTreasuryReceivedCredit(input: { financialAccount: $fa, amount: 9000, currency: "usd", network: ACH }) { id status amount transaction { status amount } } }',
      { fa: account.id },
    );
    expect(credit).toMatchObject({
      status: 'SUCCEEDED',
      amount: 9000,
      transaction: { status: 'POSTED', amount: 9000 },
    });
    const reversal =
      'mutation($rc: ID!) { createTreasuryCreditReversal(input: { receivedCredit: $rc }) { id amount receivedCredit { reversalDetails { restrictedReason } } } }';
    expect((await f.ok(reversal, { rc: credit.id })).createTreasuryCreditReversal).toMatchObject({
      amount: 9000,
      receivedCredit: { reversalDetails: { restrictedReason: 'ALREADY_REVERSED' } },
    });
    expect(await f.fails(reversal, { rc: credit.id })).toBeDefined();
    // The reversal took the credit back: money comes in again before it goes out (Stripe refuses
    // an outbound transfer above the account's cash).
    await f.ok(
      'mutation($fa: ID!) { createTreasuryReceivedCredit(input: { financialAccount: $fa, amount: 5000, currency: "usd", network: ACH }) { id } }',
      { fa: account.id },
    );

    const { createTreasuryOutboundTransfer: out } = await f.ok(
      'mutation($fa: ID!) { createTreasuryOutboundTransfer(input: { financialAccount: $fa, amount: 1200, currency: "usd", destinationPaymentMethod: "pm_usBankAccount" }) { id status cancelable transaction { status } } }',
      { fa: account.id },
    );
    expect(out).toMatchObject({ status: 'PROCESSING', cancelable: true, transaction: { status: 'OPEN' } });
    const { postTreasuryOutboundTransfer: posted } = await f.ok(
      'mutation($id: ID!) { postTreasuryOutboundTransfer(id: $id) { status cancelable transaction { status amount } } }',
      { id: out.id },
    );
    expect(posted).toMatchObject({
      status: 'POSTED',
      cancelable: false,
      transaction: { status: 'POSTED', amount: -1200 },
    });

    const { updateTreasuryFinancialAccountFeatures: features } = await f.ok(
      'mutation($fa: ID!) { updateTreasuryFinancialAccountFeatures(financialAccount: $fa, input: { cardIssuing: { requested: true } }) { cardIssuing { requested status } } }',
      { fa: account.id },
    );
    expect(features.cardIssuing).toEqual({ requested: true, status: 'ACTIVE' });

    const wanted = [
      'treasury.received_credit.created',
      'treasury.credit_reversal.created',
      'treasury.received_credit.created',
      'treasury.outbound_transfer.created',
      'treasury.outbound_transfer.posted',
      'treasury.financial_account.features_status_updated',
    ];
    expect(typesAmong(await stream.until(wanted), wanted)).toEqual(wanted);
    stream.close();
  });

  it('an account with the ABA feature has an ABA address', async () => {
    const { createTreasuryFinancialAccount: account } = await f.ok(
      `mutation {
        createTreasuryFinancialAccount(input: { supportedCurrencies: ["usd"], features: { financialAddresses: { aba: { requested: true } } } }) {
          financialAddresses { type supportedNetworks aba { bankName routingNumber accountNumberLast4 } }
        }
      }`,
    );
    expect(account.financialAddresses).toEqual([
      {
        type: 'ABA',
        supportedNetworks: ['ACH', 'US_DOMESTIC_WIRE'],
        aba: {
          bankName: 'STRIPE TEST BANK',
          routingNumber: '000000001',
          accountNumberLast4: expect.any(String),
        },
      },
    ]);
  });

  it('a US bank account to pull from shows its bank, on the inbound transfer too', async () => {
    const { createPaymentMethod: method } = await f.ok(`mutation {
      createPaymentMethod(input: { type: US_BANK_ACCOUNT, usBankAccount: { routingNumber: "110000000", accountNumber: "000123456789", accountHolderType: INDIVIDUAL } }) {
        id usBankAccount { accountType bankName last4 fingerprint routingNumber networks { preferred supported } }
      }
    }`);
    expect(method.usBankAccount).toMatchObject({
      accountType: 'CHECKING',
      bankName: 'STRIPE TEST BANK',
      last4: '6789',
      routingNumber: '110000000',
      networks: { preferred: 'ach', supported: ['ACH'] },
    });
    expect(method.usBankAccount.fingerprint).toEqual(expect.any(String));
    const { createTreasuryFinancialAccount: account } = await f.ok(
      'mutation { createTreasuryFinancialAccount(input: { supportedCurrencies: ["usd"] }) { id } }',
    );
    const { createTreasuryInboundTransfer: pulled } = await f.ok(
      `mutation($fa: ID!, $pm: ID!) {
        createTreasuryInboundTransfer(input: { financialAccount: $fa, amount: 500, currency: "usd", originPaymentMethod: $pm }) {
          originPaymentMethodDetails { usBankAccount { bankName last4 fingerprint } }
        }
      }`,
      { fa: account.id, pm: method.id },
    );
    expect(pulled.originPaymentMethodDetails.usBankAccount).toEqual({
      bankName: 'STRIPE TEST BANK',
      last4: '6789',
      fingerprint: method.usBankAccount.fingerprint,
    });
  });
});
