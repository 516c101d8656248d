/**
 * Hosted and embedded flows get well-formed links and secrets (src/emulator/hosted/index.ts), and a
 * Checkout Session's `url` is the emulator's own page when it serves HTTP (completed in a browser
 * by test/net/checkout-page.test.ts; the other pages are completed by hosted-pages.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { EmulatorService } from '../../src/emulator/service.ts';
import { type EmulatorHarness, newOnboardedExpress, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await startEmulatorHarness();
});
afterAll(() => h.close());

const post = (path: string, params: JsonObject) => h.emulator.service.call('POST', path, params);

describe('links and secrets', () => {
  it('every hosted flow has its URL and every embedded one its secret', () => {
    const account = SEED.connected.account;
    // Login links are for Express accounts only, once onboarded.
    const express = newOnboardedExpress(h.emulator.service);
    const cases: [string, JsonObject, string, RegExp][] = [
      [
        '/v1/billing_portal/sessions',
        { customer: SEED.jenny.customer },
        'url',
        new RegExp(`^${h.emulator.url}/portal/bps_\\w{24}$`),
      ],
      [
        '/v1/account_links',
        {
          account,
          type: 'account_onboarding',
          refresh_url: 'https://e.com/r',
          return_url: 'https://e.com/r',
        },
        'url',
        new RegExp(`^${h.emulator.url}/connect/setup/\\w{24}$`),
      ],
      [
        `/v1/accounts/${express}/login_links`,
        {},
        'url',
        new RegExp(`^${h.emulator.url}/connect/express/\\w{24}$`),
      ],
      [
        '/v1/account_sessions',
        { account, components: { payments: { enabled: true } } },
        'client_secret',
        /^accs_secret__\w{40}$/,
      ],
      [
        '/v1/financial_connections/sessions',
        { account_holder: { type: 'customer', customer: SEED.jenny.customer }, permissions: ['balances'] },
        'client_secret',
        /^fcsess_\w+_secret_\w{24}$/,
      ],
      ['/v1/terminal/connection_tokens', {}, 'secret', /^pst_test_\w{40}$/],
      ['/v1/ephemeral_keys', { customer: SEED.jenny.customer }, 'secret', /^ek_test_\w{80}$/],
      [
        '/v1/customer_sessions',
        { customer: SEED.jenny.customer, components: { pricing_table: { enabled: true } } },
        'client_secret',
        /^_\w{47}$/,
      ],
      [
        '/v1/identity/verification_sessions',
        { type: 'document' },
        'client_secret',
        /^vs_\w+_secret_test_\w{24}$/,
      ],
      [
        '/v1/identity/verification_sessions',
        { type: 'document' },
        'url',
        // The emulator's own page (hosted/identity.ts), served by its fetch handler.
        new RegExp(`^${h.emulator.url}/verify/vs_\\w+$`),
      ],
      [
        '/v1/sources',
        { type: 'ach_credit_transfer', currency: 'usd' },
        'client_secret',
        /^src_client_secret_\w{24}$/,
      ],
      [
        '/v1/checkout/sessions',
        {
          mode: 'payment',
          ui_mode: 'embedded',
          return_url: 'https://e.com/r',
          line_items: [{ price: SEED.prices.tshirt, quantity: 1 }],
        },
        'client_secret',
        /^cs_\w+_secret_\w{24}$/,
      ],
    ];
    for (const [path, params, field, pattern] of cases)
      expect(post(path, params)[field], path).toMatch(pattern);
  });

  it('a Checkout Session’s url is the emulator’s page, which shows the total', async () => {
    const session = post('/v1/checkout/sessions', {
      mode: 'payment',
      success_url: 'https://example.com/ok',
      line_items: [{ price: SEED.prices.tshirt, quantity: 1 }],
    });
    expect(session.url).toBe(`${h.emulator.url}/pay/${String(session.id)}`);
    const page = await h.emulator.fetch(new Request(String(session.url)));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain(String(session.id));
  });

  it('in-process (no HTTP server), the links look like Stripe’s', () => {
    const service = new EmulatorService({ seed: false, faults: {} });
    const call = (path: string, params: JsonObject = {}) => service.call('POST', path, params);
    const express = newOnboardedExpress(service);
    const customer = String(call('/v1/customers').id);
    expect(
      call('/v1/account_links', {
        account: express,
        type: 'account_onboarding',
        refresh_url: 'https://e.com/r',
        return_url: 'https://e.com/r',
      }).url,
    ).toMatch(new RegExp(`^https://connect\\.stripe\\.com/setup/e/${express}/\\w{24}$`));
    expect(call(`/v1/accounts/${express}/login_links`).url).toMatch(
      /^https:\/\/connect\.stripe\.com\/express\/\w{24}$/,
    );
    expect(call('/v1/billing_portal/sessions', { customer }).url).toMatch(
      /^https:\/\/billing\.stripe\.com\/p\/session\/test_\w{40}$/,
    );
  });
});
