/**
 * Relay's store against the emulator (the Relay compiler writes the artifacts, so this spawns a
 * process and lives under test/net). Relay keys every record by `id` alone: the platform's coupon
 * `SUMMER25` and a connected account's are two records (`SUMMER25`, `acct_…/SUMMER25`), and a delete
 * answers `deletedId`, which `@deleteRecord` removes from the store, where a `DeletedCustomer`
 * sharing the customer's id would clash with it ("expected both versions of record … to have the
 * same __typename"). No console warnings.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  commitMutation,
  Environment,
  fetchQuery,
  type GraphQLTaggedNode,
  Network,
  RecordSource,
  Store,
} from 'relay-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printSDL } from '../../src/schema/print.ts';
import { addConnectedSummer25, CONNECTED, captureWarnings } from '../schema/client-helpers.ts';
import { type Harness, startHarness } from '../server/harness.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const WORK = join(ROOT, 'node_modules', '.cache', `relay-cache-${process.pid}`);

const SOURCES = `
graphql\`query CacheCouponsQuery($account: ID!) {
  coupon(id: "SUMMER25") { id stripeId percentOff }
  connectedAccount(id: $account) { stripeAccount coupon(id: "SUMMER25") { id stripeId percentOff } }
}\`;
graphql\`query CacheCustomerQuery($id: ID!) { customer(id: $id) { id email } }\`;
graphql\`mutation CacheDeleteCustomerMutation($id: ID!) {
  deleteCustomer(id: $id) { deletedId @deleteRecord deleted }
}\`;
`;

let h: Harness;
let artifacts: Record<string, GraphQLTaggedNode>;
const warnings = captureWarnings();

beforeAll(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(join(WORK, 'src'), { recursive: true });
  writeFileSync(join(WORK, 'schema.graphql'), printSDL());
  writeFileSync(join(WORK, 'src', 'Cache.js'), `const graphql = () => null;\n${SOURCES}`);
  writeFileSync(
    join(WORK, 'relay.config.json'),
    JSON.stringify({
      src: './src',
      schema: join(WORK, 'schema.graphql'),
      language: 'javascript',
      eagerEsModules: true,
      customScalarTypes: { DateTime: 'string', JSON: 'unknown', SafeInt: 'number' },
      excludes: ['**/__generated__/**'],
    }),
  );
  await run(process.execPath, [join(ROOT, 'node_modules', 'relay-compiler', 'cli.js')], { cwd: WORK });
  artifacts = {};
  for (const name of ['CacheCouponsQuery', 'CacheCustomerQuery', 'CacheDeleteCustomerMutation']) {
    const url = pathToFileURL(join(WORK, 'src', '__generated__', `${name}.graphql.js`)).href;
    artifacts[name] = ((await import(url)) as { default: GraphQLTaggedNode }).default;
  }
  h = await startHarness();
  await addConnectedSummer25(h);
}, 120_000);
afterAll(async () => {
  rmSync(WORK, { recursive: true, force: true });
  await h?.close();
});

function environment(): Environment {
  return new Environment({
    network: Network.create(async (params, variables) => {
      const response = await h.query(params.text!, { variables });
      return response.body as never;
    }),
    store: new Store(new RecordSource()),
  });
}

describe('Relay store', () => {
  it('keeps two accounts’ SUMMER25 apart', async () => {
    const env = environment();
    await fetchQuery(env, artifacts.CacheCouponsQuery!, { account: CONNECTED }).toPromise();
    const source = env.getStore().getSource();
    expect(source.get('SUMMER25')).toMatchObject({ __typename: 'Coupon', percentOff: 25 });
    expect(source.get(`${CONNECTED}/SUMMER25`)).toMatchObject({ __typename: 'Coupon', percentOff: 50 });
    expect(warnings).toEqual([]);
  });

  it('a delete followed by reads: @deleteRecord on deletedId removes the customer', async () => {
    const env = environment();
    const { id } = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'relay-gone@example.com' },
    });
    await fetchQuery(env, artifacts.CacheCustomerQuery!, { id }).toPromise();
    expect(env.getStore().getSource().get(id)).toMatchObject({ __typename: 'Customer', id });
    const result = await new Promise<unknown>((resolve, reject) => {
      commitMutation(env, {
        mutation: artifacts.CacheDeleteCustomerMutation!,
        variables: { id },
        onCompleted: resolve,
        onError: reject,
      });
    });
    expect(result).toEqual({ deleteCustomer: { deletedId: id, deleted: true } });
    // Deleted from the store (a record that is null), and no record took the customer's id.
    expect(env.getStore().getSource().get(id)).toBeNull();
    // Read again from the gateway: the customer is null (a DELETED error beside it).
    await expect(fetchQuery(env, artifacts.CacheCustomerQuery!, { id }).toPromise()).resolves.toEqual({
      customer: null,
    });
    expect(warnings).toEqual([]);
  });
});
