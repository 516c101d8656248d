/**
 * `npm start` with no key, walked as a new user would from GraphiQL after resetting the demo data:
 * live events still reach a subscriber after `POST /_emulator/reset` (the gateway's webhook
 * endpoint outlives it), and the seeded file link opens in a browser with no key.
 */
import { afterAll, expect, it } from 'vitest';
import { readResults } from '../server/sse.ts';
import { type Cli, graphqlUrlOf, startCli } from './cli.ts';

let cli: Cli | undefined;
afterAll(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
});

it('keeps live events after a reset, and serves the seeded file link', async () => {
  cli = startCli({ LOG_LEVEL: 'warn' });
  const url = await graphqlUrlOf(cli);
  const emulator = (await cli.waitFor(/demo data at (http:\/\/\S+)/))[1]!;
  const graphql = async (query: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  };
  expect((await fetch(`${emulator}/_emulator/reset`, { method: 'POST' })).status).toBe(200);

  const abort = new AbortController();
  const stream = readResults(
    await fetch(url, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'subscription { stripeEvents(types: ["customer.created"]) { object { ... on Customer { email } } } }',
      }),
      signal: abort.signal,
    }),
    abort,
  );
  // Listening starts a moment after the headers: write until an event comes through.
  let seen: { data?: any } | undefined;
  for (let attempt = 0; attempt < 40 && seen === undefined; attempt++) {
    await graphql(`mutation { createCustomer(input: { email: "reset-${attempt}@example.com" }) { id } }`);
    seen = await stream.next(250).catch(() => undefined);
  }
  expect(seen?.data?.stripeEvents.object.email).toMatch(/^reset-\d+@example\.com$/);
  stream.close();

  const { files } = await graphql('{ files(first: 10) { nodes { links { nodes { url } } } } }');
  const link = files.nodes.flatMap((f: any) => f.links.nodes)[0]?.url as string;
  expect(link.startsWith(`${emulator}/links/`), link).toBe(true);
  const opened = await fetch(link);
  expect(opened.status).toBe(200);
  expect((await opened.text()).length).toBeGreaterThan(0);
});
