/**
 * The parameters stripe-node declares wider than the spec (src/spec/widenings.ts): joined to the
 * spec's type as a union before the model is built, named like the spec's own unions, and gone as
 * soon as Stripe's spec declares them itself.
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/spec/build.ts';
import { alternatives } from '../../src/spec/inputs.ts';
import { loadSpec } from '../../src/spec/source.ts';
import type { InType } from '../../src/spec/types.ts';
import { PARAMETER_ADDITIONS, PARAMETER_WIDENINGS, widenParameters } from '../../src/spec/widenings.ts';

type Json = any;

const raw: Json = loadSpec(undefined, { widen: false }).spec;
const { model, descriptions } = buildModel(loadSpec().spec);

const body = (spec: Json, path: string) =>
  spec.paths[path].post.requestBody.content['application/x-www-form-urlencoded'].schema.properties;
const param = (operationId: string, name: string): InType =>
  model.operations.find((o) => o.id === operationId)!.body.find((p) => p.name === name)!.type;

describe('a parameter the SDK declares wider', () => {
  it("is the spec's type or one of the SDK's hashes, keeping the spec's description", () => {
    const widened: Json = widenParameters(raw);
    const own = body(raw, '/v1/accounts/{account}').external_account;
    expect(own.type).toBe('string');
    const { description, ...type } = own;
    expect(body(widened, '/v1/accounts/{account}').external_account).toEqual({
      anyOf: [type, ...PARAMETER_WIDENINGS.PostAccountsAccount!.external_account!],
      description,
    });
    // The document given is not changed.
    expect(body(raw, '/v1/accounts/{account}').external_account).toBe(own);
  });

  it('is a union in the model: an id, or the hash the kind `object` names', () => {
    const type = param('PostAccountsAccount', 'external_account');
    expect(type.k).toBe('anyOf');
    const of = (type as Extract<InType, { k: 'anyOf' }>).of;
    expect(of[0]).toMatchObject({ k: 'string', id: true });
    const kinds = of
      .slice(1)
      .map((t) => (t.k === 'object' ? t.props.find((p) => p.name === 'object')!.type : t));
    expect(kinds).toEqual([
      expect.objectContaining({ values: ['bank_account'] }),
      expect.objectContaining({ values: ['card'] }),
      expect.objectContaining({ values: ['card'] }),
    ]);
    expect(param('PostAccounts', 'external_account')).toMatchObject({
      k: 'anyOf',
      of: [{ k: 'string' }, { k: 'object' }],
    });
  });

  it('merges its hashes into one input whose `object` takes every kind, named in the model', () => {
    const type = param('PostAccountsAccountExternalAccounts', 'external_account') as Extract<
      InType,
      { k: 'anyOf' }
    >;
    const [details, id] = alternatives(type).alts;
    expect(id).toMatchObject({ k: 'string', id: true });
    expect(details).toMatchObject({ k: 'object', gql: type.details });
    const props = (details as Extract<InType, { k: 'object' }>).props;
    expect(props.find((p) => p.name === 'object')).toMatchObject({
      required: true,
      type: { k: 'enum', values: ['bank_account', 'card'], gql: expect.any(String) },
    });
    expect(props.filter((p) => p.required).map((p) => p.name)).toEqual(['object']);
  });

  it("carries none of Stripe's prose: its hashes' fields get the gateway's note", () => {
    const json = JSON.stringify([PARAMETER_WIDENINGS, PARAMETER_ADDITIONS]);
    expect(json).not.toMatch(/description/);
    expect(descriptions['AccountExternalAccountDetailsInput.account_number']).toBe(
      "Stripe's parameter `external_account[account_number]`.",
    );
  });

  it('refuses a widening the spec has made needless, or whose parameter is gone', () => {
    const shipped = widenParameters(raw);
    expect(() => widenParameters(shipped)).toThrow(
      /PostAccounts external_account: the spec now declares a union/,
    );
    expect(() => widenParameters(raw, { PostAccounts: { nope: [] } })).toThrow(
      /PostAccounts nope: the spec has no such body parameter/,
    );
    expect(() => widenParameters(raw, { PostNothing: { nope: [] } })).toThrow(
      /operations the spec lacks: PostNothing/,
    );
  });
});

describe('a parameter the SDK declares and the spec lacks', () => {
  it('is added, optional, where the SDK declares it (a nested one under its hash)', () => {
    expect(
      model.operations.find((o) => o.id === 'PostCustomers')!.body.find((p) => p.name === 'validate'),
    ).toEqual({
      name: 'validate',
      required: false,
      type: { k: 'bool' },
    });
    const options = param('PostIdentityVerificationSessions', 'options') as Extract<InType, { k: 'object' }>;
    expect(options.props.map((p) => [p.name, p.required])).toEqual([
      ['document', false],
      ['email', false],
      ['phone', false],
    ]);
    expect(body(raw, '/v1/identity/verification_sessions').options.properties.email).toBeUndefined();
  });

  it("is added to each hash of a list (a subscription's items)", () => {
    const items = param('PostSubscriptions', 'items') as Extract<InType, { k: 'array' }>;
    const item = items.of as Extract<InType, { k: 'object' }>;
    expect(item.props.find((p) => p.name === 'plan')).toMatchObject({
      required: false,
      type: { k: 'string' },
    });
    expect(body(raw, '/v1/subscriptions').items.items.properties.plan).toBeUndefined();
  });

  it("is added to a query parameter's hashes (the invoice preview's items)", () => {
    const query = (spec: Json, name: string) =>
      spec.paths['/v1/invoices/upcoming'].get.parameters.find((p: Json) => p.name === name).schema;
    const widened: Json = widenParameters(raw);
    expect(query(widened, 'subscription_items').items.properties.plan).toEqual({
      type: 'string',
      maxLength: 5000,
    });
    expect(
      query(widened, 'schedule_details').properties.phases.items.properties.items.items.properties.plan,
    ).toEqual({ type: 'string', maxLength: 5000 });
    expect(query(raw, 'subscription_items').items.properties.plan).toBeUndefined();
    const upcoming = model.operations.find((o) => o.id === 'GetInvoicesUpcoming')!;
    const items = upcoming.query.find((p) => p.name === 'subscription_items')!.type as Extract<
      InType,
      { k: 'array' }
    >;
    expect((items.of as Extract<InType, { k: 'object' }>).props.find((p) => p.name === 'plan')).toMatchObject(
      {
        required: false,
        type: { k: 'string' },
      },
    );
  });

  it('refuses an addition the spec has made needless, or under a hash it lacks', () => {
    const none = {};
    expect(() => widenParameters(raw, none, { PostCustomers: { email: { type: 'string' } } })).toThrow(
      /PostCustomers email: the spec now has it/,
    );
    expect(() => widenParameters(raw, none, { PostCustomers: { 'nope.email': { type: 'string' } } })).toThrow(
      /PostCustomers nope.email: the spec has no hash nope to add to/,
    );
  });
});
