/**
 * GraphiQL in a real browser (headless Chromium, no network beyond loopback): the page renders
 * from local assets, runs its default query, and shows the emulator's demo data.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { TOUR_TABS } from '../../src/server/default-query.ts';
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
  // As npm start does on the emulator: the gateway is the emulator's webhook endpoint, so the
  // tour's live tab receives the events of its writes.
  const endpoint = await gateway.rest.request<{ secret: string }>({
    method: 'POST',
    path: '/v1/webhook_endpoints',
    params: { url: `${listener.origin}${config.live.webhookPath}`, enabled_events: ['*'] },
  });
  gateway.live.acceptWebhookSecret(endpoint.secret);
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

/** A page that starts as a first visit: GraphiQL keeps its tabs and Docs state in localStorage. */
async function freshPage() {
  const page = await browser.newPage();
  await page.addInitScript(() => localStorage.clear());
  return page;
}

/** GraphiQL opened as a first visit, ready to run. */
async function tourPage() {
  const page = await freshPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(`${listener.origin}/graphql`);
  await page.locator('.graphiql-execute-button').waitFor({ state: 'visible', timeout: 30_000 });
  return page;
}

/** GraphiQL's tabs are draggable, so a pointer click can start a drag: the tab's button is clicked. */
async function openTab(page: Page, title: string) {
  await page
    .locator(`button.graphiql-tab-button[title="${title}"]`)
    .evaluate((b) => (b as HTMLElement).click());
  await page.locator('.graphiql-tab-active', { hasText: title }).waitFor();
  // (the editor shows the tab's document a moment after the tab opens)
  await page
    .locator('.graphiql-query-editor')
    .getByText(new RegExp(`(query|mutation|subscription)\\s${title}\\b`))
    .waitFor();
}

/**
 * Runs the tab's operation; with several in the tab, the run button's menu picks one. A click that
 * lands while GraphiQL still swaps tabs opens no menu: the button is clicked again.
 */
async function runOperation(page: Page, name?: string) {
  for (let attempt = 1; ; attempt++) {
    await page.locator('.graphiql-execute-button').click();
    if (!name) return;
    const item = page.getByRole('menuitem', { name });
    const shown = await item.waitFor({ timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    if (shown) return item.click();
    if (attempt === 3) throw new Error(`the run button's menu never showed ${name}`);
  }
}

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
    // An open page would write its tabs back into the storage the next test's pages start from.
    await page.close();
  });

  it('walks the tour: each tab answers, the write flow pays and refunds, and its events arrive', async () => {
    const page = await tourPage();
    const titles = await page
      .locator('button.graphiql-tab-button')
      .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('title')));
    expect(titles).toEqual(TOUR_TABS.map((t) => /^(?:query|mutation|subscription) (\w+)/m.exec(t.query)![1]));

    await openTab(page, 'Customer');
    // The tab's variables reach their editor a moment after its document: run once they are there.
    await page
      .locator('.graphiql-editor-tool')
      .getByText(SEED.jenny.customer)
      .first()
      .waitFor({ state: 'attached', timeout: 10_000 })
      .catch(() => undefined);
    await runOperation(page);
    const answered = page.locator('.graphiql-response').getByText(SEED.jenny.email).first();
    const first = await answered.waitFor({ timeout: 15_000 }).then(
      () => true,
      () => false,
    );
    if (!first) {
      // A run clicked while GraphiQL still swapped tabs answers without the tab's variables: once more.
      await runOperation(page);
      await answered.waitFor({ timeout: 30_000 });
    }
    expect(await page.locator('.graphiql-response').textContent()).toContain('"last4"');

    // The live tab listens in a second window while the write flow runs in the first, as the
    // tabs' comments say (GraphiQL stops a tab's run when another tab is opened).
    const watcher = await tourPage();
    await openTab(watcher, 'LiveEvents');
    // (running, the button stops the subscription; a click that lands while GraphiQL still swaps
    // tabs starts nothing, so it is clicked again, and what the pane shows is kept for the failure)
    const stop = watcher.locator('.graphiql-execute-button[aria-label^="Stop"]');
    let listening = false;
    for (let attempt = 0; attempt < 3 && !listening; attempt++) {
      await runOperation(watcher);
      listening = await stop.waitFor({ timeout: 10_000 }).then(
        () => true,
        () => false,
      );
    }
    expect(listening, (await watcher.locator('.graphiql-response').textContent()) ?? '').toBe(true);
    await watcher.waitForTimeout(500);

    await openTab(page, 'Pay');
    await runOperation(page, 'Pay');
    const response = page.locator('.graphiql-response');
    await response.getByText('SUCCEEDED').first().waitFor({ timeout: 30_000 });
    const paymentIntent = /"(pi_[A-Za-z0-9]+)"/.exec((await response.textContent()) ?? '')?.[1];
    expect(paymentIntent).toBeDefined();
    // As the tab's comment says: the id goes into the variables, then Refund runs.
    const variables = JSON.parse(TOUR_TABS.find((t) => t.title === 'Pay and refund')!.variables!);
    await page.locator('.graphiql-editor-tool .graphiql-editor').first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(JSON.stringify({ ...variables, paymentIntent }));
    // (the editor closes brackets and quotes as text arrives: drop what it added after ours)
    await page.keyboard.press('Control+Shift+End');
    await page.keyboard.press('Delete');
    await runOperation(page, 'Refund');
    await response
      .getByText(/"refunded":\s*true/)
      .first()
      .waitFor({ timeout: 30_000 });

    const events = watcher.locator('.graphiql-response');
    await events.getByText(paymentIntent!).first().waitFor({ timeout: 30_000 });
    expect(await events.textContent()).toMatch(/"type":\s*"(payment_intent|charge)\./);
    await watcher.screenshot({ path: join(tmpdir(), 'graphiql-tour-events.png') });
    await watcher.close();
    await page.close();
  });

  it('finds Customer first when the Docs are searched for it', async () => {
    const page = await freshPage();
    await page.goto(`${listener.origin}/graphql`);
    await page.locator('.graphiql-execute-button').waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('[aria-label="Show Documentation Explorer"]').click();
    await page.locator('.graphiql-doc-explorer-search-input').click();
    await page.keyboard.type('Customer');
    const hits = page.locator('[role=option]');
    // (the hits follow the typing: wait for those of the whole word)
    await expect
      .poll(async () => (await hits.allTextContents()).map((t) => t.trim()).slice(0, 2))
      .toEqual(['Customer', 'CustomerBalanceTransaction']);
    await page.close();
  });
});
