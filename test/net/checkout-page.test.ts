/**
 * A Checkout Session completed in a real browser (headless Chromium, loopback only) on the page the
 * emulator serves at the session's `url` (src/emulator/hosted/index.ts): the person pays with Stripe's
 * test card, lands on `success_url`, and the session is complete and paid by a PaymentIntent.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { sdk } from '../emulator/helpers.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.ts';

let emulator: Emulator;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
  emulator = await createEmulator({ faults: {} });
  profile = mkdtempSync(join(tmpdir(), 'checkout-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
});

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await emulator?.close();
});

describe('the hosted Checkout page', () => {
  it('completes a Checkout Session with Stripe’s test card', async () => {
    const stripe = sdk(emulator);
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: SEED.prices.tshirt, quantity: 2 }],
      success_url: `${emulator.url}/pay/success?session_id={CHECKOUT_SESSION_ID}`,
    });
    expect(session.url).toBe(`${emulator.url}/pay/${session.id}`);
    expect(session.amount_total).toBeGreaterThan(0);

    const page = await browser.newPage();
    await page.goto(session.url!);
    await page.getByLabel('Email').fill('buyer@example.com');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(/\/pay\/success/);
    expect(new URL(page.url()).searchParams.get('session_id')).toBe(session.id);
    await expect(page.getByRole('heading').textContent()).resolves.toBe('Payment complete');

    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(paid).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      customer_details: { email: 'buyer@example.com', name: 'Jenny Rosen' },
    });
    expect(paid.payment_intent).toMatchObject({
      status: 'succeeded',
      amount: session.amount_total,
      currency: session.currency,
    });

    // A completed session's page says so, and a declining card is shown its error.
    await page.goto(session.url!);
    await expect(page.getByRole('heading').textContent()).resolves.toBe('This session is complete');
    const second = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: SEED.prices.tshirt, quantity: 1 }],
      success_url: `${emulator.url}/pay/success`,
    });
    await page.goto(second.url!);
    await page.getByLabel('Card number').fill('4000 0000 0000 0002');
    await page.getByRole('button', { name: 'Pay' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/declined/);
    expect((await stripe.checkout.sessions.retrieve(second.id)).status).toBe('open');
    await page.close();
  });
});
