/** ACCESS_LOG: every request's access line (the default), none, or a sample; failures always. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/rest/config.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { type Harness, startHarness } from './harness.ts';

const QUERY = '{ customers(first: 1) { nodes { id } } }';

const accessLines = (h: Harness) => h.logs.filter((l) => l.msg === 'request');

async function run(h: Harness, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const { status } = await h.query(QUERY);
    expect(status).toBe(200);
  }
}

/** A body that is not JSON: HTTP 400 for a graphql-response+json client. */
const badRequest = (h: Harness) =>
  h.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: '{ not json',
  });

describe('ACCESS_LOG', () => {
  it('reads on, off and a share, and refuses anything else', () => {
    const base = { STRIPE_SECRET_KEY: 'sk_test_config' };
    expect(readServerConfig(base).accessLog).toBe(1);
    expect(readServerConfig({ ...base, ACCESS_LOG: 'off' }).accessLog).toBe(0);
    expect(readServerConfig({ ...base, ACCESS_LOG: 'on' }).accessLog).toBe(1);
    expect(readServerConfig({ ...base, ACCESS_LOG: '0.01' }).accessLog).toBe(0.01);
    for (const bad of ['2', '-0.1', 'half', '1e-2']) {
      expect(() => readServerConfig({ ...base, ACCESS_LOG: bad })).toThrow(ConfigError);
      expect(() => readServerConfig({ ...base, ACCESS_LOG: bad })).toThrow(/ACCESS_LOG/);
    }
  });

  describe('off', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ ACCESS_LOG: 'off' });
    });
    afterAll(() => h.close());

    it('writes no line for a successful request, and one for a failed one', async () => {
      await run(h, 5);
      expect(accessLines(h)).toEqual([]);
      const response = await badRequest(h);
      expect(response.status).toBe(400);
      expect(accessLines(h)).toEqual([expect.objectContaining({ status: 400, path: '/graphql' })]);
    });
  });

  describe('a share', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ ACCESS_LOG: '0.5' });
    });
    afterAll(() => h.close());

    it('logs some successful requests, not all (each with its id and status)', async () => {
      await run(h, 60);
      const lines = accessLines(h);
      // Each of 60 requests is logged with probability 1/2: all or none is a 2^-59 chance.
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThan(60);
      for (const line of lines) expect(line).toMatchObject({ status: 200, requestId: expect.any(String) });
    });
  });
});
