/**
 * GraphiQL in a real browser (headless Chromium, no network beyond loopback): the page renders
 * from local assets, runs its default query, and shows the emulator's demo data.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed.ts';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { type Listener, listen } from '../../src/server/listen.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.ts';

const SCREENSHOT = join(tmpdir(), 'graphiql-default-query.png');

let emulator: Emulator;
let gateway: Gateway;
let listener: Listener;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
  emulator = await createEmulator();
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    LOG_LEVEL: 'warn',
  });
  gateway = createGateway({ config });
  listener = await listen(gateway.yoga, { port: 0, host: '127.0.0.1' });
  profile = mkdtempSync(join(tmpdir(), 'gateway-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    // Tall enough for the whole result: Monaco only renders the lines in view.
    viewport: { width: 1400, height: 4000 },
  });
});

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await listener?.close(1000);
  await gateway?.close();
  await emulator?.close();
});

describe('GraphiQL in Chromium', () => {
  it('renders offline, runs the default query and shows the demo data', async () => {
    const page = browser.pages()[0] ?? (await browser.newPage());
    const offOrigin: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(listener.origin) && !/^(blob|data):/.test(request.url())) {
        offOrigin.push(request.url());
      }
    });
    const failures: string[] = [];
    page.on('requestfailed', (request) => failures.push(request.url()));

    await page.goto(`${listener.origin}/graphql`);
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ state: 'visible', timeout: 30_000 });
    // The editor holds the default query.
    await page.locator('.graphiql-query-editor').getByText('query Tour').waitFor({ timeout: 15_000 });
    await run.click();

    const response = page.locator('.graphiql-response');
    await response.getByText('Jenny Rosen').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: SCREENSHOT, clip: { x: 0, y: 0, width: 1400, height: 1000 } });

    const text = (await response.textContent()) ?? '';
    expect(text).toContain(SEED.jenny.email);
    expect(text).toContain(SEED.jenny.customer);
    expect(text).toContain(SEED.connected.account);
    expect(offOrigin).toEqual([]);
    expect(failures).toEqual([]);
  });
});
