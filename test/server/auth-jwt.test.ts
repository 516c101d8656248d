/**
 * AUTH_MODE=jwt end to end: every way a token can be wrong is HTTP 401 UNAUTHENTICATED before any
 * Stripe call; the claims give the scope (admin, one customer, one connected account).
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { bearer, customerByEmail, JWT_AUDIENCE, JWT_ENV, JWT_ISSUER, token } from './auth-helpers.ts';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
let connected: string;
let connectedCustomer: string;
let platformCustomer: string;

beforeAll(async () => {
  h = await startHarness(JWT_ENV);
  connected = (
    await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/accounts',
      params: { type: 'custom', country: 'US', email: 'shop@example.com' },
    })
  ).id;
  connectedCustomer = (
    await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: { name: 'Shopper' },
      stripeAccount: connected,
    })
  ).id;
  platformCustomer = (await customerByEmail(h.admin, 'jenny.rosen@example.com')).customer;
});
afterAll(() => h.close());
beforeEach(() => {
  h.upstreamCalls();
});

const QUERY = '{ customers(first: 3) { nodes { id } } }';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: JWT_ISSUER,
  aud: JWT_AUDIENCE,
  exp: now() + 300,
  scope: 'stripe:admin',
  ...extra,
});

async function expectUnauthenticated(headers: Record<string, string>, reason: RegExp): Promise<void> {
  const response = await h.query(QUERY, { headers });
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  expect(response.body.data ?? null).toBeNull();
  expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  expect(response.body.errors?.[0]?.message).toMatch(reason);
  expect(h.upstreamCalls()).toBe(0);
}

describe('jwt: refused tokens', () => {
  it('no Authorization header, or not Bearer', async () => {
    await expectUnauthenticated({}, /Authorization: Bearer/);
    await expectUnauthenticated({ authorization: 'Basic dXNlcjpwYXNz' }, /must be Bearer/);
  });

  it('a bad signature', async () => {
    await expectUnauthenticated(
      bearer(await token({ scope: 'stripe:admin' }, { secret: 'another-secret-of-at-least-32-characters' })),
      /signature is invalid/,
    );
    const good = await token({ scope: 'stripe:admin' });
    const [header, , signature] = good.split('.');
    const forged = `${header}.${b64(claims({ stripe_customer: undefined }))}.${signature}`;
    await expectUnauthenticated(bearer(forged), /signature is invalid/);
  });

  it('an expired token', async () => {
    await expectUnauthenticated(
      bearer(await token({ scope: 'stripe:admin' }, { expiresIn: -60 })),
      /expired/,
    );
  });

  it('a token without exp', async () => {
    const noExp = await new SignJWT({ scope: 'stripe:admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .sign(new TextEncoder().encode(JWT_ENV.JWT_SECRET));
    await expectUnauthenticated(bearer(noExp), /"exp" claim/);
  });

  it('the wrong audience or issuer', async () => {
    await expectUnauthenticated(
      bearer(await token({ scope: 'stripe:admin' }, { audience: 'another-api' })),
      /"aud" claim/,
    );
    await expectUnauthenticated(
      bearer(await token({ scope: 'stripe:admin' }, { issuer: 'https://evil.example/' })),
      /"iss" claim/,
    );
  });

  it('a token that grants nothing, or names ids of the wrong shape', async () => {
    await expectUnauthenticated(bearer(await token({ scope: 'read' })), /grants no access/);
    await expectUnauthenticated(bearer(await token({ stripe_customer: 'acct_123' })), /stripe_customer/);
    await expectUnauthenticated(bearer(await token({ stripe_account: 'cus_123' })), /stripe_account/);
  });

  it('alg: none, and an asymmetric algorithm the gateway was not configured for', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
    await expectUnauthenticated(bearer(unsigned), /algorithm is not accepted|malformed/);
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const es256 = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    await expectUnauthenticated(bearer(es256), /algorithm is not accepted/);
    // An HMAC "signed" with the public key's bytes (the classic RS/HS confusion) is just a bad signature.
    const jwk = JSON.stringify(await exportJWK(publicKey));
    const confused = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(jwk));
    await expectUnauthenticated(bearer(confused), /signature is invalid/);
  });

  it('a token with `=` padding or non-canonical base64url in any segment (other spellings of one signature)', async () => {
    const good = await token({ scope: 'stripe:admin' });
    const [header, payload, signature] = good.split('.') as [string, string, string];
    // An HS256 signature is 32 bytes: 43 characters whose last carries 2 unused low bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1)!);
    const respelled = `${signature.slice(0, -1)}${alphabet[last ^ 1]}`;
    // The same bytes: a lenient decoder (jose's) verifies this spelling too.
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    for (const variant of [
      `${good}=`,
      `${header}.${payload}.${signature}=`,
      `${header}=.${payload}.${signature}`,
      `${header}.${payload}.${respelled}`,
      `${header}.${payload}.${signature.slice(0, -2)}`,
    ]) {
      await expectUnauthenticated(bearer(variant), /canonical base64url/);
    }
    // The canonical spelling still passes.
    expect((await h.query(QUERY, { headers: bearer(good) })).status).toBe(200);
  });

  it('garbage', async () => {
    await expectUnauthenticated(bearer('not.a.jwt'), /malformed/);
    await expectUnauthenticated(bearer('sk_test_123'), /malformed/);
  });
});

describe('jwt: scopes from claims', () => {
  it('stripe:admin sees the whole graph, as any account', async () => {
    const admin = bearer(await token({ scope: 'openid stripe:admin', sub: 'ops' }));
    const response = await h.query(
      `{ customer(id: "${platformCustomer}") { ... on Customer { id } }
         shop: connectedAccount(id: "${connected}") { customers { nodes { id } } } }`,
      { headers: admin },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      customer: { id: platformCustomer },
      shop: { customers: { nodes: [{ id: connectedCustomer }] } },
    });
  });

  it('stripe_account acts as that account only: its header is implied, another account is FORBIDDEN', async () => {
    const shop = bearer(await token({ stripe_account: connected }));
    const own = await h.query(QUERY, { headers: shop });
    expect(own.body.data).toEqual({ customers: { nodes: [{ id: connectedCustomer }] } });
    const same = await h.query(QUERY, { headers: { ...shop, 'Stripe-Account': connected } });
    expect(same.body.data).toEqual(own.body.data);

    const other = await h.query(QUERY, { headers: { ...shop, 'Stripe-Account': 'acct_1EmulatorConnect01' } });
    expect(other.status).toBe(403);
    expect(other.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);

    const nested = await h.query(
      `{ mine: connectedAccount(id: "${connected}") { customers { nodes { id } } }
         theirs: connectedAccount(id: "acct_1EmulatorConnect01") { customers { nodes { id } } } }`,
      { headers: shop },
    );
    expect(nested.body.data).toEqual({
      mine: { customers: { nodes: [{ id: connectedCustomer }] } },
      theirs: null,
    });
    expect(nested.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['theirs'], 'FORBIDDEN']]);
    // The platform's objects are not the account's.
    const platform = await h.query(`{ customer(id: "${platformCustomer}") { ... on Customer { id } } }`, {
      headers: shop,
    });
    expect(platform.body.data?.customer).toBeNull();
  });

  it('stripe_account reads no platform object through a reference, where the header alone does', async () => {
    const transfer = await h.admin.request<{ destination_payment: string }>({
      method: 'GET',
      path: `/v1/transfers/${SEED.connected.transfer}`,
    });
    const query = `{ charge(id: "${transfer.destination_payment}") { id sourceTransfer { id } } }`;
    const shop = bearer(await token({ stripe_account: SEED.connected.account }));
    const bound = await h.query(query, { headers: shop });
    expect(bound.body.data).toEqual({ charge: { id: transfer.destination_payment, sourceTransfer: null } });
    expect(bound.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['charge', 'sourceTransfer'], 'NOT_FOUND'],
    ]);
    const admin = bearer(await token({ scope: 'stripe:admin' }));
    const platform = await h.query(query, {
      headers: { ...admin, 'Stripe-Account': SEED.connected.account },
    });
    expect(platform.body.errors).toBeUndefined();
    expect(platform.body.data).toEqual({
      charge: { id: transfer.destination_payment, sourceTransfer: { id: SEED.connected.transfer } },
    });
  });

  it('stripe_customer with stripe_account: that customer, inside that account', async () => {
    const shopper = bearer(await token({ stripe_account: connected, stripe_customer: connectedCustomer }));
    const response = await h.query(
      `{ customer(id: "${connectedCustomer}") { ... on Customer { id name } } }`,
      { headers: shopper },
    );
    expect(response.body.data).toEqual({ customer: { id: connectedCustomer, name: 'Shopper' } });
  });

  it('the GraphiQL page and health endpoints need no token', async () => {
    expect((await h.fetch('/healthz')).status).toBe(200);
    const page = await h.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
  });
});
