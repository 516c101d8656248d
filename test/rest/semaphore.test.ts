import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/rest/semaphore.ts';

describe('Semaphore', () => {
  it('grants up to the limit, then queues FIFO', async () => {
    const semaphore = new Semaphore(2);
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const order: string[] = [];
    const c = semaphore.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = semaphore.acquire().then((release) => {
      order.push('d');
      return release;
    });
    expect(semaphore.active).toBe(2);
    expect(semaphore.pending).toBe(2);
    a();
    a(); // a second release is ignored
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(semaphore.active).toBe(2);
    b();
    const releaseD = await d;
    expect(order).toEqual(['c', 'd']);
    releaseC();
    releaseD();
    expect(semaphore.active).toBe(0);
    expect(semaphore.pending).toBe(0);
  });

  it('drops an aborted waiter from the queue', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const aborted = semaphore.acquire(controller.signal);
    const next = semaphore.acquire();
    controller.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    expect(semaphore.pending).toBe(1);
    held();
    (await next)();
    expect(semaphore.active).toBe(0);
    await expect(semaphore.acquire(AbortSignal.abort(new Error('early')))).rejects.toThrow('early');
  });

  it('refuses a non-positive limit', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
  });
});
