/**
 * Parameters that stripe-node 15.3.0 (the SDK of API 2024-04-10) declares wider than the spec it
 * was made from, which Stripe accepts as the SDK sends them. `external_account` of an account's
 * create and update and of an external account's create is a token or an id in the spec; the SDK
 * also sends a hash: the bank account or the card to add (`AccountCreateParams.ExternalAccount`;
 * `AccountUpdateParams.BankAccount`, `Card`, `CardToken`; `AccountCreateExternalAccountParams`'s
 * three), which the emulator stores as it does a token's (rules/sources.ts).
 */
import type { InParam, InType, Operation } from '../../spec/types.ts';
import type { FormHash } from './form.ts';

const text: InType = { k: 'string', maxLength: 5000 };
const one = (value: string): InType => ({ k: 'enum', values: [value] });
const param = (name: string, type: InType, required = false): InParam => ({ name, required, type });
const hash = (...props: InParam[]): InType => ({ k: 'object', props, additional: false });
const metadata = param('metadata', { k: 'object', props: [], additional: true });

/** A bank account's details; account create's names its `object` freely and needs a currency. */
const bankAccount = (object: InType, currency: boolean): InType =>
  hash(
    param('object', object, true),
    param('account_holder_name', text),
    param('account_holder_type', { k: 'enum', values: ['company', 'individual'] }),
    param('account_number', text, true),
    param('country', text, true),
    param('currency', text, currency),
    param('routing_number', text),
  );

/** A debit card's details (`...extra`: what each operation adds). */
const card = (...extra: InParam[]): InType =>
  hash(
    param('object', one('card'), true),
    ...['city', 'country', 'line1', 'line2', 'state', 'zip'].map((part) => param(`address_${part}`, text)),
    param('currency', text),
    param('cvc', text),
    param('exp_month', { k: 'int' }, true),
    param('exp_year', { k: 'int' }, true),
    param('name', text),
    param('number', text, true),
    ...extra,
  );

/** A card token as a hash, with the currency the card pays out in. */
const cardToken = hash(
  param('object', one('card'), true),
  param('currency', text),
  param('token', text, true),
);

type Kind = 'bank_account' | 'card' | 'card_token';

/** The hashes each operation's `external_account` may be, by method and path; the first by default. */
const EXTERNAL_ACCOUNT_HASHES: Readonly<Record<string, Partial<Record<Kind, InType>>>> = {
  'post /v1/accounts': { bank_account: bankAccount(text, true) },
  'post /v1/accounts/{account}': {
    bank_account: bankAccount(one('bank_account'), false),
    card: card(metadata, param('default_for_currency', { k: 'bool' })),
    card_token: cardToken,
  },
  'post /v1/accounts/{account}/external_accounts': {
    bank_account: bankAccount(one('bank_account'), false),
    card: card(metadata),
    card_token: cardToken,
  },
};

/**
 * An operation's body parameters as stripe-node declares them for `input`: a hash given as
 * `external_account` is checked as the kind its `object` (and a `token`) names.
 */
export function sdkBody(op: Operation, input: FormHash): readonly InParam[] {
  const hashes = EXTERNAL_ACCOUNT_HASHES[`${op.method} ${op.path}`];
  const given = input.external_account;
  if (!hashes || given === undefined || typeof given === 'string') return op.body;
  const kind: Kind = given.object === 'card' ? ('token' in given ? 'card_token' : 'card') : 'bank_account';
  const type = hashes[kind] ?? Object.values(hashes)[0]!;
  return op.body.map((p) => (p.name === 'external_account' ? { ...p, type } : p));
}
