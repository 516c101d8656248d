/**
 * The model is the only classifier: the emulator serves every operation of the model with the
 * handler of the kind the model gives it, and the operations the emulator used to classify itself
 * (differently) behave as Stripe's do.
 */
import { describe, expect, it } from 'vitest';
import { loadApi } from '../../src/emulator/engine/api.ts';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import { HANDLER_KINDS, handlerOf } from '../../src/emulator/handlers/handlers.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { EmulatorService } from '../../src/emulator/service.ts';
import { loadModel } from '../../src/spec/model.ts';
import { PREVIEW_OVERLAY } from '../../src/spec/overlay.ts';
import { newOnboardedExpress } from './helpers.ts';

const model = loadModel();
const api = loadApi();

describe('classification', () => {
  it("serves every operation with the handler of the model's kind", () => {
    const kinds: Record<string, number> = {};
    for (const op of model.operations) {
      let n = 0;
      const path = op.path.replace(/\{[^}]+\}/g, () => `v${n++}`);
      const match = api.router.match(op.method.toUpperCase(), path);
      expect(match?.route.op, `${op.method} ${op.path}`).toBe(op);
      expect(HANDLER_KINDS[handlerOf(match!.route)], `${op.method} ${op.path}`).toBe(op.kind);
      kinds[op.kind] = (kinds[op.kind] ?? 0) + 1;
    }
    expect(Object.values(kinds).reduce((a, b) => a + b, 0)).toBe(model.operations.length);
    // 533 in the spec, and 18 in the preview overlay (src/spec/overlay.ts)
    const overlay = Object.values(PREVIEW_OVERLAY.paths).flatMap((item) => Object.keys(item)).length;
    expect(overlay).toBe(18);
    expect(model.operations.length).toBe(533 + overlay);
    expect(api.routes).toHaveLength(533 + overlay);
  });

  it('reads parents, singletons and subjects from the model', () => {
    const route = (method: string, path: string) => api.router.match(method, path)!.route;
    expect(route('DELETE', '/v1/subscriptions/sub_1')).toMatchObject({
      op: { kind: 'action', subject: { operation: 'GetSubscriptionsSubscriptionExposedId' } },
      target: 0,
    });
    expect(handlerOf(route('DELETE', '/v1/subscriptions/sub_1'))).toBe('cancel');
    expect(handlerOf(route('POST', '/v1/accounts/acct_1/login_links'))).toBe('make');
    expect(route('POST', '/v1/accounts/acct_1/bank_accounts').parents).toEqual([
      { param: 'account', index: 0, resources: ['account'] },
    ]);
    const deliver = route('POST', '/v1/test_helpers/issuing/cards/ic_1/shipping/deliver');
    expect(deliver).toMatchObject({ verb: 'shipping/deliver', target: 0 });
    expect(deliver.subject?.op.path).toBe('/v1/issuing/cards/{card}');
    expect(route('GET', '/v1/invoices/upcoming/lines').subject?.op.path).toBe('/v1/invoices/upcoming');
    // The old name of /v1/balance_transactions, not a list inside the balance.
    expect(route('GET', '/v1/balance/history').subject).toBeUndefined();
    expect(route('DELETE', '/v1/customers/cus_1/discount').op).toMatchObject({
      kind: 'delete',
      singleton: true,
      parents: [{ param: 'customer', resource: 'customer' }],
    });
  });
});

describe('relations', () => {
  it("takes a child's prop naming its parent from the model's list-filter relations", () => {
    const registry = api.registry;
    const byId = new Map(model.operations.map((op) => [op.id, op]));
    let checked = 0;
    for (const edge of model.relations) {
      if (edge.kind !== 'filter') continue;
      for (const child of registry.resourcesNamed(byId.get(edge.operation)!.resource!)) {
        // A filter the child has no property for (`subscriptions?price=`) does not name its parent.
        if (!registry.props(child).has(edge.param)) continue;
        expect(registry.parentProp(child, edge.parent), `${child} → ${edge.parent}`).toBe(edge.param);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("finds an inline list's full list in the model's relations", () => {
    expect(api.listUrl('customer', 'sources')).toBe('/v1/customers/{}/sources');
    expect(api.listUrl('file', 'links')).toBe('/v1/file_links?file={}');
    // Named by another parameter than the parent's retrieve (/v1/transfers/{transfer}).
    expect(api.listUrl('transfer', 'reversals')).toBe('/v1/transfers/{}/reversals');
    // A plain string prop, which relations do not follow.
    expect(api.listUrl('subscription', 'items')).toBe('/v1/subscription_items?subscription={}');
  });
});

describe('operations the model calls actions', () => {
  const service = () => new EmulatorService({ faults: {}, randomSeed: 1 });

  it('GET /v1/balance/history lists the balance transactions', () => {
    const emulator = service();
    const history = emulator.call('GET', '/v1/balance/history', { limit: 100 });
    expect(history.data).toEqual(emulator.call('GET', '/v1/balance_transactions', { limit: 100 }).data);
    expect((history.data as unknown[]).length).toBeGreaterThan(0);
  });

  it('DELETE /v1/subscriptions/{id} cancels and answers the live subscription', () => {
    const emulator = service();
    const canceled = emulator.call('DELETE', `/v1/subscriptions/${SEED.jenny.subscription}`);
    expect(canceled).toMatchObject({
      id: SEED.jenny.subscription,
      object: 'subscription',
      status: 'canceled',
    });
    expect(emulator.call('GET', `/v1/subscriptions/${SEED.jenny.subscription}`).status).toBe('canceled');
  });

  it('POST /v1/accounts/{account}/bank_accounts adds an external account to the account', () => {
    const emulator = service();
    const account = SEED.connected.account;
    const bank = emulator.call('POST', `/v1/accounts/${account}/bank_accounts`, {
      external_account: 'btok_us_verified',
    });
    expect(bank).toMatchObject({ object: 'bank_account', account });
    const listed = emulator.call('GET', `/v1/accounts/${account}/external_accounts`);
    expect((listed.data as { id: string }[]).map((b) => b.id)).toContain(bank.id);
  });

  it('POST /v1/accounts/{account}/login_links makes a login link and leaves the account alone', () => {
    const emulator = service();
    const express = newOnboardedExpress(emulator);
    const before = emulator.call('GET', `/v1/accounts/${express}`);
    const link = emulator.call('POST', `/v1/accounts/${express}/login_links`);
    expect(link).toMatchObject({ object: 'login_link' });
    expect(emulator.call('GET', `/v1/accounts/${express}`)).toEqual(before);
    // Only Express accounts have a dashboard to log in to.
    expect(() => emulator.call('POST', `/v1/accounts/${SEED.connected.account}/login_links`)).toThrow(
      /Express/,
    );
  });

  it('POST /v1/apps/secrets/delete deletes the secret its name and scope find', () => {
    const emulator = service();
    expect(handlerOf(api.router.match('POST', '/v1/apps/secrets/delete')!.route)).toBe('act');
    const scope = { type: 'account' };
    const secret = emulator.call('POST', '/v1/apps/secrets', { name: 'token', payload: 'x', scope });
    const deleted = emulator.call('POST', '/v1/apps/secrets/delete', { name: 'token', scope });
    expect(deleted).toMatchObject({ id: secret.id, object: 'apps.secret', deleted: true });
    expect(() => emulator.call('GET', '/v1/apps/secrets/find', { name: 'token', scope })).toThrow(/No such/);
    const names = (emulator.call('GET', '/v1/apps/secrets', { scope }).data as JsonObject[]).map(
      (s) => s.name,
    );
    expect(names).not.toContain('token');
  });

  it('test helpers that make objects store them (POST /v1/test_helpers/treasury/received_credits)', () => {
    const emulator = service();
    const account = emulator.call('POST', '/v1/treasury/financial_accounts', {
      supported_currencies: ['usd'],
    });
    const credit = emulator.call('POST', '/v1/test_helpers/treasury/received_credits', {
      amount: 1000,
      currency: 'usd',
      financial_account: String(account.id),
      network: 'ach',
    });
    expect(credit).toMatchObject({ object: 'treasury.received_credit', amount: 1000 });
    expect(emulator.call('GET', `/v1/treasury/received_credits/${String(credit.id)}`).id).toBe(credit.id);
  });
});
