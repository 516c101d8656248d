/**
 * GraphiQL's tour, run as a newcomer runs it on `npm start` with no key: every tab is valid, the
 * reads answer demo data, the write flow pays and refunds, and the live tab receives the events
 * that flow sends.
 */
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { TOUR_CUSTOMER, TOUR_TABS, type TourTab } from '../../src/server/default-query.ts';
import { readResults } from '../server/sse.ts';
import { type Cli, graphqlUrlOf, startCli } from './cli.ts';

let cli: Cli;
let url: string;

beforeAll(async () => {
  cli = startCli({ LOG_LEVEL: 'warn' });
  url = await graphqlUrlOf(cli);
});

afterAll(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
});

function tab(title: string): TourTab {
  const found = TOUR_TABS.find((t) => t.title === title);
  if (!found) throw new Error(`no tab ${title}`);
  return found;
}

async function run(
  t: TourTab,
  operationName: string,
  variables: Record<string, unknown> = t.variables ? JSON.parse(t.variables) : {},
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: t.query, operationName, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  expect(body.errors, `${operationName}: ${JSON.stringify(body.errors)}`).toBeUndefined();
  return body.data ?? {};
}

describe('the GraphiQL tour on npm start', () => {
  it('names the demo data’s first customer, and every tab is valid', () => {
    expect(TOUR_CUSTOMER).toBe(SEED.jenny.customer);
    const { schema } = buildSchema({ descriptions: false });
    for (const t of TOUR_TABS) {
      expect(
        validate(schema, parse(t.query)).map((e) => e.message),
        t.title,
      ).toEqual([]);
      // Comments fit the editor beside the result pane.
      for (const line of t.query.split('\n').filter((l) => l.trimStart().startsWith('#'))) {
        expect(line.length, line).toBeLessThanOrEqual(46);
      }
    }
  });

  it('answers each tab, and the live tab receives the write flow’s events', async () => {
    const abort = new AbortController();
    const live = tab('Live events');
    const response = await fetch(url, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: live.query, operationName: 'LiveEvents' }),
      signal: abort.signal,
    });
    const events = readResults<{ stripeEvents: { type: string; object: { id: string } } }>(response, abort);

    const tour = (await run(tab('Tour'), 'Tour')) as Record<string, { nodes: Record<string, never>[] }>;
    expect(JSON.stringify(tour)).toContain(SEED.jenny.email);
    for (const list of ['customers', 'charges', 'accounts'] as const)
      expect(tour[list]!.nodes.length).toBeGreaterThan(0);
    const account = tour.accounts!.nodes[0] as unknown as {
      capabilities: { nodes: [] };
      transfers: { nodes: [] };
    };
    expect(account.capabilities.nodes.length).toBeGreaterThan(0);
    expect(account.transfers.nodes.length).toBeGreaterThan(0);

    const customer = (await run(tab('Customer'), 'Customer')).customer as Record<string, never>;
    expect(customer).toMatchObject({ email: SEED.jenny.email });
    const read = JSON.stringify(customer);
    expect(read).not.toContain('"nodes":[]');
    expect(read).toContain('"last4"');
    expect(read).toContain('"lines":{"nodes":[{');

    const writes = tab('Pay and refund');
    const variables = JSON.parse(writes.variables!) as Record<string, unknown>;
    const paid = (await run(writes, 'Pay', variables)).createPaymentIntent as {
      id: string;
      status: string;
      latestCharge: { paid: boolean };
    };
    expect(paid).toMatchObject({ status: 'SUCCEEDED', latestCharge: { paid: true } });
    // The newcomer copies the id into the variables, as the tab's comment says.
    const refunded = (await run(writes, 'Refund', { ...variables, paymentIntent: paid.id })).createRefund as {
      status: string;
    };
    expect(refunded).toMatchObject({ amount: variables.amount, charge: { refunded: true } });
    // (Refund.status is a string today; an enum once the schema types every enumerated status.)
    expect(refunded.status.toLowerCase()).toBe('succeeded');

    // The payment's events reach the live tab (those of other objects may come first).
    const seen: string[] = [];
    for (let i = 0; i < 20 && !seen.includes('payment_intent'); i++) {
      const event = await events.next(5000);
      const { type, object } = event.data!.stripeEvents;
      if (object.id === paid.id) seen.push(type.split('.')[0]!);
    }
    expect(seen).toContain('payment_intent');
    events.close();
  });
});
