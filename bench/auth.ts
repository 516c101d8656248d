/**
 * What access control costs: the same customer-page query (its lists filtered by that customer, so
 * every scenario sends the same Stripe requests) in-process (yoga.fetch, the emulator with no
 * injected latency) with no auth, as a JWT admin and as that customer's JWT — mean time per request
 * and Stripe calls per request — and how fast jose verifies an HS256 token.
 *
 *   npx tsx bench/auth.ts
 */
import { fileURLToPath } from 'node:url';
import { jwtVerify, SignJWT } from 'jose';
import { SEED } from '../src/emulator/seed/seed.ts';
import { createEmulator } from '../src/emulator/server.ts';
import { createRestClient } from '../src/rest/client.ts';
import { buildSchema } from '../src/schema/index.ts';
import { readServerConfig } from '../src/server/config.ts';
import { createGateway } from '../src/server/gateway.ts';
import { type BenchRow, printTable } from './table.ts';

const REQUESTS = 300;
const ROUNDS = 6;
const VERIFICATIONS = 5_000;
const SECRET = 'bench-secret-of-at-least-thirty-two-chars';
const ISSUER = 'https://bench.example/';
const AUDIENCE = 'bench';

const QUERY = `{
  customer(id: "${SEED.jenny.customer}") {
    ... on Customer { email cards(first: 10) { nodes { brand last4 } } invoices(first: 10) { nodes { number status } } }
  }
  charges(first: 10, customer: "${SEED.jenny.customer}") { nodes { amount customer { ... on Customer { email } } } }
  paymentIntents(first: 10, customer: "${SEED.jenny.customer}") { nodes { amount status } }
}`;

const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));

export async function benchAuth(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const emulator = await createEmulator();
  const schema = buildSchema();
  const scenarios: [string, NodeJS.ProcessEnv, Record<string, string>][] = [
    ['AUTH_MODE=none', {}, {}],
    [
      'jwt, stripe:admin',
      { AUTH_MODE: 'jwt', JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
      { authorization: `Bearer ${await sign({ scope: 'stripe:admin' })}` },
    ],
    [
      'jwt, stripe_customer',
      { AUTH_MODE: 'jwt', JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
      { authorization: `Bearer ${await sign({ stripe_customer: SEED.jenny.customer })}` },
    ],
  ];
  const runners = scenarios.map(([name, env, headers]) => {
    const config = readServerConfig({
      STRIPE_SECRET_KEY: emulator.key,
      STRIPE_API_BASE: emulator.url,
      LOG_LEVEL: 'silent',
      ...env,
    });
    const { secretKey, ...rest } = config.rest;
    const gateway = createGateway({
      config,
      schema,
      rest: (onRequest) => createRestClient({ ...rest, secretKey, onRequest }),
    });
    const run = async () => {
      const response = await gateway.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: QUERY }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`${name}: ${JSON.stringify(body.errors)}`);
    };
    return { name, gateway, run, ms: 0, calls: 0 };
  });
  for (const runner of runners) for (let i = 0; i < 20; i++) await runner.run();
  // Interleaved rounds, so that warm-up and machine noise fall on every scenario alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const runner of runners) {
      const before = emulator.stats().total;
      const started = performance.now();
      for (let i = 0; i < REQUESTS / ROUNDS; i++) await runner.run();
      runner.ms += performance.now() - started;
      runner.calls += emulator.stats().total - before;
    }
  }
  for (const { name, gateway, ms, calls } of runners) {
    const bench = `auth: customer page, ${name}`;
    rows.push(
      { bench, metric: 'mean time per request', value: ms / REQUESTS, unit: 'ms' },
      { bench, metric: 'Stripe calls per request', value: calls / REQUESTS, unit: 'calls' },
    );
    await gateway.close();
  }
  await emulator.close();

  const token = await sign({ stripe_customer: SEED.jenny.customer });
  const key = new TextEncoder().encode(SECRET);
  const started = performance.now();
  for (let i = 0; i < VERIFICATIONS; i++) {
    await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
  }
  const perVerify = (performance.now() - started) / VERIFICATIONS;
  rows.push({
    bench: 'auth: jose HS256 verify',
    metric: 'time per token',
    value: perVerify * 1000,
    unit: 'µs',
  });
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await benchAuth());
