/**
 * Tailcall (a GraphQL-over-REST runtime written in Rust, npm `@tailcallhq/core-linux-x64-gnu`; 1.0.0
 * is the last build that runs on this machine's glibc, installed on first use) configured by hand for the throughput
 * bench's four queries, making the same Stripe calls as the gateway: one list call for the charges
 * with `expand[]=data.customer`, the customer then its cards and invoices side by side (the lines
 * inline), the account then its capabilities and transfers side by side (the reversals inline).
 *
 * It serves only what these four queries select, as Stripe sends it (no enums, no scope, no limits,
 * no metrics): the floor a hand-written proxy reaches, not a like-for-like gateway.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, freePort, start, waitFor } from './server.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const TAILCALL_PACKAGE = '@tailcallhq/core-linux-x64-gnu@1.0.0';
/** Where the bench installs Tailcall on first use (git-ignored with node_modules). */
const TAILCALL_DIR = join(ROOT, 'node_modules', '.cache', 'tailcall-1.0.0');

/**
 * The binary the npm package ships, installed here on first use rather than as a devDependency:
 * the package is for x64 Linux only, and npm refuses to install a platform package elsewhere (an
 * arm64 image build would fail on it).
 */
export function tailcallBinary(): string {
  const binary = join(TAILCALL_DIR, 'node_modules', '@tailcallhq', 'core-linux-x64-gnu', 'bin', 'tailcall');
  if (!existsSync(binary)) {
    mkdirSync(TAILCALL_DIR, { recursive: true });
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--prefix', TAILCALL_DIR, TAILCALL_PACKAGE],
      {
        stdio: 'ignore',
      },
    );
  }
  return binary;
}

/** The config: Stripe's lists as `{ nodes }` (Stripe's `data`), each read with the stand-in's key. */
export function tailcallConfig(upstream: string, key: string, port: number): string {
  const auth = `headers: [{ key: "Authorization", value: "Bearer ${key}" }]`;
  const limit = `{ key: "limit", value: "{{.args.first}}" }`;
  const list = (name: string, item: string) => `type ${name} { data: [${item}] @modify(name: "nodes") }`;
  return `schema
  @server(port: ${port}, hostname: "127.0.0.1", workers: 2)
  @upstream(httpCache: 0) {
  query: Query
}

type Query {
  customers(first: Int): CustomerList @http(url: "${upstream}/v1/customers", query: [${limit}], ${auth})
  charges(first: Int): ChargeList
    @http(url: "${upstream}/v1/charges", query: [${limit}, { key: "expand[]", value: "data.customer" }], ${auth})
  customer(id: String!): Customer @http(url: "${upstream}/v1/customers/{{.args.id}}", ${auth})
  account(id: String!): Account @http(url: "${upstream}/v1/accounts/{{.args.id}}", ${auth})
}

${list('CustomerList', 'Customer')}
${list('ChargeList', 'Charge')}
${list('CardList', 'Card')}
${list('InvoiceList', 'Invoice')}
${list('LineList', 'Line')}
${list('CapabilityList', 'Capability')}
${list('TransferList', 'Transfer')}
${list('ReversalList', 'Reversal')}

type Customer {
  id: String!
  email: String
  cards(first: Int): CardList @http(url: "${upstream}/v1/customers/{{.value.id}}/cards", query: [${limit}], ${auth})
  invoices(first: Int): InvoiceList
    @http(url: "${upstream}/v1/invoices", query: [{ key: "customer", value: "{{.value.id}}" }, ${limit}], ${auth})
}
type Charge { amount: Int, customer: Customer }
type Card { brand: String, last4: String }
type Invoice { number: String, status: String, lines: LineList }
type Line { amount: Int, description: String }
type Account {
  id: String!
  email: String
  capabilities: CapabilityList @http(url: "${upstream}/v1/accounts/{{.value.id}}/capabilities", ${auth})
  transfers(first: Int): TransferList
    @http(url: "${upstream}/v1/transfers", query: [{ key: "destination", value: "{{.value.id}}" }, ${limit}], ${auth})
}
type Capability { id: String, status: String }
type Transfer { amount: Int, reversals: ReversalList }
type Reversal { amount: Int }
`;
}

export interface TailcallServer {
  child: Child;
  pid: number;
  url: string;
}

/** Tailcall on a free port, reading from the stand-in; its config in `dir`. */
export async function startTailcall(upstream: string, key: string, dir: string): Promise<TailcallServer> {
  const port = await freePort();
  const config = join(dir, 'tailcall.graphql');
  writeFileSync(config, tailcallConfig(upstream, key, port));
  const child = start(tailcallBinary(), ['start', config], { TAILCALL_LOG_LEVEL: 'error' });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitFor('tailcall', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    return response.ok ? true : undefined;
  }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  });
  return { child, pid: child.process.pid!, url };
}
