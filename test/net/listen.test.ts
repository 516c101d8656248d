/** The listener's graceful close: in-flight requests finish, idle keep-alive sockets do not hold it open. */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { listen } from '../../src/server/listen.ts';
import { until } from '../helpers.ts';

let emulator: Emulator;
let gateway: Gateway;

beforeAll(async () => {
  emulator = await createEmulator();
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    STRIPE_MAX_RETRIES: '0',
    LOG_LEVEL: 'silent',
  });
  gateway = createGateway({ config });
});
afterAll(async () => {
  await gateway.close();
  await emulator.close();
});

const QUERY = JSON.stringify({ query: '{ customers(first: 1) { nodes { id } } }' });

function post(
  origin: string,
  agentKeepAlive = true,
): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${origin}/graphql`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: agentKeepAlive ? 'keep-alive' : 'close' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }),
        );
      },
    );
    req.on('error', reject);
    req.end(QUERY);
  });
}

describe('listen().close()', () => {
  it('lets in-flight requests finish, then closes, even with kept-alive sockets', async () => {
    const listener = await listen(gateway.yoga, { port: 0, host: '127.0.0.1' });
    // An idle kept-alive connection must not keep the server open.
    expect((await post(listener.origin)).status).toBe(200);
    emulator.setFaults({ latencyMs: 400 });
    try {
      const inFlight = post(listener.origin);
      await until(() => listener.inFlight === 1);
      const closed = listener.close(5_000);
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ data: { customers: { nodes: expect.any(Array) } } });
      expect(await closed).toEqual({ forced: false });
      await expect(post(listener.origin)).rejects.toThrow();
    } finally {
      emulator.setFaults({});
    }
  });

  it('cuts requests still running after the timeout', async () => {
    const listener = await listen(gateway.yoga, { port: 0, host: '127.0.0.1' });
    emulator.setFaults({ latencyMs: 3_000 });
    try {
      const inFlight = post(listener.origin).then(
        () => 'answered',
        () => 'cut',
      );
      await until(() => listener.inFlight === 1);
      expect(await listener.close(200)).toEqual({ forced: true });
      expect(await inFlight).toBe('cut');
    } finally {
      emulator.setFaults({});
    }
  });
});
