import { describe, expect, it } from 'vitest';
import { Cancellation } from '../../../src/rest/cancel.ts';
import { StripeRestClient } from '../../../src/rest/client.ts';
import { Semaphore } from '../../../src/rest/semaphore.ts';
import { startServer, TEST_KEY } from './harness.ts';

describe('Cancellation', () => {
  it('calls each listener once, on the first abort, and keeps that reason', () => {
    const cancellation = new Cancellation();
    const heard: string[] = [];
    const a = () => heard.push('a');
    const b = () => heard.push('b');
    cancellation.addEventListener('abort', a);
    cancellation.addEventListener('abort', a);
    cancellation.addEventListener('abort', b, { once: true });
    cancellation.removeEventListener('abort', b);
    expect(cancellation.aborted).toBe(false);
    cancellation.abort(new Error('first'));
    cancellation.abort(new Error('second'));
    expect(heard).toEqual(['a']);
    expect(cancellation.aborted).toBe(true);
    expect((cancellation.reason as Error).message).toBe('first');
    cancellation.addEventListener('abort', b);
    cancellation.abort();
    expect(heard).toEqual(['a']);
  });

  it('drops a queued semaphore waiter', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const cancellation = new Cancellation();
    const waiting = semaphore.acquire(cancellation);
    cancellation.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(semaphore.pending).toBe(0);
    held();
  });

  it('aborts a REST call in flight, typed as aborted', async () => {
    const srv = await startServer(() => {}); // never answers
    const rest = new StripeRestClient({ secretKey: TEST_KEY, apiBase: srv.url, maxRetries: 0 });
    const cancellation = new Cancellation();
    const call = rest.request({ method: 'GET', path: '/v1/customers', signal: cancellation });
    await new Promise((resolve) => setTimeout(resolve, 50));
    cancellation.abort();
    await expect(call).rejects.toMatchObject({ kind: 'aborted' });
    await rest.close();
    await srv.close();
  });
});
