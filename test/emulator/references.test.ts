/**
 * Ids a write refers to must exist, as Stripe checks them: 400 `resource_missing` naming the
 * parameter, and nothing created. Previews check theirs too; nested lists by an unknown parent 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type EmulatorHarness, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;
beforeAll(async () => {
  h = await startEmulatorHarness();
});
afterAll(() => h.close());

describe('references in writes', () => {
  it.each([
    [
      '/v1/account_links',
      'account=acct_xxx&refresh_url=https://a.test&return_url=https://a.test&type=account_onboarding',
      'account',
      'acct_xxx',
    ],
    ['/v1/billing_portal/sessions', 'customer=cus_xxx', 'customer', 'cus_xxx'],
    ['/v1/issuing/cards', 'cardholder=ich_xxx&currency=usd&type=virtual', 'cardholder', 'ich_xxx'],
    ['/v1/radar/value_list_items', 'value_list=rsl_xxx&value=1.2.3.4', 'value_list', 'rsl_xxx'],
    [
      '/v1/treasury/outbound_transfers',
      'financial_account=fa_xxx&amount=100&currency=usd',
      'financial_account',
      'fa_xxx',
    ],
    [
      '/v1/treasury/outbound_payments',
      'financial_account=fa_xxx&amount=100&currency=usd',
      'financial_account',
      'fa_xxx',
    ],
    ['/v1/treasury/credit_reversals', 'received_credit=rc_xxx', 'received_credit', 'rc_xxx'],
    ['/v1/credit_notes', 'invoice=in_xxx', 'invoice', 'in_xxx'],
  ])(
    'POST %s with an unknown id is 400 resource_missing, naming the parameter',
    async (path, body, param, id) => {
      const response = await h.request('POST', path, { body });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'resource_missing',
        param,
      });
      expect(response.body.error.message).toContain(`'${id}'`);
    },
  );

  it('accepts ids that exist, and test tokens', async () => {
    const session = await h.request('POST', '/v1/billing_portal/sessions', {
      body: `customer=${SEED.jenny.customer}`,
    });
    expect(session.status).toBe(200);
    const intent = await h.request('POST', '/v1/payment_intents', {
      body: 'amount=100&currency=usd&payment_method=pm_card_visa',
    });
    expect(intent.status).toBe(200);
  });

  it('a preview by an unknown id is 400, and a nested list by an unknown parent 404', async () => {
    const preview = await h.request('GET', '/v1/credit_notes/preview?invoice=in_xxx');
    expect(preview.status).toBe(400);
    expect(preview.body.error).toMatchObject({ code: 'resource_missing', param: 'invoice' });
    for (const path of [
      '/v1/customers/cus_xxx/sources',
      '/v1/accounts/acct_xxx/capabilities',
      '/v1/transfers/tr_xxx/reversals',
    ]) {
      expect((await h.request('GET', path)).status, path).toBe(404);
    }
  });
});
