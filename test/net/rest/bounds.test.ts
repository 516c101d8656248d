/**
 * What a misbehaving Stripe (or a proxy in front of it) can make the REST client hold: an answer
 * larger than `maxResponseBytes` (declared, or chunked and endless) is cut off with kind
 * `too_large` as it passes the bound; a slow path holds at most `maxConcurrencyPerPath` slots, so
 * another path still gets through; a wait for a slot longer than `queueTimeoutMs` fails with kind
 * `queue_timeout` and sends nothing.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { toGraphQLError } from '../../../src/loaders/stripe-errors.ts';
import { until } from '../../helpers.ts';
import { perTest, rejection, sendJson, socketClosed } from './harness.ts';

const { server, client } = perTest({ maxRetries: 2 });

const CAP = 64 * 1024;

/** Writes 16 KiB chunks of a JSON string until the client hangs up; resolves with the bytes written. */
function endless(res: ServerResponse): Promise<number> {
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_endless' });
  res.write('{"object":"charge","description":"');
  const chunk = 'x'.repeat(16 * 1024);
  let written = 0;
  return new Promise((resolve) => {
    const pump = (): void => {
      while (!res.destroyed && written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      resolve(written);
    };
    res.on('close', () => resolve(written));
    pump();
  });
}

describe('maxResponseBytes', () => {
  it('cuts off an endless chunked body as it passes the bound, and does not retry', async () => {
    let written: Promise<number> | undefined;
    let closed: Promise<void> | undefined;
    const srv = await server((req, res) => {
      closed = socketClosed(req);
      written = endless(res);
    });
    const error = await rejection(
      client(srv, { maxResponseBytes: CAP }).request({ method: 'GET', path: '/v1/charges/ch_1' }),
    );
    expect(error.kind).toBe('too_large');
    expect(error.statusCode).toBe(200);
    expect(error.requestId).toBe('req_endless');
    expect(error.message).toContain(`${CAP}-byte limit`);
    await closed;
    // The connection was dropped: the server stopped far short of its 64 MiB, and was asked once.
    expect(await written).toBeLessThan(16 * 1024 * 1024);
    expect(srv.requests).toHaveLength(1);
    expect((toGraphQLError(error) as { extensions: { code: string } }).extensions.code).toBe(
      'STRIPE_RESPONSE_TOO_LARGE',
    );
  });

  it('refuses an answer whose Content-Length is over the bound before reading it', async () => {
    const srv = await server((_req, res) => sendJson(res, 200, { object: 'charge', blob: 'y'.repeat(CAP) }));
    const error = await rejection(
      client(srv, { maxResponseBytes: CAP }).request({ method: 'GET', path: '/v1/charges/ch_1' }),
    );
    expect(error.kind).toBe('too_large');
    // Under the bound, the same answer is read as ever.
    const roomy = client(srv, { maxResponseBytes: 4 * CAP });
    await expect(roomy.request({ method: 'GET', path: '/v1/charges/ch_1' })).resolves.toMatchObject({
      object: 'charge',
    });
  });
});

describe('upstream fairness', () => {
  it('a path whose answers trickle holds at most its share: another path answers meanwhile', async () => {
    const held: ServerResponse[] = [];
    const srv = await server((req, res) => {
      if (req.url!.startsWith('/v1/slow')) {
        // Headers at once, then a byte now and then: the answer never completes on its own.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(' ');
        held.push(res);
        return;
      }
      sendJson(res, 200, { object: 'balance' });
    });
    const rest = client(srv, { maxConcurrency: 4, queueTimeoutMs: 60_000 });
    const controller = new AbortController();
    const slow = Array.from({ length: 20 }, () =>
      rest.request({ method: 'GET', path: '/v1/slow', signal: controller.signal }).catch(() => 'cancelled'),
    );
    await until(() => held.length === 3);
    // Three of the four slots (¾ by default) went to the slow path; the fourth serves another path.
    expect(rest.stats).toEqual({ inFlight: 3, queued: 17 });
    await expect(rest.request({ method: 'GET', path: '/v1/balance' })).resolves.toEqual({
      object: 'balance',
    });
    expect(held).toHaveLength(3);
    controller.abort(new Error('done'));
    await Promise.all(slow);
  });

  it('a call that waits longer than queueTimeoutMs fails STRIPE_QUEUE_TIMEOUT and sends nothing', async () => {
    const held: ServerResponse[] = [];
    const srv = await server((_req, res) => {
      held.push(res);
    });
    const rest = client(srv, { maxConcurrency: 2, maxConcurrencyPerPath: 2, queueTimeoutMs: 50 });
    const controller = new AbortController();
    const first = [1, 2].map(() =>
      rest.request({ method: 'GET', path: '/v1/slow', signal: controller.signal }).catch(() => 'cancelled'),
    );
    await until(() => held.length === 2);
    const error = await rejection(
      rest.request({ method: 'POST', path: '/v1/customers', params: { name: 'x' } }),
    );
    expect(error.kind).toBe('queue_timeout');
    expect(error.message).toContain('nothing was sent');
    expect((toGraphQLError(error) as { extensions: { code: string } }).extensions.code).toBe(
      'STRIPE_QUEUE_TIMEOUT',
    );
    expect(srv.requests.map((r) => r.url)).toEqual(['/v1/slow', '/v1/slow']);
    controller.abort(new Error('done'));
    await Promise.all(first);
  });
});
