/**
 * An external account given as its details through the gateway: the `external_account` parameter
 * stripe-node declares wider than the spec (src/spec/widenings.ts) is a `@oneOf` of an id and the
 * details, like the spec's other token-or-hash parameters.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startHarness } from './harness.ts';

const h = await startHarness();
afterAll(() => h.close());

const data = async (query: string, variables: Record<string, unknown> = {}) => {
  const response = await h.query(query, { variables });
  expect(response.body.errors).toBeUndefined();
  return response.body.data as Record<string, any>;
};

const BANK_ACCOUNTS = `externalAccounts(first: 5) { nodes { __typename
  ... on BankAccount { accountHolderName country currency defaultForCurrency last4 routingNumber } } }`;

describe('an external account given as details', () => {
  it('on createAccount is the bank account they describe, read back from the account', async () => {
    const { createAccount } = await data(
      `mutation { createAccount(input: { type: CUSTOM, country: "US", externalAccount: { details: {
        object: "bank_account", country: "US", currency: "usd", routingNumber: "110000000",
        accountNumber: "000111111116", accountHolderName: "Jenny Rosen", accountHolderType: INDIVIDUAL } } }) { id } }`,
    );
    const { account } = await data(`query($id: ID) { account(id: $id) { ${BANK_ACCOUNTS} } }`, {
      id: createAccount.id,
    });
    expect(account.externalAccounts.nodes).toEqual([
      {
        __typename: 'BankAccount',
        accountHolderName: 'Jenny Rosen',
        country: 'US',
        currency: 'usd',
        defaultForCurrency: true,
        last4: '1116',
        routingNumber: '110000000',
      },
    ]);
  });

  it('on createAccountExternalAccount may be a debit card, or a card token', async () => {
    const { createAccount } = await data(
      'mutation { createAccount(input: { type: CUSTOM, country: "US" }) { id } }',
    );
    const add = `mutation($a: ID!, $e: ExternalAccountExternalAccountInput) {
      createAccountExternalAccount(account: $a, input: { externalAccount: $e }) {
        ... on Card { id funding last4 currency defaultForCurrency } } }`;
    const card = await data(add, {
      a: createAccount.id,
      e: {
        details: { object: 'CARD', number: '4000056655665556', expMonth: 12, expYear: 2034, currency: 'usd' },
      },
    });
    expect(card.createAccountExternalAccount).toMatchObject({
      funding: 'debit',
      last4: '5556',
      defaultForCurrency: true,
    });
    const token = await data(add, {
      a: createAccount.id,
      e: { details: { object: 'CARD', token: 'tok_mastercard_debit', currency: 'usd' } },
    });
    expect(token.createAccountExternalAccount).toMatchObject({ funding: 'debit', defaultForCurrency: false });
    const { externalAccount } = await data(
      'query($a: ID!, $id: ID!) { externalAccount(account: $a, id: $id) { ... on Card { id last4 } } }',
      { a: createAccount.id, id: card.createAccountExternalAccount.id },
    );
    expect(externalAccount).toEqual({ id: card.createAccountExternalAccount.id, last4: '5556' });
  });

  it('missing a field of its kind is refused on that field, through `details`', async () => {
    const { createAccount } = await data(
      'mutation { createAccount(input: { type: CUSTOM, country: "US" }) { id } }',
    );
    const response = await h.query(
      `mutation($a: ID!) { updateAccount(id: $a, input: { externalAccount: { details: {
        object: CARD, expMonth: 12, expYear: 2034 } } }) { id } }`,
      { variables: { a: createAccount.id } },
    );
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'STRIPE_INVALID_REQUEST',
      stripe: { statusCode: 400, code: 'parameter_missing', param: 'external_account[number]' },
      inputPath: 'input.externalAccount.details.number',
    });
  });
});
