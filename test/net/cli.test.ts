/** `npm start` as a process: emulator mode, a real upstream, graceful shutdown, bad configuration. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { type Cli, graphqlUrlOf, startCli } from './cli.ts';

const running: Cli[] = [];
function cli(env: NodeJS.ProcessEnv): Cli {
  const started = startCli(env);
  running.push(started);
  return started;
}
afterEach(async () => {
  for (const c of running.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill('SIGKILL');
      await c.exited;
    }
  }
});

const post = (url: string, query: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });

describe('npm start without STRIPE_SECRET_KEY', () => {
  it('runs on the built-in emulator, says so, serves GraphiQL and stops on SIGTERM', async () => {
    const c = cli({});
    const url = await graphqlUrlOf(c);
    const emulatorLine = await c.waitFor(
      /Running on the built-in Stripe emulator with demo data at (http:\/\/\S+)/,
    );
    const origin = new URL(url).origin;

    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/graphiql/yoga-graphiql.js');
    const query = await post(url, '{ customers(first: 1) { nodes { id } } }');
    expect(await query.json()).toMatchObject({ data: { customers: { nodes: expect.any(Array) } } });
    // The printed emulator URL is a working Stripe API.
    const balance = await fetch(`${emulatorLine[1]}/v1/balance`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    expect(balance.status).toBe(200);

    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(c.stdout()).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
    expect(c.stdout()).toMatch(/"msg":"stopped"/);
    // stdout is JSON lines only (a log collector parses each); the banner went to stderr.
    const lines = c.stdout().trimEnd().split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toContain('listening');
    expect(c.stderr()).toMatch(/^Stripe GraphQL gateway: http:/m);
  });

  it('finishes in-flight requests before exiting', async () => {
    const c = cli({ EMULATOR_LATENCY_MS: '800', LOG_LEVEL: 'warn' });
    const url = await graphqlUrlOf(c);
    const inFlight = post(url, '{ customers(first: 1) { nodes { id } } }');
    // Wait until the gateway is serving it (the metrics request itself is the other one in flight).
    const origin = new URL(url).origin;
    for (;;) {
      const metrics = await (await fetch(`${origin}/metrics`)).text();
      if (/^http_requests_in_flight 2$/m.test(metrics)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    c.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ data: { customers: { nodes: expect.any(Array) } } });
    expect(await c.exited).toBe(0);
    // No new connections once it is gone.
    await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
  });
});

describe('npm start with STRIPE_SECRET_KEY', () => {
  let upstream: Emulator;
  beforeAll(async () => {
    upstream = await createEmulator();
  });
  afterAll(() => upstream.close());

  it('talks to STRIPE_API_BASE and never prints the key', async () => {
    const key = 'sk_test_CliSuiteSecretKey987654321';
    const c = cli({ STRIPE_SECRET_KEY: key, STRIPE_API_BASE: upstream.url });
    const url = await graphqlUrlOf(c);
    await c.waitFor(/Using the Stripe API at http:\/\/127\.0\.0\.1:\d+/);
    expect(c.stderr()).not.toMatch(/built-in Stripe emulator/);
    const before = upstream.stats().total;
    const response = await post(url, '{ customers(first: 1) { nodes { id } } }');
    expect(response.status).toBe(200);
    expect(upstream.stats().total).toBeGreaterThan(before);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(c.stdout() + c.stderr()).not.toContain(key);
  });
});

describe('npm start with invalid configuration', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ QUERY_MAX_DEPTH: '0' }, 'QUERY_MAX_DEPTH'],
    [{ LOG_LEVEL: 'chatty' }, 'LOG_LEVEL'],
    [{ STRIPE_MAX_RETRIES: '99' }, 'STRIPE_MAX_RETRIES'],
  ])('exits non-zero naming the variable (%o)', async (env, variable) => {
    const c = cli(env);
    expect(await c.exited).toBe(1);
    expect(c.stderr()).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('does not echo a malformed key', async () => {
    const key = 'pk_live_PublishableNotSecret12345';
    const c = cli({ STRIPE_SECRET_KEY: key });
    expect(await c.exited).toBe(1);
    expect(c.stderr()).toMatch(/STRIPE_SECRET_KEY/);
    expect(c.stderr() + c.stdout()).not.toContain(key);
  });

  it('reports a port in use', async () => {
    const first = cli({});
    const origin = new URL(await graphqlUrlOf(first)).origin;
    const c = cli({ PORT: new URL(origin).port });
    expect(await c.exited).toBe(1);
    expect(c.stderr()).toMatch(/is in use: set PORT/);
  });
});
