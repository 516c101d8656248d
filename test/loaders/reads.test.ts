/**
 * A read that cannot share a call (anything but a by-id read of a resource whose list filters by
 * `ids[]`) is sent when it is asked for and cached by its key: no DataLoader tick before it, and it
 * settles on its own answer, not on the slowest of the reads asked beside it.
 */
import { describe, expect, it } from 'vitest';
import { UpstreamSession } from '../../src/loaders/session.ts';
import type { RestClient, RestRequest } from '../../src/rest/client.ts';
import { StripeError } from '../../src/rest/errors.ts';

/** A REST client whose answers the test gives, call by call. */
function heldRest() {
  const calls: { request: RestRequest; answer(value: unknown): void; fail(error: unknown): void }[] = [];
  const rest = {
    request: (request: RestRequest) =>
      new Promise((answer, fail) => {
        calls.push({ request, answer, fail });
      }),
  } as unknown as RestClient;
  return { rest, calls };
}

describe('reads without a batch', () => {
  it('sends each read when asked, and settles it on its own answer', async () => {
    const { rest, calls } = heldRest();
    const session = new UpstreamSession({ rest });
    const settled: string[] = [];
    const slow = session.get({ path: '/v1/customers/{customer}', pathParams: ['cus_slow'] }).then((c) => {
      settled.push(c.id as string);
    });
    const fast = session.get({ path: '/v1/charges', params: { limit: 3 } }).then(() => {
      settled.push('charges');
    });
    // Both calls are on their way before anything is awaited.
    expect(calls.map((c) => c.request.path)).toEqual(['/v1/customers/{customer}', '/v1/charges']);
    calls[1]!.answer({ object: 'list', data: [], has_more: false });
    await fast;
    expect(settled).toEqual(['charges']);
    calls[0]!.answer({ id: 'cus_slow', object: 'customer' });
    await slow;
    expect(settled).toEqual(['charges', 'cus_slow']);
    expect(session.calls).toEqual(['GET /v1/customers/cus_slow', 'GET /v1/charges']);
  });

  it('makes one call for the same read asked twice, before and after its answer', async () => {
    const { rest, calls } = heldRest();
    const session = new UpstreamSession({ rest });
    const request = { path: '/v1/transfers', params: { destination: 'acct_1', limit: 10 } };
    const first = session.get(request);
    const second = session.get({ path: '/v1/transfers', params: { limit: 10, destination: 'acct_1' } });
    expect(calls).toHaveLength(1);
    calls[0]!.answer({ object: 'list', data: [{ id: 'tr_1', object: 'transfer' }], has_more: false });
    expect(await first).toBe(await second);
    await session.get(request);
    expect(calls).toHaveLength(1);
    expect(session.upstreamCalls).toBe(1);
  });

  it("rejects every asker with the failed read's GraphQL error, without calling again", async () => {
    const { rest, calls } = heldRest();
    const session = new UpstreamSession({ rest });
    const request = { path: '/v1/customers/{customer}', pathParams: ['cus_missing'] };
    const first = session.get(request);
    calls[0]!.fail(
      new StripeError({
        kind: 'api',
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'id',
        statusCode: 404,
        message: "No such customer: 'cus_missing'",
      }),
    );
    const expected = { message: "No such customer: 'cus_missing'", extensions: { code: 'NOT_FOUND' } };
    await expect(first).rejects.toMatchObject(expected);
    await expect(session.get(request)).rejects.toMatchObject(expected);
    expect(calls).toHaveLength(1);
  });

  it('caches nothing for the resolver-per-field gateway (naive)', async () => {
    const { rest, calls } = heldRest();
    const session = new UpstreamSession({ rest, naive: true });
    const request = { path: '/v1/customers/{customer}', pathParams: ['cus_1'] };
    const reads = [session.get(request), session.get(request)];
    expect(calls).toHaveLength(2);
    for (const call of calls) call.answer({ id: 'cus_1', object: 'customer' });
    await Promise.all(reads);
  });
});
