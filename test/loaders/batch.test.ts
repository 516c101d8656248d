/**
 * By-id reads of a resource whose list filters by `ids[]` (products) are batched: every such read
 * asked for before the resolvers wait on I/O shares one `GET /v1/products?ids[]=…` per page of 100.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamSession } from '../../src/loaders/session.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const productRoute = 'GET /v1/products/{id}';
const listRoute = 'GET /v1/products';

describe('batched product reads', () => {
  it('reads the products of every subscription item of 10 customers in one list call', async () => {
    const query = `{ customers(first: 10) { nodes { email
      subscriptions { nodes { items { nodes { price { id product { ... on Product { id name } } } } } } } } } }`;
    h.emulator.resetStats();
    const response = await h.query(query);
    expect(response.body.errors).toBeUndefined();
    const stats = h.emulator.stats();
    expect(stats.byRoute[listRoute]).toBe(1);
    expect(stats.byRoute[productRoute]).toBeUndefined();
    expect(stats.total).toBe(2);
    type Item = { price: { id: string; product: { id: string; name: string } } };
    type Customer = { subscriptions: { nodes: { items: { nodes: Item[] } }[] } };
    const customers = (response.body.data!.customers as { nodes: Customer[] }).nodes;
    const items = customers.flatMap((c) => c.subscriptions.nodes.flatMap((s) => s.items.nodes));
    const products = new Set(items.map((i) => i.price.product.id));
    expect(products.size).toBeGreaterThan(1);
    // Each product is the one its price names, as a by-id read gives it.
    for (const item of items.slice(0, 3)) {
      const price = await h.admin.request<{ product: string }>({
        method: 'GET',
        path: `/v1/prices/${item.price.id}`,
      });
      const product = await h.admin.request<{ id: string; name: string }>({
        method: 'GET',
        path: `/v1/products/${price.product}`,
      });
      expect(item.price.product).toEqual({ id: product.id, name: product.name });
    }
  });

  it('answers an id the list leaves out as Stripe does for a by-id read, without another call', async () => {
    const rest = h.gateway.rest;
    const { index } = sharedSchema();
    const session = new UpstreamSession({
      rest,
      retrievePathOf: index.retrievePathOf,
      batchReadOf: index.batchReadOf,
    });
    const known = (await h.admin.request<{ data: { id: string }[] }>({ method: 'GET', path: '/v1/products' }))
      .data[0]!.id;
    h.emulator.resetStats();
    const path = '/v1/products/{id}';
    const [found, lost] = await Promise.allSettled([
      session.get({ path, pathParams: [known] }),
      session.get({ path, pathParams: ['prod_doesnotexist'] }),
    ]);
    expect(h.emulator.stats().total).toBe(1);
    expect(session.calls).toEqual([listRoute]);
    expect(found.status === 'fulfilled' && (found.value as { id: string }).id).toBe(known);
    expect(lost.status).toBe('rejected');
    const error = (lost as PromiseRejectedResult).reason as {
      message: string;
      extensions: Record<string, unknown>;
    };
    expect(error.message).toBe("No such product: 'prod_doesnotexist'");
    expect(error.extensions.code).toBe('NOT_FOUND');
    expect(error.extensions.stripe).toMatchObject({ code: 'resource_missing', statusCode: 404 });
    // A lone read stays a plain retrieve, which a single missing id answers with Stripe's own 404.
    h.emulator.resetStats();
    await expect(session.get({ path, pathParams: ['prod_alsomissing'] })).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    expect(h.emulator.stats().byRoute[productRoute]).toBe(1);
  });

  it('keeps a read whose expand[] would pass Stripe’s depth under `data.` a by-id read', async () => {
    const { index } = sharedSchema();
    const session = new UpstreamSession({
      rest: h.gateway.rest,
      retrievePathOf: index.retrievePathOf,
      batchReadOf: index.batchReadOf,
    });
    const ids = (
      await h.admin.request<{ data: { id: string }[] }>({
        method: 'GET',
        path: '/v1/products',
        params: { limit: 2 },
      })
    ).data.map((p) => p.id);
    expect(ids).toHaveLength(2);
    h.emulator.resetStats();
    const path = '/v1/products/{id}';
    await Promise.all(
      ids.map((id) => session.get({ path, pathParams: [id], expand: ['a.b.c.d'] }).catch(() => null)),
    );
    expect(h.emulator.stats().byRoute[listRoute]).toBeUndefined();
    expect(h.emulator.stats().byRoute[productRoute]).toBe(2);
  });
});
