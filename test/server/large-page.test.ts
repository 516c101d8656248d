/**
 * A list page over 128 KiB, through GraphQL: the gateway reads it item by item (src/rest/json.ts)
 * and answers exactly what Stripe's page holds.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

const CHARGES = 24;

describe('a list page over 128 KiB', () => {
  let h: Harness;
  let customer: string;

  beforeAll(async () => {
    h = await startHarness();
    // Forty 500-character metadata values make each expanded customer about 21 KB.
    const metadata = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`k${i}`, `${i}:${'é✓'.repeat(10)}${'x'.repeat(470)}`]),
    );
    const created = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'large.page@example.com', metadata },
    });
    customer = created.id;
    for (let i = 0; i < CHARGES; i++) {
      await h.admin.request({
        method: 'POST',
        path: '/v1/charges',
        params: { amount: 1000 + i, currency: 'usd', customer, source: 'tok_visa' },
      });
    }
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers every item of the page, parsing no string over 128 KiB', async () => {
    const raw = await h.emulator.fetch(
      new Request(
        `${h.emulator.url}/v1/charges?limit=${CHARGES}&customer=${customer}&expand[]=data.customer`,
        {
          headers: { authorization: `Bearer ${h.emulator.key}` },
        },
      ),
    );
    const page = (await raw.clone().json()) as {
      data: { id: string; amount: number; customer: { email: string } }[];
    };
    expect((await raw.arrayBuffer()).byteLength).toBeGreaterThan(400_000);

    // The answer itself is small: only the upstream page is large.
    const parse = vi.spyOn(JSON, 'parse');
    h.upstreamCalls();
    const response = await h.query(
      `{ charges(first: ${CHARGES}, customer: "${customer}") { nodes { id amount customer { email } } } }`,
    );
    const longest = Math.max(...parse.mock.calls.map(([source]) => String(source).length));
    parse.mockRestore();

    expect(response.body.errors).toBeUndefined();
    // One call: the customers came inline (expand[]=data.customer), in the same large page.
    expect(h.upstreamCalls()).toBe(1);
    expect(longest).toBeLessThan(128 * 1024);
    const nodes = (response.body.data?.charges as { nodes: unknown[] } | undefined)?.nodes;
    expect(nodes).toEqual(
      page.data.map((charge) => ({
        id: charge.id,
        amount: charge.amount,
        customer: { email: charge.customer.email },
      })),
    );
    expect(nodes).toHaveLength(CHARGES);
  });
});
