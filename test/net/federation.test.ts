/**
 * Federation end to end: the gateway as a subgraph (the emulator behind it), a second subgraph of
 * orders that references Stripe customers and payment intents, the supergraph composed with
 * @theguild/federation-composition from both subgraphs' `_service { sdl }`, and a real router
 * (`hive-gateway supergraph`, from @graphql-hive/gateway) serving it on a loopback port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../scripts/compose-supergraph.ts';
import { createOrdersSubgraph, DEMO_ORDERS } from '../../scripts/orders-subgraph.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import type { Gateway } from '../../src/server/gateway.ts';
import { type Listener, listen } from '../../src/server/listen.ts';
import { type Harness, startHarness } from '../server/harness.ts';

const CONNECTED = SEED.connected.account;
const ORDERS = DEMO_ORDERS;
/** The README's query across the subgraphs (its ```graphql router block). */
const ROUTER_QUERY = /```graphql router\n([\s\S]*?)```/.exec(
  readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8'),
)![1]!;
const distinct = (values: (string | undefined)[]) => new Set(values.filter(Boolean)).size;

let harness: Harness;
let stripe: Listener;
let orders: Listener;
let router: ChildProcess;
let routerUrl: string;
let workDir: string;
let routerOutput = '';
/** the GraphQL documents the Stripe subgraph received, in order */
const received: { query: string; variables?: Record<string, unknown> }[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** The gateway on a loopback port, recording each GraphQL request it is sent. */
async function listenRecording(target: Gateway): Promise<Listener> {
  return listen(
    async (req, res) => {
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      if (body) received.push(JSON.parse(body));
      const response = await target.yoga.fetch(`http://127.0.0.1${req.url}`, {
        method: req.method ?? 'GET',
        headers: req.headers as Record<string, string>,
        ...(body === undefined ? {} : { body }),
      });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    },
    { port: 0, host: '127.0.0.1' },
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForRouter(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (router.exitCode !== null) throw new Error(`hive-gateway exited:\n${routerOutput}`);
    try {
      const response = await fetch(`${url}/readiness`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`hive-gateway did not become ready:\n${routerOutput}`);
}

async function queryRouter(query: string) {
  const response = await fetch(`${routerUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

beforeAll(async () => {
  harness = await startHarness();
  stripe = await listenRecording(harness.gateway);
  orders = await listen(createOrdersSubgraph(ORDERS), { port: 0, host: '127.0.0.1' });

  workDir = mkdtempSync(join(tmpdir(), 'federation-'));
  const supergraph = await composeSupergraph([
    { name: 'stripe', url: `${stripe.origin}/graphql` },
    { name: 'orders', url: `${orders.origin}/graphql` },
  ]);
  writeFileSync(join(workDir, 'supergraph.graphql'), supergraph);

  const port = await freePort();
  routerUrl = `http://127.0.0.1:${port}`;
  router = spawn(
    join(process.cwd(), 'node_modules', '.bin', 'hive-gateway'),
    ['supergraph', 'supergraph.graphql', '--host', '127.0.0.1', '--port', String(port)],
    { cwd: workDir, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  router.stdout?.on('data', (chunk: Buffer) => {
    routerOutput += chunk.toString();
  });
  router.stderr?.on('data', (chunk: Buffer) => {
    routerOutput += chunk.toString();
  });
  await waitForRouter(routerUrl);
});

afterAll(async () => {
  if (router && router.exitCode === null) {
    const exited = new Promise((resolve) => router.once('exit', resolve));
    router.kill('SIGTERM');
    await exited;
  }
  await stripe?.close(1000);
  await orders?.close(1000);
  await harness?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the gateway behind a federation router', () => {
  it('answers orders with their customer (email, default card, invoices) and payment intent: one _entities call per plan step, one Stripe call per distinct object and invoices list', async () => {
    received.length = 0;
    harness.upstreamCalls();
    const result = await queryRouter(ROUTER_QUERY);
    const calls = harness.upstreamCalls();
    expect(result.errors).toBeUndefined();
    const rows = (result.data?.orders ?? []) as {
      id: string;
      customer: {
        id: string;
        stripeAccount: string | null;
        email: string | null;
        defaultSource: { brand: string; last4: string } | null;
        invoices: { nodes: { id: string; status: string; amountDue: number }[] };
      };
      paymentIntent: { id: string; amount: number; status: string } | null;
    }[];
    expect(rows.map((o) => o.id)).toEqual(ORDERS.map((o) => o.id));
    const jenny = rows[0]!;
    expect(jenny.customer.email).toBe(SEED.jenny.email);
    expect(jenny.customer.stripeAccount).toBeNull();
    expect(jenny.customer.defaultSource).toEqual({ brand: 'Visa', last4: '4242' });
    expect(jenny.customer.invoices.nodes.map((i) => i.id)).toContain(SEED.jenny.invoice);
    expect(jenny.paymentIntent).toMatchObject({ id: SEED.jenny.paymentIntent, amount: 4200 });
    expect(rows[2]!.paymentIntent).toMatchObject({ id: SEED.alan.openPaymentIntent, amount: 3000 });
    expect(rows[3]!.paymentIntent).toBeNull();
    // The connected account's customer is read through that account's session.
    expect(rows[5]!.customer).toMatchObject({ id: SEED.connected.customer, stripeAccount: CONNECTED });

    // The router resolves both references in one plan step: one _entities request to the gateway.
    const entityCalls = received.filter((r) => r.query.includes('_entities'));
    expect(entityCalls).toHaveLength(1);
    const representations = Object.values(entityCalls[0]!.variables ?? {}).flat() as {
      __typename: string;
      id: string;
      stripeAccount?: string | null;
    }[];
    expect(representations).toContainEqual({
      __typename: 'Customer',
      id: SEED.connected.customer,
      stripeAccount: CONNECTED,
    });
    // One Stripe call per distinct customer (the default card folded into its expand[]), one invoices
    // list per distinct customer, one call per distinct payment intent.
    const customers = distinct(ORDERS.map((o) => o.customer));
    expect(calls).toBe(customers + customers + distinct(ORDERS.map((o) => o.paymentIntent)));
  });
});
