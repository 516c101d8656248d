/**
 * The real frontend tools from npm on realistic operations against the printed schema:
 * GraphQL Code Generator's client preset (its output compiles under `tsc --strict`) and the Relay
 * compiler (`@connection`, `@refetchable`; the queries it writes are accepted by the gateway).
 * Spawns processes, so it lives under test/net.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { printSDL } from '../../src/schema/print.ts';
import { type Harness, startHarness } from '../server/harness.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
// Under node_modules, so the generated code resolves its imports from the project's packages.
const WORK = join(ROOT, 'node_modules', '.cache', `client-tools-${process.pid}`);

/** The operations a storefront or dashboard writes, shared by both tools. */
const OPERATIONS = {
  CustomersWithDefaultCard: `query CustomersWithDefaultCard {
    customers(first: 5) { nodes { id email defaultSource { __typename ... on Card { id brand last4 } } } }
  }`,
  ChargesWithEmail: `query ChargesWithEmail {
    charges(first: 10) { nodes { id amount created customer { id email } } }
  }`,
  CustomerCardsAndInvoices: `query CustomerCardsAndInvoices($id: ID!) {
    customer(id: $id) { id cards(first: 5) { nodes { id last4 } } invoices(first: 5) { nodes { id total status } } }
  }`,
  SearchCustomers: `query SearchCustomers($q: String!) {
    searchCustomers(query: $q, first: 5) { nodes { id email } }
  }`,
  NodeWithFragments: `query NodeWithFragments($id: ID!) {
    node(id: $id) { __typename id ... on Customer { email } ... on Invoice { status total } }
  }`,
  CustomersPage: `query CustomersPage($after: String) {
    customers(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } }
  }`,
  AccountCapabilities: `query AccountCapabilities($id: ID!) {
    account(id: $id) { id capabilities(first: 10) { nodes { id stripeId status } } }
  }`,
};

/** For the client preset: an id read from one object passes, typed ID!, to a write's id inputs. */
const TYPED_IDS = {
  PayForCustomer: `mutation PayForCustomer($customer: ID!, $paymentMethod: ID!) {
    createPaymentIntent(input: { customer: $customer, paymentMethod: $paymentMethod, amount: 1000, currency: "usd" }) {
      id status customer { id }
    }
  }`,
  ActiveSubscriptions: `query ActiveSubscriptions($customer: ID!) {
    subscriptions(customer: $customer, status: ACTIVE) { nodes { id status } }
  }`,
};

const SCALARS = { DateTime: 'string', JSON: 'unknown', SafeInt: 'number' };

describe('frontend tools on the printed schema', () => {
  let h: Harness;
  beforeAll(async () => {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(join(WORK, 'src'), { recursive: true });
    writeFileSync(join(WORK, 'schema.graphql'), printSDL());
    h = await startHarness();
  });
  afterAll(async () => {
    rmSync(WORK, { recursive: true, force: true });
    await h.close();
  });

  it("GraphQL Code Generator's client preset output compiles under tsc --strict", async () => {
    const dir = join(WORK, 'codegen');
    mkdirSync(dir, { recursive: true });
    const calls = Object.entries({ ...OPERATIONS, ...TYPED_IDS })
      .map(([name, text]) => `export const ${name} = graphql(\`${text}\`);`)
      .join('\n');
    writeFileSync(
      join(dir, 'operations.ts'),
      `import type { ResultOf } from '@graphql-typed-document-node/core';
import { graphql } from './gql/index.js';
${calls}
// Using the results as a component would: the types are precise, never any.
export const emails = (r: ResultOf<typeof ChargesWithEmail>): (string | null)[] =>
  r.charges?.nodes.map((c) => c.customer?.email ?? null) ?? [];
export const last4 = (r: ResultOf<typeof CustomersWithDefaultCard>): string[] =>
  r.customers?.nodes.flatMap((c) => (c.defaultSource?.__typename === 'Card' ? [c.defaultSource.last4] : [])) ?? [];
export const statuses = (r: ResultOf<typeof AccountCapabilities>): string[] =>
  r.account?.capabilities.nodes.map((c) => \`\${c.id}: \${c.status}\`) ?? [];
export const created = (r: ResultOf<typeof ChargesWithEmail>): string[] => r.charges?.nodes.map((c) => c.created) ?? [];
`,
    );
    await generate(
      {
        schema: join(WORK, 'schema.graphql'),
        documents: join(dir, 'operations.ts'),
        generates: { [`${join(dir, 'gql')}/`]: { preset: 'client', config: { scalars: SCALARS } } },
        silent: true,
      },
      true,
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--module',
        'esnext',
        '--moduleResolution',
        'bundler',
        '--target',
        'es2022',
        join(dir, 'operations.ts'),
      ],
      { cwd: dir },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout, failed: true }));
    expect(result.stdout).toBe('');
    expect('failed' in result).toBe(false);
  }, 120_000);

  it("GraphQL Code Generator's typescript plugin, with its default options, types the whole schema under tsc --strict", async () => {
    const dir = join(WORK, 'typescript');
    mkdirSync(dir, { recursive: true });
    await generate(
      {
        schema: join(WORK, 'schema.graphql'),
        generates: { [join(dir, 'types.ts')]: { plugins: ['typescript'] } },
        silent: true,
      },
      true,
    );
    const types = readFileSync(join(dir, 'types.ts'), 'utf8');
    // Every enum and input of the schema is there (TypeScript enums, with their members).
    expect(types).toMatch(/export enum IssuingCardStatus \{/);
    expect(types).toMatch(/export type CreatePaymentIntentInput = \{/);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(
      process.execPath,
      [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', join(dir, 'types.ts')],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout, failed: true }));
    expect(result.stdout).toBe('');
    expect('failed' in result).toBe(false);
  }, 300_000);

  it('the Relay compiler compiles them with @connection and @refetchable, and the gateway accepts what it writes', async () => {
    const dir = join(WORK, 'relay');
    mkdirSync(join(dir, 'src'), { recursive: true });
    const relayOps = {
      ...OPERATIONS,
      CustomerCardsPaged: `query CustomerCardsPaged($id: ID!) { customer(id: $id) { ...CustomerCards_customer } }`,
    };
    const fragment = `fragment CustomerCards_customer on Customer
      @refetchable(queryName: "CustomerCardsRefetchQuery")
      @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
      email
      cards(first: $count, after: $cursor) @connection(key: "CustomerCards_cards") { edges { node { id last4 } } }
    }`;
    // Relay wants operation names to start with the module's name and end in Query.
    const tags = Object.values(relayOps).map(
      (text) => `graphql\`${text.replace(/query (\w+)/, 'query Relay$1Query')}\`;`,
    );
    writeFileSync(
      join(dir, 'src', 'Relay.ts'),
      `declare const graphql: (s: TemplateStringsArray) => unknown;\n${[...tags, `graphql\`${fragment}\`;`].join('\n')}\n`,
    );
    writeFileSync(
      join(dir, 'relay.config.json'),
      JSON.stringify({
        src: './src',
        schema: join(WORK, 'schema.graphql'),
        language: 'typescript',
        customScalarTypes: SCALARS,
        // The work directory sits under node_modules (Relay excludes that by default).
        excludes: ['**/__generated__/**'],
      }),
    );
    const bin = join(ROOT, 'node_modules', 'relay-compiler', 'cli.js');
    await run(process.execPath, [bin], { cwd: dir });
    const generated = join(dir, 'src', '__generated__');
    const texts = new Map<string, string>();
    for (const file of readdirSync(generated)) {
      const match = /"text": ("(?:[^"\\]|\\.)*")/.exec(readFileSync(join(generated, file), 'utf8'));
      if (match) texts.set(file.replace(/\.graphql\.ts$/, ''), JSON.parse(match[1]!) as string);
    }
    expect([...texts.keys()].sort()).toContain('CustomerCardsRefetchQuery');
    expect(texts.get('CustomerCardsRefetchQuery')).toMatch(/node\(id: \$id\)/);
    const variables: Record<string, Record<string, unknown>> = {
      RelayCustomerCardsAndInvoicesQuery: { id: SEED.jenny.customer },
      RelaySearchCustomersQuery: { q: `email:'${SEED.jenny.email}'` },
      RelayNodeWithFragmentsQuery: { id: SEED.jenny.invoice },
      RelayAccountCapabilitiesQuery: { id: SEED.connected.account },
      RelayCustomerCardsPagedQuery: { id: SEED.jenny.customer },
      CustomerCardsRefetchQuery: { id: SEED.jenny.customer, count: 1 },
    };
    for (const [name, text] of texts) {
      const response = await h.query(text, { variables: variables[name] ?? {} });
      expect(response.body.errors, name).toBeUndefined();
      expect(response.body.data, name).toBeTruthy();
    }
    expect(texts.size).toBe(Object.keys(relayOps).length + 1);
    // The refetch query pages Jenny's cards through node(id:).
    const refetched = await h.query(texts.get('CustomerCardsRefetchQuery')!, {
      variables: { id: SEED.jenny.customer, count: 1 },
    });
    expect(refetched.body.data?.node).toMatchObject({ __typename: 'Customer', id: SEED.jenny.customer });
  }, 120_000);
});
