import { describe, expect, it } from 'vitest';
import { QueueTimeoutError, Semaphore } from '../../src/rest/semaphore.ts';

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

describe('Semaphore between keys', () => {
  it('holds one key to perKey permits: the slot it may not take goes to another key', async () => {
    const semaphore = new Semaphore(3, { perKey: 2 });
    const slow = [await semaphore.acquire(undefined, 'slow'), await semaphore.acquire(undefined, 'slow')];
    const order: string[] = [];
    const take = (key: string) =>
      semaphore.acquire(undefined, key).then((release) => {
        order.push(key);
        return release;
      });
    const third = take('slow');
    const fast = await take('fast');
    expect(order).toEqual(['fast']);
    const again = take('fast');
    fast();
    // The freed slot skips `slow` (at its share) for the next key that may take it.
    const releases = [await again];
    expect(order).toEqual(['fast', 'fast']);
    slow[0]!();
    releases.push(await third);
    expect(order).toEqual(['fast', 'fast', 'slow']);
    for (const release of [...releases, slow[1]!]) release();
    expect(semaphore.active).toBe(0);
    expect(semaphore.pending).toBe(0);
  });

  it('lets waiting keys take turns, FIFO within a key', async () => {
    const semaphore = new Semaphore(1);
    let release = await semaphore.acquire(undefined, 'x');
    const order: string[] = [];
    const waits = ['a1', 'a2', 'b1'].map((name) =>
      semaphore.acquire(undefined, name[0]).then((next) => {
        order.push(name);
        return next;
      }),
    );
    // After a1, key a goes to the back of the turn: b1 comes before a2.
    for (const index of [0, 2, 1]) {
      release();
      release = await waits[index]!;
    }
    expect(order).toEqual(['a1', 'b1', 'a2']);
    release();
    expect(semaphore.active).toBe(0);
  });

  it('gives up a wait after queueTimeoutMs with QueueTimeoutError', async () => {
    const semaphore = new Semaphore(1, { queueTimeoutMs: 20 });
    const held = await semaphore.acquire();
    await expect(semaphore.acquire()).rejects.toBeInstanceOf(QueueTimeoutError);
    expect(semaphore.pending).toBe(0);
    held();
    (await semaphore.acquire())();
    expect(semaphore.active).toBe(0);
  });
});
