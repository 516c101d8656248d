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
        within: { customer: ME },
        cursors: [],
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
    expect(s.planRead({ path: '/v1/invoices/{invoice}/lines', pathParams: ['in_1'] }).within).toEqual({
      invoice: 'in_1',
    });
    expect(s.planRead({ path: '/v1/refunds', params: { charge: 'ch_1' } })).toMatchObject({
      requires: [{ path: '/v1/charges/{charge}', pathParams: ['ch_1'] }],
      within: { charge: 'ch_1' },
    });
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

describe('customer scope: cursors', () => {
  it('reads every cursor by id before the list, under the same parents where it nests', () => {
    const s = scope();
    expect(s.planRead({ path: '/v1/charges', params: { starting_after: 'ch_9' } }).cursors).toEqual([
      { id: 'ch_9', read: { path: '/v1/charges/{charge}', pathParams: ['ch_9'] } },
    ]);
    expect(
      s.planRead({
        path: '/v1/customers/{customer}/sources',
        pathParams: [ME],
        params: { ending_before: 'card_9' },
      }).cursors,
    ).toEqual([
      { id: 'card_9', read: { path: '/v1/customers/{customer}/sources/{id}', pathParams: [ME, 'card_9'] } },
    ]);
    // Invoice lines have no by-id read: only a cursor the session already admitted may page them.
    expect(
      s.planRead({
        path: '/v1/invoices/{invoice}/lines',
        pathParams: ['in_1'],
        params: { starting_after: 'il_9' },
      }).cursors,
    ).toEqual([{ id: 'il_9', read: undefined }]);
    denied(() => s.planRead({ path: '/v1/charges', params: { starting_after: ['ch_9'] } }));
  });

  it('admits a cursor only when it is theirs and a member of the list as narrowed', () => {
    const s = scope();
    const refunds = s.planRead({ path: '/v1/refunds', params: { charge: 'ch_1', starting_after: 're_1' } });
    expect(s.admitsCursor({ object: 'refund', id: 're_1', charge: 'ch_1' }, refunds)).toBe(true);
    expect(s.admitsCursor({ object: 'refund', id: 're_1', charge: 'ch_2' }, refunds)).toBe(false);
    expect(s.admitsCursor({ object: 'refund', id: 're_1', charge: null }, refunds)).toBe(false);
    const charges = s.planRead({ path: '/v1/charges', params: { starting_after: 'ch_1' } });
    expect(s.admitsCursor({ object: 'charge', id: 'ch_1', customer: ME }, charges)).toBe(true);
    expect(s.admitsCursor({ object: 'charge', id: 'ch_1', customer: OTHER }, charges)).toBe(false);
    expect(s.admitsCursor({ object: 'charge', id: 'ch_1', customer: ME, deleted: true }, charges)).toBe(
      false,
    );
  });
});

describe('customer scope: objects', () => {
  it('holds the items of a list narrowed to a parent to that parent, whoever filtered it', () => {
    const s = scope();
    expect(s.admits({ object: 'refund', id: 're_1', charge: 'ch_1' }, true, { charge: 'ch_1' })).toBe(true);
    expect(s.admits({ object: 'refund', id: 're_1', charge: 'ch_2' }, true, { charge: 'ch_1' })).toBe(false);
    expect(s.admits({ object: 'line_item', id: 'il_1', invoice: 'in_2' }, true, { invoice: 'in_1' })).toBe(
      false,
    );
    // A property the item's type lacks constrains nothing: the checked parent vouches.
    expect(s.admits({ object: 'item', id: 'li_1' }, true, { session: 'cs_1' })).toBe(true);
  });

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
