/**
 * The REST client's `limiter` option: every attempt (retries included) takes from the budget of the
 * account (and key) it acts as, a 429 tells the limiter, and a refusal from the limiter sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorDispatcher } from '../../src/emulator/dispatcher.ts';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { createRestClient, type RateLimiter } from '../../src/rest/client.ts';
import { StripeError } from '../../src/rest/errors.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({ faults: {}, listen: false });
});
afterAll(() => emulator.close());

function recording(refuse = false) {
  const log: string[] = [];
  const limiter: RateLimiter = {
    async acquire(account, _signal, apiKey) {
      log.push(`acquire ${account ?? 'platform'}${apiKey ? ` as ${apiKey}` : ''}`);
      if (refuse) throw new StripeError({ kind: 'rate_limited', message: 'spent' });
    },
    throttled(account, apiKey) {
      log.push(`throttled ${account ?? 'platform'}${apiKey ? ` as ${apiKey}` : ''}`);
    },
  };
  return { log, limiter };
}

describe('RestClientOptions.limiter', () => {
  it('takes one call per attempt, per account, and is told about 429s', async () => {
    const { log, limiter } = recording();
    const rest = createRestClient({
      secretKey: emulator.key,
      apiBase: emulator.url,
      dispatcher: new EmulatorDispatcher(emulator.service),
      limiter,
      maxRetries: 1,
      initialRetryDelayMs: 1,
    });
    try {
      await rest.request({ method: 'GET', path: '/v1/balance' });
      // A call with its own key (passthrough) takes from that key's budget.
      await rest.request({ method: 'GET', path: '/v1/balance', apiKey: emulator.key });
      emulator.setFaults({ errorRate429: 1 });
      await expect(
        rest.request({ method: 'GET', path: '/v1/balance', stripeAccount: 'acct_1' }),
      ).rejects.toMatchObject({
        statusCode: 429,
      });
      expect(log).toEqual([
        'acquire platform',
        `acquire platform as ${emulator.key}`,
        'acquire acct_1',
        'throttled acct_1',
        'acquire acct_1',
        'throttled acct_1',
      ]);
    } finally {
      emulator.setFaults({});
      await rest.close();
    }
  });

  it('sends nothing when the limiter refuses, and fails with its error', async () => {
    const { limiter } = recording(true);
    const rest = createRestClient({
      secretKey: emulator.key,
      apiBase: emulator.url,
      dispatcher: new EmulatorDispatcher(emulator.service),
      limiter,
    });
    emulator.resetStats();
    try {
      await expect(rest.request({ method: 'GET', path: '/v1/balance' })).rejects.toMatchObject({
        kind: 'rate_limited',
      });
      expect(emulator.stats().total).toBe(0);
    } finally {
      await rest.close();
    }
  });
});
