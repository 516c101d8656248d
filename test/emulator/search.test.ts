/** The search query language and the router, without a server. */
import { describe, expect, it } from 'vitest';
import { loadApi } from '../../src/emulator/engine/api.ts';
import { ErrorReply } from '../../src/emulator/engine/errors.ts';
import { matchesQuery, parseSearchQuery } from '../../src/emulator/handlers/search.ts';

describe('parseSearchQuery', () => {
  it('parses clauses, operators, negation, metadata and joins', () => {
    expect(parseSearchQuery('email:"a@b.c" AND -status:active amount>=100 metadata["order"]:"42"')).toEqual({
      join: 'AND',
      clauses: [
        { negate: false, path: ['email'], op: ':', value: 'a@b.c' },
        { negate: true, path: ['status'], op: ':', value: 'active' },
        { negate: false, path: ['amount'], op: '>=', value: 100 },
        { negate: false, path: ['metadata'], op: ':', value: '42', metadataKey: 'order' },
      ],
    });
    expect(parseSearchQuery('name~"jen" OR phone:null')).toMatchObject({
      join: 'OR',
      clauses: [{ op: '~', value: 'jen' }, { value: null }],
    });
  });

  it("takes single quotes as Stripe's docs write them", () => {
    expect(
      parseSearchQuery("email:'jenny.rosen@example.com' AND name:'Jenny Rosen' metadata['order']:'42'"),
    ).toEqual({
      join: 'AND',
      clauses: [
        { negate: false, path: ['email'], op: ':', value: 'jenny.rosen@example.com' },
        { negate: false, path: ['name'], op: ':', value: 'Jenny Rosen' },
        { negate: false, path: ['metadata'], op: ':', value: '42', metadataKey: 'order' },
      ],
    });
  });

  it('rejects mixed joins, bad numbers and junk', () => {
    expect(() => parseSearchQuery('a:1 AND b:2 OR c:3')).toThrow(ErrorReply);
    expect(() => parseSearchQuery('amount>lots')).toThrow(ErrorReply);
    expect(() => parseSearchQuery('(a:1)')).toThrow(ErrorReply);
    expect(() => parseSearchQuery('')).toThrow(ErrorReply);
  });

  it('matches case-insensitively, by substring and by number', () => {
    const data = {
      email: 'Jenny@Example.com',
      amount: 500,
      metadata: { tier: 'gold' },
      customer: 'cus_1',
      phone: null,
    };
    const match = (q: string) => matchesQuery(parseSearchQuery(q), data);
    expect(match('email:"jenny@example.com"')).toBe(true);
    expect(match('email~"example"')).toBe(true);
    expect(match('amount>499 AND amount<501')).toBe(true);
    expect(match('-amount>499')).toBe(false);
    expect(match('metadata["tier"]:"gold"')).toBe(true);
    expect(match('phone:null')).toBe(true);
    expect(match('customer:"cus_2" OR customer:"cus_1"')).toBe(true);
  });
});

describe('router', () => {
  const { router } = loadApi();

  it('prefers static segments and backtracks to parameters', () => {
    expect(router.match('GET', '/v1/customers/search')?.route.op.path).toBe('/v1/customers/search');
    expect(router.match('GET', '/v1/customers/cus_1')?.params).toEqual({ customer: 'cus_1' });
    expect(router.match('GET', '/v1/invoices/upcoming')?.route.op.path).toBe('/v1/invoices/upcoming');
    expect(router.match('GET', '/v1/invoices/upcoming/lines')?.route.op.path).toBe(
      '/v1/invoices/upcoming/lines',
    );
    expect(router.match('GET', '/v1/invoices/in_1/lines')?.params).toEqual({ invoice: 'in_1' });
  });

  it('names parameters in path order and decodes them', () => {
    expect(router.match('GET', '/v1/transfers/tr_1/reversals/trr_2')?.values).toEqual(['tr_1', 'trr_2']);
    expect(router.match('GET', '/v1/transfers/tr_1/reversals/trr_2')?.params).toEqual({
      transfer: 'tr_1',
      id: 'trr_2',
    });
    expect(router.match('GET', '/v1/application_fees/fee_1/refunds/fr_1')?.params).toEqual({
      fee: 'fee_1',
      id: 'fr_1',
    });
    expect(router.match('GET', '/v1/coupons/SUMMER%2025')?.params).toEqual({ coupon: 'SUMMER 25' });
  });

  it('matches methods separately and refuses unknown paths', () => {
    expect(router.match('DELETE', '/v1/customers/cus_1')?.route.op.kind).toBe('delete');
    expect(router.match('POST', '/v1/customers/cus_1')?.route.op.kind).toBe('update');
    expect(router.match('PUT', '/v1/customers/cus_1')).toBeUndefined();
    expect(router.match('GET', '/v1/nothing')).toBeUndefined();
    expect(router.match('GET', '/v1/customers/')?.route.op.path).toBe('/v1/customers');
  });

  it('reads nested creates and actions from the paths', () => {
    const sources = router.match('POST', '/v1/customers/cus_1/sources')!.route;
    expect(sources.op.kind).toBe('create');
    expect(sources.parents).toMatchObject([{ param: 'customer', resources: ['customer'] }]);
    const pay = router.match('POST', '/v1/invoices/in_1/pay')!.route;
    expect(pay).toMatchObject({ op: { kind: 'action' }, verb: 'pay' });
    expect(router.match('POST', '/v1/charges/ch_1/dispute/close')!.route).toMatchObject({
      op: { kind: 'action' },
      verb: 'close',
    });
    expect(router.match('POST', '/v1/test_helpers/test_clocks/clock_1/advance')!.route).toMatchObject({
      op: { kind: 'action' },
      verb: 'advance',
    });
    expect(router.match('GET', '/v1/balance')!.route.op).toMatchObject({ kind: 'retrieve', singleton: true });
  });
});
