/**
 * The customer scope's decisions, read from the model (src/loaders/scope.ts): what is forced, what
 * needs its parent first, what is denied before any call, and which objects are admitted.
 */
import { describe, expect, it } from 'vitest';
import { createScopePolicy } from '../../src/loaders/scope.ts';
import { sharedSchema } from './harness.ts';

const ME = 'cus_me0000000001';
const OTHER = 'cus_other000001';
const scope = () => createScopePolicy(sharedSchema().model, sharedSchema().index).forCustomer(ME);
const denied = (run: () => unknown) =>
  expect(run).toThrowError(expect.objectContaining({ extensions: { code: 'FORBIDDEN' } }));

describe('customer scope: reads', () => {
  it('forces its customer on every read that takes a customer filter, and refuses another', () => {
    const s = scope();
    for (const path of [
      '/v1/charges',
      '/v1/invoices',
      '/v1/payment_intents',
      '/v1/setup_intents',
      '/v1/subscriptions',
    ]) {
      expect(s.planRead({ path, params: { limit: 10 } })).toEqual({
        request: { path, params: { limit: 10, customer: ME } },
        requires: [],
        vouched: true,
      });
      expect(s.planRead({ path, params: { customer: ME } }).request.params).toEqual({ customer: ME });
      denied(() => s.planRead({ path, params: { customer: OTHER } }));
    }
  });

  it('narrows search to its customer; refuses search it cannot narrow', () => {
    const s = scope();
    expect(
      s.planRead({ path: '/v1/charges/search', params: { query: 'amount>100' } }).request.params,
    ).toEqual({
      query: `amount>100 AND customer:'${ME}'`,
    });
    denied(() => s.planRead({ path: '/v1/charges/search', params: { query: "status:'paid' OR amount>1" } }));
    denied(() => s.planRead({ path: '/v1/charges/search', params: { query: "metadata['a']:'x" } }));
    denied(() => s.planRead({ path: '/v1/customers/search', params: { query: 'email:"a@b.c"' } }));
    expect(s.planRead({ path: '/v1/products/search', params: { query: 'active:"true"' } }).requires).toEqual(
      [],
    );
  });

  it('reads a nested list or a parent-filtered list only after its parent, and its own nested lists freely', () => {
    const s = scope();
    expect(s.planRead({ path: '/v1/customers/{customer}/sources', pathParams: [ME] }).requires).toEqual([]);
    denied(() => s.planRead({ path: '/v1/customers/{customer}/sources', pathParams: [OTHER] }));
    expect(s.planRead({ path: '/v1/invoices/{invoice}/lines', pathParams: ['in_1'] })).toMatchObject({
      requires: [{ path: '/v1/invoices/{invoice}', pathParams: ['in_1'] }],
      vouched: true,
    });
    expect(s.planRead({ path: '/v1/refunds', params: { charge: 'ch_1' } }).requires).toEqual([
      { path: '/v1/charges/{charge}', pathParams: ['ch_1'] },
    ]);
    denied(() => s.planRead({ path: '/v1/refunds', params: { charge: ['ch_1'] } }));
  });

  it('refuses before any call what can never be its own', () => {
    const s = scope();
    for (const path of [
      '/v1/customers',
      '/v1/refunds',
      '/v1/events',
      '/v1/balance',
      '/v1/account',
      '/v1/transfers',
    ]) {
      denied(() => s.planRead({ path }));
    }
    denied(() => s.planRead({ path: '/v1/customers/{customer}', pathParams: [OTHER] }));
    denied(() => s.planRead({ path: '/v1/balance_transactions/{id}', pathParams: ['txn_1'] }));
    denied(() => s.planRead({ path: '/v1/balance_transactions', params: { source: 'ch_1' } }));
    denied(() => s.planRead({ path: '/v1/not/in/the/model' }));
    expect(s.planRead({ path: '/v1/charges/{charge}', pathParams: ['ch_1'] }).vouched).toBe(false);
  });
});

describe('customer scope: objects', () => {
  it('admits what names it as customer (a reference, expanded or not, or a string id), the catalog, and vouched children', () => {
    const s = scope();
    expect(s.admits({ object: 'customer', id: ME }, false)).toBe(true);
    expect(s.admits({ object: 'customer', id: OTHER }, true)).toBe(false);
    expect(s.admits({ object: 'charge', id: 'ch_1', customer: ME }, false)).toBe(true);
    expect(s.admits({ object: 'charge', id: 'ch_1', customer: { id: ME, object: 'customer' } }, false)).toBe(
      true,
    );
    expect(s.admits({ object: 'charge', id: 'ch_1', customer: OTHER }, true)).toBe(false);
    expect(s.admits({ object: 'charge', id: 'ch_1', customer: null }, false)).toBe(false);
    // `source.customer` is a plain string in the spec, which the model makes a reference.
    expect(s.admits({ object: 'source', id: 'src_1', customer: ME }, false)).toBe(true);
    expect(s.admits({ object: 'source', id: 'src_1', customer: OTHER }, false)).toBe(false);
    // `cash_balance.customer` stays a plain string: the exception table names it.
    expect(s.admits({ object: 'cash_balance', customer: ME }, false)).toBe(true);
    expect(s.admits({ object: 'cash_balance', customer: OTHER }, false)).toBe(false);
    expect(s.admits({ object: 'price', id: 'price_1' }, false)).toBe(true);
    expect(s.admits({ object: 'refund', id: 're_1' }, false)).toBe(false);
    expect(s.admits({ object: 'refund', id: 're_1' }, true)).toBe(true);
    expect(s.admits({ object: 'balance_transaction', id: 'txn_1' }, true)).toBe(false);
    expect(s.admits({ object: 'card', id: 'card_1', deleted: true }, true)).toBe(true);
    expect(s.admits({ object: 'card', id: 'card_1', deleted: true }, false)).toBe(false);
    expect(s.admits({ object: 'list', data: [] }, true)).toBe(false);
    expect(s.admits({ object: 'something_new', id: 'x_1' }, true)).toBe(false);
  });
});
