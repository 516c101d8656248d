/**
 * Shared helpers for the emulator tests: start one in-process (no socket), talk to it raw or
 * through the SDK. (test/server/harness.ts's startHarness is the gateway over an emulator.)
 */
import Stripe from 'stripe';
import type { EmulatorHandle } from '../../src/emulator/engine/handle.ts';
import { connectPage } from '../../src/emulator/hosted/connect.ts';
import { createEmulator, type Emulator, type EmulatorServerOptions } from '../../src/emulator/server.ts';
import { STRIPE_API_VERSION } from '../../src/spec/stripe.ts';

export interface EmulatorHarness {
  emulator: Emulator;
  stripe: Stripe;
  /** a raw request; `body` is form-encoded already */
  request(method: string, path: string, options?: RequestOptions): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  body?: string;
  key?: string | null;
  headers?: Record<string, string>;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** The `stripe` SDK on `emulator`, in-process: its requests go through `emulator.fetch`. */
export function sdk(emulator: Emulator, options: Partial<Stripe.StripeConfig> = {}): Stripe {
  const url = new URL(emulator.url);
  return new Stripe(emulator.key, {
    httpClient: Stripe.createFetchHttpClient((input: string, init?: RequestInit) =>
      emulator.fetch(new Request(input, init)),
    ),
    host: url.hostname,
    protocol: 'http',
    // The emulator serves the spec's version only, the one this SDK release was made for.
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 0,
    ...options,
  });
}

/**
 * A request the SDK has no method for (the preview resources), sent by the SDK all the same: a
 * method of its own made with `StripeResource.extend`, stripe-node's way for endpoints it lacks.
 */
export function sdkRequest<T = any>(
  stripe: Stripe,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Record<string, unknown> = {},
): Promise<T> {
  const Resource = Stripe.StripeResource.extend({
    send: Stripe.StripeResource.method<T>({ method, fullPath: path }),
  });
  return new Resource(stripe).send(params) as unknown as Promise<T>;
}

export async function startEmulatorHarness(options: EmulatorServerOptions = {}): Promise<EmulatorHarness> {
  const emulator = await createEmulator({ faults: {}, listen: false, ...options });
  return {
    emulator,
    stripe: sdk(emulator),
    async request(method, path, { body, key, headers = {} } = {}) {
      const all: Record<string, string> = { ...headers };
      if (key !== null) all.Authorization ??= `Bearer ${key ?? emulator.key}`;
      if (body !== undefined) all['Content-Type'] ??= 'application/x-www-form-urlencoded';
      const response = await emulator.fetch(
        new Request(`${emulator.url}${path}`, {
          method,
          headers: all,
          ...(body !== undefined ? { body } : {}),
        }),
      );
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // binary or empty
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    close: () => emulator.close(),
  };
}

/**
 * The types of the events since `since` (unix seconds) about a payment: the PaymentIntent and the
 * objects naming it (its charge, dispute, fraud warning), oldest first.
 */
export async function paymentEventTypes(stripe: Stripe, intent: string, since: number): Promise<string[]> {
  const events = await stripe.events.list({ limit: 100, created: { gte: since } });
  return events.data
    .filter((event) => {
      const object = event.data.object as { id?: string; payment_intent?: string };
      return object.id === intent || object.payment_intent === intent;
    })
    .map((event) => event.type)
    .reverse();
}

/**
 * A US custom account's creation parameters with everything onboarding asks for (Stripe's test
 * values) and the `transfers` capability requested: nothing is due, so the capability is active and
 * the account can receive transfers and destination charges.
 */
export const PAYEE_ACCOUNT = {
  type: 'custom',
  country: 'US',
  business_type: 'company',
  business_profile: { mcc: '5734', url: 'https://payee.example.com' },
  company: {
    name: 'Payee LLC',
    phone: '0000000000',
    tax_id: '000000000',
    address: { line1: 'address_full_match', city: 'San Francisco', state: 'CA', postal_code: '94103' },
  },
  tos_acceptance: { date: 1_700_000_000, ip: '127.0.0.1' },
  capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
  external_account: 'btok_us_verified',
} as const;

/** A new connected account that can receive transfers (`PAYEE_ACCOUNT`), with `extra` params. */
export async function newPayee(stripe: Stripe, extra: Stripe.AccountCreateParams = {}): Promise<string> {
  return (await stripe.accounts.create({ ...PAYEE_ACCOUNT, ...extra })).id;
}

/**
 * A new US Express account its owner onboarded, through the hosted onboarding page with Stripe's
 * test values (as the platform cannot, for an Express account): it has submitted its details, so
 * it has an Express dashboard to log in to.
 */
export function newOnboardedExpress(service: EmulatorHandle): string {
  const account = String(service.call('POST', '/v1/accounts', { type: 'express', country: 'US' }).id);
  const link = service.call('POST', '/v1/account_links', {
    account,
    type: 'account_onboarding',
    refresh_url: 'https://example.com/reauth',
    return_url: 'https://example.com/return',
  });
  const token = String(link.url).split('/').pop();
  connectPage(service, 'POST', `setup/${token}`, new URLSearchParams());
  return account;
}
