/** The subscription bounds' stream wrapper: ends at the deadline, or earlier with its timer cleared. */
import { GraphQLError } from 'graphql';
import { createSchema, createYoga, getSSEProcessor } from 'graphql-yoga';
import { describe, expect, it, vi } from 'vitest';
import { createSharedState, SUBSCRIBER_BUFFER, subscribeEvents } from '../../src/server/pubsub.ts';
import {
  boundedStream,
  eventStreams,
  tokenExpired,
  tokenRevoked,
  tooManySubscriptions,
} from '../../src/server/streams.ts';

async function* results(n: number) {
  for (let i = 0; i < n; i++) yield { data: { n: i } };
}

describe('boundedStream', () => {
  it('passes a stream that ends before the deadline through, clears its timer and calls onEnd once', async () => {
    vi.useFakeTimers();
    try {
      let ended = 0;
      const seen: unknown[] = [];
      const before = vi.getTimerCount();
      for await (const result of boundedStream(results(3), Date.now() + 60_000, () => ended++))
        seen.push(result);
      expect(seen).toEqual([{ data: { n: 0 } }, { data: { n: 1 } }, { data: { n: 2 } }]);
      expect(ended).toBe(1);
      expect(vi.getTimerCount()).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends a stream that outlives the deadline with one UNAUTHENTICATED result, and returns the source', async () => {
    let returned = false;
    const endless: AsyncIterable<{ data: Record<string, unknown> }> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise(() => {}),
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    let ended = 0;
    const seen: { errors?: { extensions?: Record<string, unknown> }[] }[] = [];
    for await (const result of boundedStream(endless, Date.now() + 50, () => ended++))
      seen.push(result as never);
    expect(seen.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(returned).toBe(true);
    expect(ended).toBe(1);
  });

  it('ends at a revocation, whether or not the client is waiting, with reason "revoked"', async () => {
    for (const waiting of [true, false]) {
      let returned = false;
      const endless: AsyncIterable<{ data: Record<string, unknown> }> = {
        [Symbol.asyncIterator]: () => ({
          next: () => new Promise(() => {}),
          return: async () => {
            returned = true;
            return { done: true, value: undefined };
          },
        }),
      };
      let revoke: () => void = () => {};
      let unwatched = 0;
      let ended = 0;
      const stream = boundedStream(
        endless,
        undefined,
        () => ended++,
        (end) => {
          revoke = end;
          return () => unwatched++;
        },
      );
      const first = waiting ? stream.next() : undefined;
      revoke();
      const result = (await (first ?? stream.next())) as IteratorResult<{
        errors?: { extensions?: Record<string, unknown> }[];
      }>;
      expect(result.value?.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'revoked' });
      expect(await stream.next()).toEqual({ value: undefined, done: true });
      expect([returned, ended, unwatched]).toEqual([true, 1, 1]);
    }
  });

  it('cleans up when the client returns the stream first', async () => {
    let ended = 0;
    const stream = boundedStream(results(100), Date.now() + 60_000, () => ended++);
    await stream.next();
    await stream.return(undefined);
    expect(ended).toBe(1);
  });
});

describe('the in-process pub/sub', () => {
  it('serves many subscribers without Node’s listener warning (MAX_SUBSCRIPTIONS bounds them)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const shared = createSharedState();
      const readers = Array.from({ length: 20 }, () =>
        subscribeEvents(shared.events)[Symbol.asyncIterator](),
      );
      const next = readers.map((reader) => reader.next());
      await new Promise((resolve) => setTimeout(resolve, 20));
      await shared.publish({ id: 'evt_many', type: 'customer.updated', created: 1, data: { object: {} } });
      expect((await Promise.all(next)).map((r) => r.value?.id)).toEqual(Array(20).fill('evt_many'));
      await Promise.all(readers.map((reader) => reader.return?.()));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  const event = (i: number) => ({
    id: `evt_${i}`,
    type: 'customer.updated',
    created: i,
    data: { object: {} },
  });

  it('keeps a subscriber’s newest SUBSCRIBER_BUFFER events when it falls behind', async () => {
    const shared = createSharedState();
    const reader = subscribeEvents(shared.events)[Symbol.asyncIterator]();
    const first = reader.next();
    for (let i = 0; i <= SUBSCRIBER_BUFFER + 5; i++) await shared.publish(event(i));
    expect((await first).value?.id).toBe('evt_0');
    // evt_1 … evt_5 were dropped to keep the buffer at its bound.
    expect((await reader.next()).value?.id).toBe('evt_6');
    await reader.return?.();
    expect(await reader.next()).toEqual({ value: undefined, done: true });
  });

  it('ends a waiting subscriber at shutdown, and forgets it', async () => {
    const shared = createSharedState();
    const open = new Set<() => void>();
    const reader = subscribeEvents(shared.events, open)[Symbol.asyncIterator]();
    const pending = reader.next();
    expect(open.size).toBe(1);
    for (const end of [...open]) end();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(open.size).toBe(0);
    await shared.publish(event(1));
    expect(await reader.next()).toEqual({ value: undefined, done: true });
  });
});

describe('refusals', () => {
  it('are typed errors without a stack trace, and leave the stack limit as it was', () => {
    const limit = Error.stackTraceLimit;
    for (const error of [tooManySubscriptions('server', 3), tokenExpired(), tokenRevoked()]) {
      expect(error.extensions.code).toMatch(/^(TOO_MANY_SUBSCRIPTIONS|UNAUTHENTICATED)$/);
      // Only the "GraphQLError: message" line: no frame was captured.
      expect(error.stack?.split('\n')).toEqual([`GraphQLError: ${error.message}`]);
    }
    expect(tooManySubscriptions('connection', 10).toJSON()).toEqual({
      message: expect.stringContaining('10 active subscriptions'),
      extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 10 },
    });
    expect(Error.stackTraceLimit).toBe(limit);
  });
});

describe('the SSE writer', () => {
  const { fetchAPI } = createYoga({ schema: createSchema({ typeDefs: 'type Query { n: Int }' }) });
  /** The body, its keep-alive comments but the first left out (Yoga's come every 300 ms in tests). */
  const text = async (response: unknown) =>
    (await (response as Response).text())
      .split('\n\n')
      .filter((frame, i) => i === 0 || frame !== ':')
      .join('\n\n');
  /** Yoga's own answer and ours to the same result; how often ours handed it to Yoga's. */
  async function both(make: () => unknown) {
    const yogas = vi.fn(getSSEProcessor());
    const ours = eventStreams(yogas as never);
    const theirs = (await getSSEProcessor()(make() as never, fetchAPI, 'text/event-stream')) as Response;
    const mine = (await ours(make(), fetchAPI, 'text/event-stream')) as Response;
    return {
      theirs: { status: theirs.status, type: theirs.headers.get('content-type'), body: await text(theirs) },
      mine: { status: mine.status, type: mine.headers.get('content-type'), body: await text(mine) },
      delegated: yogas.mock.calls.length,
    };
  }
  const internal = () =>
    new GraphQLError('boom', { extensions: { code: 'X', http: { status: 500 }, unexpected: true } });

  it('writes a refusal and a stream of results as Yoga does, internal extensions left out', async () => {
    const refusal = await both(() => ({ errors: [tooManySubscriptions('server', 3)] }));
    expect(refusal.mine).toEqual(refusal.theirs);
    expect(refusal.mine.body).toContain('event: complete');
    expect(refusal.delegated).toBe(0);

    async function* stream() {
      yield { data: { n: 0 } };
      yield { errors: [internal()] };
      yield undefined; // nothing to send: the next one follows
      yield { data: { n: 2 }, extensions: { http: { status: 200 }, cost: 1 } };
    }
    const streamed = await both(stream);
    expect(streamed.mine).toEqual(streamed.theirs);
    expect(streamed.mine.body).not.toContain('unexpected');
    expect(streamed.mine.body).not.toContain('http');
    expect(streamed.delegated).toBe(0);
  });

  it('leaves a single result with a status of its own to Yoga', async () => {
    const answer = await both(() => ({ errors: [internal()] }));
    expect(answer.mine).toEqual(answer.theirs);
    expect(answer.mine.status).toBe(500);
    expect(answer.delegated).toBe(1);
  });

  it('returns the source when the client goes away', async () => {
    let returned = false;
    async function* endless() {
      try {
        for (let n = 0; ; n++) yield { data: { n } };
      } finally {
        returned = true;
      }
    }
    const response = (await eventStreams(getSSEProcessor() as never)(
      endless(),
      fetchAPI,
      'text/event-stream',
    )) as Response;
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await vi.waitFor(() => expect(returned).toBe(true));
  });
});
