/**
 * AUTH_MODE=jwt with JWT_JWKS_URL: RS256 and ES256 tokens verified against keys fetched from a JWKS
 * endpoint (a local server on port 0); a token signed by a key not in the set, or with HS256, is 401.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'stripe-gateway';

let emulator: Emulator;
let gateway: Gateway;
let jwks: Server;
let jwksRequests = 0;
const keys: Record<string, { privateKey: CryptoKey; kid: string }> = {};

beforeAll(async () => {
  const published: Record<string, unknown>[] = [];
  for (const alg of ['RS256', 'ES256'] as const) {
    const pair = await generateKeyPair(alg);
    keys[alg] = { privateKey: pair.privateKey, kid: `key-${alg}` };
    published.push({ ...(await exportJWK(pair.publicKey)), kid: `key-${alg}`, alg, use: 'sig' });
  }
  jwks = createServer((_req, res) => {
    jwksRequests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const { port } = jwks.address() as AddressInfo;
  emulator = await createEmulator();
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    AUTH_MODE: 'jwt',
    JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    LOG_LEVEL: 'silent',
  });
  gateway = createGateway({ config });
});
afterAll(async () => {
  await gateway.close();
  await emulator.close();
  await new Promise((resolve) => jwks.close(resolve));
});

function sign(
  alg: string,
  privateKey: CryptoKey,
  kid: string,
  claims: JWTPayload = { scope: 'stripe:admin' },
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime('5m')
    .sign(privateKey);
}

async function status(tokenValue: string): Promise<{ status: number; code: string | undefined }> {
  const response = await gateway.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenValue}` },
    body: JSON.stringify({ query: '{ balance { object } }' }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code };
}

describe('jwt with a JWKS', () => {
  it('accepts RS256 and ES256 tokens signed by a published key, fetching the set once', async () => {
    for (const alg of ['RS256', 'ES256']) {
      expect(await status(await sign(alg, keys[alg]!.privateKey, keys[alg]!.kid))).toEqual({
        status: 200,
        code: undefined,
      });
    }
    expect(jwksRequests).toBe(1);
  });

  it('refuses a key not in the set, and HS256 (no shared secret is configured)', async () => {
    const stranger = await generateKeyPair('ES256');
    expect(await status(await sign('ES256', stranger.privateKey, 'key-ES256'))).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    const hs = await new SignJWT({ scope: 'stripe:admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await status(hs)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
